//! Analysis endpoints over the store, and alert rules running on the ingest stream.
use std::time::{Duration, Instant};

use serde_json::{json, Value};

mod common;
use common::{get, get_json, post, send, start};

#[test]
fn analysis_endpoints() {
    let dir = tempfile::tempdir().unwrap();
    let addr = start(dir.path(), 1 << 20);
    let now = chrono::Utc::now();
    let recs: Vec<Value> = (0..40)
        .map(|i| {
            let ts = (now - chrono::Duration::minutes(40 - i)).to_rfc3339();
            if i % 4 == 0 {
                json!({"timestamp": ts, "level": "ERROR", "component": "hardware.ipmi",
                       "message": format!("IPMI timeout talking to 10.0.0.{i}"), "correlation_id": format!("req-{i}")})
            } else {
                json!({"timestamp": ts, "level": "INFO", "component": "hardware.discovery",
                       "message": "scan done", "fields": {"duration_ms": 100 + 3 * i}})
            }
        })
        .collect();
    assert_eq!(
        post(addr, Value::Array(recs).to_string().as_bytes(), false).1["accepted"],
        40
    );
    let e = get_json(addr, "/api/v1/analysis/errors?hours=1");
    assert_eq!(e["total_errors"], 10);
    assert_eq!(e["patterns"][0]["template"], "IPMI timeout talking to <*>");
    assert_eq!(
        e["patterns"][0]["correlation_ids"]
            .as_array()
            .unwrap()
            .len(),
        5
    );
    let t = get_json(addr, "/api/v1/analysis/trends?hours=1&component=hardware.*");
    assert_eq!(t[0]["component"], "hardware.discovery");
    assert_eq!(t[0]["count"], 30);
    assert_eq!(t[0]["label"], "increasing");
    let p = get_json(addr, "/api/v1/analysis/patterns?hours=1");
    assert_eq!(p["records"], 40);
    assert_eq!(p["top"][0]["template"], "scan done");
    assert_eq!(p["top"][0]["count"], 30);
    let a = get_json(addr, "/api/v1/analysis/anomalies?hours=1&bucket=60");
    assert!(a.is_array());
    assert_eq!(get(addr, "/api/v1/analysis/errors?hours=-1").0, 400);
}

#[test]
fn rules_from_the_api_fire_on_ingest_and_keep_history() {
    let dir = tempfile::tempdir().unwrap();
    let addr = start(dir.path(), 1 << 20);
    // Validate: the column of the problem.
    let (s, v) = send(
        addr,
        "/api/v1/alerts/rules/validate",
        json!({"condition": "{level} = \"ERROR\""}),
    );
    assert_eq!(
        (s, v["valid"].as_bool(), v["column"].as_u64()),
        (200, Some(false), Some(9))
    );
    let (_, v) = send(
        addr,
        "/api/v1/alerts/rules/validate",
        json!({"condition": "count({level} >= \"ERROR\") > 2 within 1m"}),
    );
    assert_eq!(
        (v["valid"].as_bool(), v["windowed"].as_bool()),
        (Some(true), Some(true))
    );
    // Create: bad, then good.
    let (s, v) = send(
        addr,
        "/api/v1/alerts/rules",
        json!({"name": "bad", "condition": "{lvl} == 1"}),
    );
    assert_eq!((s, v["column"].as_u64()), (400, Some(1)));
    let (s, _) = send(
        addr,
        "/api/v1/alerts/rules",
        json!({"name": "bmc-down", "condition": "{component} =~ \"^bmc\" and {level} >= \"ERROR\"",
               "severity": "critical", "dedup_by": ["correlation_id"]}),
    );
    assert_eq!(s, 201);
    assert_eq!(
        send(
            addr,
            "/api/v1/alerts/rules",
            json!({"name": "bmc-down", "condition": "{level}"})
        )
        .0,
        400
    );
    assert_eq!(
        get_json(addr, "/api/v1/alerts/rules")["rules"][0]["name"],
        "bmc-down"
    );

    let recs = json!([
        {"level": "INFO", "component": "bmc.ipmi", "message": "ok", "correlation_id": "r1"},
        {"level": "ERROR", "component": "bmc.ipmi", "message": "BMC unreachable", "correlation_id": "r1"},
        {"level": "ERROR", "component": "bios", "message": "other", "correlation_id": "r2"}
    ]);
    assert_eq!(
        post(addr, recs.to_string().as_bytes(), false).1["accepted"],
        3
    );
    let a = get_json(addr, "/api/v1/alerts");
    assert_eq!(a["active"].as_array().unwrap().len(), 1, "{a}");
    assert_eq!(a["active"][0]["rule"], "bmc-down");
    assert_eq!(
        a["active"][0]["alert"]["labels"][0],
        json!(["correlation_id", "r1"])
    );
    assert_eq!(a["notifications"][0]["kind"], "firing");
    let id = a["active"][0]["alert"]["id"].as_u64().unwrap();

    assert_eq!(
        send(
            addr,
            &format!("/api/v1/alerts/{id}/ack"),
            json!({"by": "ops"})
        )
        .0,
        200
    );
    assert_eq!(send(addr, "/api/v1/alerts/999/ack", json!({})).0, 404);
    assert_eq!(
        send(addr, &format!("/api/v1/alerts/{id}/resolve"), json!({})).0,
        200
    );
    let deadline = Instant::now() + Duration::from_secs(5);
    loop {
        let a = get_json(addr, "/api/v1/alerts");
        let events: Vec<&str> = a["history"]
            .as_array()
            .unwrap()
            .iter()
            .rev()
            .map(|h| h["event"].as_str().unwrap())
            .collect();
        if events == ["fired", "notified", "acknowledged", "resolved"] {
            assert!(a["active"].as_array().unwrap().is_empty());
            break;
        }
        assert!(Instant::now() < deadline, "{a}");
        std::thread::sleep(Duration::from_millis(50));
    }
    let req = |m: &str| -> u16 {
        let agent: ureq::Agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .build()
            .into();
        agent
            .delete(format!("http://{addr}/api/v1/alerts/rules/{m}"))
            .call()
            .unwrap()
            .status()
            .as_u16()
    };
    assert_eq!(req("bmc-down"), 200);
    assert_eq!(req("bmc-down"), 404);
}

fn rule_names(addr: std::net::SocketAddr) -> Vec<String> {
    get_json(addr, "/api/v1/alerts/rules")["rules"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["name"].as_str().unwrap().to_string())
        .collect()
}

fn delete(addr: std::net::SocketAddr, path: &str) -> u16 {
    common::agent()
        .delete(format!("http://{addr}{path}"))
        .call()
        .unwrap()
        .status()
        .as_u16()
}

/// Rules created through the API are saved in the store: a restarted server runs them, a
/// second server on the same database picks them up within its re-read interval, and a
/// deletion reaches both.
#[test]
fn api_rules_survive_a_restart_and_reach_other_servers() {
    let dir = tempfile::tempdir().unwrap();
    let opts = |interval_ms| hwlog_server::ServeOptions {
        data_dir: dir.path().to_path_buf(),
        listen: "127.0.0.1:0".parse().unwrap(),
        rules_interval: Duration::from_millis(interval_ms),
        ..Default::default()
    };
    let (a, _, _) = common::start_with(opts(60_000), false);
    let rule = json!({"name": "fan-fail", "condition": "{level} >= \"ERROR\" and {message} contains \"fan\"",
                      "severity": "critical", "suppression": 60_000_000_000i64});
    let (status, v) = send(a, "/api/v1/alerts/rules", rule);
    assert_eq!(status, 201, "{v}");
    // A second server on the same database (as after a restart) has it from the start.
    let (b, _, _) = common::start_with(opts(50), false);
    assert_eq!(rule_names(b), ["fan-fail"]);
    let rules = get_json(b, "/api/v1/alerts/rules");
    assert_eq!(rules["rules"][0]["suppression"], 60_000_000_000i64);
    assert_eq!(rules["rules"][0]["severity"], "critical");
    // And it fires there.
    let line = json!({"level": "ERROR", "component": "hw.fan", "message": "fan 3 failed"});
    assert_eq!(post(b, line.to_string().as_bytes(), false).0, 200);
    let deadline = Instant::now() + Duration::from_secs(10);
    while get_json(b, "/api/v1/alerts")["active"]
        .as_array()
        .unwrap()
        .is_empty()
    {
        assert!(Instant::now() < deadline, "the saved rule never fired on b");
        std::thread::sleep(Duration::from_millis(20));
    }
    // A rule created on `a` reaches `b` within its re-read interval; deleted on `a`, it goes.
    let rule = json!({"name": "psu", "condition": "{message} contains \"PSU\""});
    assert_eq!(send(a, "/api/v1/alerts/rules", rule).0, 201);
    let deadline = Instant::now() + Duration::from_secs(10);
    while rule_names(b) != ["fan-fail", "psu"] {
        assert!(Instant::now() < deadline, "{:?}", rule_names(b));
        std::thread::sleep(Duration::from_millis(20));
    }
    assert_eq!(delete(a, "/api/v1/alerts/rules/psu"), 200);
    while rule_names(b) != ["fan-fail"] {
        assert!(Instant::now() < deadline, "{:?}", rule_names(b));
        std::thread::sleep(Duration::from_millis(20));
    }
    // An invalid rule is refused and not saved.
    let bad = json!({"name": "bad", "condition": "{level} >>= \"ERROR\""});
    assert_eq!(send(a, "/api/v1/alerts/rules", bad).0, 400);
    let (c, _, _) = common::start_with(opts(60_000), false);
    assert_eq!(rule_names(c), ["fan-fail"]);
    assert_eq!(delete(c, "/api/v1/alerts/rules/fan-fail"), 200);
    assert_eq!(delete(c, "/api/v1/alerts/rules/fan-fail"), 404);
    let (d, _, _) = common::start_with(opts(60_000), false);
    assert!(rule_names(d).is_empty());
}
