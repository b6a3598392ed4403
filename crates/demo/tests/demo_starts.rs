//! The embedded demo starts on loopback, imports the catalog, and seeds every open
//! consignment through the hub without a single refusal.

use tally_demo::{DemoOptions, EmbeddedDemo};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_demo_chain_starts_and_seeds_without_refusals() {
    let dir = tempfile::tempdir().unwrap();
    let mut opts = DemoOptions::new(dir.path().join("demo"));
    opts.products = 300;
    let demo = EmbeddedDemo::start(opts).await.unwrap();
    assert!(
        demo.hub_url.starts_with("http://127.0.0.1:"),
        "{}",
        demo.hub_url
    );
    assert!(
        demo.seeded.refused.is_empty(),
        "refused while seeding: {:#?}",
        demo.seeded.refused
    );
    for r in [
        &demo.seeded.transfer_to_pack,
        &demo.seeded.incoming_transfer,
        &demo.seeded.draft_po,
        &demo.seeded.sent_po,
        &demo.seeded.draft_return,
    ] {
        assert!(r.as_deref().is_some_and(|r| r.starts_with("TR-")), "{r:?}");
    }
    assert_eq!(demo.hub().consignment_ids().await.unwrap().len(), 6);
    assert!(demo
        .staff
        .iter()
        .any(|s| s.outlet_id.as_deref() == Some(demo.outlet_id.as_str())));
    demo.shutdown().await;
}

#[tokio::test]
async fn an_unknown_outlet_names_the_ones_there_are() {
    let dir = tempfile::tempdir().unwrap();
    let mut opts = DemoOptions::new(dir.path().join("demo"));
    opts.products = 50;
    opts.outlet = Some("Timbuktu".into());
    let err = EmbeddedDemo::start(opts).await.err().expect("refused");
    assert_eq!(err.code(), "DEMO_UNKNOWN_OUTLET");
    assert!(err.to_string().contains("Timbuktu"));
}
