//! The packing bench (issue 10): pick list, scanning with distinct outcomes, boxes with
//! live and stable weights, labels, and sending an outlet transfer or supplier return.
//!
//! Invariants: a scan is recorded only when every rule passed, and is durable before the
//! call returns; refusals write nothing and say the fix. Business rules (status moves,
//! line changes) come from `tally-domain`; the store records.

mod bench_state;
pub mod boxes;
pub mod command_codes;
mod context;
pub mod error;
pub mod pick_list;
pub(crate) mod printing;
pub mod scan;
pub mod send;
pub mod suggestion;
pub mod views;
pub mod weight_check;

pub use bench_state::BenchState;
pub use command_codes::{command_codes, parse_command, CommandCode, PackCommand};
pub use error::PackingError;
pub use views::*;
pub use weight_check::{check_weight, WeightCheck};
