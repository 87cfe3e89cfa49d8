//! The PostgreSQL schema: versioned migrations and the daily partitions of the log table.
//!
//! The log table `<t>` is partitioned by range of `ts` (nanoseconds, UTC), one partition per
//! day named `<t>_pYYYYMMDD`, created when the first record of that day arrives. Retention by
//! age drops whole partitions. Full text: a stored `tsvector` column (`simple`
//! configuration: no stemming, no stop words, like the SQLite store's FTS5 index) with a GIN
//! index. Ids are `batch << 20 | index` with `batch` from the sequence `<t>_batch`, so every
//! batch is one contiguous id range (what the cross-server live feed fetches).
use postgres::GenericClient;

use crate::{Error, ErrorKind};

/// Nanoseconds in a day.
pub(crate) const DAY_NS: i64 = 86_400 * 1_000_000_000;

/// The ordered migration steps (`{n}` is the table name); never edit a released step.
const MIGRATIONS: [&str; 1] = [r#"
CREATE SEQUENCE "{n}_batch";
CREATE TABLE "{n}" (
    id BIGINT NOT NULL,
    ts BIGINT NOT NULL,
    level SMALLINT NOT NULL,
    component TEXT NOT NULL,
    message TEXT NOT NULL,
    correlation_id TEXT,
    fields JSON,
    thread TEXT,
    pid BIGINT,
    file TEXT,
    line BIGINT,
    host TEXT,
    error TEXT,
    tsv TSVECTOR GENERATED ALWAYS AS (to_tsvector('simple', left(message, 100000))) STORED,
    PRIMARY KEY (id, ts)
) PARTITION BY RANGE (ts);
CREATE INDEX "{n}_ts" ON "{n}"(ts);
CREATE INDEX "{n}_level_ts" ON "{n}"(level, ts);
CREATE INDEX "{n}_component_ts" ON "{n}"(component, ts);
CREATE INDEX "{n}_correlation_id" ON "{n}"(correlation_id) WHERE correlation_id IS NOT NULL;
CREATE INDEX "{n}_tsv" ON "{n}" USING GIN (tsv);
CREATE TABLE "{n}_activity" (
    id BIGSERIAL PRIMARY KEY,
    ts BIGINT NOT NULL,
    component TEXT NOT NULL,
    action TEXT NOT NULL,
    message TEXT NOT NULL,
    level TEXT NOT NULL,
    details TEXT
);
CREATE INDEX "{n}_activity_ts" ON "{n}_activity"(ts, id);
CREATE INDEX "{n}_activity_component_ts" ON "{n}_activity"(component, ts, id);
CREATE TABLE "{n}_cursors" (name TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE "{n}_alerts" (
    id BIGSERIAL PRIMARY KEY,
    ts BIGINT NOT NULL,
    alert_id BIGINT NOT NULL,
    rule TEXT NOT NULL,
    event TEXT NOT NULL,
    detail TEXT NOT NULL
);
CREATE INDEX "{n}_alerts_ts" ON "{n}_alerts"(ts, id);
CREATE INDEX "{n}_alerts_alert" ON "{n}_alerts"(alert_id, ts, id);
CREATE TABLE "{n}_rules" (name TEXT PRIMARY KEY, definition TEXT NOT NULL, updated BIGINT NOT NULL);
"#];

/// The schema version this build writes.
pub const PG_SCHEMA_VERSION: u32 = MIGRATIONS.len() as u32;

/// An advisory lock key for `what` on `table` (stable across processes).
pub(crate) fn lock_key(table: &str, what: &str) -> i64 {
    // FNV-1a: stable, unlike std's randomly seeded hasher.
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in table.bytes().chain([0]).chain(what.bytes()) {
        h ^= b as u64;
        h = h.wrapping_mul(0x100_0000_01b3);
    }
    h as i64
}

/// Brings `table` to [`PG_SCHEMA_VERSION`] under an advisory lock (servers starting together
/// migrate once). Returns the number of steps applied.
pub(crate) fn migrate(client: &mut postgres::Client, table: &str) -> Result<u32, Error> {
    let mut tx = client.transaction()?;
    tx.execute(
        "SELECT pg_advisory_xact_lock($1)",
        &[&lock_key(table, "migrate")],
    )?;
    tx.batch_execute(
        "CREATE TABLE IF NOT EXISTS hwlog_schema (name TEXT PRIMARY KEY, version INTEGER NOT NULL)",
    )?;
    let v: u32 = tx
        .query_opt(
            "SELECT version FROM hwlog_schema WHERE name = $1",
            &[&table],
        )?
        .map_or(0, |r| r.get::<_, i32>(0).max(0) as u32);
    if v > PG_SCHEMA_VERSION {
        return Err(Error::new(
            ErrorKind::SchemaTooNew,
            format!(
                "table {table:?} has schema version {v}, newer than the {PG_SCHEMA_VERSION} this \
                 build of hwlog-store knows; upgrade hwlog-store"
            ),
        ));
    }
    for (i, step) in MIGRATIONS.iter().enumerate().skip(v as usize) {
        tx.batch_execute(&step.replace("{n}", table))
            .map_err(|e| Error::from(e).context(format!("migration {}", i + 1)))?;
    }
    tx.execute(
        "INSERT INTO hwlog_schema(name, version) VALUES ($1, $2)
         ON CONFLICT(name) DO UPDATE SET version = excluded.version",
        &[&table, &(PG_SCHEMA_VERSION as i32)],
    )?;
    tx.commit()?;
    Ok(PG_SCHEMA_VERSION - v)
}

/// The day (since the Unix epoch) of `ts` nanoseconds.
pub(crate) fn day_of(ts: i64) -> i64 {
    ts.div_euclid(DAY_NS)
}

/// `YYYYMMDD` of a day since the Unix epoch (proleptic Gregorian calendar).
pub(crate) fn day_name(day: i64) -> String {
    // Howard Hinnant's civil_from_days.
    let z = day + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!("{y:04}{m:02}{d:02}")
}

/// The partition of `day`: name and bounds.
pub(crate) fn partition(table: &str, day: i64) -> (String, i64, i64) {
    (
        format!("{table}_p{}", day_name(day)),
        day.saturating_mul(DAY_NS),
        day.saturating_add(1).saturating_mul(DAY_NS),
    )
}

/// Creates the partitions of `days` that do not exist yet (under an advisory lock, so two
/// servers creating the same day do not collide).
pub(crate) fn create_partitions(
    client: &mut impl GenericClient,
    table: &str,
    days: &[i64],
) -> Result<(), Error> {
    let mut tx = client.transaction()?;
    tx.execute(
        "SELECT pg_advisory_xact_lock($1)",
        &[&lock_key(table, "partitions")],
    )?;
    for &day in days {
        let (name, from, to) = partition(table, day);
        tx.batch_execute(&format!(
            r#"CREATE TABLE IF NOT EXISTS "{name}" PARTITION OF "{table}" FOR VALUES FROM ({from}) TO ({to})"#
        ))?;
    }
    tx.commit()?;
    Ok(())
}

/// The partitions of `table` with their days, oldest first.
pub(crate) fn partitions(
    client: &mut impl GenericClient,
    table: &str,
) -> Result<Vec<(String, i64)>, Error> {
    let rows = client.query(
        "SELECT c.relname::text FROM pg_inherits i
         JOIN pg_class c ON c.oid = i.inhrelid
         JOIN pg_class p ON p.oid = i.inhparent
         WHERE p.relname = $1 AND p.relnamespace = current_schema()::regnamespace",
        &[&table],
    )?;
    let prefix = format!("{table}_p");
    let mut out: Vec<(String, i64)> = rows
        .iter()
        .filter_map(|r| {
            let name: String = r.get(0);
            let day = day_from_name(name.strip_prefix(&prefix)?)?;
            Some((name, day))
        })
        .collect();
    out.sort_by_key(|p| p.1);
    Ok(out)
}

/// The day of a `YYYYMMDD` name.
fn day_from_name(s: &str) -> Option<i64> {
    if s.len() < 8 || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let (y, md) = s.split_at(s.len() - 4);
    let (y, m, d): (i64, i64, i64) = (
        y.parse().ok()?,
        md[..2].parse().ok()?,
        md[2..].parse().ok()?,
    );
    // Howard Hinnant's days_from_civil.
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = if m > 2 { m - 3 } else { m + 9 };
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    Some(era * 146_097 + doe - 719_468)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn day_names_round_trip() {
        assert_eq!(day_name(0), "19700101");
        assert_eq!(day_name(20_416), "20251124");
        assert_eq!(day_name(-1), "19691231");
        for day in [-100_000, -1, 0, 59, 60, 365, 11_016, 20_416, 100_000] {
            assert_eq!(day_from_name(&day_name(day)), Some(day), "{day}");
        }
        assert_eq!(day_of(-1), -1);
        assert_eq!(day_of(DAY_NS), 1);
        assert_ne!(lock_key("logs", "migrate"), lock_key("logs", "partitions"));
    }
}
