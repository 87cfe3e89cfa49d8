//! The PostgreSQL backend: several servers share one database.
//!
//! ```no_run
//! use hwlog_core::{Level, Record};
//! use hwlog_store::{PgOptions, PgStore, Query, Store};
//! # fn main() -> Result<(), hwlog_store::Error> {
//! let store = PgStore::connect("postgres://hwlog@127.0.0.1:5432/hwlog", PgOptions::default())?;
//! store.insert_batch(&[Record::new(Level::Error, "bmc", "power on failed")])?;
//! let page = store.query(&Query { text: Some("failed".into()), ..Query::default() })?;
//! assert_eq!(page.records[0].record.message, "power on failed");
//! # Ok(())
//! # }
//! ```
use std::borrow::Cow;
use std::collections::HashSet;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use hwlog_core::{Record, Timestamp};
use postgres::{Client, NoTls};

use crate::codec::{Encoder, RowParts};
use crate::schema::validate_table_name;
use crate::{
    Activity, AlertRecord, Error, ErrorKind, Page, Query, Retention, RetentionReport, Store,
    StoredRecord, StoredRule, MAX_LIMIT,
};

mod other;
pub(crate) mod schema;
mod shared;
mod sql;

pub use schema::PG_SCHEMA_VERSION;
use sql::{refs, select_sql, PG_COLUMNS};

/// Records per id range: ids are `batch << BATCH_BITS | index`.
const BATCH_BITS: u32 = 20;

/// Settings of a [`PgStore`].
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct PgOptions {
    /// Log table name (`^[A-Za-z_][A-Za-z0-9_]{0,39}$`); other tables are named after it.
    pub table: String,
    /// Idle connections kept for reuse.
    pub pool_size: usize,
    /// How long one call keeps trying to connect (with backoff) before it fails with
    /// [`ErrorKind::Unavailable`].
    pub connect_timeout: Duration,
}

impl Default for PgOptions {
    fn default() -> Self {
        PgOptions {
            table: "logs".into(),
            pool_size: 8,
            connect_timeout: Duration::from_secs(10),
        }
    }
}

impl PgOptions {
    /// Sets the table name.
    pub fn with_table(mut self, table: impl Into<String>) -> Self {
        self.table = table.into();
        self
    }

    /// Sets how long a call keeps trying to connect.
    pub fn with_connect_timeout(mut self, t: Duration) -> Self {
        self.connect_timeout = t;
        self
    }
}

/// What the store, its feed and its leadership claims share.
pub(crate) struct Inner {
    config: postgres::Config,
    pub(crate) table: String,
    opts: PgOptions,
    /// Idle connections and when they were last given back.
    idle: Mutex<Vec<(Client, Instant)>>,
    /// Days whose partition is known to exist.
    days: Mutex<HashSet<i64>>,
    /// This store's id in the live feed's notifications.
    pub(crate) node: u64,
}

/// A [`Store`] in PostgreSQL (see the module docs of `schema` for the layout).
pub struct PgStore {
    inner: Arc<Inner>,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

/// Text PostgreSQL accepts: NUL characters become U+FFFD.
pub(crate) fn pg_text(s: &str) -> Cow<'_, str> {
    if s.contains('\0') {
        Cow::Owned(s.replace('\0', "\u{FFFD}"))
    } else {
        Cow::Borrowed(s)
    }
}

/// A connection taken from the pool, given back when dropped unless it broke.
pub(crate) struct Conn<'a> {
    inner: &'a Inner,
    client: Option<Client>,
}

impl std::ops::Deref for Conn<'_> {
    type Target = Client;
    fn deref(&self) -> &Client {
        self.client.as_ref().expect("present until dropped")
    }
}

impl std::ops::DerefMut for Conn<'_> {
    fn deref_mut(&mut self) -> &mut Client {
        self.client.as_mut().expect("present until dropped")
    }
}

impl Drop for Conn<'_> {
    fn drop(&mut self) {
        if let Some(c) = self.client.take() {
            let mut idle = lock(&self.inner.idle);
            if !c.is_closed() && idle.len() < self.inner.opts.pool_size {
                idle.push((c, Instant::now()));
            }
        }
    }
}

impl Inner {
    /// A new connection, retried with exponential backoff (50 ms up to 1 s) until
    /// `connect_timeout` has passed.
    pub(crate) fn connect_new(&self, timeout: Duration) -> Result<Client, Error> {
        let deadline = Instant::now() + timeout;
        let mut wait = Duration::from_millis(50);
        loop {
            match self.config.connect(NoTls) {
                Ok(c) => return Ok(c),
                Err(e) if Instant::now() + wait >= deadline => {
                    let e = Error::from(e);
                    return Err(Error::new(
                        ErrorKind::Unavailable,
                        format!("cannot connect to PostgreSQL: {}", e.message()),
                    ));
                }
                Err(_) => {
                    std::thread::sleep(wait);
                    wait = (wait * 2).min(Duration::from_secs(1));
                }
            }
        }
    }

    pub(crate) fn conn(&self) -> Result<Conn<'_>, Error> {
        loop {
            let Some((mut c, since)) = lock(&self.idle).pop() else {
                break;
            };
            // A connection idle for a while may have been cut (server restart): check it.
            let fresh = since.elapsed() < Duration::from_millis(100)
                || c.is_valid(Duration::from_secs(2)).is_ok();
            if fresh && !c.is_closed() {
                return Ok(Conn {
                    inner: self,
                    client: Some(c),
                });
            }
        }
        let c = self.connect_new(self.opts.connect_timeout)?;
        Ok(Conn {
            inner: self,
            client: Some(c),
        })
    }

    /// The records with ids in `first..=last`, oldest first.
    pub(crate) fn range(&self, first: i64, last: i64) -> Result<Vec<StoredRecord>, Error> {
        let sql = format!(
            r#"SELECT {PG_COLUMNS} FROM "{}" WHERE id BETWEEN $1 AND $2 ORDER BY id"#,
            self.table
        );
        let rows = self.conn()?.query(&sql, &[&first, &last])?;
        rows.iter().map(decode).collect()
    }
}

/// Whether PostgreSQL refused a row with `check_violation` (23514), which is what an
/// insert into a day without a partition gets.
fn is_check_violation(e: &Error) -> bool {
    std::error::Error::source(e)
        .and_then(|s| s.downcast_ref::<postgres::Error>())
        .and_then(|p| p.code())
        .is_some_and(|c| *c == postgres::error::SqlState::CHECK_VIOLATION)
}

/// Reads one row selected with `PG_COLUMNS`.
pub(crate) fn decode(row: &postgres::Row) -> Result<StoredRecord, Error> {
    let (id, record) = RowParts {
        id: row.try_get(0)?,
        ts: row.try_get(1)?,
        level: i64::from(row.try_get::<_, i16>(2)?),
        component: row.try_get(3)?,
        message: row.try_get(4)?,
        correlation_id: row.try_get(5)?,
        fields: row.try_get(6)?,
        thread: row.try_get(7)?,
        pid: row.try_get(8)?,
        file: row.try_get(9)?,
        line: row.try_get(10)?,
        host: row.try_get(11)?,
        error: row.try_get(12)?,
    }
    .into_record()?;
    Ok(StoredRecord { id, record })
}

impl PgStore {
    /// Connects to `url` (`postgres://user[:password]@host[:port]/db`, or key=value
    /// settings), creating or migrating the tables. Fails with [`ErrorKind::Unavailable`]
    /// when the server cannot be reached within `connect_timeout`.
    pub fn connect(url: &str, opts: PgOptions) -> Result<PgStore, Error> {
        validate_table_name(&opts.table)?;
        if opts.table.len() > 40 {
            return Err(Error::new(
                ErrorKind::InvalidName,
                format!("table name {:?} is longer than 40 characters", opts.table),
            ));
        }
        let config: postgres::Config = url.parse().map_err(|e| {
            Error::new(
                ErrorKind::InvalidQuery,
                format!("invalid PostgreSQL address: {e}"),
            )
        })?;
        let now = Timestamp::now().as_nanos() as u64;
        let inner = Arc::new(Inner {
            config,
            table: opts.table.clone(),
            opts,
            idle: Mutex::new(Vec::new()),
            days: Mutex::new(HashSet::new()),
            node: now ^ (u64::from(std::process::id()) << 40),
        });
        let mut c = inner.conn()?;
        schema::migrate(&mut c, &inner.table)?;
        drop(c);
        Ok(PgStore { inner })
    }

    fn table(&self) -> &str {
        &self.inner.table
    }

    /// Creates the partitions the days of `records` need.
    fn ensure_partitions(&self, records: &[Record]) -> Result<(), Error> {
        let mut missing: Vec<i64> = {
            let days = lock(&self.inner.days);
            records
                .iter()
                .map(|r| schema::day_of(r.timestamp.as_nanos()))
                .filter(|d| !days.contains(d))
                .collect()
        };
        if missing.is_empty() {
            return Ok(());
        }
        missing.sort_unstable();
        missing.dedup();
        schema::create_partitions(&mut *self.inner.conn()?, self.table(), &missing)?;
        lock(&self.inner.days).extend(missing);
        Ok(())
    }

    /// Stores `records` (and sets a cursor) in one transaction.
    pub(crate) fn insert_all(
        &self,
        records: &[Record],
        cursor: Option<(&str, &str)>,
    ) -> Result<(), Error> {
        self.ensure_partitions(records)?;
        match self.insert_once(records, cursor) {
            // A partition another server's retention dropped: create it again, once.
            Err(e) if is_check_violation(&e) => {
                lock(&self.inner.days).clear();
                self.ensure_partitions(records)?;
                self.insert_once(records, cursor)
            }
            other => other,
        }
    }

    fn insert_once(&self, records: &[Record], cursor: Option<(&str, &str)>) -> Result<(), Error> {
        let t = self.table();
        let insert = format!(
            r#"INSERT INTO "{t}" (id, ts, level, component, message, correlation_id, fields,
                thread, pid, file, line, host, error)
               SELECT u.id, u.ts, u.level, u.component, u.message, u.cid, u.fields::json,
                u.thread, u.pid, u.file, u.line, u.host, u.error
               FROM UNNEST($1::int8[], $2::int8[], $3::int2[], $4::text[], $5::text[],
                $6::text[], $7::text[], $8::text[], $9::int8[], $10::text[], $11::int8[],
                $12::text[], $13::text[])
               AS u(id, ts, level, component, message, cid, fields, thread, pid, file, line,
                host, error)"#
        );
        let channel = format!("{t}_records");
        let mut c = self.inner.conn()?;
        let mut tx = c.transaction()?;
        let mut enc = Encoder::default();
        for chunk in records.chunks(1 << BATCH_BITS) {
            let batch: i64 = tx
                .query_one(&format!(r#"SELECT nextval('"{t}_batch"')"#), &[])?
                .get(0);
            let first = batch << BATCH_BITS;
            let n = chunk.len();
            let ids: Vec<i64> = (0..n as i64).map(|i| first + i).collect();
            let ts: Vec<i64> = chunk.iter().map(|r| r.timestamp.as_nanos()).collect();
            let level: Vec<i16> = chunk.iter().map(|r| r.level as i16).collect();
            let component: Vec<Cow<str>> = chunk.iter().map(|r| pg_text(&r.component)).collect();
            let message: Vec<Cow<str>> = chunk.iter().map(|r| pg_text(&r.message)).collect();
            let cid: Vec<Option<Cow<str>>> = chunk
                .iter()
                .map(|r| r.correlation_id.as_deref().map(pg_text))
                .collect();
            let (mut fields, mut thread, mut host) = (
                Vec::with_capacity(n),
                Vec::with_capacity(n),
                Vec::with_capacity(n),
            );
            for r in chunk {
                let e = enc.encode(r);
                fields.push(e.fields.map(|f| pg_text(f).into_owned()));
                thread.push(pg_text(e.thread).into_owned());
                host.push(e.host.map(|h| pg_text(h).into_owned()));
            }
            let pid: Vec<i64> = chunk.iter().map(|r| i64::from(r.pid)).collect();
            let file: Vec<Option<Cow<str>>> = chunk
                .iter()
                .map(|r| r.file.as_deref().map(pg_text))
                .collect();
            let line: Vec<Option<i64>> = chunk.iter().map(|r| r.line.map(i64::from)).collect();
            let error: Vec<Option<Cow<str>>> = chunk
                .iter()
                .map(|r| r.error.as_deref().map(pg_text))
                .collect();
            tx.execute(
                &insert,
                &[
                    &ids, &ts, &level, &component, &message, &cid, &fields, &thread, &pid, &file,
                    &line, &host, &error,
                ],
            )?;
            let payload = format!("{} {} {}", self.inner.node, first, first + n as i64 - 1);
            tx.execute("SELECT pg_notify($1, $2)", &[&channel, &payload])?;
        }
        if let Some((name, value)) = cursor {
            tx.execute(
                &format!(
                    r#"INSERT INTO "{t}_cursors" (name, value) VALUES ($1, $2)
                       ON CONFLICT(name) DO UPDATE SET value = excluded.value"#
                ),
                &[&name, &value],
            )?;
        }
        tx.commit()?;
        Ok(())
    }
}

impl Store for PgStore {
    fn insert_batch(&self, records: &[Record]) -> Result<usize, Error> {
        if records.is_empty() {
            return Ok(0);
        }
        self.insert_all(records, None)?;
        Ok(records.len())
    }

    fn query(&self, q: &Query) -> Result<Page, Error> {
        let (sql, params) = select_sql(self.table(), q)?;
        let rows = self.inner.conn()?.query(&sql, &refs(&params))?;
        let mut records = rows.iter().map(decode).collect::<Result<Vec<_>, _>>()?;
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

    fn volume(&self, q: &crate::VolumeQuery) -> Result<crate::Volume, Error> {
        q.buckets()?;
        let t = self.table();
        let mut conn = self.inner.conn()?;
        let levels = conn
            .query(
                &format!(
                    r#"SELECT (ts - $1) / $3 AS b, level::int8, count(*) FROM "{t}"
                       WHERE ts >= $1 AND ts < $2 GROUP BY b, level"#
                ),
                &[&q.since, &q.until, &q.bucket],
            )?
            .iter()
            .map(|r| {
                (
                    r.get::<_, i64>(0),
                    r.get::<_, i64>(1) as u8,
                    r.get::<_, i64>(2) as u64,
                )
            })
            .collect::<Vec<_>>();
        let comps = conn
            .query(
                &format!(
                    r#"SELECT component, count(*) FROM "{t}" WHERE ts >= $1 AND ts < $2
                       GROUP BY component"#
                ),
                &[&q.since, &q.until],
            )?
            .iter()
            .map(|r| (r.get::<_, String>(0), r.get::<_, i64>(1) as u64))
            .collect::<Vec<_>>();
        Ok(crate::Volume::from_rows(q, levels, comps))
    }

    fn get(&self, id: i64) -> Result<Option<StoredRecord>, Error> {
        let sql = format!(
            r#"SELECT {PG_COLUMNS} FROM "{}" WHERE id = $1"#,
            self.table()
        );
        let row = self.inner.conn()?.query_opt(&sql, &[&id])?;
        row.as_ref().map(decode).transpose()
    }

    fn apply_retention(&self, r: &Retention) -> Result<RetentionReport, Error> {
        self.retention(r)
    }

    fn count(&self) -> Result<u64, Error> {
        let sql = format!(r#"SELECT count(*) FROM "{}""#, self.table());
        let n: i64 = self.inner.conn()?.query_one(&sql, &[])?.get(0);
        Ok(n as u64)
    }

    fn insert_activity(&self, a: &Activity) -> Result<i64, Error> {
        self.insert_activity_impl(a)
    }

    fn activities(&self, component: Option<&str>, limit: usize) -> Result<Vec<Activity>, Error> {
        self.activities_impl(component, limit.min(MAX_LIMIT))
    }

    fn insert_alert_events(&self, events: &[AlertRecord]) -> Result<usize, Error> {
        self.insert_alert_events_impl(events)
    }

    fn alert_history(
        &self,
        alert_id: Option<u64>,
        limit: usize,
    ) -> Result<Vec<AlertRecord>, Error> {
        self.alert_history_impl(alert_id, limit.min(MAX_LIMIT))
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

    fn rules(&self) -> Result<Vec<StoredRule>, Error> {
        self.rules_impl()
    }

    fn subscribe(&self) -> Result<Option<Box<dyn crate::Subscription>>, Error> {
        Ok(Some(Box::new(shared::PgSubscription::new(
            self.inner.clone(),
        ))))
    }

    fn broadcast(&self, message: &str) -> Result<bool, Error> {
        if message.len() > 7000 {
            return Err(Error::new(
                ErrorKind::InvalidQuery,
                format!(
                    "a broadcast message has at most 7000 bytes, not {}",
                    message.len()
                ),
            ));
        }
        let channel = format!("{}_records", self.table());
        let payload = format!("msg {} {}", self.inner.node, pg_text(message));
        self.inner
            .conn()?
            .execute("SELECT pg_notify($1, $2)", &[&channel, &payload])?;
        Ok(true)
    }

    fn leadership(&self) -> Result<Option<Box<dyn crate::Leadership>>, Error> {
        Ok(Some(Box::new(shared::PgLeadership::new(
            self.inner.clone(),
        ))))
    }
}
