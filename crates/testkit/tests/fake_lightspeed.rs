//! The fake Lightspeed over real HTTP on loopback: every rule of docs/LIGHTSPEED.md
//! it claims to enforce, checked from the outside.

use std::time::Duration;

use reqwest::StatusCode;
use rust_decimal::Decimal;
use serde_json::{json, Value};
use tally_domain::LsConsignmentStatus;
use tally_testkit::faults::{Fault, FaultRule};
use tally_testkit::lightspeed::{FakeConfig, FakeHandle, FakeLightspeed, RateLimitConfig};

struct Api {
    fake: FakeHandle,
    http: reqwest::Client,
    token: String,
    warehouse: String,
    store: String,
    supplier: String,
    products: Vec<String>,
}

impl Api {
    async fn start() -> Self {
        Self::start_with(FakeConfig::default()).await
    }

    async fn start_with(config: FakeConfig) -> Self {
        let fake = FakeLightspeed::start(config).await.unwrap();
        let token = fake.issue_access_token(Duration::from_secs(60));
        let warehouse = fake.add_outlet("Dunedin Warehouse");
        let store = fake.add_outlet("Auckland CBD");
        let supplier = fake.add_supplier("Otago Merino Mills");
        let products = (0..3)
            .map(|i| {
                fake.add_product(
                    &format!("SKU-{i}"),
                    &format!("Product {i}"),
                    &format!("940000000000{i}"),
                    Decimal::new(1250, 2),
                )
            })
            .collect();
        let http = reqwest::Client::builder()
            .timeout(Duration::from_secs(5))
            .build()
            .unwrap();
        Self {
            fake,
            http,
            token,
            warehouse,
            store,
            supplier,
            products,
        }
    }

    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.fake.base_url())
    }

    async fn call(
        &self,
        method: reqwest::Method,
        path: &str,
        body: Option<Value>,
    ) -> (StatusCode, Value) {
        let mut req = self
            .http
            .request(method, self.url(path))
            .bearer_auth(&self.token);
        if let Some(b) = body {
            req = req.json(&b);
        }
        let resp = req.send().await.unwrap();
        let status = resp.status();
        let text = resp.text().await.unwrap();
        (status, serde_json::from_str(&text).unwrap_or(Value::Null))
    }

    async fn get(&self, path: &str) -> (StatusCode, Value) {
        self.call(reqwest::Method::GET, path, None).await
    }
    async fn post(&self, path: &str, body: Value) -> (StatusCode, Value) {
        self.call(reqwest::Method::POST, path, Some(body)).await
    }
    async fn put(&self, path: &str, body: Value) -> (StatusCode, Value) {
        self.call(reqwest::Method::PUT, path, Some(body)).await
    }
    async fn delete(&self, path: &str) -> (StatusCode, Value) {
        self.call(reqwest::Method::DELETE, path, None).await
    }

    async fn create(&self, body: Value) -> String {
        let (s, v) = self.post("/consignments", body).await;
        assert_eq!(s, StatusCode::CREATED, "{v}");
        v["data"]["id"].as_str().unwrap().to_string()
    }

    async fn transfer(&self) -> String {
        self.create(json!({"type": "OUTLET", "outlet_id": self.store, "source_outlet_id": self.warehouse, "reference": "TR-1"}))
            .await
    }

    async fn purchase_order(&self) -> String {
        self.create(
            json!({"type": "SUPPLIER", "outlet_id": self.warehouse, "supplier_id": self.supplier}),
        )
        .await
    }

    async fn add_line(&self, id: &str, product: usize, count: Value) -> (StatusCode, Value) {
        self.post(
            &format!("/consignments/{id}/products"),
            json!({"product_id": self.products[product], "count": count}),
        )
        .await
    }

    async fn set_status(&self, id: &str, status: &str) -> (StatusCode, Value) {
        self.put(&format!("/consignments/{id}"), json!({"status": status}))
            .await
    }

    fn status_of(&self, id: &str) -> LsConsignmentStatus {
        self.fake.consignment(id).unwrap().status
    }
}

fn dec(s: &str) -> Decimal {
    s.parse().unwrap()
}

#[tokio::test]
async fn api_calls_without_a_live_bearer_token_get_401_with_an_error_envelope() {
    let api = Api::start().await;
    let resp = api.http.get(api.url("/products")).send().await.unwrap();
    assert_eq!(resp.status(), StatusCode::UNAUTHORIZED);
    let body: Value = resp.json().await.unwrap();
    assert!(body["error"].is_string() && body["message"].is_string());
    api.fake.expire_access_tokens();
    assert_eq!(api.get("/products").await.0, StatusCode::UNAUTHORIZED);
    assert_eq!(api.fake.oauth_stats().unauthorized_calls, 2);
}

async fn refresh(api: &Api, refresh_token: &str) -> (StatusCode, Value) {
    let cfg = api.fake.config();
    let resp = api
        .http
        .post(api.fake.token_url())
        .form(&[
            ("grant_type", "refresh_token"),
            ("refresh_token", refresh_token),
            ("client_id", cfg.client_id.as_str()),
            ("client_secret", cfg.client_secret.as_str()),
        ])
        .send()
        .await
        .unwrap();
    (resp.status(), resp.json().await.unwrap())
}

#[tokio::test]
async fn refresh_rotates_the_refresh_token_and_the_old_one_is_refused() {
    let api = Api::start().await;
    let first = api.fake.issue_refresh_token();
    let (s, v) = refresh(&api, &first).await;
    assert_eq!(s, StatusCode::OK);
    let second = v["refresh_token"].as_str().unwrap().to_string();
    assert_ne!(second, first);
    assert_eq!(v["token_type"], "Bearer");
    assert_eq!(v["domain_prefix"], "tallydemo");
    assert!(v["expires"].as_u64().unwrap() > 1_700_000_000);
    assert_eq!(v["expires_in"], 600);
    let access = v["access_token"].as_str().unwrap();
    let ok = api
        .http
        .get(api.url("/outlets"))
        .bearer_auth(access)
        .send()
        .await
        .unwrap();
    assert_eq!(ok.status(), StatusCode::OK);

    let (s, v) = refresh(&api, &first).await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    assert_eq!(v["error"], "invalid_grant");
    assert_eq!(refresh(&api, &second).await.0, StatusCode::OK);
    let stats = api.fake.oauth_stats();
    assert_eq!((stats.refreshes_granted, stats.refreshes_refused), (2, 1));
}

#[tokio::test]
async fn token_endpoint_wants_a_form_and_the_right_client() {
    let api = Api::start().await;
    let rt = api.fake.issue_refresh_token();
    let json_body = api
        .http
        .post(api.fake.token_url())
        .json(&json!({"grant_type": "refresh_token", "refresh_token": rt}))
        .send()
        .await
        .unwrap();
    assert_eq!(json_body.status(), StatusCode::BAD_REQUEST);
    let wrong = api
        .http
        .post(api.fake.token_url())
        .form(&[
            ("grant_type", "refresh_token"),
            ("refresh_token", rt.as_str()),
            ("client_id", "someone-else"),
            ("client_secret", "nope"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(wrong.status(), StatusCode::UNAUTHORIZED);
    // The refresh token survived both refusals.
    assert_eq!(refresh(&api, &rt).await.0, StatusCode::OK);
}

#[tokio::test]
async fn creating_a_consignment_answers_201_and_unknown_types_like_stock_are_refused() {
    let api = Api::start().await;
    let (s, v) = api
        .post("/consignments", json!({"type": "OUTLET", "outlet_id": api.store, "source_outlet_id": api.warehouse, "name": "Restock"}))
        .await;
    assert_eq!(s, StatusCode::CREATED);
    assert_eq!(v["data"]["status"], "OPEN");
    assert_eq!(v["data"]["type"], "OUTLET");
    assert!(v["data"]["version"].as_u64().unwrap() > 0);

    let (s, v) = api
        .post(
            "/consignments",
            json!({"type": "STOCK", "outlet_id": api.store, "source_outlet_id": api.warehouse}),
        )
        .await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    assert!(v["message"].as_str().unwrap().contains("STOCK"));
    assert_eq!(v["error"], "Bad Request");
    assert_eq!(api.fake.consignments().len(), 1);

    let (s, _) = api
        .post(
            "/consignments",
            json!({"type": "OUTLET", "outlet_id": api.store}),
        )
        .await;
    assert_eq!(
        s,
        StatusCode::BAD_REQUEST,
        "a transfer needs a source outlet"
    );
    let (s, _) = api.post("/consignments", json!("not an object")).await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn supplier_orders_cannot_be_created_dispatched_or_received() {
    let api = Api::start().await;
    for status in ["DISPATCHED", "RECEIVED"] {
        let (s, _) = api
            .post(
                "/consignments",
                json!({"type": "SUPPLIER", "outlet_id": api.warehouse, "status": status}),
            )
            .await;
        assert_eq!(s, StatusCode::BAD_REQUEST, "{status}");
    }
    let (s, _) = api
        .post(
            "/consignments",
            json!({"type": "SUPPLIER", "outlet_id": api.warehouse, "status": "SENT"}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED);
}

#[tokio::test]
async fn status_cannot_change_on_a_consignment_without_lines() {
    let api = Api::start().await;
    let id = api.transfer().await;
    let (s, v) = api.set_status(&id, "SENT").await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    assert!(v["message"].as_str().unwrap().contains("no products"));
    assert_eq!(
        api.set_status(&id, "CANCELLED").await.0,
        StatusCode::BAD_REQUEST
    );
    assert_eq!(api.status_of(&id), LsConsignmentStatus::Open);
}

#[tokio::test]
async fn transfers_refuse_dispatched_and_going_backwards() {
    let api = Api::start().await;
    let id = api.transfer().await;
    api.add_line(&id, 0, json!(2)).await;
    assert_eq!(
        api.set_status(&id, "DISPATCHED").await.0,
        StatusCode::BAD_REQUEST
    );
    assert_eq!(api.set_status(&id, "SENT").await.0, StatusCode::OK);
    // Same status again is a no-op, not an error (a retried PUT).
    assert_eq!(api.set_status(&id, "SENT").await.0, StatusCode::OK);
    assert_eq!(api.set_status(&id, "OPEN").await.0, StatusCode::BAD_REQUEST);
    assert_eq!(
        api.set_status(&id, "PACKED").await.0,
        StatusCode::BAD_REQUEST
    );
    assert_eq!(api.status_of(&id), LsConsignmentStatus::Sent);
}

#[tokio::test]
async fn received_needs_a_line_with_a_non_zero_received_count() {
    let api = Api::start().await;
    let id = api.transfer().await;
    api.add_line(&id, 0, json!("3")).await;
    api.set_status(&id, "SENT").await;
    let (s, v) = api.set_status(&id, "RECEIVED").await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "{v}");
    let p = &api.products[0];
    let (s, _) = api
        .put(
            &format!("/consignments/{id}/products/{p}"),
            json!({"received": "0"}),
        )
        .await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(
        api.set_status(&id, "RECEIVED").await.0,
        StatusCode::BAD_REQUEST
    );
    api.put(
        &format!("/consignments/{id}/products/{p}"),
        json!({"received": 2}),
    )
    .await;
    assert_eq!(api.set_status(&id, "RECEIVED").await.0, StatusCode::OK);
}

#[tokio::test]
async fn setting_a_received_count_on_a_sent_supplier_order_dispatches_it() {
    let api = Api::start().await;
    let id = api.purchase_order().await;
    api.add_line(&id, 0, json!(5)).await;
    api.set_status(&id, "SENT").await;
    let p = &api.products[0];
    api.put(
        &format!("/consignments/{id}/products/{p}"),
        json!({"received": "4"}),
    )
    .await;
    assert_eq!(api.status_of(&id), LsConsignmentStatus::Dispatched);
    let (s, v) = api.get(&format!("/consignments/{id}")).await;
    assert_eq!(
        (s, v["data"]["status"].as_str()),
        (StatusCode::OK, Some("DISPATCHED"))
    );
    assert_eq!(api.set_status(&id, "RECEIVED").await.0, StatusCode::OK);
    assert_eq!(api.fake.inventory_level(p, &api.warehouse), dec("4"));
}

#[tokio::test]
async fn supplier_bulk_adds_to_existing_counts_while_transfer_bulk_sets_them() {
    let api = Api::start().await;
    let po = api.purchase_order().await;
    let lines = json!([
        {"product_id": api.products[0], "count": "2"},
        {"product_id": api.products[1], "count": 3.5}
    ]);
    let (s, v) = api
        .post(&format!("/consignments/{po}/bulk"), lines.clone())
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    api.post(&format!("/consignments/{po}/bulk"), lines.clone())
        .await;
    let counts: Vec<Decimal> = api
        .fake
        .consignment(&po)
        .unwrap()
        .lines
        .iter()
        .map(|l| l.count)
        .collect();
    assert_eq!(
        counts,
        [dec("4"), dec("7.0")],
        "a retried SUPPLIER bulk doubles quantities"
    );

    let tr = api.transfer().await;
    api.post(&format!("/consignments/{tr}/bulk"), lines.clone())
        .await;
    api.post(&format!("/consignments/{tr}/bulk"), lines).await;
    let counts: Vec<Decimal> = api
        .fake
        .consignment(&tr)
        .unwrap()
        .lines
        .iter()
        .map(|l| l.count)
        .collect();
    assert_eq!(counts, [dec("2"), dec("3.5")]);
}

#[tokio::test]
async fn bulk_takes_at_most_500_lines_and_is_all_or_nothing() {
    let api = Api::start().await;
    let po = api.purchase_order().await;
    let many: Vec<Value> = (0..501)
        .map(|_| json!({"product_id": api.products[0], "count": 1}))
        .collect();
    let (s, v) = api
        .post(&format!("/consignments/{po}/bulk"), Value::Array(many))
        .await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    assert!(v["message"].as_str().unwrap().contains("500"));
    let mixed =
        json!([{"product_id": api.products[0], "count": 1}, {"product_id": "nope", "count": 1}]);
    assert_eq!(
        api.post(&format!("/consignments/{po}/bulk"), mixed).await.0,
        StatusCode::BAD_REQUEST
    );
    assert!(api.fake.consignment(&po).unwrap().lines.is_empty());
}

#[tokio::test]
async fn lines_cannot_be_added_changed_or_deleted_after_received_or_cancelled() {
    let api = Api::start().await;
    let cancelled = api.transfer().await;
    api.add_line(&cancelled, 0, json!(2)).await;
    api.set_status(&cancelled, "CANCELLED").await;
    assert_frozen(&api, &cancelled).await;

    let received = api.transfer().await;
    api.add_line(&received, 0, json!(2)).await;
    api.set_status(&received, "SENT").await;
    let p = &api.products[0];
    assert_eq!(
        api.put(
            &format!("/consignments/{received}/products/{p}"),
            json!({"received": 2})
        )
        .await
        .0,
        StatusCode::OK
    );
    api.set_status(&received, "RECEIVED").await;
    assert_eq!(
        api.fake.consignment(&received).unwrap().status,
        tally_domain::LsConsignmentStatus::Received
    );
    assert_frozen(&api, &received).await;
}

/// Every way of changing lines is refused, and the one line stays.
async fn assert_frozen(api: &Api, id: &str) {
    assert_eq!(
        api.add_line(id, 1, json!(1)).await.0,
        StatusCode::BAD_REQUEST
    );
    let p = &api.products[0];
    assert_eq!(
        api.delete(&format!("/consignments/{id}/products/{p}"))
            .await
            .0,
        StatusCode::BAD_REQUEST
    );
    assert_eq!(
        api.put(
            &format!("/consignments/{id}/products/{p}"),
            json!({"count": 9})
        )
        .await
        .0,
        StatusCode::BAD_REQUEST
    );
    let b = json!([{"product_id": api.products[1], "count": 1}]);
    assert_eq!(
        api.post(&format!("/consignments/{id}/bulk"), b).await.0,
        StatusCode::BAD_REQUEST
    );
    assert_eq!(api.fake.consignment(id).unwrap().lines.len(), 1);
}

#[tokio::test]
async fn sending_a_transfer_takes_stock_from_the_source_and_receiving_adds_it_at_the_destination() {
    let api = Api::start().await;
    let p = api.products[0].clone();
    let id = api.transfer().await;
    api.add_line(&id, 0, json!(5)).await;
    assert_eq!(api.fake.inventory_level(&p, &api.warehouse), Decimal::ZERO);
    api.set_status(&id, "SENT").await;
    assert_eq!(api.fake.inventory_level(&p, &api.warehouse), dec("-5"));
    api.put(
        &format!("/consignments/{id}/products/{p}"),
        json!({"received": 4}),
    )
    .await;
    assert_eq!(
        api.fake.inventory_level(&p, &api.store),
        Decimal::ZERO,
        "not before RECEIVED"
    );
    api.set_status(&id, "RECEIVED").await;
    assert_eq!(api.fake.inventory_level(&p, &api.store), dec("4"));
    // Inventory is read-only through the API and visible by cursor.
    let (s, v) = api
        .get(&format!("/inventory?outlet_id={}", api.store))
        .await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(v["data"][0]["inventory_level"], json!(4.0));
    assert_eq!(
        api.post("/inventory", json!({})).await.0,
        StatusCode::METHOD_NOT_ALLOWED
    );
}

#[tokio::test]
async fn quantities_come_back_as_decimal_strings_and_numbers_are_accepted() {
    let api = Api::start().await;
    let id = api.purchase_order().await;
    let (s, v) = api
        .post(
            &format!("/consignments/{id}/products"),
            json!({"product_id": api.products[0], "count": 2.5, "cost": "12.50"}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED);
    assert_eq!(v["data"]["count"], "2.5");
    assert_eq!(v["data"]["cost"], "12.50");
    let (_, v) = api.get(&format!("/consignments/{id}/products")).await;
    assert_eq!(v["data"][0]["count"], "2.5");
    let (s, _) = api
        .post(
            &format!("/consignments/{id}/products"),
            json!({"product_id": api.products[1], "count": "lots"}),
        )
        .await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    let (s, _) = api
        .post(
            &format!("/consignments/{id}/products"),
            json!({"product_id": api.products[1], "count": -1}),
        )
        .await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn put_line_sets_absolute_values_and_delete_removes_the_line() {
    let api = Api::start().await;
    let id = api.purchase_order().await;
    let p = api.products[0].clone();
    api.add_line(&id, 0, json!(2)).await;
    assert_eq!(
        api.add_line(&id, 0, json!(2)).await.0,
        StatusCode::BAD_REQUEST,
        "no duplicate lines"
    );
    for _ in 0..2 {
        let (s, _) = api
            .put(
                &format!("/consignments/{id}/products/{p}"),
                json!({"count": "7"}),
            )
            .await;
        assert_eq!(s, StatusCode::OK);
    }
    assert_eq!(api.fake.consignment(&id).unwrap().lines[0].count, dec("7"));
    let (s, _) = api
        .delete(&format!("/consignments/{id}/products/{p}"))
        .await;
    assert_eq!(s, StatusCode::NO_CONTENT);
    assert_eq!(
        api.delete(&format!("/consignments/{id}/products/{p}"))
            .await
            .0,
        StatusCode::NOT_FOUND
    );
    assert!(api.fake.consignment(&id).unwrap().lines.is_empty());
}

#[tokio::test]
async fn search_by_reference_finds_live_consignments_and_deleted_ones_stay_in_the_walk() {
    let api = Api::start().await;
    let a = api.transfer().await;
    let other = api
        .create(json!({"type": "OUTLET", "outlet_id": api.store, "source_outlet_id": api.warehouse, "reference": "TR-2"}))
        .await;
    let (_, v) = api.get("/consignments?reference=TR-1").await;
    let ids: Vec<&str> = v["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, [a.as_str()]);
    assert_eq!(
        api.delete(&format!("/consignments/{a}")).await.0,
        StatusCode::NO_CONTENT
    );
    assert_eq!(
        api.get(&format!("/consignments/{a}")).await.0,
        StatusCode::NOT_FOUND
    );
    let (_, v) = api.get("/consignments?reference=TR-1").await;
    assert!(v["data"].as_array().unwrap().is_empty());
    let (_, v) = api.get("/consignments?after=0").await;
    let walk = v["data"].as_array().unwrap();
    let deleted = walk.iter().find(|c| c["id"] == a.as_str()).unwrap();
    assert!(deleted["deleted_at"].is_string());
    assert!(walk.iter().any(|c| c["id"] == other.as_str()));
    assert_eq!(
        api.get("/consignments?type=STOCK").await.0,
        StatusCode::BAD_REQUEST
    );
}

#[tokio::test]
async fn received_consignments_cannot_be_deleted() {
    let api = Api::start().await;
    let id = api.transfer().await;
    api.add_line(&id, 0, json!(1)).await;
    api.set_status(&id, "SENT").await;
    assert_eq!(
        api.delete(&format!("/consignments/{id}")).await.0,
        StatusCode::BAD_REQUEST
    );
}

#[tokio::test]
async fn version_cursor_pages_in_version_order_with_min_max_and_an_empty_last_page() {
    let api = Api::start().await;
    for i in 3..10 {
        api.fake
            .add_product(&format!("SKU-{i}"), "P", "9400000000991", Decimal::ONE);
    }
    let mut after = 0;
    let mut seen = Vec::new();
    loop {
        let (s, v) = api
            .get(&format!("/products?after={after}&page_size=4"))
            .await;
        assert_eq!(s, StatusCode::OK);
        let data = v["data"].as_array().unwrap();
        if data.is_empty() {
            assert!(v.get("version").is_none());
            break;
        }
        let versions: Vec<u64> = data
            .iter()
            .map(|p| p["version"].as_u64().unwrap())
            .collect();
        assert!(versions.windows(2).all(|w| w[0] < w[1]));
        assert_eq!(v["version"]["min"].as_u64(), versions.first().copied());
        assert_eq!(v["version"]["max"].as_u64(), versions.last().copied());
        assert!(versions[0] > after);
        after = versions[versions.len() - 1];
        seen.extend(data.iter().map(|p| p["id"].as_str().unwrap().to_string()));
        // Deleting an already-seen product mid-walk brings it back, marked deleted.
        if seen.len() == 4 {
            assert!(api.fake.delete_product(&seen[0]));
        }
    }
    assert_eq!(seen.len(), 11);
    assert_eq!(seen[10], seen[0]);
    let (_, v) = api.get(&format!("/products/{}", api.products[1])).await;
    assert_eq!(v["data"]["product_codes"][0]["type"], "EAN");
    assert!(v["data"]["supply_price"].is_number());
    assert!(v["data"]["price_excluding_tax"].is_string());
    assert_eq!(
        api.get("/products?page_size=0").await.0,
        StatusCode::BAD_REQUEST
    );
}

#[tokio::test]
async fn over_the_rolling_window_the_fake_answers_429_with_an_http_date_retry_after() {
    let api = Api::start_with(FakeConfig {
        rate_limit: RateLimitConfig {
            limit: Some(3),
            window: Duration::from_millis(500),
            ..RateLimitConfig::default()
        },
        ..FakeConfig::default()
    })
    .await;
    let mut remaining = Vec::new();
    for _ in 0..3 {
        let r = api
            .http
            .get(api.url("/outlets"))
            .bearer_auth(&api.token)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::OK);
        assert_eq!(r.headers()["x-ratelimit-limit"], "3");
        remaining.push(
            r.headers()["x-ratelimit-remaining"]
                .to_str()
                .unwrap()
                .to_string(),
        );
        let reset = r.headers()["x-ratelimit-reset"].to_str().unwrap();
        assert!(httpdate::parse_http_date(reset).is_ok(), "{reset}");
    }
    assert_eq!(remaining, ["2", "1", "0"]);
    let r = api
        .http
        .get(api.url("/outlets"))
        .bearer_auth(&api.token)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::TOO_MANY_REQUESTS);
    let retry_after = r.headers()["retry-after"].to_str().unwrap();
    let at = httpdate::parse_http_date(retry_after).expect("Retry-After is an HTTP date");
    assert!(at > std::time::SystemTime::now() - Duration::from_secs(1));
    assert!(retry_after.parse::<u64>().is_err());
    assert_eq!(api.fake.rate_limit_stats().rejected, 1);
    assert_eq!(api.fake.rate_limit_stats().max_in_window, 3);
    tokio::time::sleep(Duration::from_millis(550)).await;
    assert_eq!(api.get("/outlets").await.0, StatusCode::OK);
}

#[tokio::test]
async fn injected_5xx_and_429_leave_state_untouched_and_are_logged() {
    let api = Api::start().await;
    api.fake.faults().add_rule(
        FaultRule::new(
            "POST",
            "/api/2.0/consignments",
            Fault::Status { status: 503 },
        )
        .times(1),
    );
    api.fake.faults().add_rule(
        FaultRule::new(
            "POST",
            "/api/2.0/consignments",
            Fault::rate_limited(Duration::from_secs(1)),
        )
        .times(1),
    );
    let body = json!({"type": "SUPPLIER", "outlet_id": api.warehouse});
    let (s, v) = api.post("/consignments", body.clone()).await;
    assert_eq!(s, StatusCode::SERVICE_UNAVAILABLE);
    assert!(v["error"].is_string());
    let r = api
        .http
        .post(api.url("/consignments"))
        .bearer_auth(&api.token)
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!(httpdate::parse_http_date(r.headers()["retry-after"].to_str().unwrap()).is_ok());
    assert!(api.fake.consignments().is_empty());
    assert_eq!(api.post("/consignments", body).await.0, StatusCode::CREATED);
    assert_eq!(
        api.fake.requests().count("POST", "/api/2.0/consignments"),
        3
    );
    assert_eq!(api.fake.faults().fired(), [1, 1]);
    let faults: Vec<_> = api
        .fake
        .requests()
        .records()
        .iter()
        .map(|r| r.fault)
        .collect();
    assert_eq!(faults, [Some("status"), Some("rate_limited"), None]);
}

#[tokio::test]
async fn a_lost_acknowledgement_commits_the_change_but_the_client_sees_a_broken_connection() {
    let api = Api::start().await;
    api.fake
        .faults()
        .add_rule(FaultRule::new("POST", "/api/2.0/consignments", Fault::LostAck).times(1));
    let result = api
        .http
        .post(api.url("/consignments"))
        .bearer_auth(&api.token)
        .json(&json!({"type": "SUPPLIER", "outlet_id": api.warehouse, "reference": "mut-1"}))
        .send()
        .await;
    assert!(result.is_err(), "the response must be lost");
    assert_eq!(
        api.fake.consignments_with_reference("mut-1").len(),
        1,
        "but the change is committed"
    );
    assert_eq!(api.fake.requests().records()[0].status, Some(201));
}

#[tokio::test]
async fn a_dropped_connection_commits_nothing() {
    let api = Api::start().await;
    api.fake
        .faults()
        .add_rule(FaultRule::new("*", "/api/2.0/consignments", Fault::DropConnection).times(1));
    let result = api
        .http
        .post(api.url("/consignments"))
        .bearer_auth(&api.token)
        .json(&json!({"type": "SUPPLIER", "outlet_id": api.warehouse, "reference": "mut-2"}))
        .send()
        .await;
    assert!(result.is_err());
    assert!(api.fake.consignments().is_empty());
    // The next request on a fresh connection works.
    assert_eq!(api.get("/consignments").await.0, StatusCode::OK);
}

#[tokio::test]
async fn a_hang_outlasts_the_client_timeout_and_latency_only_delays() {
    let api = Api::start().await;
    api.fake.faults().add_rule(
        FaultRule::new(
            "GET",
            "/api/2.0/outlets",
            Fault::hang(Duration::from_secs(3)),
        )
        .times(1),
    );
    api.fake.faults().add_rule(
        FaultRule::new(
            "GET",
            "/api/2.0/suppliers",
            Fault::latency(Duration::from_millis(150)),
        )
        .times(1),
    );
    let err = api
        .http
        .get(api.url("/outlets"))
        .bearer_auth(&api.token)
        .timeout(Duration::from_millis(200))
        .send()
        .await
        .unwrap_err();
    assert!(err.is_timeout());
    let t = std::time::Instant::now();
    assert_eq!(api.get("/suppliers").await.0, StatusCode::OK);
    assert!(t.elapsed() >= Duration::from_millis(150));
}

#[tokio::test]
async fn the_demo_can_set_faults_and_read_the_log_through_admin_routes() {
    let api = Api::start().await;
    let admin = format!("http://{}/__admin", api.fake.addr());
    let plan = json!({"seed": 3, "rules": [{"method": "GET", "path": "/api/2.0/outlets", "fault": {"kind": "status", "status": 502}}]});
    let r = api
        .http
        .put(format!("{admin}/faults"))
        .json(&plan)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
    assert_eq!(api.get("/outlets").await.0, StatusCode::BAD_GATEWAY);
    api.http
        .delete(format!("{admin}/faults"))
        .send()
        .await
        .unwrap();
    assert_eq!(api.get("/outlets").await.0, StatusCode::OK);
    let log: Value = api
        .http
        .get(format!("{admin}/requests"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(log.as_array().unwrap().len(), 2);
    let rt: Value = api
        .http
        .post(format!("{admin}/refresh-token"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        refresh(&api, rt["refresh_token"].as_str().unwrap()).await.0,
        StatusCode::OK
    );
}

#[tokio::test]
async fn seeding_the_demo_chain_serves_its_catalog_and_open_consignments() {
    let data = tally_testkit::demo_data::generate(&tally_testkit::demo_data::DemoConfig {
        products: 50,
        ..Default::default()
    });
    let api = Api::start_with(FakeConfig {
        seed: Some(data.clone()),
        ..FakeConfig::default()
    })
    .await;
    let (_, v) = api.get("/outlets?page_size=100").await;
    let names: Vec<&str> = v["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["name"].as_str().unwrap())
        .collect();
    assert!(names.contains(&"Dunedin Warehouse") && names.contains(&"Auckland CBD"));
    let (_, v) = api.get("/consignments?type=SUPPLIER").await;
    assert_eq!(
        v["data"].as_array().unwrap().len(),
        data.config.open_purchase_orders
    );
    let p = &data.products[0];
    let (_, v) = api.get(&format!("/products/{}", p.id)).await;
    assert_eq!(v["data"]["product_codes"][0]["code"], p.ean13());
}

#[tokio::test]
async fn a_sent_return_takes_stock_and_a_completed_stocktake_sets_counted_levels() {
    let api = Api::start().await;
    let p = api.products[0].clone();
    let ret = api
        .create(json!({"type": "RETURN", "outlet_id": api.store, "supplier_id": api.supplier}))
        .await;
    api.add_line(&ret, 0, json!(2)).await;
    assert_eq!(
        api.set_status(&ret, "RECEIVED").await.0,
        StatusCode::BAD_REQUEST
    );
    assert_eq!(api.set_status(&ret, "SENT").await.0, StatusCode::OK);
    assert_eq!(api.fake.inventory_level(&p, &api.store), dec("-2"));
    assert_eq!(
        api.set_status(&ret, "CANCELLED").await.0,
        StatusCode::BAD_REQUEST
    );

    let st = api
        .create(json!({"type": "STOCKTAKE", "outlet_id": api.store}))
        .await;
    assert_eq!(api.status_of(&st), LsConsignmentStatus::StocktakeScheduled);
    api.add_line(&st, 0, json!(0)).await;
    api.put(
        &format!("/consignments/{st}/products/{p}"),
        json!({"received": "11"}),
    )
    .await;
    for s in [
        "STOCKTAKE_IN_PROGRESS",
        "STOCKTAKE_IN_PROGRESS_PROCESSED",
        "STOCKTAKE_COMPLETE",
    ] {
        assert_eq!(api.set_status(&st, s).await.0, StatusCode::OK, "{s}");
    }
    assert_eq!(api.fake.inventory_level(&p, &api.store), dec("11"));
    assert_eq!(
        api.set_status(&st, "CANCELLED").await.0,
        StatusCode::BAD_REQUEST
    );
    assert_eq!(
        api.add_line(&st, 1, json!(1)).await.0,
        StatusCode::BAD_REQUEST
    );
}

#[tokio::test]
async fn cancelling_a_sent_transfer_puts_the_stock_back() {
    let api = Api::start().await;
    let p = api.products[0].clone();
    let id = api.transfer().await;
    api.add_line(&id, 0, json!(5)).await;
    api.set_status(&id, "SENT").await;
    assert_eq!(
        api.put(
            &format!("/consignments/{id}/products/{p}"),
            json!({"count": 6})
        )
        .await
        .0,
        StatusCode::BAD_REQUEST,
        "count is frozen once sent"
    );
    api.set_status(&id, "CANCELLED").await;
    assert_eq!(api.fake.inventory_level(&p, &api.warehouse), Decimal::ZERO);
}

#[tokio::test]
async fn with_a_sqlite_file_the_fake_carries_on_after_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("fake-lightspeed.sqlite3");
    let config = FakeConfig {
        sqlite_path: Some(file.clone()),
        ..FakeConfig::default()
    };
    let api = Api::start_with(config.clone()).await;
    let id = api.transfer().await;
    api.add_line(&id, 0, json!(3)).await;
    api.set_status(&id, "SENT").await;
    let sent_at_warehouse = api.fake.inventory_level(&api.products[0], &api.warehouse);
    let before = api.fake.consignment(&id).unwrap();
    let (_, outlets) = api.get("/outlets").await;
    api.fake.shutdown();

    // The same file, a new fake on a new port: the transfer, its line, the stock moved
    // by sending it, the catalog and the version counter are all still there.
    let again = FakeLightspeed::start(config).await.unwrap();
    let after = again.consignment(&id).expect("the transfer is still there");
    assert_eq!(after.status, LsConsignmentStatus::Sent);
    assert_eq!(after.version, before.version);
    assert_eq!(after.lines.len(), 1);
    assert_eq!(after.lines[0].count, Decimal::from(3));
    assert_eq!(
        again.inventory_level(&api.products[0], &api.warehouse),
        sent_at_warehouse
    );
    assert_eq!(
        again.product(&api.products[0]).unwrap().supply_price,
        Decimal::new(1250, 2)
    );
    let newer = again.add_outlet("Wellington");
    let http = reqwest::Client::new();
    let token = again.issue_access_token(Duration::from_secs(60));
    let all: Value = http
        .get(format!("{}/outlets", again.base_url()))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let versions: Vec<u64> = all["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["version"].as_u64().unwrap())
        .collect();
    assert_eq!(
        versions.len(),
        outlets["data"].as_array().unwrap().len() + 1
    );
    let newest = all["data"]
        .as_array()
        .unwrap()
        .iter()
        .find(|o| o["id"] == newer.as_str())
        .unwrap()["version"]
        .as_u64()
        .unwrap();
    assert!(
        newest > before.version,
        "versions keep rising after a restart"
    );
}

/// Every object of a cursor walk over `path` (`?after=` pages of `page_size`), with the
/// versions seen, checking each page's order and `version.max`.
async fn walk_all(api: &Api, path: &str, page_size: u32) -> Vec<Value> {
    let mut after = 0;
    let mut out = Vec::new();
    loop {
        let sep = if path.contains('?') { '&' } else { '?' };
        let (s, v) = api
            .get(&format!("{path}{sep}after={after}&page_size={page_size}"))
            .await;
        assert_eq!(s, StatusCode::OK, "{v}");
        let data = v["data"].as_array().unwrap().clone();
        if data.is_empty() {
            return out;
        }
        assert!(data.len() <= page_size as usize);
        let versions: Vec<u64> = data
            .iter()
            .map(|o| o["version"].as_u64().unwrap())
            .collect();
        assert!(versions.windows(2).all(|w| w[0] < w[1]) && versions[0] > after);
        assert_eq!(v["version"]["max"].as_u64(), versions.last().copied());
        after = *versions.last().unwrap();
        out.extend(data);
    }
}

#[tokio::test]
async fn inventory_records_carry_the_reorder_point_and_a_new_version_whenever_stock_moves() {
    let api = Api::start().await;
    let p = api.products[0].clone();
    api.fake
        .set_reorder_point(&p, &api.warehouse, Some(dec("6")), Some(dec("18")));
    let before = walk_all(&api, "/inventory", 10).await;
    assert_eq!(before.len(), 1);
    assert_eq!(before[0]["reorder_point"], json!(6.0));
    assert_eq!(before[0]["reorder_amount"], json!(18.0));
    assert_eq!(before[0]["inventory_level"], json!(0.0));
    let v0 = before[0]["version"].as_u64().unwrap();

    // Receiving a supplier order moves stock: the record comes again, newer, and keeps
    // its reorder settings; an untouched product at another outlet has no record.
    let id = api.purchase_order().await;
    api.add_line(&id, 0, json!(5)).await;
    api.set_status(&id, "SENT").await;
    api.put(
        &format!("/consignments/{id}/products/{p}"),
        json!({"received": 5}),
    )
    .await;
    api.set_status(&id, "RECEIVED").await;
    let (_, v) = api
        .get(&format!(
            "/inventory?after={v0}&outlet_id={}",
            api.warehouse
        ))
        .await;
    let rows = v["data"].as_array().unwrap();
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0]["inventory_level"], json!(5.0));
    assert_eq!(rows[0]["reorder_point"], json!(6.0));
    assert!(rows[0]["version"].as_u64().unwrap() > v0);
    let (_, none) = api
        .get(&format!("/inventory?outlet_id={}", api.store))
        .await;
    assert!(none["data"].as_array().unwrap().is_empty());
}

#[tokio::test]
async fn sales_are_walked_by_version_with_line_items_and_voids_and_deletes_come_again() {
    let api = Api::start().await;
    let (p0, p1) = (api.products[0].clone(), api.products[1].clone());
    api.fake.set_inventory_level(&p0, &api.store, dec("10"));
    let mut ids = Vec::new();
    for day in 1..=5 {
        ids.push(api.fake.record_sale(
            &api.store,
            &format!("2026-11-0{day}T03:00:00Z"),
            &[(&p0, dec("2")), (&p1, dec("1"))],
        ));
    }
    api.fake
        .record_sale(&api.warehouse, "2026-11-06T03:00:00Z", &[(&p1, dec("1"))]);
    assert_eq!(
        api.fake.inventory_level(&p0, &api.store),
        dec("0"),
        "a sale takes its units from the outlet's stock"
    );

    let all = walk_all(&api, "/sales", 2).await;
    assert_eq!(all.len(), 6);
    let first = &all[0];
    assert_eq!(first["status"], "CLOSED");
    assert_eq!(first["outlet_id"], json!(api.store));
    assert_eq!(first["sale_date"], "2026-11-01T03:00:00Z");
    assert_eq!(first["line_items"][0]["product_id"], json!(p0));
    assert_eq!(first["line_items"][0]["quantity"], json!(2.0));
    let here = walk_all(&api, &format!("/sales?outlet_id={}", api.store), 4).await;
    assert_eq!(here.len(), 5, "filtered by outlet");

    // A void and a delete bring those sales back at the end of the walk.
    let last = all.last().unwrap()["version"].as_u64().unwrap();
    assert!(api.fake.void_sale(&ids[0]));
    assert!(!api.fake.void_sale(&ids[0]), "voided once");
    assert!(api.fake.delete_sale(&ids[1]));
    assert_eq!(api.fake.inventory_level(&p0, &api.store), dec("2"));
    let (_, v) = api.get(&format!("/sales?after={last}")).await;
    let again = v["data"].as_array().unwrap();
    assert_eq!(again.len(), 2);
    assert_eq!(again[0]["id"], json!(ids[0]));
    assert_eq!(again[0]["status"], "VOIDED");
    assert_eq!(again[1]["id"], json!(ids[1]));
    assert!(again[1]["deleted_at"].is_string());
    assert_eq!(api.fake.sale_count(), 6);
    // The inventory walk saw every stock move (10 set, 5 sales, 1 void of p0; p1 too).
    let inventory = walk_all(&api, "/inventory", 3).await;
    assert_eq!(inventory.len(), 3, "one record per product and outlet");
}

#[tokio::test]
async fn the_seeded_demo_chain_has_thirty_days_of_sales_and_reorder_points() {
    let data = tally_testkit::demo_data::generate(&tally_testkit::demo_data::DemoConfig {
        products: 120,
        outlets: 3,
        ..Default::default()
    });
    let api = Api::start_with(FakeConfig {
        seed: Some(data.clone()),
        ..FakeConfig::default()
    })
    .await;
    let sales = walk_all(&api, "/sales", 200).await;
    assert_eq!(sales.len(), data.sales.len());
    let now = time::OffsetDateTime::now_utc();
    for s in &sales {
        let at = time::OffsetDateTime::parse(
            s["sale_date"].as_str().unwrap(),
            &time::format_description::well_known::Rfc3339,
        )
        .unwrap();
        assert!(at <= now && now - at < time::Duration::days(31));
    }
    let inventory = walk_all(&api, "/inventory", 200).await;
    assert!(inventory.iter().any(|r| r["reorder_point"].is_number()));
    assert!(inventory.iter().any(|r| r["reorder_point"].is_null()));
}
