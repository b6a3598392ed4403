//! Consignments, their lines, and the request bodies that change them.

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use tally_domain::{LsConsignmentStatus, LsConsignmentType};

use super::decimal;
use super::versioned;

/// A consignment (purchase order, transfer, return or stocktake).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Consignment {
    pub id: String,
    #[serde(rename = "type")]
    pub kind: LsConsignmentType,
    pub status: LsConsignmentStatus,
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub reference: Option<String>,
    #[serde(default)]
    pub outlet_id: Option<String>,
    #[serde(default)]
    pub source_outlet_id: Option<String>,
    #[serde(default)]
    pub supplier_id: Option<String>,
    #[serde(default)]
    pub due_at: Option<String>,
    #[serde(default)]
    pub created_at: Option<String>,
    #[serde(default)]
    pub updated_at: Option<String>,
    pub version: u64,
    #[serde(default)]
    pub deleted_at: Option<String>,
    #[serde(default)]
    pub deleted: Option<bool>,
}

versioned!(Consignment);

/// One line of a consignment.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ConsignmentLine {
    pub product_id: String,
    #[serde(deserialize_with = "decimal::required")]
    pub count: Decimal,
    #[serde(default, deserialize_with = "decimal::optional")]
    pub received: Option<Decimal>,
    #[serde(default, deserialize_with = "decimal::optional")]
    pub cost: Option<Decimal>,
}

/// `GET /consignments/{id}/totals`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct ConsignmentTotals {
    #[serde(default, deserialize_with = "decimal::optional")]
    pub count: Option<Decimal>,
    #[serde(default, deserialize_with = "decimal::optional")]
    pub received: Option<Decimal>,
    #[serde(default, deserialize_with = "decimal::optional")]
    pub cost: Option<Decimal>,
}

/// `POST /consignments`. Put the mutation id in `reference`: Lightspeed has no
/// idempotency keys, so the reference is how a lost acknowledgement is detected.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct NewConsignment {
    #[serde(rename = "type")]
    pub kind: LsConsignmentType,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<LsConsignmentStatus>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reference: Option<String>,
    pub outlet_id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source_outlet_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub supplier_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub due_at: Option<String>,
}

impl NewConsignment {
    /// A consignment of `kind` into `outlet_id`; set the other fields as needed.
    pub fn new(kind: LsConsignmentType, outlet_id: impl Into<String>) -> Self {
        Self {
            kind,
            status: None,
            name: None,
            reference: None,
            outlet_id: outlet_id.into(),
            source_outlet_id: None,
            supplier_id: None,
            due_at: None,
        }
    }
}

/// `PUT /consignments/{id}`: only the fields set are sent.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct ConsignmentUpdate {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<LsConsignmentStatus>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reference: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub due_at: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub supplier_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source_outlet_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub outlet_id: Option<String>,
}

/// A line to add (`POST .../products` or in a bulk call).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct NewLine {
    pub product_id: String,
    #[serde(with = "rust_decimal::serde::str")]
    pub count: Decimal,
    #[serde(
        with = "rust_decimal::serde::str_option",
        skip_serializing_if = "Option::is_none"
    )]
    pub received: Option<Decimal>,
    #[serde(
        with = "rust_decimal::serde::str_option",
        skip_serializing_if = "Option::is_none"
    )]
    pub cost: Option<Decimal>,
}

impl NewLine {
    /// `count` of `product_id`, no received count, the product's own cost.
    pub fn new(product_id: impl Into<String>, count: Decimal) -> Self {
        Self {
            product_id: product_id.into(),
            count,
            received: None,
            cost: None,
        }
    }
}

/// Absolute values for `PUT .../products/{product_id}` (only the fields set are sent).
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct LineValues {
    #[serde(
        with = "rust_decimal::serde::str_option",
        skip_serializing_if = "Option::is_none"
    )]
    pub count: Option<Decimal>,
    #[serde(
        with = "rust_decimal::serde::str_option",
        skip_serializing_if = "Option::is_none"
    )]
    pub received: Option<Decimal>,
    #[serde(
        with = "rust_decimal::serde::str_option",
        skip_serializing_if = "Option::is_none"
    )]
    pub cost: Option<Decimal>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn consignments_parse_with_typed_type_and_status_and_mixed_quantities() {
        let c: Consignment = serde_json::from_str(
            r#"{"id":"c1","type":"OUTLET","status":"SENT","version":7,"reference":"m-1","extra":1}"#,
        )
        .unwrap();
        assert_eq!(
            (c.kind, c.status),
            (LsConsignmentType::Outlet, LsConsignmentStatus::Sent)
        );
        assert!(serde_json::from_str::<Consignment>(
            r#"{"id":"c1","type":"STOCK","status":"OPEN","version":1}"#
        )
        .is_err());
        let l: ConsignmentLine = serde_json::from_str(
            r#"{"product_id":"p","count":"5.00000","received":3,"cost":null}"#,
        )
        .unwrap();
        assert_eq!(l.count, Decimal::new(500000, 5));
        assert_eq!(l.received, Some(Decimal::from(3)));
        assert_eq!(l.cost, None);
    }

    #[test]
    fn request_bodies_send_quantities_as_strings_and_skip_unset_fields() {
        let line = NewLine::new("p", Decimal::new(25, 1));
        assert_eq!(
            serde_json::to_value(&line).unwrap(),
            serde_json::json!({"product_id": "p", "count": "2.5"})
        );
        let v = LineValues {
            received: Some(Decimal::from(4)),
            ..LineValues::default()
        };
        assert_eq!(
            serde_json::to_value(&v).unwrap(),
            serde_json::json!({"received": "4"})
        );
        let u = ConsignmentUpdate {
            status: Some(LsConsignmentStatus::Received),
            ..ConsignmentUpdate::default()
        };
        assert_eq!(
            serde_json::to_value(&u).unwrap(),
            serde_json::json!({"status": "RECEIVED"})
        );
    }
}
