//! `hwlog analyze errors|trends|anomalies` over log files and an hwlog database.
use std::process::Command;

fn hwlog() -> Command {
    Command::new(env!("CARGO_BIN_EXE_hwlog"))
}

const MIN: i64 = 60;

/// A day of structured lines: discovery getting 12 ms slower per hour, IPMI timeouts
/// (and one rarer error), and a burst of records at 14:00.
fn write_log(path: &std::path::Path) {
    let mut out = String::new();
    let t0 = 1_795_000_000i64; // 2026-11-18T...
    let ts = |s: i64| {
        chrono::DateTime::from_timestamp(t0 + s, 0)
            .unwrap()
            .format("%Y-%m-%dT%H:%M:%SZ")
            .to_string()
    };
    for i in 0..288 {
        let s = i * 5 * MIN;
        let ms = 200 + i; // +12 ms per hour
        out.push_str(&format!(
            "{} - req-{i} - hardware.discovery - INFO - scan of rack {} took {ms}ms\n",
            ts(s),
            i % 7
        ));
        if i % 3 == 0 {
            out.push_str(&format!(
                "{} - req-{i} - hardware.ipmi - ERROR - IPMI timeout talking to 10.0.{}.{}\n",
                ts(s + 10),
                i % 5,
                i % 11
            ));
        }
        if i % 48 == 0 {
            out.push_str(&format!(
                "{} - - - bios - ERROR - BIOS setting VT-x rejected\n",
                ts(s + 20)
            ));
        }
        if i == 168 {
            for k in 0..200 {
                out.push_str(&format!(
                    "{} - - - api - INFO - GET /hosts/{k} 200\n",
                    ts(s + 30)
                ));
            }
        }
    }
    std::fs::write(path, out).unwrap();
}

fn run(args: &[&str]) -> (String, String) {
    let out = hwlog().args(args).output().unwrap();
    let (o, e) = (
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    );
    assert!(out.status.success(), "{args:?}: {e}");
    (o, e)
}

#[test]
fn errors_trends_and_anomalies_from_a_log_file() {
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("svc.log");
    write_log(&log);
    let log = log.to_str().unwrap();

    let (text, _) = run(&["analyze", "errors", "--input", log]);
    assert!(text.starts_with("102 errors from "), "{text}");
    assert!(
        text.contains("1 pattern make up 90% of the errors"),
        "{text}"
    );
    let lines: Vec<&str> = text.lines().collect();
    assert!(lines[3].trim_start().starts_with("96 "), "{text}");
    assert!(lines[3].ends_with("IPMI timeout talking to <*>"), "{text}");
    assert!(lines[4].ends_with("BIOS setting VT-x rejected"), "{text}");

    let (json, _) = run(&[
        "analyze", "errors", "--input", log, "--json", "--hours", "6",
    ]);
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(v["total_errors"], 25, "{json}"); // 24 timeouts + 1 BIOS in the last 6 h
    assert_eq!(v["patterns"][0]["count"], 24);

    let svg = dir.path().join("trend.svg");
    let (json, err) = run(&[
        "analyze",
        "trends",
        "--input",
        log,
        "--component",
        "hardware.*",
        "--json",
        "--plot",
        svg.to_str().unwrap(),
    ]);
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(v.as_array().unwrap().len(), 1);
    assert_eq!(v[0]["component"], "hardware.discovery");
    assert_eq!(v[0]["count"], 288);
    assert_eq!(v[0]["label"], "increasing");
    let slope = v[0]["slope_ms_per_hour"].as_f64().unwrap();
    assert!((slope - 12.0).abs() < 1e-6, "{slope}");
    assert!(err.contains("wrote"), "{err}");
    let plot = std::fs::read_to_string(&svg).unwrap();
    assert!(plot.starts_with("<svg") && plot.trim_end().ends_with("</svg>"));
    assert_eq!(plot.matches("<circle").count(), 288);
    assert!(plot.contains("+12.0 ms/h"), "{}", &plot[..400]);

    let svg = dir.path().join("volume.svg");
    let (json, _) = run(&[
        "analyze",
        "anomalies",
        "--input",
        log,
        "--bucket",
        "1h",
        "--json",
        "--plot",
        svg.to_str().unwrap(),
    ]);
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    let vol: Vec<&serde_json::Value> = v
        .as_array()
        .unwrap()
        .iter()
        .filter(|a| a["metric"] == "volume")
        .collect();
    assert_eq!(vol.len(), 1, "{json}");
    assert_eq!(vol[0]["component"], "api");
    assert_eq!(vol[0]["value"], 200.0);
    let plot = std::fs::read_to_string(&svg).unwrap();
    assert_eq!(
        plot.matches("<rect").count(),
        1 + 24,
        "background + one bar per hour"
    );
    assert_eq!(plot.matches("#d0342c").count(), 1, "one red bar");
}

#[test]
fn from_an_hwlog_database_and_bad_arguments() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("logs.db");
    {
        use hwlog_store::Store;
        let s = hwlog_store::SqliteStore::open(&db, Default::default()).unwrap();
        let recs: Vec<hwlog::Record> = (0..5)
            .map(|i| {
                hwlog::Record::new(
                    hwlog::Level::Error,
                    "fw",
                    format!("flash of node-{i} failed"),
                )
            })
            .collect();
        s.insert_batch(&recs).unwrap();
    }
    let (text, _) = run(&["analyze", "errors", "--db", db.to_str().unwrap()]);
    assert!(text.starts_with("5 errors"), "{text}");
    assert!(text.contains("flash of node-<*> failed"), "{text}");

    let out = hwlog().args(["analyze", "errors"]).output().unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("give --input FILE"));
    let out = hwlog()
        .args([
            "analyze",
            "anomalies",
            "--db",
            db.to_str().unwrap(),
            "--bucket",
            "soon",
        ])
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&out.stderr).contains("invalid --bucket \"soon\""));
    let out = hwlog()
        .args(["analyze", "errors", "--input", "/x", "--format", "xml"])
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&out.stderr).contains("unknown --format \"xml\""));
}

/// `--bucket` reads durations with the shared parser: the table, case by case (a bucket is
/// at least one second).
#[test]
fn bucket_durations_are_the_shared_table() {
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("svc.log");
    write_log(&log);
    let log = log.to_str().unwrap();
    for &(text, want) in hwlog::units::DURATION_CASES {
        let out = hwlog()
            .args([
                "analyze",
                "anomalies",
                "--input",
                log,
                "--json",
                "--bucket",
                text,
            ])
            .output()
            .unwrap();
        let ok = want.is_some_and(|ns| ns >= 1_000_000_000);
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.success(), ok, "--bucket {text:?}: {err}");
    }
}
