//! Every output of the library obeys the profile's redaction: files, SQLite, the WebSocket
//! stream, routes attached with `add_handler`, and the alert route's notifications (to a
//! local webhook) — including fields that filters add after the redaction filter is listed.
#![cfg(all(feature = "sqlite", feature = "http-notifiers"))]
use std::io::{Read, Write};
use std::net::TcpListener;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use hwlog::Level;
use hwlog_analysis::alerts::{AlertRule, Severity};
use hwlog_monitor::notify::WebhookNotifier;
use hwlog_monitor::AlertManager;

const SECRETS: [&str; 5] = [
    "hunter2x",
    "fieldsecret9",
    "ctxsecret77",
    "tok-Zq81x0Pa",
    "handlersecret",
];

fn webhook() -> (String, Arc<Mutex<Vec<String>>>) {
    let l = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/hook", l.local_addr().unwrap());
    let got = Arc::new(Mutex::new(Vec::new()));
    let g = got.clone();
    std::thread::spawn(move || {
        for s in l.incoming().take(20) {
            let Ok(mut s) = s else { continue };
            s.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
            let mut buf = Vec::new();
            let mut chunk = [0u8; 4096];
            while !String::from_utf8_lossy(&buf).contains("\"example\"") {
                match s.read(&mut chunk) {
                    Ok(0) | Err(_) => break,
                    Ok(n) => buf.extend_from_slice(&chunk[..n]),
                }
            }
            std::thread::sleep(Duration::from_millis(50));
            let _ = s.read(&mut chunk);
            g.lock()
                .unwrap()
                .push(String::from_utf8_lossy(&buf).into_owned());
            let _ =
                s.write_all(b"HTTP/1.1 200 OK\r\ncontent-length: 0\r\nconnection: close\r\n\r\n");
        }
    });
    (url, got)
}

#[test]
fn files_sqlite_stream_handlers_and_alerts_carry_no_secret() {
    let _serial = hwlog::testing::lock();
    let dir = tempfile::tempdir().unwrap();
    let cfg = dir.path().join("hwlog.toml");
    // The redaction filter is listed first: the context filter after it still adds
    // fields, and those must be redacted too.
    std::fs::write(
        &cfg,
        format!(
            r#"
[profiles.secrets]
level = "DEBUG"
log_dir = "{}"
features = {{ redaction = true }}
filters = [
  {{ type = "environment", when = "redaction" }},
  {{ type = "context" }},
]

[[profiles.secrets.routes]]
name = "file"
sink = {{ type = "file", path = "out.jsonl" }}
format = "json"

[[profiles.secrets.routes]]
name = "db"
sink = {{ type = "sqlite", path = "out.db" }}
format = "json"

[[profiles.secrets.routes]]
name = "ws"
sink = {{ type = "websocket", listen = "127.0.0.1:0" }}
format = "json"
"#,
            dir.path().display()
        ),
    )
    .unwrap();
    let guard = hwlog::Builder::new()
        .config_file(&cfg)
        .profile("secrets")
        .init()
        .unwrap();
    let status = format!("{:?}", hwlog::logging_status());
    let port: u16 = status
        .split("websocket:127.0.0.1:")
        .nth(1)
        .and_then(|s| {
            s.split(|c: char| !c.is_ascii_digit())
                .next()
                .and_then(|p| p.parse().ok())
        })
        .expect("the websocket port in the status");
    let (mut ws, _) = tungstenite::connect(format!("ws://127.0.0.1:{port}/")).unwrap();

    // A handler attached to a component, and the alert route with a webhook.
    let handler_dir = dir.path().join("handler.log");
    let handler = hwlog::pipeline::Route::new(
        "handler",
        Level::Debug,
        Vec::new(),
        Box::new(hwlog::format::Structured::new(hwlog::format::TimeZone::Utc)),
        Arc::new(hwlog::sink::FileSink::new(&handler_dir, false)),
    );
    let logger = hwlog::get_logger("hwautomation.hardware.ipmi");
    logger.add_handler(handler);
    let (url, hook) = webhook();
    let am = AlertManager::new();
    am.add_notifier("hook", WebhookNotifier::new(&url));
    am.add_alert_rule(AlertRule {
        channels: vec!["hook".into()],
        ..AlertRule::new(
            "ipmi",
            r#"{message} contains "ipmitool""#,
            Severity::Critical,
        )
    })
    .unwrap();
    logger.add_handler(am.route(Level::Info));

    hwlog_core::context::Context::new()
        .user("alice")
        .session("ctxsecret77")
        .run(|| {
            logger.error("ipmitool -I lanplus -H 10.0.0.5 -U admin -P hunter2x power on failed");
            logger
                .at(Level::Info)
                .field("password", "fieldsecret9")
                .field("header", "Authorization: Bearer tok-Zq81x0Pa")
                .log("redfish login");
            logger.info("mysql -u root -phandlersecret inventory");
        });
    hwlog::flush().unwrap();
    let deadline = Instant::now() + Duration::from_secs(10);
    while hook.lock().unwrap().is_empty() {
        assert!(Instant::now() < deadline, "no webhook call");
        std::thread::sleep(Duration::from_millis(20));
    }
    am.flush();
    let mut seen = String::new();
    for _ in 0..3 {
        seen.push_str(ws.read().unwrap().to_text().unwrap());
    }
    drop(guard);
    for f in ["out.jsonl", "out.db", "out.db-wal", "handler.log"] {
        if let Ok(b) = std::fs::read(dir.path().join(f)) {
            seen.push_str(&String::from_utf8_lossy(&b));
        }
    }
    seen.push_str(&hook.lock().unwrap().join("\n"));
    for s in SECRETS {
        assert!(!seen.contains(s), "{s} reached an output");
    }
    let file = std::fs::read_to_string(dir.path().join("out.jsonl")).unwrap();
    assert!(file.contains("-P [REDACTED] power on failed"), "{file}");
    assert!(std::fs::read_to_string(&handler_dir)
        .unwrap()
        .contains("-P [REDACTED]"));
    assert!(hook.lock().unwrap()[0].contains("-P [REDACTED]"));
}
