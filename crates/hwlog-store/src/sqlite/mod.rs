//! The SQLite implementation of [`Store`].
use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::Duration;

use hwlog_core::{Record, Timestamp};
use rusqlite::{params, Connection, OptionalExtension, TransactionBehavior};

use crate::activity::{decode_activity, ACTIVITY_COLUMNS};
use crate::block::BLOCK_ROWS;
use crate::codec::{Encoder, COLUMNS};
use crate::matcher::Matcher;
use crate::query::MAX_LIMIT;
use crate::schema::{migrate, validate_table_name};
#[cfg(doc)]
use crate::ErrorKind;
use crate::{
    Activity, Error, Page, Query, Retention, RetentionReport, Store, StoredRecord, Volume,
    VolumeQuery,
};

mod alerts;
mod blocks;
mod conn;
mod rules;

pub use conn::SqliteOptions;
use conn::{
    aux_conn, configure, lock, open_reader, Checkpointer, Reader, Writer,
    WRITER_AUTOCHECKPOINT_PAGES, WRITER_CACHE_KIB,
};

/// Rows deleted per statement by retention, so that writers wait at most one chunk.
const DELETE_CHUNK: i64 = 5_000;

/// Page size of new database files, in bytes (SQLite's default is 4,096). Inserts touch the
/// same pages per batch whatever their size (the table's last leaf, each index's insertion
/// points, the full-text segments), so larger pages mean fewer B-tree splits and fewer WAL
/// frames and write calls per commit: batched inserts are 6–10% faster
/// (`examples/store_profile` of hwlog-bench), and a full-text query over a million rows is
/// no slower.
const PAGE_SIZE: i64 = 16_384;

/// The SQL of one table, built once from the validated name.
struct Sql {
    insert: String,
    get: String,
    head: String,
    insert_activity: String,
    activities: String,
    activities_of: String,
}

impl Sql {
    fn new(t: &str) -> Sql {
        Sql {
            insert: format!(
                r#"INSERT INTO "{t}" (id, ts, level, component, message, correlation_id, fields,
                   thread, pid, file, line, host, error)
                   VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)"#
            ),
            get: format!(r#"SELECT {COLUMNS} FROM "{t}" WHERE id = ?1"#),
            head: format!(
                r#"SELECT {COLUMNS} FROM "{t}" WHERE id < ?1 AND ts >= ?2 AND (?3 IS NULL OR ts < ?3)
                   ORDER BY id DESC"#
            ),
            insert_activity: format!(
                r#"INSERT INTO "{t}_activity" (ts, component, action, message, level, details)
                   VALUES (?1, ?2, ?3, ?4, ?5, ?6)"#
            ),
            activities: format!(
                r#"SELECT {ACTIVITY_COLUMNS} FROM "{t}_activity"
                   ORDER BY ts DESC, id DESC LIMIT ?1"#
            ),
            activities_of: format!(
                r#"SELECT {ACTIVITY_COLUMNS} FROM "{t}_activity" WHERE component = ?2
                   ORDER BY ts DESC, id DESC LIMIT ?1"#
            ),
        }
    }
}

/// A [`Store`] in one SQLite file.
///
/// The file is opened in WAL mode with `synchronous=NORMAL` (a commit survives a crash of the
/// process; the last commits may be lost on power failure). One connection writes, guarded by
/// a mutex; reads use a small pool of their own connections, so they run alongside a write;
/// a background thread moves committed pages from the WAL into the database file.
///
/// The file holds, per table name `t`: the newest records as rows in `t` (the *head*), older
/// records in compressed column blocks (`t_blocks`, `t_cols`: about 23 bytes per record
/// on realistic logs, smaller than `zstd -3` of the same records as NDJSON; see
/// `docs/storage.md`), the activity feed `t_activity`, and a row in `hwlog_schema` (table
/// name → schema version), so several stores with different table names can share one file.
/// An insert appends to the head and commits; when the head holds 8,192 records, the
/// oldest 8,192 are sealed into a block in one transaction. A query reads the head, then
/// the blocks newest first, skipping those whose time range, levels or bloom filter of
/// words, correlation ids and field values rule them out.
///
/// ```
/// use hwlog_core::{Level, Record};
/// use hwlog_store::{Query, Retention, SqliteOptions, SqliteStore, Store};
///
/// # fn main() -> Result<(), hwlog_store::Error> {
/// let dir = tempfile::tempdir().unwrap();
/// let store = SqliteStore::open(dir.path().join("var/logs.db"), SqliteOptions::default())?;
/// let batch: Vec<Record> = (0..250)
///     .map(|i| Record::new(Level::Info, "bmc.poll", format!("poll {i}")))
///     .collect();
/// store.insert_batch(&batch)?;
///
/// // Page through everything, newest first.
/// let mut q = Query { limit: 100, ..Query::default() };
/// let mut seen = 0;
/// loop {
///     let page = store.query(&q)?;
///     seen += page.records.len();
///     match page.next_cursor {
///         Some(c) => q.cursor = Some(c),
///         None => break,
///     }
/// }
/// assert_eq!(seen, 250);
///
/// let report = store.apply_retention(&Retention { max_rows: Some(50), ..Retention::default() })?;
/// assert_eq!(report.deleted, 200);
/// assert_eq!(store.count()?, 50);
/// # Ok(())
/// # }
/// ```
pub struct SqliteStore {
    table: String,
    path: Option<PathBuf>,
    busy_timeout: Duration,
    sql: Sql,
    writer: Mutex<Writer>,
    /// Idle read connections; `None` for an in-memory store, which reads on the writer.
    readers: Option<Mutex<Vec<Connection>>>,
    /// `None` for an in-memory store.
    checkpointer: Option<Checkpointer>,
    /// Records per block.
    block_rows: usize,
    /// Bloom filters of recently queried blocks.
    blooms: Mutex<blocks::BloomCache>,
    /// Why the last attempt to seal the head into a block failed, if it did.
    seal_error: Mutex<Option<(crate::ErrorKind, String)>>,
}

impl fmt::Debug for SqliteStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SqliteStore")
            .field("path", &self.path)
            .field("table", &self.table)
            .finish_non_exhaustive()
    }
}

impl SqliteStore {
    /// Opens (creating it and its directories if needed) the database at `path`, switches it
    /// to WAL mode and brings the table to the current schema.
    ///
    /// Errors: [`ErrorKind::InvalidName`] for a bad table name, [`ErrorKind::Io`] when the
    /// directory or file cannot be created, [`ErrorKind::Corrupt`] when the file is not a
    /// database, [`ErrorKind::Locked`] when a migration is needed and another connection holds
    /// the write lock past the busy timeout, [`ErrorKind::SchemaTooNew`] when the table was
    /// written by a newer version.
    pub fn open(path: impl AsRef<Path>, opts: SqliteOptions) -> Result<SqliteStore, Error> {
        let path = path.as_ref();
        validate_table_name(&opts.table)?;
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir)
                .map_err(|e| Error::from(e).context(format!("creating {}", dir.display())))?;
        }
        create_private(path)
            .map_err(|e| Error::from(e).context(format!("creating {}", path.display())))?;
        Self::open_file(path, opts).map_err(|e| e.context(format!("opening {}", path.display())))
    }

    fn open_file(path: &Path, opts: SqliteOptions) -> Result<SqliteStore, Error> {
        let mut conn = Connection::open(path)?;
        configure(&conn, opts.busy_timeout)?;
        // Only a new database takes it (before its first table); an existing file keeps its own.
        conn.pragma_update(None, "page_size", PAGE_SIZE)?;
        conn.query_row("PRAGMA journal_mode = WAL", [], |r| r.get::<_, String>(0))?;
        conn.pragma_update(None, "synchronous", "NORMAL")?;
        conn.pragma_update(None, "wal_autocheckpoint", WRITER_AUTOCHECKPOINT_PAGES)?;
        conn.pragma_update(None, "cache_size", -WRITER_CACHE_KIB)?;
        migrate(&mut conn, &opts.table)?;
        // A table migrated from the row store holds all its records in the head.
        blocks::seal(&mut conn, &opts.table, block_rows(&opts), usize::MAX)?;
        if let Some(mb) = opts.max_size_mb {
            let page: i64 = conn.query_row("PRAGMA page_size", [], |r| r.get(0))?;
            let pages = (mb.saturating_mul(1 << 20) as i64 / page.max(512)).max(1);
            conn.query_row(&format!("PRAGMA max_page_count = {pages}"), [], |_| Ok(()))?;
        }
        let checkpointer = Checkpointer::start(aux_conn(path, opts.busy_timeout)?)?;
        Ok(Self::build(
            conn,
            Some(path.to_path_buf()),
            Some(checkpointer),
            opts,
        ))
    }

    /// A private in-memory store (for tests and tools): gone when dropped.
    pub fn open_in_memory(opts: SqliteOptions) -> Result<SqliteStore, Error> {
        validate_table_name(&opts.table)?;
        let mut conn = Connection::open_in_memory()?;
        configure(&conn, opts.busy_timeout)?;
        migrate(&mut conn, &opts.table)?;
        Ok(Self::build(conn, None, None, opts))
    }

    fn build(
        conn: Connection,
        path: Option<PathBuf>,
        checkpointer: Option<Checkpointer>,
        opts: SqliteOptions,
    ) -> SqliteStore {
        SqliteStore {
            block_rows: block_rows(&opts),
            sql: Sql::new(&opts.table),
            readers: path.as_ref().map(|_| Mutex::new(Vec::new())),
            table: opts.table,
            path,
            busy_timeout: opts.busy_timeout,
            writer: Mutex::new(Writer {
                conn,
                enc: Encoder::default(),
                head_rows: None,
            }),
            checkpointer,
            seal_error: Mutex::new(None),
            blooms: Mutex::default(),
        }
    }

    /// Asks the checkpoint thread to move committed pages from the WAL into the database.
    fn committed(&self) {
        if let Some(c) = &self.checkpointer {
            c.notify();
        }
    }

    /// The log table's name.
    pub fn table(&self) -> &str {
        &self.table
    }

    /// The database file, or `None` for an in-memory store.
    pub fn path(&self) -> Option<&Path> {
        self.path.as_deref()
    }

    /// Inserts one record in a transaction of its own (one commit per row, as SQLite's
    /// autocommit does) and returns its id. Much slower than [`Store::insert_batch`]; it exists
    /// to measure that difference.
    pub fn insert_one_autocommit(&self, record: &Record) -> Result<i64, Error> {
        self.insert_tx(std::slice::from_ref(record))
    }

    /// Inserts `records` (at least one) in one transaction; returns the id of the first.
    fn insert_tx(&self, records: &[Record]) -> Result<i64, Error> {
        let mut w = lock(&self.writer);
        let Writer { conn, enc, .. } = &mut *w;
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let first = self.insert_rows(&tx, enc, records)?;
        tx.commit()?;
        self.inserted(&mut w, records.len());
        drop(w);
        self.committed();
        Ok(first)
    }

    /// Appends `records` to the head inside `tx`; returns the first one's id.
    fn insert_rows(
        &self,
        tx: &rusqlite::Transaction<'_>,
        enc: &mut Encoder,
        records: &[Record],
    ) -> Result<i64, Error> {
        let first = blocks::next_id(tx, &self.table)?;
        let mut stmt = tx.prepare_cached(&self.sql.insert)?;
        for (i, r) in records.iter().enumerate() {
            insert_row(&mut stmt, enc, first + i as i64, r)?;
        }
        Ok(first)
    }

    /// After a committed insert of `n` records: seals the head's oldest records into blocks
    /// when it holds enough. A failure (the disk is full, say) leaves them in the head,
    /// where they stay readable; the next insert tries again.
    fn inserted(&self, w: &mut Writer, n: usize) {
        let head = match w.head_rows {
            Some(h) => h + n as u64,
            None => match blocks::head_rows(&w.conn, &self.table) {
                Ok(h) => h,
                Err(e) => return self.seal_failed(w, e),
            },
        };
        w.head_rows = Some(head);
        if head < self.block_rows as u64 {
            return;
        }
        match blocks::seal(&mut w.conn, &self.table, self.block_rows, usize::MAX) {
            Ok(left) => {
                w.head_rows = Some(left);
                *lock(&self.seal_error) = None;
            }
            Err(e) => self.seal_failed(w, e),
        }
    }

    fn seal_failed(&self, w: &mut Writer, e: Error) {
        w.head_rows = None;
        *lock(&self.seal_error) = Some((e.kind(), e.to_string()));
    }

    /// Why the last attempt to seal the newest records into a compressed block failed
    /// (`None` when it succeeded or none was needed). The records stay in the head, fully
    /// readable, until a later insert seals them.
    pub fn seal_error(&self) -> Option<Error> {
        lock(&self.seal_error)
            .as_ref()
            .map(|(k, m)| Error::new(*k, m.clone()))
    }

    fn reader(&self) -> Result<Reader<'_>, Error> {
        let Some(pool) = &self.readers else {
            return Ok(Reader::Writer(lock(&self.writer)));
        };
        if let Some(conn) = lock(pool).pop() {
            return Ok(Reader::Pooled(pool, Some(conn)));
        }
        let conn = open_reader(
            self.path.as_deref().unwrap_or(Path::new("")),
            self.busy_timeout,
        )?;
        Ok(Reader::Pooled(pool, Some(conn)))
    }

    /// Deletes, chunk by chunk, the rows of `table` that `cond` (with `?1` = `arg`) selects.
    fn delete_where(&self, table: &str, cond: &str, arg: i64) -> Result<u64, Error> {
        let sql = format!(
            r#"DELETE FROM "{table}" WHERE id IN (SELECT id FROM "{table}" WHERE {cond} LIMIT ?2)"#
        );
        let mut total = 0;
        loop {
            let n = {
                let mut w = lock(&self.writer);
                w.head_rows = None;
                let mut stmt = w.conn.prepare_cached(&sql)?;
                stmt.execute(params![arg, DELETE_CHUNK])?
            };
            self.committed();
            total += n as u64;
            if (n as i64) < DELETE_CHUNK {
                return Ok(total);
            }
        }
    }
}

fn insert_row(
    stmt: &mut rusqlite::CachedStatement<'_>,
    enc: &mut Encoder,
    id: i64,
    r: &Record,
) -> Result<(), Error> {
    let e = enc.encode(r);
    stmt.execute(params![
        id,
        r.timestamp.as_nanos(),
        r.level as u8,
        r.component.as_str(),
        &*r.message,
        r.correlation_id.as_deref(),
        e.fields,
        e.thread,
        r.pid,
        r.file.as_deref(),
        r.line,
        e.host,
        r.error.as_deref(),
    ])?;
    Ok(())
}

impl Store for SqliteStore {
    fn insert_batch(&self, records: &[Record]) -> Result<usize, Error> {
        if records.is_empty() {
            return Ok(0);
        }
        self.insert_tx(records)?;
        Ok(records.len())
    }

    fn query(&self, q: &Query) -> Result<Page, Error> {
        let m = Matcher::new(q)?;
        let want = q.limit + 1;
        let conn = self.reader()?;
        // One read transaction: a block sealed meanwhile is seen in the head or in the
        // blocks, never in both or neither.
        let tx = rusqlite::Transaction::new_unchecked(&conn, TransactionBehavior::Deferred)?;
        let mut records = Vec::new();
        {
            let mut stmt = tx.prepare_cached(&self.sql.head)?;
            let mut rows = stmt.query(params![
                m.cursor().unwrap_or(i64::MAX),
                m.since().unwrap_or(i64::MIN),
                m.until(),
            ])?;
            while let Some(row) = rows.next()? {
                let raw = blocks::raw_row(row)?;
                if m.matches(&raw.as_ref()) {
                    records.push(raw.as_ref().to_record()?);
                    if records.len() >= want {
                        break;
                    }
                }
            }
        }
        if records.len() < want {
            blocks::query(&tx, &self.table, &m, want, &mut records, &self.blooms)?;
        }
        drop(tx);
        let next_cursor = if records.len() > q.limit {
            records.truncate(q.limit);
            records.last().map(|r| r.id)
        } else {
            None
        };
        Ok(Page {
            records,
            next_cursor,
        })
    }

    fn volume(&self, q: &VolumeQuery) -> Result<Volume, Error> {
        let buckets = q.buckets()? as usize;
        let t = &self.table;
        let conn = self.reader()?;
        let tx = rusqlite::Transaction::new_unchecked(&conn, TransactionBehavior::Deferred)?;
        // Per bucket and level; at most MAX_BUCKETS * 6 counters.
        let mut levels = vec![0u64; buckets * 6];
        {
            let mut stmt = tx.prepare_cached(&format!(
                r#"SELECT (ts - ?1) / ?3 AS b, level, count(*) FROM "{t}"
                   WHERE ts >= ?1 AND ts < ?2 GROUP BY b, level"#
            ))?;
            let mut rows = stmt.query(params![q.since, q.until, q.bucket])?;
            while let Some(r) = rows.next()? {
                let (b, l) = (r.get::<_, i64>(0)?, r.get::<_, i64>(1)?);
                let i = usize::try_from(b * 6 + l.clamp(0, 5)).unwrap_or(usize::MAX);
                if let Some(n) = levels.get_mut(i) {
                    *n += r.get::<_, i64>(2)? as u64;
                }
            }
        }
        let mut comps = std::collections::HashMap::new();
        {
            let mut stmt = tx.prepare_cached(&format!(
                r#"SELECT component, count(*) FROM "{t}" WHERE ts >= ?1 AND ts < ?2
                   GROUP BY component"#
            ))?;
            let mut rows = stmt.query(params![q.since, q.until])?;
            while let Some(r) = rows.next()? {
                *comps.entry(r.get::<_, String>(0)?).or_default() += r.get::<_, i64>(1)? as u64;
            }
        }
        blocks::volume(&tx, t, q, &mut levels, &mut comps)?;
        drop(tx);
        let rows = levels
            .iter()
            .enumerate()
            .filter(|(_, n)| **n > 0)
            .map(|(i, n)| ((i / 6) as i64, (i % 6) as u8, *n));
        Ok(Volume::from_rows(q, rows, comps))
    }

    fn get(&self, id: i64) -> Result<Option<StoredRecord>, Error> {
        let conn = self.reader()?;
        let tx = rusqlite::Transaction::new_unchecked(&conn, TransactionBehavior::Deferred)?;
        let head = {
            let mut stmt = tx.prepare_cached(&self.sql.get)?;
            let mut rows = stmt.query([id])?;
            match rows.next()? {
                Some(row) => Some(blocks::raw_row(row)?.as_ref().to_record()?),
                None => None,
            }
        };
        match head {
            Some(r) => Ok(Some(r)),
            None => blocks::get(&tx, &self.table, id),
        }
    }

    fn apply_retention(&self, r: &Retention) -> Result<RetentionReport, Error> {
        let mut report = RetentionReport::default();
        if let Some(age) = r.max_age {
            let age = i64::try_from(age.as_nanos()).unwrap_or(i64::MAX);
            let cutoff = Timestamp::now().as_nanos().saturating_sub(age);
            report.deleted += {
                let mut w = lock(&self.writer);
                blocks::delete_older(&mut w.conn, &self.table, cutoff)?
            };
            self.committed();
            report.deleted += self.delete_where(&self.table, "ts < ?1", cutoff)?;
            let activity = format!("{}_activity", self.table);
            report.activities_deleted += self.delete_where(&activity, "ts < ?1", cutoff)?;
            let alerts = format!("{}_alerts", self.table);
            report.alerts_deleted += self.delete_where(&alerts, "ts < ?1", cutoff)?;
        }
        if let Some(max) = r.max_rows {
            // The oldest records are in the blocks: whole blocks go first, then part of
            // the oldest one, then head rows.
            let total = self.count()?;
            if total > max {
                let mut w = lock(&self.writer);
                report.deleted += blocks::delete_oldest(&mut w.conn, &self.table, total - max)?;
            }
            self.committed();
            let in_blocks = {
                let conn = self.reader()?;
                blocks::count(&conn, &self.table)?
            };
            let offset = i64::try_from(max.saturating_sub(in_blocks)).unwrap_or(i64::MAX);
            let sql = format!(
                r#"SELECT id FROM "{}" ORDER BY id DESC LIMIT 1 OFFSET ?1"#,
                self.table
            );
            let newest_doomed: Option<i64> = {
                let w = lock(&self.writer);
                w.conn
                    .query_row(&sql, [offset], |row| row.get(0))
                    .optional()?
            };
            if let Some(id) = newest_doomed {
                report.deleted += self.delete_where(&self.table, "id <= ?1", id)?;
            }
        }
        Ok(report)
    }

    fn count(&self) -> Result<u64, Error> {
        let conn = self.reader()?;
        let tx = rusqlite::Transaction::new_unchecked(&conn, TransactionBehavior::Deferred)?;
        let n = blocks::head_rows(&tx, &self.table)? + blocks::count(&tx, &self.table)?;
        Ok(n)
    }

    fn insert_activity(&self, a: &Activity) -> Result<i64, Error> {
        let details = a.details.as_ref().map(|d| d.to_string());
        let w = lock(&self.writer);
        let mut stmt = w.conn.prepare_cached(&self.sql.insert_activity)?;
        let id = stmt.insert(params![
            a.timestamp.as_nanos(),
            a.component,
            a.action,
            a.message,
            a.level.as_str(),
            details,
        ])?;
        Ok(id)
    }

    fn activities(&self, component: Option<&str>, limit: usize) -> Result<Vec<Activity>, Error> {
        if limit == 0 {
            return Ok(Vec::new());
        }
        let limit = limit.min(MAX_LIMIT) as i64;
        let conn = self.reader()?;
        let (sql, comp) = match component {
            Some(c) => (&self.sql.activities_of, Some(c)),
            None => (&self.sql.activities, None),
        };
        let mut stmt = conn.prepare_cached(sql)?;
        let mut rows = match comp {
            Some(c) => stmt.query(params![limit, c])?,
            None => stmt.query(params![limit])?,
        };
        let mut out = Vec::new();
        while let Some(row) = rows.next()? {
            out.push(decode_activity(row)?);
        }
        Ok(out)
    }

    fn insert_alert_events(&self, events: &[crate::AlertRecord]) -> Result<usize, Error> {
        self.insert_alert_events_impl(events)
    }

    fn alert_history(
        &self,
        alert_id: Option<u64>,
        limit: usize,
    ) -> Result<Vec<crate::AlertRecord>, Error> {
        self.alert_history_impl(alert_id, limit)
    }

    fn insert_batch_with_cursor(
        &self,
        records: &[Record],
        name: &str,
        value: &str,
    ) -> Result<usize, Error> {
        self.insert_with_cursor_impl(records, name, value)
    }

    fn cursor(&self, name: &str) -> Result<Option<String>, Error> {
        self.cursor_impl(name)
    }

    fn save_rule(&self, name: &str, definition: &str) -> Result<(), Error> {
        self.save_rule_impl(name, definition)
    }

    fn delete_rule(&self, name: &str) -> Result<bool, Error> {
        self.delete_rule_impl(name)
    }

    fn rules(&self) -> Result<Vec<crate::StoredRule>, Error> {
        self.rules_impl()
    }
}

fn block_rows(opts: &SqliteOptions) -> usize {
    opts.block_rows.clamp(1, BLOCK_ROWS)
}

/// A new database file is created readable by its owner only (0600): it holds logs, and
/// SQLite gives its `-wal` and `-shm` files the same mode.
fn create_private(path: &Path) -> std::io::Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        match std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o600)
            .open(path)
        {
            Ok(_) => Ok(()),
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Ok(()),
            Err(e) => Err(e),
        }
    }
    #[cfg(not(unix))]
    {
        let _ = path;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ErrorKind;
    use hwlog_core::Level;

    #[test]
    fn in_memory_store_works() {
        let store = SqliteStore::open_in_memory(SqliteOptions::default()).unwrap();
        assert!(store.path().is_none());
        let store: &dyn Store = &store;
        let recs = vec![Record::new(Level::Warning, "a.b", "fan speed low"); 3];
        assert_eq!(store.insert_batch(&recs).unwrap(), 3);
        assert_eq!(store.count().unwrap(), 3);
        let q = Query {
            text: Some("fan".into()),
            ..Query::default()
        };
        assert_eq!(store.query(&q).unwrap().records.len(), 3);
        let e =
            SqliteStore::open_in_memory(SqliteOptions::default().with_table("x;y")).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::InvalidName);
    }
}
