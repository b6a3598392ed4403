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

    /// The words staff use, lower case.
    pub fn label(self) -> &'static str {
        match self {
            Self::Staff => "staff member",
            Self::StoreManager => "store manager",
            Self::AreaManager => "area manager",
            Self::OpsManager => "operations manager",
            Self::FinancialController => "financial controller",
            Self::Director => "director",
            Self::Admin => "administrator",
        }
    }

    /// Position in the chain of authority, lowest 0. `Admin` configures and has no rank:
    /// it is neither above nor below anyone for approvals and sign-offs.
    pub fn rank(self) -> Option<u8> {
        match self {
            Self::Staff => Some(0),
            Self::StoreManager => Some(1),
            Self::AreaManager => Some(2),
            Self::OpsManager => Some(3),
            Self::FinancialController => Some(4),
            Self::Director => Some(5),
            Self::Admin => None,
        }
    }

    /// True when this role is `other` or higher in the chain of authority.
    /// `Admin` is never at least anything, and nothing is at least `Admin`.
    pub fn is_at_least(self, other: Role) -> bool {
        match (self.rank(), other.rank()) {
            (Some(mine), Some(theirs)) => mine >= theirs,
            _ => false,
        }
    }
}

impl std::fmt::Display for Role {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.label())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn higher_roles_are_at_least_lower_ones() {
        assert!(Role::Director.is_at_least(Role::StoreManager));
        assert!(Role::StoreManager.is_at_least(Role::StoreManager));
        assert!(!Role::Staff.is_at_least(Role::StoreManager));
        assert!(!Role::AreaManager.is_at_least(Role::OpsManager));
    }

    #[test]
    fn admin_configures_but_has_no_authority() {
        assert!(!Role::Admin.is_at_least(Role::Staff));
        assert!(!Role::Director.is_at_least(Role::Admin));
    }

    #[test]
    fn names_round_trip() {
        for role in Role::ALL {
            assert_eq!(Role::parse(role.as_str()), Some(role));
        }
    }
}
