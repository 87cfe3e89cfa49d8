//! The tables besides the log of a [`PgStore`]: activity feed, alert history, collection
//! cursors, saved alert rules; and retention.
use hwlog_core::{Record, Timestamp};

use super::{lock, pg_text, schema, PgStore};
use crate::activity::activity_from_columns;
use crate::{Activity, AlertRecord, Error, Retention, RetentionReport, StoredRule};

impl PgStore {
    pub(super) fn insert_activity_impl(&self, a: &Activity) -> Result<i64, Error> {
        let details = a.details.as_ref().map(|d| d.to_string());
        let sql = format!(
            r#"INSERT INTO "{}_activity" (ts, component, action, message, level, details)
               VALUES ($1, $2, $3, $4, $5, $6) RETURNING id"#,
            self.table()
        );
        let row = self.inner.conn()?.query_one(
            &sql,
            &[
                &a.timestamp.as_nanos(),
                &pg_text(&a.component),
                &pg_text(&a.action),
                &pg_text(&a.message),
                &a.level.as_str(),
                &details.as_deref().map(pg_text),
            ],
        )?;
        Ok(row.get(0))
    }

    pub(super) fn activities_impl(
        &self,
        component: Option<&str>,
        limit: usize,
    ) -> Result<Vec<Activity>, Error> {
        if limit == 0 {
            return Ok(Vec::new());
        }
        let t = self.table();
        let cols = "id, ts, component, action, message, level, details";
        let limit = limit as i64;
        let mut c = self.inner.conn()?;
        let rows = match component {
            Some(comp) => c.query(
                &format!(
                    r#"SELECT {cols} FROM "{t}_activity" WHERE component = $2
                       ORDER BY ts DESC, id DESC LIMIT $1"#
                ),
                &[&limit, &comp],
            )?,
            None => c.query(
                &format!(r#"SELECT {cols} FROM "{t}_activity" ORDER BY ts DESC, id DESC LIMIT $1"#),
                &[&limit],
            )?,
        };
        rows.iter()
            .map(|r| {
                activity_from_columns(
                    r.try_get(0)?,
                    r.try_get(1)?,
                    r.try_get(2)?,
                    r.try_get(3)?,
                    r.try_get(4)?,
                    r.try_get(5)?,
                    r.try_get(6)?,
                )
            })
            .collect()
    }

    pub(super) fn insert_alert_events_impl(&self, events: &[AlertRecord]) -> Result<usize, Error> {
        if events.is_empty() {
            return Ok(0);
        }
        let sql = format!(
            r#"INSERT INTO "{}_alerts" (ts, alert_id, rule, event, detail)
               VALUES ($1, $2, $3, $4, $5)"#,
            self.table()
        );
        let mut c = self.inner.conn()?;
        let mut tx = c.transaction()?;
        let stmt = tx.prepare(&sql)?;
        for e in events {
            tx.execute(
                &stmt,
                &[
                    &e.timestamp.as_nanos(),
                    &(e.alert_id as i64),
                    &pg_text(&e.rule),
                    &pg_text(&e.event),
                    &pg_text(&e.detail),
                ],
            )?;
        }
        tx.commit()?;
        Ok(events.len())
    }

    pub(super) fn alert_history_impl(
        &self,
        alert_id: Option<u64>,
        limit: usize,
    ) -> Result<Vec<AlertRecord>, Error> {
        if limit == 0 {
            return Ok(Vec::new());
        }
        let t = self.table();
        let cols = "id, ts, alert_id, rule, event, detail";
        let limit = limit as i64;
        let mut c = self.inner.conn()?;
        let rows = match alert_id {
            Some(a) => c.query(
                &format!(
                    r#"SELECT {cols} FROM "{t}_alerts" WHERE alert_id = $2
                       ORDER BY ts DESC, id DESC LIMIT $1"#
                ),
                &[&limit, &(a as i64)],
            )?,
            None => c.query(
                &format!(r#"SELECT {cols} FROM "{t}_alerts" ORDER BY ts DESC, id DESC LIMIT $1"#),
                &[&limit],
            )?,
        };
        Ok(rows
            .iter()
            .map(|r| AlertRecord {
                id: r.get(0),
                timestamp: Timestamp::from_nanos(r.get(1)),
                alert_id: r.get::<_, i64>(2) as u64,
                rule: r.get(3),
                event: r.get(4),
                detail: r.get(5),
            })
            .collect())
    }

    pub(super) fn insert_with_cursor_impl(
        &self,
        records: &[Record],
        name: &str,
        value: &str,
    ) -> Result<usize, Error> {
        self.insert_all(records, Some((name, value)))?;
        Ok(records.len())
    }

    pub(super) fn cursor_impl(&self, name: &str) -> Result<Option<String>, Error> {
        let sql = format!(
            r#"SELECT value FROM "{}_cursors" WHERE name = $1"#,
            self.table()
        );
        let row = self.inner.conn()?.query_opt(&sql, &[&name])?;
        Ok(row.map(|r| r.get(0)))
    }

    pub(super) fn save_rule_impl(&self, name: &str, definition: &str) -> Result<(), Error> {
        let sql = format!(
            r#"INSERT INTO "{}_rules" (name, definition, updated) VALUES ($1, $2, $3)
               ON CONFLICT(name) DO UPDATE SET definition = excluded.definition,
               updated = excluded.updated"#,
            self.table()
        );
        self.inner.conn()?.execute(
            &sql,
            &[
                &pg_text(name),
                &pg_text(definition),
                &Timestamp::now().as_nanos(),
            ],
        )?;
        Ok(())
    }

    pub(super) fn delete_rule_impl(&self, name: &str) -> Result<bool, Error> {
        let sql = format!(r#"DELETE FROM "{}_rules" WHERE name = $1"#, self.table());
        Ok(self.inner.conn()?.execute(&sql, &[&name])? > 0)
    }

    pub(super) fn rules_impl(&self) -> Result<Vec<StoredRule>, Error> {
        let sql = format!(
            r#"SELECT name, definition, updated FROM "{}_rules" ORDER BY name"#,
            self.table()
        );
        let rows = self.inner.conn()?.query(&sql, &[])?;
        Ok(rows
            .iter()
            .map(|r| StoredRule {
                name: r.get(0),
                definition: r.get(1),
                updated: Timestamp::from_nanos(r.get(2)),
            })
            .collect())
    }

    /// Age: whole days older than the cutoff are dropped as partitions, the rest of the
    /// cutoff's day deleted by rows. Rows: the oldest ids beyond the limit are deleted.
    pub(super) fn retention(&self, r: &Retention) -> Result<RetentionReport, Error> {
        let t = self.table().to_string();
        let mut report = RetentionReport::default();
        let mut c = self.inner.conn()?;
        if let Some(age) = r.max_age {
            let age = i64::try_from(age.as_nanos()).unwrap_or(i64::MAX);
            let cutoff = Timestamp::now().as_nanos().saturating_sub(age);
            let cut_day = schema::day_of(cutoff);
            for (name, day) in schema::partitions(&mut *c, &t)? {
                if day >= cut_day {
                    break;
                }
                let mut tx = c.transaction()?;
                tx.execute(
                    "SELECT pg_advisory_xact_lock($1)",
                    &[&schema::lock_key(&t, "partitions")],
                )?;
                let n: i64 = tx
                    .query_one(&format!(r#"SELECT count(*) FROM "{name}""#), &[])?
                    .get(0);
                tx.batch_execute(&format!(r#"DROP TABLE IF EXISTS "{name}""#))?;
                tx.commit()?;
                lock(&self.inner.days).remove(&day);
                report.deleted += n as u64;
            }
            let del = |c: &mut postgres::Client, table: &str| -> Result<u64, Error> {
                Ok(c.execute(
                    &format!(r#"DELETE FROM "{table}" WHERE ts < $1"#),
                    &[&cutoff],
                )?)
            };
            report.deleted += del(&mut c, &t)?;
            report.activities_deleted += del(&mut c, &format!("{t}_activity"))?;
            report.alerts_deleted += del(&mut c, &format!("{t}_alerts"))?;
        }
        if let Some(max) = r.max_rows {
            let offset = i64::try_from(max).unwrap_or(i64::MAX);
            let doomed = c.query_opt(
                &format!(r#"SELECT id FROM "{t}" ORDER BY id DESC OFFSET $1 LIMIT 1"#),
                &[&offset],
            )?;
            if let Some(row) = doomed {
                let id: i64 = row.get(0);
                report.deleted +=
                    c.execute(&format!(r#"DELETE FROM "{t}" WHERE id <= $1"#), &[&id])?;
            }
        }
        Ok(report)
    }
}
