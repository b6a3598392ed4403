//! Generates `docs/transitions.md`: every allowed transition per kind with its guards and
//! its Lightspeed effect, straight from the tables in `status_machine` and
//! `lightspeed_mapping`. A test compares the committed file with this output, so the
//! document cannot drift from the code.

use std::fmt::Write;

use crate::consignment::ConsignmentKind;
use crate::lightspeed::LsConsignmentType;
use crate::lightspeed_mapping::{
    ls_allowed_next, ls_effect, ls_status_for, ls_statuses, ls_type, LsAction,
};
use crate::status_machine::{
    check_line_change, edges, initial_status, is_closed, statuses, LineChange,
};

/// The markdown of `docs/transitions.md`.
pub fn transitions_markdown() -> String {
    let mut out = String::new();
    out.push_str("# Consignment status transitions\n\n");
    out.push_str(
        "Generated from `crates/domain` (`status_machine.rs`, `lightspeed_mapping.rs`); do not \
         edit by hand. After changing the rules run\n`TALLY_BLESS=1 cargo test -p tally-domain \
         --test transitions_doc` and commit the result; CI fails while this file differs from \
         the code.\n\n",
    );
    out.push_str(
        "A guard is checked before anything is written; the first that fails is the error. \
         \"Lightspeed effect\" is the status change the hub's worker makes (\"—\": none). \
         Cancelling a consignment with no lines deletes it in Lightspeed instead, because \
         Lightspeed refuses status changes on empty consignments.\n",
    );
    for kind in ConsignmentKind::ALL {
        write_kind(&mut out, kind);
    }
    write_lightspeed_rules(&mut out);
    out.push_str(
        "\n## Inbound Lightspeed statuses\n\n\
         A status read from Lightspeed (poller or webhook) moves a consignment forward to the \
         matching CIS status (SENT → sent, DISPATCHED → in_transit, RECEIVED → received, \
         stocktake statuses → counting / review / complete, CANCELLED or CLOSED → cancelled). \
         One that agrees with the current status changes nothing. One that would move it \
         backwards (RECEIVED → SENT replayed by a retry, anything after cancelled, a cancel \
         after received) is refused with `INBOUND_WOULD_MOVE_BACKWARDS` and reported, never \
         applied.\n",
    );
    out
}

fn write_kind(out: &mut String, kind: ConsignmentKind) {
    let ty = ls_type(kind);
    let _ = write!(
        out,
        "\n## {} (`{}`, Lightspeed `{}`)\n\nStarts in `{}`.\n\n",
        capitalise(kind.label()),
        kind.as_str(),
        ty.as_str(),
        initial_status(kind).as_str()
    );
    out.push_str(
        "| CIS status | Lightspeed status | closed | lines | packed | received | counted |\n",
    );
    out.push_str("|---|---|---|---|---|---|---|\n");
    for status in statuses(kind) {
        let ls = ls_status_for(kind, *status).map_or("?", |s| s.as_str());
        let edit = |change| {
            if check_line_change(kind, *status, change).is_ok() {
                "edit"
            } else {
                ""
            }
        };
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} | {} | {} | {} |",
            status.as_str(),
            ls,
            if is_closed(kind, *status) { "yes" } else { "" },
            edit(LineChange::Lines),
            edit(LineChange::Packed),
            edit(LineChange::Received),
            edit(LineChange::Counted),
        );
    }
    out.push_str("\n| from | to | action | guards | Lightspeed effect |\n|---|---|---|---|---|\n");
    for edge in edges(kind) {
        let guards: Vec<&str> = edge.guards.iter().map(|g| g.describe()).collect();
        let effect = match ls_effect(kind, edge.from, edge.to, 1) {
            Ok(Some(action)) => action.describe(),
            Ok(None) => "—".to_owned(),
            Err(e) => format!("error: {}", e.code()),
        };
        // Only where lines can still be removed can a consignment be empty here.
        let can_be_empty = check_line_change(kind, edge.from, LineChange::Lines).is_ok();
        let empty = match ls_effect(kind, edge.from, edge.to, 0) {
            Ok(Some(LsAction::DeleteIfExists)) if can_be_empty => " (no lines: delete)",
            _ => "",
        };
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} | {}{} |",
            edge.from.as_str(),
            edge.to.as_str(),
            edge.action,
            if guards.is_empty() {
                "—".to_owned()
            } else {
                guards.join(", ")
            },
            effect,
            empty
        );
    }
}

fn write_lightspeed_rules(out: &mut String) {
    out.push_str(
        "\n## Lightspeed's own rules\n\nEnforced by Lightspeed (and the fake server). Every \
         status change also needs at least one line; RECEIVED needs a line with a non-zero \
         received count. Setting a received count on a SENT `SUPPLIER` consignment moves it \
         to DISPATCHED by itself.\n\n| type | from | allowed next |\n|---|---|---|\n",
    );
    for ty in LsConsignmentType::ALL {
        for from in ls_statuses(ty) {
            let next: Vec<&str> = ls_allowed_next(ty, *from)
                .iter()
                .map(|s| s.as_str())
                .collect();
            let _ = writeln!(
                out,
                "| {} | {} | {} |",
                ty.as_str(),
                from.as_str(),
                if next.is_empty() {
                    "— (final)".to_owned()
                } else {
                    next.join(", ")
                }
            );
        }
    }
}

fn capitalise(text: &str) -> String {
    let mut chars = text.chars();
    chars
        .next()
        .map(|first| first.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_edge_appears_in_the_document() {
        let doc = transitions_markdown();
        for kind in ConsignmentKind::ALL {
            assert!(doc.contains(&format!("`{}`", kind.as_str())));
            for edge in edges(kind) {
                let row = format!(
                    "| {} | {} | {} |",
                    edge.from.as_str(),
                    edge.to.as_str(),
                    edge.action
                );
                assert!(doc.contains(&row), "{row}");
            }
        }
        assert!(doc.contains("| packed | sent | hand over | has lines, packed > 0, outlet not counting a stocktake | OPEN → SENT |"));
    }
}
