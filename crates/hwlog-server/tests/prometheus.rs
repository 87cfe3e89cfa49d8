//! A real Prometheus (Debian package `prometheus`) scrapes the server's `/metrics` and sees
//! the ingest counters.
use std::net::TcpListener;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{json, Value};

mod common;
use common::{get, post, start, try_get};

struct Kill(Child);

impl Drop for Kill {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[test]
fn prometheus_scrapes_the_ingest_counters() {
    let Some(bin) = ["/usr/bin/prometheus", "/usr/local/bin/prometheus"]
        .into_iter()
        .find(|p| std::path::Path::new(p).exists())
    else {
        if std::env::var("HWLOG_REQUIRE_EXTERNAL").as_deref() == Ok("1") {
            panic!("prometheus is required (HWLOG_REQUIRE_EXTERNAL=1) but not installed");
        }
        println!("SKIPPED: prometheus not installed (apt-get install prometheus)");
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let addr = start(dir.path(), 1 << 20);
    let recs: Vec<Value> = (0..25)
        .map(|i| json!({"level": if i < 5 { "ERROR" } else { "INFO" }, "component": "svc", "message": format!("m{i}")}))
        .collect();
    assert_eq!(
        post(addr, Value::Array(recs).to_string().as_bytes(), false).1["accepted"],
        25
    );

    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let cfg = dir.path().join("prometheus.yml");
    std::fs::write(
        &cfg,
        format!(
            "global:\n  scrape_interval: 1s\nscrape_configs:\n  - job_name: hwlog\n    static_configs:\n      - targets: ['{addr}']\n"
        ),
    )
    .unwrap();
    let _prom = Kill(
        Command::new(bin)
            .arg(format!("--config.file={}", cfg.display()))
            .arg(format!(
                "--storage.tsdb.path={}",
                dir.path().join("tsdb").display()
            ))
            .arg(format!("--web.listen-address=127.0.0.1:{port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap(),
    );
    let prom: std::net::SocketAddr = format!("127.0.0.1:{port}").parse().unwrap();
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let (status, body) = try_get(prom, "/api/v1/query?query=hwlog_ingested_records_total")
            .unwrap_or((0, String::new()));
        if status == 200 {
            let v: Value = serde_json::from_str(&body).unwrap_or(Value::Null);
            if let Some(sample) = v["data"]["result"].get(0) {
                assert_eq!(sample["value"][1], "25", "{body}");
                assert_eq!(sample["metric"]["job"], "hwlog");
                break;
            }
        }
        assert!(
            Instant::now() < deadline,
            "prometheus never scraped: {status} {body}"
        );
        std::thread::sleep(Duration::from_millis(250));
    }
    let (_, body) = get(
        prom,
        "/api/v1/query?query=hwlog_records_by_level_total%7Blevel%3D%22ERROR%22%7D",
    );
    assert!(body.contains("\"5\""), "{body}");
    let (_, body) = get(prom, "/api/v1/query?query=up%7Bjob%3D%22hwlog%22%7D");
    assert!(body.contains("\"1\""), "{body}");
}
