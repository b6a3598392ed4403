//! Fault injection for the fakes: a seeded plan of per-route faults (latency, 429
//! storms, 5xx, hangs, dropped connections, lost acknowledgements), the middleware
//! that applies it, a request log, and the accept loop that lets a handler cut its
//! own connection.

mod inject;
mod plan;
mod request_log;
mod serve;

pub(crate) use inject::http_date_after;
pub use inject::inject_faults;
pub use plan::{path_matches, Fault, FaultController, FaultPlan, FaultRule};
pub use request_log::{RequestLog, RequestRecord};
pub use serve::{serve_with_kill_switch, KillSwitch};
