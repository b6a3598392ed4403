//! Blocks of reference numbers: the hub hands each station its own range of the
//! sequence numbers in consignment references (`TR-PUR-202611-000123-45`), so a
//! station drafts purchase orders and returns offline without two stations ever
//! using the same number. The station says how many it has left (and the highest
//! number it holds) with each pull; the hub answers with a block when it runs low.

use serde::{Deserialize, Serialize};

/// A range of reference sequence numbers, `first..=last`, issued to one station.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct ReferenceBlock {
    /// First number of the block.
    pub first: u32,
    /// Last number of the block (inclusive).
    pub last: u32,
}

impl ReferenceBlock {
    /// How many numbers the block holds.
    pub fn len(&self) -> u64 {
        u64::from(self.last.saturating_sub(self.first)) + 1
    }

    /// Never true: a block holds at least one number.
    pub fn is_empty(&self) -> bool {
        false
    }

    /// Whether two blocks share a number.
    pub fn overlaps(&self, other: &ReferenceBlock) -> bool {
        self.first <= other.last && other.first <= self.last
    }
}

/// What a station reports about its reference numbers with a pull.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReferenceNumbers {
    /// Numbers not used yet, over all its blocks.
    pub left: u64,
    /// The last number of the highest block it holds (0 for none): a block the hub
    /// issued above this has not reached the station, so the hub sends it again.
    pub highest: u32,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blocks_overlap_only_when_they_share_a_number() {
        let a = ReferenceBlock {
            first: 1,
            last: 100,
        };
        assert!(a.overlaps(&ReferenceBlock {
            first: 100,
            last: 200
        }));
        assert!(!a.overlaps(&ReferenceBlock {
            first: 101,
            last: 200
        }));
        assert_eq!(a.len(), 100);
    }
}
