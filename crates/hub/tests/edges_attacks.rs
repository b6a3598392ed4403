//! The hub's public edges under attack, over real HTTP on loopback. Each test
//! fails if the protection it names is removed.

mod support;

use serde_json::json;
use support::edges::*;

const LS_400: &str =
    r#"{"error":"Bad Request","message":"Cannot change status of a consignment with no products"}"#;

// -- webhooks -------------------------------------------------------------------

#[tokio::test]
async fn a_forged_webhook_signature_is_refused_and_nothing_is_queued() {
    let e = Edge::start().await;
    let body = webhook_body("consignment.send", &json!({"id": "c-1", "status": "SENT"}));
    let forged = tally_hub::webhooks::signature::sign(
        &tally_hub::webhooks::WebhookSecret::new("guessed-secret"),
        &body,
    );
    let r = e.webhook(body.clone(), Some(forged)).await;
    assert_eq!(r.status(), 401);
    let err: serde_json::Value = r.json().await.unwrap();
    assert_eq!(err["code"], "WEBHOOK_SIGNATURE_INVALID");
    // A valid signature of another body does not carry over either.
    let other = webhook_body("consignment.send", &json!({"id": "c-2"}));
    let r = e.webhook(body, signed(&other)).await;
    assert_eq!(r.status(), 401);
    let stats = e.hub().edges().store().webhook_queue_stats().unwrap();
    assert_eq!(stats.recorded, 0, "a refused delivery is not recorded");
}

#[tokio::test]
async fn the_signature_is_read_from_the_configured_header_only() {
    let e = Edge::start_configured(|c| c.webhooks.signature_header = "X-Vend-Hmac".into()).await;
    let body = webhook_body("consignment.send", &json!({"id": "c-7", "status": "SENT"}));
    // Correctly signed, but in the default header: as good as unsigned here.
    let r = e.webhook(body.clone(), signed(&body)).await;
    assert_eq!(r.status(), 401);
    let err: serde_json::Value = r.json().await.unwrap();
    assert_eq!(err["code"], "WEBHOOK_SIGNATURE_MISSING");
    let r = e
        .http
        .post(e.url("/webhooks/lightspeed"))
        .header("content-type", "application/x-www-form-urlencoded")
        .header("X-Vend-Hmac", signed(&body).unwrap())
        .body(body)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let stats = e.hub().edges().store().webhook_queue_stats().unwrap();
    assert_eq!(stats.recorded, 1);
}

#[tokio::test]
async fn a_webhook_without_a_signature_is_refused() {
    let e = Edge::start().await;
    let body = webhook_body("product.update", &json!({"id": "p-1", "sku": "1"}));
    let r = e.webhook(body, None).await;
    assert_eq!(r.status(), 401);
    let err: serde_json::Value = r.json().await.unwrap();
    assert_eq!(err["code"], "WEBHOOK_SIGNATURE_MISSING");
    assert_eq!(
        e.hub()
            .edges()
            .store()
            .webhook_queue_stats()
            .unwrap()
            .recorded,
        0
    );
}

#[tokio::test]
async fn a_hub_without_a_webhook_secret_accepts_no_webhook() {
    let dir = tempfile::tempdir().unwrap();
    let mut c = config(&dir);
    c.webhooks.secret = None;
    c.webhooks.secret_env = "TALLY_TEST_UNSET_WEBHOOK_SECRET".into();
    let handle = tally_hub::Hub::start(c).await.unwrap();
    let body = webhook_body("product.update", &json!({"id": "p-1"}));
    let r = client()
        .post(format!("{}/webhooks/lightspeed", handle.base_url))
        .header("X-Signature", signed(&body).unwrap())
        .body(body)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 503);
}

#[tokio::test]
async fn a_replayed_webhook_is_queued_once() {
    let e = Edge::start().await;
    let body = webhook_body(
        "consignment.receive",
        &json!({"id": "c-9", "type": "OUTLET", "status": "RECEIVED", "version": 41}),
    );
    let first = e.webhook(body.clone(), signed(&body)).await;
    assert_eq!(first.status(), 200);
    assert_eq!(
        first.json::<serde_json::Value>().await.unwrap()["status"],
        "accepted"
    );
    for _ in 0..3 {
        let again = e.webhook(body.clone(), signed(&body)).await;
        assert_eq!(again.status(), 200, "a duplicate is still answered 2xx");
        assert_eq!(
            again.json::<serde_json::Value>().await.unwrap()["status"],
            "duplicate"
        );
    }
    // The same object version in a differently encoded body is the same event.
    let reordered = serde_urlencoded::to_string([
        (
            "payload",
            r#"{"version":41,"status":"RECEIVED","type":"OUTLET","id":"c-9"}"#,
        ),
        ("type", "consignment.receive"),
    ])
    .unwrap()
    .into_bytes();
    let r = e.webhook(reordered.clone(), signed(&reordered)).await;
    assert_eq!(
        r.json::<serde_json::Value>().await.unwrap()["status"],
        "duplicate"
    );
    let stats = e.hub().edges().store().webhook_queue_stats().unwrap();
    assert_eq!((stats.recorded, stats.pending), (1, 1), "one hint queued");
    let m = e.hub().edges().metrics();
    assert_eq!(
        m.webhook_count(tally_hub::metrics::WebhookOutcome::Duplicate),
        4
    );
}

#[tokio::test]
async fn an_oversized_webhook_is_refused_with_413() {
    let e = Edge::start().await;
    let big = "x".repeat(300 * 1024);
    let body = webhook_body("product.update", &json!({"id": "p-1", "name": big}));
    let r = e.webhook(body.clone(), signed(&body)).await;
    assert_eq!(r.status(), 413);
    assert_eq!(
        e.hub()
            .edges()
            .store()
            .webhook_queue_stats()
            .unwrap()
            .recorded,
        0
    );
}

// -- sync API -------------------------------------------------------------------

#[tokio::test]
async fn an_oversized_sync_push_is_refused_with_413() {
    let e = Edge::start().await;
    let padding = "y".repeat(100 * 1024);
    let r = e
        .http
        .post(e.url("/sync/push"))
        .bearer_auth(&e.dev_a.token)
        .header("content-type", "application/json")
        .body(format!(
            r#"{{"protocol":1,"client_id":"{}","mutations":[],"pad":"{padding}"}}"#,
            e.dev_a.id
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 413);
}

#[tokio::test]
async fn another_outlets_device_token_cannot_push_for_a_foreign_station() {
    let e = Edge::start().await;
    let body = tally_sync::PushRequest::new(&e.dev_a.id, vec![]);
    let r = e
        .http
        .post(e.url("/sync/push"))
        .bearer_auth(&e.dev_b.token)
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
    assert_eq!(
        r.json::<serde_json::Value>().await.unwrap()["code"],
        "CLIENT_MISMATCH"
    );
}

#[tokio::test]
async fn an_admin_session_is_not_a_device_token() {
    let e = Edge::start().await;
    let s = e.sign_in(ADMIN, password()).await;
    let body = tally_sync::PushRequest::new(&e.dev_a.id, vec![]);
    let r = e
        .http
        .post(e.url("/sync/push"))
        .header("cookie", &s.cookie)
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 401);
}

// -- admin: authentication --------------------------------------------------------

#[tokio::test]
async fn a_device_token_does_not_open_the_admin_pages() {
    let e = Edge::start().await;
    let id = e.push_transfer(1, "TR-PON-000001").await;
    e.park(id, LS_400);
    let r = e
        .http
        .get(e.url("/admin"))
        .bearer_auth(&e.dev_a.token)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303, "sent to sign in");
    assert_eq!(r.headers()["location"], "/admin/login");
    let r = e
        .http
        .post(e.url(&format!("/admin/dead-letters/{id}/retry")))
        .bearer_auth(&e.dev_a.token)
        .header("origin", &e.base)
        .form(&[("csrf", "x")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 401);
    assert!(e.is_dead(id).await, "nothing changed");
}

#[tokio::test]
async fn every_admin_write_refuses_an_unauthenticated_call() {
    let e = Edge::start().await;
    let id = e.push_transfer(1, "TR-PON-000001").await;
    e.park(id, LS_400);
    for path in [
        format!("/admin/dead-letters/{id}/retry"),
        format!("/admin/dead-letters/{id}/discard"),
        "/admin/logout".to_string(),
    ] {
        let r = e
            .admin_post(&path, None, &[("csrf", "anything")], Some(&e.base))
            .await;
        assert_eq!(r.status(), 401, "{path}");
    }
    assert!(e.is_dead(id).await);
}

#[tokio::test]
async fn login_brute_force_is_locked_out_even_for_the_right_password() {
    let e = Edge::start().await;
    for i in 0..2 {
        let (status, _) = e.try_sign_in(ADMIN, "wrong password!").await;
        assert_eq!(status, 401, "attempt {i}");
    }
    let (status, _) = e.try_sign_in(ADMIN, "wrong password!").await;
    assert_eq!(status, 429, "the third failure locks");
    let (status, resp) = e.try_sign_in(ADMIN, password()).await;
    assert_eq!(status, 429, "locked: the right password is refused too");
    assert!(resp
        .text()
        .await
        .unwrap()
        .contains("Too many failed sign-ins"));
    // Another account from the same address is not locked by these failures.
    let (status, _) = e.try_sign_in(VIEWER, password()).await;
    assert_eq!(status, 303);
}

#[tokio::test]
async fn the_session_cookie_is_httponly_samesite_strict_and_secure_behind_tls() {
    let e = Edge::start().await;
    let s = e.sign_in(ADMIN, password()).await;
    for flag in ["HttpOnly", "SameSite=Strict", "Path=/"] {
        assert!(s.set_cookie.contains(flag), "{}", s.set_cookie);
    }
    assert!(!s.cookie.contains(password()));
    // Behind a TLS proxy the cookie is Secure and __Host- prefixed.
    let page = e
        .http
        .get(e.url("/admin/login"))
        .header("x-forwarded-proto", "https")
        .send()
        .await
        .unwrap();
    let login_cookie = page
        .headers()
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap().to_string())
        .next()
        .unwrap();
    assert!(
        login_cookie.starts_with("__Host-tally_login="),
        "{login_cookie}"
    );
    assert!(login_cookie.contains("Secure"));
    let csrf = csrf_in(&page.text().await.unwrap()).unwrap();
    let r = e
        .http
        .post(e.url("/admin/login"))
        .header("x-forwarded-proto", "https")
        .header("cookie", login_cookie.split(';').next().unwrap())
        .header("origin", &e.base)
        .form(&[
            ("name", ADMIN),
            ("password", password()),
            ("csrf", csrf.as_str()),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    let session = r
        .headers()
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap().to_string())
        .find(|c| c.contains("tally_admin="))
        .unwrap();
    assert!(session.starts_with("__Host-tally_admin="), "{session}");
    for flag in ["HttpOnly", "SameSite=Strict", "Secure", "Path=/"] {
        assert!(session.contains(flag), "{session}");
    }
}

#[tokio::test]
async fn a_sign_in_form_without_its_token_is_refused() {
    let e = Edge::start().await;
    let r = e
        .http
        .post(e.url("/admin/login"))
        .header("origin", &e.base)
        .form(&[
            ("name", ADMIN),
            ("password", password()),
            ("csrf", "made-up"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
    assert!(
        r.headers().get("set-cookie").is_none(),
        "no session handed out"
    );
}

#[tokio::test]
async fn signing_out_ends_the_session_on_the_server() {
    let e = Edge::start().await;
    let s = e.sign_in(ADMIN, password()).await;
    let r = e
        .admin_post(
            "/admin/logout",
            Some(&s),
            &[("csrf", &s.csrf)],
            Some(&e.base),
        )
        .await;
    assert_eq!(r.status(), 303);
    let r = e
        .http
        .get(e.url("/admin"))
        .header("cookie", &s.cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303, "the old cookie no longer works");
}

// -- admin: CSRF and cross-site posts ---------------------------------------------

#[tokio::test]
async fn a_post_without_the_csrf_token_is_refused() {
    let e = Edge::start().await;
    let id = e.push_transfer(1, "TR-PON-000001").await;
    e.park(id, LS_400);
    let s = e.sign_in(ADMIN, password()).await;
    let r = e
        .admin_post(
            &format!("/admin/dead-letters/{id}/retry"),
            Some(&s),
            &[],
            Some(&e.base),
        )
        .await;
    assert_eq!(r.status(), 403);
    assert!(r.text().await.unwrap().contains("CSRF_TOKEN_MISSING"));
    assert!(e.is_dead(id).await);
}

#[tokio::test]
async fn a_post_with_a_wrong_csrf_token_is_refused() {
    let e = Edge::start().await;
    let id = e.push_transfer(1, "TR-PON-000001").await;
    e.park(id, LS_400);
    let s = e.sign_in(ADMIN, password()).await;
    let other = e.sign_in(VIEWER, password()).await;
    for token in ["wrong", other.csrf.as_str()] {
        let r = e
            .admin_post(
                &format!("/admin/dead-letters/{id}/retry"),
                Some(&s),
                &[("csrf", token)],
                Some(&e.base),
            )
            .await;
        assert_eq!(r.status(), 403, "token {token}");
        assert!(r.text().await.unwrap().contains("CSRF_TOKEN_INVALID"));
    }
    assert!(e.is_dead(id).await);
}

#[tokio::test]
async fn a_cross_site_form_post_is_refused_even_with_a_valid_token() {
    let e = Edge::start().await;
    let id = e.push_transfer(1, "TR-PON-000001").await;
    e.park(id, LS_400);
    let s = e.sign_in(ADMIN, password()).await;
    let path = format!("/admin/dead-letters/{id}/discard");
    let r = e
        .admin_post(
            &path,
            Some(&s),
            &[("csrf", &s.csrf)],
            Some("http://evil.example"),
        )
        .await;
    assert_eq!(r.status(), 403);
    assert!(r.text().await.unwrap().contains("CROSS_SITE_REQUEST"));
    let r = e
        .http
        .post(e.url(&path))
        .header("cookie", &s.cookie)
        .header("referer", "https://evil.example/page")
        .form(&[("csrf", s.csrf.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403, "a foreign Referer without Origin");
    assert!(e.is_dead(id).await, "still parked");
}

#[tokio::test]
async fn an_ops_viewer_may_look_but_not_retry() {
    let e = Edge::start().await;
    let id = e.push_transfer(1, "TR-PON-000001").await;
    e.park(id, LS_400);
    let s = e.sign_in(VIEWER, password()).await;
    let page = e
        .http
        .get(e.url("/admin"))
        .header("cookie", &s.cookie)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("TR-PON-000001"));
    assert!(!page.contains("/retry\""), "no Retry button for a viewer");
    let r = e
        .admin_post(
            &format!("/admin/dead-letters/{id}/retry"),
            Some(&s),
            &[("csrf", &s.csrf)],
            Some(&e.base),
        )
        .await;
    assert_eq!(r.status(), 403);
    assert!(e.is_dead(id).await);
}

#[tokio::test]
async fn retry_with_session_token_and_origin_requeues_the_saga() {
    let e = Edge::start().await;
    let id = e.push_transfer(1, "TR-PON-000001").await;
    e.park(id, LS_400);
    let s = e.sign_in(ADMIN, password()).await;
    let r = e
        .admin_post(
            &format!("/admin/dead-letters/{id}/retry"),
            Some(&s),
            &[("csrf", &s.csrf)],
            Some(&e.base),
        )
        .await;
    assert_eq!(r.status(), 303);
    assert_eq!(r.headers()["location"], "/admin?notice=retried");
    assert!(!e.is_dead(id).await);
    assert!(e.is_pending(id).await, "back in the queue");
}

// -- file routes ------------------------------------------------------------------

#[tokio::test]
async fn path_traversal_in_the_asset_route_finds_nothing() {
    let e = Edge::start().await;
    let ok = e
        .http
        .get(e.url("/admin/assets/admin.css"))
        .send()
        .await
        .unwrap();
    assert_eq!(ok.status(), 200);
    for probe in [
        "/admin/assets/..%2f..%2fCargo.toml",
        "/admin/assets/..%2F..%2F..%2F..%2Fetc%2Fpasswd",
        "/admin/assets/%2e%2e%2f%2e%2e%2fCargo.toml",
        "/admin/assets/%2e%2e/%2e%2e/Cargo.toml",
        "/admin/assets/..%252f..%252fCargo.toml",
        "/admin/assets/....//....//Cargo.toml",
        "/admin/assets/..\\..\\Cargo.toml",
        "/admin/assets/admin.css%00.png",
    ] {
        let r = e.http.get(e.url(probe)).send().await.unwrap();
        let status = r.status();
        let body = r.text().await.unwrap();
        assert!(status == 404, "{probe}: {status}");
        assert!(
            !body.contains("[package]") && !body.contains("root:"),
            "{probe} leaked a file"
        );
    }
}

// -- headers, metrics, health -----------------------------------------------------

#[tokio::test]
async fn admin_pages_carry_a_strict_csp_and_no_framing() {
    let e = Edge::start().await;
    let s = e.sign_in(ADMIN, password()).await;
    let r = e
        .http
        .get(e.url("/admin"))
        .header("cookie", &s.cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let csp = r.headers()["content-security-policy"]
        .to_str()
        .unwrap()
        .to_string();
    assert!(csp.starts_with("default-src 'self'"), "{csp}");
    assert!(csp.contains("frame-ancestors 'none'"));
    assert_eq!(r.headers()["x-frame-options"], "DENY");
    assert_eq!(r.headers()["x-content-type-options"], "nosniff");
    let html = r.text().await.unwrap();
    assert!(
        !html.contains("<script>") && !html.contains("style=\""),
        "nothing inline"
    );
    assert!(
        !html.contains("http://") && !html.contains("https://"),
        "no external assets"
    );
}

#[tokio::test]
async fn data_in_the_dashboard_is_escaped() {
    let e = Edge::start().await;
    let id = e.push_transfer(1, "TR-<script>alert(1)</script>").await;
    e.park(id, r#"{"message":"<img src=x onerror=alert(1)>"}"#);
    let s = e.sign_in(ADMIN, password()).await;
    let html = e
        .http
        .get(e.url("/admin"))
        .header("cookie", &s.cookie)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(!html.contains("<script>alert(1)"), "reference escaped");
    assert!(!html.contains("<img src=x"), "Lightspeed body escaped");
    assert!(html.contains("&lt;script&gt;") || html.contains("&#60;script&#62;"));
}

#[tokio::test]
async fn metrics_health_and_request_ids_answer() {
    let e = Edge::start().await;
    e.push_transfer(1, "TR-PON-000001").await;
    let body = webhook_body("product.update", &json!({"id": "p-1", "sku": "1"}));
    e.webhook(body.clone(), signed(&body)).await;
    e.webhook(body.clone(), signed(&body)).await;
    e.webhook(body, None).await;
    let r = e
        .http
        .get(e.url("/metrics"))
        .header("x-request-id", "req-abc-123")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(
        r.headers()["x-request-id"],
        "req-abc-123",
        "caller's id echoed"
    );
    let text = r.text().await.unwrap();
    for line in [
        "tally_hub_saga_queue_depth 1",
        "tally_hub_webhook_deliveries_total{outcome=\"accepted\"} 1",
        "tally_hub_webhook_deliveries_total{outcome=\"duplicate\"} 1",
        "tally_hub_webhook_deliveries_total{outcome=\"rejected_missing_signature\"} 1",
        "tally_hub_webhook_hints_pending 1",
    ] {
        assert!(text.contains(line), "missing {line:?} in\n{text}");
    }
    let r = e.http.get(e.url("/healthz")).send().await.unwrap();
    assert_eq!(r.status(), 200);
    assert!(
        r.headers().contains_key("x-request-id"),
        "an id is made when none is sent"
    );
}

// -- logs -----------------------------------------------------------------------

/// Log lines written while the test runs (this thread's subscriber).
#[derive(Clone, Default)]
struct Captured(std::sync::Arc<std::sync::Mutex<Vec<u8>>>);

impl std::io::Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[tokio::test]
async fn a_refused_webhook_is_logged_without_its_body_or_signature() {
    let logs = Captured::default();
    let writer = logs.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_writer(move || writer.clone())
        .with_max_level(tracing::Level::DEBUG)
        .with_ansi(false)
        .finish();
    // The server runs on this test's single-threaded runtime, so it logs here.
    let _guard = tracing::subscriber::set_default(subscriber);
    let e = Edge::start().await;
    let body = webhook_body(
        "customer.update",
        &json!({"id": "cust-1", "phone": "021-PRIVATE-555", "email": "someone@example.co.nz"}),
    );
    let forged = "signature=00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff, algorithm=HMAC-SHA256";
    let r = e.webhook(body, Some(forged.into())).await;
    assert_eq!(r.status(), 401);
    let text = String::from_utf8(logs.0.lock().unwrap().clone()).unwrap();
    assert!(
        text.contains("webhook refused"),
        "the refusal is logged:\n{text}"
    );
    assert!(text.contains("WEBHOOK_SIGNATURE_INVALID"));
    for secret in [
        "021-PRIVATE-555",
        "someone@example",
        "00112233445566778899",
        SECRET,
    ] {
        assert!(
            !text.contains(secret),
            "{secret:?} leaked into the log:\n{text}"
        );
    }
}
