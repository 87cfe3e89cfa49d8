//! What a [`Query`] means for one stored record: the one matcher of the embedded store,
//! applied alike to the newest (row) records and to decoded blocks, with the block-level
//! tests that let a query skip whole blocks.
use hwlog_core::ComponentPattern;

use crate::block::{bloom, Meta, RowRef};
use crate::query::check_query;
use crate::text::TextQuery;
use crate::{Error, Query};

/// A checked query, ready to test records and blocks.
pub(crate) struct Matcher {
    text: Option<TextQuery>,
    min_level: Option<u8>,
    level: Option<u8>,
    component: Option<ComponentPattern>,
    correlation_id: Option<String>,
    fields: Vec<(String, String)>,
    since: Option<i64>,
    until: Option<i64>,
    cursor: Option<i64>,
}

impl Matcher {
    pub(crate) fn new(q: &Query) -> Result<Matcher, Error> {
        check_query(q)?;
        Ok(Matcher {
            text: q.text.as_deref().and_then(TextQuery::new),
            min_level: q.min_level.map(|l| l as u8),
            level: q.level.map(|l| l as u8),
            component: q.component.as_deref().map(ComponentPattern::new),
            correlation_id: q.correlation_id.clone(),
            fields: q.fields.clone(),
            since: q.since,
            until: q.until,
            cursor: q.cursor,
        })
    }

    /// The id, time and level conditions, which SQL can test on the newest records.
    pub(crate) fn cursor(&self) -> Option<i64> {
        self.cursor
    }

    pub(crate) fn since(&self) -> Option<i64> {
        self.since
    }

    pub(crate) fn until(&self) -> Option<i64> {
        self.until
    }

    /// Whether the record matches every condition.
    pub(crate) fn matches(&self, r: &RowRef<'_>) -> bool {
        self.matches_but_text(r) && self.text.as_ref().is_none_or(|t| t.matches(r.message))
    }

    /// Whether the record matches every condition but the text.
    pub(crate) fn matches_but_text(&self, r: &RowRef<'_>) -> bool {
        self.cursor.is_none_or(|c| r.id < c)
            && self.since.is_none_or(|s| r.ts >= s)
            && self.until.is_none_or(|u| r.ts < u)
            && self.min_level.is_none_or(|l| r.level >= l)
            && self.level.is_none_or(|l| r.level == l)
            && self.component_matches(r.component)
            && self
                .correlation_id
                .as_deref()
                .is_none_or(|c| r.correlation_id == Some(c))
            && (self.fields.is_empty() || r.fields.is_some_and(|f| self.fields_match(f)))
    }

    /// Whether any condition but the text is set.
    pub(crate) fn has_row_conditions(&self) -> bool {
        self.cursor.is_some()
            || self.since.is_some()
            || self.until.is_some()
            || self.min_level.is_some()
            || self.level.is_some()
            || self.component.is_some()
            || self.correlation_id.is_some()
            || !self.fields.is_empty()
    }

    pub(crate) fn correlation_id(&self) -> Option<&str> {
        self.correlation_id.as_deref()
    }

    pub(crate) fn text(&self) -> Option<&TextQuery> {
        self.text.as_ref()
    }

    pub(crate) fn has_component(&self) -> bool {
        self.component.is_some()
    }

    pub(crate) fn component_matches(&self, name: &str) -> bool {
        self.component.as_ref().is_none_or(|p| p.matches(name))
    }

    fn fields_match(&self, json: &str) -> bool {
        let mut left: Vec<bool> = vec![false; self.fields.len()];
        field_texts(json, |k, v| {
            for (i, (fk, fv)) in self.fields.iter().enumerate() {
                if fk == k && fv == v {
                    left[i] = true;
                }
            }
        });
        left.iter().all(|m| *m)
    }

    /// Whether a block with this summary may hold a match.
    pub(crate) fn block_may_match(&self, m: &Meta) -> bool {
        let levels_ok = match (self.level, self.min_level) {
            (Some(l), _) if m.levels & (1 << l.min(7)) == 0 => false,
            (_, Some(min)) => m.levels >> min.min(7) != 0,
            _ => true,
        };
        levels_ok
            && self.cursor.is_none_or(|c| m.first_id < c)
            && self.since.is_none_or(|s| m.max_ts >= s)
            && self.until.is_none_or(|u| m.min_ts < u)
    }

    /// The items a block's bloom filter must hold for the block to hold a match.
    pub(crate) fn bloom_items(&self) -> Vec<Vec<u8>> {
        let mut items = Vec::new();
        if let Some(t) = &self.text {
            items.extend(t.required_words().iter().map(|w| w.as_bytes().to_vec()));
        }
        if let Some(c) = &self.correlation_id {
            items.push(bloom::correlation_item(c));
        }
        for (k, v) in &self.fields {
            items.push(bloom::field_item(k, v));
        }
        items
    }
}

/// Calls `f` with each top-level key of a stored fields object and its value as text:
/// a string's content, `true`/`false`, a number's JSON text, a nested array or object as
/// its JSON text; `null` has no text. What a field condition compares, and what a block's
/// bloom filter holds.
pub(crate) fn field_texts(json: &str, mut f: impl FnMut(&str, &str)) {
    let Ok(serde_json::Value::Object(map)) = serde_json::from_str::<serde_json::Value>(json) else {
        return;
    };
    for (k, v) in &map {
        match v {
            serde_json::Value::Null => {}
            serde_json::Value::String(s) => f(k, s),
            serde_json::Value::Bool(b) => f(k, if *b { "true" } else { "false" }),
            other => f(k, &other.to_string()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::block::RawRow;
    use hwlog_core::Level;

    fn row() -> RawRow {
        RawRow {
            id: 10,
            ts: 1_000,
            level: Level::Error as u8,
            component: "hw.ipmi.power".into(),
            message: "Power on node-7 failed: timeout".into(),
            correlation_id: Some("req-1".into()),
            fields: Some(r#"{"host":"node-07","port":623,"ok":false,"x":null}"#.into()),
            ..RawRow::default()
        }
    }

    fn m(q: Query) -> bool {
        Matcher::new(&q).unwrap().matches(&row().as_ref())
    }

    #[test]
    fn every_condition_holds() {
        assert!(m(Query::default()));
        assert!(m(Query {
            text: Some("NODE-7 fail*".into()),
            component: Some("hw.ipmi".into()),
            min_level: Some(Level::Warning),
            correlation_id: Some("req-1".into()),
            fields: vec![
                ("host".into(), "node-07".into()),
                ("port".into(), "623".into())
            ],
            since: Some(1_000),
            until: Some(1_001),
            cursor: Some(11),
            ..Query::default()
        }));
        assert!(m(Query {
            fields: vec![("ok".into(), "false".into())],
            ..Query::default()
        }));
        for q in [
            Query {
                text: Some("fail".into()),
                ..Query::default()
            },
            Query {
                component: Some("hw.ip".into()),
                ..Query::default()
            },
            Query {
                level: Some(Level::Warning),
                ..Query::default()
            },
            Query {
                correlation_id: Some("req-2".into()),
                ..Query::default()
            },
            Query {
                fields: vec![("x".into(), "null".into())],
                ..Query::default()
            },
            Query {
                fields: vec![("host".into(), "node-7".into())],
                ..Query::default()
            },
            Query {
                until: Some(1_000),
                ..Query::default()
            },
            Query {
                cursor: Some(10),
                ..Query::default()
            },
        ] {
            assert!(!m(q.clone()), "{q:?}");
        }
    }

    #[test]
    fn blocks_are_skipped_by_summary() {
        let meta = Meta {
            first_id: 1,
            last_id: 100,
            n: 100,
            min_ts: 50,
            max_ts: 60,
            levels: 1 << Level::Info as u8,
        };
        let ok = |q: Query| Matcher::new(&q).unwrap().block_may_match(&meta);
        assert!(ok(Query::default()));
        assert!(ok(Query {
            min_level: Some(Level::Info),
            ..Query::default()
        }));
        assert!(!ok(Query {
            min_level: Some(Level::Warning),
            ..Query::default()
        }));
        assert!(!ok(Query {
            level: Some(Level::Debug),
            ..Query::default()
        }));
        assert!(!ok(Query {
            since: Some(61),
            ..Query::default()
        }));
        assert!(!ok(Query {
            until: Some(50),
            ..Query::default()
        }));
        assert!(!ok(Query {
            cursor: Some(1),
            ..Query::default()
        }));
        assert!(ok(Query {
            cursor: Some(2),
            ..Query::default()
        }));
    }
}
