//! Anomaly detection: record volume and error rate per component in time buckets against a
//! robust baseline, and templates never seen before.
//!
//! The baseline of a bucket is the median of earlier buckets, and its spread the median
//! absolute deviation (MAD), both insensitive to the spikes being looked for. With at least
//! [`AnomalyConfig::seasonal_days`] days of history the baseline is taken from the same time
//! of day on earlier days (± one bucket), so a daily peak is not an anomaly; before that,
//! from the [`AnomalyConfig::trailing_buckets`] buckets before. The score is the robust z
//! value `(x − median) / (1.4826 · MAD)`, with the spread at least `√median` (the noise of a
//! count) and at least 1.
use std::collections::{BTreeMap, HashMap};

use hwlog_core::{Level, Record};

use crate::miner::TemplateMiner;
use crate::window::Window;

/// Buckets a detection looks at, at most (the newest part of a longer window).
pub const MAX_BUCKETS: usize = 100_000;

/// Settings of the detectors. The defaults suit buckets of five minutes.
#[derive(Clone, Debug, PartialEq)]
pub struct AnomalyConfig {
    /// Bucket width in seconds.
    pub bucket_secs: i64,
    /// Buckets needed before the first judgement.
    pub min_history: usize,
    /// Earlier buckets forming the baseline without seasonality.
    pub trailing_buckets: usize,
    /// Days of history from which the same time of day is the baseline.
    pub seasonal_days: usize,
    /// Score (robust z) from which a bucket is anomalous.
    pub threshold: f64,
    /// Smallest absolute difference from the baseline that counts (records per bucket).
    pub min_delta: f64,
    /// Records a bucket needs before its error rate is judged.
    pub min_volume: u64,
    /// Occurrences in the last bucket that make a never-seen template an anomaly.
    pub new_template_min: u64,
}

impl Default for AnomalyConfig {
    fn default() -> Self {
        Self {
            bucket_secs: 300,
            min_history: 12,
            trailing_buckets: 24,
            seasonal_days: 2,
            threshold: 4.0,
            min_delta: 5.0,
            min_volume: 10,
            new_template_min: 10,
        }
    }
}

/// What is anomalous.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Metric {
    /// Records per bucket.
    Volume,
    /// Errors per bucket relative to the records.
    ErrorRate,
    /// A template never seen before the last bucket.
    NewTemplate,
}

/// How far from normal.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    /// Score at least the threshold.
    Low,
    /// At least 1.5 times the threshold.
    Medium,
    /// At least 2.5 times.
    High,
    /// At least 4 times.
    Critical,
}

impl Severity {
    /// The severity of `score` (absolute robust z) for `threshold`.
    pub fn of(score: f64, threshold: f64) -> Severity {
        let r = score.abs() / threshold;
        if r >= 4.0 {
            Severity::Critical
        } else if r >= 2.5 {
            Severity::High
        } else if r >= 1.5 {
            Severity::Medium
        } else {
            Severity::Low
        }
    }
}

/// One anomaly.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct Anomaly {
    /// The component.
    pub component: String,
    /// What is anomalous.
    pub metric: Metric,
    /// Start of the bucket (ns since the Unix epoch, UTC).
    pub bucket_start: i64,
    /// The bucket's value (records, error share, or occurrences).
    pub value: f64,
    /// The normal value.
    pub baseline: f64,
    /// Robust z score (negative for drops).
    pub score: f64,
    /// From the score.
    pub severity: Severity,
    /// A sentence for people.
    pub description: String,
}

/// A judged point of a series.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Point {
    /// Index in the series.
    pub index: usize,
    /// Its value.
    pub value: f64,
    /// The baseline (median).
    pub baseline: f64,
    /// The spread used (1.4826 · MAD, floored).
    pub spread: f64,
    /// Robust z score.
    pub score: f64,
}

fn median(v: &mut [f64]) -> f64 {
    v.sort_by(f64::total_cmp);
    let n = v.len();
    if n == 0 {
        0.0
    } else if n % 2 == 1 {
        v[n / 2]
    } else {
        (v[n / 2 - 1] + v[n / 2]) / 2.0
    }
}

/// Baseline and spread of point `i` of `values`, or `None` without enough history.
fn baseline(values: &[f64], i: usize, per_day: usize, cfg: &AnomalyConfig) -> Option<(f64, f64)> {
    if i < cfg.min_history {
        return None;
    }
    let mut hist: Vec<f64> = Vec::new();
    if per_day > 0 && i >= per_day * cfg.seasonal_days {
        let mut day = 1;
        while day * per_day <= i && day <= 7 {
            let c = i - day * per_day;
            hist.extend_from_slice(&values[c.saturating_sub(1)..=(c + 1).min(i - 1)]);
            day += 1;
        }
    } else {
        hist.extend_from_slice(&values[i.saturating_sub(cfg.trailing_buckets)..i]);
    }
    let med = median(&mut hist);
    let mut dev: Vec<f64> = hist.iter().map(|v| (v - med).abs()).collect();
    let mad = median(&mut dev);
    Some((med, (1.4826 * mad).max(med.max(0.0).sqrt()).max(1.0)))
}

/// Judges every point of a count series (one value per bucket of `bucket_secs`) and returns
/// those whose score reaches the threshold in either direction and that differ from the
/// baseline by at least `min_delta`.
///
/// ```
/// use hwlog_analysis::anomaly::{detect_series, AnomalyConfig};
/// let mut v = vec![20.0; 40];
/// v[30] = 90.0;
/// let found = detect_series(&v, &AnomalyConfig::default());
/// assert_eq!(found.len(), 1);
/// assert_eq!((found[0].index, found[0].baseline), (30, 20.0));
/// ```
pub fn detect_series(values: &[f64], cfg: &AnomalyConfig) -> Vec<Point> {
    let per_day = (86_400 / cfg.bucket_secs.max(1)) as usize;
    (0..values.len())
        .filter_map(|i| {
            let (base, spread) = baseline(values, i, per_day, cfg)?;
            let x = values[i];
            let score = (x - base) / spread;
            (score.abs() >= cfg.threshold && (x - base).abs() >= cfg.min_delta).then_some(Point {
                index: i,
                value: x,
                baseline: base,
                spread,
                score,
            })
        })
        .collect()
}

/// Volume and error-rate anomalies per component in `window` (its newest [`MAX_BUCKETS`]
/// buckets), and templates first seen in the window's last bucket that occur at least
/// `new_template_min` times there.
/// `miner` learns the messages (pass one that knows the service's templates, or a new one).
pub fn detect_anomalies<'a>(
    records: impl IntoIterator<Item = &'a Record>,
    window: Window,
    miner: &mut TemplateMiner,
    cfg: &AnomalyConfig,
) -> Vec<Anomaly> {
    let width = cfg.bucket_secs.clamp(1, 366 * 86_400) * 1_000_000_000;
    // At most MAX_BUCKETS buckets: a longer window is cut to its newest part.
    let span = (window.end - window.start).min(width.saturating_mul(MAX_BUCKETS as i64));
    let window = Window::new(window.end - span, window.end);
    let n = ((span + width - 1) / width).max(1) as usize;
    let last_start = window.start + (n as i64 - 1) * width;
    let mut volume: BTreeMap<String, Vec<f64>> = BTreeMap::new();
    let mut errors: BTreeMap<String, Vec<f64>> = BTreeMap::new();
    // template → (seen before the last bucket, count in the last bucket, component, example)
    let mut templates: HashMap<u64, (bool, u64, String, String)> = HashMap::new();
    for r in records {
        let ts = r.timestamp.as_nanos();
        if !window.contains(ts) {
            continue;
        }
        let b = ((ts - window.start) / width) as usize;
        let comp = r.component.as_str();
        volume
            .entry(comp.to_string())
            .or_insert_with(|| vec![0.0; n])[b] += 1.0;
        let e = errors
            .entry(comp.to_string())
            .or_insert_with(|| vec![0.0; n]);
        if r.level >= Level::Error {
            e[b] += 1.0;
        }
        let id = miner.add(&r.message).template_id;
        let t = templates
            .entry(id)
            .or_insert_with(|| (false, 0, comp.to_string(), r.message.to_string()));
        if ts < last_start {
            t.0 = true;
        } else {
            t.1 += 1;
        }
    }
    let mut out = Vec::new();
    let start_of = |i: usize| window.start + i as i64 * width;
    for (comp, v) in &volume {
        for p in detect_series(v, cfg) {
            let dir = if p.score > 0.0 { "above" } else { "below" };
            out.push(Anomaly {
                component: comp.clone(),
                metric: Metric::Volume,
                bucket_start: start_of(p.index),
                value: p.value,
                baseline: p.baseline,
                score: p.score,
                severity: Severity::of(p.score, cfg.threshold),
                description: format!(
                    "{comp}: {} records in {} s, {dir} the usual {:.0}",
                    p.value, cfg.bucket_secs, p.baseline
                ),
            });
        }
        out.extend(error_rate(comp, v, &errors[comp], cfg, &start_of));
    }
    // Merged templates: fold into their survivors.
    let mut folded: HashMap<u64, (bool, u64, String, String)> = HashMap::new();
    for (id, t) in templates {
        let f = folded
            .entry(miner.resolve(id))
            .or_insert((false, 0, t.2.clone(), t.3.clone()));
        f.0 |= t.0;
        f.1 += t.1;
    }
    let mut fresh: Vec<(u64, (bool, u64, String, String))> = folded
        .into_iter()
        .filter(|(_, t)| !t.0 && t.1 >= cfg.new_template_min)
        .collect();
    fresh.sort_by(|a, b| b.1 .1.cmp(&a.1 .1).then(a.0.cmp(&b.0)));
    for (id, (_, count, comp, example)) in fresh {
        let text = miner.template(id).map_or(example, |t| t.text().to_string());
        let score = count as f64;
        out.push(Anomaly {
            component: comp,
            metric: Metric::NewTemplate,
            bucket_start: last_start,
            value: count as f64,
            baseline: 0.0,
            score,
            severity: Severity::of(
                score / cfg.new_template_min as f64 * cfg.threshold,
                cfg.threshold,
            ),
            description: format!(
                "a pattern never seen before appeared {count} times in {} minutes: {text}",
                cfg.bucket_secs / 60
            ),
        });
    }
    out
}

/// Error-rate anomalies: errors of a bucket against the baseline share of errors times the
/// bucket's records, scored like a count.
fn error_rate(
    comp: &str,
    volume: &[f64],
    errors: &[f64],
    cfg: &AnomalyConfig,
    start_of: &dyn Fn(usize) -> i64,
) -> Vec<Anomaly> {
    let rates: Vec<Option<f64>> = volume
        .iter()
        .zip(errors)
        .map(|(&v, &e)| (v >= cfg.min_volume as f64).then(|| e / v))
        .collect();
    let mut out = Vec::new();
    for i in 0..rates.len() {
        let Some(rate) = rates[i] else { continue };
        let mut hist: Vec<f64> = rates[i.saturating_sub(cfg.trailing_buckets)..i]
            .iter()
            .flatten()
            .copied()
            .collect();
        if hist.len() < cfg.min_history.min(cfg.trailing_buckets) {
            continue;
        }
        let base = median(&mut hist);
        let expected = base * volume[i];
        let spread = expected.max(1.0).sqrt();
        let score = (errors[i] - expected) / spread;
        if score >= cfg.threshold && errors[i] - expected >= cfg.min_delta {
            out.push(Anomaly {
                component: comp.to_string(),
                metric: Metric::ErrorRate,
                bucket_start: start_of(i),
                value: rate,
                baseline: base,
                score,
                severity: Severity::of(score, cfg.threshold),
                description: format!(
                    "{comp}: {:.0}% errors ({} of {}), usually {:.1}%",
                    rate * 100.0,
                    errors[i],
                    volume[i],
                    base * 100.0
                ),
            });
        }
    }
    out
}
