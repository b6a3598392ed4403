//! Reading a verified webhook body: `application/x-www-form-urlencoded` with a
//! `payload` field holding the object as JSON (API 1.0 shape, ids as strings) and
//! optional `type`, `domain_prefix` and `environment` fields.

use serde_json::Value;

use crate::edges::HintKind;

/// What a delivery says, as far as the hub needs it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParsedDelivery {
    /// The webhook's type (`consignment.send`, ...), or one inferred from the payload.
    pub event_type: String,
    /// What to re-read.
    pub kind: HintKind,
    /// Lightspeed id of the object to re-read.
    pub object_id: Option<String>,
    /// The object's version, when the payload has one.
    pub version: Option<String>,
    /// The store it came from.
    pub domain_prefix: Option<String>,
}

impl ParsedDelivery {
    /// `type|id|version`: the same object version delivered twice is one event.
    pub fn object_key(&self) -> Option<String> {
        match (&self.object_id, &self.version) {
            (Some(id), Some(v)) => Some(format!("{}|{id}|{v}", self.event_type)),
            _ => None,
        }
    }
}

/// Why a verified body could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PayloadError {
    /// Not form-encoded.
    #[error("the webhook body is not form-encoded")]
    NotForm,
    /// No `payload` field.
    #[error("the webhook has no payload field")]
    NoPayload,
    /// `payload` is not a JSON object.
    #[error("the webhook payload is not a JSON object")]
    NotJson,
}

impl PayloadError {
    /// Stable code.
    pub fn code(&self) -> &'static str {
        "WEBHOOK_MALFORMED"
    }
}

fn string_of(v: Option<&Value>) -> Option<String> {
    match v? {
        Value::String(s) if !s.is_empty() => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

fn kind_of_type(event_type: &str) -> HintKind {
    match event_type.split('.').next().unwrap_or_default() {
        "consignment" => HintKind::Consignment,
        "product" => HintKind::Product,
        "inventory" => HintKind::Inventory,
        _ => HintKind::Other,
    }
}

/// Guesses the event from the object's shape when the `type` field is absent.
fn infer_type(obj: &serde_json::Map<String, Value>) -> &'static str {
    let consignment_types = ["SUPPLIER", "OUTLET", "RETURN", "STOCKTAKE"];
    if obj.contains_key("product_id") && obj.contains_key("outlet_id") {
        "inventory.update"
    } else if obj
        .get("type")
        .and_then(Value::as_str)
        .is_some_and(|t| consignment_types.contains(&t))
        && obj.contains_key("status")
    {
        "consignment.update"
    } else if obj.contains_key("sku") || obj.contains_key("handle") {
        "product.update"
    } else {
        "unknown"
    }
}

/// Reads a verified body.
pub fn parse(body: &[u8]) -> Result<ParsedDelivery, PayloadError> {
    let fields: Vec<(String, String)> =
        serde_urlencoded::from_bytes(body).map_err(|_| PayloadError::NotForm)?;
    let field = |name: &str| {
        fields
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.trim().to_string())
            .filter(|v| !v.is_empty())
    };
    let payload = field("payload").ok_or(PayloadError::NoPayload)?;
    let value: Value = serde_json::from_str(&payload).map_err(|_| PayloadError::NotJson)?;
    let obj = value.as_object().ok_or(PayloadError::NotJson)?;
    let event_type = field("type")
        .map(|t| t.to_ascii_lowercase())
        .unwrap_or_else(|| infer_type(obj).to_string());
    let kind = kind_of_type(&event_type);
    // Inventory events are about a product at an outlet: the product is re-read.
    let object_id = match kind {
        HintKind::Inventory => string_of(obj.get("product_id")),
        _ => string_of(obj.get("id")),
    };
    Ok(ParsedDelivery {
        kind,
        object_id,
        version: string_of(obj.get("version")),
        domain_prefix: field("domain_prefix"),
        event_type,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn form(fields: &[(&str, &str)]) -> Vec<u8> {
        serde_urlencoded::to_string(fields).unwrap().into_bytes()
    }

    #[test]
    fn a_consignment_send_names_the_consignment() {
        let body = form(&[
            ("type", "consignment.send"),
            ("domain_prefix", "nzchain"),
            (
                "payload",
                r#"{"id":"0af7b240-ab24-11e9-eddc-0e4d1f7aae53","type":"OUTLET","status":"SENT","version":"1234"}"#,
            ),
        ]);
        let p = parse(&body).unwrap();
        assert_eq!(p.kind, HintKind::Consignment);
        assert_eq!(
            p.object_id.as_deref(),
            Some("0af7b240-ab24-11e9-eddc-0e4d1f7aae53")
        );
        assert_eq!(p.domain_prefix.as_deref(), Some("nzchain"));
        assert_eq!(
            p.object_key().as_deref(),
            Some("consignment.send|0af7b240-ab24-11e9-eddc-0e4d1f7aae53|1234")
        );
    }

    #[test]
    fn without_a_type_field_the_kind_is_read_from_the_payload() {
        let c = parse(&form(&[(
            "payload",
            r#"{"id":"c1","type":"SUPPLIER","status":"DISPATCHED"}"#,
        )]))
        .unwrap();
        assert_eq!(c.kind, HintKind::Consignment);
        let p = parse(&form(&[(
            "payload",
            r#"{"id":"p1","sku":"10001","version":7}"#,
        )]))
        .unwrap();
        assert_eq!(
            (p.kind, p.version.as_deref()),
            (HintKind::Product, Some("7"))
        );
        let i = parse(&form(&[(
            "payload",
            r#"{"id":"i1","product_id":"p9","outlet_id":"o1","count":"3"}"#,
        )]))
        .unwrap();
        assert_eq!(
            (i.kind, i.object_id.as_deref()),
            (HintKind::Inventory, Some("p9"))
        );
        let s = parse(&form(&[
            ("type", "sale.update"),
            ("payload", r#"{"id":"s1"}"#),
        ]))
        .unwrap();
        assert_eq!(s.kind, HintKind::Other);
    }

    #[test]
    fn bodies_without_a_json_payload_are_malformed() {
        assert_eq!(parse(b"type=product.update"), Err(PayloadError::NoPayload));
        assert_eq!(
            parse(&form(&[("payload", "not json")])),
            Err(PayloadError::NotJson)
        );
        assert_eq!(
            parse(&form(&[("payload", "[1,2]")])),
            Err(PayloadError::NotJson)
        );
        assert!(parse(&[0xff, 0xfe, b'=']).is_err());
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(
            std::env::var("PROPTEST_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(256)
        ))]
        #[test]
        fn any_body_is_read_or_refused_without_panicking(body in proptest::collection::vec(any::<u8>(), 0..400)) {
            let _ = parse(&body);
        }

        #[test]
        fn any_payload_text_is_read_or_refused_without_panicking(t in ".{0,200}", p in ".{0,200}") {
            let _ = parse(&form(&[("type", &t), ("payload", &p)]));
        }
    }
}
