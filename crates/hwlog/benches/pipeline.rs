//! Caller cost and formatting cost, hwlog against `tracing-subscriber`'s JSON formatter, in the
//! same run. `cargo bench -p hwlog --bench pipeline`; results in docs/benchmarks.md.
use std::hint::black_box;
use std::sync::Arc;
use std::time::Duration;

use criterion::{criterion_group, criterion_main, Criterion};
use hwlog::format::{Dashboard, Debug, Json, Multiline, Performance, Structured, TimeZone};
use hwlog::pipeline::{Pipeline, Route};
use hwlog::sink::NullSink;
use hwlog::{dispatch, get_logger, with_correlation, Format, Level, Record, Timestamp};
use tracing_subscriber::layer::SubscriberExt;

fn install_null_json() {
    let route = Route::new(
        "null",
        Level::Info,
        Vec::new(),
        Box::new(Json::new(TimeZone::Utc)),
        Arc::new(NullSink),
    );
    dispatch::install(Pipeline::new("bench", vec![route]));
}

fn caller_cost(c: &mut Criterion) {
    install_null_json();
    let mut g = c.benchmark_group("caller_info_3_fields_correlation");
    let log = get_logger("hwautomation.hardware.ipmi");
    g.bench_function("hwlog_logger_json_null", |b| {
        with_correlation("req-12345", || {
            b.iter(|| {
                log.at(Level::Info)
                    .field("host", "10.0.0.5")
                    .field("port", 623u64)
                    .field("attempt", black_box(2u64))
                    .log("chassis power status queried")
            })
        })
    });
    let hw_sub = tracing_subscriber::registry().with(hwlog::bridge::layer());
    tracing::subscriber::with_default(hw_sub, || {
        tracing_core::callsite::rebuild_interest_cache();
        g.bench_function("hwlog_via_tracing_macro_json_null", |b| {
            b.iter(|| {
                tracing::info!(
                    target: "hwautomation.hardware.ipmi",
                    correlation_id = "req-12345",
                    host = "10.0.0.5",
                    port = 623u64,
                    attempt = black_box(2u64),
                    "chassis power status queried"
                )
            })
        });
    });
    let fmt_sub = tracing_subscriber::fmt()
        .json()
        .with_writer(std::io::sink)
        .finish();
    tracing::subscriber::with_default(fmt_sub, || {
        tracing_core::callsite::rebuild_interest_cache();
        g.bench_function("tracing_subscriber_fmt_json_io_sink", |b| {
            b.iter(|| {
                tracing::info!(
                    target: "hwautomation.hardware.ipmi",
                    correlation_id = "req-12345",
                    host = "10.0.0.5",
                    port = 623u64,
                    attempt = black_box(2u64),
                    "chassis power status queried"
                )
            })
        });
    });
    g.finish();
}

fn disabled(c: &mut Criterion) {
    install_null_json();
    let mut g = c.benchmark_group("disabled_level");
    let log = get_logger("hwautomation.hardware.ipmi");
    g.bench_function("hwlog_logger_debug_when_info", |b| {
        b.iter(|| log.debug(black_box("not written")))
    });
    g.bench_function("hwlog_logger_at_debug_with_fields", |b| {
        b.iter(|| {
            log.at(Level::Debug)
                .field("host", black_box("10.0.0.5"))
                .field("attempt", black_box(2u64))
                .log("not written")
        })
    });
    let hw_sub = tracing_subscriber::registry().with(hwlog::bridge::layer());
    tracing::subscriber::with_default(hw_sub, || {
        tracing_core::callsite::rebuild_interest_cache();
        g.bench_function("tracing_debug_macro_under_hwlog_layer", |b| {
            b.iter(|| {
                tracing::debug!(
                    host = black_box("10.0.0.5"),
                    attempt = black_box(2u64),
                    "not written"
                )
            })
        });
    });
    g.finish();
}

fn sample() -> Record {
    let mut r = Record::new(
        Level::Info,
        "hwautomation.hardware.ipmi",
        "chassis power status queried",
    );
    r.timestamp = Timestamp::now();
    r.correlation_id = Some("req-12345".into());
    r.push_field("host", "10.0.0.5");
    r.push_field("port", 623u64);
    r.push_field("attempt", 2u64);
    r
}

fn formatters(c: &mut Criterion) {
    let rec = sample();
    let mut g = c.benchmark_group("format_one_record");
    let fmts: Vec<Box<dyn Format>> = vec![
        Box::new(Structured::new(TimeZone::Utc)),
        Box::new(Json::new(TimeZone::Utc)),
        Box::new(Dashboard::default()),
        Box::new(Debug::new(TimeZone::Utc)),
        Box::new(Performance::new(TimeZone::Utc)),
        Box::new(Multiline::new(
            Box::new(Structured::new(TimeZone::Utc)),
            "    ",
        )),
    ];
    let mut buf = Vec::with_capacity(1024);
    for f in &fmts {
        g.bench_function(f.name().to_string(), |b| {
            b.iter(|| {
                buf.clear();
                f.format(black_box(&rec), &mut buf);
                black_box(buf.len())
            })
        });
    }
    g.finish();
}

fn config() -> Criterion {
    Criterion::default()
        .sample_size(40)
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(2))
}

criterion_group! { name = benches; config = config(); targets = caller_cost, disabled, formatters }
criterion_main!(benches);
