//! A supplier return's own data: the supplier's return authorisation number, why each
//! product goes back, and the credit notes received. Each change is one action (row +
//! outbox mutation + audit entry on the consignment); the hub's view comes back with
//! pulls. Also the hub's history of a consignment, pulled for the timeline.
//!
//! The domain checks reasons, numbers and credits before they reach the store.

use rusqlite::{params, Connection};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use tally_domain::ReturnReason;
use time::{Date, OffsetDateTime};
use uuid::Uuid;

use crate::consignment::load;
use crate::error::{Result, StoreError};
use crate::sql::{ms, now, RowExt};
use crate::store::{Store, Tx};

// Dates as `YYYY-MM-DD` in payloads and audit entries.
time::serde::format_description!(iso_date, Date, "[year]-[month]-[day]");

/// Outbox kind and audit action: the authorisation number was set.
pub const AUTHORISATION_SET: &str = "supplier_return.authorisation_set";
/// Outbox kind and audit action: a line's reason was set.
pub const REASON_SET: &str = "supplier_return.reason_set";
/// Outbox kind and audit action: a supplier credit was recorded.
pub const CREDIT_RECORDED: &str = "supplier_return.credit_recorded";

/// The authorisation number of a return (payload and audit shape).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReturnAuthorisation {
    /// The return.
    pub consignment_id: Uuid,
    /// The supplier's number, if any.
    pub number: Option<String>,
}

/// Why one product goes back.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReturnLineReason {
    /// The return.
    pub consignment_id: Uuid,
    /// The product.
    pub product_id: Uuid,
    /// Why.
    pub reason: ReturnReason,
    /// Note.
    pub note: Option<String>,
}

/// A credit note from the supplier against a return.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SupplierCredit {
    /// UUIDv7.
    pub id: Uuid,
    /// The return.
    pub consignment_id: Uuid,
    /// Amount credited, excl. GST.
    pub amount: Decimal,
    /// The supplier's credit note number.
    pub credit_note_number: String,
    /// Date on the credit note.
    #[serde(with = "iso_date")]
    pub credited_on: Date,
    /// Who recorded it.
    pub recorded_by: Uuid,
    /// When.
    #[serde(with = "time::serde::rfc3339")]
    pub recorded_at: OffsetDateTime,
}

/// A credit to record (the signed-in person records it now).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewSupplierCredit {
    /// The return.
    pub consignment_id: Uuid,
    /// Amount, excl. GST (checked by the domain).
    pub amount: Decimal,
    /// The supplier's credit note number.
    pub credit_note_number: String,
    /// Date on the credit note.
    pub credited_on: Date,
}

/// Everything a return carries beyond its lines, as the station has it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReturnDetails {
    /// The return.
    pub consignment_id: Uuid,
    /// The supplier's authorisation number.
    pub authorisation_number: Option<String>,
    /// Reasons by product.
    pub reasons: Vec<ReturnLineReason>,
    /// Credits, oldest first.
    pub credits: Vec<SupplierCredit>,
}

/// One entry of the hub's history of a consignment (its JSON as the hub sent it).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HubHistoryEntry {
    /// The consignment.
    pub consignment_id: Uuid,
    /// The mutation it records.
    pub mutation_id: Uuid,
    /// When the hub applied it.
    #[serde(with = "time::serde::rfc3339")]
    pub applied_at: OffsetDateTime,
    /// The entry (the sync protocol's shape; the store does not read it).
    pub entry: serde_json::Value,
}

fn authorisation_of(c: &Connection, id: Uuid) -> Result<Option<String>> {
    use rusqlite::OptionalExtension;
    Ok(c.prepare_cached(
        "SELECT authorisation_number FROM supplier_return_details WHERE consignment_id = ?1",
    )?
    .query_row([id.to_string()], |r| r.get::<_, Option<String>>(0))
    .optional()?
    .flatten())
}

fn write_authorisation(c: &Connection, id: Uuid, number: Option<&str>, at: i64) -> Result<()> {
    c.execute(
        "INSERT INTO supplier_return_details (consignment_id, authorisation_number, updated_at)
         VALUES (?1, ?2, ?3)
         ON CONFLICT (consignment_id) DO UPDATE SET
             authorisation_number = excluded.authorisation_number, updated_at = excluded.updated_at",
        params![id.to_string(), number, at],
    )?;
    Ok(())
}

fn reasons_of(c: &Connection, id: Uuid) -> Result<Vec<ReturnLineReason>> {
    let mut stmt = c.prepare_cached(
        "SELECT product_id, reason, note FROM supplier_return_reasons
         WHERE consignment_id = ?1 ORDER BY product_id",
    )?;
    let mut rows = stmt.query([id.to_string()])?;
    let mut out = Vec::new();
    while let Some(r) = rows.next()? {
        out.push(ReturnLineReason {
            consignment_id: id,
            product_id: r.uuid("product_id")?,
            reason: r.enumeration("reason", ReturnReason::parse)?,
            note: r.opt_text("note")?,
        });
    }
    Ok(out)
}

fn write_reason(c: &Connection, r: &ReturnLineReason, at: i64) -> Result<()> {
    c.execute(
        "INSERT INTO supplier_return_reasons (consignment_id, product_id, reason, note, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5)
         ON CONFLICT (consignment_id, product_id) DO UPDATE SET
             reason = excluded.reason, note = excluded.note, updated_at = excluded.updated_at",
        params![
            r.consignment_id.to_string(),
            r.product_id.to_string(),
            r.reason.as_str(),
            r.note,
            at
        ],
    )?;
    Ok(())
}

fn credits_of(c: &Connection, id: Uuid) -> Result<Vec<SupplierCredit>> {
    let mut stmt = c.prepare_cached(
        "SELECT id, amount, credit_note_number, credited_on, recorded_by, recorded_at
         FROM supplier_credits WHERE consignment_id = ?1 ORDER BY recorded_at, id",
    )?;
    let mut rows = stmt.query([id.to_string()])?;
    let mut out = Vec::new();
    while let Some(r) = rows.next()? {
        let day = r.text("credited_on")?;
        out.push(SupplierCredit {
            id: r.uuid("id")?,
            consignment_id: id,
            amount: r.decimal("amount")?,
            credit_note_number: r.text("credit_note_number")?,
            credited_on: Date::parse(&day, DATE)
                .map_err(|e| StoreError::decode(format!("credited_on '{day}': {e}")))?,
            recorded_by: r.uuid("recorded_by")?,
            recorded_at: r.time("recorded_at")?,
        });
    }
    Ok(out)
}

const DATE: &[time::format_description::BorrowedFormatItem<'static>] =
    time::macros::format_description!("[year]-[month]-[day]");

fn write_credit(c: &Connection, k: &SupplierCredit) -> Result<()> {
    let day = k
        .credited_on
        .format(DATE)
        .map_err(|e| StoreError::bad_input("credited_on", e.to_string()))?;
    c.execute(
        "INSERT OR REPLACE INTO supplier_credits
            (id, consignment_id, amount, credit_note_number, credited_on, recorded_by, recorded_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        params![
            k.id.to_string(),
            k.consignment_id.to_string(),
            k.amount.to_string(),
            k.credit_note_number,
            day,
            k.recorded_by.to_string(),
            ms(k.recorded_at)
        ],
    )?;
    Ok(())
}

pub(crate) fn details_of(c: &Connection, id: Uuid) -> Result<ReturnDetails> {
    Ok(ReturnDetails {
        consignment_id: id,
        authorisation_number: authorisation_of(c, id)?,
        reasons: reasons_of(c, id)?,
        credits: credits_of(c, id)?,
    })
}

/// Replaces the station's view of a return's details with the hub's.
pub(crate) fn write_pulled_details(c: &Connection, d: &ReturnDetails) -> Result<()> {
    let id = d.consignment_id.to_string();
    let at = ms(now());
    write_authorisation(c, d.consignment_id, d.authorisation_number.as_deref(), at)?;
    c.execute(
        "DELETE FROM supplier_return_reasons WHERE consignment_id = ?1",
        [&id],
    )?;
    for r in &d.reasons {
        write_reason(c, r, at)?;
    }
    c.execute(
        "DELETE FROM supplier_credits WHERE consignment_id = ?1",
        [&id],
    )?;
    for k in &d.credits {
        write_credit(c, k)?;
    }
    Ok(())
}

/// Keeps the hub's history entries (replayed ones replace themselves).
pub(crate) fn write_history(c: &Connection, entries: &[HubHistoryEntry]) -> Result<()> {
    for e in entries {
        c.execute(
            "INSERT OR REPLACE INTO hub_history (mutation_id, consignment_id, applied_at, entry_json)
             VALUES (?1, ?2, ?3, ?4)",
            params![
                e.mutation_id.to_string(),
                e.consignment_id.to_string(),
                ms(e.applied_at),
                serde_json::to_string(&e.entry)?
            ],
        )?;
    }
    Ok(())
}

impl Tx<'_> {
    /// Sets (or clears) the supplier's return authorisation number.
    pub fn set_return_authorisation(
        &mut self,
        consignment_id: Uuid,
        number: Option<String>,
    ) -> Result<ReturnAuthorisation> {
        load(self.conn(), consignment_id)?;
        let before = ReturnAuthorisation {
            consignment_id,
            number: authorisation_of(self.conn(), consignment_id)?,
        };
        let after = ReturnAuthorisation {
            consignment_id,
            number,
        };
        write_authorisation(
            self.conn(),
            consignment_id,
            after.number.as_deref(),
            ms(self.now()),
        )?;
        self.record(
            AUTHORISATION_SET,
            "consignment",
            consignment_id,
            Some(consignment_id),
            Some(&before),
            &after,
        )?;
        Ok(after)
    }

    /// Sets why one product of a return goes back.
    pub fn set_return_reason(&mut self, r: ReturnLineReason) -> Result<()> {
        load(self.conn(), r.consignment_id)?;
        let before = reasons_of(self.conn(), r.consignment_id)?
            .into_iter()
            .find(|x| x.product_id == r.product_id);
        write_reason(self.conn(), &r, ms(self.now()))?;
        self.record(
            REASON_SET,
            "consignment",
            r.consignment_id,
            Some(r.consignment_id),
            before.as_ref(),
            &r,
        )?;
        Ok(())
    }

    /// Records a supplier credit by the signed-in staff member.
    pub fn record_supplier_credit(&mut self, new: NewSupplierCredit) -> Result<SupplierCredit> {
        let recorded_by = self.staff_id()?;
        load(self.conn(), new.consignment_id)?;
        let k = SupplierCredit {
            id: Uuid::now_v7(),
            consignment_id: new.consignment_id,
            amount: new.amount,
            credit_note_number: new.credit_note_number,
            credited_on: new.credited_on,
            recorded_by,
            recorded_at: self.now(),
        };
        write_credit(self.conn(), &k)?;
        self.touch(k.consignment_id)?;
        self.record(
            CREDIT_RECORDED,
            "consignment",
            k.consignment_id,
            Some(k.consignment_id),
            None,
            &k,
        )?;
        Ok(k)
    }
}

impl Store {
    /// A return's authorisation number, reasons and credits.
    pub fn return_details(&self, consignment_id: Uuid) -> Result<ReturnDetails> {
        self.read(|c| details_of(c, consignment_id))
    }

    /// The hub's history of a consignment, oldest first.
    pub fn hub_history(&self, consignment_id: Uuid) -> Result<Vec<HubHistoryEntry>> {
        self.read(|c| {
            let mut stmt = c.prepare_cached(
                "SELECT mutation_id, applied_at, entry_json FROM hub_history
                 WHERE consignment_id = ?1 ORDER BY applied_at, mutation_id",
            )?;
            let mut rows = stmt.query([consignment_id.to_string()])?;
            let mut out = Vec::new();
            while let Some(r) = rows.next()? {
                out.push(HubHistoryEntry {
                    consignment_id,
                    mutation_id: r.uuid("mutation_id")?,
                    applied_at: r.time("applied_at")?,
                    entry: serde_json::from_str(&r.text("entry_json")?)?,
                });
            }
            Ok(out)
        })
    }

    /// Supplier returns of an outlet (newest first), with their expected-credit inputs
    /// left to the caller: ids only.
    pub fn supplier_return_ids(&self, outlet_id: Uuid) -> Result<Vec<Uuid>> {
        self.read(|c| {
            let mut stmt = c.prepare_cached(
                "SELECT id FROM consignments
                 WHERE kind = 'supplier_return' AND source_outlet_id = ?1
                 ORDER BY created_at DESC, id",
            )?;
            let ids = stmt.query_map([outlet_id.to_string()], |r| r.get::<_, String>(0))?;
            ids.map(|id| crate::sql::parse_uuid(&id?)).collect()
        })
    }
}
