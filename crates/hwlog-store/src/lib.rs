//! Durable storage of hwlog [`Record`]s.
//!
//! [`Store`] is the one storage interface of hwlog: the library's SQLite handler and `hwlog
//! serve` write through it; [`SqliteStore`] (embedded, the default) and `PgStore` (feature
//! `postgres`: several servers on one database, partitioned by day) implement it. Queries
//! mean the same on both (one compliance suite runs against each), component patterns
//! included ([`hwlog_core::ComponentPattern`]). [`SqliteStore`] is one file in WAL mode, a table of records with indexes on time,
//! level, component and correlation id, an FTS5 full-text index of messages, an activity
//! feed, versioned migrations, and retention by age and row count.
//!
//! ```
//! use hwlog_core::{Level, Record};
//! use hwlog_store::{Query, SqliteOptions, SqliteStore, Store};
//!
//! # fn main() -> Result<(), hwlog_store::Error> {
//! # let dir = tempfile::tempdir().unwrap();
//! let store = SqliteStore::open(dir.path().join("logs.db"), SqliteOptions::default())?;
//! let batch = vec![
//!     Record::new(Level::Info, "hwautomation.hardware.ipmi", "power on node-7")
//!         .with_field("host", "node-7"),
//!     Record::new(Level::Error, "hwautomation.hardware.ipmi", "power on failed: timeout")
//!         .with_field("host", "node-8"),
//! ];
//! assert_eq!(store.insert_batch(&batch)?, 2);
//!
//! let page = store.query(&Query {
//!     text: Some("failed".into()),
//!     component: Some("hwautomation.hardware".into()),
//!     ..Query::default()
//! })?;
//! assert_eq!(page.records.len(), 1);
//! assert_eq!(page.records[0].record.level, Level::Error);
//! assert_eq!(page.records[0].record.field("host").unwrap().as_str(), Some("node-8"));
//! # Ok(())
//! # }
//! ```
#![deny(missing_docs)]

mod activity;
mod alerts;
mod block;
mod codec;
mod error;
mod matcher;
#[cfg(feature = "postgres")]
mod postgres;
mod query;
mod schema;
mod sqlite;
mod text;

pub use activity::{Activity, ActivityLevel};
pub use alerts::{AlertRecord, StoredRule};
pub use error::{Error, ErrorKind};
#[cfg(feature = "postgres")]
pub use postgres::{PgOptions, PgStore, PG_SCHEMA_VERSION};
pub use query::{
    Page, Query, Retention, RetentionReport, StoredRecord, Volume, VolumeBucket, VolumeQuery,
    DEFAULT_LIMIT, MAX_BUCKETS, MAX_FIELD_FILTERS, MAX_LIMIT,
};
pub use schema::{validate_table_name, SCHEMA_VERSION};
pub use sqlite::{SqliteOptions, SqliteStore};

use hwlog_core::Record;

/// A place records are stored and searched: SQLite here, a server or PostgreSQL elsewhere.
///
/// Methods take `&self`; an implementation synchronises inside and may be shared between
/// threads (`Arc<dyn Store>`). Errors are returned, never panicked.
pub trait Store: Send + Sync {
    /// Stores `records` in one transaction (all or none) and returns how many were inserted.
    /// Each record gets a new id, higher than every id stored at the time (an id can come back
    /// only after every record was deleted).
    fn insert_batch(&self, records: &[Record]) -> Result<usize, Error>;

    /// One page of the records that match `q`, newest first.
    ///
    /// Errors with [`ErrorKind::InvalidQuery`] for a limit outside `1..=`[`MAX_LIMIT`] or
    /// `since > until`; any search text is accepted.
    fn query(&self, q: &Query) -> Result<Page, Error>;

    /// Records per time bucket and level, and per component, over `q`'s range: every record
    /// in the range is counted. Errors with [`ErrorKind::InvalidQuery`] when the range holds
    /// more than [`MAX_BUCKETS`] buckets ([`VolumeQuery::buckets`]).
    fn volume(&self, q: &VolumeQuery) -> Result<Volume, Error>;

    /// The record with this id, if it is stored.
    fn get(&self, id: i64) -> Result<Option<StoredRecord>, Error>;

    /// Deletes the records older than `r.max_age` and then the oldest records beyond
    /// `r.max_rows`, keeping the search index consistent; activity entries older than
    /// `r.max_age` are deleted too.
    fn apply_retention(&self, r: &Retention) -> Result<RetentionReport, Error>;

    /// Number of stored records.
    fn count(&self) -> Result<u64, Error>;

    /// Stores an activity entry (its `id` is ignored) and returns its new id.
    fn insert_activity(&self, a: &Activity) -> Result<i64, Error>;

    /// Up to `limit` (at most [`MAX_LIMIT`]) activity entries, newest first (by timestamp,
    /// then id), of one component or of all.
    fn activities(&self, component: Option<&str>, limit: usize) -> Result<Vec<Activity>, Error>;

    /// Stores alert history entries in one transaction (their `id` is ignored).
    fn insert_alert_events(&self, events: &[AlertRecord]) -> Result<usize, Error>;

    /// Up to `limit` (at most [`MAX_LIMIT`]) alert history entries, newest first, of one
    /// alert or of all.
    fn alert_history(&self, alert_id: Option<u64>, limit: usize)
        -> Result<Vec<AlertRecord>, Error>;

    /// Stores `records` and sets the cursor `name` to `value` in one transaction (for
    /// collectors that must never store a record twice).
    fn insert_batch_with_cursor(
        &self,
        records: &[Record],
        name: &str,
        value: &str,
    ) -> Result<usize, Error>;

    /// The value of cursor `name`, if it was ever set.
    fn cursor(&self, name: &str) -> Result<Option<String>, Error>;

    /// Saves (creates or replaces) the alert rule `name`.
    fn save_rule(&self, name: &str, definition: &str) -> Result<(), Error>;

    /// Deletes the alert rule `name`; `false` when there was none.
    fn delete_rule(&self, name: &str) -> Result<bool, Error>;

    /// Every saved alert rule, by name.
    fn rules(&self) -> Result<Vec<StoredRule>, Error>;

    /// A feed of the records other processes commit to this store (several servers on one
    /// database), or `None` when the store is not shared (SQLite: one server per file).
    fn subscribe(&self) -> Result<Option<Box<dyn Subscription>>, Error> {
        Ok(None)
    }

    /// Sends `message` to the subscriptions of the other processes sharing this store
    /// ([`Feed::messages`]); `false` when the store is not shared. At most 7,000 bytes.
    fn broadcast(&self, message: &str) -> Result<bool, Error> {
        let _ = message;
        Ok(false)
    }

    /// A claim to run the jobs that must run once among all processes sharing this store
    /// (alert notifications, retention), or `None` when the store is not shared: then this
    /// process always leads.
    fn leadership(&self) -> Result<Option<Box<dyn Leadership>>, Error> {
        Ok(None)
    }
}

/// What other processes sharing a store committed or broadcast.
#[derive(Debug, Default)]
pub struct Feed {
    /// Records they committed, in commit order.
    pub records: Vec<StoredRecord>,
    /// Messages they sent with [`Store::broadcast`], in order.
    pub messages: Vec<String>,
}

/// Records committed by other processes, batch by batch, in commit order.
pub trait Subscription: Send {
    /// What came from the other processes (records oldest first), waiting up to `timeout`
    /// for something; empty when nothing came. Errors when the connection is lost (the next
    /// call reconnects; what was sent meanwhile is missed, and the error says so).
    fn next(&mut self, timeout: std::time::Duration) -> Result<Feed, Error>;
}

/// Leadership among the processes sharing a store: at most one leads at a time.
pub trait Leadership: Send {
    /// Whether this process leads now: takes the lead when nobody holds it, keeps it while
    /// its connection lives. Never blocks for long; `false` on any error.
    fn is_leader(&mut self) -> bool;
}
