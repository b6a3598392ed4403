//! Who a consignment is from or to, as printed.

use serde::{Deserialize, Serialize};

use crate::error::LabelError;

/// An outlet, supplier or person with address lines.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Party {
    /// Name as printed (outlet or supplier name).
    pub name: String,
    /// Address lines, top to bottom (street, suburb, city postcode).
    pub lines: Vec<String>,
}

impl Party {
    /// A party with a name and address lines.
    pub fn new(name: &str, lines: &[&str]) -> Party {
        Party {
            name: name.to_string(),
            lines: lines.iter().map(|s| s.to_string()).collect(),
        }
    }

    pub(crate) fn validate(&self, field: &'static str) -> Result<(), LabelError> {
        if self.name.trim().is_empty() {
            return Err(LabelError::InvalidInput {
                field,
                detail: "a name is needed".into(),
            });
        }
        Ok(())
    }
}
