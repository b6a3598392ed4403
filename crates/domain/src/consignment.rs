//! Consignment kinds and CIS statuses.

use serde::{Deserialize, Serialize};

/// What a consignment moves, and so which Lightspeed type it becomes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum ConsignmentKind {
    /// Supplier -> outlet (Lightspeed `SUPPLIER`).
    PurchaseOrder,
    /// Outlet -> outlet (Lightspeed `OUTLET`).
    OutletTransfer,
    /// Outlet -> supplier (Lightspeed `RETURN`).
    SupplierReturn,
    /// An outlet counting itself (Lightspeed `STOCKTAKE`).
    Stocktake,
}

impl ConsignmentKind {
    /// Every kind, in display order.
    pub const ALL: [ConsignmentKind; 4] = [
        Self::PurchaseOrder,
        Self::OutletTransfer,
        Self::SupplierReturn,
        Self::Stocktake,
    ];

    /// The stable snake_case name used in storage and on the wire.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::PurchaseOrder => "purchase_order",
            Self::OutletTransfer => "outlet_transfer",
            Self::SupplierReturn => "supplier_return",
            Self::Stocktake => "stocktake",
        }
    }

    /// Parses the stable name; `None` for anything else.
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }

    /// The words staff use, lower case, for messages ("This transfer has no lines yet").
    pub fn label(self) -> &'static str {
        match self {
            Self::PurchaseOrder => "purchase order",
            Self::OutletTransfer => "transfer",
            Self::SupplierReturn => "supplier return",
            Self::Stocktake => "stocktake",
        }
    }
}

impl std::fmt::Display for ConsignmentKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.label())
    }
}

/// The CIS status: richer than Lightspeed's (see ARCHITECTURE.md, "Statuses").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum ConsignmentStatus {
    Draft,
    PendingApproval,
    Approved,
    Packing,
    Packed,
    Sent,
    InTransit,
    Receiving,
    Received,
    Cancelled,
    Scheduled,
    Counting,
    Review,
    Complete,
}

impl ConsignmentStatus {
    /// Every status.
    pub const ALL: [ConsignmentStatus; 14] = [
        Self::Draft,
        Self::PendingApproval,
        Self::Approved,
        Self::Packing,
        Self::Packed,
        Self::Sent,
        Self::InTransit,
        Self::Receiving,
        Self::Received,
        Self::Cancelled,
        Self::Scheduled,
        Self::Counting,
        Self::Review,
        Self::Complete,
    ];

    /// The stable snake_case name used in storage and on the wire.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Draft => "draft",
            Self::PendingApproval => "pending_approval",
            Self::Approved => "approved",
            Self::Packing => "packing",
            Self::Packed => "packed",
            Self::Sent => "sent",
            Self::InTransit => "in_transit",
            Self::Receiving => "receiving",
            Self::Received => "received",
            Self::Cancelled => "cancelled",
            Self::Scheduled => "scheduled",
            Self::Counting => "counting",
            Self::Review => "review",
            Self::Complete => "complete",
        }
    }

    /// Parses the stable name; `None` for anything else.
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }

    /// The words staff see for this status, lower case.
    pub fn label(self) -> &'static str {
        match self {
            Self::Draft => "draft",
            Self::PendingApproval => "waiting for approval",
            Self::Approved => "approved",
            Self::Packing => "being packed",
            Self::Packed => "packed",
            Self::Sent => "sent",
            Self::InTransit => "in transit",
            Self::Receiving => "being received",
            Self::Received => "received",
            Self::Cancelled => "cancelled",
            Self::Scheduled => "scheduled",
            Self::Counting => "being counted",
            Self::Review => "in review",
            Self::Complete => "complete",
        }
    }

    /// Terminal statuses accept no further transition and no line edits.
    pub fn is_terminal(self) -> bool {
        matches!(self, Self::Received | Self::Cancelled | Self::Complete)
    }
}

impl std::fmt::Display for ConsignmentStatus {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.label())
    }
}
