//! Webhook signatures: HMAC-SHA256 of the raw body, keyed with the app's secret,
//! sent as `signature=<hex>, algorithm=HMAC-SHA256` or as bare hex. Checked in
//! constant time before anything reads the body.

use hmac::{Hmac, Mac};
use sha2::Sha256;

use super::WebhookSecret;

type HmacSha256 = Hmac<Sha256>;

/// Why a signature was not accepted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SignatureError {
    /// No signature header.
    Missing,
    /// The header is not `signature=<hex>[, algorithm=HMAC-SHA256]` or hex.
    Malformed,
    /// Another algorithm than HMAC-SHA256.
    UnsupportedAlgorithm,
    /// The signature does not match the body.
    Mismatch,
}

impl SignatureError {
    /// Stable code.
    pub fn code(self) -> &'static str {
        match self {
            Self::Missing => "WEBHOOK_SIGNATURE_MISSING",
            Self::Malformed => "WEBHOOK_SIGNATURE_MALFORMED",
            Self::UnsupportedAlgorithm => "WEBHOOK_SIGNATURE_ALGORITHM",
            Self::Mismatch => "WEBHOOK_SIGNATURE_INVALID",
        }
    }

    /// Human message.
    pub fn message(self) -> &'static str {
        match self {
            Self::Missing => "the webhook carries no signature",
            Self::Malformed => "the webhook signature header cannot be read",
            Self::UnsupportedAlgorithm => {
                "the webhook is signed with an algorithm the hub does not accept"
            }
            Self::Mismatch => "the webhook signature does not match its body",
        }
    }
}

/// The signature bytes in a header value.
pub fn parse_header(value: &str) -> Result<Vec<u8>, SignatureError> {
    let value = value.trim();
    let mut hex_sig = None;
    if value.contains('=') {
        for part in value.split(',') {
            let (k, v) = part.split_once('=').ok_or(SignatureError::Malformed)?;
            match k.trim().to_ascii_lowercase().as_str() {
                "signature" => hex_sig = Some(v.trim()),
                "algorithm" if !v.trim().eq_ignore_ascii_case("HMAC-SHA256") => {
                    return Err(SignatureError::UnsupportedAlgorithm)
                }
                _ => {}
            }
        }
    } else {
        hex_sig = Some(value);
    }
    let hex_sig = hex_sig.ok_or(SignatureError::Malformed)?;
    let bytes = hex::decode(hex_sig).map_err(|_| SignatureError::Malformed)?;
    if bytes.len() != 32 {
        return Err(SignatureError::Malformed);
    }
    Ok(bytes)
}

/// Checks `header` (the signature header's value, if any) against `body`.
pub fn verify(
    secret: &WebhookSecret,
    header: Option<&str>,
    body: &[u8],
) -> Result<(), SignatureError> {
    let sig = parse_header(header.ok_or(SignatureError::Missing)?)?;
    let mut mac =
        HmacSha256::new_from_slice(secret.expose()).map_err(|_| SignatureError::Mismatch)?;
    mac.update(body);
    mac.verify_slice(&sig).map_err(|_| SignatureError::Mismatch)
}

/// The header value Lightspeed would send for `body` (the fake and tests use it).
pub fn sign(secret: &WebhookSecret, body: &[u8]) -> String {
    format!(
        "signature={}, algorithm=HMAC-SHA256",
        sign_hex(secret, body)
    )
}

/// The bare hex HMAC of `body`.
pub fn sign_hex(secret: &WebhookSecret, body: &[u8]) -> String {
    // HMAC accepts keys of any length; this cannot fail.
    let mut mac = HmacSha256::new_from_slice(secret.expose())
        .unwrap_or_else(|_| unreachable!("HMAC takes any key length"));
    mac.update(body);
    hex::encode(mac.finalize().into_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn secret() -> WebhookSecret {
        WebhookSecret::new("client-secret-for-tests")
    }

    #[test]
    fn a_signed_body_verifies_in_both_header_forms() {
        let body = b"payload=%7B%22id%22%3A%221%22%7D";
        assert_eq!(
            verify(&secret(), Some(&sign(&secret(), body)), body),
            Ok(())
        );
        assert_eq!(
            verify(&secret(), Some(&sign_hex(&secret(), body)), body),
            Ok(())
        );
        let spaced = format!(
            "signature = {} , algorithm = hmac-sha256",
            sign_hex(&secret(), body)
        );
        assert_eq!(verify(&secret(), Some(&spaced), body), Ok(()));
    }

    #[test]
    fn a_changed_body_or_key_is_refused() {
        let body = b"payload=%7B%7D";
        let header = sign(&secret(), body);
        assert_eq!(
            verify(&secret(), Some(&header), b"payload=%7B %7D"),
            Err(SignatureError::Mismatch)
        );
        assert_eq!(
            verify(&WebhookSecret::new("other"), Some(&header), body),
            Err(SignatureError::Mismatch)
        );
    }

    #[test]
    fn missing_malformed_and_foreign_algorithms_are_refused() {
        let body = b"x";
        assert_eq!(verify(&secret(), None, body), Err(SignatureError::Missing));
        assert_eq!(
            verify(&secret(), Some("zz"), body),
            Err(SignatureError::Malformed)
        );
        assert_eq!(
            verify(&secret(), Some("signature=abcd"), body),
            Err(SignatureError::Malformed)
        );
        let sha1 = format!(
            "signature={}, algorithm=HMAC-SHA1",
            sign_hex(&secret(), body)
        );
        assert_eq!(
            verify(&secret(), Some(&sha1), body),
            Err(SignatureError::UnsupportedAlgorithm)
        );
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(
            std::env::var("PROPTEST_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(256)
        ))]
        #[test]
        fn any_header_never_panics_and_only_the_right_one_passes(h in ".{0,120}", body in proptest::collection::vec(any::<u8>(), 0..64)) {
            let ok = verify(&secret(), Some(&h), &body).is_ok();
            prop_assert!(!ok || h.contains(&sign_hex(&secret(), &body)));
        }
    }
}
