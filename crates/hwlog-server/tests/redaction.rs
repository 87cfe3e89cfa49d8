//! Secrets sent over every ingest path never reach the store, full-text search, the live
//! stream, the alert rules' examples or a webhook; with redaction off (`--no-redact`) they
//! are stored as sent (so the checks below can fail).
use std::io::{Read, Write};
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use hwlog_server::otlp::{any_value, AnyValue, ExportLogsServiceRequest, KeyValue, LogRecord};
use prost::Message;
use serde_json::{json, Value};

mod common;
use common::{agent, get_json, start_with};

const SECRETS: [&str; 9] = [
    "hunter2x",
    "s3cr3t-field",
    "tok-abc123def456",
    "formsecret1",
    "otlppbsecret",
    "otlpattrsecret",
    "otlpjsonsecret",
    "udpsecret99",
    "tcpsecret77",
];

/// A webhook receiver: every request body it gets.
fn webhook() -> (SocketAddr, Arc<Mutex<Vec<String>>>) {
    let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = l.local_addr().unwrap();
    let got = Arc::new(Mutex::new(Vec::new()));
    let g = got.clone();
    std::thread::spawn(move || {
        l.set_nonblocking(false).unwrap();
        for s in l.incoming().take(50) {
            let Ok(mut s) = s else { continue };
            s.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
            let mut buf = Vec::new();
            let mut chunk = [0u8; 8192];
            loop {
                let text = String::from_utf8_lossy(&buf).to_string();
                if let Some((head, body)) = text.split_once("\r\n\r\n") {
                    let len = head
                        .lines()
                        .find_map(|l| {
                            l.to_ascii_lowercase()
                                .strip_prefix("content-length:")
                                .map(|v| v.trim().parse::<usize>().unwrap_or(0))
                        })
                        .unwrap_or(0);
                    if body.len() >= len {
                        g.lock().unwrap().push(body.to_string());
                        break;
                    }
                }
                match s.read(&mut chunk) {
                    Ok(0) | Err(_) => break,
                    Ok(n) => buf.extend_from_slice(&chunk[..n]),
                }
            }
            let _ =
                s.write_all(b"HTTP/1.1 200 OK\r\ncontent-length: 0\r\nconnection: close\r\n\r\n");
        }
    });
    (addr, got)
}

fn text(s: &str) -> Option<AnyValue> {
    Some(AnyValue {
        value: Some(any_value::Value::StringValue(s.to_string())),
    })
}

fn send_everywhere(http: SocketAddr, udp: SocketAddr, tcp: SocketAddr) {
    let post = |path: &str, ct: &str, body: &[u8]| {
        let resp = agent()
            .post(format!("http://{http}{path}"))
            .header("content-type", ct)
            .send(body)
            .unwrap();
        assert_eq!(resp.status().as_u16(), 200, "{path}");
    };
    let ndjson = [
        json!({"level": "ERROR", "component": "ipmi", "message": "ipmitool -I lanplus -H 10.0.0.5 -U admin -P hunter2x chassis status failed"}),
        json!({"message": "login ok", "fields": {"password": "s3cr3t-field", "cmd": "curl -H 'Authorization: Bearer tok-abc123def456' https://bmc/redfish"}}),
    ];
    let body: Vec<String> = ndjson.iter().map(Value::to_string).collect();
    post(
        "/api/v1/logs",
        "application/x-ndjson",
        body.join("\n").as_bytes(),
    );
    post(
        "/api/v1/logs",
        "application/x-www-form-urlencoded",
        b"name=db&levelname=INFO&msg=mysql+-u+root+-pformsecret1+inventory",
    );
    let req = ExportLogsServiceRequest {
        resource_logs: vec![hwlog_server::otlp::ResourceLogs {
            scope_logs: vec![hwlog_server::otlp::ScopeLogs {
                log_records: vec![LogRecord {
                    body: text("connecting with password=otlppbsecret"),
                    attributes: vec![KeyValue {
                        key: "db.password".into(),
                        value: text("otlpattrsecret"),
                    }],
                    ..Default::default()
                }],
                ..Default::default()
            }],
            ..Default::default()
        }],
    };
    post("/v1/logs", "application/x-protobuf", &req.encode_to_vec());
    let oj = json!({"resourceLogs": [{"scopeLogs": [{"logRecords": [{"body": {"stringValue": "token=otlpjsonsecret sent"}}]}]}]});
    post("/v1/logs", "application/json", oj.to_string().as_bytes());
    let sock = std::net::UdpSocket::bind("127.0.0.1:0").unwrap();
    sock.send_to(
        b"<11>1 - node-3 ipmid - - - ipmitool -H 10.0.0.9 -U root -P udpsecret99 power on",
        udp,
    )
    .unwrap();
    let mut t = std::net::TcpStream::connect(tcp).unwrap();
    t.write_all(
        b"<11>Nov 24 08:15:01 node-4 provision: ipmitool -U admin -P tcpsecret77 sel list\n",
    )
    .unwrap();
}

fn wait_records(http: SocketAddr, n: usize) -> Vec<Value> {
    let deadline = Instant::now() + Duration::from_secs(15);
    loop {
        let v = get_json(http, "/api/v1/logs?limit=100");
        let recs = v["records"].as_array().unwrap().clone();
        if recs.len() >= n {
            return recs;
        }
        assert!(
            Instant::now() < deadline,
            "{} of {n} records: {v:#} {}",
            recs.len(),
            common::get(http, "/metrics").1
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

fn server(
    dir: &std::path::Path,
    redact: bool,
    hook: SocketAddr,
) -> (SocketAddr, SocketAddr, SocketAddr) {
    let rules = dir.join("alerts.toml");
    std::fs::write(
        &rules,
        format!(
            "[[rules]]\nname = \"ipmi\"\ncondition = '{{message}} contains \"ipmitool\"'\nseverity = \"critical\"\nchannels = [\"hook\"]\n\n[channels.hook]\ntype = \"webhook\"\nurl = \"http://{hook}/alerts\"\n"
        ),
    )
    .unwrap();
    let opts = hwlog_server::ServeOptions {
        data_dir: dir.join("data"),
        rules: Some(rules),
        redact: redact.then(Vec::new),
        retention: hwlog_server::jobs::RetentionJob {
            retention: hwlog_store::Retention {
                max_age: None,
                max_rows: None,
            },
            ..Default::default()
        },
        ..Default::default()
    };
    let (http, udp, tcp) = start_with(opts, true);
    (http, udp.unwrap(), tcp.unwrap())
}

/// Everything a user or a receiver can see of the stored records.
fn everything_visible(
    dir: &std::path::Path,
    http: SocketAddr,
    hook: &Arc<Mutex<Vec<String>>>,
) -> String {
    let mut seen = String::new();
    seen.push_str(&get_json(http, "/api/v1/logs?limit=100").to_string());
    seen.push_str(&get_json(http, "/api/v1/alerts").to_string());
    let (mut ws, _) = tungstenite::connect(format!("ws://{http}/api/v1/stream?after=0")).unwrap();
    for _ in 0..7 {
        seen.push_str(ws.read().unwrap().to_text().unwrap());
    }
    // Wait for the webhook (the rule matches the ipmitool lines).
    let deadline = Instant::now() + Duration::from_secs(15);
    while hook.lock().unwrap().is_empty() {
        assert!(Instant::now() < deadline, "no webhook call");
        std::thread::sleep(Duration::from_millis(50));
    }
    seen.push_str(&hook.lock().unwrap().join("\n"));
    for f in ["logs.db", "logs.db-wal"] {
        if let Ok(b) = std::fs::read(dir.join("data").join(f)) {
            seen.push_str(&String::from_utf8_lossy(&b));
        }
    }
    seen
}

#[test]
fn secrets_from_every_path_reach_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let (hook, got) = webhook();
    let (http, udp, tcp) = server(dir.path(), true, hook);
    send_everywhere(http, udp, tcp);
    let recs = wait_records(http, 7);
    for s in SECRETS {
        let v = get_json(http, &format!("/api/v1/logs?q={s}"));
        assert!(
            v["records"].as_array().unwrap().is_empty(),
            "q={s} found {v}"
        );
    }
    let seen = everything_visible(dir.path(), http, &got);
    for s in SECRETS {
        assert!(!seen.contains(s), "{s} is visible");
    }
    assert!(seen.contains("-P [REDACTED]"), "the redaction shows");
    // The records are there, with what is not secret.
    let ipmi = recs
        .iter()
        .find(|r| r["component"] == "ipmi")
        .expect("ipmi record");
    assert_eq!(
        ipmi["message"],
        "ipmitool -I lanplus -H 10.0.0.5 -U admin -P [REDACTED] chassis status failed"
    );
    assert!(got.lock().unwrap()[0].contains("-P [REDACTED]"));
}

#[test]
fn no_redact_stores_what_was_sent() {
    let dir = tempfile::tempdir().unwrap();
    let (hook, got) = webhook();
    let (http, udp, tcp) = server(dir.path(), false, hook);
    send_everywhere(http, udp, tcp);
    wait_records(http, 7);
    let seen = everything_visible(dir.path(), http, &got);
    for s in SECRETS {
        assert!(seen.contains(s), "{s} should be stored as sent");
    }
}
