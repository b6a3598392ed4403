//! Finishing a receive session: the receiver signs (the driver may), and either more is
//! coming (the consignment stays `receiving`) or the receipt closes (`received`). Closing
//! applies the domain's rules over all sessions first: reasons, damage photos, the
//! receiver's confirmation, a store manager's PIN (or the review list) for a variance
//! worth more than the threshold, and the status machine. Only then are the signature
//! images stored by hash and the session close, the status change and the assessment's
//! audit entry written in one transaction.

use rust_decimal::Decimal;
use serde::Serialize;
use tally_domain::{
    check_receipt_close, check_transition, CloseEvidence, ConsignmentStatus, DomainError, Quantity,
    ReceiptAssessment, Role, SignOff, TransitionContext,
};
use tally_store::ReceiptClose;
use time::OffsetDateTime;
use uuid::Uuid;

use crate::app::{parse_id, rfc3339};
use crate::error::AppError;
use crate::receiving::counting::staff_of;
use crate::receiving::progress::{line_no, Snapshot};
use crate::receiving::signature::SignatureInput;
use crate::receiving::view::*;
use crate::App;

/// The strokes kept on the receipt row: the receiver's and, if taken, the driver's.
#[derive(Debug, Serialize)]
struct StoredSignatures {
    receiver: Option<crate::receiving::signature::SignatureRecord>,
    driver: Option<crate::receiving::signature::SignatureRecord>,
}

/// The audit entry written when a receipt closes: what the rules concluded.
#[derive(Debug, Serialize)]
struct Assessment<'a> {
    session_id: Uuid,
    variance_value: String,
    threshold: String,
    sign_off: &'static str,
    signed_off_by: Option<Uuid>,
    signed_off_role: Option<Role>,
    flagged_lines: Vec<FlaggedLine<'a>>,
    stock_added: String,
}

#[derive(Debug, Serialize)]
struct FlaggedLine<'a> {
    line_no: u32,
    product_id: Uuid,
    sku: &'a str,
}

fn sign_off_name(s: SignOff) -> &'static str {
    match s {
        SignOff::NotNeeded => "not_needed",
        SignOff::ManagerSignedOff => "manager_signed_off",
        SignOff::OnReviewList => "on_review_list",
    }
}

impl App {
    /// Checks a manager's PIN for a sign-off and returns who they are and their role.
    /// The role itself is judged by the domain (`check_receipt_close`).
    fn verify_sign_off(&self, m: &ManagerSignOffInput) -> Result<(Uuid, Role), AppError> {
        let id = parse_id("staff", &m.staff_id)?;
        let state = self.receiving_state();
        if let Some(secs) = state.locked_for(id) {
            return Err(AppError::new(
                "SIGN_OFF_LOCKED",
                format!("Too many wrong PINs for this sign-off. Wait {secs} s."),
            ));
        }
        let member = self.store().staff_member(id)?;
        if member
            .outlet_id
            .is_some_and(|o| Some(o) != self.outlet_id().ok())
            && member.role < Role::AreaManager
        {
            return Err(AppError::new(
                "STAFF_OTHER_OUTLET",
                format!(
                    "{} works at another outlet and cannot sign off here.",
                    member.name
                ),
            ));
        }
        if !self.store().verify_pin(id, &m.pin)? {
            state.failed(id);
            tracing::warn!(staff_id = %id, "wrong sign-off PIN");
            return Err(AppError::new(
                "PIN_WRONG",
                format!("That PIN doesn't match {}. Try again.", member.name),
            ));
        }
        state.succeeded();
        Ok((id, member.role))
    }

    /// The domain's verdict on closing the whole receipt now.
    fn assess_close(
        snap: &Snapshot,
        policy: &tally_domain::VariancePolicy,
        evidence: &CloseEvidence,
    ) -> Result<ReceiptAssessment, AppError> {
        let assessment = check_receipt_close(&snap.domain_lines(), policy, evidence)?;
        let c = &snap.consignment;
        let ctx = TransitionContext {
            line_count: snap.lines.iter().filter(|l| l.on_consignment).count() as u32,
            total_received: Quantity::new(snap.total_received()),
            ..TransitionContext::default()
        };
        check_transition(c.kind, c.status, ConsignmentStatus::Received, &ctx)?;
        Ok(assessment)
    }

    /// Finishes the open session with the receiver's signature (and the driver's, if
    /// given). With `close_receipt` the whole receipt closes; otherwise more is coming.
    pub fn finish_receiving_session(
        &self,
        consignment_id: &str,
        input: FinishSessionInput,
    ) -> Result<SessionFinished, AppError> {
        let actor = self.actor()?;
        let staff_id = staff_of(&actor)?;
        let id = parse_id("consignment", consignment_id)?;
        let policy = self.receiving_policy();
        let vp = &policy.variance;
        // Refuse early what needs no store: counting must be open, signatures sane.
        Self::counting_session(&self.receiving_snapshot(id)?)?;

        // The receiver confirms: a signature, or their PIN where the chain allows it.
        if let Some(s) = &input.signature {
            s.validate()?;
        }
        if let Some(d) = &input.driver_signature {
            d.validate().map_err(|e| {
                AppError::new(&e.code, format!("Driver's signature: {}", e.message))
            })?;
        }
        let pin_confirmed = match (&input.signature, &input.confirm_pin) {
            (None, Some(pin)) if vp.pin_confirmation_allowed => {
                if !self.store().verify_pin(staff_id, pin)? {
                    return Err(AppError::new(
                        "PIN_WRONG",
                        "That PIN doesn't match. Try again.",
                    ));
                }
                true
            }
            _ => false,
        };
        if input.signature.is_none() && !pin_confirmed {
            return Err(DomainError::ReceiverSignatureRequired.into());
        }
        let manager = match (&input.manager, input.close_receipt) {
            (Some(m), true) => Some(self.verify_sign_off(m)?),
            _ => None,
        };
        // The sync loop may bring our own earlier changes back (a newer version) between
        // reading and writing; then read again and apply the rules to the fresh state.
        const ATTEMPTS: u32 = 3;
        let mut attempt = 1;
        loop {
            match self.finish_once(&actor, id, &input, pin_confirmed, manager) {
                Err(e) if e.code == "VERSION_CONFLICT" && attempt < ATTEMPTS => {
                    tracing::debug!(consignment_id = %id, attempt, "consignment changed while closing; reading it again");
                    attempt += 1;
                }
                other => return other,
            }
        }
    }

    /// One attempt: read, check with the domain, store the signature images, write.
    fn finish_once(
        &self,
        actor: &tally_store::Actor,
        id: Uuid,
        input: &FinishSessionInput,
        pin_confirmed: bool,
        manager: Option<(Uuid, Role)>,
    ) -> Result<SessionFinished, AppError> {
        let _serial = self.receiving_state().serial();
        let staff_id = staff_of(actor)?;
        let policy = self.receiving_policy();
        let vp = &policy.variance;
        let snap = self.receiving_snapshot(id)?;
        let session = Self::counting_session(&snap)?;
        let session_lines = snap.session_lines.get(&session.id).map_or(0, Vec::len);
        let assessment = if input.close_receipt {
            let evidence = CloseEvidence {
                receiver_signed: input.signature.is_some(),
                receiver_confirmed_with_pin: pin_confirmed,
                manager_sign_off: manager.map(|(_, role)| role),
            };
            Some(Self::assess_close(&snap, vp, &evidence)?)
        } else {
            if session_lines == 0 {
                return Err(AppError::new(
                    "NOTHING_COUNTED",
                    "Nothing was counted in this session. Count what arrived, or close the receipt if everything is in.",
                ));
            }
            // Damage is photographed when it is seen, not at the last session.
            if vp.damage_photo_required {
                if let Some(i) = snap
                    .lines
                    .iter()
                    .position(|l| l.damaged_this_session > Decimal::ZERO && l.photos.is_empty())
                {
                    return Err(DomainError::DamagePhotoRequired { line: line_no(i) }.into());
                }
            }
            None
        };

        // Evidence files first: named by their hash, so a failed transaction below
        // leaves at most an unreferenced file, never a reference without its file.
        let signed_at = rfc3339(OffsetDateTime::now_utc());
        let evidence = self.evidence()?;
        let store_png = |s: &Option<SignatureInput>| {
            s.as_ref()
                .map(|s| s.to_png().and_then(|png| Ok(evidence.put(&png)?)))
                .transpose()
        };
        let signature_png = store_png(&input.signature)?;
        let driver_png = store_png(&input.driver_signature)?;
        let strokes = serde_json::to_value(StoredSignatures {
            receiver: input
                .signature
                .as_ref()
                .map(|s| s.record(signed_at.clone())),
            driver: input
                .driver_signature
                .as_ref()
                .map(|s| s.record(signed_at.clone())),
        })
        .map_err(|e| {
            AppError::new(
                "SIGNATURE_INVALID",
                format!("The signature could not be kept: {e}"),
            )
        })?;
        let note = input
            .note
            .as_deref()
            .map(str::trim)
            .filter(|n| !n.is_empty())
            .map(|n| n.chars().take(500).collect::<String>());
        let close = ReceiptClose {
            signed_by: staff_id,
            signature_strokes: Some(strokes),
            signature_png: signature_png.clone(),
            driver_signature_png: driver_png,
            note,
        };
        let audit = assessment.as_ref().map(|a| Assessment {
            session_id: session.id,
            variance_value: a.variance_value.round_cents().to_string(),
            threshold: vp.sign_off_threshold.to_string(),
            sign_off: sign_off_name(a.sign_off),
            signed_off_by: manager.map(|(m, _)| m),
            signed_off_role: manager.map(|(_, r)| r),
            flagged_lines: a
                .flagged_lines
                .iter()
                .filter_map(|n| {
                    let l = snap.lines.get(usize::try_from(*n).ok()?.checked_sub(1)?)?;
                    Some(FlaggedLine {
                        line_no: *n,
                        product_id: l.product_id,
                        sku: &l.sku,
                    })
                })
                .collect(),
            stock_added: a.stock_added.to_string(),
        });
        let version = snap.consignment.version;
        self.store().transact(actor, |t| {
            t.close_receipt(session.id, close)?;
            if let Some(record) = &audit {
                t.set_consignment_status(id, version, ConsignmentStatus::Received)?;
                t.audit(
                    "receipt.assessed",
                    "consignment",
                    &id.to_string(),
                    None::<&()>,
                    Some(record),
                    None,
                )?;
            }
            Ok(())
        })?;
        self.nudge_sync();
        tracing::info!(
            consignment_id = %id,
            session_id = %session.id,
            closed = assessment.is_some(),
            sign_off = assessment.as_ref().map(|a| sign_off_name(a.sign_off)).unwrap_or("-"),
            "receive session finished"
        );
        let after = self.receiving_snapshot(id)?;
        Ok(SessionFinished {
            receipt_closed: assessment.is_some(),
            sign_off: assessment.as_ref().map(|a| match a.sign_off {
                SignOff::NotNeeded => SignOffResult::NotNeeded,
                SignOff::ManagerSignedOff => SignOffResult::ManagerSignedOff,
                SignOff::OnReviewList => SignOffResult::OnReviewList,
            }),
            flagged_lines: assessment
                .as_ref()
                .map(|a| a.flagged_lines.clone())
                .unwrap_or_default(),
            stock_added: assessment.as_ref().map(|a| a.stock_added.to_string()),
            signature: signature_png.map(|h| h.to_string()),
            view: self.receiving_view_of(&after),
        })
    }
}
