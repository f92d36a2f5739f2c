//! The health domain's view pieces: what needs attention, most urgent first, with counts.

mod attention;

pub use attention::*;
