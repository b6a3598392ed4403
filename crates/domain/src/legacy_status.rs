//! The old PHP system's status names, for importing its data (ARCHITECTURE.md,
//! "Statuses"). Staff still use these words, so the mapping is kept exact.

use crate::consignment::{ConsignmentKind, ConsignmentStatus};
use crate::error::DomainError;

use ConsignmentStatus as S;

/// Maps an old status name (any case, surrounding spaces ignored) to the CIS status for
/// `kind`. The old OPEN also meant "waiting for approval" on purchase orders: pass
/// `awaiting_approval` from the old approval table. A combination with no meaning
/// (a packed purchase order, any old stocktake) is refused so a person looks at it.
pub fn legacy_status(
    kind: ConsignmentKind,
    name: &str,
    awaiting_approval: bool,
) -> Result<ConsignmentStatus, DomainError> {
    use ConsignmentKind as K;
    let upper = name.trim().to_ascii_uppercase();
    let base = match upper.as_str() {
        "DRAFT" => Some(S::Draft),
        "OPEN" if kind == K::PurchaseOrder && awaiting_approval => Some(S::PendingApproval),
        "OPEN" => Some(S::Draft),
        "PACKING" => Some(S::Packing),
        "PACKAGED" => Some(S::Packed),
        "SENT" => Some(S::Sent),
        "RECEIVING" | "PARTIAL" => Some(S::Receiving),
        "RECEIVED" | "CLOSED" | "ARCHIVED" => Some(S::Received),
        "CANCELLED" => Some(S::Cancelled),
        _ => None,
    };
    let fitted = base.and_then(|status| match (kind, status) {
        (K::Stocktake, _) => None,
        (K::PurchaseOrder, S::Packing | S::Packed) => None,
        // The old system tracked returns past SENT; in Tally a return ends when sent.
        (K::SupplierReturn, S::Receiving | S::Received) => Some(S::Sent),
        (_, status) => Some(status),
    });
    fitted.ok_or_else(|| DomainError::UnknownLegacyStatus {
        kind,
        name: name.chars().take(40).collect(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::status_machine::statuses;
    use ConsignmentKind as K;

    #[test]
    fn old_names_map_as_architecture_md_says() {
        let t = |name| legacy_status(K::OutletTransfer, name, false).unwrap();
        assert_eq!(t("DRAFT"), S::Draft);
        assert_eq!(t("OPEN"), S::Draft);
        assert_eq!(t("PACKING"), S::Packing);
        assert_eq!(t("PACKAGED"), S::Packed);
        assert_eq!(t("SENT"), S::Sent);
        assert_eq!(t("RECEIVING"), S::Receiving);
        assert_eq!(t("PARTIAL"), S::Receiving);
        assert_eq!(t("RECEIVED"), S::Received);
        assert_eq!(t("CLOSED"), S::Received);
        assert_eq!(t("ARCHIVED"), S::Received);
        assert_eq!(t("CANCELLED"), S::Cancelled);
    }

    #[test]
    fn old_open_purchase_order_waiting_for_approval_is_pending_approval() {
        assert_eq!(
            legacy_status(K::PurchaseOrder, "OPEN", true),
            Ok(S::PendingApproval)
        );
        assert_eq!(legacy_status(K::PurchaseOrder, "OPEN", false), Ok(S::Draft));
        assert_eq!(legacy_status(K::OutletTransfer, "OPEN", true), Ok(S::Draft));
    }

    #[test]
    fn names_are_matched_without_regard_to_case_or_spaces() {
        assert_eq!(
            legacy_status(K::OutletTransfer, " packaged ", false),
            Ok(S::Packed)
        );
    }

    #[test]
    fn returns_received_in_the_old_system_are_sent_here() {
        assert_eq!(
            legacy_status(K::SupplierReturn, "RECEIVED", false),
            Ok(S::Sent)
        );
        assert_eq!(
            legacy_status(K::SupplierReturn, "PARTIAL", false),
            Ok(S::Sent)
        );
    }

    #[test]
    fn meaningless_combinations_and_unknown_names_are_refused() {
        for (kind, name) in [
            (K::PurchaseOrder, "PACKAGED"),
            (K::Stocktake, "OPEN"),
            (K::OutletTransfer, "STOCK"),
            (K::OutletTransfer, ""),
        ] {
            let err = legacy_status(kind, name, false).unwrap_err();
            assert_eq!(err.code(), "UNKNOWN_LEGACY_STATUS", "{kind:?} {name}");
        }
    }

    #[test]
    fn every_mapped_status_exists_for_its_kind() {
        let names = [
            "DRAFT",
            "OPEN",
            "PACKING",
            "PACKAGED",
            "SENT",
            "RECEIVING",
            "PARTIAL",
            "RECEIVED",
            "CLOSED",
            "ARCHIVED",
            "CANCELLED",
        ];
        for kind in K::ALL {
            for name in names {
                for waiting in [false, true] {
                    if let Ok(status) = legacy_status(kind, name, waiting) {
                        assert!(statuses(kind).contains(&status), "{kind:?} {name}");
                    }
                }
            }
        }
    }
}
