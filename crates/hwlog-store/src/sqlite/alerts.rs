//! The alert history and cursor tables of a [`SqliteStore`], and reading another hwlog
//! database.
use std::path::Path;

use hwlog_core::{Record, Timestamp};
use rusqlite::{params, OptionalExtension, TransactionBehavior};

use super::conn::{lock, open_reader};
use super::SqliteStore;
use crate::codec::COLUMNS;
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
        let super::Writer { conn, enc, .. } = &mut *w;
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        if !records.is_empty() {
            self.insert_rows(&tx, enc, records)?;
        }
        tx.execute(&upsert, params![name, value])?;
        tx.commit()?;
        self.inserted(&mut w, records.len());
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
        let limit = limit.min(MAX_LIMIT);
        let conn = open_reader(path, std::time::Duration::from_secs(5))?;
        let tx = rusqlite::Transaction::new_unchecked(&conn, TransactionBehavior::Deferred)?;
        let mut out = Vec::new();
        // A table written before the block format has no blocks yet.
        let has_blocks: bool = tx.query_row(
            "SELECT EXISTS(SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?1)",
            [format!("{table}_blocks")],
            |r| r.get(0),
        )?;
        if has_blocks {
            super::blocks::read_after(&tx, table, after_id, limit, &mut out)?;
        }
        let sql = format!(r#"SELECT {COLUMNS} FROM "{table}" WHERE id > ?1 ORDER BY id LIMIT ?2"#);
        let mut stmt = tx.prepare(&sql)?;
        let mut rows = stmt.query(params![after_id, (limit - out.len()) as i64])?;
        while let Some(row) = rows.next()? {
            out.push(super::blocks::raw_row(row)?.as_ref().to_record()?);
        }
        Ok(out)
    }
}
