//! Typed Lightspeed objects. Quantities and money are read from decimal strings or
//! numbers (Lightspeed sends both) and written as strings.

mod catalog;
mod consignment;
pub(crate) mod decimal;

pub use catalog::{InventoryRecord, Outlet, Product, ProductCode, Sale, SaleLineItem, Supplier};
pub use consignment::{
    Consignment, ConsignmentLine, ConsignmentTotals, ConsignmentUpdate, LineValues, NewConsignment,
    NewLine,
};

/// An object walked by version cursor.
pub trait Versioned {
    /// Its version (strictly increasing across changes).
    fn version(&self) -> u64;
    /// True when Lightspeed reports it deleted (`deleted_at` set or `deleted: true`).
    fn is_deleted(&self) -> bool;
}

macro_rules! versioned {
    ($($t:ty),*) => {$(
        impl $crate::models::Versioned for $t {
            fn version(&self) -> u64 {
                self.version
            }
            fn is_deleted(&self) -> bool {
                self.deleted_at.is_some() || self.deleted == Some(true)
            }
        }
    )*};
}
pub(crate) use versioned;
