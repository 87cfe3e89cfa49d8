//! The alert history table of a [`SqliteStore`].
use hwlog_core::Timestamp;
use rusqlite::params;

use super::conn::lock;
use super::SqliteStore;
use crate::{AlertRecord, Error, MAX_LIMIT};

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
