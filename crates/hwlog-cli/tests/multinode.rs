//! Several `hwlog serve` processes on one PostgreSQL (started here in a temp dir; SKIPPED
//! when it is not installed, a failure then with `HWLOG_REQUIRE_EXTERNAL=1`): ingest on one,
//! query and live tail on the other, one notification for a rule matching on both, alerts
//! shown and acknowledged on the server that does not lead, and the lead moving when its
//! holder dies.
mod common;
#[path = "../../hwlog-store/tests/pg/mod.rs"]
mod pg;

use std::io::{Read, Write};
use std::process::Stdio;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use serde_json::{json, Value};
use tungstenite::stream::MaybeTlsStream;

use common::{free_port, healthy, http, hwlog, Server};

fn get_json(port: u16, path: &str) -> Value {
    let (status, body) = http(port, "GET", path, "").expect("server answers");
    assert_eq!(status, 200, "{path}: {body}");
    serde_json::from_str(&body).unwrap()
}

fn start(url: &str, config: &std::path::Path, dir: &std::path::Path) -> (Server, u16) {
    let port = free_port();
    let child = hwlog()
        .args(["serve", "--no-auth", "--store", url, "--listen"])
        .arg(format!("127.0.0.1:{port}"))
        .arg("--config")
        .arg(config)
        .arg("--data-dir")
        .arg(dir)
        .stdout(Stdio::null())
        .stderr(Stdio::inherit())
        .spawn()
        .unwrap();
    let server = Server(child);
    let deadline = Instant::now() + Duration::from_secs(30);
    while !healthy(port) {
        assert!(Instant::now() < deadline, "server on {port} did not start");
        std::thread::sleep(Duration::from_millis(50));
    }
    (server, port)
}

/// Counts the notifications POSTed to it, for `secs` seconds at most.
fn webhook(secs: u64) -> (std::net::SocketAddr, Arc<AtomicUsize>) {
    let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = l.local_addr().unwrap();
    l.set_nonblocking(true).unwrap();
    let count = Arc::new(AtomicUsize::new(0));
    let c = count.clone();
    std::thread::spawn(move || {
        let deadline = Instant::now() + Duration::from_secs(secs);
        while Instant::now() < deadline {
            let Ok((mut s, _)) = l.accept() else {
                std::thread::sleep(Duration::from_millis(10));
                continue;
            };
            s.set_nonblocking(false).unwrap();
            s.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
            let mut buf = Vec::new();
            let mut chunk = [0u8; 4096];
            while !String::from_utf8_lossy(&buf).contains("\"example\"") {
                match s.read(&mut chunk) {
                    Ok(0) | Err(_) => break,
                    Ok(n) => buf.extend_from_slice(&chunk[..n]),
                }
            }
            if String::from_utf8_lossy(&buf).contains("\"rule\":\"psu\"") {
                c.fetch_add(1, Ordering::SeqCst);
            }
            let _ =
                s.write_all(b"HTTP/1.1 200 OK\r\ncontent-length: 0\r\nconnection: close\r\n\r\n");
        }
    });
    (addr, count)
}

#[test]
fn two_servers_share_one_postgres() {
    let Some(server) = pg::PgServer::start("two_servers_share_one_postgres") else {
        return;
    };
    let url = server.url("hwlog");
    let dir = tempfile::tempdir().unwrap();
    let (hook, notified) = webhook(120);
    let rules = dir.path().join("alerts.toml");
    std::fs::write(
        &rules,
        format!(
            "[[rules]]\nname = \"psu\"\ncondition = '{{message}} contains \"PSU\"'\nseverity = \"critical\"\nchannels = [\"hook\"]\n\n[channels.hook]\ntype = \"webhook\"\nurl = \"http://{hook}/alerts\"\n"
        ),
    )
    .unwrap();
    let config = dir.path().join("serve.toml");
    std::fs::write(&config, format!("rules = \"{}\"\n", rules.display())).unwrap();
    let (a, pa) = start(&url, &config, &dir.path().join("a"));
    let (_b, pb) = start(&url, &config, &dir.path().join("b"));
    // Exactly one leads.
    let leaders = [pa, pb].map(|p| get_json(p, "/healthz")["leader"] == true);
    assert_eq!(leaders.iter().filter(|l| **l).count(), 1, "{leaders:?}");

    // A live client on b, then records into a.
    let (mut ws, _) = tungstenite::connect(format!("ws://127.0.0.1:{pb}/api/v1/stream")).unwrap();
    if let MaybeTlsStream::Plain(s) = ws.get_mut() {
        s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    }
    let body: Vec<String> = (0..50)
        .map(|i| json!({"level": "INFO", "component": "bmc", "message": format!("on a {i}"), "correlation_id": "req-a"}).to_string())
        .chain([json!({"level": "ERROR", "component": "psu", "message": "PSU 1 failed on a"}).to_string()])
        .collect();
    let (status, resp) = http(pa, "POST", "/api/v1/logs", &body.join("\n")).unwrap();
    assert_eq!(status, 200, "{resp}");
    let mut live = Vec::new();
    let deadline = Instant::now() + Duration::from_secs(10);
    while live.len() < 51 {
        assert!(Instant::now() < deadline, "b's live client got {live:?}");
        let msg = ws.read().expect("a live record from a, on b");
        if let Ok(v) = serde_json::from_str::<Value>(msg.to_text().unwrap_or("")) {
            if let Some(m) = v["message"].as_str() {
                live.push(m.to_string());
            }
        }
    }
    assert_eq!(live[0], "on a 0");
    assert_eq!(live[50], "PSU 1 failed on a");
    // Stored once, queryable on b, a request's records across the servers.
    let (status, resp) = http(pb, "POST", "/api/v1/logs", &json!({"level": "ERROR", "component": "psu", "message": "PSU 2 failed on b", "correlation_id": "req-a"}).to_string()).unwrap();
    assert_eq!(status, 200, "{resp}");
    let found = get_json(pb, "/api/v1/logs?q=PSU");
    assert_eq!(found["records"].as_array().unwrap().len(), 2, "{found}");
    let req = get_json(pa, "/api/v1/correlation/req-a");
    assert_eq!(req["records"].as_array().unwrap().len(), 51, "{req}");

    // The rule matched on both servers: one notification.
    let deadline = Instant::now() + Duration::from_secs(20);
    while notified.load(Ordering::SeqCst) == 0 {
        assert!(Instant::now() < deadline, "no notification");
        std::thread::sleep(Duration::from_millis(50));
    }
    std::thread::sleep(Duration::from_secs(3));
    assert_eq!(
        notified.load(Ordering::SeqCst),
        1,
        "one notification per alert"
    );

    // The server that does not lead shows the leader's active alert, and forwards an
    // acknowledgement to it.
    let (leader_port, other) = if leaders[0] { (pa, pb) } else { (pb, pa) };
    let deadline = Instant::now() + Duration::from_secs(10);
    let id = loop {
        let v = get_json(other, "/api/v1/alerts");
        assert_eq!(v["leader"], false);
        if let Some(id) = v["active"][0]["alert"]["id"].as_u64() {
            assert_eq!(v["active"][0]["rule"], "psu");
            break id;
        }
        assert!(
            Instant::now() < deadline,
            "the other server never showed the alert: {v}"
        );
        std::thread::sleep(Duration::from_millis(100));
    };
    let (status, resp) = http(
        other,
        "POST",
        &format!("/api/v1/alerts/{id}/ack"),
        r#"{"by": "ops"}"#,
    )
    .unwrap();
    assert_eq!(status, 202, "{resp}");
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let v = get_json(leader_port, "/api/v1/alerts");
        // (This bare client sends no content type, so the body's `by` is not read.)
        if v["active"][0]["acknowledged_by"].is_string() {
            let h = v["history"].as_array().unwrap();
            assert!(h.iter().any(|e| e["event"] == "acknowledged"), "{v}");
            break;
        }
        assert!(
            Instant::now() < deadline,
            "the ack never reached the leader: {v}"
        );
        std::thread::sleep(Duration::from_millis(100));
    }

    // The leader dies: the other takes the lead within a few seconds.
    let survivor = if leaders[0] { pb } else { pa };
    if leaders[0] {
        drop(a);
    } else {
        drop(_b);
    }
    let deadline = Instant::now() + Duration::from_secs(15);
    while get_json(survivor, "/healthz")["leader"] != true {
        assert!(Instant::now() < deadline, "the lead did not move");
        std::thread::sleep(Duration::from_millis(100));
    }
}
