//! The admin pages' stylesheet and script, compiled into the binary and served by
//! name from a fixed table: no file system path is ever built from the request,
//! so `..` and encoded variants can only miss.

use axum::extract::Path;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};

/// (name, content type, bytes).
const ASSETS: &[(&str, &str, &str)] = &[
    (
        "admin.css",
        "text/css; charset=utf-8",
        include_str!("../../assets/admin.css"),
    ),
    (
        "refresh.js",
        "text/javascript; charset=utf-8",
        include_str!("../../assets/refresh.js"),
    ),
];

/// The asset called `name`, if there is one.
pub fn lookup(name: &str) -> Option<(&'static str, &'static str)> {
    ASSETS
        .iter()
        .find(|(n, _, _)| *n == name)
        .map(|&(_, ct, body)| (ct, body))
}

/// `GET /admin/assets/{name}`.
pub async fn asset(Path(name): Path<String>) -> Response {
    match lookup(&name) {
        Some((content_type, body)) => (
            [
                (header::CONTENT_TYPE, content_type),
                (header::CACHE_CONTROL, "public, max-age=300"),
            ],
            body,
        )
            .into_response(),
        None => (StatusCode::NOT_FOUND, "no such asset").into_response(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_listed_names_resolve() {
        assert!(lookup("admin.css").is_some());
        assert!(lookup("refresh.js").is_some());
        for probe in [
            "../Cargo.toml",
            "..%2fCargo.toml",
            "/etc/passwd",
            "admin.css/..",
            "",
            ".",
        ] {
            assert!(lookup(probe).is_none(), "{probe}");
        }
    }
}
