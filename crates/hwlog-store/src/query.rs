//! What a query asks for and what it returns, and how a query becomes SQL.
use std::time::Duration;

use hwlog_core::{Level, Record};

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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limits_and_ranges_are_checked() {
        let bad = |q: Query| check_query(&q).unwrap_err().kind();
        let q = Query {
            limit: 0,
            ..Query::default()
        };
        assert_eq!(bad(q), ErrorKind::InvalidQuery);
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
        let q = Query {
            fields: vec![("a".into(), "b".into()); MAX_FIELD_FILTERS + 1],
            ..Query::default()
        };
        assert_eq!(bad(q), ErrorKind::InvalidQuery);
        check_query(&Query::default()).unwrap();
    }
}
