//! Outlet <-> hub sync protocol types and the outlet's push/pull loop.
//!
//! The outlet pushes its outbox in order (`POST /sync/push`, [`PushRequest`]); the
//! hub answers one [`MutationOutcome`] per mutation. The outlet pulls rows changed
//! since a cursor (`GET /sync/pull`, [`PullResponse`]). Every body carries the
//! protocol version; a peer speaking another version is refused with
//! `UNSUPPORTED_PROTOCOL`.

pub mod error;
pub mod evidence;
pub mod outlet;
pub mod protocol;

pub use error::SyncError;
pub use protocol::mutation::*;
pub use protocol::pull::{
    ChainPolicies, Change, FreightTracking, PullQuery, PullResponse, ReorderPolicy, Row,
    SnapshotQuery, SnapshotResponse,
};
pub use protocol::push::{
    parse_push_request, Actor, MutationEnvelope, MutationOutcome, MutationResult, ParsedPush,
    PushRequest, PushResponse,
};
pub use protocol::reference_block::{ReferenceBlock, ReferenceNumbers};
pub use protocol::rows::*;
pub use protocol::{ErrorBody, PROTOCOL_VERSION};
