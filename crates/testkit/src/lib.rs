//! Fakes (Lightspeed X-Series, carriers), fault injection, device simulators and demo data generation for tests and the demo.

pub mod carriers;
pub mod demo_data;
pub mod devices;
pub mod faults;
pub mod lightspeed;
pub mod prop;
pub mod proxy;
pub mod smtp_sink;
