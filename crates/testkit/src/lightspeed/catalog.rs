//! Read-only catalog routes: products, outlets, suppliers, inventory and sales, each
//! walked by version cursor (deleted objects included with `deleted_at`).

use std::collections::HashMap;

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;

use super::server::AppState;
use super::store::{Table, Versioned};
use super::wire::{collection, cursor_params, data, ApiError};

fn page_of<T: Versioned>(
    table: &Table<T>,
    after: u64,
    n: usize,
    keep: impl Fn(&T) -> bool,
) -> Response {
    let page = table.page(after, n, keep);
    let min = page.first().map(|r| r.version());
    let max = page.last().map(|r| r.version());
    collection(page.iter().map(|r| r.to_json()).collect(), min, max)
}

fn cursor(app: &AppState, q: &HashMap<String, String>) -> Result<(u64, usize), ApiError> {
    cursor_params(q, app.config.default_page_size, app.config.max_page_size)
}

/// `GET /products`.
pub(crate) async fn products(
    State(app): State<AppState>,
    Query(q): Query<HashMap<String, String>>,
) -> Result<Response, ApiError> {
    let (after, n) = cursor(&app, &q)?;
    Ok(page_of(&app.store().products, after, n, |_| true))
}

/// `GET /products/{id}`.
pub(crate) async fn product(
    State(app): State<AppState>,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let store = app.store();
    let row = store
        .products
        .live(&id)
        .ok_or_else(|| ApiError::not_found("product"))?;
    Ok(data(StatusCode::OK, row.to_json()))
}

/// `GET /outlets`.
pub(crate) async fn outlets(
    State(app): State<AppState>,
    Query(q): Query<HashMap<String, String>>,
) -> Result<Response, ApiError> {
    let (after, n) = cursor(&app, &q)?;
    Ok(page_of(&app.store().outlets, after, n, |_| true))
}

/// `GET /suppliers`.
pub(crate) async fn suppliers(
    State(app): State<AppState>,
    Query(q): Query<HashMap<String, String>>,
) -> Result<Response, ApiError> {
    let (after, n) = cursor(&app, &q)?;
    Ok(page_of(&app.store().suppliers, after, n, |_| true))
}

/// `GET /inventory` (optionally `outlet_id`, `product_id`). Read-only: only
/// consignments move stock.
pub(crate) async fn inventory(
    State(app): State<AppState>,
    Query(q): Query<HashMap<String, String>>,
) -> Result<Response, ApiError> {
    let (after, n) = cursor(&app, &q)?;
    let outlet = q.get("outlet_id").cloned();
    let product = q.get("product_id").cloned();
    Ok(page_of(&app.store().inventory, after, n, |r| {
        outlet.as_ref().is_none_or(|o| &r.outlet_id == o)
            && product.as_ref().is_none_or(|p| &r.product_id == p)
    }))
}

/// `GET /sales` (optionally `outlet_id`): register sales with their line items, by
/// version (a voided sale comes again as `VOIDED`, a deleted one with `deleted_at`).
pub(crate) async fn sales(
    State(app): State<AppState>,
    Query(q): Query<HashMap<String, String>>,
) -> Result<Response, ApiError> {
    let (after, n) = cursor(&app, &q)?;
    let outlet = q.get("outlet_id").cloned();
    Ok(page_of(&app.store().sales, after, n, |r| {
        outlet.as_ref().is_none_or(|o| &r.outlet_id == o)
    }))
}
