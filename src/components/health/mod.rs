//! The health domain's view pieces: what needs attention, most urgent first, with counts; the
//! status strip and the storage chart of one connection.

mod attention;
mod charts;

pub use attention::*;
pub use charts::*;
