//! Fake NZ Post and GoSweetSpot APIs on an ephemeral 127.0.0.1 port, answering as
//! FREIGHT.md describes: illustrative tariffs with different curves (the cheaper
//! carrier changes with weight), rural surcharges, delivery options, rejections
//! over carrier limits, injected faults (latency, 5xx, a response lost after the
//! booking was committed), OAuth2 for NZ Post, header keys for GoSweetSpot, real
//! PDF labels, tracking numbers, shipments searchable by reference, cancelling a
//! label before pick-up, and a test control ([`Stage`]) that moves a shipment along
//! (picked up, in transit, delivered) so tracking can be polled.
//!
//! Start one from a test: `let np = FakeNzPost::start(FakeNzPostConfig::default()).await?;`
//! then point a client at `np.base_url` and assert on `np.state`.

pub mod faults;
pub mod gosweetspot;
pub mod label_file;
pub mod nzpost;
pub mod stage;
pub mod tariff;

mod server;

pub use faults::{Endpoint, Fault, FaultPlan};
pub use gosweetspot::{FakeGoSweetSpot, FakeGoSweetSpotConfig, GssCall, GssShipment, GssState};
pub use nzpost::{FakeConsignment, FakeNzPost, FakeNzPostConfig, NzPostCall, NzPostState};
pub use stage::{Courier, Stage};
pub use tariff::{Parcel, Surcharges, Tariff};
