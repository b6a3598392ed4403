//! Purchase orders, approvals and supplier returns. Sending and e-mailing talk to an SMTP
//! relay, so they run off the main thread (the window stays responsive while they wait).

use std::sync::Arc;

use tally_app::purchasing::reorder::ReorderSuggestions;
use tally_app::purchasing::views::{
    ApprovalQueueItem, DecisionInput, EmailOutcome, PoLineEdit, PoScanOutcome, ProductChoice,
    PurchaseOrderView, ReasonChoice, SendOrderInput, SendOutcome, SupplierCard,
    SupplierHistoryView, TimelineEntry,
};
use tally_app::purchasing::{
    NewSupplierReturn, ReturnCandidate, ReturnLineInput, SupplierCreditInput,
    SupplierReturnSummary, SupplierReturnView,
};
use tally_app::{App, AppError};

use super::AppState;

/// Runs a use case that may wait on the network on a blocking thread.
async fn off_main<T: Send + 'static>(
    app: &AppState<'_>,
    f: impl FnOnce(&App) -> Result<T, AppError> + Send + 'static,
) -> Result<T, AppError> {
    let app: Arc<App> = Arc::clone(app.inner());
    tauri::async_runtime::spawn_blocking(move || f(&app))
        .await
        .map_err(|e| AppError::new("TASK_FAILED", format!("The task stopped: {e}")))?
}

/// Suppliers that can be ordered from.
#[tauri::command]
#[specta::specta]
pub fn list_suppliers(app: AppState<'_>) -> Result<Vec<SupplierCard>, AppError> {
    app.list_suppliers()
}

/// Creates a draft purchase order for a supplier at this outlet.
#[tauri::command]
#[specta::specta]
pub fn create_purchase_order(
    app: AppState<'_>,
    supplier_id: String,
) -> Result<PurchaseOrderView, AppError> {
    app.create_purchase_order(&supplier_id)
}

/// One purchase order.
#[tauri::command]
#[specta::specta]
pub fn purchase_order(app: AppState<'_>, id: String) -> Result<PurchaseOrderView, AppError> {
    app.purchase_order(&id)
}

/// Products matching a search, the order's supplier's first.
#[tauri::command]
#[specta::specta]
pub fn search_products_for_order(
    app: AppState<'_>,
    query: String,
    supplier_id: Option<String>,
) -> Result<Vec<ProductChoice>, AppError> {
    app.search_products_for_order(&query, supplier_id.as_deref())
}

/// The product a scanned or typed code names.
#[tauri::command]
#[specta::specta]
pub fn lookup_product_code(
    app: AppState<'_>,
    code: String,
    supplier_id: Option<String>,
) -> Result<ProductChoice, AppError> {
    app.lookup_product_code(&code, supplier_id.as_deref())
}

/// Adds units of a product (default 1) to an order.
#[tauri::command]
#[specta::specta]
pub fn add_to_purchase_order(
    app: AppState<'_>,
    order_id: String,
    product_id: String,
    quantity: Option<String>,
) -> Result<PurchaseOrderView, AppError> {
    app.add_to_purchase_order(&order_id, &product_id, quantity.as_deref())
}

/// Adds one unit of the product a scanned code names.
#[tauri::command]
#[specta::specta]
pub fn scan_into_purchase_order(
    app: AppState<'_>,
    order_id: String,
    code: String,
) -> Result<PoScanOutcome, AppError> {
    app.scan_into_purchase_order(&order_id, &code)
}

/// Sets a line's quantity and cost (0 removes it).
#[tauri::command]
#[specta::specta]
pub fn set_purchase_order_line(
    app: AppState<'_>,
    order_id: String,
    edit: PoLineEdit,
) -> Result<PurchaseOrderView, AppError> {
    app.set_purchase_order_line(&order_id, edit)
}

/// Removes a product from an order.
#[tauri::command]
#[specta::specta]
pub fn remove_purchase_order_line(
    app: AppState<'_>,
    order_id: String,
    product_id: String,
) -> Result<PurchaseOrderView, AppError> {
    app.remove_purchase_order_line(&order_id, &product_id)
}

/// Submits a draft for approval.
#[tauri::command]
#[specta::specta]
pub fn submit_purchase_order(app: AppState<'_>, id: String) -> Result<PurchaseOrderView, AppError> {
    app.submit_purchase_order(&id)
}

/// Records an approver's decision signed with their PIN.
#[tauri::command]
#[specta::specta]
pub fn decide_purchase_order(
    app: AppState<'_>,
    input: DecisionInput,
) -> Result<PurchaseOrderView, AppError> {
    app.decide_purchase_order(input)
}

/// Orders waiting for approval that the signed-in person may see.
#[tauri::command]
#[specta::specta]
pub fn approval_queue(app: AppState<'_>) -> Result<Vec<ApprovalQueueItem>, AppError> {
    app.approval_queue()
}

/// Reasons for rejecting an order.
#[tauri::command]
#[specta::specta]
pub fn reject_reasons(app: AppState<'_>) -> Vec<ReasonChoice> {
    app.reject_reasons()
}

/// Sends an approved order: status, PDF, e-mail.
#[tauri::command]
#[specta::specta]
pub async fn send_purchase_order(
    app: AppState<'_>,
    input: SendOrderInput,
) -> Result<SendOutcome, AppError> {
    off_main(&app, move |a| a.send_purchase_order(input)).await
}

/// E-mails a sent order's PDF again.
#[tauri::command]
#[specta::specta]
pub async fn email_purchase_order(
    app: AppState<'_>,
    order_id: String,
    email_to: String,
) -> Result<EmailOutcome, AppError> {
    off_main(&app, move |a| a.email_purchase_order(&order_id, &email_to)).await
}

/// A supplier's recent orders and their delivery variances.
#[tauri::command]
#[specta::specta]
pub fn supplier_history(
    app: AppState<'_>,
    supplier_id: String,
) -> Result<SupplierHistoryView, AppError> {
    app.supplier_history(&supplier_id)
}

/// Reorder suggestions for an order's supplier (or what data is missing).
#[tauri::command]
#[specta::specta]
pub fn reorder_suggestions(
    app: AppState<'_>,
    order_id: String,
) -> Result<ReorderSuggestions, AppError> {
    app.reorder_suggestions(&order_id)
}

/// Adds every reorder suggestion to the draft at its suggested quantity.
#[tauri::command]
#[specta::specta]
pub fn add_reorder_suggestions(
    app: AppState<'_>,
    order_id: String,
) -> Result<PurchaseOrderView, AppError> {
    app.add_reorder_suggestions(&order_id)
}

/// Every change to a consignment, with who and when.
#[tauri::command]
#[specta::specta]
pub fn consignment_timeline(app: AppState<'_>, id: String) -> Result<Vec<TimelineEntry>, AppError> {
    app.consignment_timeline(&id)
}

/// Damaged, wrong or expired items a consignment's receipts found that can go back.
#[tauri::command]
#[specta::specta]
pub fn return_candidates(
    app: AppState<'_>,
    consignment_id: String,
) -> Result<Vec<ReturnCandidate>, AppError> {
    app.return_candidates(&consignment_id)
}

/// Creates a supplier return.
#[tauri::command]
#[specta::specta]
pub fn create_supplier_return(
    app: AppState<'_>,
    input: NewSupplierReturn,
) -> Result<SupplierReturnView, AppError> {
    app.create_supplier_return(input)
}

/// Sets a return line (0 removes it).
#[tauri::command]
#[specta::specta]
pub fn set_supplier_return_line(
    app: AppState<'_>,
    return_id: String,
    input: ReturnLineInput,
) -> Result<SupplierReturnView, AppError> {
    app.set_supplier_return_line(&return_id, input)
}

/// Sends a draft return to the packing bench.
#[tauri::command]
#[specta::specta]
pub fn release_supplier_return(
    app: AppState<'_>,
    return_id: String,
    authorisation_number: Option<String>,
) -> Result<SupplierReturnView, AppError> {
    app.release_supplier_return(&return_id, authorisation_number.as_deref())
}

/// One supplier return.
#[tauri::command]
#[specta::specta]
pub fn supplier_return(
    app: AppState<'_>,
    return_id: String,
) -> Result<SupplierReturnView, AppError> {
    app.supplier_return(&return_id)
}

/// Sets (or clears) a return's authorisation number.
#[tauri::command]
#[specta::specta]
pub fn set_supplier_return_authorisation(
    app: AppState<'_>,
    return_id: String,
    authorisation_number: Option<String>,
) -> Result<SupplierReturnView, AppError> {
    app.set_supplier_return_authorisation(&return_id, authorisation_number.as_deref())
}

/// Records a supplier credit note against a return.
#[tauri::command]
#[specta::specta]
pub fn record_supplier_credit(
    app: AppState<'_>,
    return_id: String,
    input: SupplierCreditInput,
) -> Result<SupplierReturnView, AppError> {
    app.record_supplier_credit(&return_id, input)
}

/// This outlet's supplier returns (only those still owed credit when asked).
#[tauri::command]
#[specta::specta]
pub fn supplier_returns(
    app: AppState<'_>,
    outstanding_only: bool,
) -> Result<Vec<SupplierReturnSummary>, AppError> {
    app.supplier_returns(outstanding_only)
}
