//! Sign-in and sign-out. The sign-in form is protected by a double-submit token
//! (a pre-session cookie that must equal the form field) and the Origin check;
//! a successful sign-in always starts a fresh session (no fixation).

use askama::Template;
use axum::extract::{Request, State};
use axum::http::{header, StatusCode};
use axum::response::{AppendHeaders, Html, IntoResponse, Redirect, Response};
use serde::Deserialize;
use time::OffsetDateTime;

use super::accounts::{self, SignInError};
use super::session::{
    check_same_origin, client_addr, cookie, cookie_value, is_secure, login_cookie_name, new_token,
    session_cookie_name, token_sha256, tokens_match, AdminRejection, AdminSession, CsrfForm,
    LOGIN_COOKIE, LOGIN_COOKIE_SECURE,
};
use super::throttle::ThrottlePolicy;
use crate::edges::SessionRecord;
use crate::{Hub, HubError};

#[derive(Template)]
#[template(path = "admin/login.html")]
struct LoginPage<'a> {
    csrf: &'a str,
    error: Option<&'a str>,
    name: &'a str,
}

/// Fields a form may carry besides `csrf` (none).
#[derive(Debug, Deserialize)]
pub struct NoFields {}

#[derive(Deserialize)]
struct LoginForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    csrf: String,
}

/// The sign-in page with a fresh form token (and its cookie).
fn login_form(secure: bool, status: StatusCode, error: Option<&str>, name: &str) -> Response {
    let token = new_token();
    let page = LoginPage {
        csrf: &token,
        error,
        name,
    };
    let html = match page.render() {
        Ok(h) => h,
        Err(e) => return AdminRejection::Hub(HubError::Task(e.to_string())).into_response(),
    };
    let c = cookie(
        login_cookie_name(secure),
        token.clone(),
        secure,
        time::Duration::minutes(30),
    );
    (
        status,
        AppendHeaders([(header::SET_COOKIE, c.to_string())]),
        Html(html),
    )
        .into_response()
}

/// `GET /admin/login`.
pub async fn login_page(
    State(hub): State<Hub>,
    signed_in: Result<AdminSession, AdminRejection>,
    headers: axum::http::HeaderMap,
) -> Response {
    if signed_in.is_ok() {
        return Redirect::to("/admin").into_response();
    }
    let secure = is_secure(&hub.config().admin, &headers);
    login_form(secure, StatusCode::OK, None, "")
}

/// `POST /admin/login`.
pub async fn login(State(hub): State<Hub>, req: Request) -> Response {
    let (parts, body) = req.into_parts();
    let cfg = hub.config().admin.clone();
    let secure = is_secure(&cfg, &parts.headers);
    if let Err(r) = check_same_origin(&parts.headers, &cfg) {
        return r.into_response();
    }
    let Ok(bytes) = axum::body::to_bytes(body, 16 * 1024).await else {
        return AdminRejection::BadRequest("the form is too large or was cut off").into_response();
    };
    let Ok(form) = serde_urlencoded::from_bytes::<LoginForm>(&bytes) else {
        return AdminRejection::BadRequest("the form could not be read").into_response();
    };
    let cookie_token = cookie_value(&parts.headers, &[LOGIN_COOKIE_SECURE, LOGIN_COOKIE]);
    match cookie_token {
        Some(t) if !form.csrf.is_empty() && tokens_match(&t, &form.csrf) => {}
        _ => {
            tracing::warn!("sign-in without a matching form token refused");
            hub.edges().metrics().login("csrf");
            return AdminRejection::forbidden(
                "CSRF_TOKEN_INVALID",
                "the sign-in form expired; open the sign-in page again",
            )
            .into_response();
        }
    }
    let addr = client_addr(&cfg, &parts.headers, &parts.extensions);
    let policy = ThrottlePolicy {
        max_failures: cfg.login_max_failures.max(1),
        window: time::Duration::minutes(cfg.login_window_minutes as i64),
        lockout: time::Duration::minutes(cfg.lockout_minutes as i64),
    };
    let store = hub.edges().store();
    let (name, password) = (form.name.clone(), form.password);
    let cost = cfg.password_hash;
    let addr2 = addr.clone();
    let result = tokio::task::spawn_blocking(move || {
        accounts::sign_in(
            &store,
            &name,
            &password,
            &addr2,
            policy,
            cost,
            OffsetDateTime::now_utc(),
        )
    })
    .await
    .unwrap_or_else(|e| Err(SignInError::Hub(HubError::Task(e.to_string()))));
    let account = match result {
        Ok(a) => a,
        Err(SignInError::BadCredentials) => {
            hub.edges().metrics().login("bad_credentials");
            tracing::warn!(name = %form.name, %addr, "admin sign-in refused");
            return login_form(
                secure,
                StatusCode::UNAUTHORIZED,
                Some("That name and password do not match."),
                &form.name,
            );
        }
        Err(SignInError::Locked { until }) => {
            hub.edges().metrics().login("locked");
            tracing::warn!(name = %form.name, %addr, %until, "admin sign-in locked out");
            let minutes = ((until - OffsetDateTime::now_utc()).whole_seconds().max(0) + 59) / 60;
            let msg = format!("Too many failed sign-ins. Try again in {minutes} min.");
            return login_form(
                secure,
                StatusCode::TOO_MANY_REQUESTS,
                Some(&msg),
                &form.name,
            );
        }
        Err(SignInError::Hub(e)) => return AdminRejection::Hub(e).into_response(),
    };
    let token = new_token();
    let now = OffsetDateTime::now_utc();
    let lifetime = time::Duration::hours(cfg.session_hours as i64);
    let record = SessionRecord {
        token_sha256: token_sha256(&token),
        account_id: account.id.clone(),
        csrf_token: new_token(),
        created_at: now,
        last_seen_at: now,
        expires_at: now + lifetime,
    };
    let store = hub.edges().store();
    let saved = tokio::task::spawn_blocking(move || store.insert_session(&record)).await;
    match saved {
        Ok(Ok(())) => {}
        Ok(Err(e)) => return AdminRejection::Hub(e).into_response(),
        Err(e) => return AdminRejection::Hub(HubError::Task(e.to_string())).into_response(),
    }
    hub.edges().metrics().login("ok");
    tracing::info!(account_id = %account.id, %addr, "admin signed in");
    let session = cookie(session_cookie_name(secure), token, secure, lifetime);
    let spent = cookie(
        login_cookie_name(secure),
        String::new(),
        secure,
        time::Duration::ZERO,
    );
    (
        AppendHeaders([
            (header::SET_COOKIE, session.to_string()),
            (header::SET_COOKIE, spent.to_string()),
        ]),
        Redirect::to("/admin"),
    )
        .into_response()
}

/// `POST /admin/logout`.
pub async fn logout(
    State(hub): State<Hub>,
    headers: axum::http::HeaderMap,
    form: CsrfForm<NoFields>,
) -> Response {
    let hash = form.session.session.token_sha256.clone();
    let store = hub.edges().store();
    if let Ok(Err(e)) = tokio::task::spawn_blocking(move || store.delete_session(&hash)).await {
        return AdminRejection::Hub(e).into_response();
    }
    tracing::info!(account_id = %form.session.account.id, "admin signed out");
    let secure = is_secure(&hub.config().admin, &headers);
    let gone = cookie(
        session_cookie_name(secure),
        String::new(),
        secure,
        time::Duration::ZERO,
    );
    (
        AppendHeaders([(header::SET_COOKIE, gone.to_string())]),
        Redirect::to("/admin/login"),
    )
        .into_response()
}
