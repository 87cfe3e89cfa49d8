//! Tests of the rotating file sink, asserting on the files and bytes it leaves on disk.
use std::fs;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use hwlog::sink::rotating::{
    Compression, Every, RotatingFileSink, RotationClock, RotationPolicy, RotationStats,
};
use hwlog_core::{Batch, Format, Level, Record, Sink, SinkErrorKind};

const WAIT: Duration = Duration::from_secs(20);
/// 2024-01-01T00:00:00Z in nanoseconds.
const T0: i64 = 1_704_067_200_000_000_000;
const SEC: i64 = 1_000_000_000;
const MIN: i64 = 60 * SEC;
const HOUR: i64 = 60 * MIN;
/// Every test line is this long.
const LINE: usize = 64;

struct FakeClock(AtomicI64);

impl FakeClock {
    fn at(t: i64) -> Arc<FakeClock> {
        Arc::new(FakeClock(AtomicI64::new(t)))
    }
    fn set(&self, t: i64) {
        self.0.store(t, Ordering::SeqCst);
    }
}

impl RotationClock for FakeClock {
    fn now_utc_nanos(&self) -> i64 {
        self.0.load(Ordering::SeqCst)
    }
}

/// Line `i`, exactly `LINE` bytes with its newline.
fn line(i: usize) -> Vec<u8> {
    let s = format!("line {i:08} {}\n", "x".repeat(LINE - 15));
    assert_eq!(s.len(), LINE);
    s.into_bytes()
}

fn lines(range: std::ops::Range<usize>) -> Vec<u8> {
    range.flat_map(line).collect()
}

fn rec() -> Record {
    Record::new(Level::Info, "test.rotating", "m")
}

fn write_lines(sink: &RotatingFileSink, range: std::ops::Range<usize>) {
    for i in range {
        sink.write(&rec(), &line(i)).unwrap();
    }
}

fn policy() -> RotationPolicy {
    RotationPolicy {
        max_bytes: None,
        max_files: None,
        ..RotationPolicy::default()
    }
}

/// The rotated files of `name` in `dir`, oldest first, parsed independently of the sink:
/// `NAME.<20-char stamp>[.<n>][.zst|.gz]`, ordered by stamp then `n` as a number.
fn rotated(dir: &Path, name: &str) -> Vec<PathBuf> {
    let mut v: Vec<((String, u32), PathBuf)> = Vec::new();
    for e in fs::read_dir(dir).unwrap() {
        let e = e.unwrap();
        let f = e.file_name().into_string().unwrap();
        let Some(rest) = f.strip_prefix(&format!("{name}.")) else {
            continue;
        };
        if rest.len() < 20 || !rest[..20].ends_with('Z') {
            continue;
        }
        let (stamp, tail) = rest.split_at(20);
        let tail = tail.trim_end_matches(".zst").trim_end_matches(".gz");
        let n = match tail.strip_prefix('.') {
            Some(n) => n.parse().unwrap(),
            None => {
                assert_eq!(tail, "", "unexpected file {f}");
                0
            }
        };
        assert!(!f.ends_with(".tmp"), "leftover {f}");
        v.push(((stamp.to_string(), n), e.path()));
    }
    v.sort();
    v.into_iter().map(|(_, p)| p).collect()
}

/// A rotated file's content, decompressed by its extension.
fn read_any(path: &Path) -> Vec<u8> {
    let raw = fs::read(path).unwrap();
    match path.extension().and_then(|e| e.to_str()) {
        Some("zst") => zstd::stream::decode_all(&raw[..]).unwrap(),
        Some("gz") => {
            let mut out = Vec::new();
            flate2::read::GzDecoder::new(&raw[..])
                .read_to_end(&mut out)
                .unwrap();
            out
        }
        _ => raw,
    }
}

fn names(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    v.sort();
    v
}

fn file_name(p: &Path) -> String {
    p.file_name().unwrap().to_string_lossy().into_owned()
}

#[test]
fn size_rotation_exact_count_every_line_once_in_order() {
    let dir = tempfile::tempdir().unwrap();
    let active = dir.path().join("production.jsonl");
    let sink = RotatingFileSink::new(
        &active,
        RotationPolicy {
            max_bytes: Some(10 * LINE as u64),
            ..policy()
        },
    )
    .unwrap();
    write_lines(&sink, 0..95);
    sink.flush().unwrap();
    assert!(sink.wait_idle(WAIT));

    let files = rotated(dir.path(), "production.jsonl");
    assert_eq!(files.len(), 9, "{:?}", names(dir.path()));
    assert_eq!(sink.rotated_files(), files);
    let mut all = Vec::new();
    for (k, f) in files.iter().enumerate() {
        assert_eq!(f.extension().unwrap(), "zst");
        let content = read_any(f);
        assert_eq!(content, lines(k * 10..k * 10 + 10), "{}", f.display());
        all.extend(content);
    }
    assert_eq!(fs::read(&active).unwrap(), lines(90..95));
    all.extend(fs::read(&active).unwrap());
    assert_eq!(all, lines(0..95));

    let s = sink.stats();
    assert_eq!(s.rotations, 9);
    assert_eq!(s.files_compressed, 9);
    assert_eq!(s.bytes_before_compression, 9 * 10 * LINE as u64);
    let on_disk: u64 = files.iter().map(|f| fs::metadata(f).unwrap().len()).sum();
    assert_eq!(s.bytes_after_compression, on_disk);
    assert_eq!(s.compression_errors, 0);
    assert_eq!(sink.last_compression_error(), None);
}

#[test]
fn same_millisecond_rotations_get_numbered_names_that_sort_by_age() {
    let dir = tempfile::tempdir().unwrap();
    let clock = FakeClock::at(T0 + 5 * SEC + 7_000_000);
    let sink = RotatingFileSink::with_clock(
        dir.path().join("app.log"),
        RotationPolicy {
            max_bytes: Some(LINE as u64),
            compression: Compression::None,
            ..policy()
        },
        clock.clone(),
    )
    .unwrap();
    write_lines(&sink, 0..13);
    assert!(sink.wait_idle(WAIT));
    let files = rotated(dir.path(), "app.log");
    assert_eq!(files.len(), 12);
    assert_eq!(file_name(&files[0]), "app.log.20240101T000005.007Z");
    assert_eq!(file_name(&files[1]), "app.log.20240101T000005.007Z.1");
    assert_eq!(file_name(&files[11]), "app.log.20240101T000005.007Z.11");
    for (i, f) in files.iter().enumerate() {
        assert_eq!(read_any(f), line(i));
    }
    assert_eq!(sink.rotated_files(), files);

    // A clock that goes back still yields names after the newest one, also after a restart.
    drop(sink);
    clock.set(T0);
    let sink = RotatingFileSink::with_clock(
        dir.path().join("app.log"),
        RotationPolicy {
            max_bytes: Some(LINE as u64),
            compression: Compression::None,
            ..policy()
        },
        clock,
    )
    .unwrap();
    write_lines(&sink, 13..14);
    assert!(sink.wait_idle(WAIT));
    let files = rotated(dir.path(), "app.log");
    assert_eq!(file_name(&files[12]), "app.log.20240101T000005.007Z.12");
    assert_eq!(read_any(&files[12]), line(12));
}

struct Raw;

impl Format for Raw {
    fn name(&self) -> &str {
        "raw"
    }
    fn format(&self, record: &Record, out: &mut Vec<u8>) {
        out.extend_from_slice(record.message.as_bytes());
    }
}

fn batch(range: std::ops::Range<usize>) -> Batch {
    let mut b = Batch::new();
    for i in range {
        let text = String::from_utf8(line(i)).unwrap();
        b.push(Record::new(Level::Info, "t", text), &Raw);
    }
    b
}

#[test]
fn batches_are_written_whole_and_never_split_across_files() {
    let dir = tempfile::tempdir().unwrap();
    let sink = RotatingFileSink::new(
        dir.path().join("app.log"),
        RotationPolicy {
            max_bytes: Some(150),
            compression: Compression::None,
            ..policy()
        },
    )
    .unwrap();
    sink.write_batch(&batch(0..3)).unwrap(); // 192 bytes: larger than max_bytes, alone in its file
    sink.write_batch(&batch(3..4)).unwrap(); // rotates first
    sink.write_batch(&batch(4..6)).unwrap(); // 64 + 128 > 150: rotates first
    sink.write_batch(&Batch::new()).unwrap(); // empty: nothing happens
    assert!(sink.wait_idle(WAIT));
    let files = rotated(dir.path(), "app.log");
    assert_eq!(files.len(), 2);
    assert_eq!(read_any(&files[0]), lines(0..3));
    assert_eq!(read_any(&files[1]), lines(3..4));
    assert_eq!(fs::read(dir.path().join("app.log")).unwrap(), lines(4..6));
}

#[test]
fn hourly_rotation_on_utc_boundaries() {
    let dir = tempfile::tempdir().unwrap();
    let clock = FakeClock::at(T0 + 10 * MIN); // 00:10
    let sink = RotatingFileSink::with_clock(
        dir.path().join("app.log"),
        RotationPolicy {
            every: Some(Every::Hourly),
            compression: Compression::None,
            ..policy()
        },
        clock.clone(),
    )
    .unwrap();
    clock.set(T0 + 2 * HOUR); // an empty file is not rotated; its period just moves on
    write_lines(&sink, 0..1);
    clock.set(T0 + 2 * HOUR + 59 * MIN + 59 * SEC + 999_999_999);
    write_lines(&sink, 1..2);
    assert_eq!(sink.stats().rotations, 0);
    clock.set(T0 + 3 * HOUR);
    write_lines(&sink, 2..3);
    clock.set(T0 + 5 * HOUR + 30 * MIN); // several hours later: one rotation
    write_lines(&sink, 3..4);
    clock.set(T0 + 5 * HOUR + 45 * MIN);
    write_lines(&sink, 4..5);
    clock.set(T0 + 6 * HOUR);
    write_lines(&sink, 5..6);
    assert!(sink.wait_idle(WAIT));

    let files = rotated(dir.path(), "app.log");
    let got: Vec<String> = files.iter().map(|f| file_name(f)).collect();
    assert_eq!(
        got,
        [
            "app.log.20240101T030000.000Z",
            "app.log.20240101T053000.000Z",
            "app.log.20240101T060000.000Z"
        ]
    );
    assert_eq!(read_any(&files[0]), lines(0..2));
    assert_eq!(read_any(&files[1]), lines(2..3));
    assert_eq!(read_any(&files[2]), lines(3..5));
    assert_eq!(fs::read(dir.path().join("app.log")).unwrap(), lines(5..6));
}

#[test]
fn daily_rotation_on_utc_midnight() {
    let dir = tempfile::tempdir().unwrap();
    let clock = FakeClock::at(T0 + 12 * HOUR);
    let sink = RotatingFileSink::with_clock(
        dir.path().join("app.log"),
        RotationPolicy {
            every: Some(Every::Daily),
            ..policy()
        },
        clock.clone(),
    )
    .unwrap();
    write_lines(&sink, 0..1);
    clock.set(T0 + 24 * HOUR - 1);
    write_lines(&sink, 1..2);
    clock.set(T0 + 24 * HOUR);
    write_lines(&sink, 2..3);
    clock.set(T0 + 47 * HOUR);
    write_lines(&sink, 3..4);
    clock.set(T0 + 4 * 24 * HOUR + 8 * HOUR);
    write_lines(&sink, 4..5);
    assert!(sink.wait_idle(WAIT));
    let files = rotated(dir.path(), "app.log");
    let got: Vec<String> = files.iter().map(|f| file_name(f)).collect();
    assert_eq!(
        got,
        [
            "app.log.20240102T000000.000Z.zst",
            "app.log.20240105T080000.000Z.zst"
        ]
    );
    assert_eq!(read_any(&files[0]), lines(0..2));
    assert_eq!(read_any(&files[1]), lines(2..4));
    assert_eq!(fs::read(dir.path().join("app.log")).unwrap(), lines(4..5));
}

#[test]
fn size_and_time_whichever_comes_first() {
    let dir = tempfile::tempdir().unwrap();
    let clock = FakeClock::at(T0 + 10 * MIN);
    let sink = RotatingFileSink::with_clock(
        dir.path().join("app.log"),
        RotationPolicy {
            max_bytes: Some(2 * LINE as u64),
            every: Some(Every::Hourly),
            compression: Compression::None,
            ..policy()
        },
        clock.clone(),
    )
    .unwrap();
    write_lines(&sink, 0..3); // size: rotates before line 2
    clock.set(T0 + HOUR);
    write_lines(&sink, 3..4); // time: rotates before line 3
    assert!(sink.wait_idle(WAIT));
    let files = rotated(dir.path(), "app.log");
    assert_eq!(files.len(), 2);
    assert_eq!(read_any(&files[0]), lines(0..2));
    assert_eq!(read_any(&files[1]), lines(2..3));
    assert_eq!(file_name(&files[1]), "app.log.20240101T010000.000Z");
}

/// Text that compresses like a log but not trivially.
fn log_text(n_lines: usize, seed: u64) -> Vec<u8> {
    let mut x = seed | 1;
    let mut out = Vec::new();
    let words = [
        "power", "on", "ipmi", "host", "retry", "ok", "fan", "temp", "bmc", "reset",
    ];
    for i in 0..n_lines {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        let w1 = words[(x % 10) as usize];
        let w2 = words[((x >> 8) % 10) as usize];
        out.extend_from_slice(
            format!(
                "2024-01-01T00:00:{:02}.{:06}Z INFO {w1} {w2} id={x:016x} n={i}\n",
                i % 60,
                x % 1_000_000
            )
            .as_bytes(),
        );
    }
    out
}

#[test]
fn zstd_and_gzip_files_decode_to_what_was_written() {
    for (compression, ext) in [
        (Compression::Zstd { level: 3 }, Some("zst")),
        (Compression::Gzip { level: 6 }, Some("gz")),
        (Compression::Zstd { level: 19 }, Some("zst")),
        (Compression::None, None),
    ] {
        let dir = tempfile::tempdir().unwrap();
        let sink = RotatingFileSink::new(
            dir.path().join("app.log"),
            RotationPolicy {
                compression,
                ..policy()
            },
        )
        .unwrap();
        let text = log_text(3000, 7);
        for l in text.split_inclusive(|&b| b == b'\n') {
            sink.write(&rec(), l).unwrap();
        }
        assert!(sink.rotate().unwrap());
        assert!(sink.wait_idle(WAIT));
        let files = rotated(dir.path(), "app.log");
        assert_eq!(files.len(), 1, "{compression:?}");
        let got_ext = files[0].extension().and_then(|e| e.to_str()).unwrap();
        match ext {
            Some(ext) => assert_eq!(got_ext, ext),
            None => assert!(got_ext.ends_with('Z'), "{}", files[0].display()),
        }
        assert_eq!(read_any(&files[0]), text, "{compression:?}");
        let s = sink.stats();
        if ext.is_some() {
            assert_eq!(s.files_compressed, 1);
            assert_eq!(s.bytes_before_compression, text.len() as u64);
            assert_eq!(
                s.bytes_after_compression,
                fs::metadata(&files[0]).unwrap().len()
            );
            assert!(s.bytes_after_compression * 3 < s.bytes_before_compression);
        } else {
            assert_eq!(
                s,
                RotationStats {
                    rotations: 1,
                    ..RotationStats::default()
                }
            );
        }
        assert_eq!(names(dir.path()).len(), 2, "{:?}", names(dir.path()));
    }
}

#[test]
fn retention_by_count_keeps_the_newest() {
    let dir = tempfile::tempdir().unwrap();
    let sink = RotatingFileSink::new(
        dir.path().join("app.log"),
        RotationPolicy {
            max_bytes: Some(LINE as u64),
            max_files: Some(3),
            ..policy()
        },
    )
    .unwrap();
    write_lines(&sink, 0..10);
    assert!(sink.wait_idle(WAIT));
    let files = rotated(dir.path(), "app.log");
    assert_eq!(files.len(), 3);
    for (k, f) in files.iter().enumerate() {
        assert_eq!(read_any(f), line(6 + k));
    }
    assert_eq!(sink.stats().rotations, 9);
    assert_eq!(sink.stats().files_removed, 6);
}

#[test]
fn retention_by_total_bytes() {
    let dir = tempfile::tempdir().unwrap();
    let sink = RotatingFileSink::new(
        dir.path().join("app.log"),
        RotationPolicy {
            max_bytes: Some(LINE as u64),
            compression: Compression::None,
            max_total_bytes: Some(3 * LINE as u64 + 10),
            ..policy()
        },
    )
    .unwrap();
    write_lines(&sink, 0..10);
    assert!(sink.wait_idle(WAIT));
    let files = rotated(dir.path(), "app.log");
    assert_eq!(files.len(), 3);
    for (k, f) in files.iter().enumerate() {
        assert_eq!(read_any(f), line(6 + k));
    }
    let total: u64 = files.iter().map(|f| fs::metadata(f).unwrap().len()).sum();
    assert!(total <= 3 * LINE as u64 + 10);
}

#[test]
fn retention_by_age_with_the_injected_clock() {
    let dir = tempfile::tempdir().unwrap();
    let clock = FakeClock::at(T0);
    let pol = RotationPolicy {
        max_age: Some(Duration::from_secs(150 * 60)), // 2.5 h
        ..policy()
    };
    let sink = RotatingFileSink::with_clock(dir.path().join("app.log"), pol.clone(), clock.clone())
        .unwrap();
    for h in 0..5 {
        clock.set(T0 + h * HOUR);
        write_lines(&sink, h as usize..h as usize + 1);
        assert!(sink.rotate().unwrap());
    }
    assert!(sink.wait_idle(WAIT));
    let got: Vec<String> = rotated(dir.path(), "app.log")
        .iter()
        .map(|f| file_name(f))
        .collect();
    assert_eq!(
        got,
        [
            "app.log.20240101T020000.000Z.zst",
            "app.log.20240101T030000.000Z.zst",
            "app.log.20240101T040000.000Z.zst"
        ]
    );
    drop(sink);

    // Later, a restart applies the age limit to what is on disk.
    clock.set(T0 + 6 * HOUR + 30 * MIN);
    let sink = RotatingFileSink::with_clock(dir.path().join("app.log"), pol, clock).unwrap();
    assert!(sink.wait_idle(WAIT));
    let got: Vec<String> = rotated(dir.path(), "app.log")
        .iter()
        .map(|f| file_name(f))
        .collect();
    assert_eq!(got, ["app.log.20240101T040000.000Z.zst"]);
}

#[test]
fn retention_applies_at_start_across_restarts() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("app.log");
    let sink = RotatingFileSink::new(&path, policy()).unwrap();
    for i in 0..6 {
        write_lines(&sink, i..i + 1);
        sink.rotate().unwrap();
    }
    write_lines(&sink, 6..7);
    sink.close().unwrap();
    drop(sink);
    let before = rotated(dir.path(), "app.log");
    assert_eq!(before.len(), 6);

    let sink = RotatingFileSink::new(
        &path,
        RotationPolicy {
            max_files: Some(2),
            ..policy()
        },
    )
    .unwrap();
    assert!(sink.wait_idle(WAIT));
    let after = rotated(dir.path(), "app.log");
    assert_eq!(after, before[4..]);
    assert_eq!(read_any(&after[0]), line(4));
    assert_eq!(read_any(&after[1]), line(5));
    assert_eq!(sink.stats().files_removed, 4);
    // The active file is never touched by retention, and appending goes on.
    write_lines(&sink, 7..8);
    assert_eq!(fs::read(&path).unwrap(), lines(6..8));
    drop(sink);

    let sink = RotatingFileSink::new(
        &path,
        RotationPolicy {
            max_total_bytes: Some(1),
            ..policy()
        },
    )
    .unwrap();
    assert!(sink.wait_idle(WAIT));
    assert!(rotated(dir.path(), "app.log").is_empty());
    assert_eq!(fs::read(&path).unwrap(), lines(6..8));
}

#[test]
fn crash_leftovers_are_recovered_at_start() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let a = log_text(500, 1);
    let b = log_text(400, 2);
    let c = log_text(300, 3);
    let e = log_text(200, 4);
    // A: crashed mid-compression (partial .tmp next to its source).
    fs::write(d.join("app.log.20240101T000000.000Z"), &a).unwrap();
    let partial = zstd::stream::encode_all(&a[..], 3).unwrap();
    fs::write(
        d.join("app.log.20240101T000000.000Z.zst.tmp"),
        &partial[..partial.len() / 2],
    )
    .unwrap();
    // B: crashed between rotation and compression.
    fs::write(d.join("app.log.20240101T010000.000Z"), &b).unwrap();
    // C: finished; must stay byte for byte.
    let c_zst = zstd::stream::encode_all(&c[..], 3).unwrap();
    fs::write(d.join("app.log.20240101T020000.000Z.zst"), &c_zst).unwrap();
    let c_mtime = fs::metadata(d.join("app.log.20240101T020000.000Z.zst"))
        .unwrap()
        .modified()
        .unwrap();
    // D: crashed after the rename of the compressed file, before deleting the source.
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    std::io::Write::write_all(&mut gz, &e).unwrap();
    let d_gz = gz.finish().unwrap();
    fs::write(d.join("app.log.20240101T030000.000Z.gz"), &d_gz).unwrap();
    fs::write(d.join("app.log.20240101T030000.000Z"), &e).unwrap();
    // Files that are not ours, and the active file.
    fs::write(d.join("app.log.1"), b"logrotate's\n").unwrap();
    fs::write(d.join("other.txt"), b"other\n").unwrap();
    fs::write(d.join("app.log"), lines(0..2)).unwrap();

    let sink = RotatingFileSink::new(d.join("app.log"), policy()).unwrap();
    assert!(sink.wait_idle(WAIT));
    assert_eq!(
        names(d),
        [
            "app.log",
            "app.log.1",
            "app.log.20240101T000000.000Z.zst",
            "app.log.20240101T010000.000Z.zst",
            "app.log.20240101T020000.000Z.zst",
            "app.log.20240101T030000.000Z.gz",
            "other.txt"
        ]
    );
    assert_eq!(read_any(&d.join("app.log.20240101T000000.000Z.zst")), a);
    assert_eq!(read_any(&d.join("app.log.20240101T010000.000Z.zst")), b);
    assert_eq!(
        fs::read(d.join("app.log.20240101T020000.000Z.zst")).unwrap(),
        c_zst
    );
    assert_eq!(
        fs::metadata(d.join("app.log.20240101T020000.000Z.zst"))
            .unwrap()
            .modified()
            .unwrap(),
        c_mtime
    );
    assert_eq!(
        fs::read(d.join("app.log.20240101T030000.000Z.gz")).unwrap(),
        d_gz
    );
    assert_eq!(fs::read(d.join("app.log.1")).unwrap(), b"logrotate's\n");
    assert_eq!(sink.stats().files_compressed, 2);
    write_lines(&sink, 2..3);
    assert_eq!(fs::read(d.join("app.log")).unwrap(), lines(0..3));
}

const CHILD_ENV: &str = "HWLOG_ROTATING_CRASH_CHILD_DIR";

/// Plays the child of `sigkill_during_compression_loses_nothing`; a no-op otherwise.
#[test]
fn crash_child() {
    let Some(dir) = std::env::var_os(CHILD_ENV) else {
        return;
    };
    let _sink = RotatingFileSink::new(Path::new(&dir).join("app.log"), policy()).unwrap();
    std::thread::sleep(Duration::from_secs(60)); // killed long before
    std::process::exit(3);
}

#[test]
fn sigkill_during_compression_loses_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let src = d.join("app.log.20240101T000000.000Z");
    let text = log_text(250_000, 9); // ~17 MB
    fs::write(&src, &text).unwrap();
    let tmp = d.join("app.log.20240101T000000.000Z.zst.tmp");

    let mut child = std::process::Command::new(std::env::current_exe().unwrap())
        .args(["--exact", "crash_child", "--nocapture", "--test-threads=1"])
        .env(CHILD_ENV, d)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(20);
    let mut seen = false;
    while Instant::now() < deadline {
        if fs::metadata(&tmp).is_ok_and(|m| m.len() > 0) {
            seen = true;
            break;
        }
        if child.try_wait().unwrap().is_some() {
            break;
        }
        std::thread::sleep(Duration::from_millis(1));
    }
    child.kill().unwrap(); // SIGKILL
    child.wait().unwrap();
    assert!(seen, "the child never started compressing: {:?}", names(d));
    // Killed mid-way (or, at worst, just after finishing): the source or the finished
    // compressed file is there, never neither.
    let zst = d.join("app.log.20240101T000000.000Z.zst");
    assert!(src.exists() || zst.exists());

    let sink = RotatingFileSink::new(d.join("app.log"), policy()).unwrap();
    assert!(sink.wait_idle(WAIT));
    assert_eq!(names(d), ["app.log", "app.log.20240101T000000.000Z.zst"]);
    assert_eq!(read_any(&zst), text);
}

#[test]
fn reopens_after_the_active_file_is_moved_away_or_deleted() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let path = d.join("app.log");
    let sink = RotatingFileSink::new(
        &path,
        RotationPolicy {
            check_interval: Duration::ZERO,
            ..policy()
        },
    )
    .unwrap();
    write_lines(&sink, 0..3);
    fs::rename(&path, d.join("app.log.1")).unwrap(); // logrotate without copytruncate
    write_lines(&sink, 3..5);
    assert_eq!(fs::read(d.join("app.log.1")).unwrap(), lines(0..3));
    assert_eq!(fs::read(&path).unwrap(), lines(3..5));
    fs::remove_file(&path).unwrap();
    write_lines(&sink, 5..6);
    assert_eq!(fs::read(&path).unwrap(), lines(5..6));
    assert_eq!(sink.stats().reopens, 2);
    assert!(sink.wait_idle(WAIT));
    assert_eq!(names(d), ["app.log", "app.log.1"]); // not ours: left alone
}

#[test]
fn reopen_method_for_sighup() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let path = d.join("app.log");
    let sink = RotatingFileSink::new(&path, policy()).unwrap(); // checks at most once a second
    write_lines(&sink, 0..2);
    fs::rename(&path, d.join("app.log-20240101")).unwrap();
    sink.reopen().unwrap();
    write_lines(&sink, 2..3);
    assert_eq!(fs::read(d.join("app.log-20240101")).unwrap(), lines(0..2));
    assert_eq!(fs::read(&path).unwrap(), lines(2..3));
}

#[test]
fn unwritable_directory_errors_then_recovers() {
    let dir = tempfile::tempdir().unwrap();
    let blocker = dir.path().join("blocker");
    fs::write(&blocker, b"a regular file where a directory should be").unwrap();
    let path = blocker.join("logs").join("app.log");
    let sink = RotatingFileSink::new(&path, RotationPolicy::default()).unwrap();
    for i in 0..3 {
        let err = sink.write(&rec(), &line(i)).unwrap_err();
        assert_eq!(err.kind(), SinkErrorKind::Io);
    }
    assert!(sink.last_error().unwrap().contains("cannot open"));
    assert!(sink.flush().is_ok());
    assert!(sink.rotate().is_err());
    assert!(sink.wait_idle(WAIT));

    fs::remove_file(&blocker).unwrap();
    std::thread::sleep(Duration::from_millis(1100));
    write_lines(&sink, 3..5);
    assert_eq!(fs::read(&path).unwrap(), lines(3..5));
    assert!(sink.stats().write_errors >= 3);
    assert_eq!(sink.stats().compression_errors, 0);
    sink.rotate().unwrap();
    assert!(sink.wait_idle(WAIT));
    assert_eq!(rotated(&blocker.join("logs"), "app.log").len(), 1);
}

#[test]
fn disk_full_gives_io_errors_without_panicking() {
    let full = Path::new("/dev/full"); // every write fails with ENOSPC
    if !full.exists() {
        return;
    }
    let sink = RotatingFileSink::new(full, RotationPolicy::default()).unwrap();
    for i in 0..3 {
        let err = sink.write(&rec(), &line(i)).unwrap_err();
        assert_eq!(err.kind(), SinkErrorKind::Io);
    }
    assert!(sink.last_error().unwrap().contains("cannot write"));
    assert_eq!(sink.stats().write_errors, 3);
    assert_eq!(sink.stats().rotations, 0);
}

#[test]
fn rotation_after_an_unnoticed_move_reopens_instead() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let path = d.join("app.log");
    let sink = RotatingFileSink::new(&path, policy()).unwrap(); // next check in 1 s
    write_lines(&sink, 0..2);
    fs::rename(&path, d.join("app.log.1")).unwrap();
    fs::write(&path, b"").unwrap(); // logrotate's `create`
    assert!(!sink.rotate().unwrap());
    write_lines(&sink, 2..3);
    assert!(sink.wait_idle(WAIT));
    assert_eq!(names(d), ["app.log", "app.log.1"]);
    assert_eq!(fs::read(d.join("app.log.1")).unwrap(), lines(0..2));
    assert_eq!(fs::read(&path).unwrap(), lines(2..3));
}

#[test]
fn close_flushes_and_later_writes_fail() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("app.log");
    let sink = RotatingFileSink::new(
        &path,
        RotationPolicy {
            fsync: true,
            ..policy()
        },
    )
    .unwrap();
    write_lines(&sink, 0..2);
    sink.flush().unwrap();
    sink.rotate().unwrap();
    sink.close().unwrap();
    // close waited for the compression.
    assert_eq!(rotated(dir.path(), "app.log").len(), 1);
    assert_eq!(
        sink.write(&rec(), &line(9)).unwrap_err().kind(),
        SinkErrorKind::Closed
    );
    assert!(sink.close().is_ok());
    assert!(sink.name().ends_with("app.log"));
}

#[test]
fn invalid_policies_are_rejected() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("app.log");
    let bad = |policy: RotationPolicy| RotatingFileSink::new(&p, policy).is_err();
    assert!(bad(RotationPolicy {
        max_bytes: Some(0),
        ..policy()
    }));
    assert!(bad(RotationPolicy {
        compression: Compression::Gzip { level: 10 },
        ..policy()
    }));
    assert!(bad(RotationPolicy {
        compression: Compression::Zstd { level: 99 },
        ..policy()
    }));
    assert!(RotatingFileSink::new(dir.path().join(".."), policy()).is_err());
}
