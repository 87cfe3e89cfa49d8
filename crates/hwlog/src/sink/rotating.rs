//! A file sink that rotates by size and/or time, compresses rotated files on a background
//! thread (zstd, gzip or none), applies retention by count, age and total size, recovers from
//! crashes at start-up, and reopens its file when logrotate moves it away.
//!
//! Layout of a log directory for the active file `logs/app.jsonl`:
//!
//! ```text
//! logs/app.jsonl                              active file, appended to
//! logs/app.jsonl.20240101T010000.000Z.zst     rotated at 01:00:00.000 UTC, compressed
//! logs/app.jsonl.20240101T010000.000Z.1.zst   second rotation in the same millisecond
//! logs/app.jsonl.20240101T020000.000Z         rotated, waiting for its compression
//! logs/app.jsonl.20240101T020000.000Z.zst.tmp compression in progress (deleted if left over)
//! ```
//!
//! A rotated file is named after the UTC time of its rotation (`%Y%m%dT%H%M%S%.3fZ`) followed,
//! when that name is taken, by `.<n>` (1, 2, …). Names are made monotonic (a clock that goes
//! back reuses the newest stamp with a higher `n`), so ordering by (stamp, `n` as a number)
//! orders the files by age; [`RotatingFileSink::rotated_files`] returns them in that order.
//!
//! ```
//! use std::time::Duration;
//! use hwlog::sink::rotating::{Compression, RotatingFileSink, RotationPolicy};
//! use hwlog_core::{Level, Record, Sink};
//!
//! let dir = tempfile::tempdir().unwrap();
//! let policy = RotationPolicy {
//!     max_bytes: Some(64),
//!     compression: Compression::Zstd { level: 3 },
//!     max_files: Some(2),
//!     ..RotationPolicy::default()
//! };
//! let sink = RotatingFileSink::new(dir.path().join("app.log"), policy).unwrap();
//! let rec = Record::new(Level::Info, "demo", "hello");
//! for i in 0..10 {
//!     // 32 bytes a line: two lines a file.
//!     sink.write(&rec, format!("{i:031}\n").as_bytes()).unwrap();
//! }
//! assert!(sink.wait_idle(Duration::from_secs(10)));
//! let rotated = sink.rotated_files();
//! assert_eq!(rotated.len(), 2); // retention keeps the two newest of four
//! assert!(rotated.iter().all(|p| p.extension().unwrap() == "zst"));
//! assert_eq!(sink.stats().rotations, 4);
//! sink.close().unwrap();
//! ```
use std::fs::{self, File, OpenOptions};
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::thread::JoinHandle;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use hwlog_core::{Batch, Record, Sink, SinkError, SinkErrorKind};

#[path = "rotating_retention.rs"]
mod retention;

use retention::{next_boundary, Key};

/// Opening the active file and renaming it are retried at most this often after a failure.
const RETRY_EVERY: Duration = Duration::from_secs(1);
const HOUR_NS: i64 = 3_600_000_000_000;
const DAY_NS: i64 = 24 * HOUR_NS;

/// Source of the current time for rotation boundaries, rotated-file names and age-based
/// retention. Inject one with [`RotatingFileSink::with_clock`] to test time rotation without
/// sleeping.
///
/// ```
/// use std::sync::atomic::{AtomicI64, Ordering};
/// use hwlog::sink::rotating::RotationClock;
///
/// struct Fixed(AtomicI64);
/// impl RotationClock for Fixed {
///     fn now_utc_nanos(&self) -> i64 { self.0.load(Ordering::Relaxed) }
/// }
/// let clock = Fixed(AtomicI64::new(1_700_000_000_000_000_000));
/// assert_eq!(clock.now_utc_nanos(), 1_700_000_000_000_000_000);
/// ```
pub trait RotationClock: Send + Sync {
    /// Nanoseconds since the Unix epoch, UTC.
    fn now_utc_nanos(&self) -> i64;
}

/// The system's wall clock (the default).
///
/// ```
/// use hwlog::sink::rotating::{RotationClock, SystemClock};
/// assert!(SystemClock.now_utc_nanos() > 1_600_000_000_000_000_000);
/// ```
#[derive(Clone, Copy, Debug, Default)]
pub struct SystemClock;

impl RotationClock for SystemClock {
    fn now_utc_nanos(&self) -> i64 {
        match SystemTime::now().duration_since(UNIX_EPOCH) {
            Ok(d) => d.as_nanos() as i64,
            Err(e) => -(e.duration().as_nanos() as i64),
        }
    }
}

/// Time-based rotation period. Boundaries fall on whole hours / midnights, in UTC or in local
/// time ([`RotationPolicy::local_time`]).
///
/// ```
/// use hwlog::sink::rotating::{Every, RotationPolicy};
/// let policy = RotationPolicy { every: Some(Every::Daily), ..RotationPolicy::default() };
/// assert_eq!(policy.every, Some(Every::Daily));
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Every {
    /// At the start of every hour.
    Hourly,
    /// At midnight.
    Daily,
}

/// How rotated files are compressed (on the background thread).
///
/// ```
/// use hwlog::sink::rotating::Compression;
/// assert_eq!(Compression::default(), Compression::Zstd { level: 3 });
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Compression {
    /// Rotated files stay as they are.
    None,
    /// gzip (`.gz`), level 0–9.
    Gzip {
        /// 0 (store) to 9 (best).
        level: u32,
    },
    /// Zstandard (`.zst`, with a content checksum), level 1–22 (negative levels are faster).
    Zstd {
        /// Compression level; 3 is zstd's default.
        level: i32,
    },
}

impl Default for Compression {
    fn default() -> Self {
        Compression::Zstd { level: 3 }
    }
}

impl Compression {
    fn extension(self) -> Option<&'static str> {
        match self {
            Compression::None => None,
            Compression::Gzip { .. } => Some("gz"),
            Compression::Zstd { .. } => Some("zst"),
        }
    }
}

/// When to rotate, how to compress and what to keep.
///
/// Rotation happens before a write when the active file is not empty and either the write
/// would take it past `max_bytes` or a time boundary of `every` has passed, whichever comes
/// first. A batch is never split, so a file exceeds `max_bytes` only when a single batch is
/// larger than `max_bytes` (it then sits alone in its file).
///
/// Retention applies to rotated files (never the active file), newest kept first, after each
/// rotation and at start-up: at most `max_files` files, none rotated more than `max_age` ago
/// (by the time in its name and the sink's clock), and at most `max_total_bytes` in total (as
/// stored, i.e. compressed). `None` means no limit.
///
/// ```
/// use std::time::Duration;
/// use hwlog::sink::rotating::{Compression, Every, RotationPolicy};
///
/// let policy = RotationPolicy {
///     max_bytes: Some(50 << 20),
///     every: Some(Every::Daily),
///     compression: Compression::Gzip { level: 6 },
///     max_age: Some(Duration::from_secs(14 * 86_400)),
///     max_files: None,
///     ..RotationPolicy::default()
/// };
/// assert!(!policy.fsync);
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RotationPolicy {
    /// Rotate before a write that would make the active file larger than this. Default 100 MiB.
    pub max_bytes: Option<u64>,
    /// Rotate at each hour / day boundary. Default `None`.
    pub every: Option<Every>,
    /// Boundaries of `every` in local time instead of UTC. Rotated-file names are UTC in
    /// either case. Default `false`.
    pub local_time: bool,
    /// Compression of rotated files. Default zstd level 3.
    pub compression: Compression,
    /// Keep at most this many rotated files. Default 10.
    pub max_files: Option<usize>,
    /// Delete rotated files older than this. Default `None`.
    pub max_age: Option<Duration>,
    /// Keep at most this many bytes of rotated files. Default `None`.
    pub max_total_bytes: Option<u64>,
    /// `sync_data` the active file on every flush and before rotating it. Default `false`.
    pub fsync: bool,
    /// How often a write checks (with one `stat`) whether the active file was moved away or
    /// deleted, in which case the sink reopens it. `Duration::ZERO` checks on every write.
    /// Default 1 s.
    pub check_interval: Duration,
    /// How long `close` (and drop) waits for pending compressions; unfinished work is
    /// abandoned cleanly and redone at the next start. Default 10 s.
    pub close_timeout: Duration,
}

impl Default for RotationPolicy {
    fn default() -> Self {
        RotationPolicy {
            max_bytes: Some(100 << 20),
            every: None,
            local_time: false,
            compression: Compression::default(),
            max_files: Some(10),
            max_age: None,
            max_total_bytes: None,
            fsync: false,
            check_interval: Duration::from_secs(1),
            close_timeout: Duration::from_secs(10),
        }
    }
}

/// Counters of a [`RotatingFileSink`] since it was created.
///
/// ```
/// use hwlog::sink::rotating::RotationStats;
/// let s = RotationStats::default();
/// assert_eq!(s.rotations + s.files_compressed + s.compression_errors, 0);
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct RotationStats {
    /// Rotations done (active file renamed).
    pub rotations: u64,
    /// Rotated files compressed (including leftovers recovered at start-up).
    pub files_compressed: u64,
    /// Size of the files compressed, before compression.
    pub bytes_before_compression: u64,
    /// Size of the files compressed, after compression.
    pub bytes_after_compression: u64,
    /// Failures of the background thread: compression, leftover clean-up or retention.
    /// The last one is in [`RotatingFileSink::last_compression_error`].
    pub compression_errors: u64,
    /// Rotated files deleted by retention.
    pub files_removed: u64,
    /// Times the active file was reopened (moved away, deleted, or [`RotatingFileSink::reopen`]).
    pub reopens: u64,
    /// Writes that failed (the sink could not open or write its file).
    pub write_errors: u64,
    /// Rotations that failed (the active file could not be renamed); writing went on into the
    /// active file and rotation was retried a second later.
    pub rotation_errors: u64,
}

#[derive(Default)]
struct Counters {
    rotations: AtomicU64,
    files_compressed: AtomicU64,
    bytes_before: AtomicU64,
    bytes_after: AtomicU64,
    compression_errors: AtomicU64,
    files_removed: AtomicU64,
    reopens: AtomicU64,
    write_errors: AtomicU64,
    rotation_errors: AtomicU64,
}

fn bump(c: &AtomicU64) {
    c.fetch_add(1, Ordering::Relaxed);
}

/// State shared with the background thread.
struct Shared {
    dir: PathBuf,
    name: String,
    policy: RotationPolicy,
    clock: Arc<dyn RotationClock>,
    work: Mutex<Work>,
    cv: Condvar,
    stop: AtomicBool,
    stats: Counters,
    last_bg_error: Mutex<Option<String>>,
}

#[derive(Default)]
struct Work {
    /// A maintenance pass (recovery, compression, retention) was requested.
    pending: bool,
    /// The background thread is running a pass.
    busy: bool,
    /// The background thread has exited (or could not start).
    exited: bool,
}

impl Shared {
    fn request_pass(&self) {
        let mut w = lock(&self.work);
        w.pending = true;
        self.cv.notify_all();
    }

    fn bg_error(&self, msg: String) {
        bump(&self.stats.compression_errors);
        *lock(&self.last_bg_error) = Some(msg);
    }
}

/// The active file and what the write path knows about it.
struct Active {
    file: Option<File>,
    /// Bytes in the active file (as far as this sink knows).
    size: u64,
    /// (device, inode) of the open file, to notice that the path now names another file.
    id: Option<(u64, u64)>,
    /// Next time boundary (ns since the epoch), when rotating by time.
    boundary: Option<i64>,
    /// Name of the newest rotated file, to keep names monotonic.
    last_key: Option<Key>,
    checked_at: Instant,
    /// When opening last failed.
    failed_at: Option<Instant>,
    /// When renaming for a rotation last failed.
    rotate_failed_at: Option<Instant>,
    last_error: Option<String>,
    closed: bool,
}

/// A [`Sink`] writing to `DIR/NAME`, rotating it by size and/or time, compressing rotated
/// files on a background thread and deleting old ones (see the [module docs](self) for the
/// file layout).
///
/// Guarantees:
/// - each `write` / `write_batch` is one `write_all` on the active file; rotation happens only
///   between them, so no line is ever split across files;
/// - the caller of `write` never compresses: it only renames the full file and opens a new
///   one;
/// - compression goes to `rotated.zst.tmp`, which is fsynced and renamed before the
///   uncompressed file is deleted, and leftovers of a crash are recovered at start-up (a
///   `.tmp` is deleted and redone, an uncompressed rotated file is compressed, a finished
///   compressed file is never touched except by retention): a crash loses no finished file;
/// - I/O errors never panic: writes return a [`SinkErrorKind::Io`] error, opening is retried
///   at most once a second, background failures are counted in [`RotationStats`].
///
/// One sink per directory and name: two sinks (or processes) on the same files would race.
///
/// ```
/// use std::time::Duration;
/// use hwlog::sink::rotating::{RotatingFileSink, RotationPolicy};
/// use hwlog_core::{Level, Record, Sink};
///
/// let dir = tempfile::tempdir().unwrap();
/// let sink = RotatingFileSink::new(dir.path().join("app.log"), RotationPolicy::default()).unwrap();
/// sink.write(&Record::new(Level::Info, "demo", "hi"), b"hi\n").unwrap();
/// sink.rotate().unwrap();
/// sink.write(&Record::new(Level::Info, "demo", "ho"), b"ho\n").unwrap();
/// assert!(sink.wait_idle(Duration::from_secs(10)));
/// assert_eq!(sink.rotated_files().len(), 1);
/// assert_eq!(std::fs::read(dir.path().join("app.log")).unwrap(), b"ho\n");
/// ```
pub struct RotatingFileSink {
    path: PathBuf,
    shared: Arc<Shared>,
    state: Mutex<Active>,
    worker: Mutex<Option<JoinHandle<()>>>,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

fn io_error(msg: String) -> SinkError {
    SinkError::new(SinkErrorKind::Io, msg)
}

#[cfg(unix)]
fn file_id(m: &fs::Metadata) -> Option<(u64, u64)> {
    use std::os::unix::fs::MetadataExt;
    Some((m.dev(), m.ino()))
}

#[cfg(not(unix))]
fn file_id(_m: &fs::Metadata) -> Option<(u64, u64)> {
    None
}

fn system_time_nanos(t: SystemTime) -> i64 {
    match t.duration_since(UNIX_EPOCH) {
        Ok(d) => d.as_nanos() as i64,
        Err(e) => -(e.duration().as_nanos() as i64),
    }
}

impl RotatingFileSink {
    /// A sink writing to `path` with the system clock. See [`RotatingFileSink::with_clock`].
    ///
    /// ```
    /// use hwlog::sink::rotating::{RotatingFileSink, RotationPolicy};
    /// let dir = tempfile::tempdir().unwrap();
    /// let sink = RotatingFileSink::new(dir.path().join("app.log"), RotationPolicy::default());
    /// assert!(sink.is_ok());
    /// ```
    pub fn new(path: impl Into<PathBuf>, policy: RotationPolicy) -> Result<Self, SinkError> {
        Self::with_clock(path, policy, Arc::new(SystemClock))
    }

    /// A sink writing to `path` whose rotation times come from `clock`.
    ///
    /// Creates the directory and opens (appends to) the active file, and starts the
    /// background thread, which recovers leftovers of an earlier run and applies retention.
    /// Fails only for an invalid path (no UTF-8 file name) or policy (`max_bytes` of 0,
    /// compression level out of range) or when the thread cannot start: if the file cannot
    /// be opened, the sink is still created and writes return errors until it can.
    ///
    /// After a restart, an active file that already has content keeps the time period of
    /// its modification time (or the clock's time, if earlier): a daily file written
    /// yesterday is rotated at the first write today.
    ///
    /// ```
    /// use std::sync::Arc;
    /// use hwlog::sink::rotating::{Every, RotatingFileSink, RotationPolicy, SystemClock};
    /// let dir = tempfile::tempdir().unwrap();
    /// let policy = RotationPolicy { every: Some(Every::Hourly), ..RotationPolicy::default() };
    /// let sink = RotatingFileSink::with_clock(dir.path().join("a.log"), policy, Arc::new(SystemClock));
    /// assert!(sink.is_ok());
    /// ```
    pub fn with_clock(
        path: impl Into<PathBuf>,
        policy: RotationPolicy,
        clock: Arc<dyn RotationClock>,
    ) -> Result<Self, SinkError> {
        let path = path.into();
        let invalid = |msg: String| SinkError::new(SinkErrorKind::Other, msg);
        let name = match path.file_name().and_then(|n| n.to_str()) {
            Some(n) if !n.is_empty() => n.to_string(),
            _ => {
                return Err(invalid(format!(
                    "rotating sink: {} has no UTF-8 file name",
                    path.display()
                )))
            }
        };
        if policy.max_bytes == Some(0) {
            return Err(invalid(
                "rotating sink: max_bytes must be at least 1".into(),
            ));
        }
        match policy.compression {
            Compression::Gzip { level } if level > 9 => {
                return Err(invalid(format!(
                    "rotating sink: gzip level {level} is not in 0..=9"
                )));
            }
            Compression::Zstd { level } if !zstd::compression_level_range().contains(&level) => {
                return Err(invalid(format!(
                    "rotating sink: zstd level {level} is out of range"
                )));
            }
            _ => {}
        }
        let dir = match path.parent() {
            Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
            _ => PathBuf::from("."),
        };
        let shared = Arc::new(Shared {
            dir,
            name,
            policy,
            clock,
            work: Mutex::new(Work::default()),
            cv: Condvar::new(),
            stop: AtomicBool::new(false),
            stats: Counters::default(),
            last_bg_error: Mutex::new(None),
        });
        let bg = Arc::clone(&shared);
        let worker = std::thread::Builder::new()
            .name("hwlog-rotate".into())
            .spawn(move || {
                // Compression must not take CPU from the threads that log: run it at the
                // lowest scheduling priority.
                crate::sched::lowest_priority();
                retention::run(bg)
            })
            .map_err(|e| invalid(format!("rotating sink: cannot start its thread: {e}")))?;
        let last_key = retention::newest_key(&shared.dir, &shared.name);
        let sink = RotatingFileSink {
            path,
            shared,
            state: Mutex::new(Active {
                file: None,
                size: 0,
                id: None,
                boundary: None,
                last_key,
                checked_at: Instant::now(),
                failed_at: None,
                rotate_failed_at: None,
                last_error: None,
                closed: false,
            }),
            worker: Mutex::new(Some(worker)),
        };
        {
            let mut st = lock(&sink.state);
            if let Err(e) = sink.open_active(&mut st) {
                sink.open_failed(&mut st, e);
            }
        }
        sink.shared.request_pass();
        Ok(sink)
    }

    /// The active file's path.
    ///
    /// ```
    /// use hwlog::sink::rotating::{RotatingFileSink, RotationPolicy};
    /// let dir = tempfile::tempdir().unwrap();
    /// let sink = RotatingFileSink::new(dir.path().join("a.log"), RotationPolicy::default()).unwrap();
    /// assert!(sink.path().ends_with("a.log"));
    /// ```
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The policy the sink was created with.
    ///
    /// ```
    /// use hwlog::sink::rotating::{RotatingFileSink, RotationPolicy};
    /// let dir = tempfile::tempdir().unwrap();
    /// let sink = RotatingFileSink::new(dir.path().join("a.log"), RotationPolicy::default()).unwrap();
    /// assert_eq!(sink.policy(), &RotationPolicy::default());
    /// ```
    pub fn policy(&self) -> &RotationPolicy {
        &self.shared.policy
    }

    /// Counters since the sink was created.
    ///
    /// ```
    /// use hwlog::sink::rotating::{RotatingFileSink, RotationPolicy};
    /// let dir = tempfile::tempdir().unwrap();
    /// let sink = RotatingFileSink::new(dir.path().join("a.log"), RotationPolicy::default()).unwrap();
    /// assert_eq!(sink.stats().rotations, 0);
    /// ```
    pub fn stats(&self) -> RotationStats {
        let c = &self.shared.stats;
        let g = |a: &AtomicU64| a.load(Ordering::Relaxed);
        RotationStats {
            rotations: g(&c.rotations),
            files_compressed: g(&c.files_compressed),
            bytes_before_compression: g(&c.bytes_before),
            bytes_after_compression: g(&c.bytes_after),
            compression_errors: g(&c.compression_errors),
            files_removed: g(&c.files_removed),
            reopens: g(&c.reopens),
            write_errors: g(&c.write_errors),
            rotation_errors: g(&c.rotation_errors),
        }
    }

    /// The last failure of the background thread (compression, clean-up, retention), if any.
    ///
    /// ```
    /// use hwlog::sink::rotating::{RotatingFileSink, RotationPolicy};
    /// let dir = tempfile::tempdir().unwrap();
    /// let sink = RotatingFileSink::new(dir.path().join("a.log"), RotationPolicy::default()).unwrap();
    /// assert_eq!(sink.last_compression_error(), None);
    /// ```
    pub fn last_compression_error(&self) -> Option<String> {
        lock(&self.shared.last_bg_error).clone()
    }

    /// The last failure to open, write or rotate the active file, if any.
    ///
    /// ```
    /// use hwlog::sink::rotating::{RotatingFileSink, RotationPolicy};
    /// let dir = tempfile::tempdir().unwrap();
    /// let sink = RotatingFileSink::new(dir.path().join("a.log"), RotationPolicy::default()).unwrap();
    /// assert_eq!(sink.last_error(), None);
    /// ```
    pub fn last_error(&self) -> Option<String> {
        lock(&self.state).last_error.clone()
    }

    /// The rotated files now on disk, oldest first: the compressed file where there is one,
    /// otherwise the uncompressed one (`.tmp` files are left out).
    ///
    /// ```
    /// use hwlog::sink::rotating::{RotatingFileSink, RotationPolicy};
    /// let dir = tempfile::tempdir().unwrap();
    /// let sink = RotatingFileSink::new(dir.path().join("a.log"), RotationPolicy::default()).unwrap();
    /// assert!(sink.rotated_files().is_empty());
    /// ```
    pub fn rotated_files(&self) -> Vec<PathBuf> {
        retention::rotated_files(&self.shared.dir, &self.shared.name)
    }

    /// Waits until the background thread has no pending compression or retention, at most
    /// `timeout`. Returns whether it is idle.
    ///
    /// ```
    /// use std::time::Duration;
    /// use hwlog::sink::rotating::{RotatingFileSink, RotationPolicy};
    /// let dir = tempfile::tempdir().unwrap();
    /// let sink = RotatingFileSink::new(dir.path().join("a.log"), RotationPolicy::default()).unwrap();
    /// assert!(sink.wait_idle(Duration::from_secs(5)));
    /// ```
    pub fn wait_idle(&self, timeout: Duration) -> bool {
        let deadline = Instant::now() + timeout;
        let sh = &self.shared;
        let mut w = lock(&sh.work);
        loop {
            if !w.pending && !w.busy {
                return true;
            }
            if w.exited {
                return false;
            }
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return false;
            }
            w = match sh.cv.wait_timeout(w, left) {
                Ok((g, _)) => g,
                Err(p) => p.into_inner().0,
            };
        }
    }

    /// Rotates now (if the active file is not empty). Returns whether it rotated (not if the
    /// file turned out to have been moved away, in which case it is reopened instead).
    ///
    /// ```
    /// use hwlog::sink::rotating::{RotatingFileSink, RotationPolicy};
    /// use hwlog_core::{Level, Record, Sink};
    /// let dir = tempfile::tempdir().unwrap();
    /// let sink = RotatingFileSink::new(dir.path().join("a.log"), RotationPolicy::default()).unwrap();
    /// assert!(!sink.rotate().unwrap());
    /// sink.write(&Record::new(Level::Info, "x", "y"), b"y\n").unwrap();
    /// assert!(sink.rotate().unwrap());
    /// ```
    pub fn rotate(&self) -> Result<bool, SinkError> {
        let mut st = lock(&self.state);
        if st.closed {
            return Err(SinkError::new(
                SinkErrorKind::Closed,
                "rotating sink is closed",
            ));
        }
        self.ensure_open(&mut st)?;
        if st.size == 0 {
            return Ok(false);
        }
        let now = self.shared.clock.now_utc_nanos();
        let before = self.shared.stats.rotations.load(Ordering::Relaxed);
        self.rotate_locked(&mut st, now)?;
        // Rotations are counted under the state lock; none if the file had been moved away.
        Ok(self.shared.stats.rotations.load(Ordering::Relaxed) != before)
    }

    /// Closes the active file and opens the path afresh: call it after an external tool
    /// (logrotate) moved the file away, e.g. from a SIGHUP handler. Writes also notice a
    /// moved or deleted file by themselves, within [`RotationPolicy::check_interval`].
    ///
    /// ```
    /// use hwlog::sink::rotating::{RotatingFileSink, RotationPolicy};
    /// let dir = tempfile::tempdir().unwrap();
    /// let sink = RotatingFileSink::new(dir.path().join("a.log"), RotationPolicy::default()).unwrap();
    /// std::fs::rename(dir.path().join("a.log"), dir.path().join("a.log.1")).unwrap();
    /// sink.reopen().unwrap();
    /// assert!(dir.path().join("a.log").exists());
    /// ```
    pub fn reopen(&self) -> Result<(), SinkError> {
        let mut st = lock(&self.state);
        if st.closed {
            return Err(SinkError::new(
                SinkErrorKind::Closed,
                "rotating sink is closed",
            ));
        }
        self.reopen_locked(&mut st)
    }

    fn reopen_locked(&self, st: &mut Active) -> Result<(), SinkError> {
        if let Some(f) = st.file.take() {
            if self.shared.policy.fsync {
                let _ = f.sync_data();
            }
        }
        bump(&self.shared.stats.reopens);
        match self.open_active(st) {
            Ok(()) => Ok(()),
            Err(e) => Err(self.open_failed(st, e)),
        }
    }

    /// Opens (creating) the active file and its directory; sets size, identity and boundary.
    fn open_active(&self, st: &mut Active) -> io::Result<()> {
        if let Some(parent) = self.path.parent().filter(|p| !p.as_os_str().is_empty()) {
            fs::create_dir_all(parent)?;
        }
        let f = OpenOptions::new()
            .create(true)
            .append(true)
            .open(&self.path)?;
        let m = f.metadata()?;
        st.size = m.len();
        st.id = file_id(&m);
        st.boundary = self.shared.policy.every.map(|every| {
            let now = self.shared.clock.now_utc_nanos();
            let start = match m.modified() {
                Ok(t) if m.len() > 0 => system_time_nanos(t).min(now),
                _ => now,
            };
            next_boundary(every, self.shared.policy.local_time, start)
        });
        st.file = Some(f);
        st.checked_at = Instant::now();
        if st.failed_at.take().is_some() {
            // The fault cleared: the start-up scan may not have seen the directory.
            self.shared.request_pass();
        }
        Ok(())
    }

    fn open_failed(&self, st: &mut Active, e: io::Error) -> SinkError {
        st.file = None;
        st.failed_at = Some(Instant::now());
        let msg = format!("cannot open {}: {e}", self.path.display());
        st.last_error = Some(msg.clone());
        io_error(msg)
    }

    fn ensure_open(&self, st: &mut Active) -> Result<(), SinkError> {
        if st.file.is_some() {
            return Ok(());
        }
        if let Some(t) = st.failed_at {
            if t.elapsed() < RETRY_EVERY {
                let msg = st
                    .last_error
                    .as_deref()
                    .unwrap_or("cannot open the log file");
                return Err(io_error(format!("{msg} (retrying every second)")));
            }
        }
        match self.open_active(st) {
            Ok(()) => Ok(()),
            Err(e) => Err(self.open_failed(st, e)),
        }
    }

    /// Reopens when the path no longer names the open file (moved away or deleted).
    fn check_moved(&self, st: &mut Active) {
        if st.checked_at.elapsed() < self.shared.policy.check_interval {
            return;
        }
        st.checked_at = Instant::now();
        let moved = match fs::metadata(&self.path) {
            Err(e) => e.kind() == io::ErrorKind::NotFound,
            Ok(m) => {
                if m.len() < st.size {
                    st.size = m.len(); // truncated by someone else (copytruncate)
                }
                file_id(&m) != st.id
            }
        };
        if moved {
            let _ = self.reopen_locked(st);
        }
    }

    /// The name for a rotation at `now`: monotonic and not taken.
    fn next_key(&self, st: &Active, now: i64) -> Key {
        let mut key = Key::new(now.div_euclid(1_000_000), 0);
        if let Some(last) = &st.last_key {
            if key <= *last {
                key = Key {
                    stamp: last.stamp.clone(),
                    n: last.n + 1,
                };
            }
        }
        while retention::taken(&self.shared.dir, &self.shared.name, &key) {
            key.n += 1;
        }
        key
    }

    /// Renames the active file (Err: it stays active) and opens a new one (a failure there
    /// leaves no file open, which the write path reports).
    fn rotate_locked(&self, st: &mut Active, now: i64) -> Result<(), SinkError> {
        let Some(file) = st.file.as_ref() else {
            return Ok(());
        };
        let sh = &self.shared;
        if sh.policy.fsync {
            let _ = file.sync_data();
        }
        // Moved away or replaced since the last check: the file is someone else's now.
        let moved = match fs::metadata(&self.path) {
            Ok(m) => file_id(&m) != st.id,
            Err(e) => e.kind() == io::ErrorKind::NotFound,
        };
        if moved {
            return self.reopen_locked(st);
        }
        let key = self.next_key(st, now);
        let dst = sh.dir.join(key.file_name(&sh.name));
        if let Err(e) = fs::rename(&self.path, &dst) {
            bump(&sh.stats.rotation_errors);
            st.rotate_failed_at = Some(Instant::now());
            let msg = format!(
                "cannot rotate {} to {}: {e}",
                self.path.display(),
                dst.display()
            );
            st.last_error = Some(msg.clone());
            return Err(io_error(msg));
        }
        st.file = None;
        st.rotate_failed_at = None;
        st.last_key = Some(key);
        bump(&sh.stats.rotations);
        if sh.policy.fsync {
            retention::sync_dir(&sh.dir);
        }
        sh.request_pass();
        if let Err(e) = self.open_active(st) {
            self.open_failed(st, e);
        }
        Ok(())
    }

    /// Rotates before writing `len` bytes if the size or time limit says so.
    fn maybe_rotate(&self, st: &mut Active, len: usize) {
        let p = &self.shared.policy;
        let size_due = st.size > 0 && p.max_bytes.is_some_and(|m| st.size + len as u64 > m);
        let mut now = None;
        let time_due = match (st.boundary, p.every) {
            (Some(b), Some(every)) => {
                let n = self.shared.clock.now_utc_nanos();
                now = Some(n);
                if n >= b && st.size == 0 {
                    // Nothing to rotate: just move on to the next period.
                    st.boundary = Some(next_boundary(every, p.local_time, n));
                    false
                } else {
                    n >= b
                }
            }
            _ => false,
        };
        if !size_due && !time_due {
            return;
        }
        if st
            .rotate_failed_at
            .is_some_and(|t| t.elapsed() < RETRY_EVERY)
        {
            return; // keep appending; retry the rename later
        }
        let now = now.unwrap_or_else(|| self.shared.clock.now_utc_nanos());
        let _ = self.rotate_locked(st, now);
    }

    fn write_bytes(&self, bytes: &[u8]) -> Result<(), SinkError> {
        let mut st = lock(&self.state);
        let st = &mut *st;
        if st.closed {
            return Err(SinkError::new(
                SinkErrorKind::Closed,
                "rotating sink is closed",
            ));
        }
        let res = self.write_locked(st, bytes);
        if res.is_err() {
            bump(&self.shared.stats.write_errors);
        }
        res
    }

    fn write_locked(&self, st: &mut Active, bytes: &[u8]) -> Result<(), SinkError> {
        self.ensure_open(st)?;
        self.check_moved(st);
        self.ensure_open(st)?;
        self.maybe_rotate(st, bytes.len());
        self.ensure_open(st)?;
        let Some(f) = st.file.as_mut() else {
            return Err(io_error("log file is not open".into()));
        };
        match f.write_all(bytes) {
            Ok(()) => {
                st.size += bytes.len() as u64;
                Ok(())
            }
            Err(e) => {
                // Cut off a partial line (disk full), so that the file holds whole lines only.
                if let Ok(m) = f.metadata() {
                    let extra = m.len().saturating_sub(st.size);
                    if extra > 0 && extra < bytes.len() as u64 {
                        let _ = f.set_len(st.size);
                    }
                }
                st.file = None;
                st.failed_at = Some(Instant::now());
                let msg = format!("cannot write {}: {e}", self.path.display());
                st.last_error = Some(msg.clone());
                Err(io_error(msg))
            }
        }
    }

    /// Stops the background thread: waits for it to go idle (at most `close_timeout`), then
    /// makes it abandon what is left and joins it.
    fn stop_worker(&self) {
        let Some(handle) = lock(&self.worker).take() else {
            return;
        };
        self.wait_idle(self.shared.policy.close_timeout);
        {
            let _w = lock(&self.shared.work);
            self.shared.stop.store(true, Ordering::SeqCst);
            self.shared.cv.notify_all();
        }
        let _ = handle.join();
    }
}

impl Sink for RotatingFileSink {
    fn name(&self) -> String {
        format!("rotating:{}", self.path.display())
    }

    fn write(&self, _record: &Record, line: &[u8]) -> Result<(), SinkError> {
        self.write_bytes(line)
    }

    /// Writes the whole batch with one `write_all`, after rotating if needed.
    fn write_batch(&self, batch: &Batch) -> Result<(), SinkError> {
        if batch.is_empty() {
            return Ok(());
        }
        self.write_bytes(batch.bytes())
    }

    /// Flushes the file to the OS, plus `sync_data` when [`RotationPolicy::fsync`] is set.
    fn flush(&self) -> Result<(), SinkError> {
        let mut st = lock(&self.state);
        if let Some(f) = st.file.as_mut() {
            f.flush()?;
            if self.shared.policy.fsync {
                f.sync_data()?;
            }
        }
        Ok(())
    }

    /// Flushes and closes the active file, waits (at most
    /// [`RotationPolicy::close_timeout`]) for pending compressions, and stops the background
    /// thread. Later writes fail with [`SinkErrorKind::Closed`].
    fn reopen(&self) -> Result<(), SinkError> {
        RotatingFileSink::reopen(self)
    }

    fn close(&self) -> Result<(), SinkError> {
        let res = {
            let mut st = lock(&self.state);
            let res = match st.file.take() {
                Some(mut f) if !st.closed => f.flush().and_then(|()| {
                    if self.shared.policy.fsync {
                        f.sync_data()
                    } else {
                        Ok(())
                    }
                }),
                _ => Ok(()),
            };
            st.closed = true;
            res
        };
        self.stop_worker();
        res.map_err(SinkError::from)
    }
}

impl Drop for RotatingFileSink {
    fn drop(&mut self) {
        let _ = self.close();
    }
}
