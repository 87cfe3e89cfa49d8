//! The server over real HTTP and WebSocket on 127.0.0.1: ingest, query, live stream,
//! health and metrics.
use std::io::Write;
use std::time::{Duration, Instant};

use serde_json::{json, Value};

mod common;
use common::{get, get_json, post, start};

fn messages(v: &Value) -> Vec<String> {
    v["records"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["message"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn ingest_then_query_correlation_and_errors_per_record() {
    let dir = tempfile::tempdir().unwrap();
    let addr = start(dir.path(), 1 << 20);
    let batch = json!([
        {"timestamp": "2026-11-20T08:00:00Z", "level": "INFO", "component": "hwautomation.hardware.ipmi",
         "message": "power on node-7", "correlation_id": "req-1", "fields": {"host": "node-7", "attempt": 2}},
        {"timestamp": "2026-11-20T08:00:01.5Z", "level": "ERROR", "logger": "hwautomation.hardware.ipmi",
         "message": "IPMI timeout on 10.0.0.7", "correlation_id": "req-1"},
        {"level": "LOUD", "component": "x", "message": "bad level"},
        {"timestamp": 1795000000, "level": "warning", "component": "bios", "message": "VT-x disabled",
         "host": "node-9", "service": "provisioner"},
        "not an object",
        {"level": "INFO", "component": "x"},
        {"timestamp": 1e30, "level": "INFO", "component": "x", "message": "from the far future"}
    ]);
    let (status, v) = post(addr, batch.to_string().as_bytes(), false);
    assert_eq!(status, 200, "{v}");
    assert_eq!(v["accepted"], 3);
    let rejected: Vec<(u64, String)> = v["rejected"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["index"].as_u64().unwrap(),
                r["error"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert_eq!(
        rejected,
        [
            (2, "unknown level \"LOUD\"".to_string()),
            (4, "a record must be a JSON object".to_string()),
            (5, "message is missing".to_string()),
            (
                6,
                "timestamp 1000000000000000000000000000000 is out of range".to_string()
            )
        ]
    );

    // Newest first; full text, component glob, level filters.
    let all = get_json(addr, "/api/v1/logs");
    assert_eq!(messages(&all).len(), 3);
    assert_eq!(
        get_json(addr, "/api/v1/logs?q=timeout")["records"][0]["message"],
        "IPMI timeout on 10.0.0.7"
    );
    assert_eq!(
        messages(&get_json(
            addr,
            "/api/v1/logs?component=hwautomation.hardware*"
        ))
        .len(),
        2
    );
    assert_eq!(
        messages(&get_json(addr, "/api/v1/logs?min_level=WARNING")).len(),
        2
    );
    assert_eq!(
        messages(&get_json(addr, "/api/v1/logs?level=WARNING")),
        ["VT-x disabled"]
    );
    let w = get_json(addr, "/api/v1/logs?level=WARNING");
    assert_eq!(w["records"][0]["fields"]["host"], "node-9");
    assert_eq!(w["records"][0]["fields"]["service"], "provisioner");
    assert_eq!(w["records"][0]["timestamp"], "2026-11-18T11:06:40.000000Z");
    let page = get_json(addr, "/api/v1/logs?limit=2");
    assert_eq!(page["records"].as_array().unwrap().len(), 2);
    let cursor = page["next_cursor"].as_i64().unwrap();
    let next = get_json(addr, &format!("/api/v1/logs?limit=2&cursor={cursor}"));
    assert_eq!(next["records"].as_array().unwrap().len(), 1);
    assert!(next["next_cursor"].is_null());
    // Times: RFC 3339 and relative.
    assert_eq!(
        messages(&get_json(
            addr,
            "/api/v1/logs?since=2026-11-20T08:00:01Z&until=2026-11-21T00:00:00Z"
        ))
        .len(),
        1
    );
    assert_eq!(messages(&get_json(addr, "/api/v1/logs?since=-1h")).len(), 0);
    assert_eq!(get(addr, "/api/v1/logs?since=yesterday").0, 400);
    assert_eq!(get(addr, "/api/v1/logs?limit=0").0, 400);

    // A request's records in time order, one record by id, 404.
    let c = get_json(addr, "/api/v1/correlation/req-1");
    assert_eq!(
        messages(&c),
        ["power on node-7", "IPMI timeout on 10.0.0.7"]
    );
    assert_eq!(c["records"][0]["fields"]["attempt"], 2);
    let id = c["records"][1]["id"].as_i64().unwrap();
    assert_eq!(
        get_json(addr, &format!("/api/v1/logs/{id}"))["level"],
        "ERROR"
    );
    assert_eq!(get(addr, "/api/v1/logs/999999").0, 404);
}

#[test]
fn ndjson_gzip_size_limit_and_malformed_bodies() {
    let dir = tempfile::tempdir().unwrap();
    let addr = start(dir.path(), 64 * 1024);
    let ndjson = (0..100)
        .map(|i| {
            json!({"level": "INFO", "component": "svc", "message": format!("line {i}")}).to_string()
        })
        .collect::<Vec<_>>()
        .join("\n");
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    gz.write_all(ndjson.as_bytes()).unwrap();
    let (status, v) = post(addr, &gz.finish().unwrap(), true);
    assert_eq!((status, v["accepted"].as_u64()), (200, Some(100)), "{v}");
    let (status, v) = post(
        addr,
        b"{\"level\":\"INFO\",\"component\":\"a\",\"message\":\"x\"}\n{broken\n",
        false,
    );
    assert_eq!((status, v["accepted"].as_u64()), (200, Some(1)));
    assert!(
        v["rejected"][0]["error"]
            .as_str()
            .unwrap()
            .starts_with("invalid JSON"),
        "{v}"
    );
    assert_eq!(post(addr, b"[1, 2", false).0, 400);
    assert_eq!(post(addr, b"not gzip", true).0, 400);
    let big = vec![b' '; 100 * 1024];
    assert_eq!(post(addr, &big, false).0, 413);
    // A small gzip body that inflates past the limit.
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    gz.write_all(&vec![b'\n'; 1 << 20]).unwrap();
    assert_eq!(post(addr, &gz.finish().unwrap(), true).0, 413);
    // Nothing refused was stored; the server still answers.
    assert_eq!(get_json(addr, "/healthz")["records"], 101);
    let (_, metrics) = get(addr, "/metrics");
    assert!(
        metrics.contains("hwlog_ingested_records_total 101"),
        "{metrics}"
    );
    assert!(
        metrics.contains("hwlog_rejected_records_total 1"),
        "{metrics}"
    );
    assert!(
        metrics.contains("hwlog_records_by_level_total{level=\"INFO\"} 101"),
        "{metrics}"
    );
}

#[test]
fn live_stream_filters_sequence_and_resume() {
    let dir = tempfile::tempdir().unwrap();
    let addr = start(dir.path(), 1 << 20);
    let (mut ws, _) = tungstenite::connect(format!(
        "ws://{addr}/api/v1/stream?min_level=ERROR&component=bmc*"
    ))
    .unwrap();
    if let tungstenite::stream::MaybeTlsStream::Plain(s) = ws.get_ref() {
        s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    }
    let recs: Vec<Value> = (0..6)
        .map(|i| {
            json!({"level": if i % 2 == 0 { "ERROR" } else { "INFO" },
                   "component": if i < 4 { "bmc.ipmi" } else { "bios" },
                   "message": format!("event {i}")})
        })
        .collect();
    // The subscription is live once the upgrade answered; give the task a moment.
    std::thread::sleep(Duration::from_millis(100));
    assert_eq!(
        post(addr, Value::Array(recs).to_string().as_bytes(), false).1["accepted"],
        6
    );
    let mut got = Vec::new();
    let deadline = Instant::now() + Duration::from_secs(10);
    while got.len() < 2 && Instant::now() < deadline {
        if let tungstenite::Message::Text(t) = ws.read().unwrap() {
            got.push(serde_json::from_str::<Value>(&t).unwrap());
        }
    }
    let msgs: Vec<&str> = got.iter().map(|v| v["message"].as_str().unwrap()).collect();
    assert_eq!(msgs, ["event 0", "event 2"]);
    assert_eq!(got[0]["seq"], 1);
    assert_eq!(got[1]["seq"], 3);
    ws.close(None).ok();

    // Resume after seq 3 without filters: events 3, 4, 5 from the backlog.
    let (mut ws, _) = tungstenite::connect(format!("ws://{addr}/api/v1/stream?after=3")).unwrap();
    let mut seqs = Vec::new();
    while seqs.len() < 3 {
        if let tungstenite::Message::Text(t) = ws.read().unwrap() {
            seqs.push(
                serde_json::from_str::<Value>(&t).unwrap()["seq"]
                    .as_u64()
                    .unwrap(),
            );
        }
    }
    assert_eq!(seqs, [4, 5, 6]);
    // Bad filters are refused before the upgrade.
    assert!(tungstenite::connect(format!("ws://{addr}/api/v1/stream?min_level=LOUD")).is_err());
}

#[test]
fn dashboard_files_are_served() {
    let dir = tempfile::tempdir().unwrap();
    let addr = start(dir.path(), 1 << 20);
    let (status, html) = get(addr, "/");
    assert_eq!(status, 200);
    assert!(html.contains("<title>hwlog</title>") && html.contains("/app.js"));
    let (status, js) = get(addr, "/app.js");
    assert_eq!(status, 200);
    assert!(js.contains("/api/v1/stream"));
    assert_eq!(get(addr, "/style.css").0, 200);
    let v = get_json(addr, "/api/v1/stats/volume?since=-1h&bucket=60");
    assert_eq!(v["bucket_s"], 60);
}

/// A full store answers 507 and keeps serving; once room is freed, ingest works again.
#[test]
fn full_store_answers_507_then_recovers() {
    let dir = tempfile::tempdir().unwrap();
    let (addr, _, _) = common::start_with(
        hwlog_server::ServeOptions {
            data_dir: dir.path().to_path_buf(),
            max_db_mb: Some(1),
            ..Default::default()
        },
        false,
    );
    let batch = |b: usize| {
        (0..200)
            .map(|i| json!({"level": "INFO", "component": "fill", "message": format!("batch {b} record {i} {}", "x".repeat(300))}).to_string())
            .collect::<Vec<_>>()
            .join("\n")
    };
    let mut accepted = 0u64;
    let mut full_at = None;
    for b in 0..100 {
        let (status, v) = post(addr, batch(b).as_bytes(), false);
        match status {
            200 => accepted += v["accepted"].as_u64().unwrap(),
            507 => {
                assert!(v["error"].as_str().unwrap().contains("full"), "{v}");
                full_at = Some(b);
                break;
            }
            other => panic!("unexpected {other}: {v}"),
        }
    }
    assert!(
        full_at.is_some(),
        "the 1 MB store never filled ({accepted} records)"
    );
    // Nothing of the refused batch is stored; reads still work; health says degraded.
    let (status, health) = get(addr, "/healthz");
    let health: serde_json::Value = serde_json::from_str(&health).unwrap();
    assert_eq!(
        (status, health["status"].as_str()),
        (503, Some("degraded")),
        "{health}"
    );
    assert_eq!(health["records"], accepted);
    assert!(
        health["write_error"].as_str().unwrap().contains("full"),
        "{health}"
    );
    assert!(get(addr, "/metrics").1.contains("hwlog_write_failing 1"));
    assert_eq!(get(addr, "/api/v1/logs?q=record").0, 200);
    // Free room (as retention would) and ingest again.
    let conn = rusqlite::Connection::open(dir.path().join("logs.db")).unwrap();
    conn.busy_timeout(Duration::from_secs(5)).unwrap();
    conn.execute("DELETE FROM logs WHERE id <= ?1", [accepted as i64 / 2])
        .unwrap();
    let (status, v) = post(addr, batch(1000).as_bytes(), false);
    assert_eq!((status, v["accepted"].as_u64()), (200, Some(200)), "{v}");
    assert_eq!(get_json(addr, "/healthz")["status"], "ok");
    assert!(get(addr, "/metrics").1.contains("hwlog_write_failing 0"));
}

/// The server runs retention by itself: records older than the age limit go, and beyond
/// the row limit the oldest go; /metrics counts what was deleted.
#[test]
fn retention_runs_in_the_background() {
    let dir = tempfile::tempdir().unwrap();
    let (addr, _, _) = common::start_with(
        hwlog_server::ServeOptions {
            data_dir: dir.path().to_path_buf(),
            retention: hwlog_server::jobs::RetentionJob {
                retention: hwlog_store::Retention {
                    max_age: Some(Duration::from_secs(7 * 86_400)),
                    max_rows: Some(100),
                },
                interval: Duration::from_millis(50),
            },
            ..Default::default()
        },
        false,
    );
    // Ten days ago, as epoch seconds.
    let old = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs()
        - 10 * 86_400;
    // Records already past the age limit are refused at ingest, each with the reason: never
    // acknowledged and then deleted.
    let body: Vec<String> = (0..20)
        .map(|i| json!({"timestamp": old, "level": "INFO", "component": "old", "message": format!("old {i}")}).to_string())
        .chain((0..150).map(|i| json!({"level": "INFO", "component": "new", "message": format!("new {i}")}).to_string()))
        .collect();
    let (status, v) = post(addr, body.join("\n").as_bytes(), false);
    assert_eq!((status, v["accepted"].as_u64()), (200, Some(150)), "{v}");
    assert_eq!(v["rejected_count"], 20);
    assert!(
        v["rejected"][0]["error"]
            .as_str()
            .unwrap()
            .contains("older than the retention window"),
        "{v}"
    );
    // Records that age in the store (here written to it directly) are deleted.
    {
        let store =
            hwlog_store::SqliteStore::open(dir.path().join("logs.db"), Default::default()).unwrap();
        use hwlog_store::Store as _;
        let olds: Vec<hwlog_core::Record> = (0..20)
            .map(|i| {
                let mut r =
                    hwlog_core::Record::new(hwlog_core::Level::Info, "old", format!("old {i}"));
                r.timestamp = hwlog_core::Timestamp::from_nanos(old as i64 * 1_000_000_000);
                r
            })
            .collect();
        store.insert_batch(&olds).unwrap();
    }
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let n = get_json(addr, "/healthz")["records"].as_u64().unwrap();
        if n == 100 {
            break;
        }
        assert!(Instant::now() < deadline, "{n} records left");
        std::thread::sleep(Duration::from_millis(20));
    }
    let page = get_json(addr, "/api/v1/logs?limit=1000");
    let msgs = messages(&page);
    assert_eq!(msgs.len(), 100);
    assert!(msgs.iter().all(|m| m.starts_with("new ")), "{msgs:?}");
    // The newest 100 stay.
    assert_eq!(msgs.first().map(String::as_str), Some("new 149"));
    assert_eq!(msgs.last().map(String::as_str), Some("new 50"));
    let (_, metrics) = get(addr, "/metrics");
    assert!(
        metrics.contains("hwlog_retention_deleted_records_total 70"),
        "{metrics}"
    );
}

/// The data directory and the database hold every log: only their owner may read them.
#[test]
fn data_dir_and_database_are_private() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("nested").join("data");
    let (addr, _, _) = common::start_with(
        hwlog_server::ServeOptions {
            data_dir: data.clone(),
            ..Default::default()
        },
        false,
    );
    let (status, _) = post(addr, b"{\"message\":\"private\"}", false);
    assert_eq!(status, 200);
    let mode = |p: &std::path::Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode(&data), 0o700);
    assert_eq!(mode(&data.join("logs.db")), 0o600);
    if data.join("logs.db-wal").exists() {
        assert_eq!(mode(&data.join("logs.db-wal")), 0o600);
    }
}

/// `stats/volume` counts every record of its range by the store (not a page of them), in
/// the buckets asked for; `field.<key>=` filters history; bad buckets and ranges are 400.
#[test]
fn volume_and_field_filters_over_http() {
    let dir = tempfile::tempdir().unwrap();
    let addr = start(dir.path(), 16 << 20);
    let minute = 60_000_000_000i64;
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos() as i64;
    let t0 = now / minute * minute - 30 * minute;
    for b in 0..3i64 {
        let body = (0..10_000i64)
            .map(|i| {
                let n = b * 10_000 + i;
                json!({"timestamp": t0 + n * (minute / 1000), "level": if n % 4 == 0 { "ERROR" } else { "INFO" },
                       "component": "vol", "message": format!("r{n}"),
                       "fields": {"host": format!("node-{:02}", n % 10), "port": 623}})
                .to_string()
            })
            .collect::<Vec<_>>()
            .join("\n");
        let (status, v) = post(addr, body.as_bytes(), false);
        assert_eq!((status, v["accepted"].as_u64()), (200, Some(10_000)), "{v}");
    }
    // 30,000 records at 1,000 a minute from t0: five-minute buckets of 5,000.
    let path = format!(
        "/api/v1/stats/volume?since={t0}&until={}&bucket=5m",
        t0 + 30 * minute
    );
    let v = get_json(addr, &path);
    assert_eq!(v["bucket_s"], 300);
    let buckets = v["buckets"].as_array().unwrap();
    assert_eq!(buckets.len(), 6, "{v}");
    for (i, b) in buckets.iter().enumerate() {
        assert_eq!(b["start"].as_i64(), Some(t0 + i as i64 * 5 * minute));
        assert_eq!(b["counts"]["ERROR"], 1250);
        assert_eq!(b["counts"]["INFO"], 3750);
    }
    assert_eq!(v["components"][0]["count"], 30_000);
    let v = get_json(
        addr,
        "/api/v1/logs?field.host=node-03&field.port=623&limit=10000",
    );
    let recs = v["records"].as_array().unwrap();
    assert_eq!(recs.len(), 3000);
    assert!(recs.iter().all(|r| r["fields"]["host"] == "node-03"));
    assert_eq!(
        get_json(addr, "/api/v1/logs?field.host=node-3")["records"]
            .as_array()
            .unwrap()
            .len(),
        0
    );
    assert_eq!(get(addr, "/api/v1/stats/volume?since=-1h&bucket=7q").0, 400);
    assert_eq!(
        get(addr, "/api/v1/stats/volume?since=-366d&bucket=1").0,
        400
    );
    assert_eq!(get(addr, "/api/v1/stats/volume?since=-1h&until=-2h").0, 400);
}
