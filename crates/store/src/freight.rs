//! Freight bookings of this station's consignments (migration V2): a booking asked
//! for while the hub was out of reach waits here until the sync loop books it; a
//! booking made records the carrier, price and tracking numbers, and puts each box's
//! tracking number on the box in the same action (those sync to the receiving outlet).
//! The request itself is opaque JSON: the store records, `tally-app` decides.

use rusqlite::{params, OptionalExtension};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use uuid::Uuid;

use crate::audit::Actor;
use crate::consignment::load;
use crate::error::{Result, StoreError};
use crate::parcel::BoxChange;
use crate::sql::{ms, RowExt};
use crate::store::{Store, Tx};

/// Where a consignment's freight booking is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FreightState {
    /// Asked for offline; booked when the hub is reachable.
    Waiting,
    /// Booked with the carrier.
    Booked,
}

impl FreightState {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Waiting => "waiting",
            Self::Booked => "booked",
        }
    }

    fn parse(s: &str) -> Option<Self> {
        match s {
            "waiting" => Some(Self::Waiting),
            "booked" => Some(Self::Booked),
            _ => None,
        }
    }
}

/// A consignment's freight booking.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FreightBooking {
    pub consignment_id: Uuid,
    pub state: FreightState,
    /// The booking request (JSON) as the app built it.
    pub request: String,
    pub carrier_name: Option<String>,
    pub service: Option<String>,
    pub price_excl_gst: Option<Decimal>,
    pub tracking_numbers: Vec<String>,
    pub booking_id: Option<String>,
    /// Who asked for it (the deferred booking acts for them).
    pub requested_by: Option<Uuid>,
    #[serde(with = "time::serde::rfc3339")]
    pub requested_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339::option")]
    pub booked_at: Option<OffsetDateTime>,
    pub attempts: u32,
    pub last_error: Option<String>,
}

/// What the carrier booked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FreightBooked {
    pub carrier_name: String,
    pub service: String,
    pub price_excl_gst: Option<Decimal>,
    pub booking_id: String,
    /// Tracking number of each box, by box id.
    pub box_tracking: Vec<(Uuid, String)>,
}

const COLUMNS: &str = "consignment_id, state, request, carrier_name, service, price_excl_gst,
     tracking_numbers, booking_id, requested_by, requested_at, booked_at, attempts, last_error";

fn row(r: &rusqlite::Row<'_>) -> Result<FreightBooking> {
    let tracking: Vec<String> = match r.opt_text("tracking_numbers")? {
        Some(t) => serde_json::from_str(&t)
            .map_err(|e| StoreError::decode(format!("tracking_numbers: {e}")))?,
        None => Vec::new(),
    };
    Ok(FreightBooking {
        consignment_id: r.uuid("consignment_id")?,
        state: r.enumeration("state", FreightState::parse)?,
        request: r.text("request")?,
        carrier_name: r.opt_text("carrier_name")?,
        service: r.opt_text("service")?,
        price_excl_gst: r.opt_decimal("price_excl_gst")?,
        tracking_numbers: tracking,
        booking_id: r.opt_text("booking_id")?,
        requested_by: r.opt_uuid("requested_by")?,
        requested_at: r.time("requested_at")?,
        booked_at: r.opt_time("booked_at")?,
        attempts: u32::try_from(r.int("attempts")?).unwrap_or(0),
        last_error: r.opt_text("last_error")?,
    })
}

fn find(c: &rusqlite::Connection, consignment_id: Uuid) -> Result<Option<FreightBooking>> {
    let mut stmt = c.prepare(&format!(
        "SELECT {COLUMNS} FROM freight_bookings WHERE consignment_id = ?1"
    ))?;
    let found = stmt
        .query_row([consignment_id.to_string()], |r| Ok(row(r)))
        .optional()?;
    found.transpose()
}

impl Tx<'_> {
    /// Records the tracking numbers of a booking on its boxes and the consignment.
    pub fn freight_booked(
        &mut self,
        consignment_id: Uuid,
        request: &str,
        booked: &FreightBooked,
    ) -> Result<FreightBooking> {
        load(self.conn(), consignment_id)?;
        let before = find(self.conn(), consignment_id)?;
        for (box_id, tracking) in &booked.box_tracking {
            self.update_box(
                *box_id,
                BoxChange::Tracking {
                    tracking_number: tracking.clone(),
                },
            )?;
        }
        let numbers: Vec<&String> = booked.box_tracking.iter().map(|(_, t)| t).collect();
        let tracking = serde_json::to_string(&numbers)
            .map_err(|e| StoreError::decode(format!("tracking_numbers: {e}")))?;
        let now = ms(self.now());
        self.conn().execute(
            "INSERT INTO freight_bookings (consignment_id, state, request, carrier_name, service,
                 price_excl_gst, tracking_numbers, booking_id, requested_by, requested_at, booked_at, attempts)
             VALUES (?1, 'booked', ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?9, 1)
             ON CONFLICT(consignment_id) DO UPDATE SET state = 'booked', request = excluded.request,
                 carrier_name = excluded.carrier_name, service = excluded.service,
                 price_excl_gst = excluded.price_excl_gst, tracking_numbers = excluded.tracking_numbers,
                 booking_id = excluded.booking_id, booked_at = excluded.booked_at,
                 attempts = freight_bookings.attempts + 1, last_error = NULL",
            params![
                consignment_id.to_string(),
                request,
                booked.carrier_name,
                booked.service,
                booked.price_excl_gst.map(|d| d.to_string()),
                tracking,
                booked.booking_id,
                self.staff_id().ok().map(|s| s.to_string()),
                now,
            ],
        )?;
        let after = find(self.conn(), consignment_id)?
            .ok_or_else(|| StoreError::decode("freight booking vanished"))?;
        self.audit(
            "freight.booked",
            "consignment",
            &consignment_id.to_string(),
            before.as_ref(),
            Some(&after),
            None,
        )?;
        Ok(after)
    }
}

impl Store {
    /// Books-when-back-online: records the request to be sent when the hub is reachable.
    /// A consignment already booked is refused.
    pub fn freight_defer(
        &self,
        actor: &Actor,
        consignment_id: Uuid,
        request: &str,
        reason: &str,
    ) -> Result<FreightBooking> {
        self.transact_local(actor, |t| {
            load(t.conn(), consignment_id)?;
            if let Some(b) = find(t.conn(), consignment_id)? {
                if b.state == FreightState::Booked {
                    return Err(StoreError::bad_input(
                        "freight",
                        "freight for this consignment is already booked",
                    ));
                }
            }
            t.conn().execute(
                "INSERT INTO freight_bookings (consignment_id, state, request, requested_by, requested_at, last_error)
                 VALUES (?1, 'waiting', ?2, ?3, ?4, ?5)
                 ON CONFLICT(consignment_id) DO UPDATE SET request = excluded.request,
                     requested_by = excluded.requested_by, last_error = excluded.last_error",
                params![
                    consignment_id.to_string(),
                    request,
                    t.staff_id().ok().map(|s| s.to_string()),
                    ms(t.now()),
                    reason,
                ],
            )?;
            let after = find(t.conn(), consignment_id)?
                .ok_or_else(|| StoreError::decode("freight booking vanished"))?;
            t.audit(
                "freight.book_deferred",
                "consignment",
                &consignment_id.to_string(),
                None::<&()>,
                Some(&after),
                None,
            )?;
            Ok(after)
        })
    }

    /// Records the booking (tracking on boxes and consignment) as one action.
    pub fn freight_booked(
        &self,
        actor: &Actor,
        consignment_id: Uuid,
        request: &str,
        booked: &FreightBooked,
    ) -> Result<FreightBooking> {
        if booked.box_tracking.is_empty() {
            // No box mutation would be queued: keep the record local.
            return self
                .transact_local(actor, |t| t.freight_booked(consignment_id, request, booked));
        }
        self.transact(actor, |t| t.freight_booked(consignment_id, request, booked))
    }

    /// Notes a failed attempt at a waiting booking (it stays waiting).
    pub fn freight_attempt_failed(&self, consignment_id: Uuid, error: &str) -> Result<()> {
        self.write_local(|tx| {
            tx.execute(
                "UPDATE freight_bookings SET attempts = attempts + 1, last_error = ?2
                 WHERE consignment_id = ?1 AND state = 'waiting'",
                params![consignment_id.to_string(), error],
            )?;
            Ok(())
        })
    }

    /// A consignment's freight booking, if one was asked for.
    pub fn freight_booking(&self, consignment_id: Uuid) -> Result<Option<FreightBooking>> {
        self.read(|c| find(c, consignment_id))
    }

    /// Bookings waiting for the hub, oldest first.
    pub fn freight_waiting(&self) -> Result<Vec<FreightBooking>> {
        self.read(|c| {
            let mut stmt = c.prepare(&format!(
                "SELECT {COLUMNS} FROM freight_bookings WHERE state = 'waiting' ORDER BY requested_at"
            ))?;
            let rows = stmt.query_map([], |r| Ok(row(r)))?;
            let mut out = Vec::new();
            for r in rows {
                out.push(r??);
            }
            Ok(out)
        })
    }
}
