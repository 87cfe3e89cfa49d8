//! Metrics from logs: counters, durations with units, Prometheus text, /metrics, snapshots.
use std::io::{Read, Write};
use std::time::{Duration, Instant};

use hwlog::sink::metrics::{duration_of, secs_of, MetricsSink};
use hwlog::{Level, Record, Sink};

fn rec(level: Level, comp: &'static str, msg: &'static str) -> Record {
    Record::new(level, comp, msg)
}

#[test]
fn durations_from_fields_and_messages_with_units() {
    let close = |a: Option<f64>, b: f64| {
        let a = a.unwrap_or_else(|| panic!("no duration, expected {b}"));
        assert!((a - b).abs() < 1e-9, "{a} != {b}");
    };
    close(
        duration_of(&rec(Level::Info, "c", "x").with_field("duration_ms", 250u64)),
        0.25,
    );
    close(
        duration_of(&rec(Level::Info, "c", "x").with_field("duration_ms", 1.5)),
        0.0015,
    );
    close(
        duration_of(&rec(Level::Info, "c", "x").with_field("duration", "1.5s")),
        1.5,
    );
    close(
        duration_of(&rec(Level::Info, "c", "x").with_field("elapsed", "300us")),
        0.0003,
    );
    close(
        duration_of(&rec(Level::Info, "c", "x").with_field("elapsed", 2.0)),
        2.0,
    );
    close(
        duration_of(&rec(Level::Info, "c", "BIOS apply took 250ms")),
        0.25,
    );
    close(
        duration_of(&rec(Level::Info, "c", "discovery finished, duration: 1.5s")),
        1.5,
    );
    close(
        duration_of(&rec(Level::Info, "c", "firmware flashed in 2 min")),
        120.0,
    );
    close(
        duration_of(&rec(Level::Info, "c", "Elapsed 40 ms for 3 hosts")),
        0.04,
    );
    assert_eq!(
        duration_of(&rec(Level::Info, "c", "retrying 3 times in rack 12")),
        None
    );
    assert_eq!(
        duration_of(&rec(Level::Info, "c", "took 5 hosts offline")),
        None
    );
    assert_eq!(secs_of("15"), None);
    close(secs_of("0.5 s"), 0.5);
}

fn sample() -> MetricsSink {
    let m = MetricsSink::new();
    for (l, c, msg) in [
        (Level::Info, "hardware.discovery", "scan took 250ms"),
        (Level::Info, "hardware.discovery", "scan took 2.5s"),
        (Level::Error, "hardware.ipmi", "power on failed"),
        (Level::Critical, "hardware.ipmi", "BMC \"lost\"\nfor good"),
        (Level::Warning, "bios", "setting ignored"),
    ] {
        m.write(&rec(l, c, msg), b"").unwrap();
    }
    m
}

#[test]
fn counters_and_histograms_in_prometheus_text() {
    let text = sample().snapshot().to_prometheus();
    let want = [
        "hwlog_records_total{component=\"hardware.discovery\",level=\"INFO\"} 2",
        "hwlog_records_total{component=\"hardware.ipmi\",level=\"ERROR\"} 1",
        "hwlog_records_total{component=\"hardware.ipmi\",level=\"CRITICAL\"} 1",
        "hwlog_errors_total{component=\"hardware.ipmi\"} 2",
        "hwlog_duration_seconds_bucket{component=\"hardware.discovery\",le=\"0.1\"} 0",
        "hwlog_duration_seconds_bucket{component=\"hardware.discovery\",le=\"0.25\"} 1",
        "hwlog_duration_seconds_bucket{component=\"hardware.discovery\",le=\"2.5\"} 2",
        "hwlog_duration_seconds_bucket{component=\"hardware.discovery\",le=\"+Inf\"} 2",
        "hwlog_duration_seconds_sum{component=\"hardware.discovery\"} 2.75",
        "hwlog_duration_seconds_count{component=\"hardware.discovery\"} 2",
    ];
    for w in want {
        assert!(text.contains(w), "missing {w} in\n{text}");
    }
    // A Prometheus text parser accepts it and reads the same numbers.
    let lines = text.lines().map(|l| Ok(l.to_string()));
    let scrape = prometheus_parse::Scrape::parse(lines).expect("valid exposition");
    let errors: f64 = scrape
        .samples
        .iter()
        .filter(|s| s.metric == "hwlog_errors_total")
        .map(|s| match s.value {
            prometheus_parse::Value::Counter(v) | prometheus_parse::Value::Untyped(v) => v,
            _ => 0.0,
        })
        .sum();
    assert_eq!(errors, 2.0);
    assert_eq!(scrape.docs.len(), 3);
}

#[test]
fn promtool_accepts_the_exposition() {
    let Some(promtool) = ["/usr/bin/promtool", "/usr/local/bin/promtool"]
        .into_iter()
        .find(|p| std::path::Path::new(p).exists())
    else {
        if std::env::var("HWLOG_REQUIRE_EXTERNAL").as_deref() == Ok("1") {
            panic!("promtool is required (HWLOG_REQUIRE_EXTERNAL=1) but not installed");
        }
        println!("SKIPPED promtool_accepts_the_exposition: promtool not installed (Debian package prometheus)");
        return;
    };
    let text = sample().snapshot().to_prometheus();
    let mut child = std::process::Command::new(promtool)
        .args(["check", "metrics"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(text.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "promtool rejected:\n{}{}\n{text}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn metrics_endpoint_serves_the_text_on_loopback() {
    let m = sample();
    let server = m.serve("127.0.0.1:0").unwrap();
    let get = |path: &str| {
        let mut s = std::net::TcpStream::connect(server.local_addr()).unwrap();
        s.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
        write!(s, "GET {path} HTTP/1.1\r\nHost: localhost\r\n\r\n").unwrap();
        let mut body = String::new();
        s.read_to_string(&mut body).unwrap();
        body
    };
    let resp = get("/metrics");
    assert!(resp.starts_with("HTTP/1.1 200 OK\r\n"), "{resp}");
    assert!(resp.contains("Content-Type: text/plain; version=0.0.4"));
    assert!(resp.contains("hwlog_errors_total{component=\"hardware.ipmi\"} 2"));
    assert!(get("/other").starts_with("HTTP/1.1 404"));
}

#[test]
fn snapshot_callback_runs_every_interval_until_dropped() {
    let m = sample();
    let (tx, rx) = std::sync::mpsc::channel();
    let timer = m.every(Duration::from_millis(20), move |s| {
        let _ = tx.send(s.records.values().sum::<u64>());
    });
    let t = Instant::now();
    let mut got = Vec::new();
    while got.len() < 3 && t.elapsed() < Duration::from_secs(10) {
        if let Ok(n) = rx.recv_timeout(Duration::from_millis(100)) {
            got.push(n);
        }
    }
    assert_eq!(got, [5, 5, 5]);
    drop(timer);
    while rx.try_recv().is_ok() {}
    std::thread::sleep(Duration::from_millis(60));
    assert!(rx.try_recv().is_err(), "callback still running after drop");
}
