//! Pure business rules of Tally: consignment kinds and status machines, the
//! CIS <-> Lightspeed mapping, approval tiers, quantities, barcodes.
//!
//! Invariant: no IO, no async, no clock reads. Callers pass `now` in.

pub mod approval;
pub mod barcode;
pub mod consignment;
pub mod error;
pub mod freight;
pub mod legacy_status;
pub mod lightspeed;
pub mod lightspeed_mapping;
pub mod money;
pub mod reference;
pub mod role;
pub mod status_machine;
pub mod supplier_return;
pub mod transitions_doc;
pub mod variance;

#[cfg(test)]
mod test_support;

pub use approval::{
    effective_role, ApprovalPolicy, ApprovalProgress, ApprovalRecord, ApprovalTier, Approver,
    ApproverSlot, Decision, DecisionOutcome, Delegation, EditOutcome, OrderForApproval,
    RejectReason, StaffId,
};
pub use barcode::{
    parse_element_string, parse_scan, strip_aim, Gs1Data, Gs1Date, Gs1Element, Gtin, GtinFormat,
    ScanConfig, ScannedCode, Sscc, Symbology,
};
pub use consignment::{ConsignmentKind, ConsignmentStatus};
pub use error::{DomainError, ErrorCode};
pub use legacy_status::legacy_status;
pub use lightspeed::{LsConsignmentStatus, LsConsignmentType};
pub use lightspeed_mapping::{
    inbound_status, kind_for_ls_type, ls_allowed_next, ls_can_create_as, ls_check_transition,
    ls_create_status, ls_effect, ls_lines_editable, ls_status_after_received_count, ls_status_for,
    ls_statuses, ls_type, LsAction, LsLines,
};
pub use money::{consignment_totals, LineAmount, Money, Quantity, Totals, GST_RATE};
pub use reference::{ConsignmentReference, SequenceBlock};
pub use role::Role;
pub use status_machine::{
    allowed_next, check_line_change, check_line_edit, check_transition, edges, initial_status,
    is_closed, statuses, Edge, Guard, LineChange, Transition, TransitionContext,
};
pub use supplier_return::{
    check_credit, check_return_line, credit_position, document_number, CreditInput, CreditPosition,
    ReturnReason,
};
pub use variance::{
    assess_line, check_line, check_receipt_close, line_variance, stock_added, CloseEvidence,
    LineAssessment, ReceiptAssessment, ReceivedLine, SignOff, SignOffMode, VariancePolicy,
    VarianceReason,
};
