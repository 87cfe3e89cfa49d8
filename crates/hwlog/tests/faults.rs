//! A failing sink is counted and reported, never panics the caller, and recovers.
use std::sync::Arc;

use hwlog::format::{Json, TimeZone};
use hwlog::pipeline::Route;
use hwlog::sink::FileSink;
use hwlog::{get_logger, testing, Level, Overrides};

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

#[test]
fn a_panicking_sink_never_reaches_the_caller() {
    struct Boom;
    impl hwlog::Sink for Boom {
        fn name(&self) -> String {
            "boom".into()
        }
        fn write(&self, _: &hwlog::Record, _: &[u8]) -> Result<(), hwlog::SinkError> {
            panic!("sink bug")
        }
        fn flush(&self) -> Result<(), hwlog::SinkError> {
            Ok(())
        }
    }
    let _serial = testing::lock();
    let _g = hwlog::setup_logging_with("testing", &Overrides::new()).unwrap();
    let before = hwlog::logging_status().totals.errors;
    let log = get_logger("boomy");
    log.add_handler(Route::new(
        "boom",
        Level::Info,
        Vec::new(),
        Box::new(Json::new(TimeZone::Utc)),
        Arc::new(Boom),
    ));
    testing::clear();
    log.info("does not panic");
    log.info("still fine");
    let st = hwlog::logging_status();
    assert_eq!(st.totals.errors - before, 2);
    let (_, h) = st.handlers.iter().find(|(g, _)| g == "boomy").unwrap();
    assert_eq!(
        h.last_error.as_deref(),
        Some("a filter, formatter or sink panicked")
    );
    // The profile's own route still got both records.
    assert_eq!(testing::lines().len(), 2);
    hwlog::dispatch::clear_handlers();
    // Logging still works afterwards (the re-entrancy flag was reset).
    testing::clear();
    log.info("after");
    assert_eq!(testing::lines().len(), 1);
}

#[test]
fn setup_logging_is_idempotent() {
    let _serial = testing::lock();
    let _g = hwlog::setup_logging_with("testing", &Overrides::new()).unwrap();
    let _g2 = hwlog::setup_logging().unwrap();
    let _g3 = hwlog::setup_logging().unwrap();
    assert_eq!(hwlog::logging_status().profile.as_deref(), Some("testing"));
}

#[test]
fn disk_full_counts_every_failed_record_and_the_caller_stays_fast() {
    use hwlog::nonblocking::NonBlockingOptions;
    // Its failures count in the process-wide totals another test here measures.
    let _serial = testing::lock();
    // /dev/full fails every write with ENOSPC, as a full disk does.
    if !std::path::Path::new("/dev/full").exists() {
        println!("SKIPPED disk_full: /dev/full is missing");
        return;
    }
    let route = Route::new(
        "full",
        Level::Info,
        Vec::new(),
        Box::new(Json::new(TimeZone::Utc)),
        Arc::new(FileSink::new("/dev/full", false)),
    )
    .non_blocking(NonBlockingOptions::default());
    let t = std::time::Instant::now();
    for i in 0..1000 {
        route.process(hwlog::Record::new(Level::Info, "disk", "no space").with_field("i", i));
    }
    assert!(
        t.elapsed() < std::time::Duration::from_secs(2),
        "the caller never waits on the disk"
    );
    let _ = route.flush();
    let st = route.status();
    assert_eq!(st.counters.errors, 1000, "{st:?}");
    assert_eq!(st.counters.emitted, 0);
    assert!(st.last_error.unwrap().contains("No space left on device"));
}

#[test]
fn reopen_follows_a_file_moved_away() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("app.log");
    let sink = FileSink::new(&path, false);
    let rec = hwlog::Record::new(Level::Info, "a", "m");
    hwlog::Sink::write(&sink, &rec, b"before\n").unwrap();
    hwlog::Sink::flush(&sink).unwrap();
    std::fs::rename(&path, dir.path().join("app.log.1")).unwrap();
    hwlog::Sink::reopen(&sink).unwrap();
    hwlog::Sink::write(&sink, &rec, b"after\n").unwrap();
    hwlog::Sink::flush(&sink).unwrap();
    assert_eq!(std::fs::read_to_string(&path).unwrap(), "after\n");
    assert_eq!(
        std::fs::read_to_string(dir.path().join("app.log.1")).unwrap(),
        "before\n"
    );
}
