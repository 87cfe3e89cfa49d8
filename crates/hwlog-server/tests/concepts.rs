//! The server reads level names, durations, severities and component patterns with the shared
//! parsers of hwlog-core: each table, case by case, over HTTP.
use serde_json::{json, Value};

mod common;
use common::{get, post, send, start};

fn enc(s: &str) -> String {
    s.bytes().map(|b| format!("%{b:02X}")).collect()
}

#[test]
fn levels_durations_severities_and_patterns_are_the_shared_tables() {
    let dir = tempfile::tempdir().unwrap();
    let addr = start(dir.path(), 1 << 20);

    for &(name, want) in hwlog_core::LEVEL_CASES {
        let body = json!([{"level": name, "component": "lvl", "message": "m"}]);
        let (_, v) = post(addr, body.to_string().as_bytes(), false);
        let accepted = v["accepted"].as_u64().unwrap_or(0);
        assert_eq!(
            accepted,
            want.is_some() as u64,
            "ingest level {name:?}: {v}"
        );
        if !name.is_empty() {
            for key in ["level", "min_level"] {
                let (s, b) = get(addr, &format!("/api/v1/logs?{key}={}", enc(name)));
                assert_eq!(s == 200, want.is_some(), "{key}={name:?}: {b}");
            }
        }
    }

    for &(text, want) in hwlog_core::units::DURATION_CASES {
        let (s, b) = get(addr, &format!("/api/v1/logs?since=-{}", enc(text)));
        assert_eq!(s == 200, want.is_some(), "since=-{text:?}: {b}");
        if !text.is_empty() {
            let path = format!("/api/v1/analysis/anomalies?hours=1&bucket={}", enc(text));
            let (s, b) = get(addr, &path);
            let ok = want.is_some_and(|ns| ns >= 1_000_000_000);
            assert_eq!(s == 200, ok, "bucket={text:?}: {b}");
        }
    }

    for (i, &(text, want)) in hwlog_core::units::DURATION_CASES.iter().enumerate() {
        let rule = json!({"name": format!("d{i}"), "condition": "{level} == \"CRITICAL\"",
                          "suppression": text, "escalation": text});
        let (s, v) = send(addr, "/api/v1/alerts/rules", rule);
        let ok = want.is_some_and(|ns| ns > 0);
        assert_eq!(s == 201, ok, "suppression/escalation {text:?}: {v}");
    }
    for (i, &(name, want)) in hwlog_core::SEVERITY_CASES.iter().enumerate() {
        let rule = json!({"name": format!("s{i}"), "condition": "{level} == \"CRITICAL\"",
                          "severity": name, "suppression": "5m"});
        let (s, v) = send(addr, "/api/v1/alerts/rules", rule);
        assert_eq!(s == 201, want.is_some(), "severity {name:?}: {v}");
    }
    let rules = common::get_json(addr, "/api/v1/alerts/rules");
    let high = rules["rules"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["name"] == "s6")
        .unwrap();
    assert_eq!(high["severity"], "critical", "{high}");
    assert_eq!(high["suppression"], 300_000_000_000i64, "{high}");

    // History over HTTP: every case of the component table.
    let mut names: Vec<&str> = hwlog_core::pattern::CASES.iter().map(|c| c.1).collect();
    names.sort_unstable();
    names.dedup();
    let recs: Vec<Value> = names
        .iter()
        .map(|n| json!({"level": "INFO", "component": n, "message": "pattern"}))
        .collect();
    let (_, v) = post(addr, Value::Array(recs).to_string().as_bytes(), false);
    assert_eq!(v["accepted"].as_u64(), Some(names.len() as u64), "{v}");
    for &(pattern, name, want) in hwlog_core::pattern::CASES {
        let path = format!(
            "/api/v1/logs?q=pattern&limit=1000&component={}",
            enc(pattern)
        );
        let (s, b) = get(addr, &path);
        assert_eq!(s, 200, "{b}");
        let v: Value = serde_json::from_str(&b).unwrap();
        let found = v["records"]
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r["component"] == name);
        assert_eq!(found, want, "component={pattern:?} vs {name:?}");
    }
}
