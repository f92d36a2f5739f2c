//! SSH keys' view pieces: the table of keys, the card of one key with its public text and
//! fingerprints, and the per-key actions (rename, make system key, delete).

mod actions;
mod card;
mod table;

pub use actions::*;
pub use card::*;
pub use table::*;
