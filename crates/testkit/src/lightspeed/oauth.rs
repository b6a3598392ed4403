//! The OAuth side of the fake: `POST /api/1.0/token` (refresh grant, rotating refresh
//! tokens, short-lived access tokens) and the bearer check on every API call.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant, SystemTime};

use axum::body::Bytes;
use axum::extract::{Request, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::Json;
use rand::Rng;
use serde_json::json;

use super::server::AppState;
use super::wire::ApiError;

/// Counters a test can assert on.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct OAuthStats {
    /// Successful refresh grants.
    pub refreshes_granted: u64,
    /// Refresh grants refused (old, unknown or revoked refresh token, bad client).
    pub refreshes_refused: u64,
    /// API calls refused for a missing, unknown or expired bearer token.
    pub unauthorized_calls: u64,
}

#[derive(Debug, Default)]
struct OAuthState {
    /// Refresh token → still usable.
    refresh: HashMap<String, bool>,
    /// Access token → expiry.
    access: HashMap<String, Instant>,
    stats: OAuthStats,
}

/// Token bookkeeping of one fake store.
#[derive(Debug, Default)]
pub(crate) struct OAuth {
    state: Mutex<OAuthState>,
}

fn random_token(prefix: &str) -> String {
    let bytes: [u8; 16] = rand::rng().random();
    let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    format!("{prefix}{hex}")
}

impl OAuth {
    fn lock(&self) -> std::sync::MutexGuard<'_, OAuthState> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// A new usable refresh token, as if the store owner had just authorised the app.
    pub fn issue_refresh_token(&self) -> String {
        let t = random_token("rt_");
        self.lock().refresh.insert(t.clone(), true);
        t
    }

    /// A new access token valid for `ttl` (tests that skip the refresh dance).
    pub fn issue_access_token(&self, ttl: Duration) -> String {
        let t = random_token("at_");
        self.lock().access.insert(t.clone(), Instant::now() + ttl);
        t
    }

    /// Expires every access token now (the next API call gets 401).
    pub fn expire_access_tokens(&self) {
        let now = Instant::now();
        for exp in self.lock().access.values_mut() {
            *exp = now;
        }
    }

    /// Makes every refresh token unusable (the owner revoked the app).
    pub fn revoke_refresh_tokens(&self) {
        for active in self.lock().refresh.values_mut() {
            *active = false;
        }
    }

    pub fn stats(&self) -> OAuthStats {
        self.lock().stats
    }

    fn check_bearer(&self, headers: &HeaderMap) -> Result<(), ApiError> {
        let token = headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "));
        let mut s = self.lock();
        let result = match token.and_then(|t| s.access.get(t)) {
            None => Err(ApiError::unauthorized("missing or unknown access token")),
            Some(exp) if *exp <= Instant::now() => {
                Err(ApiError::unauthorized("access token expired"))
            }
            Some(_) => Ok(()),
        };
        if result.is_err() {
            s.stats.unauthorized_calls += 1;
        }
        result
    }
}

fn oauth_error(status: StatusCode, error: &str, message: &str) -> Response {
    (
        status,
        Json(json!({ "error": error, "error_description": message, "message": message })),
    )
        .into_response()
}

/// `POST /api/1.0/token`, form-encoded `grant_type=refresh_token`.
pub(crate) async fn token(
    State(app): State<AppState>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let form_encoded = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/x-www-form-urlencoded"));
    if !form_encoded {
        return oauth_error(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            "the token endpoint takes application/x-www-form-urlencoded",
        );
    }
    let Ok(form) = serde_urlencoded::from_bytes::<HashMap<String, String>>(&body) else {
        return oauth_error(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            "unreadable form",
        );
    };
    let field = |k: &str| form.get(k).map(String::as_str).unwrap_or("");
    let cfg = &app.config;
    let mut s = app.oauth.lock();
    if field("client_id") != cfg.client_id || field("client_secret") != cfg.client_secret {
        s.stats.refreshes_refused += 1;
        return oauth_error(StatusCode::UNAUTHORIZED, "invalid_client", "unknown client");
    }
    if field("grant_type") != "refresh_token" {
        s.stats.refreshes_refused += 1;
        return oauth_error(
            StatusCode::BAD_REQUEST,
            "unsupported_grant_type",
            "only refresh_token is supported by the fake",
        );
    }
    let old = field("refresh_token").to_string();
    if s.refresh.get(&old) != Some(&true) {
        s.stats.refreshes_refused += 1;
        return oauth_error(
            StatusCode::BAD_REQUEST,
            "invalid_grant",
            "refresh token is invalid, revoked or already used",
        );
    }
    let refresh_token = if cfg.rotate_refresh_tokens {
        s.refresh.insert(old, false);
        let new = random_token("rt_");
        s.refresh.insert(new.clone(), true);
        new
    } else {
        old
    };
    let access_token = random_token("at_");
    s.access
        .insert(access_token.clone(), Instant::now() + cfg.access_token_ttl);
    s.stats.refreshes_granted += 1;
    let expires = (SystemTime::now() + cfg.access_token_ttl)
        .duration_since(SystemTime::UNIX_EPOCH)
        .unwrap_or_default()
        .as_secs();
    Json(json!({
        "access_token": access_token,
        "token_type": "Bearer",
        "expires": expires,
        "expires_in": cfg.access_token_ttl.as_secs(),
        "refresh_token": refresh_token,
        "domain_prefix": cfg.domain_prefix,
    }))
    .into_response()
}

/// Middleware: every API call needs a live bearer token (401 otherwise).
pub(crate) async fn require_bearer(
    State(app): State<AppState>,
    req: Request,
    next: Next,
) -> Response {
    match app.oauth.check_bearer(req.headers()) {
        Ok(()) => next.run(req).await,
        Err(e) => {
            let mut r = e.into_response();
            r.headers_mut().insert(
                header::WWW_AUTHENTICATE,
                header::HeaderValue::from_static("Bearer error=\"invalid_token\""),
            );
            r
        }
    }
}
