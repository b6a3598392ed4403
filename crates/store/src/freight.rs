//! Freight bookings of this station's consignments (migration V2): a booking asked
//! for while the hub was out of reach waits here until the sync loop books it; a
//! booking made records the carrier, price and tracking numbers, and puts each box's
//! tracking number on the box in the same action (those sync to the receiving outlet).
//! The request itself is opaque JSON: the store records, `tally-app` decides.
//! A booked label may be cancelled (migration V5): the cancel waits here until the hub
//! has done it, then the booking is removed so the boxes can be booked again; the
//! hub's polled tracking state of each consignment's latest booking is kept for lists.

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

/// A cancel of a booked label: waiting for the hub, or done.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FreightCancellation {
    pub id: Uuid,
    pub consignment_id: Uuid,
    pub booking_id: String,
    pub carrier_name: Option<String>,
    /// `waiting` or `done`.
    pub state: String,
    pub reason: String,
    /// The signed-in person who asked.
    pub requested_by: Uuid,
    #[serde(with = "time::serde::rfc3339")]
    pub requested_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339::option")]
    pub done_at: Option<OffsetDateTime>,
    pub attempts: u32,
    pub last_error: Option<String>,
}

const CANCEL_COLUMNS: &str = "id, consignment_id, booking_id, carrier_name, state, reason,
     requested_by, requested_at, done_at, attempts, last_error";

fn cancel_row(r: &rusqlite::Row<'_>) -> Result<FreightCancellation> {
    Ok(FreightCancellation {
        id: r.uuid("id")?,
        consignment_id: r.uuid("consignment_id")?,
        booking_id: r.text("booking_id")?,
        carrier_name: r.opt_text("carrier_name")?,
        state: r.text("state")?,
        reason: r.text("reason")?,
        requested_by: r.uuid("requested_by")?,
        requested_at: r.time("requested_at")?,
        done_at: r.opt_time("done_at")?,
        attempts: u32::try_from(r.int("attempts")?).unwrap_or(0),
        last_error: r.opt_text("last_error")?,
    })
}

fn cancels(
    c: &rusqlite::Connection,
    filter: &str,
    args: impl rusqlite::Params,
) -> Result<Vec<FreightCancellation>> {
    let mut stmt = c.prepare(&format!(
        "SELECT {CANCEL_COLUMNS} FROM freight_cancellations {filter} ORDER BY requested_at, id"
    ))?;
    let rows = stmt.query_map(args, |r| Ok(cancel_row(r)))?;
    let mut out = Vec::new();
    for r in rows {
        out.push(r??);
    }
    Ok(out)
}

/// Where a consignment's latest carrier booking is, as the hub last said.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FreightTrackingState {
    pub consignment_id: Uuid,
    pub booking_id: String,
    pub carrier_name: String,
    /// `booked`, `in_transit`, `delivered`, `cancelled` or `other`.
    pub state: String,
    pub carrier_status: Option<String>,
    /// When it last changed (RFC 3339, the hub's clock).
    pub changed_at: Option<String>,
    /// Tracking numbers of the consignment's cancelled labels, as a pull brings them:
    /// [`Store::set_freight_tracking`] takes them off the boxes (not kept here).
    #[serde(default)]
    pub cancelled_tracking_numbers: Vec<String>,
}

/// Takes cancelled labels' tracking numbers off a consignment's boxes (a display fix
/// at this station only: the hub strikes them too, with every pull).
fn clear_box_tracking(
    c: &rusqlite::Connection,
    consignment_id: Uuid,
    numbers: &[String],
    now_ms: i64,
) -> Result<usize> {
    let mut cleared = 0;
    for n in numbers {
        cleared += c.execute(
            "UPDATE boxes SET tracking_number = NULL, updated_at = ?3
             WHERE consignment_id = ?1 AND tracking_number = ?2",
            params![consignment_id.to_string(), n, now_ms],
        )?;
    }
    Ok(cleared)
}

impl Store {
    /// Asks for a booked label to be cancelled (the app sends it to the hub now or when
    /// it is back). Refused when nothing is booked or a cancel already waits.
    pub fn freight_cancel_requested(
        &self,
        actor: &Actor,
        consignment_id: Uuid,
        reason: &str,
    ) -> Result<FreightCancellation> {
        self.transact_local(actor, |t| {
            load(t.conn(), consignment_id)?;
            let booked = find(t.conn(), consignment_id)?
                .filter(|b| b.state == FreightState::Booked)
                .ok_or_else(|| {
                    StoreError::bad_input("freight", "no booked label to cancel for this consignment")
                })?;
            let booking_id = booked
                .booking_id
                .clone()
                .ok_or_else(|| StoreError::bad_input("freight", "the booking has no carrier id"))?;
            let id = consignment_id.to_string();
            if !cancels(t.conn(), "WHERE consignment_id = ?1 AND state = 'waiting'", [&id])?
                .is_empty()
            {
                return Err(StoreError::bad_input(
                    "freight",
                    "a cancel of this label is already waiting for the hub",
                ));
            }
            let who = t.staff_id()?;
            let cancel_id = Uuid::now_v7();
            t.conn().execute(
                "INSERT INTO freight_cancellations (id, consignment_id, booking_id, carrier_name, state, reason, requested_by, requested_at)
                 VALUES (?1, ?2, ?3, ?4, 'waiting', ?5, ?6, ?7)",
                params![
                    cancel_id.to_string(),
                    id,
                    booking_id,
                    booked.carrier_name,
                    reason,
                    who.to_string(),
                    ms(t.now()),
                ],
            )?;
            let after = cancels(t.conn(), "WHERE id = ?1", [cancel_id.to_string()])?
                .pop()
                .ok_or_else(|| StoreError::decode("freight cancel vanished"))?;
            t.audit(
                "freight.cancel_requested",
                "consignment",
                &id,
                Some(&booked),
                Some(&after),
                None,
            )?;
            Ok(after)
        })
    }

    /// The hub cancelled the label: the booking is removed (the consignment can be
    /// quoted and booked again) and the cancel is done, as one audited action.
    pub fn freight_cancelled(&self, actor: &Actor, cancel_id: Uuid) -> Result<FreightCancellation> {
        self.transact_local(actor, |t| {
            let c = cancels(t.conn(), "WHERE id = ?1", [cancel_id.to_string()])?
                .pop()
                .ok_or_else(|| StoreError::bad_input("freight", "no such cancel"))?;
            let before = find(t.conn(), c.consignment_id)?;
            if let Some(b) = before.as_ref().filter(|b| b.booking_id.as_deref() == Some(c.booking_id.as_str())) {
                clear_box_tracking(t.conn(), c.consignment_id, &b.tracking_numbers, ms(t.now()))?;
            }
            t.conn().execute(
                "DELETE FROM freight_bookings WHERE consignment_id = ?1 AND booking_id = ?2",
                params![c.consignment_id.to_string(), c.booking_id],
            )?;
            t.conn().execute(
                "UPDATE freight_cancellations SET state = 'done', done_at = ?2, attempts = attempts + 1, last_error = NULL
                 WHERE id = ?1",
                params![cancel_id.to_string(), ms(t.now())],
            )?;
            let after = cancels(t.conn(), "WHERE id = ?1", [cancel_id.to_string()])?
                .pop()
                .ok_or_else(|| StoreError::decode("freight cancel vanished"))?;
            t.audit(
                "freight.cancelled",
                "consignment",
                &c.consignment_id.to_string(),
                before.as_ref(),
                Some(&after),
                None,
            )?;
            Ok(after)
        })
    }

    /// The hub refused a cancel for good (e.g. the parcel was picked up): the cancel is
    /// dropped, the booking stays, and the refusal is audited.
    pub fn freight_cancel_refused(&self, actor: &Actor, cancel_id: Uuid, why: &str) -> Result<()> {
        self.transact_local(actor, |t| {
            let c = cancels(t.conn(), "WHERE id = ?1", [cancel_id.to_string()])?
                .pop()
                .ok_or_else(|| StoreError::bad_input("freight", "no such cancel"))?;
            t.conn().execute(
                "DELETE FROM freight_cancellations WHERE id = ?1",
                [cancel_id.to_string()],
            )?;
            t.audit(
                "freight.cancel_refused",
                "consignment",
                &c.consignment_id.to_string(),
                Some(&c),
                Some(&serde_json::json!({ "refused": why })),
                None,
            )?;
            Ok(())
        })
    }

    /// Notes a failed attempt at a waiting cancel (it stays waiting).
    pub fn freight_cancel_attempt_failed(&self, cancel_id: Uuid, error: &str) -> Result<()> {
        self.write_local(|tx| {
            tx.execute(
                "UPDATE freight_cancellations SET attempts = attempts + 1, last_error = ?2
                 WHERE id = ?1 AND state = 'waiting'",
                params![cancel_id.to_string(), error],
            )?;
            Ok(())
        })
    }

    /// Cancels waiting for the hub, oldest first.
    pub fn freight_cancels_waiting(&self) -> Result<Vec<FreightCancellation>> {
        self.read(|c| cancels(c, "WHERE state = 'waiting'", []))
    }

    /// A consignment's cancels, oldest first.
    pub fn freight_cancellations(&self, consignment_id: Uuid) -> Result<Vec<FreightCancellation>> {
        self.read(|c| cancels(c, "WHERE consignment_id = ?1", [consignment_id.to_string()]))
    }

    /// Stores the tracking the hub sent with a pull (display only).
    pub fn set_freight_tracking(&self, rows: &[FreightTrackingState]) -> Result<()> {
        if rows.is_empty() {
            return Ok(());
        }
        let at = ms(crate::sql::now());
        self.write_local(|tx| {
            for r in rows {
                if !matches!(
                    r.state.as_str(),
                    "booked" | "in_transit" | "delivered" | "cancelled" | "other"
                ) {
                    continue;
                }
                tx.execute(
                    "INSERT INTO consignment_freight (consignment_id, booking_id, carrier_name, state, carrier_status, changed_at, updated_at)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
                     ON CONFLICT (consignment_id) DO UPDATE SET booking_id = excluded.booking_id,
                         carrier_name = excluded.carrier_name, state = excluded.state,
                         carrier_status = excluded.carrier_status, changed_at = excluded.changed_at,
                         updated_at = excluded.updated_at",
                    params![
                        r.consignment_id.to_string(),
                        r.booking_id,
                        r.carrier_name,
                        r.state,
                        r.carrier_status,
                        r.changed_at,
                        at
                    ],
                )?;
                clear_box_tracking(tx, r.consignment_id, &r.cancelled_tracking_numbers, at)?;
            }
            Ok(())
        })
    }

    /// Where a consignment's freight is, if the hub has said.
    pub fn freight_tracking(&self, consignment_id: Uuid) -> Result<Option<FreightTrackingState>> {
        self.read(|c| {
            let mut stmt = c.prepare_cached(
                "SELECT consignment_id, booking_id, carrier_name, state, carrier_status, changed_at
                 FROM consignment_freight WHERE consignment_id = ?1",
            )?;
            let found = stmt
                .query_row([consignment_id.to_string()], |r| {
                    Ok(FreightTrackingState {
                        consignment_id,
                        booking_id: r.get(1)?,
                        carrier_name: r.get(2)?,
                        state: r.get(3)?,
                        carrier_status: r.get(4)?,
                        changed_at: r.get(5)?,
                        cancelled_tracking_numbers: Vec::new(),
                    })
                })
                .optional()?;
            Ok(found)
        })
    }
}
