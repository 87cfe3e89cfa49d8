//! Records into a SQLite database through `hwlog-store` (cargo feature `sqlite`): one
//! transaction per batch, retries with backoff, a spill file when the database stays
//! unavailable, and retention in the background.
use std::fs::OpenOptions;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use hwlog_core::{Batch, Format, Record, Sink, SinkError, SinkErrorKind};
use hwlog_store::{Retention, SqliteOptions, SqliteStore, Store};

use crate::format::{Json, TimeZone};

/// Settings of the SQLite sink.
#[derive(Clone, Debug, PartialEq)]
pub struct SqliteSinkOptions {
    /// Table name (validated by the store).
    pub table: String,
    /// Attempts per batch before spilling.
    pub attempts: u32,
    /// Wait before the second attempt; doubled for each further one.
    pub backoff: Duration,
    /// Where batches go when the database stays unavailable (JSON lines). Default:
    /// `<database>.spill.jsonl`.
    pub spill: Option<PathBuf>,
    /// Rows older than this are deleted in the background.
    pub max_age: Option<Duration>,
    /// At most this many rows are kept.
    pub max_rows: Option<u64>,
    /// How often retention runs.
    pub retention_interval: Duration,
}

impl Default for SqliteSinkOptions {
    fn default() -> Self {
        SqliteSinkOptions {
            table: "logs".into(),
            attempts: 3,
            backoff: Duration::from_millis(50),
            spill: None,
            max_age: None,
            max_rows: None,
            retention_interval: Duration::from_secs(60),
        }
    }
}

/// Writes records into SQLite; use it on a non-blocking route so that each worker batch is one
/// transaction.
///
/// ```
/// use hwlog::sink::sqlite::{SqliteSink, SqliteSinkOptions};
/// use hwlog::{Level, Record, Sink};
/// let dir = tempfile::tempdir().unwrap();
/// let sink = SqliteSink::open(dir.path().join("logs.db"), SqliteSinkOptions::default()).unwrap();
/// sink.write(&Record::new(Level::Info, "bios", "applied"), b"").unwrap();
/// assert_eq!(hwlog_store::Store::count(&**sink.store()).unwrap(), 1);
/// ```
pub struct SqliteSink {
    store: Arc<SqliteStore>,
    opts: SqliteSinkOptions,
    spill: PathBuf,
    spilled: AtomicU64,
    spill_lock: Mutex<()>,
    retention: Mutex<Option<(crossbeam_channel::Sender<()>, std::thread::JoinHandle<()>)>>,
}

impl SqliteSink {
    /// Opens (creating) the database at `path`.
    pub fn open(
        path: impl AsRef<Path>,
        opts: SqliteSinkOptions,
    ) -> Result<SqliteSink, hwlog_store::Error> {
        let path = path.as_ref();
        let store = Arc::new(SqliteStore::open(
            path,
            SqliteOptions::default().with_table(opts.table.clone()),
        )?);
        Ok(SqliteSink::with_store(store, path, opts))
    }

    /// A sink over an open store; `path` names the default spill file.
    pub fn with_store(store: Arc<SqliteStore>, path: &Path, opts: SqliteSinkOptions) -> SqliteSink {
        let spill = opts.spill.clone().unwrap_or_else(|| {
            let mut p = path.as_os_str().to_owned();
            p.push(".spill.jsonl");
            PathBuf::from(p)
        });
        let sink = SqliteSink {
            store,
            opts,
            spill,
            spilled: AtomicU64::new(0),
            spill_lock: Mutex::new(()),
            retention: Mutex::new(None),
        };
        sink.start_retention();
        sink
    }

    /// The store (for queries and the activity feed).
    pub fn store(&self) -> &Arc<SqliteStore> {
        &self.store
    }

    /// Records written to the spill file so far.
    pub fn spilled(&self) -> u64 {
        self.spilled.load(Ordering::Relaxed)
    }

    /// The spill file.
    pub fn spill_path(&self) -> &Path {
        &self.spill
    }

    fn start_retention(&self) {
        if self.opts.max_age.is_none() && self.opts.max_rows.is_none() {
            return;
        }
        let (tx, rx) = crossbeam_channel::bounded::<()>(0);
        let store = self.store.clone();
        let r = Retention {
            max_age: self.opts.max_age,
            max_rows: self.opts.max_rows,
        };
        let every = self.opts.retention_interval;
        let handle = std::thread::Builder::new()
            .name("hwlog-sqlite-retention".into())
            .spawn(move || {
                crate::internal::mark_internal_thread();
                loop {
                    if let Err(e) = store.apply_retention(&r) {
                        eprintln!("hwlog: sqlite retention failed: {e}");
                    }
                    match rx.recv_timeout(every) {
                        Err(crossbeam_channel::RecvTimeoutError::Timeout) => {}
                        _ => return,
                    }
                }
            });
        if let Ok(h) = handle {
            *self.retention.lock().unwrap_or_else(|p| p.into_inner()) = Some((tx, h));
        }
    }

    fn insert(&self, records: &[Record]) -> Result<(), SinkError> {
        let mut wait = self.opts.backoff;
        let mut last = None;
        for attempt in 0..self.opts.attempts.max(1) {
            if attempt > 0 {
                std::thread::sleep(wait);
                wait *= 2;
            }
            match self.store.insert_batch(records) {
                Ok(_) => return Ok(()),
                Err(e) => last = Some(e),
            }
        }
        let cause = last.map_or_else(String::new, |e| e.to_string());
        self.spill(records, &cause)
    }

    /// Appends the records as JSON lines to the spill file; reports the batch as failed.
    fn spill(&self, records: &[Record], cause: &str) -> Result<(), SinkError> {
        let _g = self.spill_lock.lock().unwrap_or_else(|p| p.into_inner());
        let mut buf = Vec::with_capacity(records.len() * 256);
        let json = Json::new(TimeZone::Utc);
        for r in records {
            json.format(r, &mut buf);
        }
        let res = OpenOptions::new()
            .create(true)
            .append(true)
            .open(&self.spill)
            .and_then(|mut f| f.write_all(&buf).and_then(|_| f.flush()));
        match res {
            Ok(()) => {
                self.spilled
                    .fetch_add(records.len() as u64, Ordering::Relaxed);
                Err(SinkError::new(
                    SinkErrorKind::Io,
                    format!(
                        "database unavailable ({cause}); {} records written to {}",
                        records.len(),
                        self.spill.display()
                    ),
                ))
            }
            Err(e) => Err(SinkError::new(
                SinkErrorKind::Io,
                format!("database unavailable ({cause}) and spill failed: {e}"),
            )),
        }
    }
}

impl Sink for SqliteSink {
    fn name(&self) -> String {
        match self.store.path() {
            Some(p) => format!("sqlite:{}", p.display()),
            None => "sqlite:memory".into(),
        }
    }

    fn write(&self, record: &Record, _line: &[u8]) -> Result<(), SinkError> {
        self.insert(std::slice::from_ref(record))
    }

    fn write_batch(&self, batch: &Batch) -> Result<(), SinkError> {
        self.insert(batch.records())
    }

    fn flush(&self) -> Result<(), SinkError> {
        Ok(())
    }

    fn close(&self) -> Result<(), SinkError> {
        if let Some((stop, h)) = self
            .retention
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .take()
        {
            drop(stop);
            let _ = h.join();
        }
        Ok(())
    }
}

impl Drop for SqliteSink {
    fn drop(&mut self) {
        let _ = self.close();
    }
}
