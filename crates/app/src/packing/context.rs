//! Loading a consignment for the packing bench: who is acting, is it ours to pack, and
//! may it take scans now.

use tally_domain::{
    check_line_change, check_transition, ConsignmentKind, ConsignmentStatus, LineChange,
    TransitionContext,
};
use tally_store::{Actor, Consignment, Tx};
use uuid::Uuid;

use super::error::PackingError;
use crate::app::parse_id;
use crate::error::AppError;
use crate::App;

/// A consignment loaded for packing, with the acting staff member.
#[derive(Debug, Clone)]
pub(crate) struct PackCtx {
    /// The consignment header as read.
    pub header: Consignment,
    /// Who acts.
    pub actor: Actor,
    /// The acting staff member.
    pub staff_id: Uuid,
    /// This station's outlet.
    pub outlet_id: Uuid,
}

impl PackCtx {
    /// The consignment id.
    pub fn id(&self) -> Uuid {
        self.header.id
    }

    /// A draft's first scan or box starts packing.
    pub fn is_draft(&self) -> bool {
        self.header.status == ConsignmentStatus::Draft
    }

    /// Refuses scans, boxes and undos unless the domain lets packed counts change now
    /// (a draft is allowed: the same action starts packing).
    pub fn check_can_pack(&self) -> Result<(), AppError> {
        if self.is_draft() {
            return Ok(());
        }
        check_line_change(self.header.kind, self.header.status, LineChange::Packed).map_err(|_| {
            PackingError::NotPacking {
                reference: self.header.reference.clone(),
                status: self.header.status.label().to_lowercase(),
            }
            .into()
        })
    }
}

impl App {
    /// Loads a consignment this outlet packs: an outgoing transfer or supplier return.
    pub(crate) fn pack_ctx(&self, consignment_id: &str) -> Result<PackCtx, AppError> {
        let actor = self.actor()?;
        let Actor::Staff(staff_id) = actor else {
            return Err(AppError::new(
                "NOT_SIGNED_IN",
                "Sign in with your PIN first.",
            ));
        };
        let id = parse_id("consignment", consignment_id)?;
        let outlet_id = self.outlet_id()?;
        let header = self.store().consignment(id)?;
        let ours = matches!(
            header.kind,
            ConsignmentKind::OutletTransfer | ConsignmentKind::SupplierReturn
        ) && header.source_outlet_id == Some(outlet_id);
        if !ours {
            return Err(PackingError::NotPackedHere {
                reference: header.reference,
            }
            .into());
        }
        Ok(PackCtx {
            header,
            actor,
            staff_id,
            outlet_id,
        })
    }

    /// The scanner id this bench's scans carry: undo takes back this bench's scans only.
    pub(crate) fn bench_device_id(&self) -> Result<String, AppError> {
        Ok(format!("bench:{}", self.station()?.station_id))
    }

    /// Whether this outlet is counting a stocktake (outgoing transfers wait for it).
    pub(crate) fn outlet_counting(&self, outlet_id: Uuid) -> Result<bool, AppError> {
        Ok(self
            .store()
            .list_open_consignments(outlet_id)?
            .iter()
            .any(|c| {
                c.kind == ConsignmentKind::Stocktake && c.status == ConsignmentStatus::Counting
            }))
    }

    /// The domain's verdict on starting to pack a draft, checked before any write.
    pub(crate) fn check_start_packing(&self, ctx: &PackCtx) -> Result<(), AppError> {
        let tctx = TransitionContext {
            outlet_counting: self.outlet_counting(ctx.outlet_id)?,
            ..TransitionContext::default()
        };
        check_transition(
            ctx.header.kind,
            ConsignmentStatus::Draft,
            ConsignmentStatus::Packing,
            &tctx,
        )?;
        Ok(())
    }
}

/// Inside an action's transaction: moves a draft into packing (already checked with
/// `App::check_start_packing`). Returns whether it did.
pub(crate) fn start_packing_in(t: &mut Tx<'_>, ctx: &PackCtx) -> tally_store::Result<bool> {
    if !ctx.is_draft() {
        return Ok(false);
    }
    t.set_consignment_status(ctx.id(), ctx.header.version, ConsignmentStatus::Packing)?;
    Ok(true)
}
