//! Table names and versioned migrations.
//!
//! Each log table has its own schema version, kept in the shared `hwlog_schema` table
//! (`name` → `version`), so several stores with different table names can live in one file.
//! Opening applies the missing steps of [`MIGRATIONS`] in order, in one `BEGIN IMMEDIATE`
//! transaction, and refuses a table whose version is newer than this build knows.
use rusqlite::{Connection, OptionalExtension, TransactionBehavior};

use crate::{Error, ErrorKind};

/// The schema version this build writes: the number of migration steps.
pub const SCHEMA_VERSION: u32 = MIGRATIONS.len() as u32;

/// One migration step: SQL in which `{n}` stands for the validated table name (always written
/// inside double quotes, alone or as the prefix of a derived name).
struct Step {
    description: &'static str,
    sql: &'static str,
}

/// The ordered migration steps; step `i` takes a table from version `i` to `i + 1`.
/// Never edit a released step: append a new one.
///
/// Steps 1–4 built the row store (kept for tables written by older versions, which step 5
/// converts). Step 5 drops its FTS5 index, triggers and B-tree indexes: the row table is
/// from then on only the *head*, the newest records (at most a few blocks' worth), and
/// older records live in compressed column blocks (`{n}_blocks` holds each block's
/// summary and bloom filter, `{n}_cols` its columns under the key `block * 16 + column`;
/// see `crate::block`). The records of a migrated table are sealed into blocks when the
/// store opens.
///
/// (Steps 1–4:) The FTS5 index was external-content (`content=<table>`). Deletes and updates of the message
/// keep it current through triggers; inserts do not have a trigger: the store indexes each
/// batch with one `INSERT … SELECT` at its end (see `SqliteStore::insert_batch`), because a
/// per-row trigger makes FTS5 flush its pending terms at every row's statement savepoint,
/// which is five times slower. Rows inserted by other programs are therefore not searchable
/// until `INSERT INTO <table>_fts(<table>_fts) VALUES ('rebuild')`. FTS5 merges its segments
/// 16 at a time instead of 4 (`automerge`), which makes inserts about 10% faster for slightly
/// more segments to read per search.
const MIGRATIONS: [Step; 5] = [
    Step {
        description: "log table, indexes, FTS5 index on message",
        sql: r#"
CREATE TABLE "{n}" (
    id INTEGER PRIMARY KEY,
    ts INTEGER NOT NULL,
    level INTEGER NOT NULL,
    component TEXT NOT NULL,
    message TEXT NOT NULL,
    correlation_id TEXT,
    fields TEXT,
    thread TEXT,
    pid INTEGER,
    file TEXT,
    line INTEGER,
    host TEXT,
    error TEXT
);
CREATE INDEX "{n}_ts" ON "{n}"(ts);
CREATE INDEX "{n}_level_ts" ON "{n}"(level, ts);
CREATE INDEX "{n}_component_ts" ON "{n}"(component, ts);
CREATE INDEX "{n}_correlation_id" ON "{n}"(correlation_id) WHERE correlation_id IS NOT NULL;
CREATE VIRTUAL TABLE "{n}_fts" USING fts5(
    message, content="{n}", content_rowid=id, columnsize=0, tokenize="unicode61 remove_diacritics 2"
);
INSERT INTO "{n}_fts"("{n}_fts", rank) VALUES ('automerge', 16);
CREATE TRIGGER "{n}_fts_ad" AFTER DELETE ON "{n}" BEGIN
    INSERT INTO "{n}_fts"("{n}_fts", rowid, message) VALUES ('delete', old.id, old.message);
END;
CREATE TRIGGER "{n}_fts_au" AFTER UPDATE OF message ON "{n}" BEGIN
    INSERT INTO "{n}_fts"("{n}_fts", rowid, message) VALUES ('delete', old.id, old.message);
    INSERT INTO "{n}_fts"(rowid, message) VALUES (new.id, new.message);
END;
"#,
    },
    Step {
        description: "activity feed",
        sql: r#"
CREATE TABLE "{n}_activity" (
    id INTEGER PRIMARY KEY,
    ts INTEGER NOT NULL,
    component TEXT NOT NULL,
    action TEXT NOT NULL,
    message TEXT NOT NULL,
    level TEXT NOT NULL,
    details TEXT
);
CREATE INDEX "{n}_activity_ts" ON "{n}_activity"(ts, id);
CREATE INDEX "{n}_activity_component_ts" ON "{n}_activity"(component, ts, id);
"#,
    },
    Step {
        description: "alert history and collection cursors",
        sql: r#"
CREATE TABLE "{n}_cursors" (
    name TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
CREATE TABLE "{n}_alerts" (
    id INTEGER PRIMARY KEY,
    ts INTEGER NOT NULL,
    alert_id INTEGER NOT NULL,
    rule TEXT NOT NULL,
    event TEXT NOT NULL,
    detail TEXT NOT NULL
);
CREATE INDEX "{n}_alerts_ts" ON "{n}_alerts"(ts, id);
CREATE INDEX "{n}_alerts_alert" ON "{n}_alerts"(alert_id, ts, id);
"#,
    },
    Step {
        description: "alert rules created through the API",
        sql: r#"
CREATE TABLE "{n}_rules" (
    name TEXT PRIMARY KEY,
    definition TEXT NOT NULL,
    updated INTEGER NOT NULL
);
"#,
    },
    Step {
        description: "compressed column blocks; the row table becomes the head of newest records",
        sql: r#"
DROP TRIGGER IF EXISTS "{n}_fts_ad";
DROP TRIGGER IF EXISTS "{n}_fts_au";
DROP TABLE IF EXISTS "{n}_fts";
DROP INDEX IF EXISTS "{n}_ts";
DROP INDEX IF EXISTS "{n}_level_ts";
DROP INDEX IF EXISTS "{n}_component_ts";
DROP INDEX IF EXISTS "{n}_correlation_id";
CREATE TABLE "{n}_blocks" (
    id INTEGER PRIMARY KEY,
    first_id INTEGER NOT NULL,
    last_id INTEGER NOT NULL,
    n INTEGER NOT NULL,
    min_ts INTEGER NOT NULL,
    max_ts INTEGER NOT NULL,
    levels INTEGER NOT NULL,
    bloom BLOB NOT NULL
);
CREATE INDEX "{n}_blocks_last_id" ON "{n}_blocks"(last_id);
CREATE TABLE "{n}_cols" (
    id INTEGER PRIMARY KEY,
    data BLOB NOT NULL
);
"#,
    },
];

/// Checks a table name: `^[A-Za-z_][A-Za-z0-9_]{0,62}$`, and not SQLite's reserved
/// `sqlite_` prefix or this crate's own `hwlog_schema` table.
pub fn validate_table_name(name: &str) -> Result<(), Error> {
    let b = name.as_bytes();
    let ok = !b.is_empty()
        && b.len() <= 63
        && (b[0].is_ascii_alphabetic() || b[0] == b'_')
        && b.iter().all(|c| c.is_ascii_alphanumeric() || *c == b'_');
    let lower = name.to_ascii_lowercase();
    if !ok || lower.starts_with("sqlite_") || lower.starts_with("hwlog_schema") {
        return Err(Error::new(
            ErrorKind::InvalidName,
            format!(
                "table name {name:?} must match ^[A-Za-z_][A-Za-z0-9_]{{0,62}}$ and not start \
                 with sqlite_ or hwlog_schema"
            ),
        ));
    }
    Ok(())
}

/// The schema version of `table` (0 when it was never created).
pub(crate) fn version(conn: &Connection, table: &str) -> Result<u32, Error> {
    let has_meta: bool = conn.query_row(
        "SELECT EXISTS(SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'hwlog_schema')",
        [],
        |r| r.get(0),
    )?;
    if !has_meta {
        return Ok(0);
    }
    let v: Option<i64> = conn
        .query_row(
            "SELECT version FROM hwlog_schema WHERE name = ?1",
            [table],
            |r| r.get(0),
        )
        .optional()?;
    Ok(v.map_or(0, |v| v.clamp(0, u32::MAX as i64) as u32))
}

fn too_new(table: &str, v: u32) -> Error {
    Error::new(
        ErrorKind::SchemaTooNew,
        format!(
            "table {table:?} has schema version {v}, newer than the {SCHEMA_VERSION} this build \
             of hwlog-store knows; upgrade hwlog-store"
        ),
    )
}

/// Brings `table` to [`SCHEMA_VERSION`]. Returns the number of steps applied (0 when the
/// table was already current).
pub(crate) fn migrate(conn: &mut Connection, table: &str) -> Result<u32, Error> {
    validate_table_name(table)?;
    let v = version(conn, table)?;
    if v > SCHEMA_VERSION {
        return Err(too_new(table, v));
    }
    if v == SCHEMA_VERSION {
        return Ok(0);
    }
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    tx.execute_batch(
        "CREATE TABLE IF NOT EXISTS hwlog_schema (name TEXT PRIMARY KEY, version INTEGER NOT NULL)",
    )?;
    // Another process may have migrated between the check above and taking the write lock.
    let v = version(&tx, table)?;
    if v > SCHEMA_VERSION {
        return Err(too_new(table, v));
    }
    for (i, step) in MIGRATIONS.iter().enumerate().skip(v as usize) {
        tx.execute_batch(&step.sql.replace("{n}", table))
            .map_err(|e| {
                Error::from(e).context(format!("migration {}: {}", i + 1, step.description))
            })?;
    }
    tx.execute(
        "INSERT INTO hwlog_schema(name, version) VALUES (?1, ?2)
         ON CONFLICT(name) DO UPDATE SET version = excluded.version",
        rusqlite::params![table, SCHEMA_VERSION],
    )?;
    tx.commit()?;
    Ok(SCHEMA_VERSION - v)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names() {
        for ok in ["logs", "_x", "L0g_2", &"a".repeat(63)] {
            validate_table_name(ok).unwrap();
        }
        for bad in [
            "",
            "1logs",
            "logs;drop",
            "lo gs",
            "\"logs\"",
            "lögs",
            "sqlite_master",
            "hwlog_schema",
            &"a".repeat(64),
        ] {
            let e = validate_table_name(bad).unwrap_err();
            assert_eq!(e.kind(), ErrorKind::InvalidName, "{bad:?}");
        }
    }

    #[test]
    fn migrates_once_and_refuses_newer() {
        let mut conn = Connection::open_in_memory().unwrap();
        assert_eq!(migrate(&mut conn, "logs").unwrap(), SCHEMA_VERSION);
        assert_eq!(migrate(&mut conn, "logs").unwrap(), 0);
        assert_eq!(migrate(&mut conn, "other").unwrap(), SCHEMA_VERSION);
        assert_eq!(version(&conn, "logs").unwrap(), SCHEMA_VERSION);
        conn.execute(
            "UPDATE hwlog_schema SET version = 99 WHERE name = 'logs'",
            [],
        )
        .unwrap();
        let e = migrate(&mut conn, "logs").unwrap_err();
        assert_eq!(e.kind(), ErrorKind::SchemaTooNew);
    }
}
