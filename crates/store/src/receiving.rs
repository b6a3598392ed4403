//! Receipts: receive sessions with counted lines, variance reasons, photos and
//! signatures. Several sessions may add up on one consignment; within a session a
//! product's line holds the absolute count (recording it again replaces it, audited).

use rusqlite::{params, Connection};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use uuid::Uuid;

use crate::audit::Actor;
use crate::consignment::{ensure_open, load};
use crate::error::{Result, StoreError};
use crate::evidence::{self, ContentHash};
use crate::sql::{ms, opt_id, RowExt};
use crate::store::{Store, Tx};

/// Variance reasons are the domain's (stored by their `as_str` names).
pub use tally_domain::VarianceReason;

/// A receive session.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Receipt {
    /// UUIDv7.
    pub id: Uuid,
    /// Consignment being received.
    pub consignment_id: Uuid,
    /// Who started it.
    pub started_by: Uuid,
    /// When.
    #[serde(with = "time::serde::rfc3339")]
    pub started_at: OffsetDateTime,
    /// When it was closed (no more lines).
    #[serde(with = "time::serde::rfc3339::option")]
    pub closed_at: Option<OffsetDateTime>,
    /// Who signed for it.
    pub signed_by: Option<Uuid>,
    /// The signature as vector strokes (JSON as the signature pad gives it).
    pub signature_strokes: Option<serde_json::Value>,
    /// The signature as a PNG evidence file.
    pub signature_png: Option<ContentHash>,
    /// The driver's signature, when taken.
    pub driver_signature_png: Option<ContentHash>,
    /// Free note.
    pub note: Option<String>,
}

/// A counted line of a session.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReceiptLine {
    /// UUIDv7.
    pub id: Uuid,
    /// Session.
    pub receipt_id: Uuid,
    /// Product.
    pub product_id: Uuid,
    /// Units counted in (including damaged ones).
    pub received_qty: Decimal,
    /// Of those, damaged.
    pub damaged_qty: Decimal,
    /// Why it differs from expected.
    pub variance_reason: Option<VarianceReason>,
    /// Note (required by the domain for `other`).
    pub note: Option<String>,
    /// Photos (evidence files).
    pub photos: Vec<ContentHash>,
    /// Who counted.
    pub recorded_by: Uuid,
    /// When.
    #[serde(with = "time::serde::rfc3339")]
    pub recorded_at: OffsetDateTime,
}

/// A count to record in a session.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReceiptLineInput {
    /// Product.
    pub product_id: Uuid,
    /// Units counted in.
    pub received_qty: Decimal,
    /// Of those, damaged.
    pub damaged_qty: Decimal,
    /// Variance reason.
    pub variance_reason: Option<VarianceReason>,
    /// Note.
    pub note: Option<String>,
    /// Photos already stored in the `EvidenceStore`.
    pub photos: Vec<ContentHash>,
}

/// Closing a session: who signed and how.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReceiptClose {
    /// Staff member signing (the domain checks who may).
    pub signed_by: Uuid,
    /// Signature strokes.
    pub signature_strokes: Option<serde_json::Value>,
    /// Signature PNG (evidence).
    pub signature_png: Option<ContentHash>,
    /// Driver signature PNG (evidence).
    pub driver_signature_png: Option<ContentHash>,
    /// Note.
    pub note: Option<String>,
}

const COLUMNS: &str = "id, consignment_id, started_by, started_at, closed_at, signed_by,
     signature_strokes, signature_png, driver_signature_png, note";

fn opt_hash(r: &rusqlite::Row<'_>, col: &str) -> Result<Option<ContentHash>> {
    r.opt_text(col)?.map(|h| ContentHash::parse(&h)).transpose()
}

fn receipt(r: &rusqlite::Row<'_>) -> Result<Receipt> {
    Ok(Receipt {
        id: r.uuid("id")?,
        consignment_id: r.uuid("consignment_id")?,
        started_by: r.uuid("started_by")?,
        started_at: r.time("started_at")?,
        closed_at: r.opt_time("closed_at")?,
        signed_by: r.opt_uuid("signed_by")?,
        signature_strokes: r
            .opt_text("signature_strokes")?
            .map(|s| serde_json::from_str(&s))
            .transpose()?,
        signature_png: opt_hash(r, "signature_png")?,
        driver_signature_png: opt_hash(r, "driver_signature_png")?,
        note: r.opt_text("note")?,
    })
}

fn load_receipt(c: &Connection, id: Uuid) -> Result<Receipt> {
    let mut stmt = c.prepare_cached(&format!("SELECT {COLUMNS} FROM receipts WHERE id = ?1"))?;
    let mut rows = stmt.query([id.to_string()])?;
    match rows.next()? {
        Some(r) => receipt(r),
        None => Err(StoreError::not_found("receipt", id)),
    }
}

fn write_receipt(c: &Connection, r: &Receipt) -> Result<()> {
    let strokes = r
        .signature_strokes
        .as_ref()
        .map(serde_json::to_string)
        .transpose()?;
    c.prepare_cached(
        "INSERT INTO receipts (id, consignment_id, started_by, started_at, closed_at, signed_by,
            signature_strokes, signature_png, driver_signature_png, note)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)
         ON CONFLICT (id) DO UPDATE SET closed_at = excluded.closed_at,
            signed_by = excluded.signed_by, signature_strokes = excluded.signature_strokes,
            signature_png = excluded.signature_png,
            driver_signature_png = excluded.driver_signature_png, note = excluded.note",
    )?
    .execute(params![
        r.id.to_string(),
        r.consignment_id.to_string(),
        r.started_by.to_string(),
        ms(r.started_at),
        r.closed_at.map(ms),
        opt_id(r.signed_by),
        strokes,
        r.signature_png.as_ref().map(|h| h.as_str().to_string()),
        r.driver_signature_png
            .as_ref()
            .map(|h| h.as_str().to_string()),
        r.note
    ])?;
    Ok(())
}

fn load_lines(c: &Connection, receipt_id: Uuid, product: Option<Uuid>) -> Result<Vec<ReceiptLine>> {
    let mut stmt = c.prepare_cached(
        "SELECT id, receipt_id, product_id, received_qty, damaged_qty, variance_reason, note,
                recorded_by, recorded_at
         FROM receipt_lines WHERE receipt_id = ?1 AND (?2 IS NULL OR product_id = ?2)
         ORDER BY recorded_at, id",
    )?;
    let mut rows = stmt.query(params![receipt_id.to_string(), opt_id(product)])?;
    let mut out = Vec::new();
    while let Some(r) = rows.next()? {
        out.push(ReceiptLine {
            id: r.uuid("id")?,
            receipt_id: r.uuid("receipt_id")?,
            product_id: r.uuid("product_id")?,
            received_qty: r.decimal("received_qty")?,
            damaged_qty: r.decimal("damaged_qty")?,
            variance_reason: r
                .opt_text("variance_reason")?
                .map(|s| {
                    VarianceReason::parse(&s)
                        .ok_or_else(|| StoreError::decode(format!("variance_reason '{s}'")))
                })
                .transpose()?,
            note: r.opt_text("note")?,
            photos: Vec::new(),
            recorded_by: r.uuid("recorded_by")?,
            recorded_at: r.time("recorded_at")?,
        });
    }
    drop(rows);
    let mut photos = c.prepare_cached(
        "SELECT hash FROM evidence_refs WHERE entity_type = 'receipt_line' AND entity_id = ?1
         ORDER BY created_at, hash",
    )?;
    for l in &mut out {
        let hashes: Vec<String> = photos
            .query_map([l.id.to_string()], |r| r.get(0))?
            .collect::<rusqlite::Result<_>>()?;
        l.photos = hashes
            .iter()
            .map(|h| ContentHash::parse(h))
            .collect::<Result<_>>()?;
    }
    Ok(out)
}

impl Tx<'_> {
    /// Starts a receive session on a consignment.
    pub fn start_receipt(&mut self, consignment_id: Uuid) -> Result<Receipt> {
        let staff = self.staff_id()?;
        let h = load(self.conn(), consignment_id)?;
        ensure_open(&h)?;
        let r = Receipt {
            id: Uuid::now_v7(),
            consignment_id,
            started_by: staff,
            started_at: self.now(),
            closed_at: None,
            signed_by: None,
            signature_strokes: None,
            signature_png: None,
            driver_signature_png: None,
            note: None,
        };
        write_receipt(self.conn(), &r)?;
        self.touch(consignment_id)?;
        self.record(
            "receipt.started",
            "receipt",
            r.id,
            Some(consignment_id),
            None,
            &r,
        )?;
        Ok(r)
    }

    /// Records (or replaces) a product's count in an open session.
    pub fn record_receipt_line(
        &mut self,
        receipt_id: Uuid,
        input: ReceiptLineInput,
    ) -> Result<ReceiptLine> {
        let staff = self.staff_id()?;
        if input.received_qty.is_sign_negative() || input.damaged_qty.is_sign_negative() {
            return Err(StoreError::bad_input(
                "quantity",
                "counts cannot be negative",
            ));
        }
        if input.damaged_qty > input.received_qty {
            return Err(StoreError::bad_input(
                "damaged_qty",
                "damaged units are part of the received count; it cannot be more",
            ));
        }
        let rc = load_receipt(self.conn(), receipt_id)?;
        if rc.closed_at.is_some() {
            return Err(StoreError::bad_input(
                "receipt",
                "this receive session is closed",
            ));
        }
        let h = load(self.conn(), rc.consignment_id)?;
        ensure_open(&h)?;
        let before = load_lines(self.conn(), receipt_id, Some(input.product_id))?.pop();
        let now = self.now();
        let id = before.as_ref().map(|b| b.id).unwrap_or_else(Uuid::now_v7);
        self.conn().execute(
            "INSERT INTO receipt_lines (id, receipt_id, product_id, received_qty, damaged_qty,
                variance_reason, note, recorded_by, recorded_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)
             ON CONFLICT (id) DO UPDATE SET received_qty = excluded.received_qty,
                damaged_qty = excluded.damaged_qty, variance_reason = excluded.variance_reason,
                note = excluded.note, recorded_by = excluded.recorded_by,
                recorded_at = excluded.recorded_at",
            params![
                id.to_string(),
                receipt_id.to_string(),
                input.product_id.to_string(),
                input.received_qty.to_string(),
                input.damaged_qty.to_string(),
                input.variance_reason.map(|v| v.as_str()),
                input.note,
                staff.to_string(),
                ms(now)
            ],
        )?;
        for p in &input.photos {
            evidence::reference(self.conn(), p, "photo", "receipt_line", id, now)?;
        }
        let after = load_lines(self.conn(), receipt_id, Some(input.product_id))?
            .pop()
            .ok_or_else(|| StoreError::not_found("receipt line", id))?;
        self.touch(rc.consignment_id)?;
        self.record(
            "receipt.line_recorded",
            "receipt_line",
            id,
            Some(rc.consignment_id),
            before.as_ref(),
            &after,
        )?;
        Ok(after)
    }

    /// Closes a session with its signature(s).
    pub fn close_receipt(&mut self, receipt_id: Uuid, close: ReceiptClose) -> Result<Receipt> {
        let before = load_receipt(self.conn(), receipt_id)?;
        if before.closed_at.is_some() {
            return Err(StoreError::bad_input(
                "receipt",
                "this receive session is already closed",
            ));
        }
        let now = self.now();
        let after = Receipt {
            closed_at: Some(now),
            signed_by: Some(close.signed_by),
            signature_strokes: close.signature_strokes,
            signature_png: close.signature_png,
            driver_signature_png: close.driver_signature_png,
            note: close.note,
            ..before.clone()
        };
        for h in [&after.signature_png, &after.driver_signature_png]
            .into_iter()
            .flatten()
        {
            evidence::reference(self.conn(), h, "signature", "receipt", receipt_id, now)?;
        }
        write_receipt(self.conn(), &after)?;
        self.touch(before.consignment_id)?;
        self.record(
            "receipt.closed",
            "receipt",
            receipt_id,
            Some(before.consignment_id),
            Some(&before),
            &after,
        )?;
        Ok(after)
    }
}

impl Store {
    /// Starts a receive session as one action.
    pub fn start_receipt(&self, actor: &Actor, consignment_id: Uuid) -> Result<Receipt> {
        self.transact(actor, |t| t.start_receipt(consignment_id))
    }

    /// Records a count as one action.
    pub fn record_receipt_line(
        &self,
        actor: &Actor,
        receipt_id: Uuid,
        input: ReceiptLineInput,
    ) -> Result<ReceiptLine> {
        self.transact(actor, |t| t.record_receipt_line(receipt_id, input))
    }

    /// Closes a session as one action.
    pub fn close_receipt(
        &self,
        actor: &Actor,
        receipt_id: Uuid,
        close: ReceiptClose,
    ) -> Result<Receipt> {
        self.transact(actor, |t| t.close_receipt(receipt_id, close))
    }

    /// One session.
    pub fn receipt(&self, id: Uuid) -> Result<Receipt> {
        self.read(|c| load_receipt(c, id))
    }

    /// A session's lines.
    pub fn receipt_lines(&self, receipt_id: Uuid) -> Result<Vec<ReceiptLine>> {
        self.read(|c| load_lines(c, receipt_id, None))
    }

    /// The sessions of a consignment, oldest first.
    pub fn receipts_for(&self, consignment_id: Uuid) -> Result<Vec<Receipt>> {
        self.read(|c| {
            let mut stmt = c.prepare_cached(&format!(
                "SELECT {COLUMNS} FROM receipts WHERE consignment_id = ?1 ORDER BY started_at, id"
            ))?;
            let mut rows = stmt.query([consignment_id.to_string()])?;
            let mut out = Vec::new();
            while let Some(r) = rows.next()? {
                out.push(receipt(r)?);
            }
            Ok(out)
        })
    }
}
