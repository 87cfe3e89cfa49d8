//! Each filter's decisions.
use hwlog::context::Context;
use hwlog::filter::*;
use hwlog::testing::ManualClock;
use hwlog::{with_correlation, Decision, Filter, Level, Record};

fn rec(level: Level, component: &'static str, msg: &'static str) -> Record {
    Record::new(level, component, msg)
}

fn decide(f: &dyn Filter, r: &mut Record) -> Decision {
    f.decide(r, &mut Vec::new())
}

#[test]
fn correlation_stamps_placeholder_and_requires() {
    let f = CorrelationFilter::new(None, false);
    let mut r = with_correlation("req-1", || rec(Level::Info, "a", "m"));
    assert_eq!(decide(&f, &mut r), Decision::Neutral);
    assert_eq!(r.correlation_id.as_deref(), Some("req-1"));
    // A record without an id gets the id of the scope the filter runs in.
    let mut r = rec(Level::Info, "a", "m");
    with_correlation("req-2", || decide(&f, &mut r));
    assert_eq!(r.correlation_id.as_deref(), Some("req-2"));
    let f = CorrelationFilter::new(Some("no-request".into()), false);
    let mut r = rec(Level::Info, "a", "m");
    decide(&f, &mut r);
    assert_eq!(r.correlation_id.as_deref(), Some("no-request"));
    let f = CorrelationFilter::new(None, true);
    assert_eq!(
        decide(&f, &mut rec(Level::Info, "a", "m")),
        Decision::Reject
    );
    let mut r = with_correlation("req-3", || rec(Level::Info, "a", "m"));
    assert_eq!(decide(&f, &mut r), Decision::Neutral);
}

#[test]
fn component_include_exclude_globs() {
    let f = ComponentFilter::new(
        &["hwautomation", "maas.*"],
        &["hwautomation.*.ipmi", "*.debug"],
    );
    let d = |c: &'static str| decide(&f, &mut rec(Level::Info, c, "m"));
    assert_eq!(d("hwautomation"), Decision::Neutral);
    assert_eq!(d("hwautomation.bios"), Decision::Neutral);
    assert_eq!(d("maas.client"), Decision::Neutral);
    assert_eq!(d("hwautomation.hardware.ipmi"), Decision::Reject);
    assert_eq!(d("maas.client.debug"), Decision::Reject);
    assert_eq!(d("hyper.client"), Decision::Reject);
    assert_eq!(d("hwautomationx"), Decision::Reject);
    let all = ComponentFilter::new(&["*"], &[]);
    assert_eq!(
        decide(&all, &mut rec(Level::Info, "x.y", "m")),
        Decision::Neutral
    );
    let none: &[&str] = &[];
    let ex = ComponentFilter::new(none, &["hyper"]);
    assert_eq!(
        decide(&ex, &mut rec(Level::Info, "hyper.pool", "m")),
        Decision::Reject
    );
    assert_eq!(
        decide(&ex, &mut rec(Level::Info, "hyperion", "m")),
        Decision::Neutral
    );
}

#[test]
fn level_range_with_overrides_most_specific_wins() {
    let f = LevelRangeFilter::new(Level::Info, Level::Error)
        .with_override("hwautomation.hardware", Level::Debug, Level::Critical)
        .with_override(
            "hwautomation.hardware.ipmi",
            Level::Warning,
            Level::Critical,
        )
        .with_override("*.noisy", Level::Error, Level::Critical);
    let d = |l, c: &'static str| decide(&f, &mut rec(l, c, "m"));
    assert_eq!(d(Level::Debug, "api"), Decision::Reject);
    assert_eq!(d(Level::Info, "api"), Decision::Neutral);
    assert_eq!(d(Level::Critical, "api"), Decision::Reject); // above max
    assert_eq!(
        d(Level::Debug, "hwautomation.hardware.bios"),
        Decision::Neutral
    );
    assert_eq!(
        d(Level::Info, "hwautomation.hardware.ipmi"),
        Decision::Reject
    );
    assert_eq!(
        d(Level::Warning, "hwautomation.hardware.ipmi.sol"),
        Decision::Neutral
    );
    assert_eq!(d(Level::Warning, "x.noisy"), Decision::Reject);
    assert_eq!(f.lowest(), Level::Debug);
    let acc = LevelRangeFilter::new(Level::Info, Level::Critical).accept_on_match();
    assert_eq!(
        decide(&acc, &mut rec(Level::Info, "a", "m")),
        Decision::Accept
    );
}

#[test]
fn rate_limit_token_bucket_burst_and_notice() {
    let clock = ManualClock::default();
    let f = RateLimitFilter::new(2.0, 3.0, RateKey::Component).with_clock(clock.clone());
    let mut emit = Vec::new();
    let run =
        |c: &'static str, emit: &mut Vec<Record>| f.decide(&mut rec(Level::Info, c, "poll"), emit);
    // Burst of 3 passes, the 4th and 5th are suppressed.
    let got: Vec<Decision> = (0..5).map(|_| run("ipmi", &mut emit)).collect();
    assert_eq!(
        got,
        [
            Decision::Neutral,
            Decision::Neutral,
            Decision::Neutral,
            Decision::Reject,
            Decision::Reject
        ]
    );
    // Another key has its own bucket.
    assert_eq!(run("bios", &mut emit), Decision::Neutral);
    assert!(emit.is_empty());
    // 0.5 s refills one token at 2/s: the next record passes with a notice first.
    clock.advance_ms(500);
    assert_eq!(run("ipmi", &mut emit), Decision::Neutral);
    assert_eq!(emit.len(), 1);
    assert_eq!(emit[0].message, "suppressed 2 similar records");
    assert_eq!(emit[0].level, Level::Warning);
    assert_eq!(emit[0].field("suppressed"), Some(&hwlog::Value::U64(2)));
    assert_eq!(run("ipmi", &mut emit), Decision::Reject);
    // Long idle: the bucket refills only up to the burst.
    clock.advance_ms(60_000);
    emit.clear();
    let passed = (0..10)
        .filter(|_| run("ipmi", &mut emit) == Decision::Neutral)
        .count();
    assert_eq!(passed, 3);
    assert_eq!(emit[0].message, "suppressed 1 similar records");
}

#[test]
fn environment_level_and_redaction() {
    let f = EnvironmentFilter::new(Level::Warning, true);
    assert_eq!(
        decide(&f, &mut rec(Level::Info, "a", "m")),
        Decision::Reject
    );
    let mut r = rec(
        Level::Error,
        "ipmi",
        "ipmitool -I lanplus -H 10.0.0.5 -U admin -P hunter2 chassis status failed",
    );
    r.push_field("api_key", "k-123456");
    r.push_field("url", "postgres://hw:s3cretpw@db:5432/hw");
    r.push_field("count", 3);
    r.error = Some("auth failed for --password=hunter2".into());
    assert_eq!(decide(&f, &mut r), Decision::Neutral);
    let all = format!("{} {:?} {:?}", r.message, r.fields, r.error);
    assert!(
        !all.contains("hunter2") && !all.contains("s3cretpw") && !all.contains("k-123456"),
        "{all}"
    );
    assert!(r.message.contains("-P [REDACTED]"));
    assert_eq!(r.field("count"), Some(&hwlog::Value::I64(3)));
    let off = EnvironmentFilter::new(Level::Info, false);
    let mut r = rec(Level::Error, "ipmi", "-P hunter2");
    decide(&off, &mut r);
    assert_eq!(r.message, "-P hunter2");
}

#[test]
fn context_adds_user_session_host_and_timing() {
    let f = ContextFilter::new(HostSource::Fixed("node-1".into()));
    let mut r = Context::new()
        .user("alice")
        .session("s-42")
        .run(|| rec(Level::Info, "api", "m"));
    decide(&f, &mut r);
    assert_eq!(r.field("user").unwrap().as_str(), Some("alice"));
    assert_eq!(r.field("session").unwrap().as_str(), Some("s-42"));
    assert_eq!(r.field("host").unwrap().as_str(), Some("node-1"));
    // The scope's host wins over the configured one.
    let mut r = Context::new()
        .host("bmc-7")
        .run(|| rec(Level::Info, "api", "m"));
    decide(&f, &mut r);
    assert_eq!(r.field("host").unwrap().as_str(), Some("bmc-7"));
    // Operation timing.
    let started = std::time::Instant::now() - std::time::Duration::from_millis(250);
    let mut r = Context::new()
        .operation("firmware_update", started)
        .run(|| rec(Level::Info, "fw", "m"));
    decide(&f, &mut r);
    assert_eq!(
        r.field("operation").unwrap().as_str(),
        Some("firmware_update")
    );
    let ms = r.field("op_elapsed_ms").unwrap().as_f64().unwrap();
    assert!((250.0..60_000.0).contains(&ms), "{ms}");
    // Without a scope only the host is added; no field twice.
    let mut r = rec(Level::Info, "a", "m");
    decide(&f, &mut r);
    decide(&f, &mut r);
    assert_eq!(r.fields.len(), 1);
}

/// The component filter and the level-range overrides mean what every other part of hwlog
/// means by a component pattern: the shared table, case by case.
#[test]
fn component_patterns_are_the_shared_table() {
    use hwlog::filter::{ComponentFilter, LevelRangeFilter};
    use hwlog::{Decision, Filter, Level, Record};
    for &(pattern, name, want) in hwlog_core::pattern::CASES {
        let mut rec = Record::new(Level::Info, name.to_string(), "m");
        let include = ComponentFilter::new(&[pattern], &[]);
        let got = include.decide(&mut rec, &mut Vec::new()) != Decision::Reject;
        assert_eq!(got, want, "include {pattern:?} vs {name:?}");
        let exclude = ComponentFilter::new(&[] as &[&str], &[pattern]);
        let got = exclude.decide(&mut rec, &mut Vec::new()) == Decision::Reject;
        assert_eq!(got, want, "exclude {pattern:?} vs {name:?}");
        let range = LevelRangeFilter::new(Level::Error, Level::Critical).with_override(
            pattern,
            Level::Info,
            Level::Critical,
        );
        let got = range.decide(&mut rec, &mut Vec::new()) != Decision::Reject;
        assert_eq!(got, want, "level override {pattern:?} vs {name:?}");
    }
}
