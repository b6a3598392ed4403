//! Lightspeed's consignment rules as the fake enforces them.
//!
//! Written independently of `tally_domain` on purpose: the fake models an external
//! system and serves as an oracle for the domain's own state machine, so a bug
//! copied into both would go unnoticed.

/// Consignment `type` on the wire.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub(crate) enum Kind {
    Supplier,
    Outlet,
    Return,
    Stocktake,
}

impl Kind {
    pub(crate) fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "SUPPLIER" => Kind::Supplier,
            "OUTLET" => Kind::Outlet,
            "RETURN" => Kind::Return,
            "STOCKTAKE" => Kind::Stocktake,
            _ => return None,
        })
    }

    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Kind::Supplier => "SUPPLIER",
            Kind::Outlet => "OUTLET",
            Kind::Return => "RETURN",
            Kind::Stocktake => "STOCKTAKE",
        }
    }

    /// Statuses a consignment of this type may be created in.
    pub(crate) fn initial_statuses(self) -> &'static [Status] {
        match self {
            // "Cannot be created as DISPATCHED or RECEIVED."
            Kind::Supplier => &[Status::Open, Status::Sent],
            Kind::Outlet | Kind::Return => &[Status::Open],
            Kind::Stocktake => &[Status::StocktakeScheduled],
        }
    }
}

/// Consignment `status` on the wire.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub(crate) enum Status {
    Open,
    Sent,
    Dispatched,
    Received,
    Cancelled,
    StocktakeScheduled,
    StocktakeInProgress,
    StocktakeInProgressProcessed,
    StocktakeComplete,
    Closed,
}

impl Status {
    pub(crate) fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "OPEN" => Status::Open,
            "SENT" => Status::Sent,
            "DISPATCHED" => Status::Dispatched,
            "RECEIVED" => Status::Received,
            "CANCELLED" => Status::Cancelled,
            "STOCKTAKE_SCHEDULED" => Status::StocktakeScheduled,
            "STOCKTAKE_IN_PROGRESS" => Status::StocktakeInProgress,
            "STOCKTAKE_IN_PROGRESS_PROCESSED" => Status::StocktakeInProgressProcessed,
            "STOCKTAKE_COMPLETE" => Status::StocktakeComplete,
            "CLOSED" => Status::Closed,
            _ => return None,
        })
    }

    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Status::Open => "OPEN",
            Status::Sent => "SENT",
            Status::Dispatched => "DISPATCHED",
            Status::Received => "RECEIVED",
            Status::Cancelled => "CANCELLED",
            Status::StocktakeScheduled => "STOCKTAKE_SCHEDULED",
            Status::StocktakeInProgress => "STOCKTAKE_IN_PROGRESS",
            Status::StocktakeInProgressProcessed => "STOCKTAKE_IN_PROGRESS_PROCESSED",
            Status::StocktakeComplete => "STOCKTAKE_COMPLETE",
            Status::Closed => "CLOSED",
        }
    }

    /// No line may be added, changed or deleted any more.
    pub(crate) fn is_closed(self) -> bool {
        matches!(
            self,
            Status::Received | Status::Cancelled | Status::StocktakeComplete | Status::Closed
        )
    }

    /// `DELETE /consignments/{id}` is accepted (UNCERTAIN in the real API: the fake
    /// only deletes consignments that never moved stock).
    pub(crate) fn is_deletable(self) -> bool {
        matches!(
            self,
            Status::Open | Status::Cancelled | Status::StocktakeScheduled
        )
    }
}

/// Whether `kind` may go from `from` to `to` (a change; same-status is handled by the caller).
pub(crate) fn transition_allowed(kind: Kind, from: Status, to: Status) -> bool {
    use Status::*;
    match kind {
        Kind::Supplier => matches!(
            (from, to),
            (Open, Sent)
                | (Sent, Dispatched)
                | (Dispatched, Received)
                | (Open | Sent | Dispatched, Cancelled)
        ),
        Kind::Outlet => matches!(
            (from, to),
            (Open, Sent) | (Sent, Received) | (Open | Sent, Cancelled)
        ),
        Kind::Return => matches!((from, to), (Open, Sent) | (Open, Cancelled)),
        Kind::Stocktake => matches!(
            (from, to),
            (StocktakeScheduled, StocktakeInProgress)
                | (StocktakeInProgress, StocktakeInProgressProcessed)
                | (StocktakeInProgressProcessed, StocktakeComplete)
                | (
                    StocktakeScheduled | StocktakeInProgress | StocktakeInProgressProcessed,
                    Cancelled | Closed
                )
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ALL: [Status; 10] = [
        Status::Open,
        Status::Sent,
        Status::Dispatched,
        Status::Received,
        Status::Cancelled,
        Status::StocktakeScheduled,
        Status::StocktakeInProgress,
        Status::StocktakeInProgressProcessed,
        Status::StocktakeComplete,
        Status::Closed,
    ];

    fn allowed(kind: Kind) -> Vec<(&'static str, &'static str)> {
        let mut out = Vec::new();
        for from in ALL {
            for to in ALL {
                if transition_allowed(kind, from, to) {
                    out.push((from.as_str(), to.as_str()));
                }
            }
        }
        out
    }

    #[test]
    fn supplier_orders_go_open_sent_dispatched_received_and_cancel_before_received() {
        assert_eq!(
            allowed(Kind::Supplier),
            [
                ("OPEN", "SENT"),
                ("OPEN", "CANCELLED"),
                ("SENT", "DISPATCHED"),
                ("SENT", "CANCELLED"),
                ("DISPATCHED", "RECEIVED"),
                ("DISPATCHED", "CANCELLED"),
            ]
        );
    }

    #[test]
    fn outlet_transfers_have_no_dispatched_and_cancel_only_from_open_or_sent() {
        assert_eq!(
            allowed(Kind::Outlet),
            [
                ("OPEN", "SENT"),
                ("OPEN", "CANCELLED"),
                ("SENT", "RECEIVED"),
                ("SENT", "CANCELLED"),
            ]
        );
    }

    #[test]
    fn returns_only_send_or_cancel_from_open() {
        assert_eq!(
            allowed(Kind::Return),
            [("OPEN", "SENT"), ("OPEN", "CANCELLED")]
        );
    }

    #[test]
    fn stocktakes_move_forward_and_cancel_or_close_before_complete() {
        let a = allowed(Kind::Stocktake);
        assert_eq!(a.len(), 9);
        assert!(a.contains(&("STOCKTAKE_IN_PROGRESS_PROCESSED", "STOCKTAKE_COMPLETE")));
        assert!(!a.iter().any(|(from, _)| *from == "STOCKTAKE_COMPLETE"));
    }

    #[test]
    fn unknown_types_and_statuses_do_not_parse() {
        assert_eq!(Kind::parse("STOCK"), None);
        assert_eq!(Kind::parse("outlet"), None);
        assert_eq!(Status::parse("PACKED"), None);
        for s in ALL {
            assert_eq!(Status::parse(s.as_str()), Some(s));
        }
    }
}
