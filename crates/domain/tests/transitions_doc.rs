//! Keeps `docs/transitions.md` equal to what the code generates. With `TALLY_BLESS=1`
//! the file is rewritten; otherwise any difference fails the test (that is how CI
//! catches a stale document).

use std::path::PathBuf;

fn doc_path() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../docs/transitions.md")
}

#[test]
fn committed_transitions_doc_matches_the_code() {
    let generated = tally_domain::transitions_doc::transitions_markdown();
    let path = doc_path();
    if std::env::var("TALLY_BLESS").is_ok_and(|v| v == "1") {
        std::fs::create_dir_all(path.parent().expect("docs dir")).expect("create docs/");
        std::fs::write(&path, &generated).expect("write docs/transitions.md");
        return;
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        committed == generated,
        "docs/transitions.md is out of date with crates/domain.\n\
         Run: TALLY_BLESS=1 cargo test -p tally-domain --test transitions_doc\n\
         and commit docs/transitions.md."
    );
}
