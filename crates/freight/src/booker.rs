//! Exactly one booking per box set, even when two stations press Book at once or a
//! response is lost: bookings are serialised per reference, and the carrier is
//! searched by reference before every booking and after every unclear failure.
//!
//! The lock is in-process: the hub is the only booker (FREIGHT.md), so one lock
//! map there covers every station.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use crate::booking::Booking;
use crate::carrier::Carrier;
use crate::error::FreightError;
use crate::quote::Quote;
use crate::shipment::Shipment;

/// Books through a carrier at most once per box-set reference.
#[derive(Debug)]
pub struct Booker {
    locks: Mutex<HashMap<String, Arc<tokio::sync::Mutex<()>>>>,
    /// Searches after an unclear failure (the carrier may index the booking late).
    pub recheck_attempts: u32,
    pub recheck_delay: Duration,
}

impl Default for Booker {
    fn default() -> Self {
        Self {
            locks: Mutex::new(HashMap::new()),
            recheck_attempts: 3,
            recheck_delay: Duration::from_millis(300),
        }
    }
}

impl Booker {
    /// A booker with the default recheck policy (3 searches, 300 ms apart).
    pub fn new() -> Self {
        Self::default()
    }

    fn lock_for(&self, reference: &str) -> Arc<tokio::sync::Mutex<()>> {
        // A poisoned map only means another booking panicked; the map itself is fine.
        let mut map = self.locks.lock().unwrap_or_else(|p| p.into_inner());
        map.entry(reference.to_owned()).or_default().clone()
    }

    fn release(&self, reference: &str, lock: Arc<tokio::sync::Mutex<()>>) {
        let mut map = self.locks.lock().unwrap_or_else(|p| p.into_inner());
        // Ours plus the map's: nobody else waits, so the entry can go.
        if Arc::strong_count(&lock) == 2 {
            map.remove(reference);
        }
    }

    /// Books `quote` for the shipment's box set, or returns the booking already made
    /// for it. A failure whose outcome is unknown is followed by searches; if none
    /// finds the booking the error is returned and a later call searches again first.
    pub async fn book_once(
        &self,
        carrier: &dyn Carrier,
        shipment: &Shipment,
        quote: &Quote,
    ) -> Result<Booking, FreightError> {
        self.book_once_as(carrier, shipment, quote, &shipment.box_set_reference())
            .await
    }

    /// [`Booker::book_once`] under a given reference (the hub books a box set again
    /// after a cancel under a new one, so the cancelled booking is never found).
    pub async fn book_once_as(
        &self,
        carrier: &dyn Carrier,
        shipment: &Shipment,
        quote: &Quote,
        reference: &str,
    ) -> Result<Booking, FreightError> {
        shipment.check_bookable()?;
        let reference = reference.to_owned();
        let lock = self.lock_for(&reference);
        let result = {
            let _held = lock.lock().await;
            self.book_locked(carrier, shipment, quote, &reference).await
        };
        self.release(&reference, lock);
        result
    }

    async fn book_locked(
        &self,
        carrier: &dyn Carrier,
        shipment: &Shipment,
        quote: &Quote,
        reference: &str,
    ) -> Result<Booking, FreightError> {
        if let Some(existing) = carrier.find_booking(shipment, reference).await? {
            return Ok(with_quote_details(existing, quote));
        }
        let err = match carrier.book(shipment, quote, reference).await {
            Ok(b) => return Ok(b),
            Err(e) if e.outcome_unknown() => e,
            Err(e) => return Err(e),
        };
        tracing::warn!(carrier = %carrier.kind(), reference, code = err.code(), "booking outcome unknown; searching by reference");
        for attempt in 0..self.recheck_attempts {
            if attempt > 0 {
                tokio::time::sleep(self.recheck_delay).await;
            }
            match carrier.find_booking(shipment, reference).await {
                Ok(Some(b)) => return Ok(with_quote_details(b, quote)),
                Ok(None) => {}
                Err(e) if e.is_retryable() => {}
                Err(e) => return Err(e),
            }
        }
        Err(err)
    }
}

/// A booking found by reference does not say what it cost; it was booked for this
/// box set, so the quote being booked supplies price and service where missing.
fn with_quote_details(mut b: Booking, quote: &Quote) -> Booking {
    if b.price_excl_gst.is_none() && b.carrier == quote.carrier {
        b.price_excl_gst = Some(quote.price_excl_gst);
    }
    if b.service_code.is_empty() && b.carrier == quote.carrier {
        b.service_code = quote.service_code.clone();
    }
    b
}
