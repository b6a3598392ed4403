//! Serde helpers: a decimal from `"12.50"`, `12.5`, or `null`.

use std::str::FromStr;

use rust_decimal::Decimal;
use serde::{Deserialize, Deserializer};

#[derive(Deserialize)]
#[serde(untagged)]
enum Raw {
    Text(String),
    Number(serde_json::Number),
}

fn parse<E: serde::de::Error>(raw: Raw) -> Result<Decimal, E> {
    let s = match raw {
        Raw::Text(s) => s,
        Raw::Number(n) => n.to_string(),
    };
    let s = s.trim();
    Decimal::from_str(s)
        .or_else(|_| Decimal::from_scientific(s))
        .map_err(|_| E::custom(format!("not a decimal: {s:?}")))
}

/// A required decimal (string or number).
pub(crate) fn required<'de, D: Deserializer<'de>>(d: D) -> Result<Decimal, D::Error> {
    parse(Raw::deserialize(d)?)
}

/// An optional decimal (string, number, null or absent with `#[serde(default)]`).
pub(crate) fn optional<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Decimal>, D::Error> {
    match Option::<Raw>::deserialize(d)? {
        None => Ok(None),
        Some(Raw::Text(s)) if s.trim().is_empty() => Ok(None),
        Some(raw) => parse(raw).map(Some),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Deserialize)]
    struct Q {
        #[serde(deserialize_with = "required")]
        a: Decimal,
        #[serde(default, deserialize_with = "optional")]
        b: Option<Decimal>,
    }

    #[test]
    fn strings_numbers_nulls_and_garbage() {
        let q: Q = serde_json::from_str(r#"{"a": "12.50", "b": 3}"#).unwrap();
        assert_eq!((q.a, q.b), (Decimal::new(1250, 2), Some(Decimal::from(3))));
        let q: Q = serde_json::from_str(r#"{"a": 2.25, "b": null}"#).unwrap();
        assert_eq!((q.a, q.b), (Decimal::new(225, 2), None));
        let q: Q = serde_json::from_str(r#"{"a": "1e3"}"#).unwrap();
        assert_eq!((q.a, q.b), (Decimal::from(1000), None));
        assert!(serde_json::from_str::<Q>(r#"{"a": "lots"}"#).is_err());
        assert!(serde_json::from_str::<Q>(r#"{"a": true}"#).is_err());
        assert!(serde_json::from_str::<Q>(r#"{"a": "1", "b": ""}"#)
            .unwrap()
            .b
            .is_none());
    }
}
