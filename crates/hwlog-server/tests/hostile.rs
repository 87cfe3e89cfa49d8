//! Hostile input on every ingest path: each case asserts the status, that the valid records
//! of the same request are kept, and (at the end of each test) that the process's peak
//! memory stayed under a bound.
use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::time::{Duration, Instant};

use flate2::write::GzEncoder;
use hwlog_server::otlp::{
    any_value, AnyValue, ExportLogsServiceRequest, ExportLogsServiceResponse, KeyValue, LogRecord,
    ResourceLogs, ScopeLogs,
};
use prost::Message;
use serde_json::{json, Value};

mod common;
use common::{agent, get, get_json, start_with};

/// Peak resident memory of this process (the server runs inside it), in MiB.
fn peak_rss_mib() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find(|l| l.starts_with("VmHWM:"))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|kb| kb.parse::<u64>().ok())
        .map_or(0, |kb| kb / 1024)
}

fn assert_rss_under(mib: u64) {
    let peak = peak_rss_mib();
    eprintln!("peak RSS {peak} MiB");
    assert!(peak < mib, "peak RSS {peak} MiB (bound {mib} MiB)");
}

fn opts(dir: &std::path::Path) -> hwlog_server::ServeOptions {
    hwlog_server::ServeOptions {
        data_dir: dir.to_path_buf(),
        retention: hwlog_server::jobs::RetentionJob {
            retention: hwlog_store::Retention {
                max_age: None,
                max_rows: None,
            },
            ..Default::default()
        },
        ..Default::default()
    }
}

fn post(addr: SocketAddr, path: &str, headers: &[(&str, &str)], body: &[u8]) -> (u16, Value) {
    let mut req = agent().post(format!("http://{addr}{path}"));
    for (k, v) in headers {
        req = req.header(*k, *v);
    }
    let mut resp = req.send(body).unwrap();
    let status = resp.status().as_u16();
    let text = resp
        .body_mut()
        .with_config()
        .limit(64 << 20)
        .read_to_string()
        .unwrap_or_default();
    (status, serde_json::from_str(&text).unwrap_or(Value::Null))
}

fn gzip(data: &[u8]) -> Vec<u8> {
    let mut e = GzEncoder::new(Vec::new(), flate2::Compression::best());
    e.write_all(data).unwrap();
    e.finish().unwrap()
}

fn messages(addr: SocketAddr, q: &str) -> Vec<Value> {
    get_json(addr, &format!("/api/v1/logs?q={q}&limit=1000"))["records"]
        .as_array()
        .unwrap()
        .clone()
}

fn text(s: &str) -> Option<AnyValue> {
    Some(AnyValue {
        value: Some(any_value::Value::StringValue(s.to_string())),
    })
}

fn otlp_request(records: Vec<LogRecord>) -> ExportLogsServiceRequest {
    ExportLogsServiceRequest {
        resource_logs: vec![ResourceLogs {
            scope_logs: vec![ScopeLogs {
                log_records: records,
                ..Default::default()
            }],
            ..Default::default()
        }],
    }
}

#[test]
fn bodies_that_expand_or_carry_too_much_are_refused_cheaply() {
    let dir = tempfile::tempdir().unwrap();
    let (addr, _, _) = start_with(opts(dir.path()), false);
    let json = [("content-type", "application/x-ndjson")];

    // 16 MiB of `1\n` in a ~16 KB gzip body: over the record limit, refused whole with a
    // short reply.
    let bomb = gzip(&b"1\n".repeat(8 << 20));
    assert!(bomb.len() < 64 << 10, "{}", bomb.len());
    let (status, v) = post(
        addr,
        "/api/v1/logs",
        &[("content-encoding", "gzip"), json[0]],
        &bomb,
    );
    assert_eq!(status, 413, "{v}");
    assert!(
        v["error"].as_str().unwrap().contains("too many records"),
        "{v}"
    );
    // Beyond the body limit after decompression: 413.
    let over = gzip(&vec![b' '; (16 << 20) + 10]);
    let (status, v) = post(addr, "/api/v1/logs", &[("content-encoding", "gzip")], &over);
    assert_eq!(status, 413, "{v}");

    // 5,000 bad lines beside 3 good ones: the good ones are kept, the reply lists the first
    // 100 errors and counts all.
    let mut body = String::new();
    for i in 0..5_000 {
        body.push_str(if i % 2 == 0 {
            "1\n"
        } else {
            "{\"level\":\"x\"}\n"
        });
    }
    for i in 0..3 {
        body.push_str(&format!("{{\"message\":\"kept-among-bad {i}\"}}\n"));
    }
    let (status, v) = post(addr, "/api/v1/logs", &json, body.as_bytes());
    assert_eq!(status, 200, "{v}");
    assert_eq!(v["accepted"], 3);
    assert_eq!(v["rejected_count"], 5_000);
    assert_eq!(v["rejected"].as_array().unwrap().len(), 100);
    assert_eq!(messages(addr, "kept-among-bad").len(), 3);

    // A JSON array over the record limit.
    let arr = format!("[{}]", vec!["{\"message\":\"m\"}"; 10_001].join(","));
    let (status, _) = post(addr, "/api/v1/logs", &[], arr.as_bytes());
    assert_eq!(status, 413);

    // Two gzip members: both are read. Bytes after the last member: refused.
    let mut two = gzip(b"{\"message\":\"member-one\"}\n");
    two.extend(gzip(b"{\"message\":\"member-two\"}\n"));
    let (status, v) = post(addr, "/api/v1/logs", &[("content-encoding", "gzip")], &two);
    assert_eq!((status, v["accepted"].as_u64()), (200, Some(2)), "{v}");
    let mut trailing = gzip(b"{\"message\":\"trailing\"}\n");
    trailing.extend_from_slice(b"garbage after the member");
    let (status, v) = post(
        addr,
        "/api/v1/logs",
        &[("content-encoding", "gzip")],
        &trailing,
    );
    assert_eq!(status, 400, "{v}");
    assert!(messages(addr, "trailing").is_empty());
    // An encoding the server does not speak is refused, not stored as bytes.
    let (status, _) = post(addr, "/api/v1/logs", &[("content-encoding", "br")], b"x");
    assert_eq!(status, 415);

    // A UTF-8 byte order mark before NDJSON.
    let (status, v) = post(
        addr,
        "/api/v1/logs",
        &json,
        b"\xEF\xBB\xBF{\"message\":\"after-bom\"}\n",
    );
    assert_eq!((status, v["accepted"].as_u64()), (200, Some(1)), "{v}");
    assert_rss_under(300);
}

#[test]
fn one_huge_record_is_refused_alone_and_long_text_is_cut_on_every_path() {
    let dir = tempfile::tempdir().unwrap();
    let (addr, _, _) = start_with(opts(dir.path()), false);

    // 100,000 fields in one record, 100,000-deep nesting in another, and a good record.
    let fields: serde_json::Map<String, Value> =
        (0..100_000).map(|i| (format!("f{i}"), json!(i))).collect();
    let deep = format!("{}1{}", "[".repeat(100_000), "]".repeat(100_000));
    let body = format!(
        "{}\n{{\"message\":\"deep\",\"fields\":{{\"d\":{deep}}}}}\n{{\"message\":\"kept-beside-huge\"}}\n",
        json!({"message": "huge", "fields": fields})
    );
    let (status, v) = post(addr, "/api/v1/logs", &[], body.as_bytes());
    // serde_json refuses the 100,000-deep list itself (its recursion limit): that line is
    // an error of its own.
    assert_eq!(status, 200, "{v}");
    assert_eq!(v["accepted"], 1, "{v}");
    assert_eq!(v["rejected_count"], 2, "{v}");
    let e0 = v["rejected"][0]["error"].as_str().unwrap();
    assert!(e0.contains("record too large"), "{e0}");
    assert_eq!(messages(addr, "kept-beside-huge").len(), 1);
    // 300 fields (over the 256 limit) refused with the count.
    let many: serde_json::Map<String, Value> =
        (0..300).map(|i| (format!("k{i}"), json!("v"))).collect();
    let (_, v) = post(
        addr,
        "/api/v1/logs",
        &[],
        json!({"message": "m", "fields": many})
            .to_string()
            .as_bytes(),
    );
    assert!(
        v["rejected"][0]["error"]
            .as_str()
            .unwrap()
            .contains("300 fields"),
        "{v}"
    );

    // A 6 MiB message on each path is stored cut to 64 KiB; a long field value to 16 KiB.
    let big = "x".repeat(6 << 20);
    let (status, v) = post(
        addr,
        "/api/v1/logs",
        &[],
        json!({"message": format!("ndjsonbig {big}"), "fields": {"v": big}})
            .to_string()
            .as_bytes(),
    );
    assert_eq!((status, v["truncated"].as_u64()), (200, Some(1)), "{v}");
    let form = format!("name=formsvc&levelname=INFO&msg=formbig+{big}");
    let (status, _) = post(
        addr,
        "/api/v1/logs",
        &[("content-type", "application/x-www-form-urlencoded")],
        form.as_bytes(),
    );
    assert_eq!(status, 200);
    let pb = otlp_request(vec![LogRecord {
        body: text(&format!("otlppbbig {big}")),
        ..Default::default()
    }]);
    let (status, _) = post(
        addr,
        "/v1/logs",
        &[("content-type", "application/x-protobuf")],
        &pb.encode_to_vec(),
    );
    assert_eq!(status, 200);
    let oj = json!({"resourceLogs": [{"scopeLogs": [{"logRecords": [{"body": {"stringValue": format!("otlpjsonbig {big}")}}]}]}]});
    let (status, _) = post(
        addr,
        "/v1/logs",
        &[("content-type", "application/json")],
        oj.to_string().as_bytes(),
    );
    assert_eq!(status, 200);
    for q in ["ndjsonbig", "formbig", "otlppbbig", "otlpjsonbig"] {
        let r = messages(addr, q);
        assert_eq!(r.len(), 1, "{q}");
        assert_eq!(r[0]["message"].as_str().unwrap().len(), 64 << 10, "{q}");
    }
    assert_eq!(
        messages(addr, "ndjsonbig")[0]["fields"]["v"]
            .as_str()
            .unwrap()
            .len(),
        16 << 10
    );

    // An OTLP record with 300,000 attributes: refused on its own (partial success), the
    // other record of the request kept.
    let attrs: Vec<KeyValue> = (0..300_000)
        .map(|i| KeyValue {
            key: format!("a{i}"),
            value: text("v"),
        })
        .collect();
    let req = otlp_request(vec![
        LogRecord {
            body: text("otlp-many-attributes"),
            attributes: attrs,
            ..Default::default()
        },
        LogRecord {
            body: text("otlp-kept-beside"),
            ..Default::default()
        },
    ]);
    let mut resp = agent()
        .post(format!("http://{addr}/v1/logs"))
        .header("content-type", "application/x-protobuf")
        .send(&req.encode_to_vec()[..])
        .unwrap();
    assert_eq!(resp.status().as_u16(), 200);
    let answer =
        ExportLogsServiceResponse::decode(&resp.body_mut().read_to_vec().unwrap()[..]).unwrap();
    let partial = answer.partial_success.expect("partial success");
    assert_eq!(partial.rejected_log_records, 1);
    assert!(partial.error_message.contains("fields"), "{partial:?}");
    assert_eq!(messages(addr, "otlp-kept-beside").len(), 1);
    assert!(messages(addr, "otlp-many-attributes").is_empty());
    assert_rss_under(500);
}

#[test]
fn times_the_store_cannot_keep_are_refused_with_a_reason() {
    let dir = tempfile::tempdir().unwrap();
    let mut o = opts(dir.path());
    o.retention.retention.max_age = Some(Duration::from_secs(30 * 86_400));
    let (addr, _, _) = start_with(o, false);
    let bad = [
        json!(-1e308),
        json!(i64::MIN),
        json!(u64::MAX),
        json!(-1),
        json!("1969-12-31T23:59:59Z"),
        json!("1677-09-21T00:12:44Z"),
        json!("NaN"),
        json!(1e300),
        json!(86_400),
    ];
    let mut body: Vec<String> = bad
        .iter()
        .map(|t| json!({"timestamp": t, "message": "dated-badly"}).to_string())
        .collect();
    body.push(json!({"message": "dated-now"}).to_string());
    let (status, v) = post(addr, "/api/v1/logs", &[], body.join("\n").as_bytes());
    assert_eq!(status, 200, "{v}");
    assert_eq!(v["accepted"], 1, "{v}");
    assert_eq!(v["rejected_count"].as_u64(), Some(bad.len() as u64), "{v}");
    for r in v["rejected"].as_array().unwrap() {
        let e = r["error"].as_str().unwrap();
        assert!(e.contains("timestamp"), "{e}");
    }
    assert!(messages(addr, "dated").len() == 1);
    // OTLP: a record dated 2018 (as OTLP's own example is) is refused under a 30-day
    // retention, with the reason in the partial success.
    let req = otlp_request(vec![
        LogRecord {
            time_unix_nano: 1_544_712_660_300_000_000,
            body: text("otlp-too-old"),
            ..Default::default()
        },
        LogRecord {
            time_unix_nano: u64::MAX,
            body: text("otlp-too-new"),
            ..Default::default()
        },
    ]);
    let mut resp = agent()
        .post(format!("http://{addr}/v1/logs"))
        .header("content-type", "application/x-protobuf")
        .send(&req.encode_to_vec()[..])
        .unwrap();
    let answer =
        ExportLogsServiceResponse::decode(&resp.body_mut().read_to_vec().unwrap()[..]).unwrap();
    let p = answer.partial_success.unwrap();
    assert_eq!(p.rejected_log_records, 2, "{p:?}");
    assert!(p.error_message.contains("retention"), "{p:?}");
    assert!(messages(addr, "otlp").is_empty());
}

#[test]
fn cross_site_pages_can_neither_write_nor_read() {
    let dir = tempfile::tempdir().unwrap();
    let mut o = opts(dir.path());
    o.no_auth = true;
    o.allowed_origins = vec!["https://grafana.example:3000".into()];
    let (addr, _, _) = start_with(o, false);
    let line = b"{\"message\":\"origin-test\"}";
    for ct in [
        "text/plain",
        "application/json",
        "application/x-www-form-urlencoded",
    ] {
        let (status, v) = post(
            addr,
            "/api/v1/logs",
            &[("origin", "http://evil.example"), ("content-type", ct)],
            line,
        );
        assert_eq!(status, 403, "{ct}: {v}");
    }
    let (status, _) = post(
        addr,
        "/v1/logs",
        &[
            ("origin", "http://evil.example"),
            ("content-type", "application/json"),
        ],
        b"{}",
    );
    assert_eq!(status, 403);
    // DNS rebinding: the page's own origin, but a name that is not loopback.
    let (status, _) = post(
        addr,
        "/api/v1/logs",
        &[
            ("origin", "http://evil.example:7700"),
            ("host", "evil.example:7700"),
        ],
        line,
    );
    assert_eq!(status, 403);
    assert!(messages(addr, "origin-test").is_empty());
    // The dashboard's own origin and a listed one may.
    let own = format!("http://{addr}");
    for origin in [own.as_str(), "https://grafana.example:3000"] {
        let (status, v) = post(addr, "/api/v1/logs", &[("origin", origin)], line);
        assert_eq!(status, 200, "{origin}: {v}");
    }
    // WebSocket upgrade from a foreign page: refused before the upgrade.
    let ws = |origin: &str| {
        let mut req = tungstenite::client::IntoClientRequest::into_client_request(format!(
            "ws://{addr}/api/v1/stream"
        ))
        .unwrap();
        req.headers_mut().insert("origin", origin.parse().unwrap());
        tungstenite::connect(req)
    };
    match ws("http://evil.example") {
        Err(tungstenite::Error::Http(resp)) => assert_eq!(resp.status().as_u16(), 403),
        other => panic!("foreign WebSocket was not refused: {:?}", other.map(|_| ())),
    }
    assert!(ws(&own).is_ok());
}

#[test]
fn stuck_connections_are_closed_and_the_server_keeps_serving() {
    let dir = tempfile::tempdir().unwrap();
    let mut o = opts(dir.path());
    o.limits.max_connections = 20;
    o.limits.header_timeout = Duration::from_secs(1);
    o.limits.ingest_concurrency = 1;
    o.limits.ingest_wait = Duration::from_millis(200);
    let (addr, _, _) = start_with(o, false);
    // 60 connections that never finish their headers (three times the limit).
    let mut stuck: Vec<TcpStream> = (0..60)
        .map(|_| {
            let mut s = TcpStream::connect(addr).unwrap();
            s.write_all(b"POST /api/v1/logs HTTP/1.1\r\nHost: x\r\n")
                .unwrap();
            s.set_read_timeout(Some(Duration::from_secs(15))).unwrap();
            s
        })
        .collect();
    // A normal client gets through once the header timeout frees slots.
    let t = Instant::now();
    let (status, v) = post(addr, "/api/v1/logs", &[], b"{\"message\":\"after-stuck\"}");
    assert_eq!(status, 200, "{v}");
    assert!(t.elapsed() < Duration::from_secs(10));
    // Every stuck connection was closed by the server (end of stream, or a 408 first).
    for s in &mut stuck {
        let mut buf = Vec::new();
        let r = s.read_to_end(&mut buf);
        assert!(r.is_ok(), "not closed: {r:?}");
    }
    // A request whose body trickles holds the one ingest slot: another is told to retry.
    let mut slow = TcpStream::connect(addr).unwrap();
    slow.write_all(
        b"POST /api/v1/logs HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 100\r\n\r\n{\"mess",
    )
    .unwrap();
    let deadline = Instant::now() + Duration::from_secs(5);
    let mut saw_busy = false;
    while Instant::now() < deadline && !saw_busy {
        let resp = agent()
            .post(format!("http://{addr}/api/v1/logs"))
            .send(&b"{\"message\":\"busy\"}"[..])
            .unwrap();
        if resp.status().as_u16() == 503 {
            assert_eq!(
                resp.headers()
                    .get("retry-after")
                    .and_then(|v| v.to_str().ok()),
                Some("1")
            );
            saw_busy = true;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    assert!(saw_busy, "no 503 while the slot was held");
    drop(slow);
    assert!(get(addr, "/metrics")
        .1
        .contains("hwlog_busy_responses_total"));
}

#[test]
fn the_live_ring_is_bounded_in_bytes() {
    let dir = tempfile::tempdir().unwrap();
    let mut o = opts(dir.path());
    o.limits.ring_bytes = 1 << 20;
    let (addr, _, _) = start_with(o, false);
    let msg = "r".repeat(60 << 10);
    let body: Vec<String> = (0..100)
        .map(|i| json!({"message": format!("ring{i} {msg}")}).to_string())
        .collect();
    let (status, _) = post(addr, "/api/v1/logs", &[], body.join("\n").as_bytes());
    assert_eq!(status, 200);
    // The live ring is filled right after the commit that answered the POST: a client that
    // connects in between still sees records arriving; connect again until the ring is full.
    let deadline = Instant::now() + Duration::from_secs(10);
    let dropped = loop {
        let (mut ws, _) =
            tungstenite::connect(format!("ws://{addr}/api/v1/stream?after=0")).unwrap();
        let first: Value = serde_json::from_str(ws.read().unwrap().to_text().unwrap()).unwrap();
        if let Some(n) = first["dropped"].as_u64().filter(|&n| n >= 83) {
            break n;
        }
        assert!(Instant::now() < deadline, "no dropped notice: {first}");
        std::thread::sleep(Duration::from_millis(50));
    };
    // 1 MiB holds at most 17 records of 60 KiB.
    assert!((83..100).contains(&dropped), "{dropped}");
}

#[test]
fn syslog_records_that_cannot_be_kept_are_counted_as_lost() {
    let dir = tempfile::tempdir().unwrap();
    let mut o = opts(dir.path());
    o.retention.retention.max_age = Some(Duration::from_secs(86_400));
    let (http, udp, tcp) = start_with(o, true);
    let sock = std::net::UdpSocket::bind("127.0.0.1:0").unwrap();
    // Dated 2003: older than the retention window; and a fresh one beside it.
    sock.send_to(
        b"<13>1 2003-10-11T22:14:15.003Z host app - - - too old",
        udp.unwrap(),
    )
    .unwrap();
    sock.send_to(b"<13>1 - host app - - - fresh-udp", udp.unwrap())
        .unwrap();
    let mut t = TcpStream::connect(tcp.unwrap()).unwrap();
    t.write_all(b"<13>1 1969-12-31T23:59:59Z host app - - - before 1970\n")
        .unwrap();
    drop(t);
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let m = get(http, "/metrics").1;
        if m.contains("hwlog_lost_records_total{path=\"syslog_udp\"} 1")
            && m.contains("hwlog_lost_records_total{path=\"syslog_tcp\"} 1")
        {
            break;
        }
        assert!(Instant::now() < deadline, "{m}");
        std::thread::sleep(Duration::from_millis(50));
    }
    // The fresh record is committed by the writer, which may come after the count.
    while messages(http, "fresh-udp").is_empty() {
        assert!(
            Instant::now() < deadline,
            "the fresh UDP record was not stored"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    assert_eq!(messages(http, "fresh-udp").len(), 1);
}
