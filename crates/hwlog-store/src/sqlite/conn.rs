//! Connections: the store's options, how each connection is set up, the pool of reading
//! connections, and the background checkpoint thread.
use std::ops::Deref;
use std::path::Path;
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::thread::JoinHandle;
use std::time::Duration;

use rusqlite::Connection;

use super::Encoder;
#[cfg(doc)]
use super::SqliteStore;
use crate::Error;
#[cfg(doc)]
use crate::ErrorKind;

/// Idle reader connections kept open.
const MAX_IDLE_READERS: usize = 4;
/// Page cache of the writing connection, in KiB (SQLite's default is 2 MiB).
pub(super) const WRITER_CACHE_KIB: i64 = 32 * 1024;

/// Settings of a [`SqliteStore`].
///
/// ```
/// use std::time::Duration;
/// use hwlog_store::SqliteOptions;
/// let opts = SqliteOptions::default().with_table("audit").with_busy_timeout(Duration::from_secs(1));
/// assert_eq!(opts.table, "audit");
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SqliteOptions {
    /// Name of the log table (default `logs`); its blocks are `<table>_blocks` and
    /// `<table>_cols`, the activity feed `<table>_activity`. Must match
    /// `^[A-Za-z_][A-Za-z0-9_]{0,62}$`.
    pub table: String,
    /// How long an operation waits for another connection's lock before failing with
    /// [`ErrorKind::Locked`] (default 5 s).
    pub busy_timeout: Duration,
    /// Largest database file in MB (`None`: no limit but the disk). Inserts beyond it fail
    /// with [`ErrorKind::Full`](crate::ErrorKind::Full) until retention frees room.
    pub max_size_mb: Option<u64>,
    /// Records per compressed block, 1..=8192 (default 8,192, what compresses best). The
    /// newest records stay rows until this many have arrived; a smaller value is for tests
    /// that want blocks without inserting thousands of records.
    pub block_rows: usize,
}

impl Default for SqliteOptions {
    fn default() -> Self {
        SqliteOptions {
            table: "logs".to_string(),
            busy_timeout: Duration::from_secs(5),
            max_size_mb: None,
            block_rows: crate::block::BLOCK_ROWS,
        }
    }
}

impl SqliteOptions {
    /// Sets the table name.
    pub fn with_table(mut self, table: impl Into<String>) -> Self {
        self.table = table.into();
        self
    }

    /// Sets the records per block (clamped to 1..=8192).
    pub fn with_block_rows(mut self, n: usize) -> Self {
        self.block_rows = n.clamp(1, crate::block::BLOCK_ROWS);
        self
    }

    /// Sets the busy timeout.
    pub fn with_busy_timeout(mut self, timeout: Duration) -> Self {
        self.busy_timeout = timeout;
        self
    }
}

/// The writing connection and its reusable encoding buffers.
pub(super) struct Writer {
    pub conn: Connection,
    pub enc: Encoder,
    /// Records in the head, when known.
    pub head_rows: Option<u64>,
}

/// Settings every connection gets.
pub(super) fn configure(conn: &Connection, busy_timeout: Duration) -> Result<(), Error> {
    conn.busy_timeout(busy_timeout)?;
    conn.set_prepared_statement_cache_capacity(64);
    Ok(())
}

/// A connection for reading or checkpointing.
pub(super) fn aux_conn(path: &Path, busy_timeout: Duration) -> Result<Connection, Error> {
    let conn = Connection::open(path)?;
    configure(&conn, busy_timeout)?;
    Ok(conn)
}

/// Locks a mutex, also when a thread panicked while holding it (the connection inside stays
/// usable: a panicking transaction is rolled back when it is dropped).
pub(super) fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

/// A connection to read with: a pooled one (returned on drop) or the writer's.
pub(super) enum Reader<'a> {
    Pooled(&'a Mutex<Vec<Connection>>, Option<Connection>),
    Writer(MutexGuard<'a, Writer>),
}

impl Deref for Reader<'_> {
    type Target = Connection;
    fn deref(&self) -> &Connection {
        match self {
            Reader::Pooled(_, Some(c)) => c,
            Reader::Pooled(_, None) => unreachable!("connection is only taken on drop"),
            Reader::Writer(w) => &w.conn,
        }
    }
}

impl Drop for Reader<'_> {
    fn drop(&mut self) {
        if let Reader::Pooled(pool, conn) = self {
            let mut idle = lock(pool);
            if idle.len() < MAX_IDLE_READERS {
                idle.extend(conn.take());
            }
        }
    }
}

/// Opens a reading connection for the pool.
pub(super) fn open_reader(path: &Path, busy_timeout: Duration) -> Result<Connection, Error> {
    let conn = aux_conn(path, busy_timeout)?;
    conn.pragma_update(None, "query_only", true)?;
    Ok(conn)
}

/// WAL size (in pages) at which the writer checkpoints by itself: a backstop for when the
/// checkpoint thread falls behind.
pub(super) const WRITER_AUTOCHECKPOINT_PAGES: u32 = 8192;

#[derive(Default)]
struct State {
    pending: bool,
    stop: bool,
}

#[derive(Default)]
struct Shared {
    state: Mutex<State>,
    wake: Condvar,
}

impl Shared {
    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }
}

/// The background checkpoint thread; stopped and joined on drop.
///
/// In WAL mode a commit only appends pages to the `-wal` file; a checkpoint copies them into
/// the database and, with `synchronous=NORMAL`, is the only step that waits for `fsync`. By
/// default SQLite runs it inside the commit that makes the WAL reach 1,000 pages, so every few
/// batches the writer would stall on the disk. This thread, with a connection of its own, runs
/// a `PASSIVE` checkpoint (which never blocks the writer) after commits, merging the requests
/// that arrive while one runs; the writer checkpoints by itself only at
/// [`WRITER_AUTOCHECKPOINT_PAGES`].
pub(super) struct Checkpointer {
    shared: Arc<Shared>,
    thread: Option<JoinHandle<()>>,
}

impl Checkpointer {
    /// Starts the thread on `conn` (a connection of its own to the database).
    pub(super) fn start(conn: Connection) -> std::io::Result<Checkpointer> {
        let shared = Arc::new(Shared::default());
        let thread = {
            let shared = Arc::clone(&shared);
            std::thread::Builder::new()
                .name("hwlog-store-checkpoint".into())
                .spawn(move || run(&conn, &shared))?
        };
        Ok(Checkpointer {
            shared,
            thread: Some(thread),
        })
    }

    /// Asks for a checkpoint soon; requests made while one runs are merged into the next.
    pub(super) fn notify(&self) {
        let mut s = self.shared.lock();
        if !s.pending {
            s.pending = true;
            self.shared.wake.notify_one();
        }
    }
}

fn run(conn: &Connection, shared: &Shared) {
    loop {
        {
            let mut s = shared.lock();
            while !s.pending && !s.stop {
                s = shared.wake.wait(s).unwrap_or_else(|p| p.into_inner());
            }
            if s.stop {
                return;
            }
            s.pending = false;
        }
        // A failure (I/O error, another checkpoint running) is left to the writer's backstop.
        let _ = conn.query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |_| Ok(()));
    }
}

impl Drop for Checkpointer {
    fn drop(&mut self) {
        self.shared.lock().stop = true;
        self.shared.wake.notify_one();
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}
