//! Error patterns: which templates make up the errors of a time window.
use std::collections::{BTreeMap, HashMap};

use hwlog_core::{Level, Record};

use crate::miner::TemplateMiner;
use crate::window::Window;

/// Correlation ids kept per pattern.
const SAMPLE_IDS: usize = 5;

/// One error pattern: the records of one template.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct ErrorPattern {
    /// The template id (see [`TemplateMiner`]).
    pub template_id: u64,
    /// The template text.
    pub template: String,
    /// Records in the window.
    pub count: u64,
    /// Share of all errors in the window (0..=1).
    pub share: f64,
    /// Records per hour over the window.
    pub rate_per_hour: f64,
    /// The first and last record's time (ns since the Unix epoch, UTC).
    pub first_seen: i64,
    /// See `first_seen`.
    pub last_seen: i64,
    /// Components with their counts, most first.
    pub components: Vec<(String, u64)>,
    /// The first message of the pattern.
    pub example: String,
    /// Up to five distinct correlation ids, in order of appearance.
    pub correlation_ids: Vec<String>,
}

/// The result of [`analyze_error_patterns`].
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct ErrorReport {
    /// The window analysed.
    pub window: Window,
    /// Records at ERROR or CRITICAL in the window.
    pub total_errors: u64,
    /// Patterns, most frequent first (ties: earliest first).
    pub patterns: Vec<ErrorPattern>,
    /// Components with errors and their counts, most first.
    pub components: Vec<(String, u64)>,
}

impl ErrorReport {
    /// How many of the most frequent patterns make up at least `share` of the errors
    /// ("these five patterns are 90% of today's errors").
    pub fn patterns_covering(&self, share: f64) -> usize {
        let mut acc = 0.0;
        for (i, p) in self.patterns.iter().enumerate() {
            acc += p.share;
            if acc + 1e-12 >= share {
                return i + 1;
            }
        }
        self.patterns.len()
    }
}

#[derive(Default)]
struct Acc {
    count: u64,
    first: i64,
    last: i64,
    components: HashMap<String, u64>,
    example: String,
    ids: Vec<String>,
}

/// Groups the ERROR and CRITICAL records of `records` that fall in `window` by template
/// (using and training `miner`, so pass the miner that has seen the service's logs, or a
/// new one).
///
/// ```
/// use hwlog_analysis::errors::analyze_error_patterns;
/// use hwlog_analysis::miner::TemplateMiner;
/// use hwlog_analysis::window::Window;
/// use hwlog_core::{Level, Record, Timestamp};
///
/// let hour = 3_600_000_000_000i64;
/// let mut recs = Vec::new();
/// for i in 0..3 {
///     let mut r = Record::new(Level::Error, "hardware.ipmi", format!("IPMI timeout on 10.0.0.{i}"));
///     r.timestamp = Timestamp::from_nanos(i * 1000);
///     recs.push(r);
/// }
/// let report = analyze_error_patterns(&recs, Window::new(0, hour), &mut TemplateMiner::new());
/// assert_eq!(report.total_errors, 3);
/// assert_eq!(report.patterns[0].template, "IPMI timeout on <*>");
/// assert_eq!(report.patterns[0].rate_per_hour, 3.0);
/// ```
pub fn analyze_error_patterns<'a>(
    records: impl IntoIterator<Item = &'a Record>,
    window: Window,
    miner: &mut TemplateMiner,
) -> ErrorReport {
    let mut by_id: HashMap<u64, Acc> = HashMap::new();
    let mut total = 0u64;
    for r in records {
        let ts = r.timestamp.as_nanos();
        if r.level < Level::Error || !window.contains(ts) {
            continue;
        }
        total += 1;
        let id = miner.add(&r.message).template_id;
        let a = by_id.entry(id).or_insert_with(|| Acc {
            first: ts,
            last: ts,
            example: r.message.to_string(),
            ..Acc::default()
        });
        a.count += 1;
        a.first = a.first.min(ts);
        a.last = a.last.max(ts);
        *a.components.entry(r.component.to_string()).or_default() += 1;
        if let Some(c) = &r.correlation_id {
            if a.ids.len() < SAMPLE_IDS && !a.ids.iter().any(|x| x == c.as_str()) {
                a.ids.push(c.to_string());
            }
        }
    }
    // Templates may have merged while mining: fold their accumulators together.
    let mut merged: BTreeMap<u64, Acc> = BTreeMap::new();
    for (id, a) in by_id {
        let root = miner.resolve(id);
        match merged.get_mut(&root) {
            None => {
                merged.insert(root, a);
            }
            Some(m) => {
                if a.first < m.first {
                    m.example = a.example;
                }
                m.count += a.count;
                m.first = m.first.min(a.first);
                m.last = m.last.max(a.last);
                for (c, n) in a.components {
                    *m.components.entry(c).or_default() += n;
                }
                for id in a.ids {
                    if m.ids.len() < SAMPLE_IDS && !m.ids.contains(&id) {
                        m.ids.push(id);
                    }
                }
            }
        }
    }
    let hours = window.hours();
    let mut all_components: HashMap<String, u64> = HashMap::new();
    let mut patterns: Vec<ErrorPattern> = merged
        .into_iter()
        .map(|(id, a)| {
            for (c, n) in &a.components {
                *all_components.entry(c.clone()).or_default() += n;
            }
            ErrorPattern {
                template_id: id,
                template: miner
                    .template(id)
                    .map_or_else(|| a.example.clone(), |t| t.text().to_string()),
                count: a.count,
                share: a.count as f64 / total.max(1) as f64,
                rate_per_hour: a.count as f64 / hours,
                first_seen: a.first,
                last_seen: a.last,
                components: sorted(a.components),
                example: a.example,
                correlation_ids: a.ids,
            }
        })
        .collect();
    patterns.sort_by(|a, b| b.count.cmp(&a.count).then(a.first_seen.cmp(&b.first_seen)));
    ErrorReport {
        window,
        total_errors: total,
        patterns,
        components: sorted(all_components),
    }
}

/// Counts, most first, then by name.
pub(crate) fn sorted(m: HashMap<String, u64>) -> Vec<(String, u64)> {
    let mut v: Vec<(String, u64)> = m.into_iter().collect();
    v.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    v
}
