//! The alert runtime: rules on the live log stream, delivery to a webhook (with retries),
//! to a real Prometheus Alertmanager, the history in the store, and rules files.
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use hwlog::{Level, Record};
use hwlog_analysis::alerts::{AlertRule, Notification, NotificationKind, Severity, SEC};
use hwlog_monitor::notify::{AlertmanagerNotifier, CallbackNotifier, Notifier, WebhookNotifier};
use hwlog_monitor::{parse_rules, AlertManager};

/// Reads one HTTP request (headers and a Content-Length body) from `s`.
fn read_request(s: &mut TcpStream) -> (String, String) {
    let mut r = BufReader::new(s.try_clone().unwrap());
    let mut head = String::new();
    let mut len = 0;
    loop {
        let mut line = String::new();
        if r.read_line(&mut line).unwrap() == 0 || line == "\r\n" {
            break;
        }
        if let Some(v) = line.to_ascii_lowercase().strip_prefix("content-length:") {
            len = v.trim().parse().unwrap();
        }
        head.push_str(&line);
    }
    let mut body = vec![0; len];
    r.read_exact(&mut body).unwrap();
    (head, String::from_utf8(body).unwrap())
}

/// A webhook server on 127.0.0.1 that answers each request with the next status of
/// `statuses` and records the bodies; stops after `statuses.len()` requests.
/// Requests received: (head, body).
type Received = Arc<Mutex<Vec<(String, String)>>>;

fn webhook_server(statuses: Vec<u16>) -> (String, Received) {
    let l = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/hook", l.local_addr().unwrap());
    let got = Arc::new(Mutex::new(Vec::new()));
    let g = got.clone();
    std::thread::spawn(move || {
        for status in statuses {
            let (mut s, _) = l.accept().unwrap();
            let req = read_request(&mut s);
            g.lock().unwrap().push(req);
            let _ = write!(
                s,
                "HTTP/1.1 {status} X\r\ncontent-length: 0\r\nconnection: close\r\n\r\n"
            );
        }
    });
    (url, got)
}

fn sample() -> Notification {
    let mut am = hwlog_analysis::alerts::AlertManager::new();
    am.add_rule(AlertRule::new(
        "psu",
        r#"{message} contains "PSU""#,
        Severity::Critical,
    ))
    .unwrap();
    am.observe(
        &Record::new(Level::Error, "bmc", "PSU 2 failed on bmc-7"),
        5 * SEC,
    )
    .remove(0)
}

#[test]
fn webhook_retries_with_backoff_and_posts_the_notification_as_json() {
    let (url, got) = webhook_server(vec![503, 500, 200]);
    let n = WebhookNotifier::with_retry(&url, 4, Duration::from_millis(20));
    n.notify(&sample()).unwrap();
    let reqs = got.lock().unwrap();
    assert_eq!(reqs.len(), 3, "two failures, then success");
    assert!(
        reqs[0].0.starts_with("POST /hook HTTP/1.1"),
        "{}",
        reqs[0].0
    );
    assert!(reqs[0]
        .0
        .to_ascii_lowercase()
        .contains("content-type: application/json"));
    let v: serde_json::Value = serde_json::from_str(&reqs[2].1).unwrap();
    assert_eq!(v["rule"], "psu");
    assert_eq!(v["kind"], "firing");
    assert_eq!(v["alerts"][0]["example"], "PSU 2 failed on bmc-7");
    assert_eq!(v["alerts"][0]["severity"], "critical");
    assert_eq!(v["alerts"][0]["first_seen"], 5 * SEC);

    // All attempts failing: an error naming the URL and the last status.
    let (url, _) = webhook_server(vec![500, 500]);
    let e = WebhookNotifier::with_retry(&url, 2, Duration::from_millis(10))
        .notify(&sample())
        .unwrap_err();
    assert_eq!(
        e.kind(),
        hwlog_monitor::notify::NotifyErrorKind::Status(500)
    );
    assert!(
        e.to_string().contains("failed after 2 attempts: HTTP 500"),
        "{e}"
    );
}

#[test]
fn rules_run_on_the_live_log_stream_and_the_history_is_stored() {
    let dir = tempfile::tempdir().unwrap();
    let store = Arc::new(
        hwlog_store::SqliteStore::open(dir.path().join("h.db"), Default::default()).unwrap(),
    );
    let am = AlertManager::new().with_store(store.clone());
    let got: Arc<Mutex<Vec<Notification>>> = Arc::default();
    let g = got.clone();
    am.add_notifier(
        "log",
        CallbackNotifier::new(move |n| g.lock().unwrap().push(n.clone())),
    );
    am.add_rule(
        "bmc-errors",
        r#"{component} =~ "^hardware\.bmc" and {level} >= "ERROR""#,
        Severity::Error,
        Duration::from_secs(60),
        None,
    )
    .unwrap();
    // Records from hwlog's own API reach the rules through the alert route.
    let logger = hwlog::get_logger("hardware.bmc");
    logger.add_handler(am.route(Level::Info));
    logger.info("fan ok");
    logger.error("fan 3 failed");
    logger.error("fan 3 failed");
    let deadline = Instant::now() + Duration::from_secs(10);
    while got.lock().unwrap().is_empty() && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(5));
    }
    hwlog::flush().unwrap();
    am.flush();
    let n = got.lock().unwrap().clone();
    assert_eq!(n.len(), 1, "{n:?}");
    assert_eq!(n[0].rule, "bmc-errors");
    assert_eq!(n[0].kind, NotificationKind::Firing);
    assert_eq!(n[0].alerts[0].example, "fan 3 failed");
    let active = am.active();
    assert_eq!(active[0].alert.count, 2);
    assert_eq!(active[0].alert.suppressed, 1);
    let stats = am.stats();
    assert_eq!((stats.delivered, stats.failed, stats.dropped), (1, 0, 0));

    let id = active[0].alert.id;
    am.acknowledge(id, "ops").unwrap();
    am.resolve(id).unwrap();
    am.flush();
    let history: Vec<(u64, String)> = hwlog_store::Store::alert_history(&*store, None, 10)
        .unwrap()
        .into_iter()
        .rev()
        .map(|h| (h.alert_id, h.event))
        .collect();
    let events: Vec<&str> = history.iter().map(|h| h.1.as_str()).collect();
    assert_eq!(events, ["fired", "notified", "acknowledged", "resolved"]);
    assert!(history.iter().all(|h| h.0 == id));
    // The resolution was delivered too.
    assert_eq!(
        got.lock().unwrap().last().unwrap().kind,
        NotificationKind::Resolved
    );
}

#[test]
fn rules_files_in_toml_and_yaml_with_all_errors_at_once() {
    let toml = r#"
[[rules]]
name = "timeouts"
condition = 'count({message} contains "timeout") > 10 within 5m'
severity = "critical"
suppression = "10m"
escalation = "30m"
dedup_by = ["component"]
channels = ["log", "oncall"]

[channels.oncall]
type = "webhook"
url = "http://127.0.0.1:9/hook"
"#;
    let f = parse_rules(toml, "rules.toml", false).unwrap();
    assert_eq!(f.rules.len(), 1);
    let r = &f.rules[0];
    assert_eq!(r.name, "timeouts");
    assert_eq!(r.severity, Severity::Critical);
    assert_eq!(r.suppression, 600 * SEC);
    assert_eq!(r.escalation, Some(1800 * SEC));
    assert_eq!(r.channels, ["log", "oncall"]);
    assert_eq!(f.channels.len(), 1);

    let yaml = "rules:\n  - name: crit\n    condition: '{level} == \"CRITICAL\"'\n    severity: page\n    group_wait: 30\n";
    let f = parse_rules(yaml, "rules.yaml", true).unwrap();
    assert_eq!(f.rules[0].severity, Severity::Page);
    assert_eq!(f.rules[0].group_wait, 30 * SEC);

    let bad = r#"
[[rules]]
name = "a"
condition = '{level} = "ERROR"'
severity = "urgent"

[[rules]]
name = "b"
condition = '{level}'
suppression = "soon"
channels = ["pager"]
colour = "red"
"#;
    let e = parse_rules(bad, "bad.toml", false).unwrap_err();
    let text = e.to_string();
    assert!(text.starts_with("5 configuration errors:"), "{text}");
    // Line 4, column of the `=` inside the condition (its text starts at column 14).
    assert!(
        text.contains("bad.toml:4:22: rules[0].condition: `=` is not an operator: use `==` (column 9 of the condition)"),
        "{text}"
    );
    assert!(
        text.contains("bad.toml:5:") && text.contains("unknown severity \"urgent\""),
        "{text}"
    );
    assert!(
        text.contains("rules[1].suppression: expected a duration"),
        "{text}"
    );
    assert!(text.contains("unknown channel \"pager\""), "{text}");
    assert!(text.contains("unknown key \"colour\""), "{text}");
}

/// A real Prometheus Alertmanager (Debian package prometheus-alertmanager) on 127.0.0.1
/// receives an alert from hwlog's notifier and lists it.
#[test]
fn a_real_alertmanager_receives_the_alert() {
    let bin = ["/usr/bin/prometheus-alertmanager", "/usr/bin/alertmanager"]
        .into_iter()
        .find(|p| std::path::Path::new(p).exists());
    let Some(bin) = bin else {
        if std::env::var("HWLOG_REQUIRE_EXTERNAL").as_deref() == Ok("1") {
            panic!(
                "prometheus-alertmanager is required (HWLOG_REQUIRE_EXTERNAL=1) but not installed"
            );
        }
        println!("SKIPPED: prometheus-alertmanager not installed (apt-get install prometheus-alertmanager)");
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let cfg = dir.path().join("am.yml");
    std::fs::write(
        &cfg,
        "route:\n  receiver: none\nreceivers:\n  - name: none\n",
    )
    .unwrap();
    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    struct Kill(Child);
    impl Drop for Kill {
        fn drop(&mut self) {
            let _ = self.0.kill();
            let _ = self.0.wait();
        }
    }
    let _am = Kill(
        Command::new(bin)
            .arg(format!("--config.file={}", cfg.display()))
            .arg(format!(
                "--storage.path={}",
                dir.path().join("data").display()
            ))
            .arg(format!("--web.listen-address=127.0.0.1:{port}"))
            .arg("--cluster.listen-address=")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap(),
    );
    let base = format!("http://127.0.0.1:{port}");
    let get = |path: &str| -> Option<String> {
        let mut s = TcpStream::connect(("127.0.0.1", port)).ok()?;
        write!(
            s,
            "GET {path} HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n"
        )
        .ok()?;
        let mut out = String::new();
        s.read_to_string(&mut out).ok()?;
        Some(out)
    };
    let deadline = Instant::now() + Duration::from_secs(20);
    while !get("/-/ready").is_some_and(|r| r.starts_with("HTTP/1.1 200")) {
        assert!(
            Instant::now() < deadline,
            "alertmanager did not become ready"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    AlertmanagerNotifier::new(&base).notify(&sample()).unwrap();
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let body = get("/api/v2/alerts").unwrap_or_default();
        if body.contains("\"alertname\":\"psu\"") {
            assert!(body.contains("\"severity\":\"critical\""), "{body}");
            assert!(body.contains("PSU 2 failed on bmc-7"), "{body}");
            break;
        }
        assert!(Instant::now() < deadline, "alert not listed: {body}");
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// The default `log` channel logs the alert through hwlog, and that record does not feed
/// the rules again (no loop), even with a rule that matches everything.
#[test]
fn the_log_channel_logs_through_hwlog_without_feeding_back() {
    let _serial = hwlog::testing::lock();
    let _g = hwlog::setup_logging_with("testing", &hwlog::Overrides::new()).unwrap();
    hwlog::testing::clear();
    let am = AlertManager::new();
    am.add_alert_rule(AlertRule {
        suppression: 0,
        dedup_by: vec!["component".into()],
        ..AlertRule::new("anything", r#"{level} >= "INFO""#, Severity::Critical)
    })
    .unwrap();
    let logger = hwlog::get_logger("svc");
    logger.add_handler(am.route(Level::Info));
    hwlog::get_logger(hwlog_monitor::notify::ALERT_COMPONENT).add_handler(am.route(Level::Info));
    logger.warning("disk almost full");
    let deadline = Instant::now() + Duration::from_secs(10);
    while am.stats().delivered == 0 && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(5));
    }
    hwlog::flush().unwrap();
    am.flush();
    std::thread::sleep(Duration::from_millis(50));
    hwlog::flush().unwrap();
    am.flush();
    assert_eq!(
        am.stats().delivered,
        1,
        "exactly one notification: no feedback"
    );
    let lines = hwlog::testing::lines();
    let alert: Vec<&String> = lines
        .iter()
        .filter(|l| l.contains("hwlog.alerts"))
        .collect();
    assert_eq!(alert.len(), 1, "{lines:?}");
    assert!(alert[0].contains("CRITICAL"), "{}", alert[0]);
    assert!(
        alert[0].contains("[FIRING] anything (1 alert) component=svc"),
        "{}",
        alert[0]
    );
}

/// Rules files read severities and durations with the shared parsers: the tables, case by case
/// (a bare number is seconds in a rules file, as documented; text is a duration).
#[test]
fn rules_files_read_the_shared_severity_and_duration_tables() {
    for &(name, want) in hwlog_core::SEVERITY_CASES {
        let toml = format!(
            "[[rules]]\nname = \"r\"\ncondition = '{{level}} == \"ERROR\"'\nseverity = {name:?}\n"
        );
        let got = parse_rules(&toml, "rules.toml", false)
            .ok()
            .map(|f| f.rules[0].severity);
        assert_eq!(got, want, "severity {name:?}");
    }
    for &(text, want) in hwlog_core::units::DURATION_CASES {
        let toml = format!(
            "[[rules]]\nname = \"r\"\ncondition = '{{level}} == \"ERROR\"'\nsuppression = {text:?}\n"
        );
        let got = parse_rules(&toml, "rules.toml", false)
            .ok()
            .map(|f| f.rules[0].suppression as u64);
        assert_eq!(got, want, "suppression {text:?}");
    }
}
