//! `hwlog-bench alert-latency`: time from a logging call to the alert notification.
//!
//! A logger with the alert route (non-blocking, as in production) and a rule that matches
//! every ERROR record, deduplicated by correlation id so that each record is a new alert
//! and is notified at once (no group wait). The notifier is a callback that stamps the
//! arrival; the latency is arrival − the instant before the logging call. Each record is
//! logged after the previous notification arrived, so the figures are per record, not
//! queueing behind a burst.
use std::sync::mpsc;
use std::time::{Duration, Instant};

use hwlog::Level;
use hwlog_analysis::alerts::{AlertRule, Severity};
use hwlog_monitor::notify::CallbackNotifier;
use hwlog_monitor::AlertManager;
use serde_json::{json, Value};

/// Runs `n` records; returns the latency percentiles in microseconds.
pub fn run(n: usize) -> Value {
    let am = AlertManager::new();
    let (tx, rx) = mpsc::channel::<Instant>();
    am.add_notifier(
        "log",
        CallbackNotifier::new(move |_| {
            let _ = tx.send(Instant::now());
        }),
    );
    am.add_alert_rule(AlertRule {
        dedup_by: vec!["correlation_id".into()],
        ..AlertRule::new(
            "errors",
            r#"{level} >= "ERROR" and {component} =~ "^bench\.""#,
            Severity::Error,
        )
    })
    .expect("valid rule");
    let logger = hwlog::get_logger("bench.alerts");
    logger.add_handler(am.route(Level::Info));
    let mut lat = Vec::with_capacity(n);
    for i in 0..n {
        let id = format!("req-{i}");
        let start = Instant::now();
        hwlog::with_correlation(&id, || logger.error("BMC did not answer"));
        match rx.recv_timeout(Duration::from_secs(10)) {
            Ok(at) => lat.push(at.duration_since(start).as_secs_f64() * 1e6),
            Err(_) => {
                return json!({"error": format!("no notification for record {i} within 10 s")})
            }
        }
    }
    lat.sort_by(f64::total_cmp);
    let pct = |p: f64| lat[((p * lat.len() as f64).ceil() as usize).clamp(1, lat.len()) - 1];
    json!({
        "records": n,
        "p50_us": pct(0.5),
        "p99_us": pct(0.99),
        "max_us": lat[lat.len() - 1],
    })
}
