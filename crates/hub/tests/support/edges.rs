//! Set-up for the edges' HTTP tests: a hub on loopback with a webhook secret, two
//! outlets with a station each (see [`super::seed_two_outlets`]), admin accounts,
//! and helpers to sign in, post admin forms and deliver signed webhooks.

use std::sync::Arc;

use tally_hub::edges::AdminRole;
use tally_hub::ls::memory::MemoryLightspeed;
use tally_hub::store::{write_with, SagaState};
use tally_hub::webhooks::{signature, WebhookSecret};
use tally_hub::{Hub, HubConfig, HubHandle};
use tally_sync::*;
use uuid::Uuid;

pub use super::Enrolled;
use super::{fast_config, push, seed_two_outlets, transfer_a_to_b, CHEAP_HASH};

pub const SECRET: &str = "test-client-secret-not-real";
pub const ADMIN: &str = "ops";
pub const VIEWER: &str = "viewer";
/// The test admins' password: made up for this test run, never a literal in the repo.
pub fn password() -> &'static str {
    static PASSWORD: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    PASSWORD.get_or_init(|| format!("pw-{}", uuid::Uuid::new_v4().simple()))
}

pub fn secret() -> WebhookSecret {
    WebhookSecret::new(SECRET)
}

pub fn config(dir: &tempfile::TempDir) -> HubConfig {
    let mut c = fast_config(dir);
    c.admin.password_hash = CHEAP_HASH;
    c.admin.login_max_failures = 3;
    c.max_body_bytes = 64 * 1024;
    c.webhooks.secret = Some(secret());
    c.webhooks.worker_idle_ms = 20;
    c.worker.idle_ms = 20;
    c.worker.poll = false;
    c
}

pub struct Edge {
    pub dir: tempfile::TempDir,
    pub handle: HubHandle,
    pub base: String,
    pub http: reqwest::Client,
    pub dev_a: Enrolled,
    pub dev_b: Enrolled,
    pub staff_a: String,
}

/// A signed-in browser: its session cookie and the page's CSRF token.
#[derive(Debug, Clone)]
pub struct Session {
    pub cookie: String,
    pub csrf: String,
    pub set_cookie: String,
}

pub fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

impl Edge {
    /// A hub without a Lightspeed worker (sagas stay where the test puts them).
    pub async fn start() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let handle = Hub::start(config(&dir)).await.unwrap();
        Self::seed(dir, handle).await
    }

    /// A hub without a Lightspeed worker, its configuration changed by `config_of`.
    #[allow(dead_code)] // not every test binary changes the configuration
    pub async fn start_configured(config_of: impl FnOnce(&mut HubConfig)) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let mut c = config(&dir);
        config_of(&mut c);
        let handle = Hub::start(c).await.unwrap();
        Self::seed(dir, handle).await
    }

    /// A hub whose saga and hint workers run against `ls`.
    pub async fn start_with(
        mut config_of: impl FnMut(&mut HubConfig),
        ls: Arc<MemoryLightspeed>,
    ) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let mut c = config(&dir);
        config_of(&mut c);
        let handle = Hub::start_with_lightspeed(c, ls).await.unwrap();
        Self::seed(dir, handle).await
    }

    async fn seed(dir: tempfile::TempDir, handle: HubHandle) -> Self {
        let hub = handle.hub();
        let seeded = seed_two_outlets(hub, "Garden hose 20 m").await;
        hub.create_admin(ADMIN, AdminRole::Admin, password())
            .await
            .unwrap();
        hub.create_admin(VIEWER, AdminRole::OpsViewer, password())
            .await
            .unwrap();
        let base = handle.base_url.clone();
        Self {
            dir,
            handle,
            base,
            http: client(),
            dev_a: seeded.dev_a,
            dev_b: seeded.dev_b,
            staff_a: seeded.staff_a,
        }
    }

    pub fn hub(&self) -> &Hub {
        self.handle.hub()
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// Outlet A's station pulls, reporting `waiting` unsent and `attention` refused changes.
    #[allow(dead_code)] // not every test binary reports a backlog
    pub async fn report_backlog(&self, waiting: u64, attention: u64) {
        let resp = self
            .http
            .get(self.url("/sync/pull"))
            .query(&[
                ("protocol", "1".to_string()),
                ("cursor", "0".to_string()),
                ("limit", "1".to_string()),
                ("waiting", waiting.to_string()),
                ("attention", attention.to_string()),
            ])
            .bearer_auth(&self.dev_a.token)
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), 200);
    }

    /// Pushes a new outlet transfer from outlet A; returns its id.
    pub async fn push_transfer(&self, seq: u64, reference: &str) -> Uuid {
        let id = Uuid::now_v7();
        let env = transfer_a_to_b(id, seq, &self.staff_a, reference);
        let resp = push(&self.http, &self.base, &self.dev_a, vec![env]).await;
        assert!(
            matches!(resp.results[0].outcome, MutationOutcome::Applied),
            "{resp:?}"
        );
        id
    }

    /// Parks a consignment's saga in the dead-letter list as the worker would
    /// after Lightspeed answered 400 with `body`.
    pub fn park(&self, id: Uuid, body: &str) {
        let store = self.hub().store();
        write_with(&*store, |tx| {
            let mut s = tx.saga(id)?.expect("saga queued by the push");
            s.state = SagaState::Dead;
            s.last_error = Some("LIGHTSPEED_REJECTED: HTTP 400".into());
            s.dead_body = Some(body.into());
            tx.update_saga(&s)
        })
        .unwrap();
    }

    pub async fn is_dead(&self, id: Uuid) -> bool {
        self.hub()
            .dead_letters()
            .await
            .unwrap()
            .iter()
            .any(|s| s.consignment_id == id)
    }

    pub async fn is_pending(&self, id: Uuid) -> bool {
        self.hub()
            .pending_sagas()
            .await
            .unwrap()
            .iter()
            .any(|s| s.consignment_id == id)
    }

    /// Delivers a webhook body with a signature header (or none).
    pub async fn webhook(
        &self,
        body: Vec<u8>,
        signature_header: Option<String>,
    ) -> reqwest::Response {
        let mut req = self
            .http
            .post(self.url("/webhooks/lightspeed"))
            .header("content-type", "application/x-www-form-urlencoded")
            .body(body);
        if let Some(h) = signature_header {
            req = req.header("X-Signature", h);
        }
        req.send().await.unwrap()
    }

    /// Signs in through the real form; returns the session.
    pub async fn sign_in(&self, name: &str, password: &str) -> Session {
        let (status, resp) = self.try_sign_in(name, password).await;
        assert_eq!(status, 303, "sign-in of {name}");
        let set_cookie = resp
            .headers()
            .get_all("set-cookie")
            .iter()
            .map(|v| v.to_str().unwrap().to_string())
            .find(|c| c.starts_with("tally_admin=") || c.starts_with("__Host-tally_admin="))
            .expect("session cookie");
        let cookie = set_cookie.split(';').next().unwrap().to_string();
        let page = self
            .http
            .get(self.url("/admin"))
            .header("cookie", &cookie)
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        Session {
            cookie,
            csrf: csrf_in(&page).expect("csrf token on the dashboard"),
            set_cookie,
        }
    }

    /// Posts the sign-in form; returns the status and the response.
    pub async fn try_sign_in(&self, name: &str, password: &str) -> (u16, reqwest::Response) {
        let form_page = self
            .http
            .get(self.url("/admin/login"))
            .send()
            .await
            .unwrap();
        let login_cookie = form_page
            .headers()
            .get_all("set-cookie")
            .iter()
            .map(|v| v.to_str().unwrap().split(';').next().unwrap().to_string())
            .find(|c| c.starts_with("tally_login="))
            .expect("login cookie");
        let csrf = csrf_in(&form_page.text().await.unwrap()).expect("login csrf");
        let resp = self
            .http
            .post(self.url("/admin/login"))
            .header("cookie", login_cookie)
            .header("origin", &self.base)
            .form(&[
                ("name", name),
                ("password", password),
                ("csrf", csrf.as_str()),
            ])
            .send()
            .await
            .unwrap();
        (resp.status().as_u16(), resp)
    }

    /// Posts an admin form as a browser on this hub's page would (same Origin).
    pub async fn admin_post(
        &self,
        path: &str,
        session: Option<&Session>,
        fields: &[(&str, &str)],
        origin: Option<&str>,
    ) -> reqwest::Response {
        let mut req = self.http.post(self.url(path)).form(fields);
        if let Some(s) = session {
            req = req.header("cookie", &s.cookie);
        }
        if let Some(o) = origin {
            req = req.header("origin", o);
        }
        req.send().await.unwrap()
    }
}

/// The value of the first `name="csrf"` hidden input in a page.
pub fn csrf_in(html: &str) -> Option<String> {
    let at = html.find("name=\"csrf\" value=\"")? + "name=\"csrf\" value=\"".len();
    let rest = &html[at..];
    Some(rest[..rest.find('"')?].to_string())
}

/// A form-encoded webhook body.
pub fn webhook_body(event_type: &str, payload: &serde_json::Value) -> Vec<u8> {
    serde_urlencoded::to_string([
        ("type", event_type),
        ("domain_prefix", "nzchain"),
        ("payload", &payload.to_string()),
    ])
    .unwrap()
    .into_bytes()
}

/// The header Lightspeed would send.
pub fn signed(body: &[u8]) -> Option<String> {
    Some(signature::sign(&secret(), body))
}
