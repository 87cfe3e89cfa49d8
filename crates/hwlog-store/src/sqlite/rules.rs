//! The alert rules table of a [`SqliteStore`].
use hwlog_core::Timestamp;
use rusqlite::params;

use super::conn::lock;
use super::SqliteStore;
use crate::{Error, StoredRule};

impl SqliteStore {
    pub(crate) fn save_rule_impl(&self, name: &str, definition: &str) -> Result<(), Error> {
        let sql = format!(
            r#"INSERT INTO "{}_rules" (name, definition, updated) VALUES (?1, ?2, ?3)
               ON CONFLICT(name) DO UPDATE SET definition = excluded.definition,
               updated = excluded.updated"#,
            self.table()
        );
        let w = lock(&self.writer);
        w.conn
            .execute(&sql, params![name, definition, Timestamp::now().as_nanos()])?;
        Ok(())
    }

    pub(crate) fn delete_rule_impl(&self, name: &str) -> Result<bool, Error> {
        let sql = format!(r#"DELETE FROM "{}_rules" WHERE name = ?1"#, self.table());
        let w = lock(&self.writer);
        Ok(w.conn.execute(&sql, [name])? > 0)
    }

    pub(crate) fn rules_impl(&self) -> Result<Vec<StoredRule>, Error> {
        let sql = format!(
            r#"SELECT name, definition, updated FROM "{}_rules" ORDER BY name"#,
            self.table()
        );
        let conn = self.reader()?;
        let mut stmt = conn.prepare_cached(&sql)?;
        let rows = stmt
            .query_map([], |r| {
                Ok(StoredRule {
                    name: r.get(0)?,
                    definition: r.get(1)?,
                    updated: Timestamp::from_nanos(r.get(2)?),
                })
            })?
            .collect::<Result<Vec<_>, _>>()?;
        Ok(rows)
    }
}
