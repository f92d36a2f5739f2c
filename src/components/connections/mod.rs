//! Connections' view pieces: the card of one connection (status, stages, storage, actions) and the
//! form fields shared by the Connections page and the wizard's first-connection step.

mod browse;
mod card;
mod form;
mod strip;

pub use browse::*;
pub use card::*;
pub use form::*;
pub use strip::*;
