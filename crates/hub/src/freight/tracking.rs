//! Tracking after booking: a poller asks the carriers where each live booking is
//! (every `tracking_interval_secs`, at most `tracking_batch` bookings a pass, each
//! again only after `tracking_recheck_secs`; delivered and cancelled ones are never
//! asked again) and the ledger keeps the answer; pulls carry it to the sending and
//! the receiving outlet's stations.

use std::sync::{Arc, Weak};
use std::time::Duration;

use tally_sync::FreightTracking;
use time::OffsetDateTime;
use uuid::Uuid;

use super::{FreightConfig, FreightDesk};
use crate::store::StoreResult;

/// Starts the poller for `desk` when inside a Tokio runtime and the interval is not 0.
/// It holds the desk weakly: it stops when the hub is dropped.
pub fn spawn(desk: &Arc<FreightDesk>, cfg: &FreightConfig) {
    if cfg.tracking_interval_secs == 0 {
        return;
    }
    let Ok(rt) = tokio::runtime::Handle::try_current() else {
        return;
    };
    let weak: Weak<FreightDesk> = Arc::downgrade(desk);
    let interval = Duration::from_secs(cfg.tracking_interval_secs);
    let recheck = Duration::from_secs(cfg.tracking_recheck_secs);
    let batch = cfg.tracking_batch.max(1);
    rt.spawn(async move {
        loop {
            tokio::time::sleep(interval).await;
            let Some(desk) = weak.upgrade() else {
                return;
            };
            desk.poll_tracking(recheck, batch).await;
        }
    });
}

/// The latest booking of each consignment the outlet sends or receives, booked in the
/// last `keep_days` days or still on its way.
pub fn for_outlet(
    desk: &FreightDesk,
    outlet_id: &str,
    keep_days: u32,
) -> StoreResult<Vec<FreightTracking>> {
    let since = OffsetDateTime::now_utc() - time::Duration::days(i64::from(keep_days));
    Ok(desk
        .ledger()
        .latest_for_outlet(outlet_id, since)?
        .into_iter()
        .filter_map(|(e, cancelled)| {
            Some(FreightTracking {
                consignment_id: Uuid::parse_str(&e.record.consignment_id).ok()?,
                booking_id: e.booking.booking_id,
                carrier_name: e.booking.carrier_name,
                state: e.tracking_state,
                carrier_status: e.carrier_status,
                changed_at: e.tracking_changed_at.map(super::desk::rfc3339),
                cancelled_tracking_numbers: cancelled,
            })
        })
        .collect())
}
