//! Staff roles, lowest to highest (DOMAIN.md, "People and roles").

use serde::{Deserialize, Serialize};

/// A staff member's role. `Admin` configures; it does not approve money.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Staff,
    StoreManager,
    AreaManager,
    OpsManager,
    FinancialController,
    Director,
    Admin,
}

impl Role {
    /// Every role, lowest to highest, `Admin` last.
    pub const ALL: [Role; 7] = [
        Self::Staff,
        Self::StoreManager,
        Self::AreaManager,
        Self::OpsManager,
        Self::FinancialController,
        Self::Director,
        Self::Admin,
    ];

    /// The stable snake_case name used in storage and on the wire.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Staff => "staff",
            Self::StoreManager => "store_manager",
            Self::AreaManager => "area_manager",
            Self::OpsManager => "ops_manager",
            Self::FinancialController => "financial_controller",
            Self::Director => "director",
            Self::Admin => "admin",
        }
    }

    /// Parses the stable name; `None` for anything else.
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }
}
