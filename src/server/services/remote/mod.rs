//! The floor under every SSH session: slots (global and per host), the stages a session goes
//! through with their classified failures, and live progress for the pages.

mod gate;
mod progress;
mod stages;

pub use gate::{PER_HOST, SshGate, SshSlot};
pub use progress::{ProgressBoard, connection_key};
pub use stages::{Stages, ssh_failure, stage_title};
