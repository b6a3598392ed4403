//! The tauri-specta builder: the single list of commands and events, and the generated
//! TypeScript bindings in `ui/src/bindings.ts` (checked by a test so CI fails when stale).

use tauri_specta::{collect_commands, collect_events, Builder};

use crate::{commands, events};

/// Every command and event the UI may use.
pub fn builder() -> Builder<tauri::Wry> {
    Builder::<tauri::Wry>::new()
        // One TypeScript shape per type: the UI reads what Rust serialises.
        .disable_serde_phases()
        .commands(collect_commands![
            crate::problem::startup_problem,
            commands::session::station_info,
            commands::session::list_staff,
            commands::session::current_session,
            commands::session::sign_in,
            commands::session::sign_out,
            commands::session::list_open_consignments,
            commands::session::sync_status,
            commands::session::consignment_detail,
            commands::freight::freight_quotes,
            commands::freight::freight_book,
            commands::freight::freight_book_when_online,
            commands::freight::freight_status,
            commands::freight::freight_incoming_tracking,
            commands::freight::freight_cancel,
            commands::packing::packing_view,
            commands::packing::packing_scan,
            commands::packing::packing_confirm_overpack,
            commands::packing::packing_add_to_consignment,
            commands::packing::packing_pack_product,
            commands::packing::packing_search_products,
            commands::packing::packing_undo,
            commands::packing::packing_open_box,
            commands::packing::packing_close_box,
            commands::packing::packing_reprint_label,
            commands::packing::packing_live_weight,
            commands::packing::packing_send_check,
            commands::packing::packing_send,
            commands::packing::packing_command_codes,
            commands::attention::needs_attention,
            commands::attention::retry_change,
            commands::attention::discard_change,
            commands::attention::sync_now,
            commands::attention::demo_hub_link,
            commands::attention::set_demo_hub_link,
            commands::purchasing::list_suppliers,
            commands::purchasing::create_purchase_order,
            commands::purchasing::purchase_order,
            commands::purchasing::search_products_for_order,
            commands::purchasing::lookup_product_code,
            commands::purchasing::add_to_purchase_order,
            commands::purchasing::scan_into_purchase_order,
            commands::purchasing::set_purchase_order_line,
            commands::purchasing::remove_purchase_order_line,
            commands::purchasing::submit_purchase_order,
            commands::purchasing::decide_purchase_order,
            commands::purchasing::approval_queue,
            commands::purchasing::reject_reasons,
            commands::purchasing::send_purchase_order,
            commands::purchasing::email_purchase_order,
            commands::purchasing::supplier_history,
            commands::purchasing::reorder_suggestions,
            commands::purchasing::add_reorder_suggestions,
            commands::purchasing::consignment_timeline,
            commands::purchasing::return_candidates,
            commands::purchasing::create_supplier_return,
            commands::purchasing::set_supplier_return_line,
            commands::purchasing::release_supplier_return,
            commands::purchasing::supplier_return,
            commands::purchasing::set_supplier_return_authorisation,
            commands::purchasing::record_supplier_credit,
            commands::purchasing::supplier_returns,
            commands::receiving::receiving_view,
            commands::receiving::start_receiving,
            commands::receiving::receiving_scan,
            commands::receiving::receiving_count,
            commands::receiving::receiving_damaged,
            commands::receiving::receiving_reason,
            commands::receiving::receive_all_as_expected,
            commands::receiving::receiving_add_unexpected,
            commands::receiving::receiving_find_products,
            commands::receiving::receiving_add_photo,
            commands::receiving::receiving_evidence_thumbnail,
            commands::receiving::finish_receiving_session,
            commands::receiving::receiving_report,
            commands::devices::device_settings,
            commands::devices::discover_devices,
            commands::devices::save_device_settings,
            commands::devices::device_status,
            commands::devices::scale_zero,
            commands::devices::scale_tare,
            commands::devices::scale_clear_tare,
            commands::devices::test_scan,
            commands::devices::test_print_label,
            commands::devices::test_print_page,
            commands::devices::printer_status,
        ])
        .events(collect_events![
            events::SyncStatusChanged,
            events::DataChanged,
            events::DeviceChanged
        ])
}

/// Where the generated bindings live, relative to the workspace root.
#[cfg(test)]
const BINDINGS_PATH: &str = "ui/src/bindings.ts";

/// Renders the bindings into `path` (the test below keeps the committed file fresh).
#[cfg(test)]
fn export(path: &std::path::Path) -> anyhow::Result<()> {
    builder()
        .export(
            specta_typescript::Typescript::default().header("// Generated by tauri-specta from the Rust types (src-tauri/src/bindings.rs). Do not edit.\n// Regenerate: TALLY_BLESS=1 cargo test -p tally bindings\n"),
            path,
        )
        .map_err(|e| anyhow::anyhow!("exporting TypeScript bindings: {e}"))
}

#[cfg(test)]
mod tests {
    use std::path::PathBuf;

    #[test]
    fn bindings_are_up_to_date() {
        let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
        let committed = root.join(super::BINDINGS_PATH);
        let fresh = tempfile_path();
        super::export(&fresh).unwrap();
        let fresh_text = std::fs::read_to_string(&fresh).unwrap();
        if std::env::var_os("TALLY_BLESS").is_some() {
            std::fs::write(&committed, &fresh_text).unwrap();
            return;
        }
        let committed_text = std::fs::read_to_string(&committed).unwrap_or_default();
        assert!(
            committed_text == fresh_text,
            "ui/src/bindings.ts is stale: run `TALLY_BLESS=1 cargo test -p tally bindings` and commit it"
        );
    }

    fn tempfile_path() -> PathBuf {
        std::env::temp_dir().join(format!("tally-bindings-{}.ts", std::process::id()))
    }
}
