//! Reconfiguration while threads log: every record is written exactly once.
use std::collections::HashSet;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use hwlog::{get_logger, testing, Level, Overrides};

const THREADS: usize = 4;
const PER_THREAD: u64 = 20_000;

#[test]
fn reconfigure_while_four_threads_log_counts_each_record_once() {
    let _serial = testing::lock();
    // Two profiles that both capture: switching between them swaps the whole pipeline.
    // Two profiles that capture with different formats, so each line shows which pipeline
    // wrote it; switching between them swaps the whole pipeline.
    let cfg = r#"
[profiles.cap_a]
level = "INFO"
features = {}
[[profiles.cap_a.routes]]
name = "capture"
sink = { type = "capture" }
format = "performance"

[profiles.cap_b]
extends = "cap_a"
[[profiles.cap_b.routes]]
name = "capture"
sink = { type = "capture" }
format = "structured"
"#;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("hwlog.toml");
    std::fs::write(&path, cfg).unwrap();
    let _g = hwlog::Builder::new()
        .config_file(&path)
        .profile("cap_a")
        .init()
        .unwrap();
    testing::clear();
    let before = hwlog::logging_status().totals;
    let stop = Arc::new(AtomicBool::new(false));
    let workers: Vec<_> = (0..THREADS)
        .map(|t| {
            std::thread::spawn(move || {
                let log = get_logger(format!("worker.{t}"));
                for i in 0..PER_THREAD {
                    log.at(Level::Info)
                        .field("t", t as u64)
                        .field("i", i)
                        .log("tick");
                }
            })
        })
        .collect();
    let switcher = {
        let stop = stop.clone();
        std::thread::spawn(move || {
            let mut n = 0u64;
            while !stop.load(Ordering::Relaxed) && n < 100_000 {
                let p = if n.is_multiple_of(2) {
                    "cap_b"
                } else {
                    "cap_a"
                };
                hwlog::reconfigure_logging(p).unwrap();
                n += 1;
            }
            n
        })
    };
    for w in workers {
        w.join().unwrap();
    }
    stop.store(true, Ordering::Relaxed);
    let switches = switcher.join().unwrap();
    hwlog::reconfigure_logging("cap_a").unwrap();
    assert!(switches > 10, "only {switches} reconfigurations happened");

    let captured = testing::take();
    let total = THREADS as u64 * PER_THREAD;
    assert_eq!(captured.len() as u64, total, "lost or duplicated records");
    let mut seen = HashSet::new();
    let (mut via_a, mut via_b) = (0, 0);
    for c in &captured {
        let key = (
            c.record.field("t").and_then(|v| v.as_f64()).unwrap() as u64,
            c.record.field("i").and_then(|v| v.as_f64()).unwrap() as u64,
        );
        assert!(seen.insert(key), "record {key:?} written twice");
        if c.line.contains(" - INFO - ") {
            via_b += 1;
        } else {
            via_a += 1;
        }
    }
    assert_eq!(seen.len() as u64, total);
    assert!(
        via_a > 0 && via_b > 0,
        "both pipelines wrote: a={via_a} b={via_b}"
    );
    let after = hwlog::logging_status().totals;
    assert_eq!(after.emitted - before.emitted, total);
    assert_eq!(after.dropped, before.dropped);
}

#[test]
fn invalid_reconfiguration_keeps_the_previous_pipeline() {
    let _serial = testing::lock();
    let _g = hwlog::setup_logging_with("testing", &Overrides::new()).unwrap();
    let err = hwlog::reconfigure_logging("prodution").unwrap_err();
    assert!(
        err.to_string().contains("unknown profile \"prodution\""),
        "{err}"
    );
    let err = hwlog::reconfigure_logging_with(
        "staging",
        &Overrides::new()
            .feature("compresion", true)
            .feature("rate_limting", false),
    )
    .unwrap_err();
    let text = err.to_string();
    assert!(text.contains("2 configuration errors"), "{text}");
    assert!(
        text.contains("compresion") && text.contains("rate_limting"),
        "{text}"
    );
    assert_eq!(hwlog::logging_status().profile.as_deref(), Some("testing"));
    testing::clear();
    get_logger("still").info("captured");
    assert_eq!(testing::lines().len(), 1);
}

/// A profile whose sinks cannot be built (ports in use) is
/// refused with every problem listed, by `setup_logging` and by `reconfigure_logging`, and the
/// pipeline that was active stays: records keep reaching it.
#[test]
fn unbuildable_sinks_are_errors_and_the_old_pipeline_stays() {
    let _serial = testing::lock();
    let busy = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = busy.local_addr().unwrap().port();
    let dir = tempfile::tempdir().unwrap();
    let cfg = format!(
        r#"
[profiles.cap]
level = "INFO"
features = {{}}
[[profiles.cap.routes]]
name = "capture"
sink = {{ type = "capture" }}
format = "structured"

[profiles.broken]
level = "INFO"
features = {{}}
[[profiles.broken.routes]]
name = "live"
sink = {{ type = "websocket", listen = "127.0.0.1:{port}" }}
format = "json"
[[profiles.broken.routes]]
name = "metrics"
sink = {{ type = "metrics", listen = "127.0.0.1:{port}" }}
format = "json"
[[profiles.broken.routes]]
name = "capture"
sink = {{ type = "capture" }}
format = "json"
"#
    );
    let path = dir.path().join("hwlog.toml");
    std::fs::write(&path, cfg).unwrap();
    let log_dir = dir.path().to_str().unwrap().to_string();
    let overrides = Overrides::new().log_dir(log_dir.clone());

    let err = hwlog::Builder::new()
        .config_file(&path)
        .profile("broken")
        .overrides(overrides.clone())
        .init()
        .unwrap_err();
    let text = err.to_string();
    assert!(
        matches!(err.kind(), hwlog::ErrorKind::Build(b) if b.problems.len() == 2),
        "{text}"
    );
    assert!(
        text.contains("route \"live\", websocket 127.0.0.1:"),
        "{text}"
    );
    assert!(
        text.contains("route \"metrics\", metrics 127.0.0.1:"),
        "{text}"
    );

    let _g = hwlog::Builder::new()
        .config_file(&path)
        .profile("cap")
        .overrides(overrides.clone())
        .init()
        .unwrap();
    testing::clear();
    get_logger("app").info("before");
    let err = hwlog::reconfigure_logging_with("broken", &overrides).unwrap_err();
    assert!(matches!(err.kind(), hwlog::ErrorKind::Build(_)), "{err}");
    get_logger("app").info("after");
    hwlog::flush().unwrap();
    let lines = testing::lines();
    assert_eq!(lines.len(), 2, "{lines:?}");
    assert!(lines[1].contains(" - app - INFO - after"), "{lines:?}");
    assert_eq!(hwlog::logging_status().profile.as_deref(), Some("cap"));
    drop(busy);
}
