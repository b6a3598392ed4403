//! Lightspeed's envelopes and error bodies, and parsing of loosely typed input
//! (quantities as strings or numbers, query parameters).

use std::collections::HashMap;
use std::str::FromStr;

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use rust_decimal::prelude::ToPrimitive;
use rust_decimal::Decimal;
use serde::Serializer;
use serde_json::{json, Map, Value};

/// An error answer: `{"error": ..., "message": ...}` with a status.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct ApiError {
    pub status: StatusCode,
    pub error: &'static str,
    pub message: String,
}

impl ApiError {
    pub fn bad_request(message: impl Into<String>) -> Self {
        Self {
            status: StatusCode::BAD_REQUEST,
            error: "Bad Request",
            message: message.into(),
        }
    }

    pub fn not_found(what: &str) -> Self {
        Self {
            status: StatusCode::NOT_FOUND,
            error: "Not Found",
            message: format!("{what} not found"),
        }
    }

    pub fn unauthorized(message: impl Into<String>) -> Self {
        Self {
            status: StatusCode::UNAUTHORIZED,
            error: "invalid_token",
            message: message.into(),
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        (
            self.status,
            Json(json!({ "error": self.error, "message": self.message })),
        )
            .into_response()
    }
}

/// `{"data": ...}` with a status.
pub(crate) fn data(status: StatusCode, value: Value) -> Response {
    (status, Json(json!({ "data": value }))).into_response()
}

/// `{"data": [...], "version": {"min", "max"}}`; an empty page has no `version`.
pub(crate) fn collection(items: Vec<Value>, min: Option<u64>, max: Option<u64>) -> Response {
    let body = match (min, max) {
        (Some(min), Some(max)) if !items.is_empty() => {
            json!({ "data": items, "version": { "min": min, "max": max } })
        }
        _ => json!({ "data": items }),
    };
    Json(body).into_response()
}

/// Parses a JSON body, answering 400 (not axum's 422) when it is not JSON.
pub(crate) fn parse_body(body: &[u8]) -> Result<Value, ApiError> {
    serde_json::from_slice(body).map_err(|e| ApiError::bad_request(format!("invalid JSON: {e}")))
}

/// The object of a body, or 400.
pub(crate) fn object(v: &Value) -> Result<&Map<String, Value>, ApiError> {
    v.as_object()
        .ok_or_else(|| ApiError::bad_request("expected a JSON object"))
}

/// A decimal given as a string (`"5.00"`) or a number (`5`); `None` when absent or null.
pub(crate) fn decimal_field(
    obj: &Map<String, Value>,
    field: &str,
) -> Result<Option<Decimal>, ApiError> {
    match obj.get(field) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => parse_decimal(s.trim()).map(Some),
        Some(Value::Number(n)) => parse_decimal(&n.to_string()).map(Some),
        Some(_) => Err(ApiError::bad_request(format!("{field} must be a number"))),
    }
    .map_err(|_: ApiError| ApiError::bad_request(format!("{field} must be a number")))
}

fn parse_decimal(s: &str) -> Result<Decimal, ApiError> {
    Decimal::from_str(s)
        .or_else(|_| Decimal::from_scientific(s))
        .map_err(|_| ApiError::bad_request("not a number"))
}

/// A string field; `None` when absent or null, 400 when not a string.
pub(crate) fn string_field(
    obj: &Map<String, Value>,
    field: &str,
) -> Result<Option<String>, ApiError> {
    match obj.get(field) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.clone())),
        Some(_) => Err(ApiError::bad_request(format!("{field} must be a string"))),
    }
}

/// Version-cursor query: `after` (default 0) and `page_size` (default and clamp from config).
pub(crate) fn cursor_params(
    q: &HashMap<String, String>,
    default_page_size: u32,
    max_page_size: u32,
) -> Result<(u64, usize), ApiError> {
    let after = match q.get("after") {
        None => 0,
        Some(s) => s
            .parse::<u64>()
            .map_err(|_| ApiError::bad_request("after must be a version number"))?,
    };
    let page_size = match q.get("page_size") {
        None => default_page_size,
        Some(s) => match s.parse::<u32>() {
            Ok(n) if n > 0 => n.min(max_page_size),
            _ => {
                return Err(ApiError::bad_request(
                    "page_size must be a positive integer",
                ))
            }
        },
    };
    Ok((after, page_size as usize))
}

/// Serialises a decimal as a JSON number (some Lightspeed fields are numbers, others strings).
pub(crate) fn as_number<S: Serializer>(d: &Decimal, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_f64(d.to_f64().unwrap_or(0.0))
}

/// Reads back what [`as_number`] wrote (or a decimal string), exactly as written: the
/// shortest decimal that is that number.
pub(crate) fn from_number<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Decimal, D::Error> {
    #[derive(serde::Deserialize)]
    #[serde(untagged)]
    enum Raw {
        Number(f64),
        Text(String),
    }
    let text = match <Raw as serde::Deserialize>::deserialize(d)? {
        Raw::Number(n) => n.to_string(),
        Raw::Text(t) => t,
    };
    text.parse::<Decimal>().map_err(serde::de::Error::custom)
}

/// [`as_number`] for an optional decimal (`null` when unset).
pub(crate) fn as_opt_number<S: Serializer>(d: &Option<Decimal>, s: S) -> Result<S::Ok, S::Error> {
    match d {
        Some(d) => as_number(d, s),
        None => s.serialize_none(),
    }
}

/// Reads back what [`as_opt_number`] wrote.
pub(crate) fn from_opt_number<'de, D: serde::Deserializer<'de>>(
    d: D,
) -> Result<Option<Decimal>, D::Error> {
    #[derive(serde::Deserialize)]
    struct Wrap(#[serde(deserialize_with = "from_number")] Decimal);
    Ok(<Option<Wrap> as serde::Deserialize>::deserialize(d)?.map(|w| w.0))
}

/// Now as RFC 3339 UTC, Lightspeed's timestamp format.
pub(crate) fn now_rfc3339() -> String {
    time::OffsetDateTime::now_utc()
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantities_parse_from_strings_and_numbers_and_refuse_garbage() {
        let v =
            json!({"a": "5.50", "b": 3, "c": 2.25, "d": null, "e": "five", "f": true, "g": "1e2"});
        let o = v.as_object().unwrap();
        assert_eq!(decimal_field(o, "a").unwrap(), Some(Decimal::new(550, 2)));
        assert_eq!(decimal_field(o, "b").unwrap(), Some(Decimal::from(3)));
        assert_eq!(decimal_field(o, "c").unwrap(), Some(Decimal::new(225, 2)));
        assert_eq!(decimal_field(o, "d").unwrap(), None);
        assert_eq!(decimal_field(o, "missing").unwrap(), None);
        assert_eq!(
            decimal_field(o, "e").unwrap_err().status,
            StatusCode::BAD_REQUEST
        );
        assert!(decimal_field(o, "f").is_err());
        assert_eq!(decimal_field(o, "g").unwrap(), Some(Decimal::from(100)));
    }

    #[test]
    fn cursor_params_default_clamp_and_refuse_bad_values() {
        let q = |pairs: &[(&str, &str)]| {
            pairs
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect::<HashMap<_, _>>()
        };
        assert_eq!(cursor_params(&q(&[]), 100, 500).unwrap(), (0, 100));
        assert_eq!(
            cursor_params(&q(&[("after", "7"), ("page_size", "9999")]), 100, 500).unwrap(),
            (7, 500)
        );
        assert!(cursor_params(&q(&[("page_size", "0")]), 100, 500).is_err());
        assert!(cursor_params(&q(&[("after", "-1")]), 100, 500).is_err());
    }
}
