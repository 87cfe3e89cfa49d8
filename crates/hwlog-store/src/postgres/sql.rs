//! How a [`Query`] becomes PostgreSQL: the same meaning as the SQLite store's SQL (words
//! must all occur, `word*` as a prefix, component globs with children, newest first).
use postgres::types::ToSql;

use hwlog_core::ComponentPattern;

use crate::query::check_query;
use crate::{Error, Query};

/// Column list of the log table, in the order `decode` reads them.
pub(crate) const PG_COLUMNS: &str = "id, ts, level, component, message, correlation_id, \
     fields::text, thread, pid, file, line, host, error";

/// A parameter value.
pub(crate) enum Param {
    Int(i64),
    Text(String),
}

impl Param {
    fn as_sql(&self) -> &(dyn ToSql + Sync) {
        match self {
            Param::Int(i) => i,
            Param::Text(t) => t,
        }
    }
}

/// The parameters as the driver takes them.
pub(crate) fn refs(params: &[Param]) -> Vec<&(dyn ToSql + Sync)> {
    params.iter().map(Param::as_sql).collect()
}

/// `text` followed by anything, as a `LIKE` pattern (`\` escapes).
fn like_prefix(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 4);
    for c in text.chars() {
        if matches!(c, '%' | '_' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out.push('%');
    out
}

/// Builds `SELECT … WHERE … ORDER BY id DESC LIMIT limit + 1` and its parameters.
pub(crate) fn select_sql(table: &str, q: &Query) -> Result<(String, Vec<Param>), Error> {
    check_query(q)?;
    let mut conds: Vec<String> = Vec::new();
    let mut params: Vec<Param> = Vec::new();
    let mut add = |cond: &str, values: Vec<Param>| {
        let mut c = cond.to_string();
        for v in values {
            params.push(v);
            c = c.replacen('?', &format!("${}", params.len()), 1);
        }
        conds.push(c);
    };
    if let Some(text) = q.text.as_deref().filter(|t| !t.trim().is_empty()) {
        let words: Vec<&str> = text
            .split_whitespace()
            .filter(|w| w.trim_end_matches('*').chars().any(char::is_alphanumeric))
            .collect();
        if words.is_empty() {
            add(
                "strpos(message, ?) > 0",
                vec![Param::Text(text.trim().into())],
            );
        }
        for w in words {
            let stem = w.trim_end_matches('*');
            if stem.len() == w.len() {
                // The same parser as the indexed text: `10.0.0.7` or `node-7` stay whole.
                add(
                    "tsv @@ plainto_tsquery('simple', ?)",
                    vec![Param::Text(stem.into())],
                );
            } else {
                let quoted = format!("'{}':*", stem.replace('\\', "\\\\").replace('\'', "''"));
                add(
                    "tsv @@ to_tsquery('simple', ?)",
                    vec![Param::Text(quoted.to_lowercase())],
                );
            }
        }
    }
    if let Some(l) = q.min_level {
        add("level >= ?::int8", vec![Param::Int(l as i64)]);
    }
    if let Some(l) = q.level {
        add("level = ?::int8", vec![Param::Int(l as i64)]);
    }
    if let Some(p) = &q.component {
        let pat = ComponentPattern::new(p);
        match pat.literal() {
            Some(name) => {
                let children = Param::Text(like_prefix(&format!("{name}.")));
                add(
                    "(component = ? OR component LIKE ?)",
                    vec![Param::Text(name), children],
                );
            }
            None => {
                let prefix = pat.literal_prefix();
                if !prefix.is_empty() {
                    add("component LIKE ?", vec![Param::Text(like_prefix(&prefix))]);
                }
                // The one pattern meaning, translated by hwlog-core into a regex that
                // PostgreSQL reads as the `regex` crate does (tested against both).
                add("component ~ ?", vec![Param::Text(pat.sql_regex())]);
            }
        }
    }
    if let Some(c) = &q.correlation_id {
        add("correlation_id = ?", vec![Param::Text(c.clone())]);
    }
    for (k, v) in &q.fields {
        add(
            "EXISTS (SELECT 1 FROM json_each_text(fields) AS f WHERE f.key = ? AND f.value = ?)",
            vec![Param::Text(k.clone()), Param::Text(v.clone())],
        );
    }
    if let Some(s) = q.since {
        add("ts >= ?", vec![Param::Int(s)]);
    }
    if let Some(u) = q.until {
        add("ts < ?", vec![Param::Int(u)]);
    }
    if let Some(c) = q.cursor {
        add("id < ?", vec![Param::Int(c)]);
    }
    let mut sql = format!(r#"SELECT {PG_COLUMNS} FROM "{table}""#);
    if !conds.is_empty() {
        sql.push_str(" WHERE ");
        sql.push_str(&conds.join(" AND "));
    }
    params.push(Param::Int(q.limit as i64 + 1));
    sql.push_str(&format!(" ORDER BY id DESC LIMIT ${}", params.len()));
    Ok((sql, params))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_are_numbered_in_order() {
        let q = Query {
            text: Some("power fail*".into()),
            component: Some("hw_1".into()),
            since: Some(5),
            ..Query::default()
        };
        let (sql, params) = select_sql("logs", &q).unwrap();
        assert!(sql.contains("plainto_tsquery('simple', $1)"), "{sql}");
        assert!(sql.contains("to_tsquery('simple', $2)"), "{sql}");
        assert!(
            sql.contains("(component = $3 OR component LIKE $4)"),
            "{sql}"
        );
        assert!(sql.ends_with("ts >= $5 ORDER BY id DESC LIMIT $6"), "{sql}");
        assert_eq!(params.len(), 6);
        assert!(matches!(&params[1], Param::Text(t) if t == "'fail':*"));
        assert!(matches!(&params[3], Param::Text(t) if t == "hw\\_1.%"));
        assert_eq!(like_prefix("a%b_\\"), "a\\%b\\_\\\\%");
        let q = Query {
            component: Some("h%.*".into()),
            ..Query::default()
        };
        let (sql, params) = select_sql("logs", &q).unwrap();
        assert!(
            sql.contains("component LIKE $1 AND component ~ $2"),
            "{sql}"
        );
        assert!(matches!(&params[0], Param::Text(t) if t == "h\\%.%"));
    }
}
