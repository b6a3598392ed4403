//! Boxes (parcels) of a consignment: container, weight (measured or typed), dimensions,
//! label and tracking. Every change is one action with the box's before/after audited.

use rusqlite::{params, Connection};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use uuid::Uuid;

use crate::audit::Actor;
use crate::catalog::Dimensions;
use crate::consignment::{ensure_open, load};
use crate::error::{Result, StoreError};
use crate::evidence::ContentHash;
use crate::sql::{ms, opt_id, opt_u32, to_opt_u32, RowExt};
use crate::store::{Store, Tx};

/// A box's weight: measured on a scale (with its id and whether the reading was
/// stable) or typed by a person at a station without a scale.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "source", rename_all = "snake_case")]
pub enum Weight {
    /// Read from a scale.
    Scale {
        /// Grams.
        grams: u32,
        /// Which scale.
        scale_id: String,
        /// The scale reported a stable reading.
        stable: bool,
    },
    /// Typed by a person.
    Typed {
        /// Grams.
        grams: u32,
    },
}

impl Weight {
    /// The weight in grams, however it was obtained.
    pub fn grams(&self) -> u32 {
        match self {
            Self::Scale { grams, .. } | Self::Typed { grams } => *grams,
        }
    }
}

/// One box.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Parcel {
    /// UUIDv7.
    pub id: Uuid,
    /// Consignment.
    pub consignment_id: Uuid,
    /// 1, 2, 3... within the consignment.
    pub number: u32,
    /// Container type (carton size code, satchel...).
    pub container_type: String,
    /// Weight, once weighed.
    pub weight: Option<Weight>,
    /// Outer dimensions.
    pub dimensions: Option<Dimensions>,
    /// When its label was printed.
    #[serde(with = "time::serde::rfc3339::option")]
    pub label_printed_at: Option<OffsetDateTime>,
    /// The printed label (PDF/ZPL evidence file).
    pub label_evidence: Option<ContentHash>,
    /// Carrier tracking number.
    pub tracking_number: Option<String>,
    /// When it was closed.
    #[serde(with = "time::serde::rfc3339::option")]
    pub closed_at: Option<OffsetDateTime>,
    /// Who opened it.
    pub created_by: Option<Uuid>,
    /// Opened.
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    /// Last change.
    #[serde(with = "time::serde::rfc3339")]
    pub updated_at: OffsetDateTime,
}

const COLUMNS: &str = "id, consignment_id, number, container_type, weight_grams, weight_source,
     scale_id, weight_stable, length_mm, width_mm, height_mm, label_printed_at, label_evidence,
     tracking_number, closed_at, created_by, created_at, updated_at";

fn parcel(r: &rusqlite::Row<'_>) -> Result<Parcel> {
    let grams = to_opt_u32(r.opt_int("weight_grams")?, "weight_grams")?;
    let weight = match (grams, r.opt_text("weight_source")?.as_deref()) {
        (None, _) => None,
        (Some(grams), Some("scale")) => Some(Weight::Scale {
            grams,
            scale_id: r.text("scale_id")?,
            stable: r.flag("weight_stable")?,
        }),
        (Some(grams), Some("typed")) => Some(Weight::Typed { grams }),
        (Some(_), other) => {
            return Err(StoreError::decode(format!("weight_source {other:?}")));
        }
    };
    let dims = (
        to_opt_u32(r.opt_int("length_mm")?, "length_mm")?,
        to_opt_u32(r.opt_int("width_mm")?, "width_mm")?,
        to_opt_u32(r.opt_int("height_mm")?, "height_mm")?,
    );
    Ok(Parcel {
        id: r.uuid("id")?,
        consignment_id: r.uuid("consignment_id")?,
        number: to_opt_u32(Some(r.int("number")?), "number")?.unwrap_or(0),
        container_type: r.text("container_type")?,
        weight,
        dimensions: match dims {
            (Some(length_mm), Some(width_mm), Some(height_mm)) => Some(Dimensions {
                length_mm,
                width_mm,
                height_mm,
            }),
            _ => None,
        },
        label_printed_at: r.opt_time("label_printed_at")?,
        label_evidence: r
            .opt_text("label_evidence")?
            .map(|h| ContentHash::parse(&h))
            .transpose()?,
        tracking_number: r.opt_text("tracking_number")?,
        closed_at: r.opt_time("closed_at")?,
        created_by: r.opt_uuid("created_by")?,
        created_at: r.time("created_at")?,
        updated_at: r.time("updated_at")?,
    })
}

fn load_parcel(c: &Connection, id: Uuid) -> Result<Parcel> {
    let mut stmt = c.prepare_cached(&format!("SELECT {COLUMNS} FROM boxes WHERE id = ?1"))?;
    let mut rows = stmt.query([id.to_string()])?;
    match rows.next()? {
        Some(r) => parcel(r),
        None => Err(StoreError::not_found("box", id)),
    }
}

/// Writes a box pulled from the hub. Two benches packing one consignment offline each
/// number their first box 1, and the hub keeps both; here a number is unique per
/// consignment, so a new pulled box whose number another box holds takes the next
/// free number on this station (its own bench's label still says what it printed).
/// Refusing it instead would fail the whole pull, and every pull after it.
pub(crate) fn write_pulled_parcel(c: &Connection, p: &Parcel) -> Result<()> {
    let (known, taken): (bool, bool) = c.query_row(
        "SELECT EXISTS (SELECT 1 FROM boxes WHERE id = ?1),
                EXISTS (SELECT 1 FROM boxes WHERE consignment_id = ?2 AND number = ?3 AND id <> ?1)",
        params![p.id.to_string(), p.consignment_id.to_string(), p.number],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )?;
    if known || !taken {
        return write_parcel(c, p);
    }
    let next: i64 = c.query_row(
        "SELECT COALESCE(MAX(number), 0) + 1 FROM boxes WHERE consignment_id = ?1",
        [p.consignment_id.to_string()],
        |r| r.get(0),
    )?;
    let number = u32::try_from(next).map_err(|_| StoreError::decode("box number"))?;
    tracing::warn!(box_id = %p.id, consignment_id = %p.consignment_id, hub_number = p.number,
        number, "another bench numbered its box like one here; shown under the next number");
    write_parcel(
        c,
        &Parcel {
            number,
            ..p.clone()
        },
    )
}

pub(crate) fn write_parcel(c: &Connection, p: &Parcel) -> Result<()> {
    let (grams, source, scale_id, stable) = match &p.weight {
        None => (None, None, None, None),
        Some(Weight::Scale {
            grams,
            scale_id,
            stable,
        }) => (
            Some(*grams),
            Some("scale"),
            Some(scale_id.as_str()),
            Some(*stable),
        ),
        Some(Weight::Typed { grams }) => (Some(*grams), Some("typed"), None, None),
    };
    c.prepare_cached(
        "INSERT INTO boxes (id, consignment_id, number, container_type, weight_grams,
            weight_source, scale_id, weight_stable, length_mm, width_mm, height_mm,
            label_printed_at, label_evidence, tracking_number, closed_at, created_by,
            created_at, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18)
         ON CONFLICT (id) DO UPDATE SET container_type = excluded.container_type,
            weight_grams = excluded.weight_grams, weight_source = excluded.weight_source,
            scale_id = excluded.scale_id, weight_stable = excluded.weight_stable,
            length_mm = excluded.length_mm, width_mm = excluded.width_mm,
            height_mm = excluded.height_mm, label_printed_at = excluded.label_printed_at,
            label_evidence = excluded.label_evidence, tracking_number = excluded.tracking_number,
            closed_at = excluded.closed_at, updated_at = excluded.updated_at",
    )?
    .execute(params![
        p.id.to_string(),
        p.consignment_id.to_string(),
        p.number,
        p.container_type,
        opt_u32(grams),
        source,
        scale_id,
        stable,
        opt_u32(p.dimensions.map(|d| d.length_mm)),
        opt_u32(p.dimensions.map(|d| d.width_mm)),
        opt_u32(p.dimensions.map(|d| d.height_mm)),
        p.label_printed_at.map(ms),
        p.label_evidence.as_ref().map(|h| h.as_str().to_string()),
        p.tracking_number,
        p.closed_at.map(ms),
        opt_id(p.created_by),
        ms(p.created_at),
        ms(p.updated_at)
    ])?;
    Ok(())
}

/// A change to a box, applied by `Tx::update_box`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "change", rename_all = "snake_case")]
pub enum BoxChange {
    /// A weighing (replaces any earlier weight).
    Weigh {
        /// The weight.
        weight: Weight,
    },
    /// Outer dimensions.
    Dimensions {
        /// Dimensions.
        dimensions: Dimensions,
    },
    /// The label was printed (optionally keeping the file as evidence).
    LabelPrinted {
        /// The label file.
        label: Option<ContentHash>,
    },
    /// The carrier's tracking number.
    Tracking {
        /// Tracking number.
        tracking_number: String,
    },
    /// Closed: takes no more scans.
    Close,
}

impl BoxChange {
    fn action(&self) -> &'static str {
        match self {
            Self::Weigh { .. } => "box.weighed",
            Self::Dimensions { .. } => "box.dimensions_set",
            Self::LabelPrinted { .. } => "box.label_printed",
            Self::Tracking { .. } => "box.tracking_set",
            Self::Close => "box.closed",
        }
    }
}

impl Tx<'_> {
    /// Opens the next numbered box of a consignment.
    pub fn open_box(&mut self, consignment_id: Uuid, container_type: &str) -> Result<Parcel> {
        if container_type.trim().is_empty() {
            return Err(StoreError::bad_input(
                "container_type",
                "choose a container",
            ));
        }
        let h = load(self.conn(), consignment_id)?;
        ensure_open(&h)?;
        let next: i64 = self.conn().query_row(
            "SELECT COALESCE(MAX(number), 0) + 1 FROM boxes WHERE consignment_id = ?1",
            [consignment_id.to_string()],
            |r| r.get(0),
        )?;
        let now = self.now();
        let p = Parcel {
            id: Uuid::now_v7(),
            consignment_id,
            number: u32::try_from(next).map_err(|_| StoreError::decode("box number"))?,
            container_type: container_type.to_string(),
            weight: None,
            dimensions: None,
            label_printed_at: None,
            label_evidence: None,
            tracking_number: None,
            closed_at: None,
            created_by: self.staff_id().ok(),
            created_at: now,
            updated_at: now,
        };
        write_parcel(self.conn(), &p)?;
        self.touch(consignment_id)?;
        self.record("box.opened", "box", p.id, Some(consignment_id), None, &p)?;
        Ok(p)
    }

    /// Applies one change to a box. A closed box only accepts label and tracking changes.
    pub fn update_box(&mut self, box_id: Uuid, change: BoxChange) -> Result<Parcel> {
        let before = load_parcel(self.conn(), box_id)?;
        let h = load(self.conn(), before.consignment_id)?;
        ensure_open(&h)?;
        let now = self.now();
        let mut after = before.clone();
        let closed = before.closed_at.is_some();
        match &change {
            BoxChange::Weigh { .. } | BoxChange::Dimensions { .. } | BoxChange::Close if closed => {
                return Err(StoreError::bad_input("box", "that box is already closed"));
            }
            BoxChange::Weigh { weight } => {
                if weight.grams() == 0 {
                    return Err(StoreError::bad_input("weight", "a box cannot weigh 0 g"));
                }
                if let Weight::Scale { scale_id, .. } = weight {
                    if scale_id.is_empty() {
                        return Err(StoreError::bad_input(
                            "scale_id",
                            "a scale reading needs the scale's id",
                        ));
                    }
                }
                after.weight = Some(weight.clone());
            }
            BoxChange::Dimensions { dimensions } => after.dimensions = Some(*dimensions),
            BoxChange::LabelPrinted { label } => {
                after.label_printed_at = Some(now);
                after.label_evidence = label.clone();
                if let Some(l) = label {
                    crate::evidence::reference(self.conn(), l, "label_pdf", "box", box_id, now)?;
                }
            }
            BoxChange::Tracking { tracking_number } => {
                after.tracking_number = Some(tracking_number.clone());
            }
            BoxChange::Close => after.closed_at = Some(now),
        }
        after.updated_at = now;
        write_parcel(self.conn(), &after)?;
        self.touch(before.consignment_id)?;
        self.record(
            change.action(),
            "box",
            box_id,
            Some(before.consignment_id),
            Some(&before),
            &after,
        )?;
        Ok(after)
    }
}

impl Store {
    /// Opens a box as one action.
    pub fn open_box(
        &self,
        actor: &Actor,
        consignment_id: Uuid,
        container_type: &str,
    ) -> Result<Parcel> {
        self.transact(actor, |t| t.open_box(consignment_id, container_type))
    }

    /// Changes a box as one action.
    pub fn update_box(&self, actor: &Actor, box_id: Uuid, change: BoxChange) -> Result<Parcel> {
        self.transact(actor, |t| t.update_box(box_id, change))
    }

    /// The boxes of a consignment, by number.
    pub fn boxes(&self, consignment_id: Uuid) -> Result<Vec<Parcel>> {
        self.read(|c| {
            let mut stmt = c.prepare_cached(&format!(
                "SELECT {COLUMNS} FROM boxes WHERE consignment_id = ?1 ORDER BY number"
            ))?;
            let mut rows = stmt.query([consignment_id.to_string()])?;
            let mut out = Vec::new();
            while let Some(r) = rows.next()? {
                out.push(parcel(r)?);
            }
            Ok(out)
        })
    }
}
