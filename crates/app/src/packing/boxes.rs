//! Boxes: the container catalog, opening a box, the live weight, and closing a box with
//! a stable (or typed) weight, its expected-weight check and its label.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use rust_decimal::prelude::ToPrimitive;
use rust_decimal::Decimal;
use tally_devices::worker::ScaleWorker;
use tally_devices::{StableWeight, WeightSource};
use tally_domain::freight::{default_catalog, Container, ContainerKind};
use tally_store::{BoxChange, Parcel, ScanEvent, ScanPurpose, Weight};
use uuid::Uuid;

use super::context::PackCtx;
use super::error::{device_error, PackingError};
use super::printing::LABEL_JOB_ACTION;
use super::views::{
    BenchInfo, BoxView, BoxWeight, CloseBoxResult, CloseWeight, ContainerType, LiveWeight,
};
use super::weight_check::{check_weight, UNKNOWN_UNIT_WEIGHT_G};
use crate::app::parse_id;
use crate::error::AppError;
use crate::App;

/// The container a consignment's first box gets unless another is chosen.
pub const DEFAULT_CONTAINER: &str = "BOX-M";
/// The heaviest weight a person may type, grams (no parcel carrier takes more).
const MAX_TYPED_G: u32 = 100_000;
/// The longest the bench waits for a scale to settle.
const MAX_SETTLE_WAIT: Duration = Duration::from_secs(10);

fn kind_name(kind: ContainerKind) -> &'static str {
    match kind {
        ContainerKind::Satchel => "satchel",
        ContainerKind::Pack => "pack",
        ContainerKind::Box => "box",
    }
}

fn container_type(c: &Container) -> ContainerType {
    ContainerType {
        code: c.code.clone(),
        name: c.name.clone(),
        kind: kind_name(c.kind).to_string(),
        length_mm: c.inner.length_mm,
        width_mm: c.inner.width_mm,
        height_mm: c.inner.height_mm,
        tare_g: c.tare.0,
        max_weight_g: c.max_weight.0,
    }
}

/// The containers a packer chooses from (the domain's catalog).
pub fn containers() -> Vec<ContainerType> {
    default_catalog().iter().map(container_type).collect()
}

fn find_container(code: &str) -> Option<ContainerType> {
    containers().into_iter().find(|c| c.code == code)
}

/// The container a new box gets: the newest box's (a packer reuses one size), else the default.
pub(crate) fn default_container_after(newest: Option<&str>) -> String {
    newest
        .filter(|c| find_container(c).is_some())
        .unwrap_or(DEFAULT_CONTAINER)
        .to_string()
}

/// Net units per product in each box, from the pack scan events (undos included).
fn box_contents(events: &[ScanEvent]) -> HashMap<Uuid, HashMap<Uuid, i64>> {
    let mut out: HashMap<Uuid, HashMap<Uuid, i64>> = HashMap::new();
    for e in events.iter().filter(|e| e.purpose == ScanPurpose::Pack) {
        if let Some(b) = e.box_id {
            *out.entry(b).or_default().entry(e.product_id).or_default() += e.delta;
        }
    }
    out
}

fn box_weight(w: &Weight) -> BoxWeight {
    match w {
        Weight::Scale {
            grams, scale_id, ..
        } => BoxWeight::Scale {
            grams: *grams,
            scale_id: scale_id.clone(),
        },
        Weight::Typed { grams } => BoxWeight::Typed { grams: *grams },
    }
}

/// A box's history in this bench's audit log.
struct BoxHistory {
    opened_here: bool,
    label_printed: bool,
}

fn empty_scale() -> AppError {
    AppError::new(
        "SCALE_EMPTY",
        "The scale shows nothing. Put the box on the scale, then close it.",
    )
}

/// A stable, non-zero reading taken after the packer asked: the reading the worker holds
/// may still be the previous box's, or the empty platter's.
fn fresh_stable_weight(scale: &ScaleWorker, wait: Duration) -> Result<StableWeight, AppError> {
    let deadline = Instant::now() + wait;
    let mut last = scale.next_reading(wait);
    loop {
        if let Some(r) = &last {
            let heavy = r.weight.is_some_and(|w| w.grams() > Decimal::ZERO);
            if r.status.is_recordable() && heavy {
                return StableWeight::from_reading(scale.device(), r).map_err(device_error);
            }
        }
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return match &last {
                // Stable at zero is an empty platter; anything else says why it is not steady.
                Some(r) => match StableWeight::from_reading(scale.device(), r) {
                    Ok(_) => Err(empty_scale()),
                    Err(e) => Err(device_error(e)),
                },
                None => Err(device_error(tally_devices::DeviceError::NotConnected {
                    what: format!("scale {}", scale.device()),
                    detail: "no reading".into(),
                })),
            };
        }
        if let Some(r) = scale.next_reading(left) {
            last = Some(r);
        }
    }
}

impl App {
    /// The containers a packer chooses from.
    pub fn packing_containers(&self) -> Vec<ContainerType> {
        containers()
    }

    /// Every box of the consignment with its contents and expected weight.
    pub(crate) fn box_views(&self, ctx: &PackCtx) -> Result<Vec<BoxView>, AppError> {
        let parcels = self.store().boxes(ctx.id())?;
        if parcels.is_empty() {
            return Ok(Vec::new());
        }
        let contents = box_contents(&self.store().scan_events(ctx.id())?);
        let mut weights: HashMap<Uuid, Option<u32>> = HashMap::new();
        parcels
            .iter()
            .map(|p| {
                let empty = HashMap::new();
                self.box_view(p, contents.get(&p.id).unwrap_or(&empty), &mut weights)
            })
            .collect()
    }

    fn box_view(
        &self,
        p: &Parcel,
        contents: &HashMap<Uuid, i64>,
        weights: &mut HashMap<Uuid, Option<u32>>,
    ) -> Result<BoxView, AppError> {
        let history = self.box_history(p.id)?;
        let container = find_container(&p.container_type);
        let tare = container.as_ref().map_or(0, |c| c.tare_g);
        let (mut units, mut goods_g, mut guessed) = (0_i64, 0_u64, 0_u64);
        for (product, n) in contents {
            let n = (*n).max(0);
            if n == 0 {
                continue;
            }
            units += n;
            let unit_g = match weights.get(product) {
                Some(w) => *w,
                None => {
                    let w = self.store().product(*product)?.weight_grams;
                    weights.insert(*product, w);
                    w
                }
            };
            match unit_g {
                Some(g) => goods_g += u64::from(g) * n.unsigned_abs(),
                None => {
                    guessed += n.unsigned_abs();
                    goods_g += u64::from(UNKNOWN_UNIT_WEIGHT_G) * n.unsigned_abs();
                }
            }
        }
        let expected = u64::from(tare) + goods_g;
        Ok(BoxView {
            box_id: p.id.to_string(),
            number: p.number,
            container: p.container_type.clone(),
            container_name: container.map_or_else(|| p.container_type.clone(), |c| c.name),
            tare_g: tare,
            units: i32::try_from(units).unwrap_or(i32::MAX),
            expected_weight_g: u32::try_from(expected).unwrap_or(u32::MAX),
            guessed_units: u32::try_from(guessed).unwrap_or(u32::MAX),
            weight: p.weight.as_ref().map(box_weight),
            closed: p.closed_at.is_some(),
            // The local audit log is the record: a pulled box row carries no label columns.
            label_printed: p.label_printed_at.is_some() || history.label_printed,
            here: history.opened_here,
        })
    }

    /// One box's view, freshly read.
    pub(crate) fn one_box_view(&self, ctx: &PackCtx, box_id: Uuid) -> Result<BoxView, AppError> {
        self.box_views(ctx)?
            .into_iter()
            .find(|b| b.box_id == box_id.to_string())
            .ok_or_else(|| PackingError::BoxElsewhere.into())
    }

    /// The container this bench's next box gets: the one chosen with "new box", else the
    /// newest box's, else the default.
    /// The container the next box gets: the packer's choice, else for the first box the
    /// first suggested container (`suggested`), else the newest box's, else the default.
    pub(crate) fn next_container(
        &self,
        ctx: &PackCtx,
        boxes: &[BoxView],
        suggested: Option<&str>,
    ) -> ContainerType {
        let code = self
            .bench
            .chosen_container(ctx.id())
            .or_else(|| {
                boxes
                    .is_empty()
                    .then(|| suggested.map(str::to_string))
                    .flatten()
            })
            .unwrap_or_else(|| default_container_after(boxes.last().map(|b| b.container.as_str())));
        find_container(&code)
            .or_else(|| find_container(DEFAULT_CONTAINER))
            .unwrap_or_else(|| containers().remove(0))
    }

    /// What devices this bench has.
    pub(crate) fn bench_info(&self) -> BenchInfo {
        match self.devices() {
            Some(d) => BenchInfo {
                has_scale: d.scale().is_some(),
                label_printer: d.config().label_printer.clone(),
                document_printer: d.config().document_printer.clone(),
            },
            None => BenchInfo {
                has_scale: false,
                label_printer: None,
                document_printer: None,
            },
        }
    }

    /// What this bench's audit log says about a box. Pulled rows are never audited here,
    /// so only a box opened at this bench has a `box.opened` entry.
    fn box_history(&self, id: Uuid) -> Result<BoxHistory, AppError> {
        let entries = self.store().audit_entries_for("box", &id.to_string())?;
        Ok(BoxHistory {
            opened_here: entries.iter().any(|a| a.action == "box.opened"),
            label_printed: entries.iter().any(|a| a.action == LABEL_JOB_ACTION),
        })
    }

    /// Whether this bench opened the box.
    pub(crate) fn is_local_box(&self, id: Uuid) -> Result<bool, AppError> {
        Ok(self.box_history(id)?.opened_here)
    }

    /// The newest open box this bench opened on the consignment.
    pub(crate) fn current_box(&self, ctx: &PackCtx) -> Result<Option<Parcel>, AppError> {
        for b in self.store().boxes(ctx.id())?.into_iter().rev() {
            if b.closed_at.is_none() && self.is_local_box(b.id)? {
                return Ok(Some(b));
            }
        }
        Ok(None)
    }

    /// Starts a new box of `container`: the box is created by its first scan (so an empty
    /// box never exists). Refused while this bench's open box holds goods: close it first.
    pub fn open_box(
        &self,
        consignment_id: &str,
        container: &str,
    ) -> Result<ContainerType, AppError> {
        let ctx = self.pack_ctx(consignment_id)?;
        ctx.check_can_pack()?;
        let c = find_container(container).ok_or_else(|| PackingError::UnknownContainer {
            code: container.chars().take(40).collect(),
        })?;
        if let Some(open) = self.current_box(&ctx)? {
            let view = self.one_box_view(&ctx, open.id)?;
            if view.units > 0 {
                return Err(PackingError::BoxStillOpen {
                    number: open.number,
                }
                .into());
            }
        }
        self.bench.choose_container(ctx.id(), &c.code);
        tracing::info!(consignment_id = %ctx.id(), container = %c.code, "next box chosen");
        Ok(c)
    }

    /// What the scale shows now, for the open-box panel (the screen polls this).
    pub fn live_weight(&self) -> LiveWeight {
        let Some(scale) = self.devices().and_then(|d| {
            d.scale()
                .map(|s| (s.state(), s.latest(), s.device().to_string()))
        }) else {
            return LiveWeight {
                configured: false,
                connected: false,
                grams: None,
                stable: false,
                status: "no scale at this bench".into(),
                problem: None,
            };
        };
        let (state, reading, _device) = scale;
        let grams = reading
            .as_ref()
            .and_then(|r| r.weight)
            .and_then(|w| w.grams().round().to_i32());
        LiveWeight {
            configured: true,
            connected: state.connected,
            grams,
            stable: reading.as_ref().is_some_and(|r| r.status.is_recordable()),
            status: reading.as_ref().map_or_else(
                || "not connected".to_string(),
                |r| r.status.describe().to_string(),
            ),
            problem: state.last_error,
        }
    }

    /// The weight to record for a box being closed.
    fn box_weight_now(&self, how: CloseWeight) -> Result<Weight, AppError> {
        let devices = self.devices();
        let scale = devices.as_ref().and_then(|d| d.scale());
        match how {
            CloseWeight::Scale { wait_ms } => {
                let scale = scale.ok_or(PackingError::NoScale)?;
                let wait = Duration::from_millis(u64::from(wait_ms)).min(MAX_SETTLE_WAIT);
                let w = fresh_stable_weight(scale, wait)?;
                let grams = w
                    .weight()
                    .grams()
                    .round()
                    .to_u32()
                    .filter(|g| *g > 0)
                    .ok_or_else(empty_scale)?;
                let scale_id = match w.source() {
                    WeightSource::Scale { device } => device.clone(),
                    WeightSource::Typed => scale.device().to_string(),
                };
                Ok(Weight::Scale {
                    grams,
                    scale_id,
                    stable: true,
                })
            }
            CloseWeight::Typed { grams } => {
                if scale.is_some_and(|s| s.state().connected) {
                    return Err(PackingError::TypedWeightWithScale.into());
                }
                if grams == 0 || grams > MAX_TYPED_G {
                    return Err(PackingError::BadTypedWeight {
                        max_kg: MAX_TYPED_G / 1000,
                    }
                    .into());
                }
                Ok(Weight::Typed { grams })
            }
        }
    }

    /// Closes a box (this bench's open one unless `box_id` names another): weighs it,
    /// checks the weight against what it should weigh, and prints its label. The box is
    /// closed (durably) even when the label cannot be printed; the result says why, and it
    /// can be reprinted. A box emptied by undos is weighed like any other (its tare).
    pub fn close_box(
        &self,
        consignment_id: &str,
        box_id: Option<&str>,
        weight: CloseWeight,
    ) -> Result<CloseBoxResult, AppError> {
        let ctx = self.pack_ctx(consignment_id)?;
        ctx.check_can_pack()?;
        let parcel = match box_id {
            Some(b) => {
                let id = parse_id("box", b)?;
                self.store()
                    .boxes(ctx.id())?
                    .into_iter()
                    .find(|p| p.id == id)
                    .ok_or(PackingError::BoxElsewhere)?
            }
            None => self.current_box(&ctx)?.ok_or(PackingError::NoOpenBox)?,
        };
        if parcel.closed_at.is_some() {
            return Err(PackingError::BoxAlreadyClosed {
                number: parcel.number,
            }
            .into());
        }
        let before = self.one_box_view(&ctx, parcel.id)?;
        let weight = self.box_weight_now(weight)?;
        let measured = weight.grams();
        self.store().transact(&ctx.actor, |t| {
            t.update_box(parcel.id, BoxChange::Weigh { weight })?;
            t.update_box(parcel.id, BoxChange::Close)
        })?;
        let check = check_weight(before.expected_weight_g, measured, before.guessed_units);
        tracing::info!(consignment_id = %ctx.id(), box_id = %parcel.id, measured_g = measured,
            expected_g = check.expected_g, warn = check.warn, "box closed");
        let closed = self.one_box_view(&ctx, parcel.id)?;
        let label = self.print_box_label(&ctx, &closed);
        Ok(CloseBoxResult {
            closed: self.one_box_view(&ctx, parcel.id)?,
            check,
            label,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_catalog_has_the_old_systems_cartons_with_their_tares() {
        let m = find_container("BOX-M").unwrap();
        assert_eq!(
            (m.tare_g, m.length_mm, m.width_mm, m.height_mm),
            (2_000, 400, 300, 200)
        );
        assert_eq!(find_container("NZP-SATCHEL-S").unwrap().tare_g, 150);
        assert!(find_container("NOPE").is_none());
    }

    #[test]
    fn undone_scans_leave_a_box() {
        let (b, p) = (Uuid::now_v7(), Uuid::now_v7());
        let ev = |delta: i64, box_id: Option<Uuid>| ScanEvent {
            id: Uuid::now_v7(),
            consignment_id: Uuid::nil(),
            product_id: p,
            box_id,
            purpose: ScanPurpose::Pack,
            delta,
            raw_code: "x".into(),
            device_id: "d".into(),
            staff_id: Uuid::nil(),
            at: time::OffsetDateTime::UNIX_EPOCH,
            undoes: None,
            mutation_id: None,
            origin: tally_store::ScanOrigin::Local,
        };
        let c = box_contents(&[ev(3, Some(b)), ev(-1, Some(b)), ev(5, None)]);
        assert_eq!(c[&b][&p], 2);
        assert_eq!(c.len(), 1, "scans outside a box belong to no box");
    }
}
