//! OAuth against the fake: refresh before expiry and on 401, single-flight under
//! concurrent callers, rotated refresh token saved before use, revoked tokens.

mod common;

use std::sync::Arc;
use std::time::Duration;

use common::{chain, setup, setup_with};
use secrecy::ExposeSecret;
use tally_lightspeed::models::Outlet;
use tally_lightspeed::{ErrorClass, LightspeedClient, LsError, StoredTokens, TokenStore};
use tally_testkit::lightspeed::FakeConfig;

async fn read_outlets(client: &LightspeedClient) -> Result<usize, LsError> {
    let mut w = client.walker::<Outlet>("outlets", 0);
    Ok(w.next_page().await?.map(|p| p.len()).unwrap_or(0))
}

#[tokio::test]
async fn concurrent_callers_share_exactly_one_refresh_and_the_rotated_token_is_saved() {
    let s = setup().await;
    chain(&s.fake, 0);
    let tasks: Vec<_> = (0..32)
        .map(|_| {
            let c = s.client.clone();
            tokio::spawn(async move { read_outlets(&c).await })
        })
        .collect();
    for t in futures::future::join_all(tasks).await {
        assert_eq!(t.unwrap().unwrap(), 2);
    }
    let stats = s.fake.oauth_stats();
    assert_eq!(stats.refreshes_granted, 1, "exactly one refresh");
    assert_eq!(stats.refreshes_refused, 0);
    assert_eq!(s.client.stats().refreshes, 1);
    let saved = s.store.load().unwrap().unwrap();
    assert_ne!(saved.refresh_token.expose_secret(), s.initial_refresh_token);
    assert!(saved.access_token.is_some());
    assert_eq!(s.store.saves(), 1);

    // The saved token is the live one: a fresh client on the same store can refresh
    // with it, while the original token is now refused.
    s.fake.expire_access_tokens();
    let again = LightspeedClient::new(common::fast_config(&s.fake), s.store.clone()).unwrap();
    assert_eq!(read_outlets(&again).await.unwrap(), 2);
    let stale = setup_with_token(&s.fake, &s.initial_refresh_token);
    let err = read_outlets(&stale).await.unwrap_err();
    assert_eq!(err.code(), "LS_AUTH_REVOKED");
}

fn setup_with_token(fake: &tally_testkit::lightspeed::FakeHandle, token: &str) -> LightspeedClient {
    let store = Arc::new(tally_lightspeed::InMemoryTokenStore::new(
        StoredTokens::from_refresh_token(token),
    ));
    LightspeedClient::new(common::fast_config(fake), store).unwrap()
}

#[tokio::test]
async fn a_401_on_many_concurrent_calls_leads_to_one_refresh_and_every_call_succeeds() {
    let s = setup().await;
    chain(&s.fake, 0);
    read_outlets(&s.client).await.unwrap();
    s.fake.expire_access_tokens();
    let tasks: Vec<_> = (0..24)
        .map(|_| {
            let c = s.client.clone();
            tokio::spawn(async move { read_outlets(&c).await })
        })
        .collect();
    for t in futures::future::join_all(tasks).await {
        t.unwrap().unwrap();
    }
    assert_eq!(s.fake.oauth_stats().refreshes_granted, 2);
    assert_eq!(s.fake.oauth_stats().refreshes_refused, 0);
    assert!(s.fake.oauth_stats().unauthorized_calls >= 1);
}

#[tokio::test]
async fn access_tokens_are_refreshed_before_they_expire_without_a_401() {
    let s = setup_with(
        FakeConfig {
            access_token_ttl: Duration::from_secs(1),
            ..FakeConfig::default()
        },
        |c| c.refresh_margin = Duration::from_millis(900),
    )
    .await;
    read_outlets(&s.client).await.unwrap();
    tokio::time::sleep(Duration::from_millis(150)).await;
    read_outlets(&s.client).await.unwrap();
    assert_eq!(s.fake.oauth_stats().refreshes_granted, 2);
    assert_eq!(s.fake.oauth_stats().unauthorized_calls, 0);
}

#[tokio::test]
async fn a_restarted_client_reuses_the_saved_access_token() {
    let s = setup().await;
    read_outlets(&s.client).await.unwrap();
    let restarted = LightspeedClient::new(common::fast_config(&s.fake), s.store.clone()).unwrap();
    read_outlets(&restarted).await.unwrap();
    assert_eq!(s.fake.oauth_stats().refreshes_granted, 1);
}

/// Loads fine, refuses every save (a full disk, a locked database).
struct FailingStore(StoredTokens);

impl TokenStore for FailingStore {
    fn load(&self) -> Result<Option<StoredTokens>, LsError> {
        Ok(Some(self.0.clone()))
    }
    fn save(&self, _: &StoredTokens) -> Result<(), LsError> {
        Err(LsError::TokenStore("disk full".into()))
    }
}

#[tokio::test]
async fn when_the_rotated_token_cannot_be_saved_the_new_access_token_is_not_used() {
    let s = setup().await;
    let store = Arc::new(FailingStore(StoredTokens::from_refresh_token(
        s.initial_refresh_token.clone(),
    )));
    let client = LightspeedClient::new(common::fast_config(&s.fake), store).unwrap();
    let err = read_outlets(&client).await.unwrap_err();
    assert_eq!(err.code(), "LS_TOKEN_STORE");
    assert_eq!(s.fake.requests().count("*", "/api/2.0/**"), 0);
}

#[tokio::test]
async fn a_revoked_refresh_token_is_rejected_once_not_retried() {
    let s = setup().await;
    s.fake.revoke_refresh_tokens();
    let err = read_outlets(&s.client).await.unwrap_err();
    assert_eq!(err.code(), "LS_AUTH_REVOKED");
    assert!(matches!(
        err.class(),
        ErrorClass::Rejected {
            status: Some(400),
            ..
        }
    ));
    assert_eq!(s.fake.requests().count("POST", "/api/1.0/token"), 1);
}
