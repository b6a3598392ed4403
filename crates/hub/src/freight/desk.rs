//! The hub's freight desk: quotes from every configured carrier side by side, and
//! bookings made exactly once per box set (the ledger first, then the carrier searched
//! by reference through `Booker::book_once_as`), with the labels to print; cancelling
//! a booked label (audited, idempotent; the same boxes then book again under a new
//! reference); and polling booked shipments' tracking. Each outlet books with its own
//! carrier accounts where it has them, else the chain's.

use std::collections::HashMap;
use std::sync::Arc;

use tally_freight::{
    compare_carriers, Address, BookRequest, BookResponse, Booker, Booking, CancelRequest,
    CancelResponse, Carrier, FreightError, Label, LabelFormat, QuoteComparison, Shipment,
    ShipmentRequest, WireLabel,
};
use time::OffsetDateTime;
use uuid::Uuid;

use super::ledger::{FreightAudit, FreightLedger, LedgerEntry};
use super::FreightRefusal;
use crate::store::{read_with, write_with, DeviceRecord, Entity};
use crate::Hub;

/// A shipment with its outlets' names (for the report) and the destination's id.
struct Route {
    shipment: Shipment,
    origin_name: String,
    destination_name: String,
    destination_id: String,
}

/// Carriers, outlet addresses and the booking ledger.
pub struct FreightDesk {
    /// The chain's accounts.
    carriers: Vec<Arc<dyn Carrier>>,
    /// Outlets' own accounts, by outlet id: each replaces the chain's of its kind.
    outlet_carriers: HashMap<String, Vec<Arc<dyn Carrier>>>,
    /// One cancel at a time (a repeat waits, then finds it done).
    cancel_lock: tokio::sync::Mutex<()>,
    booker: Booker,
    /// Pickup and delivery address of each outlet, by outlet id.
    addresses: HashMap<String, Address>,
    ledger: FreightLedger,
    /// Attempts to fetch a label the carrier is still making.
    label_attempts: u32,
}

impl FreightDesk {
    /// A desk with these carriers (keys already loaded) and outlet addresses.
    pub fn new(
        carriers: Vec<Arc<dyn Carrier>>,
        addresses: HashMap<String, Address>,
        ledger: FreightLedger,
    ) -> Self {
        Self {
            carriers,
            outlet_carriers: HashMap::new(),
            cancel_lock: tokio::sync::Mutex::new(()),
            booker: Booker::new(),
            addresses,
            ledger,
            label_attempts: 10,
        }
    }

    /// Gives `outlet_id` its own carrier accounts (e.g. its own GoSweetSpot site): its
    /// quotes, bookings, cancels and tracking use them instead of the chain's.
    pub fn with_outlet_carriers(
        mut self,
        outlet_id: &str,
        carriers: Vec<Arc<dyn Carrier>>,
    ) -> Self {
        self.outlet_carriers.insert(outlet_id.to_owned(), carriers);
        self
    }

    /// The bookings made so far.
    pub fn ledger(&self) -> &FreightLedger {
        &self.ledger
    }

    /// The carriers an outlet books with: its own accounts, the chain's for the rest.
    pub fn carriers_for(&self, outlet_id: &str) -> Vec<Arc<dyn Carrier>> {
        let own = self
            .outlet_carriers
            .get(outlet_id)
            .map_or(&[][..], Vec::as_slice);
        let chain = self
            .carriers
            .iter()
            .filter(|c| own.iter().all(|o| o.kind() != c.kind()));
        own.iter().chain(chain).cloned().collect()
    }

    fn address(&self, outlet_id: &str) -> Result<Address, FreightRefusal> {
        self.addresses
            .get(outlet_id)
            .cloned()
            .ok_or_else(|| FreightRefusal::AddressMissing {
                outlet_id: outlet_id.to_owned(),
            })
    }

    /// The shipment a station's request describes: from the station's outlet to the
    /// consignment's destination (the hub's copy wins over the request's when known).
    async fn shipment(
        &self,
        hub: &Hub,
        device: &DeviceRecord,
        req: &ShipmentRequest,
    ) -> Result<Route, FreightRefusal> {
        if self.carriers_for(&device.outlet_id).is_empty() {
            return Err(FreightRefusal::NotConfigured);
        }
        let destination = check_sender(hub, device, &req.consignment_id)
            .await?
            .unwrap_or_else(|| req.destination_outlet_id.clone());
        let shipment = Shipment {
            consignment_ref: req.consignment_ref.clone(),
            origin: self.address(&device.outlet_id)?,
            destination: self.address(&destination)?,
            boxes: req.boxes.clone(),
            options: req.options,
        };
        let (origin_name, destination_name) =
            outlet_names(hub, &device.outlet_id, &destination).await?;
        Ok(Route {
            shipment,
            origin_name,
            destination_name,
            destination_id: destination,
        })
    }

    /// Quotes from every carrier, compared; a carrier that fails is listed, not fatal.
    pub async fn quote(
        &self,
        hub: &Hub,
        device: &DeviceRecord,
        req: &ShipmentRequest,
    ) -> Result<QuoteComparison, FreightRefusal> {
        let shipment = self.shipment(hub, device, req).await?.shipment;
        if shipment.boxes.is_empty() {
            return Err(FreightError::InvalidShipment {
                reason: "it has no boxes".into(),
            }
            .into());
        }
        let carriers = self.carriers_for(&device.outlet_id);
        let c = compare_carriers(&carriers, &shipment, req.required_level).await;
        tracing::info!(
            consignment = %req.consignment_ref,
            quotes = c.rows.len(),
            failures = c.failures.len(),
            "freight quoted"
        );
        Ok(c)
    }

    /// Books the chosen quote once per box set and returns tracking and labels. A
    /// retry (lost answer, second station, deferred booking) gets the same booking.
    pub async fn book(
        &self,
        hub: &Hub,
        device: &DeviceRecord,
        req: &BookRequest,
    ) -> Result<BookResponse, FreightRefusal> {
        let Route {
            shipment,
            origin_name: origin,
            destination_name: destination,
            destination_id,
        } = self.shipment(hub, device, &req.shipment).await?;
        // After a cancel the same boxes book again under a new reference, so neither the
        // ledger nor the carrier's search finds the cancelled booking.
        let base = shipment.box_set_reference();
        let reference = match self.ledger.cancelled_under(&base)? {
            0 => base,
            n => format!("{base}-R{n}"),
        };
        if let Some(existing) = self.ledger.find(&reference)? {
            tracing::info!(%reference, "freight already booked; returning the booking");
            let carrier = self.carrier_for(&existing.booking, &device.outlet_id)?;
            let labels = self
                .labels(carrier.as_ref(), &existing.booking, req.label_format)
                .await?;
            return Ok(BookResponse {
                booking: existing.booking,
                labels,
                already_booked: true,
            });
        }
        let carrier = self
            .carriers_for(&device.outlet_id)
            .into_iter()
            .find(|c| c.kind() == req.quote.carrier)
            .ok_or(FreightRefusal::NotConfigured)?;
        let booking = self
            .booker
            .book_once_as(carrier.as_ref(), &shipment, &req.quote, &reference)
            .await?;
        let entry = LedgerEntry {
            reference: reference.clone(),
            consignment_ref: req.shipment.consignment_ref.clone(),
            device_id: device.id.clone(),
            record: booking.record(
                &req.shipment.consignment_id,
                &origin,
                &destination,
                req.units,
            ),
            booking: booking.clone(),
            booked_at: OffsetDateTime::now_utc(),
            origin_outlet_id: Some(device.outlet_id.clone()),
            destination_outlet_id: Some(destination_id),
            tracking_state: "booked".to_owned(),
            carrier_status: None,
            tracking_changed_at: None,
            cancelled_at: None,
        };
        let carrier_key = serde_json::to_value(booking.carrier)
            .ok()
            .and_then(|v| v.as_str().map(str::to_owned))
            .unwrap_or_default();
        let inserted = self.ledger.record(&entry, &carrier_key)?;
        tracing::info!(
            %reference,
            carrier = %booking.carrier_name,
            booking_id = %booking.booking_id,
            found_existing = booking.found_existing,
            inserted,
            "freight booked"
        );
        let labels = self
            .labels(carrier.as_ref(), &booking, req.label_format)
            .await?;
        Ok(BookResponse {
            already_booked: booking.found_existing || !inserted,
            booking,
            labels,
        })
    }

    /// The carrier account a booking was made with: the sending outlet's.
    fn carrier_for(
        &self,
        booking: &Booking,
        origin_outlet_id: &str,
    ) -> Result<Arc<dyn Carrier>, FreightRefusal> {
        self.carriers_for(origin_outlet_id)
            .into_iter()
            .find(|c| c.kind() == booking.carrier)
            .ok_or(FreightRefusal::NotConfigured)
    }

    /// Cancels the consignment's booked label at the carrier (nothing is charged for it)
    /// and records who, when and why. A repeat of a done cancel is answered as done
    /// without asking the carrier again; a label already picked up is refused.
    pub async fn cancel(
        &self,
        hub: &Hub,
        device: &DeviceRecord,
        req: &CancelRequest,
    ) -> Result<CancelResponse, FreightRefusal> {
        let (reason, person) = (req.reason.trim(), req.requested_by.trim());
        if reason.is_empty() || person.is_empty() {
            return Err(FreightRefusal::CancelReasonMissing);
        }
        check_sender(hub, device, &req.consignment_id).await?;
        let _one_at_a_time = self.cancel_lock.lock().await;
        let entry = self
            .ledger
            .for_consignment(&req.consignment_id)?
            .into_iter()
            .rev()
            .find(|e| e.booking.booking_id == req.booking_id)
            .ok_or(FreightRefusal::NotBooked)?;
        if let Some(at) = entry.cancelled_at.filter(|_| entry.record.cancelled) {
            tracing::info!(reference = %entry.reference, "label already cancelled; nothing to do");
            return Ok(CancelResponse {
                booking_id: entry.booking.booking_id,
                already_cancelled: true,
                cancelled_at: rfc3339(at),
            });
        }
        let origin = entry
            .origin_outlet_id
            .clone()
            .unwrap_or_else(|| device.outlet_id.clone());
        let carrier = self.carrier_for(&entry.booking, &origin)?;
        carrier.cancel(&entry.booking).await?;
        let now = OffsetDateTime::now_utc();
        let json = |e: &LedgerEntry| serde_json::to_string(e).unwrap_or_default();
        let done = self
            .ledger
            .cancel(&entry.reference, now, |before, after| FreightAudit {
                at: now,
                action: "freight.cancelled".to_owned(),
                reference: before.reference.clone(),
                consignment_id: before.record.consignment_id.clone(),
                device_id: device.id.clone(),
                person: person.to_owned(),
                reason: reason.to_owned(),
                before: json(before),
                after: json(after),
            })?;
        tracing::info!(
            reference = %entry.reference,
            carrier = %entry.booking.carrier_name,
            booking_id = %entry.booking.booking_id,
            device_id = %device.id,
            "freight label cancelled"
        );
        let numbers = entry
            .booking
            .parcels
            .iter()
            .map(|p| p.tracking_number.clone())
            .collect();
        match strike_tracking(hub, &req.consignment_id, numbers, now).await {
            Ok(n) => tracing::info!(
                boxes = n,
                "cancelled label's tracking numbers taken off the boxes"
            ),
            // Pulls name the cancelled numbers anyway: stations clear them from there.
            Err(e) => {
                tracing::warn!(error = %e, "cancelled label's tracking numbers not taken off the hub's boxes")
            }
        }
        // The stored time (to the millisecond), so a repeat answers the same.
        let at = done.as_ref().and_then(|a| a.cancelled_at).unwrap_or(now);
        Ok(CancelResponse {
            booking_id: entry.booking.booking_id,
            already_cancelled: done.is_none(),
            cancelled_at: rfc3339(at),
        })
    }

    /// Asks the carriers where up to `batch` live bookings not asked about since
    /// `recheck` ago are, and stores the answers. Returns how many changed state.
    pub async fn poll_tracking(&self, recheck: std::time::Duration, batch: u32) -> usize {
        let now = OffsetDateTime::now_utc();
        let due = match self.ledger.due_for_tracking(now - recheck, batch) {
            Ok(d) => d,
            Err(e) => {
                tracing::warn!(code = e.code(), error = %e, "freight tracking not read");
                return 0;
            }
        };
        let mut changed = 0;
        for e in due {
            let origin = e.origin_outlet_id.clone().unwrap_or_default();
            let answer = match self.carrier_for(&e.booking, &origin) {
                Ok(c) => c.status(&e.booking).await.map_err(|e| e.to_string()),
                Err(r) => Err(r.to_string()),
            };
            let stored = match answer {
                Ok(s) => self
                    .ledger
                    .set_tracking(&e.reference, s.state.as_str(), &s.carrier_status, now)
                    .map(|c| {
                        if c {
                            tracing::info!(reference = %e.reference, state = s.state.as_str(), "freight tracking changed");
                            changed += 1;
                        }
                    }),
                Err(why) => {
                    tracing::warn!(reference = %e.reference, %why, "freight tracking not answered");
                    self.ledger.tracking_asked(&e.reference, now)
                }
            };
            if let Err(err) = stored {
                tracing::warn!(code = err.code(), error = %err, "freight tracking not stored");
            }
        }
        changed
    }

    /// PDF labels always (the record); the printer's format too when it differs and
    /// the carrier offers it.
    async fn labels(
        &self,
        carrier: &dyn Carrier,
        booking: &tally_freight::Booking,
        want: LabelFormat,
    ) -> Result<Vec<WireLabel>, FreightRefusal> {
        let mut out: Vec<Label> = self.label(carrier, booking, LabelFormat::Pdf).await?;
        if want != LabelFormat::Pdf {
            match self.label(carrier, booking, want).await {
                Ok(more) => out.extend(more),
                Err(FreightRefusal::Carrier(FreightError::LabelFormatNotOffered { .. })) => {}
                Err(e) => return Err(e),
            }
        }
        Ok(out.iter().map(WireLabel::from_label).collect())
    }

    async fn label(
        &self,
        carrier: &dyn Carrier,
        booking: &tally_freight::Booking,
        format: LabelFormat,
    ) -> Result<Vec<Label>, FreightRefusal> {
        let mut attempt = 0;
        loop {
            match carrier.label(booking, format).await {
                Err(FreightError::LabelNotReady { .. }) if attempt + 1 < self.label_attempts => {
                    attempt += 1;
                    tokio::time::sleep(std::time::Duration::from_millis(200)).await;
                }
                other => return other.map_err(FreightRefusal::from),
            }
        }
    }
}

/// RFC 3339 text of a time (empty if it cannot be formatted).
pub(super) fn rfc3339(t: OffsetDateTime) -> String {
    t.format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default()
}

/// Takes a cancelled label's tracking numbers off the hub's copy of the consignment's
/// boxes, as a change of the consignment (so pulls and snapshots carry the boxes
/// without them). Returns how many boxes changed.
async fn strike_tracking(
    hub: &Hub,
    consignment_id: &str,
    numbers: Vec<String>,
    now: OffsetDateTime,
) -> Result<usize, crate::HubError> {
    let Ok(id) = Uuid::parse_str(consignment_id) else {
        return Ok(0);
    };
    let store = hub.store();
    let struck = tokio::task::spawn_blocking(move || {
        write_with(&*store, |tx| {
            let Some(mut h) = tx.consignment(id)? else {
                return Ok(0);
            };
            let mut n = 0;
            for mut b in tx.boxes(id)? {
                if b.tracking_number
                    .as_ref()
                    .is_some_and(|t| numbers.contains(t))
                {
                    b.tracking_number = None;
                    tx.upsert_box(id, &b)?;
                    n += 1;
                }
            }
            if n > 0 {
                h.version += 1;
                h.updated_at = now;
                tx.update_consignment(&h)?;
                tx.record_change(Entity::Consignment, &id.to_string())?;
            }
            Ok(n)
        })
    })
    .await
    .map_err(|e| crate::HubError::Task(e.to_string()))??;
    Ok(struck)
}

/// Only the sending outlet books or cancels a consignment's freight. Returns the
/// consignment's destination outlet when the hub knows the consignment.
async fn check_sender(
    hub: &Hub,
    device: &DeviceRecord,
    consignment_id: &str,
) -> Result<Option<String>, FreightRefusal> {
    let Ok(id) = Uuid::parse_str(consignment_id) else {
        return Ok(None);
    };
    let Some(c) = hub.consignment(id).await? else {
        return Ok(None);
    };
    if c.source_outlet_id.as_deref() != Some(device.outlet_id.as_str()) {
        return Err(FreightRefusal::NotTheSender);
    }
    Ok(c.destination_outlet_id)
}

/// Names of the two outlets, for the report's routes (the id when unknown).
async fn outlet_names(
    hub: &Hub,
    origin: &str,
    destination: &str,
) -> Result<(String, String), FreightRefusal> {
    let store = hub.store();
    let (o, d) = (origin.to_owned(), destination.to_owned());
    let names = tokio::task::spawn_blocking(move || {
        read_with(&*store, |tx| {
            let name = |tx: &mut dyn crate::store::HubTx, id: &str| {
                Ok::<_, crate::HubError>(tx.outlet(id)?.map_or_else(|| id.to_owned(), |r| r.name))
            };
            Ok((name(tx, &o)?, name(tx, &d)?))
        })
    })
    .await
    .map_err(|e| crate::HubError::Task(e.to_string()))??;
    Ok(names)
}
