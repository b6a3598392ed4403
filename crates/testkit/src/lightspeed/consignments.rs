//! Consignments and their lines: the rules Lightspeed enforces, the stock they move,
//! and the HTTP handlers.

use std::collections::HashMap;

use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use rust_decimal::Decimal;
use serde_json::{json, Map, Value};

use super::rules::{transition_allowed, Kind, Status};
use super::server::AppState;
use super::store::{ConsignmentRow, LineRow, Store, Versioned};
use super::wire::{
    collection, cursor_params, data, decimal_field, now_rfc3339, object, parse_body, string_field,
    ApiError,
};

/// Fields of a line given in a request; `None` = not given.
#[derive(Debug, Default, Clone)]
struct LineInput {
    product_id: String,
    count: Option<Decimal>,
    received: Option<Decimal>,
    cost: Option<Decimal>,
}

fn line_input(obj: &Map<String, Value>, product_id: Option<&str>) -> Result<LineInput, ApiError> {
    let product_id = match product_id {
        Some(p) => p.to_string(),
        None => string_field(obj, "product_id")?
            .ok_or_else(|| ApiError::bad_request("product_id is required"))?,
    };
    let input = LineInput {
        product_id,
        count: decimal_field(obj, "count")?,
        received: decimal_field(obj, "received")?,
        cost: decimal_field(obj, "cost")?,
    };
    for (name, v) in [
        ("count", input.count),
        ("received", input.received),
        ("cost", input.cost),
    ] {
        if v.is_some_and(|v| v.is_sign_negative() && !v.is_zero()) {
            return Err(ApiError::bad_request(format!("{name} cannot be negative")));
        }
    }
    Ok(input)
}

fn line_json(consignment_id: &str, line: &LineRow) -> Value {
    let mut v = serde_json::to_value(line).unwrap_or(Value::Null);
    if let Some(o) = v.as_object_mut() {
        o.insert("consignment_id".into(), json!(consignment_id));
    }
    v
}

fn closed_error(row: &ConsignmentRow, what: &str) -> ApiError {
    ApiError::bad_request(format!("consignment is {}; {what}", row.status.as_str()))
}

impl Store {
    fn live_consignment(&self, id: &str) -> Result<ConsignmentRow, ApiError> {
        self.consignments
            .live(id)
            .cloned()
            .ok_or_else(|| ApiError::not_found("consignment"))
    }

    fn require_outlet(&self, field: &str, id: &str) -> Result<(), ApiError> {
        self.outlets
            .live(id)
            .map(|_| ())
            .ok_or_else(|| ApiError::bad_request(format!("{field} {id} is not an outlet")))
    }

    /// `POST /consignments`.
    pub(crate) fn create_consignment(&mut self, body: &Value) -> Result<ConsignmentRow, ApiError> {
        let obj = object(body)?;
        let type_name =
            string_field(obj, "type")?.ok_or_else(|| ApiError::bad_request("type is required"))?;
        let kind = Kind::parse(&type_name).ok_or_else(|| {
            ApiError::bad_request(format!(
                "unknown consignment type {type_name}; expected SUPPLIER, OUTLET, RETURN or STOCKTAKE"
            ))
        })?;
        let status = match string_field(obj, "status")? {
            None => kind.initial_statuses()[0],
            Some(s) => {
                let status = Status::parse(&s)
                    .ok_or_else(|| ApiError::bad_request(format!("unknown status {s}")))?;
                if !kind.initial_statuses().contains(&status) {
                    return Err(ApiError::bad_request(format!(
                        "a {} consignment cannot be created as {s}",
                        kind.as_str()
                    )));
                }
                status
            }
        };
        let outlet_id = string_field(obj, "outlet_id")?
            .ok_or_else(|| ApiError::bad_request("outlet_id is required"))?;
        self.require_outlet("outlet_id", &outlet_id)?;
        let source_outlet_id = string_field(obj, "source_outlet_id")?;
        if kind == Kind::Outlet {
            let source = source_outlet_id
                .as_deref()
                .ok_or_else(|| ApiError::bad_request("source_outlet_id is required for OUTLET"))?;
            self.require_outlet("source_outlet_id", source)?;
            if source == outlet_id {
                return Err(ApiError::bad_request(
                    "source_outlet_id and outlet_id must differ",
                ));
            }
        }
        let supplier_id = string_field(obj, "supplier_id")?;
        if let Some(s) = &supplier_id {
            if self.suppliers.live(s).is_none() {
                return Err(ApiError::bad_request(format!(
                    "supplier_id {s} is not a supplier"
                )));
            }
        }
        let now = now_rfc3339();
        let row = ConsignmentRow {
            id: uuid::Uuid::new_v4().to_string(),
            kind,
            status,
            name: string_field(obj, "name")?,
            reference: string_field(obj, "reference")?,
            outlet_id,
            source_outlet_id,
            supplier_id,
            due_at: string_field(obj, "due_at")?,
            created_at: now.clone(),
            updated_at: now,
            received_at: None,
            lines: Vec::new(),
            version: 0,
            deleted_at: None,
        };
        let id = row.id.clone();
        self.put_consignment(row);
        self.live_consignment(&id)
    }

    /// `PUT /consignments/{id}`: fields, and status through Lightspeed's rules.
    pub(crate) fn update_consignment(
        &mut self,
        id: &str,
        body: &Value,
    ) -> Result<ConsignmentRow, ApiError> {
        let obj = object(body)?;
        let mut row = self.live_consignment(id)?;
        if let Some(t) = string_field(obj, "type")? {
            if t != row.kind.as_str() {
                return Err(ApiError::bad_request("type cannot be changed"));
            }
        }
        if let Some(o) = string_field(obj, "outlet_id")? {
            self.require_outlet("outlet_id", &o)?;
            row.outlet_id = o;
        }
        if let Some(o) = string_field(obj, "source_outlet_id")? {
            self.require_outlet("source_outlet_id", &o)?;
            row.source_outlet_id = Some(o);
        }
        if let Some(s) = string_field(obj, "supplier_id")? {
            if self.suppliers.live(&s).is_none() {
                return Err(ApiError::bad_request(format!(
                    "supplier_id {s} is not a supplier"
                )));
            }
            row.supplier_id = Some(s);
        }
        for (field, slot) in [
            ("name", &mut row.name),
            ("reference", &mut row.reference),
            ("due_at", &mut row.due_at),
        ] {
            if let Some(v) = string_field(obj, field)? {
                *slot = Some(v);
            }
        }
        if let Some(s) = string_field(obj, "status")? {
            let to = Status::parse(&s)
                .ok_or_else(|| ApiError::bad_request(format!("unknown status {s}")))?;
            if to != row.status {
                self.change_status(&mut row, to)?;
            }
        }
        self.put_consignment(row);
        self.live_consignment(id)
    }

    fn change_status(&mut self, row: &mut ConsignmentRow, to: Status) -> Result<(), ApiError> {
        let from = row.status;
        if row.lines.is_empty() {
            return Err(ApiError::bad_request(
                "a consignment with no products cannot change status",
            ));
        }
        if !transition_allowed(row.kind, from, to) {
            return Err(ApiError::bad_request(format!(
                "a {} consignment cannot go from {} to {}",
                row.kind.as_str(),
                from.as_str(),
                to.as_str()
            )));
        }
        if to == Status::Received
            && !row
                .lines
                .iter()
                .any(|l| l.received.is_some_and(|r| !r.is_zero()))
        {
            return Err(ApiError::bad_request(
                "cannot receive a consignment with nothing received",
            ));
        }
        self.move_stock(row, from, to);
        row.status = to;
        if to == Status::Received {
            row.received_at = Some(now_rfc3339());
        }
        Ok(())
    }

    /// Stock moves with the consignment: sending a transfer or return takes it from
    /// the source, receiving adds what was received at the destination, a completed
    /// stocktake sets counted levels. Cancelling a sent transfer puts it back (UNCERTAIN).
    fn move_stock(&mut self, row: &ConsignmentRow, from: Status, to: Status) {
        let lines = row.lines.clone();
        match (row.kind, to) {
            (Kind::Outlet, Status::Sent) => {
                if let Some(src) = &row.source_outlet_id {
                    for l in &lines {
                        self.adjust_inventory(&l.product_id, src, -l.count);
                    }
                }
            }
            (Kind::Outlet, Status::Cancelled) if from == Status::Sent => {
                if let Some(src) = &row.source_outlet_id {
                    for l in &lines {
                        self.adjust_inventory(&l.product_id, src, l.count);
                    }
                }
            }
            (Kind::Return, Status::Sent) => {
                for l in &lines {
                    self.adjust_inventory(&l.product_id, &row.outlet_id, -l.count);
                }
            }
            (Kind::Outlet | Kind::Supplier, Status::Received) => {
                for l in &lines {
                    let got = l.received.unwrap_or_default();
                    self.adjust_inventory(&l.product_id, &row.outlet_id, got);
                }
            }
            (Kind::Stocktake, Status::StocktakeComplete) => {
                for l in &lines {
                    if let Some(counted) = l.received {
                        self.set_inventory(&l.product_id, &row.outlet_id, counted);
                    }
                }
            }
            _ => {}
        }
    }

    fn open_for_lines(&self, id: &str, what: &str) -> Result<ConsignmentRow, ApiError> {
        let row = self.live_consignment(id)?;
        if row.status.is_closed() {
            return Err(closed_error(&row, what));
        }
        Ok(row)
    }

    fn check_line(&self, row: &ConsignmentRow, input: &LineInput) -> Result<(), ApiError> {
        if self.products.live(&input.product_id).is_none() {
            return Err(ApiError::bad_request(format!(
                "product_id {} is not a product",
                input.product_id
            )));
        }
        let shipped = matches!(row.kind, Kind::Outlet | Kind::Return) && row.status != Status::Open;
        if shipped && input.count.is_some() {
            if let Some(existing) = row.line(&input.product_id) {
                if Some(existing.count) != input.count {
                    return Err(ApiError::bad_request(
                        "count cannot change once the consignment was sent; set received",
                    ));
                }
            } else {
                return Err(ApiError::bad_request(
                    "products cannot be added once the consignment was sent",
                ));
            }
        }
        Ok(())
    }

    /// "Setting a received quantity while SENT moves it to DISPATCHED" (SUPPLIER only).
    fn auto_dispatch(row: &mut ConsignmentRow, inputs: &[LineInput]) {
        let set_received = inputs
            .iter()
            .any(|i| i.received.is_some_and(|r| !r.is_zero()));
        if row.kind == Kind::Supplier && row.status == Status::Sent && set_received {
            row.status = Status::Dispatched;
        }
    }

    /// `POST /consignments/{id}/products`: adds one line.
    pub(crate) fn add_line(&mut self, id: &str, body: &Value) -> Result<LineRow, ApiError> {
        let mut row = self.open_for_lines(id, "products cannot be added")?;
        let input = line_input(object(body)?, None)?;
        self.check_line(&row, &input)?;
        if row.line(&input.product_id).is_some() {
            return Err(ApiError::bad_request(format!(
                "product {} is already in the consignment; use PUT to change it",
                input.product_id
            )));
        }
        let count = input
            .count
            .ok_or_else(|| ApiError::bad_request("count is required"))?;
        let cost = match input.cost {
            Some(c) => c,
            None => self
                .products
                .get(&input.product_id)
                .map(|p| p.supply_price)
                .unwrap_or_default(),
        };
        let line = LineRow {
            id: uuid::Uuid::new_v4().to_string(),
            product_id: input.product_id.clone(),
            count,
            received: input.received,
            cost,
        };
        row.lines.push(line.clone());
        Self::auto_dispatch(&mut row, &[input]);
        self.put_consignment(row);
        Ok(line)
    }

    /// `PUT /consignments/{id}/products/{product_id}`: sets absolute values.
    pub(crate) fn put_line(
        &mut self,
        id: &str,
        product_id: &str,
        body: &Value,
    ) -> Result<LineRow, ApiError> {
        let mut row = self.open_for_lines(id, "products cannot be changed")?;
        let input = line_input(object(body)?, Some(product_id))?;
        if row.line(product_id).is_none() {
            return Err(ApiError::not_found("product in consignment"));
        }
        self.check_line(&row, &input)?;
        let line = row
            .lines
            .iter_mut()
            .find(|l| l.product_id == product_id)
            .ok_or_else(|| ApiError::not_found("product in consignment"))?;
        if let Some(c) = input.count {
            line.count = c;
        }
        if let Some(r) = input.received {
            line.received = Some(r);
        }
        if let Some(c) = input.cost {
            line.cost = c;
        }
        let line = line.clone();
        Self::auto_dispatch(&mut row, &[input]);
        self.put_consignment(row);
        Ok(line)
    }

    /// `DELETE /consignments/{id}/products/{product_id}`.
    pub(crate) fn delete_line(&mut self, id: &str, product_id: &str) -> Result<(), ApiError> {
        let mut row = self.open_for_lines(id, "products cannot be deleted")?;
        let before = row.lines.len();
        row.lines.retain(|l| l.product_id != product_id);
        if row.lines.len() == before {
            return Err(ApiError::not_found("product in consignment"));
        }
        if matches!(row.kind, Kind::Outlet | Kind::Return) && row.status != Status::Open {
            return Err(ApiError::bad_request(
                "products cannot be deleted once the consignment was sent",
            ));
        }
        self.put_consignment(row);
        Ok(())
    }

    /// `POST /consignments/{id}/bulk`: up to `limit` lines, all or nothing. On SUPPLIER
    /// consignments the values are ADDED to existing lines (a retried bulk doubles
    /// quantities, as in Lightspeed); other types set them.
    pub(crate) fn bulk_lines(
        &mut self,
        id: &str,
        body: &Value,
        limit: usize,
    ) -> Result<Vec<LineRow>, ApiError> {
        let mut row = self.open_for_lines(id, "products cannot be added")?;
        let items = body
            .as_array()
            .or_else(|| body.get("data").and_then(Value::as_array))
            .ok_or_else(|| ApiError::bad_request("expected an array of products"))?;
        if items.is_empty() || items.len() > limit {
            return Err(ApiError::bad_request(format!(
                "bulk takes 1 to {limit} products, got {}",
                items.len()
            )));
        }
        let inputs = items
            .iter()
            .map(|v| line_input(object(v)?, None))
            .collect::<Result<Vec<_>, _>>()?;
        for i in &inputs {
            if row.kind != Kind::Supplier {
                self.check_line(&row, i)?;
            } else if self.products.live(&i.product_id).is_none() {
                return Err(ApiError::bad_request(format!(
                    "product_id {} is not a product",
                    i.product_id
                )));
            }
        }
        let mut touched = Vec::new();
        for i in &inputs {
            let adds = row.kind == Kind::Supplier;
            let default_cost = self
                .products
                .get(&i.product_id)
                .map(|p| p.supply_price)
                .unwrap_or_default();
            match row.lines.iter_mut().find(|l| l.product_id == i.product_id) {
                Some(l) if adds => {
                    l.count += i.count.unwrap_or_default();
                    if let Some(r) = i.received {
                        l.received = Some(l.received.unwrap_or_default() + r);
                    }
                    if let Some(c) = i.cost {
                        l.cost = c;
                    }
                }
                Some(l) => {
                    if let Some(c) = i.count {
                        l.count = c;
                    }
                    if i.received.is_some() {
                        l.received = i.received;
                    }
                    if let Some(c) = i.cost {
                        l.cost = c;
                    }
                }
                None => row.lines.push(LineRow {
                    id: uuid::Uuid::new_v4().to_string(),
                    product_id: i.product_id.clone(),
                    count: i.count.unwrap_or_default(),
                    received: i.received,
                    cost: i.cost.unwrap_or(default_cost),
                }),
            }
            if !touched.contains(&i.product_id) {
                touched.push(i.product_id.clone());
            }
        }
        Self::auto_dispatch(&mut row, &inputs);
        let out = touched
            .iter()
            .filter_map(|p| row.line(p).cloned())
            .collect();
        self.put_consignment(row);
        Ok(out)
    }

    /// `DELETE /consignments/{id}`: soft delete, visible in the cursor walk.
    pub(crate) fn delete_consignment(&mut self, id: &str) -> Result<(), ApiError> {
        let mut row = self.live_consignment(id)?;
        if !row.status.is_deletable() {
            return Err(closed_error(&row, "it cannot be deleted"));
        }
        row.deleted_at = Some(now_rfc3339());
        self.put_consignment(row);
        Ok(())
    }
}

fn filter_of(q: &HashMap<String, String>) -> Result<impl Fn(&ConsignmentRow) -> bool, ApiError> {
    let kind = match q.get("type") {
        None => None,
        Some(t) => {
            Some(Kind::parse(t).ok_or_else(|| ApiError::bad_request(format!("unknown type {t}")))?)
        }
    };
    let status = match q.get("status") {
        None => None,
        Some(s) => Some(
            Status::parse(s).ok_or_else(|| ApiError::bad_request(format!("unknown status {s}")))?,
        ),
    };
    let outlet = q.get("outlet_id").cloned();
    let reference = q.get("reference").cloned();
    let name = q.get("name").cloned();
    let filtered = kind.is_some()
        || status.is_some()
        || outlet.is_some()
        || reference.is_some()
        || name.is_some();
    Ok(move |c: &ConsignmentRow| {
        // A plain cursor walk includes deleted consignments; a search does not.
        (!filtered || !c.is_deleted())
            && kind.is_none_or(|k| c.kind == k)
            && status.is_none_or(|s| c.status == s)
            && outlet.as_ref().is_none_or(|o| &c.outlet_id == o)
            && reference
                .as_ref()
                .is_none_or(|r| c.reference.as_ref() == Some(r))
            && name.as_ref().is_none_or(|n| c.name.as_ref() == Some(n))
    })
}

/// `GET /consignments`: version cursor plus `type`, `status`, `outlet_id`,
/// `reference`, `name` filters (exact match).
pub(crate) async fn list(
    State(app): State<AppState>,
    Query(q): Query<HashMap<String, String>>,
) -> Result<Response, ApiError> {
    let (after, n) = cursor_params(&q, app.config.default_page_size, app.config.max_page_size)?;
    let keep = filter_of(&q)?;
    let store = app.store();
    let page = store.consignments.page(after, n, keep);
    let min = page.first().map(|r| r.version());
    let max = page.last().map(|r| r.version());
    Ok(collection(
        page.iter().map(|r| r.to_json()).collect(),
        min,
        max,
    ))
}

pub(crate) async fn create(State(app): State<AppState>, body: Bytes) -> Result<Response, ApiError> {
    let body = parse_body(&body)?;
    let row = app.store().create_consignment(&body)?;
    Ok(data(StatusCode::CREATED, row.to_json()))
}

pub(crate) async fn get_one(
    State(app): State<AppState>,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let row = app.store().live_consignment(&id)?;
    Ok(data(StatusCode::OK, row.to_json()))
}

pub(crate) async fn update(
    State(app): State<AppState>,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<Response, ApiError> {
    let body = parse_body(&body)?;
    let row = app.store().update_consignment(&id, &body)?;
    Ok(data(StatusCode::OK, row.to_json()))
}

pub(crate) async fn delete(
    State(app): State<AppState>,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    app.store().delete_consignment(&id)?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

pub(crate) async fn totals(
    State(app): State<AppState>,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let row = app.store().live_consignment(&id)?;
    let count: Decimal = row.lines.iter().map(|l| l.count).sum();
    let received: Decimal = row.lines.iter().filter_map(|l| l.received).sum();
    let cost: Decimal = row.lines.iter().map(|l| l.count * l.cost).sum();
    Ok(data(
        StatusCode::OK,
        json!({ "count": count, "received": received, "cost": cost, "lines": row.lines.len() }),
    ))
}

pub(crate) async fn list_lines(
    State(app): State<AppState>,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let row = app.store().live_consignment(&id)?;
    let lines = row.lines.iter().map(|l| line_json(&id, l)).collect();
    Ok(data(StatusCode::OK, Value::Array(lines)))
}

pub(crate) async fn add_line(
    State(app): State<AppState>,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<Response, ApiError> {
    let body = parse_body(&body)?;
    let line = app.store().add_line(&id, &body)?;
    Ok(data(StatusCode::CREATED, line_json(&id, &line)))
}

pub(crate) async fn put_line(
    State(app): State<AppState>,
    Path((id, product_id)): Path<(String, String)>,
    body: Bytes,
) -> Result<Response, ApiError> {
    let body = parse_body(&body)?;
    let line = app.store().put_line(&id, &product_id, &body)?;
    Ok(data(StatusCode::OK, line_json(&id, &line)))
}

pub(crate) async fn delete_line(
    State(app): State<AppState>,
    Path((id, product_id)): Path<(String, String)>,
) -> Result<Response, ApiError> {
    app.store().delete_line(&id, &product_id)?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

pub(crate) async fn bulk(
    State(app): State<AppState>,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<Response, ApiError> {
    let body = parse_body(&body)?;
    let limit = app.config.bulk_limit;
    let lines = app.store().bulk_lines(&id, &body, limit)?;
    Ok(data(
        StatusCode::OK,
        Value::Array(lines.iter().map(|l| line_json(&id, l)).collect()),
    ))
}
