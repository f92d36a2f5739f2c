//! The rotation pages: start a rotation and see past ones, and one rotation as it runs.

mod job;
mod list;

pub use job::RotationPage;
pub use list::RotationsPage;
