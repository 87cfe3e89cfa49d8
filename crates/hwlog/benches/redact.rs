//! Redaction throughput: lines per second through `Redactor::redact` on lines with no
//! trigger word, on the secret corpus and clean near-misses of `tests/data/secrets` (every
//! one has a trigger), and on the raw LogHub-2k logs beside the checkout (real logs, when
//! `../shared/data/loghub-2k` is there), split into lines with and without a trigger word. `cargo bench -p hwlog --bench redact`; results in
//! docs/benchmarks.md.
use std::hint::black_box;
use std::path::Path;
use std::time::Duration;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use hwlog::redact::Redactor;

/// Typical provisioning lines without any trigger word.
const PLAIN: &[&str] = &[
    "2026-11-24T10:00:00.123Z INFO hwautomation.hardware.ipmi chassis power status queried host=10.0.0.5 port=623 attempt=2",
    "2026-11-24T10:00:00.456Z WARN hwautomation.discovery machine abc123 commissioning took 412 s (expected < 300 s)",
    "2026-11-24T10:00:01.001Z ERROR hwautomation.firmware.update BIOS flash failed on node-17: checksum mismatch at block 42",
    "2026-11-24T10:00:01.310Z DEBUG hwautomation.redfish GET /redfish/v1/Systems/1 returned 200 in 38 ms",
    "Nov 24 10:00:02 node-03 kernel: [12345.678901] e1000e 0000:00:19.0 eth0: NIC Link is Up 1000 Mbps Full Duplex",
    "2026-11-24 10:00:03,004 INFO worker.queue job 8812 finished status=success duration=1.25s",
];

fn lines_of(text: &str) -> Vec<String> {
    text.lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .map(str::to_string)
        .collect()
}

fn secret_lines() -> Vec<String> {
    lines_of(include_str!("../tests/data/secrets/secret_lines.tsv"))
        .into_iter()
        .filter_map(|l| l.split('\t').nth(1).map(str::to_string))
        .collect()
}

fn loghub() -> Vec<String> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data/loghub-2k");
    let mut out = Vec::new();
    let Ok(entries) = std::fs::read_dir(&dir) else {
        return out;
    };
    let mut sets: Vec<_> = entries.flatten().map(|e| e.path()).collect();
    sets.sort();
    for set in sets {
        let name = set.file_name().unwrap().to_string_lossy().to_string();
        if let Ok(text) = std::fs::read_to_string(set.join(format!("{name}_2k.log"))) {
            out.extend(text.lines().map(str::to_string));
        }
    }
    out
}

fn bench_set(c: &mut Criterion, r: &Redactor, name: &str, lines: &[String]) {
    if lines.is_empty() {
        println!("{name}: SKIPPED (no input)");
        return;
    }
    let mut g = c.benchmark_group("redact");
    g.throughput(Throughput::Elements(lines.len() as u64));
    g.bench_function(name, |b| {
        b.iter(|| {
            let mut changed = 0usize;
            for l in lines {
                if let std::borrow::Cow::Owned(_) = r.redact(black_box(l)) {
                    changed += 1;
                }
            }
            changed
        })
    });
    g.finish();
}

fn redaction(c: &mut Criterion) {
    let r = Redactor::new();
    let plain: Vec<String> = PLAIN.iter().map(|s| s.to_string()).collect();
    for l in &plain {
        assert!(!r.may_contain_secret(l), "a trigger in {l}");
    }
    bench_set(c, &r, "no_trigger", &plain);
    bench_set(c, &r, "secret_lines", &secret_lines());
    bench_set(
        c,
        &r,
        "clean_near_misses",
        &lines_of(include_str!("../tests/data/secrets/clean_lines.txt")),
    );
    let (with, without): (Vec<String>, Vec<String>) =
        loghub().into_iter().partition(|l| r.may_contain_secret(l));
    println!(
        "LogHub-2k raw lines: {} with a trigger word, {} without",
        with.len(),
        without.len()
    );
    bench_set(c, &r, "loghub_with_trigger", &with);
    bench_set(c, &r, "loghub_without_trigger", &without);
}

criterion_group! {
    name = benches;
    config = Criterion::default()
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3));
    targets = redaction
}
criterion_main!(benches);
