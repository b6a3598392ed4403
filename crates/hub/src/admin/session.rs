//! Admin sessions: an opaque random cookie (HttpOnly, SameSite=Strict, Secure
//! behind TLS) whose SHA-256 names a session row; a synchronizer CSRF token per
//! session checked on every form post, with an Origin/Referer check in front of it.
//! Only the cookie authenticates here: a device bearer token means nothing.

use std::net::SocketAddr;

use axum::extract::{ConnectInfo, FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::{header, HeaderMap, Method, StatusCode};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum_extra::extract::cookie::{Cookie, CookieJar, SameSite};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use serde::de::DeserializeOwned;
use serde::Deserialize;
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;
use time::OffsetDateTime;

use super::AdminConfig;
use crate::edges::{AdminAccount, SessionRecord};
use crate::{Hub, HubError};

/// Session cookie over plain HTTP (loopback, demo).
pub const SESSION_COOKIE: &str = "tally_admin";
/// Session cookie behind TLS: the `__Host-` prefix pins it to this host and path `/`.
pub const SESSION_COOKIE_SECURE: &str = "__Host-tally_admin";
/// Pre-session cookie carrying the sign-in form's CSRF token (double submit).
pub const LOGIN_COOKIE: &str = "tally_login";
/// Its `__Host-` form behind TLS.
pub const LOGIN_COOKIE_SECURE: &str = "__Host-tally_login";

/// Largest admin form body, bytes.
const MAX_FORM_BYTES: usize = 16 * 1024;

/// A fresh random token (32 bytes, URL-safe base64).
pub fn new_token() -> String {
    let bytes: [u8; 32] = rand::random();
    URL_SAFE_NO_PAD.encode(bytes)
}

/// SHA-256 of a cookie value, hex (what the database keeps).
pub fn token_sha256(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// Whether cookies for this request must be `Secure`.
pub fn is_secure(cfg: &AdminConfig, headers: &HeaderMap) -> bool {
    cfg.secure_cookies
        || headers
            .get("x-forwarded-proto")
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.eq_ignore_ascii_case("https"))
}

/// A cookie with the house flags: HttpOnly, SameSite=Strict, Path=/, Secure when asked.
pub fn cookie(
    name: &'static str,
    value: String,
    secure: bool,
    max_age: time::Duration,
) -> Cookie<'static> {
    Cookie::build((name, value))
        .http_only(true)
        .same_site(SameSite::Strict)
        .secure(secure)
        .path("/")
        .max_age(max_age)
        .build()
}

/// The session cookie's name for this request.
pub fn session_cookie_name(secure: bool) -> &'static str {
    if secure {
        SESSION_COOKIE_SECURE
    } else {
        SESSION_COOKIE
    }
}

/// The sign-in cookie's name for this request.
pub fn login_cookie_name(secure: bool) -> &'static str {
    if secure {
        LOGIN_COOKIE_SECURE
    } else {
        LOGIN_COOKIE
    }
}

/// Reads the first cookie of `names` present.
pub fn cookie_value(headers: &HeaderMap, names: &[&str]) -> Option<String> {
    let jar = CookieJar::from_headers(headers);
    names
        .iter()
        .find_map(|n| jar.get(n).map(|c| c.value().to_string()))
        .filter(|v| !v.is_empty())
}

/// Constant-time equality of two tokens.
pub fn tokens_match(a: &str, b: &str) -> bool {
    a.len() == b.len() && bool::from(a.as_bytes().ct_eq(b.as_bytes()))
}

/// The client's address (the proxy's last `X-Forwarded-For` hop when trusted).
pub fn client_addr(
    cfg: &AdminConfig,
    parts_headers: &HeaderMap,
    ext: &axum::http::Extensions,
) -> String {
    if cfg.trust_forwarded_for {
        if let Some(last) = parts_headers
            .get("x-forwarded-for")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.rsplit(',').next())
            .map(str::trim)
            .filter(|v| !v.is_empty())
        {
            return last.to_string();
        }
    }
    ext.get::<ConnectInfo<SocketAddr>>()
        .map_or_else(|| "unknown".to_string(), |c| c.0.ip().to_string())
}

/// Refuses a state-changing request another site's page sent: `Sec-Fetch-Site:
/// cross-site`, or an `Origin` (else `Referer`) that is not this hub.
pub fn check_same_origin(headers: &HeaderMap, cfg: &AdminConfig) -> Result<(), AdminRejection> {
    let header_str = |name: header::HeaderName| {
        headers
            .get(name)
            .map(|v| v.to_str().map(str::to_ascii_lowercase).unwrap_or_default())
    };
    let refuse = || {
        AdminRejection::forbidden(
            "CROSS_SITE_REQUEST",
            "this form was sent from another site; open the hub's page and try again",
        )
    };
    if header_str(header::HeaderName::from_static("sec-fetch-site")).as_deref()
        == Some("cross-site")
    {
        return Err(refuse());
    }
    let allowed: Vec<String> = match &cfg.public_origin {
        Some(o) => vec![o.trim_end_matches('/').to_ascii_lowercase()],
        None => header_str(header::HOST)
            .map(|h| vec![format!("http://{h}"), format!("https://{h}")])
            .unwrap_or_default(),
    };
    let seen = match header_str(header::ORIGIN) {
        Some(o) => Some(o),
        None => header_str(header::REFERER).map(|r| {
            url::Url::parse(&r)
                .map(|u| u.origin().ascii_serialization())
                .unwrap_or(r)
        }),
    };
    match seen {
        // Neither header (old clients, some privacy tools): the token still guards.
        None => Ok(()),
        Some(o) if allowed.contains(&o) => Ok(()),
        Some(_) => Err(refuse()),
    }
}

/// Why an admin request was refused.
#[derive(Debug)]
pub enum AdminRejection {
    /// No valid session: pages redirect to sign-in, other requests get 401.
    SignedOut {
        /// A `GET` (redirect) or not (401).
        navigate: bool,
    },
    /// Signed in, but not allowed.
    Forbidden {
        /// Stable code.
        code: &'static str,
        /// Human message.
        message: &'static str,
    },
    /// The form body could not be read.
    BadRequest(&'static str),
    /// The hub failed.
    Hub(HubError),
}

impl AdminRejection {
    /// A 403 with a code.
    pub fn forbidden(code: &'static str, message: &'static str) -> Self {
        Self::Forbidden { code, message }
    }
}

impl From<HubError> for AdminRejection {
    fn from(e: HubError) -> Self {
        Self::Hub(e)
    }
}

/// A small page for refusals (no template needed; every value is a constant).
fn refusal_page(status: StatusCode, code: &str, message: &str) -> Response {
    let body = format!(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Tally hub</title>\
         <link rel=\"stylesheet\" href=\"/admin/assets/admin.css\"></head><body class=\"refusal\">\
         <main><h1>{}</h1><p>{message}</p><p class=\"code\">{code}</p><p><a href=\"/admin\">Back to the dashboard</a></p></main></body></html>",
        status.canonical_reason().unwrap_or("Refused")
    );
    (status, Html(body)).into_response()
}

impl IntoResponse for AdminRejection {
    fn into_response(self) -> Response {
        match self {
            Self::SignedOut { navigate: true } => Redirect::to("/admin/login").into_response(),
            Self::SignedOut { navigate: false } => refusal_page(
                StatusCode::UNAUTHORIZED,
                "SIGNED_OUT",
                "sign in to the hub first",
            ),
            Self::Forbidden { code, message } => refusal_page(StatusCode::FORBIDDEN, code, message),
            Self::BadRequest(message) => refusal_page(StatusCode::BAD_REQUEST, "BAD_FORM", message),
            Self::Hub(e) => {
                tracing::error!(code = e.code(), error = %e, "admin request failed");
                refusal_page(
                    StatusCode::SERVICE_UNAVAILABLE,
                    e.code(),
                    "the hub could not do this now; try again in a moment",
                )
            }
        }
    }
}

/// A signed-in admin.
#[derive(Debug, Clone)]
pub struct AdminSession {
    /// Who.
    pub account: AdminAccount,
    /// The session (with its CSRF token).
    pub session: SessionRecord,
}

impl FromRequestParts<Hub> for AdminSession {
    type Rejection = AdminRejection;

    async fn from_request_parts(parts: &mut Parts, hub: &Hub) -> Result<Self, Self::Rejection> {
        let signed_out = AdminRejection::SignedOut {
            navigate: parts.method == Method::GET || parts.method == Method::HEAD,
        };
        let Some(token) = cookie_value(&parts.headers, &[SESSION_COOKIE_SECURE, SESSION_COOKIE])
        else {
            return Err(signed_out);
        };
        let store = hub.edges().store();
        let idle = time::Duration::minutes(hub.config().admin.idle_minutes as i64);
        let found = tokio::task::spawn_blocking(move || {
            let hash = token_sha256(&token);
            let now = OffsetDateTime::now_utc();
            let Some(session) = store.session(&hash)? else {
                return Ok(None);
            };
            if now >= session.expires_at || now - session.last_seen_at > idle {
                store.delete_session(&hash)?;
                return Ok(None);
            }
            let Some(account) = store.admin(&session.account_id)?.filter(|a| a.active) else {
                return Ok(None);
            };
            // One write a minute at most per session, not one per request.
            if now - session.last_seen_at > time::Duration::minutes(1) {
                store.touch_session(&hash, now)?;
            }
            Ok::<_, HubError>(Some(Self { account, session }))
        })
        .await
        .map_err(|e| HubError::Task(e.to_string()))??;
        found.ok_or(signed_out)
    }
}

#[derive(Deserialize)]
struct CsrfField {
    #[serde(default)]
    csrf: String,
}

/// A state-changing admin form: signed in, same origin, and carrying the
/// session's CSRF token. `T` is the rest of the form.
#[derive(Debug)]
pub struct CsrfForm<T> {
    /// Who sent it.
    pub session: AdminSession,
    /// The form's other fields.
    pub form: T,
}

impl<T: DeserializeOwned + Send> FromRequest<Hub> for CsrfForm<T> {
    type Rejection = AdminRejection;

    async fn from_request(req: Request, hub: &Hub) -> Result<Self, Self::Rejection> {
        let (mut parts, body) = req.into_parts();
        let session = AdminSession::from_request_parts(&mut parts, hub).await?;
        check_same_origin(&parts.headers, &hub.config().admin)?;
        let bytes = axum::body::to_bytes(body, MAX_FORM_BYTES)
            .await
            .map_err(|_| AdminRejection::BadRequest("the form is too large or was cut off"))?;
        let field: CsrfField = serde_urlencoded::from_bytes(&bytes)
            .map_err(|_| AdminRejection::BadRequest("the form could not be read"))?;
        if field.csrf.is_empty() {
            tracing::warn!(account_id = %session.account.id, "admin form without CSRF token refused");
            return Err(AdminRejection::forbidden(
                "CSRF_TOKEN_MISSING",
                "this form has no security token; reload the page and try again",
            ));
        }
        if !tokens_match(&field.csrf, &session.session.csrf_token) {
            tracing::warn!(account_id = %session.account.id, "admin form with a wrong CSRF token refused");
            return Err(AdminRejection::forbidden(
                "CSRF_TOKEN_INVALID",
                "this form's security token is out of date; reload the page and try again",
            ));
        }
        let form = serde_urlencoded::from_bytes(&bytes)
            .map_err(|_| AdminRejection::BadRequest("the form could not be read"))?;
        Ok(Self { session, form })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.insert(*k, HeaderValue::from_static(v));
        }
        h
    }

    #[test]
    fn same_origin_posts_pass_and_foreign_ones_do_not() {
        let cfg = AdminConfig::default();
        let ok = headers(&[
            ("host", "127.0.0.1:8080"),
            ("origin", "http://127.0.0.1:8080"),
        ]);
        assert!(check_same_origin(&ok, &cfg).is_ok());
        let foreign = headers(&[
            ("host", "127.0.0.1:8080"),
            ("origin", "http://evil.example"),
        ]);
        assert!(check_same_origin(&foreign, &cfg).is_err());
        let null = headers(&[("host", "127.0.0.1:8080"), ("origin", "null")]);
        assert!(check_same_origin(&null, &cfg).is_err());
        let referer = headers(&[
            ("host", "hub.local"),
            ("referer", "http://evil.example/x?y"),
        ]);
        assert!(check_same_origin(&referer, &cfg).is_err());
        let good_referer = headers(&[
            ("host", "hub.local"),
            ("referer", "https://hub.local/admin"),
        ]);
        assert!(check_same_origin(&good_referer, &cfg).is_ok());
        let fetch = headers(&[("host", "hub.local"), ("sec-fetch-site", "cross-site")]);
        assert!(check_same_origin(&fetch, &cfg).is_err());
    }

    #[test]
    fn a_configured_public_origin_wins_over_host() {
        let cfg = AdminConfig {
            public_origin: Some("https://hub.example.co.nz/".into()),
            ..AdminConfig::default()
        };
        let behind_proxy = headers(&[
            ("host", "127.0.0.1:9000"),
            ("origin", "https://hub.example.co.nz"),
        ]);
        assert!(check_same_origin(&behind_proxy, &cfg).is_ok());
        let spoofed_host = headers(&[("host", "evil.example"), ("origin", "http://evil.example")]);
        assert!(check_same_origin(&spoofed_host, &cfg).is_err());
    }

    #[test]
    fn cookies_carry_the_house_flags() {
        let c = cookie(
            SESSION_COOKIE_SECURE,
            "v".into(),
            true,
            time::Duration::hours(1),
        )
        .to_string();
        for flag in ["HttpOnly", "SameSite=Strict", "Secure", "Path=/"] {
            assert!(c.contains(flag), "{c}");
        }
        let plain = cookie(SESSION_COOKIE, "v".into(), false, time::Duration::hours(1)).to_string();
        assert!(!plain.contains("Secure"), "{plain}");
    }

    #[test]
    fn tokens_compare_whole() {
        assert!(tokens_match("abc", "abc"));
        assert!(!tokens_match("abc", "abd"));
        assert!(!tokens_match("abc", "ab"));
        assert!(!tokens_match("", "a"));
    }
}
