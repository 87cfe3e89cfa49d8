//! A failing sink is counted and reported, never panics the caller, and recovers.
use std::sync::Arc;

use hwlog::format::{Json, TimeZone};
use hwlog::pipeline::Route;
use hwlog::sink::FileSink;
use hwlog::{get_logger, testing, Level, Overrides};

fn is_root() -> bool {
    // Root ignores directory permissions, so a read-only directory does not fail for it.
    std::fs::read_to_string("/proc/self/status")
        .map(|s| {
            s.lines()
                .any(|l| l.starts_with("Uid:") && l.split_whitespace().nth(1) == Some("0"))
        })
        .unwrap_or(false)
}

#[test]
fn unwritable_file_sink_counts_errors_and_recovers() {
    let _serial = testing::lock();
    let _g = hwlog::setup_logging_with("testing", &Overrides::new()).unwrap();
    let dir = tempfile::tempdir().unwrap();
    // A regular file where the log directory should be: creating the directory fails for
    // every user, root included.
    let blocker = dir.path().join("logs");
    std::fs::write(&blocker, b"not a directory").unwrap();
    let target = blocker.join("app.jsonl");
    let log = get_logger("faulty");
    log.add_handler(Route::new(
        "faulty_file",
        Level::Info,
        Vec::new(),
        Box::new(Json::new(TimeZone::Utc)),
        Arc::new(FileSink::new(&target, false)),
    ));
    testing::clear();
    for i in 0..5 {
        log.at(Level::Info)
            .field("i", i)
            .log("lost to a broken disk");
    }
    let st = hwlog::logging_status();
    let (_, h) = st.handlers.iter().find(|(g, _)| g == "faulty").unwrap();
    assert_eq!(h.counters.errors, 5);
    assert_eq!(h.counters.emitted, 0);
    assert!(
        h.last_error.as_deref().unwrap().contains("cannot open"),
        "{:?}",
        h.last_error
    );
    assert!(st.totals.errors >= 5);
    assert!(st.to_string().contains("last error: cannot open"));
    // The other routes were not affected.
    assert_eq!(testing::lines().len(), 5);

    // The fault clears: after the retry interval the sink opens and writes.
    std::fs::remove_file(&blocker).unwrap();
    std::thread::sleep(std::time::Duration::from_millis(1100));
    log.error("disk is back");
    hwlog::flush().unwrap();
    let text = std::fs::read_to_string(&target).unwrap();
    assert!(text.contains("disk is back"));
    hwlog::dispatch::clear_handlers();
}

#[test]
fn read_only_directory_is_reported() {
    if is_root() {
        eprintln!("SKIPPED read_only_directory_is_reported: running as root, permissions are not enforced");
        return;
    }
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o555)).unwrap();
    let sink = FileSink::new(dir.path().join("x.log"), false);
    let rec = hwlog::Record::new(Level::Info, "a", "m");
    let err = hwlog::Sink::write(&sink, &rec, b"m\n").unwrap_err();
    assert!(err.to_string().contains("cannot open"));
}

#[test]
fn gzip_file_sink_is_readable_after_each_flush() {
    use std::io::Read;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("a.jsonl.gz");
    let sink = FileSink::new(&path, true);
    let rec = hwlog::Record::new(Level::Info, "a", "m");
    hwlog::Sink::write(&sink, &rec, b"first\n").unwrap();
    hwlog::Sink::flush(&sink).unwrap();
    hwlog::Sink::write(&sink, &rec, b"second\n").unwrap();
    hwlog::Sink::flush(&sink).unwrap();
    let read = || {
        let mut s = String::new();
        flate2::read::MultiGzDecoder::new(std::fs::File::open(&path).unwrap())
            .read_to_string(&mut s)
            .unwrap();
        s
    };
    assert_eq!(read(), "first\nsecond\n");
    hwlog::Sink::write(&sink, &rec, b"third\n").unwrap();
    drop(sink);
    assert_eq!(read(), "first\nsecond\nthird\n");
}
