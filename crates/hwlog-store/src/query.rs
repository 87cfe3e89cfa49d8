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
            since: None,
            until: None,
            limit: DEFAULT_LIMIT,
            cursor: None,
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

/// Refuses a limit outside `1..=MAX_LIMIT` and `since > until`.
pub(crate) fn check_query(q: &Query) -> Result<(), Error> {
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
