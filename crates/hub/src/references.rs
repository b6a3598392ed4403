//! Handing stations blocks of reference sequence numbers, so they draft purchase
//! orders and returns offline with references no other station uses.
//!
//! Decisions:
//! - **Chain-wide, never reused.** A reference (`TR-PUR-202611-000123-45`) names the
//!   kind and month but no outlet, so blocks are disjoint across every station; the
//!   next block starts after the highest ever issued (persisted), whatever the kind
//!   (the station's pool is one pool for all kinds).
//! - **The station reports, the hub remembers.** With each pull the station says how
//!   many numbers it has left and the top of its highest block; the hub keeps every
//!   block it issued and to whom. A device's latest block above the station's top
//!   has not arrived yet (lost answer, crash before applying): the hub sends that
//!   same block again, never a second one. Only once the station holds it, and is
//!   below `low_water`, does the hub issue a new block.
//! - **At enrolment** the first block is issued in the same transaction as the
//!   device; it reaches the station with its first pull by the rule above.

use serde::Deserialize;
use tally_domain::reference::MAX_SEQUENCE;
use tally_sync::{ReferenceBlock, ReferenceNumbers};
use time::OffsetDateTime;

use crate::store::{HubTx, StoreResult};

/// How big blocks are and when a station gets the next one (`[references]`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ReferenceConfig {
    /// Numbers per block.
    pub block_size: u32,
    /// A station with fewer numbers left than this gets a new block on its next pull.
    pub low_water: u32,
}

impl Default for ReferenceConfig {
    fn default() -> Self {
        Self {
            block_size: 200,
            low_water: 50,
        }
    }
}

/// Issues the next block to `device_id`: after the highest ever issued. `None` once
/// the six-digit sequence is used up (the hub logs it; stations keep what they have).
pub fn issue(
    tx: &mut dyn HubTx,
    device_id: &str,
    config: &ReferenceConfig,
    now: OffsetDateTime,
) -> StoreResult<Option<ReferenceBlock>> {
    let first = tx.highest_reference_issued()?.saturating_add(1);
    if first > MAX_SEQUENCE {
        tracing::error!(
            device_id,
            "every reference sequence number has been issued; no block for this station"
        );
        return Ok(None);
    }
    let size = config.block_size.max(1);
    let last = first.saturating_add(size - 1).min(MAX_SEQUENCE);
    let block = ReferenceBlock { first, last };
    tx.insert_reference_block(device_id, block, now)?;
    tracing::info!(device_id, first, last, "reference block issued");
    Ok(Some(block))
}

/// The block to put in a pull answer for a station that reported `held`: the one
/// not yet delivered, a new one when it runs low, or none.
pub fn for_pull(
    tx: &mut dyn HubTx,
    device_id: &str,
    held: ReferenceNumbers,
    config: &ReferenceConfig,
    now: OffsetDateTime,
) -> StoreResult<Option<ReferenceBlock>> {
    if let Some(latest) = tx.latest_reference_block(device_id)? {
        if latest.last > held.highest {
            return Ok(Some(latest));
        }
    }
    if held.left < u64::from(config.low_water) {
        return issue(tx, device_id, config, now);
    }
    Ok(None)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::write_with;
    use crate::testing::Fixture;

    fn pull(
        f: &Fixture,
        device: &str,
        left: u64,
        highest: u32,
        config: &ReferenceConfig,
    ) -> Option<ReferenceBlock> {
        write_with(&*f.store, |tx| {
            for_pull(
                tx,
                device,
                ReferenceNumbers { left, highest },
                config,
                OffsetDateTime::now_utc(),
            )
        })
        .unwrap()
    }

    /// What the fixture's enrolment issued to a device.
    fn enrolled_block(f: &Fixture, device: &str) -> ReferenceBlock {
        pull(f, device, 0, 0, &ReferenceConfig::default()).expect("issued at enrolment")
    }

    #[test]
    fn stations_get_disjoint_blocks_at_enrolment_and_after() {
        let f = Fixture::new();
        let config = ReferenceConfig::default();
        let mut blocks = vec![
            enrolled_block(&f, &f.dev_a1.id),
            enrolled_block(&f, &f.dev_a2.id),
            enrolled_block(&f, &f.dev_b.id),
        ];
        // Each uses up its block; the next ones are disjoint too.
        for d in [&f.dev_a1, &f.dev_a2, &f.dev_b] {
            let top = write_with(&*f.store, |tx| tx.latest_reference_block(&d.id))
                .unwrap()
                .unwrap()
                .last;
            blocks.push(pull(&f, &d.id, 0, top, &config).expect("a new block when empty"));
        }
        for (i, a) in blocks.iter().enumerate() {
            assert_eq!(a.len(), u64::from(config.block_size));
            for b in &blocks[i + 1..] {
                assert!(!a.overlaps(b), "{a:?} overlaps {b:?}");
            }
        }
    }

    #[test]
    fn a_replayed_pull_gets_the_same_block_not_a_second_one() {
        let f = Fixture::new();
        let config = ReferenceConfig::default();
        let first = enrolled_block(&f, &f.dev_a1.id);
        // The station held the first block and ran low: a new block is issued...
        let second = pull(&f, &f.dev_a1.id, 10, first.last, &config).unwrap();
        assert!(second.first > first.last);
        // ...and its answer was lost: the same pull again gets the same block.
        assert_eq!(
            pull(&f, &f.dev_a1.id, 10, first.last, &config),
            Some(second)
        );
        // Once the station holds it and has plenty, nothing more.
        let left = second.len() + 10;
        assert_eq!(pull(&f, &f.dev_a1.id, left, second.last, &config), None);
        assert_eq!(
            write_with(&*f.store, |tx| tx.highest_reference_issued()).unwrap(),
            second.last,
            "nothing else was issued"
        );
    }

    #[test]
    fn a_station_that_used_most_of_its_block_gets_a_new_one_on_its_next_pull() {
        let f = Fixture::new();
        let config = ReferenceConfig::default();
        let first = enrolled_block(&f, &f.dev_b.id);
        let low = u64::from(config.low_water);
        assert_eq!(pull(&f, &f.dev_b.id, low, first.last, &config), None);
        let next = pull(&f, &f.dev_b.id, low - 1, first.last, &config).expect("ran low");
        assert!(next.first > first.last);
    }

    #[test]
    fn blocks_stop_at_the_last_six_digit_number() {
        let f = Fixture::new();
        let config = ReferenceConfig {
            block_size: 1_000_000,
            low_water: 1,
        };
        let d = f.dev_a1.id.clone();
        let top = enrolled_block(&f, &d).last;
        let last = pull(&f, &d, 0, top, &config).unwrap();
        assert_eq!(last.last, MAX_SEQUENCE);
        assert_eq!(pull(&f, &d, 0, MAX_SEQUENCE, &config), None, "used up");
    }
}
