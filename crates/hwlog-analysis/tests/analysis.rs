//! Error patterns, performance trends and anomaly detection, with exact expectations.
use hwlog_analysis::anomaly::{detect_anomalies, detect_series, AnomalyConfig, Metric, Severity};
use hwlog_analysis::errors::analyze_error_patterns;
use hwlog_analysis::miner::TemplateMiner;
use hwlog_analysis::trends::{
    least_squares, performance_trends, t_critical, TrendConfig, TrendLabel,
};
use hwlog_analysis::window::{Window, HOUR_NS};
use hwlog_core::{Level, Record, Timestamp};

const MIN: i64 = 60_000_000_000;

fn rec(ts: i64, level: Level, comp: &str, msg: &str) -> Record {
    let mut r = Record::new(level, comp.to_string(), msg.to_string());
    r.timestamp = Timestamp::from_nanos(ts);
    r
}

#[test]
fn error_patterns_group_by_template_with_rates_components_and_ids() {
    let mut recs = Vec::new();
    for i in 0..6 {
        let mut r = rec(
            i * MIN,
            Level::Error,
            if i % 2 == 0 {
                "hardware.ipmi"
            } else {
                "hardware.redfish"
            },
            &format!("BMC 10.0.0.{i} did not answer after {}ms", 100 + i),
        );
        r.correlation_id = Some(format!("req-{}", i % 3).into());
        recs.push(r);
    }
    recs.push(rec(
        10 * MIN,
        Level::Critical,
        "bios",
        "BIOS setting VT-x rejected",
    ));
    recs.push(rec(
        11 * MIN,
        Level::Error,
        "bios",
        "BIOS setting SR-IOV rejected",
    ));
    recs.push(rec(12 * MIN, Level::Warning, "bios", "not an error"));
    recs.push(rec(3 * HOUR_NS, Level::Error, "bios", "outside the window"));
    let report = analyze_error_patterns(
        &recs,
        Window::new(0, 2 * HOUR_NS),
        &mut TemplateMiner::new(),
    );
    assert_eq!(report.total_errors, 8);
    assert_eq!(report.patterns.len(), 3);
    let p = &report.patterns[0];
    assert_eq!(p.template, "BMC <*> did not answer after <*>");
    assert_eq!(p.count, 6);
    assert_eq!(p.share, 0.75);
    assert_eq!(p.rate_per_hour, 3.0);
    assert_eq!((p.first_seen, p.last_seen), (0, 5 * MIN));
    assert_eq!(
        p.components,
        [
            ("hardware.ipmi".to_string(), 3),
            ("hardware.redfish".to_string(), 3)
        ]
    );
    assert_eq!(p.example, "BMC 10.0.0.0 did not answer after 100ms");
    assert_eq!(p.correlation_ids, ["req-0", "req-1", "req-2"]);
    // Setting names written in capitals are constants: two BIOS patterns, by time.
    assert_eq!(report.patterns[1].template, "BIOS setting VT-x rejected");
    assert_eq!(report.patterns[2].template, "BIOS setting SR-IOV rejected");
    assert_eq!(report.patterns[2].rate_per_hour, 0.5);
    assert_eq!(
        report.components,
        [
            ("hardware.ipmi".to_string(), 3),
            ("hardware.redfish".to_string(), 3),
            ("bios".to_string(), 2)
        ]
    );
    assert_eq!(report.patterns_covering(0.75), 1);
    assert_eq!(report.patterns_covering(0.8), 2);
    assert_eq!(report.patterns_covering(1.0), 3);
}

fn series(comp: &str, f: impl Fn(usize) -> f64, n: usize, step: i64) -> Vec<Record> {
    (0..n)
        .map(|i| {
            rec(i as i64 * step, Level::Info, comp, "op done")
                .with_field("duration_ms", f(i))
                .with_field("operation", "scan")
        })
        .collect()
}

#[test]
fn trends_statistics_slope_and_labels() {
    // +12 ms per hour exactly, one sample every 30 minutes over 24 h.
    let recs = series(
        "hardware.discovery",
        |i| 100.0 + 6.0 * i as f64,
        48,
        HOUR_NS / 2,
    );
    let w = Window::new(0, 24 * HOUR_NS);
    let t = &performance_trends(
        &recs,
        Some("hardware.discovery"),
        w,
        &TrendConfig::default(),
    )[0];
    assert_eq!(t.component, "hardware.discovery");
    assert_eq!(t.operation.as_deref(), Some("scan"));
    assert_eq!(t.count, 48);
    assert!((t.slope_ms_per_hour - 12.0).abs() < 1e-9);
    assert!((t.r_squared - 1.0).abs() < 1e-12);
    assert_eq!(t.label, TrendLabel::Increasing);
    assert_eq!(t.min_ms, 100.0);
    assert_eq!(t.max_ms, 382.0);
    assert_eq!(t.avg_ms, 241.0);
    assert_eq!(t.median_ms, 241.0);
    assert_eq!(t.p95_ms, 370.0); // nearest rank 46 of 48
    assert!((t.stdev_ms - 84.0).abs() < 1e-9); // 6 × √(48·49/12)

    // Faster over time.
    let recs = series("c", |i| 500.0 - 5.0 * i as f64, 40, HOUR_NS / 4);
    let t = &performance_trends(
        &recs,
        None,
        Window::new(0, 10 * HOUR_NS),
        &TrendConfig::default(),
    )[0];
    assert_eq!(t.label, TrendLabel::Decreasing);
    assert!((t.slope_ms_per_hour + 20.0).abs() < 1e-9);

    // Noise around a flat mean: stable.
    let noise = [7.0, -3.0, 11.0, -9.0, 2.0, -6.0, 5.0, -1.0, 8.0, -12.0];
    let recs = series("c", |i| 200.0 + noise[i % 10], 60, HOUR_NS / 6);
    let t = &performance_trends(
        &recs,
        None,
        Window::new(0, 10 * HOUR_NS),
        &TrendConfig::default(),
    )[0];
    assert_eq!(t.label, TrendLabel::Stable);

    // A significant but tiny slope (0.1 % over the window) is not material: stable.
    let recs = series("c", |i| 1000.0 + 0.02 * i as f64, 60, HOUR_NS / 6);
    let t = &performance_trends(
        &recs,
        None,
        Window::new(0, 10 * HOUR_NS),
        &TrendConfig::default(),
    )[0];
    assert_eq!(t.label, TrendLabel::Stable);

    // Under the minimum count.
    let recs = series("c", |i| i as f64, 5, MIN);
    let t = &performance_trends(
        &recs,
        None,
        Window::new(0, HOUR_NS),
        &TrendConfig::default(),
    )[0];
    assert_eq!(t.label, TrendLabel::InsufficientData);

    // Durations from messages, with units; other components and records without one ignored.
    let recs = vec![
        rec(0, Level::Info, "fw", "flash took 1.5s"),
        rec(MIN, Level::Info, "fw", "flash took 250ms"),
        rec(2 * MIN, Level::Info, "fw", "flash started"),
        rec(3 * MIN, Level::Info, "other", "took 5s"),
    ];
    let t = performance_trends(
        &recs,
        Some("fw"),
        Window::new(0, HOUR_NS),
        &TrendConfig::default(),
    );
    assert_eq!(t.len(), 1);
    assert_eq!((t[0].count, t[0].min_ms, t[0].max_ms), (2, 250.0, 1500.0));
}

#[test]
fn least_squares_and_t_table() {
    let f = least_squares(&[(0.0, 1.0), (1.0, 2.0), (2.0, 2.0), (3.0, 4.0)]);
    assert!((f.slope - 0.9).abs() < 1e-12);
    assert!((f.intercept - 0.9).abs() < 1e-12);
    assert!((f.r2 - (1.0 - 0.7 / 4.75)).abs() < 1e-12);
    assert_eq!(t_critical(10, 0.05), 2.228);
    assert_eq!(t_critical(10, 0.01), 3.169);
    assert!((t_critical(1000, 0.05) - 1.962).abs() < 0.002);
}

/// A deterministic generator (xorshift) and a normal approximation of count noise.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> f64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 >> 11) as f64 / (1u64 << 53) as f64
    }
    fn normal(&mut self) -> f64 {
        // Irwin-Hall: sum of 12 uniforms minus 6.
        (0..12).map(|_| self.next()).sum::<f64>() - 6.0
    }
}

/// Precision and recall on a week of five-minute buckets with a daily cycle (40..160 records
/// per bucket), count noise, and 30 injected anomalies (spikes of 2.5–4x and outages) after
/// the first two days. Goal: both at least 0.9.
#[test]
fn precision_and_recall_on_synthetic_series() {
    let cfg = AnomalyConfig::default();
    let per_day = 288;
    let mut total_tp = 0;
    let mut total_fp = 0;
    let mut total_fn = 0;
    for seed in 1..=5u64 {
        let mut rng = Rng(0x9e37_79b9_7f4a_7c15 ^ seed);
        let mut v: Vec<f64> = (0..7 * per_day)
            .map(|i| {
                let phase = (i % per_day) as f64 / per_day as f64 * std::f64::consts::TAU;
                let mean = 100.0 + 60.0 * phase.sin();
                (mean + mean.sqrt() * rng.normal()).round().max(0.0)
            })
            .collect();
        let mut injected = std::collections::BTreeSet::new();
        while injected.len() < 30 {
            let i = 2 * per_day + (rng.next() * (5 * per_day) as f64) as usize;
            if injected.iter().any(|&j: &usize| j.abs_diff(i) < 3) {
                continue;
            }
            injected.insert(i);
            v[i] = if injected.len() % 5 == 0 {
                (v[i] * 0.05).round() // an outage
            } else {
                (v[i] * (2.5 + 1.5 * rng.next())).round()
            };
        }
        let found: std::collections::BTreeSet<usize> =
            detect_series(&v, &cfg).iter().map(|p| p.index).collect();
        let tp = found.intersection(&injected).count();
        total_tp += tp;
        total_fp += found.len() - tp;
        total_fn += injected.len() - tp;
    }
    let precision = total_tp as f64 / (total_tp + total_fp) as f64;
    let recall = total_tp as f64 / (total_tp + total_fn) as f64;
    println!(
        "precision {precision:.3} recall {recall:.3} (tp {total_tp}, fp {total_fp}, fn {total_fn})"
    );
    assert!(precision >= 0.9, "precision {precision:.3}");
    assert!(recall >= 0.9, "recall {recall:.3}");
}

#[test]
fn anomalies_from_records_volume_error_rate_and_new_template() {
    let cfg = AnomalyConfig::default();
    let bucket = cfg.bucket_secs * 1_000_000_000;
    let mut recs = Vec::new();
    // 24 buckets of 20 records (1 error each) for "api"; bucket 20 has 120 records; bucket 22
    // has 20 records of which 12 are errors; the last bucket brings a new pattern 15 times.
    for b in 0..24i64 {
        let n = if b == 20 { 120 } else { 20 };
        for k in 0..n {
            let ts = b * bucket + k * (bucket / n);
            let err = if b == 22 { k < 12 } else { k == 0 };
            let level = if err { Level::Error } else { Level::Info };
            recs.push(rec(
                ts,
                level,
                "api",
                &format!("GET /hosts/{k} answered {}", 200 + k),
            ));
        }
        // A quiet component with empty buckets counts zeros and has no anomaly.
        if b % 6 == 0 {
            recs.push(rec(b * bucket, Level::Info, "cron", "tick"));
        }
    }
    for k in 0..15 {
        recs.push(rec(
            23 * bucket + k,
            Level::Warning,
            "firmware",
            &format!("checksum mismatch in image block {k}"),
        ));
    }
    let w = Window::new(0, 24 * bucket);
    let found = detect_anomalies(&recs, w, &mut TemplateMiner::new(), &cfg);
    let vol: Vec<_> = found
        .iter()
        .filter(|a| a.metric == Metric::Volume)
        .collect();
    // api's burst, and firmware going from nothing to 15 records.
    assert_eq!(vol.len(), 2, "{found:#?}");
    assert_eq!(vol[1].component, "firmware");
    assert_eq!(
        (vol[1].value, vol[1].baseline, vol[1].score),
        (15.0, 0.0, 15.0)
    );
    assert_eq!(vol[0].component, "api");
    assert_eq!(vol[0].bucket_start, 20 * bucket);
    assert_eq!((vol[0].value, vol[0].baseline), (120.0, 20.0));
    assert_eq!(vol[0].severity, Severity::Critical);
    let err: Vec<_> = found
        .iter()
        .filter(|a| a.metric == Metric::ErrorRate)
        .collect();
    assert_eq!(err.len(), 1, "{found:#?}");
    assert_eq!(err[0].bucket_start, 22 * bucket);
    assert_eq!((err[0].value, err[0].baseline), (0.6, 0.05));
    assert!(err[0]
        .description
        .contains("60% errors (12 of 20), usually 5.0%"));
    let new: Vec<_> = found
        .iter()
        .filter(|a| a.metric == Metric::NewTemplate)
        .collect();
    assert_eq!(new.len(), 1, "{found:#?}");
    assert_eq!(new[0].component, "firmware");
    assert_eq!(new[0].value, 15.0);
    assert_eq!(
        new[0].description,
        "a pattern never seen before appeared 15 times in 5 minutes: checksum mismatch in image block <*>"
    );
    assert_eq!(found.len(), 4);
}

/// Trends select components with the shared pattern table, case by case.
#[test]
fn trend_component_filter_is_the_shared_pattern() {
    use hwlog_analysis::trends::{performance_trends, TrendConfig};
    use hwlog_analysis::window::Window;
    for &(pattern, name, want) in hwlog_core::pattern::CASES {
        let recs: Vec<hwlog_core::Record> = (0..3)
            .map(|i| {
                let mut r =
                    hwlog_core::Record::new(hwlog_core::Level::Info, name.to_string(), "op")
                        .with_field("duration_ms", 10.0 + i as f64);
                r.timestamp = hwlog_core::Timestamp::from_nanos(1_000 + i);
                r
            })
            .collect();
        let t = performance_trends(
            &recs,
            Some(pattern),
            Window::new(0, 1_000_000),
            &TrendConfig::default(),
        );
        assert_eq!(!t.is_empty(), want, "{pattern:?} vs {name:?}");
    }
}
