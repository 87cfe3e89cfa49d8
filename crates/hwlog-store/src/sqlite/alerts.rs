//! The alert history and cursor tables of a [`SqliteStore`], and reading another hwlog
//! database.
use std::path::Path;

use hwlog_core::{Record, Timestamp};
use rusqlite::{params, OptionalExtension, TransactionBehavior};

use super::conn::{lock, open_reader};
use super::SqliteStore;
use crate::codec::{decode_row, COLUMNS};
use crate::schema::validate_table_name;
use crate::{AlertRecord, Error, StoredRecord, MAX_LIMIT};

impl SqliteStore {
    pub(crate) fn insert_alert_events_impl(&self, events: &[AlertRecord]) -> Result<usize, Error> {
        if events.is_empty() {
            return Ok(0);
        }
        let sql = format!(
            r#"INSERT INTO "{}_alerts" (ts, alert_id, rule, event, detail) VALUES (?1, ?2, ?3, ?4, ?5)"#,
            self.table()
        );
        let mut w = lock(&self.writer);
        let tx = w.conn.transaction()?;
        {
            let mut stmt = tx.prepare_cached(&sql)?;
            for e in events {
                stmt.execute(params![
                    e.timestamp.as_nanos(),
                    e.alert_id as i64,
                    e.rule,
                    e.event,
                    e.detail
                ])?;
            }
        }
        tx.commit()?;
        Ok(events.len())
    }

    pub(crate) fn alert_history_impl(
        &self,
        alert_id: Option<u64>,
        limit: usize,
    ) -> Result<Vec<AlertRecord>, Error> {
        if limit == 0 {
            return Ok(Vec::new());
        }
        let limit = limit.min(MAX_LIMIT) as i64;
        let t = self.table();
        let filter = if alert_id.is_some() {
            "WHERE alert_id = ?2"
        } else {
            ""
        };
        let sql = format!(
            r#"SELECT id, ts, alert_id, rule, event, detail FROM "{t}_alerts" {filter}
               ORDER BY ts DESC, id DESC LIMIT ?1"#
        );
        let conn = self.reader()?;
        let mut stmt = conn.prepare_cached(&sql)?;
        let map = |r: &rusqlite::Row<'_>| {
            Ok(AlertRecord {
                id: r.get(0)?,
                timestamp: Timestamp::from_nanos(r.get(1)?),
                alert_id: r.get::<_, i64>(2)? as u64,
                rule: r.get(3)?,
                event: r.get(4)?,
                detail: r.get(5)?,
            })
        };
        let rows = match alert_id {
            Some(a) => stmt
                .query_map(params![limit, a as i64], map)?
                .collect::<Result<Vec<_>, _>>()?,
            None => stmt
                .query_map(params![limit], map)?
                .collect::<Result<Vec<_>, _>>()?,
        };
        Ok(rows)
    }
}

impl SqliteStore {
    /// Inserts `records` and sets cursor `name` to `value` in one transaction, so a
    /// collector that resumes from the cursor never stores a record twice.
    pub(crate) fn insert_with_cursor_impl(
        &self,
        records: &[Record],
        name: &str,
        value: &str,
    ) -> Result<usize, Error> {
        let upsert = format!(
            r#"INSERT INTO "{}_cursors" (name, value) VALUES (?1, ?2)
               ON CONFLICT(name) DO UPDATE SET value = excluded.value"#,
            self.table()
        );
        let mut w = lock(&self.writer);
        let super::Writer { conn, enc } = &mut *w;
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let mut first = None;
        {
            let mut stmt = tx.prepare_cached(&self.sql.insert)?;
            for r in records {
                let id = super::insert_row(&mut stmt, enc, r)?;
                first.get_or_insert(id);
            }
        }
        if let Some(first) = first {
            tx.prepare_cached(&self.sql.index_from)?.execute([first])?;
        }
        tx.execute(&upsert, params![name, value])?;
        tx.commit()?;
        drop(w);
        self.committed();
        Ok(records.len())
    }

    pub(crate) fn cursor_impl(&self, name: &str) -> Result<Option<String>, Error> {
        let sql = format!(
            r#"SELECT value FROM "{}_cursors" WHERE name = ?1"#,
            self.table()
        );
        let conn = self.reader()?;
        let v = conn.query_row(&sql, [name], |r| r.get(0)).optional()?;
        Ok(v)
    }

    /// Up to `limit` records of table `table` in the hwlog database at `path` with an id
    /// above `after_id`, oldest first, read through a read-only connection (the file is
    /// not migrated or changed). For collecting from databases other services write.
    pub fn read_after(
        path: &Path,
        table: &str,
        after_id: i64,
        limit: usize,
    ) -> Result<Vec<StoredRecord>, Error> {
        validate_table_name(table)?;
        let conn = open_reader(path, std::time::Duration::from_secs(5))?;
        let sql = format!(r#"SELECT {COLUMNS} FROM "{table}" WHERE id > ?1 ORDER BY id LIMIT ?2"#);
        let mut stmt = conn.prepare(&sql)?;
        let mut rows = stmt.query(params![after_id, limit.min(MAX_LIMIT) as i64])?;
        let mut out = Vec::new();
        while let Some(row) = rows.next()? {
            let (id, record) = decode_row(row)?;
            out.push(StoredRecord { id, record });
        }
        Ok(out)
    }
}
