//! Lightspeed X-Series consignment types and statuses, as they appear on the wire.
//! The CIS <-> Lightspeed mapping and Lightspeed's own transition rules build on these.

use serde::{Deserialize, Serialize};

/// Lightspeed's consignment `type`. Anything else (e.g. the old system's `STOCK`) is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum LsConsignmentType {
    Supplier,
    Outlet,
    Return,
    Stocktake,
}

impl LsConsignmentType {
    /// Every type.
    pub const ALL: [LsConsignmentType; 4] =
        [Self::Supplier, Self::Outlet, Self::Return, Self::Stocktake];

    /// The wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Supplier => "SUPPLIER",
            Self::Outlet => "OUTLET",
            Self::Return => "RETURN",
            Self::Stocktake => "STOCKTAKE",
        }
    }

    /// Parses the wire name; `None` for unknown types.
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|t| t.as_str() == s)
    }
}

/// Lightspeed's consignment `status`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum LsConsignmentStatus {
    Open,
    Sent,
    Dispatched,
    Received,
    Cancelled,
    StocktakeScheduled,
    StocktakeInProgress,
    StocktakeInProgressProcessed,
    StocktakeComplete,
    Closed,
}

impl LsConsignmentStatus {
    /// Every status.
    pub const ALL: [LsConsignmentStatus; 10] = [
        Self::Open,
        Self::Sent,
        Self::Dispatched,
        Self::Received,
        Self::Cancelled,
        Self::StocktakeScheduled,
        Self::StocktakeInProgress,
        Self::StocktakeInProgressProcessed,
        Self::StocktakeComplete,
        Self::Closed,
    ];

    /// The wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Open => "OPEN",
            Self::Sent => "SENT",
            Self::Dispatched => "DISPATCHED",
            Self::Received => "RECEIVED",
            Self::Cancelled => "CANCELLED",
            Self::StocktakeScheduled => "STOCKTAKE_SCHEDULED",
            Self::StocktakeInProgress => "STOCKTAKE_IN_PROGRESS",
            Self::StocktakeInProgressProcessed => "STOCKTAKE_IN_PROGRESS_PROCESSED",
            Self::StocktakeComplete => "STOCKTAKE_COMPLETE",
            Self::Closed => "CLOSED",
        }
    }

    /// Parses the wire name; `None` for unknown statuses.
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|t| t.as_str() == s)
    }
}
