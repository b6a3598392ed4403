//! The admin pages: sign-in with Argon2id-hashed passwords and throttling,
//! session cookies with CSRF tokens, the sync dashboard with dead-letter retry and
//! discard. Server-rendered (askama, escaped), no external assets, strict CSP.

pub mod accounts;
mod assets;
mod config;
mod dashboard;
mod pages;
pub mod session;
pub mod throttle;
pub mod view;

use axum::http::{header, HeaderValue};
use axum::routing::{get, post};
use axum::Router;
use tower_http::set_header::SetResponseHeaderLayer;

pub use accounts::{create_admin, hash_password, random_password, verify_password};
pub use config::AdminConfig;
pub use session::{AdminSession, CsrfForm};

use crate::Hub;

/// The page policy: only this hub's own scripts, styles, images and forms.
pub const CONTENT_SECURITY_POLICY: &str = "default-src 'self'; frame-ancestors 'none'; form-action 'self'; base-uri 'none'; object-src 'none'";

/// The admin routes, with their security headers.
pub fn router() -> Router<Hub> {
    let header = |name, value: &'static str| {
        SetResponseHeaderLayer::overriding(name, HeaderValue::from_static(value))
    };
    Router::new()
        .route("/admin", get(dashboard::dashboard))
        .route("/admin/", get(dashboard::dashboard))
        .route("/admin/live", get(dashboard::live))
        .route("/admin/freight", get(crate::freight::report::page))
        .route("/admin/freight.json", get(crate::freight::report::json))
        .route("/admin/login", get(pages::login_page).post(pages::login))
        .route("/admin/logout", post(pages::logout))
        .route("/admin/dead-letters/{id}/retry", post(dashboard::retry))
        .route("/admin/dead-letters/{id}/discard", post(dashboard::discard))
        .route("/admin/assets/{name}", get(assets::asset))
        .layer(header(
            header::CONTENT_SECURITY_POLICY,
            CONTENT_SECURITY_POLICY,
        ))
        .layer(header(header::X_FRAME_OPTIONS, "DENY"))
        .layer(header(header::REFERRER_POLICY, "same-origin"))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::CACHE_CONTROL,
            HeaderValue::from_static("no-store"),
        ))
}
