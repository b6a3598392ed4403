//! The window's security settings, checked: a strict CSP with no remote content and
//! capabilities that grant only Tally's own commands and events.

use serde_json::Value;

fn json(path: &str) -> Value {
    let full = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(path);
    serde_json::from_str(&std::fs::read_to_string(&full).unwrap()).unwrap()
}

#[test]
fn the_csp_allows_only_the_app_itself() {
    let conf = json("tauri.conf.json");
    let csp = conf["app"]["security"]["csp"]
        .as_str()
        .expect("a CSP is set");
    let directives: Vec<(&str, Vec<&str>)> = csp
        .split(';')
        .map(str::trim)
        .filter(|d| !d.is_empty())
        .map(|d| {
            let mut parts = d.split_whitespace();
            (parts.next().unwrap(), parts.collect())
        })
        .collect();
    let get = |name: &str| {
        directives
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, v)| v.clone())
            .unwrap_or_else(|| panic!("the CSP sets {name}"))
    };
    assert_eq!(get("default-src"), ["'self'"]);
    assert_eq!(get("script-src"), ["'self'"]);
    assert_eq!(get("object-src"), ["'none'"]);
    assert_eq!(get("frame-ancestors"), ["'none'"]);
    assert_eq!(get("base-uri"), ["'none'"]);
    for (name, sources) in &directives {
        for s in sources {
            assert!(
                !s.contains("unsafe") && *s != "*",
                "{name} allows {s}: no inline or eval code, no wildcard"
            );
            if s.starts_with("http") {
                assert_eq!(
                    *s, "http://ipc.localhost",
                    "{name} reaches {s}: no remote content"
                );
            }
        }
    }
    assert_eq!(conf["app"]["security"]["freezePrototype"], true);
    // Development only ever loads from this machine.
    let dev = conf["build"]["devUrl"].as_str().unwrap();
    assert!(dev.starts_with("http://localhost:"), "{dev}");
}

#[test]
fn capabilities_grant_events_to_the_main_window_only() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("capabilities");
    let mut seen = 0;
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        let cap: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
        seen += 1;
        assert!(cap.get("remote").is_none(), "{path:?} lets remote pages in");
        assert_eq!(cap["windows"], serde_json::json!(["main"]), "{path:?}");
        for p in cap["permissions"].as_array().unwrap() {
            let p = p.as_str().unwrap_or_default();
            assert!(
                ["core:event:allow-listen", "core:event:allow-unlisten"].contains(&p),
                "{path:?} grants {p}: only Tally's own commands and events are allowed"
            );
        }
    }
    assert_eq!(seen, 1, "one capability file");
}
