//! The hub's freight desk: quotes from every configured carrier side by side, and
//! bookings made exactly once per box set (the ledger first, then the carrier searched
//! by reference through `Booker::book_once`), with the labels to print.

use std::collections::HashMap;
use std::sync::Arc;

use tally_freight::{
    compare_carriers, Address, BookRequest, BookResponse, Booker, Carrier, FreightError, Label,
    LabelFormat, QuoteComparison, Shipment, ShipmentRequest, WireLabel,
};
use time::OffsetDateTime;
use uuid::Uuid;

use super::ledger::{FreightLedger, LedgerEntry};
use super::FreightRefusal;
use crate::store::{read_with, DeviceRecord};
use crate::Hub;

/// Carriers, outlet addresses and the booking ledger.
pub struct FreightDesk {
    carriers: Vec<Arc<dyn Carrier>>,
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
            booker: Booker::new(),
            addresses,
            ledger,
            label_attempts: 10,
        }
    }

    /// The bookings made so far.
    pub fn ledger(&self) -> &FreightLedger {
        &self.ledger
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
    ) -> Result<(Shipment, String, String), FreightRefusal> {
        if self.carriers.is_empty() {
            return Err(FreightRefusal::NotConfigured);
        }
        let mut destination = req.destination_outlet_id.clone();
        if let Ok(id) = Uuid::parse_str(&req.consignment_id) {
            if let Some(c) = hub.consignment(id).await? {
                if c.source_outlet_id.as_deref() != Some(device.outlet_id.as_str()) {
                    return Err(FreightRefusal::NotTheSender);
                }
                if let Some(d) = c.destination_outlet_id {
                    destination = d;
                }
            }
        }
        let shipment = Shipment {
            consignment_ref: req.consignment_ref.clone(),
            origin: self.address(&device.outlet_id)?,
            destination: self.address(&destination)?,
            boxes: req.boxes.clone(),
            options: req.options,
        };
        let names = outlet_names(hub, &device.outlet_id, &destination).await?;
        Ok((shipment, names.0, names.1))
    }

    /// Quotes from every carrier, compared; a carrier that fails is listed, not fatal.
    pub async fn quote(
        &self,
        hub: &Hub,
        device: &DeviceRecord,
        req: &ShipmentRequest,
    ) -> Result<QuoteComparison, FreightRefusal> {
        let (shipment, ..) = self.shipment(hub, device, req).await?;
        if shipment.boxes.is_empty() {
            return Err(FreightError::InvalidShipment {
                reason: "it has no boxes".into(),
            }
            .into());
        }
        let c = compare_carriers(&self.carriers, &shipment, req.required_level).await;
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
        let (shipment, origin, destination) = self.shipment(hub, device, &req.shipment).await?;
        let reference = shipment.box_set_reference();
        if let Some(existing) = self.ledger.find(&reference)? {
            tracing::info!(%reference, "freight already booked; returning the booking");
            let carrier = self.carrier_for(&existing.booking)?;
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
            .carriers
            .iter()
            .find(|c| c.kind() == req.quote.carrier)
            .cloned()
            .ok_or(FreightRefusal::NotConfigured)?;
        let booking = self
            .booker
            .book_once(carrier.as_ref(), &shipment, &req.quote)
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

    fn carrier_for(
        &self,
        booking: &tally_freight::Booking,
    ) -> Result<Arc<dyn Carrier>, FreightRefusal> {
        self.carriers
            .iter()
            .find(|c| c.kind() == booking.carrier)
            .cloned()
            .ok_or(FreightRefusal::NotConfigured)
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
