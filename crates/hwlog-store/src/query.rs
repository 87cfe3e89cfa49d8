//! What a query asks for and what it returns, and how a query becomes SQL.
use std::time::Duration;

use hwlog_core::{ComponentPattern, Level, Record};
use rusqlite::types::Value as SqlValue;

use crate::{Error, ErrorKind};

/// Records per page when a query does not say.
pub const DEFAULT_LIMIT: usize = 100;
/// The most records one page may hold.
pub const MAX_LIMIT: usize = 10_000;

/// A search of the stored records. All conditions that are set must hold.
///
/// Results come newest first, ordered by id (insertion order, which is time order for one
/// writer); pass [`Page::next_cursor`] as `cursor` to get the next page.
///
/// ```
/// use hwlog_core::Level;
/// use hwlog_store::Query;
/// let q = Query {
///     text: Some("power failed".into()),
///     min_level: Some(Level::Warning),
///     component: Some("hwautomation.hardware".into()),
///     ..Query::default()
/// };
/// assert_eq!(q.limit, 100);
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Query {
    /// Full-text search of the message. Whitespace-separated words must all occur (in any
    /// order); a word ending in `*` matches as a prefix. Any text is accepted: words are
    /// quoted, so FTS5 operators and SQL in the input are searched for as plain words. Text
    /// with no indexable word at all (only punctuation or symbols, e.g. `*` or `🚀`) is
    /// searched as a case-sensitive substring instead. Empty or blank text is no condition.
    pub text: Option<String>,
    /// Only records at this level or above.
    pub min_level: Option<Level>,
    /// Only records at exactly this level.
    pub level: Option<Level>,
    /// Component pattern, a [`hwlog_core::ComponentPattern`]: `*` matches any run of
    /// characters (dots included), `?` one character, `[a-z]`/`[!x]` a class. A pattern without
    /// wildcards matches the component and its children, as in hwlog's routing (`hyper`
    /// matches `hyper` and `hyper.client`, not `hyperion`).
    pub component: Option<String>,
    /// Only records of this request.
    pub correlation_id: Option<String>,
    /// Only records whose field `key` has the value `value`, for every pair (at most
    /// [`MAX_FIELD_FILTERS`]). The field's value is compared as text: `("port", "623")`
    /// matches the number 623, `("ok", "true")` the boolean.
    pub fields: Vec<(String, String)>,
    /// Only records at or after this time (nanoseconds since the Unix epoch, UTC).
    pub since: Option<i64>,
    /// Only records before this time (nanoseconds since the Unix epoch, UTC).
    pub until: Option<i64>,
    /// Records per page, 1..=[`MAX_LIMIT`]; defaults to [`DEFAULT_LIMIT`].
    pub limit: usize,
    /// Only records with an id below this one: the previous page's [`Page::next_cursor`].
    pub cursor: Option<i64>,
}

impl Default for Query {
    fn default() -> Self {
        Query {
            text: None,
            min_level: None,
            level: None,
            component: None,
            correlation_id: None,
            fields: Vec::new(),
            since: None,
            until: None,
            limit: DEFAULT_LIMIT,
            cursor: None,
        }
    }
}

/// The most field conditions one query may hold.
pub const MAX_FIELD_FILTERS: usize = 16;

/// The most buckets a volume query may span (`(until - since) / bucket`).
pub const MAX_BUCKETS: i64 = 100_000;

/// Records per time bucket and level, and per component, over a time range
/// ([`Store::volume`](crate::Store::volume)).
///
/// ```
/// use hwlog_store::VolumeQuery;
/// let minute = 60_000_000_000;
/// let q = VolumeQuery { since: 0, until: 60 * minute, bucket: minute };
/// assert_eq!(q.buckets().unwrap(), 60);
/// let q = VolumeQuery { since: 0, until: i64::MAX, bucket: 1 };
/// assert!(q.buckets().is_err());
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct VolumeQuery {
    /// Start of the range, inclusive (nanoseconds since the Unix epoch).
    pub since: i64,
    /// End of the range, exclusive.
    pub until: i64,
    /// Bucket width in nanoseconds; bucket `i` starts at `since + i * bucket`.
    pub bucket: i64,
}

impl VolumeQuery {
    /// The number of buckets the range spans; an error for an empty or backwards range, a
    /// bucket of zero or less, or more than [`MAX_BUCKETS`].
    pub fn buckets(&self) -> Result<i64, Error> {
        let bad = |m: String| Err(Error::new(ErrorKind::InvalidQuery, m));
        if self.bucket <= 0 {
            return bad(format!("bucket {} must be positive", self.bucket));
        }
        if self.until <= self.since {
            return bad(format!(
                "since ({}) must be before until ({})",
                self.since, self.until
            ));
        }
        let span = (self.until as i128 - self.since as i128) as u128;
        let n = span.div_ceil(self.bucket as u128);
        if n > MAX_BUCKETS as u128 {
            return bad(format!(
                "{n} buckets of {} ns; at most {MAX_BUCKETS} (use a wider bucket)",
                self.bucket
            ));
        }
        Ok(n as i64)
    }
}

/// The answer to a [`VolumeQuery`].
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Volume {
    /// The buckets that hold records, oldest first.
    pub buckets: Vec<VolumeBucket>,
    /// Records per component over the whole range, most first (then by name).
    pub components: Vec<(String, u64)>,
}

/// One time bucket of a [`Volume`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VolumeBucket {
    /// Its start (nanoseconds since the Unix epoch).
    pub start: i64,
    /// Records per level, lowest level first; levels without records are left out.
    pub counts: Vec<(Level, u64)>,
}

impl Volume {
    /// Builds a volume from `(bucket index, level, count)` and `(component, count)` rows in
    /// any order.
    pub(crate) fn from_rows(
        q: &VolumeQuery,
        levels: impl IntoIterator<Item = (i64, u8, u64)>,
        components: impl IntoIterator<Item = (String, u64)>,
    ) -> Volume {
        let mut map: std::collections::BTreeMap<i64, Vec<(Level, u64)>> = Default::default();
        for (b, l, n) in levels {
            let level = Level::from_u8(l).unwrap_or(Level::Info);
            let counts = map.entry(b).or_default();
            match counts.iter_mut().find(|c| c.0 == level) {
                Some(c) => c.1 += n,
                None => counts.push((level, n)),
            }
        }
        let buckets = map
            .into_iter()
            .map(|(b, mut counts)| {
                counts.sort_by_key(|c| c.0);
                VolumeBucket {
                    start: q.since.saturating_add(b.saturating_mul(q.bucket)),
                    counts,
                }
            })
            .collect();
        let mut components: Vec<(String, u64)> = components.into_iter().collect();
        components.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        Volume {
            buckets,
            components,
        }
    }
}

/// A stored record and its id (the row's primary key; ids grow with each insert).
#[derive(Clone, Debug)]
pub struct StoredRecord {
    /// The row id.
    pub id: i64,
    /// The record as read back. Its `context` holds only the host, and only when the host did
    /// not come from a field; `thread.id` is 0 when the stored thread text had no id.
    pub record: Record,
}

/// One page of query results.
#[derive(Clone, Debug, Default)]
pub struct Page {
    /// The records, newest (highest id) first.
    pub records: Vec<StoredRecord>,
    /// The cursor for the next page, or `None` when this page is the last.
    pub next_cursor: Option<i64>,
}

/// What [`Store::apply_retention`](crate::Store::apply_retention) keeps.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Retention {
    /// Delete records (and activities) whose timestamp is older than this.
    pub max_age: Option<Duration>,
    /// Keep at most this many records: the newest by id.
    pub max_rows: Option<u64>,
}

/// What a retention run deleted.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct RetentionReport {
    /// Log records deleted.
    pub deleted: u64,
    /// Activity entries deleted (by `max_age` only).
    pub activities_deleted: u64,
    /// Alert history entries deleted (by `max_age` only).
    pub alerts_deleted: u64,
}

/// Turns search text into an FTS5 expression of quoted words, or `None` when it has no
/// indexable word. `"` inside a word is doubled, so no input escapes its quotes.
pub(crate) fn fts_expression(text: &str) -> Option<String> {
    let mut out = String::new();
    for word in text.split_whitespace() {
        let stem = word.trim_end_matches('*');
        if !stem.chars().any(char::is_alphanumeric) {
            continue;
        }
        if !out.is_empty() {
            out.push(' ');
        }
        out.push('"');
        out.push_str(&stem.replace('"', "\"\""));
        out.push('"');
        if stem.len() != word.len() {
            out.push('*');
        }
    }
    (!out.is_empty()).then_some(out)
}

/// `text` as a GLOB pattern that matches only itself followed by anything (the GLOB
/// characters `[`, `*` and `?` written as one-character classes).
fn glob_prefix(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 4);
    for c in text.chars() {
        match c {
            '[' | '*' | '?' => {
                out.push('[');
                out.push(c);
                out.push(']');
            }
            c => out.push(c),
        }
    }
    out.push('*');
    out
}

/// Refuses a limit outside `1..=MAX_LIMIT`, `since > until` and more than
/// [`MAX_FIELD_FILTERS`] field conditions.
pub(crate) fn check_query(q: &Query) -> Result<(), Error> {
    if q.fields.len() > MAX_FIELD_FILTERS {
        return Err(Error::new(
            ErrorKind::InvalidQuery,
            format!(
                "{} field conditions; at most {MAX_FIELD_FILTERS}",
                q.fields.len()
            ),
        ));
    }
    if q.limit == 0 || q.limit > MAX_LIMIT {
        return Err(Error::new(
            ErrorKind::InvalidQuery,
            format!("limit {} is not in 1..={MAX_LIMIT}", q.limit),
        ));
    }
    if let (Some(s), Some(u)) = (q.since, q.until) {
        if s > u {
            return Err(Error::new(
                ErrorKind::InvalidQuery,
                format!("since ({s}) is after until ({u})"),
            ));
        }
    }
    Ok(())
}

/// Builds `SELECT <columns> FROM <table> WHERE … ORDER BY id DESC LIMIT limit + 1` and its
/// parameters. `table` must be validated; it is the only text put into the SQL.
pub(crate) fn select_sql(
    table: &str,
    columns: &str,
    q: &Query,
) -> Result<(String, Vec<SqlValue>), Error> {
    check_query(q)?;
    let mut w = Where::default();
    if let Some(text) = q.text.as_deref().filter(|t| !t.trim().is_empty()) {
        match fts_expression(text) {
            Some(expr) => w.add(
                format!(r#"id IN (SELECT rowid FROM "{table}_fts" WHERE "{table}_fts" MATCH ?)"#),
                [SqlValue::Text(expr)],
            ),
            None => w.add(
                "instr(message, ?) > 0",
                [SqlValue::Text(text.trim().to_string())],
            ),
        }
    }
    if let Some(l) = q.min_level {
        w.add("level >= ?", [SqlValue::Integer(l as i64)]);
    }
    if let Some(l) = q.level {
        w.add("level = ?", [SqlValue::Integer(l as i64)]);
    }
    if let Some(p) = &q.component {
        let pat = ComponentPattern::new(p);
        match pat.literal() {
            Some(name) => {
                let children = SqlValue::Text(glob_prefix(&format!("{name}.")));
                w.add(
                    "(component = ? OR component GLOB ?)",
                    [SqlValue::Text(name), children],
                );
            }
            None => {
                // The prefix narrows by the (component, ts) index; the function decides.
                let prefix = pat.literal_prefix();
                if !prefix.is_empty() {
                    w.add("component GLOB ?", [SqlValue::Text(glob_prefix(&prefix))]);
                }
                w.add("hwlog_component(?, component)", [SqlValue::Text(p.clone())]);
            }
        }
    }
    if let Some(c) = &q.correlation_id {
        w.add("correlation_id = ?", [SqlValue::Text(c.clone())]);
    }
    for (k, v) in &q.fields {
        // The stored JSON object of fields, one level deep (nested keys are dotted);
        // booleans as `true`/`false`, numbers as their text.
        w.add(
            "EXISTS (SELECT 1 FROM json_each(fields) AS f WHERE f.key = ? AND \
             (CASE f.type WHEN 'true' THEN 'true' WHEN 'false' THEN 'false' \
             ELSE CAST(f.value AS TEXT) END) = ?)",
            [SqlValue::Text(k.clone()), SqlValue::Text(v.clone())],
        );
    }
    if let Some(s) = q.since {
        w.add("ts >= ?", [SqlValue::Integer(s)]);
    }
    if let Some(u) = q.until {
        w.add("ts < ?", [SqlValue::Integer(u)]);
    }
    if let Some(c) = q.cursor {
        w.add("id < ?", [SqlValue::Integer(c)]);
    }
    let mut sql = format!(r#"SELECT {columns} FROM "{table}""#);
    if !w.conds.is_empty() {
        sql.push_str(" WHERE ");
        sql.push_str(&w.conds.join(" AND "));
    }
    sql.push_str(" ORDER BY id DESC LIMIT ?");
    let mut params = w.params;
    params.push(SqlValue::Integer(q.limit as i64 + 1));
    Ok((sql, params))
}

/// Conditions joined with `AND`, and their parameters in order.
#[derive(Default)]
struct Where {
    conds: Vec<String>,
    params: Vec<SqlValue>,
}

impl Where {
    fn add<const N: usize>(&mut self, cond: impl Into<String>, values: [SqlValue; N]) {
        self.conds.push(cond.into());
        self.params.extend(values);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fts_quotes_every_word() {
        assert_eq!(
            fts_expression("power failed").unwrap(),
            r#""power" "failed""#
        );
        assert_eq!(fts_expression("pow*").unwrap(), r#""pow"*"#);
        assert_eq!(fts_expression(r#"say "hi"#).unwrap(), r#""say" """hi""#);
        assert_eq!(fts_expression("NEAR( x").unwrap(), r#""NEAR(" "x""#);
        assert_eq!(fts_expression("' OR 1=1 --").unwrap(), r#""OR" "1=1""#);
        assert_eq!(fts_expression("* -- ()"), None);
    }

    #[test]
    fn limits_and_ranges_are_checked() {
        let bad = |q: Query| select_sql("logs", "id", &q).unwrap_err().kind();
        assert_eq!(
            bad(Query {
                limit: 0,
                ..Query::default()
            }),
            ErrorKind::InvalidQuery
        );
        let q = Query {
            limit: MAX_LIMIT + 1,
            ..Query::default()
        };
        assert_eq!(bad(q), ErrorKind::InvalidQuery);
        let q = Query {
            since: Some(5),
            until: Some(4),
            ..Query::default()
        };
        assert_eq!(bad(q), ErrorKind::InvalidQuery);
        let (sql, params) = select_sql("logs", "id", &Query::default()).unwrap();
        assert_eq!(sql, r#"SELECT id FROM "logs" ORDER BY id DESC LIMIT ?"#);
        assert_eq!(params, vec![SqlValue::Integer(101)]);
    }

    #[test]
    fn component_patterns() {
        let q = Query {
            component: Some("a[1].*".into()),
            ..Query::default()
        };
        let (sql, params) = select_sql("logs", "id", &q).unwrap();
        assert!(sql.contains("component GLOB ? AND hwlog_component(?, component)"));
        assert_eq!(params[0], SqlValue::Text("a*".into()));
        assert_eq!(params[1], SqlValue::Text("a[1].*".into()));
        let q = Query {
            component: Some("hyper".into()),
            ..Query::default()
        };
        let (_, params) = select_sql("logs", "id", &q).unwrap();
        assert_eq!(params[1], SqlValue::Text("hyper.*".into()));
    }
}
