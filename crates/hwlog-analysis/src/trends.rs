//! Performance trends: durations per component and operation, their distribution and their
//! least-squares slope over time.
use std::collections::BTreeMap;

use hwlog_core::{ComponentPattern, Record, Value};

use crate::duration::duration_of;
use crate::window::{Window, HOUR_NS};

/// Settings of [`performance_trends`].
#[derive(Clone, Debug, PartialEq)]
pub struct TrendConfig {
    /// Fewer samples than this give [`TrendLabel::InsufficientData`].
    pub min_samples: usize,
    /// A slope counts only when the change it predicts over the window is at least this share
    /// of the mean duration (0.1 = 10 %).
    pub relative_threshold: f64,
    /// Two-sided significance level of the slope's t-test (0.05 or 0.01).
    pub significance: f64,
}

impl Default for TrendConfig {
    fn default() -> Self {
        Self {
            min_samples: 10,
            relative_threshold: 0.1,
            significance: 0.05,
        }
    }
}

/// Where a series is heading.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum TrendLabel {
    /// Significantly and materially slower over time.
    Increasing,
    /// Significantly and materially faster over time.
    Decreasing,
    /// No significant or material change.
    Stable,
    /// Fewer samples than [`TrendConfig::min_samples`].
    InsufficientData,
}

/// The durations of one component and operation.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct Trend {
    /// The record's component.
    pub component: String,
    /// The `operation` field, or the context's operation, when there is one.
    pub operation: Option<String>,
    /// Samples (records with a duration) in the window.
    pub count: usize,
    /// Mean, in milliseconds.
    pub avg_ms: f64,
    /// Median, in milliseconds.
    pub median_ms: f64,
    /// 95th percentile (nearest rank), in milliseconds.
    pub p95_ms: f64,
    /// Smallest, in milliseconds.
    pub min_ms: f64,
    /// Largest, in milliseconds.
    pub max_ms: f64,
    /// Sample standard deviation, in milliseconds.
    pub stdev_ms: f64,
    /// Least-squares slope of duration over time, in milliseconds per hour.
    pub slope_ms_per_hour: f64,
    /// Coefficient of determination of that line (0..=1).
    pub r_squared: f64,
    /// The slope's t statistic (0 when undefined).
    pub t_statistic: f64,
    /// The verdict.
    pub label: TrendLabel,
}

/// Durations of the records in `window` whose component matches the pattern `component` (a
/// [`ComponentPattern`]; `None` for all), grouped by component and operation.
///
/// ```
/// use hwlog_analysis::trends::{performance_trends, TrendConfig, TrendLabel};
/// use hwlog_analysis::window::{Window, HOUR_NS};
/// use hwlog_core::{Level, Record, Timestamp};
///
/// // discovery gets 12 ms slower every hour, with a little noise.
/// let recs: Vec<Record> = (0..48)
///     .map(|i| {
///         let ms = 100.0 + 12.0 * i as f64 / 2.0 + [3.0, -3.0][i % 2];
///         let mut r = Record::new(Level::Info, "hardware.discovery", "scan done")
///             .with_field("duration_ms", ms);
///         r.timestamp = Timestamp::from_nanos(i as i64 * HOUR_NS / 2);
///         r
///     })
///     .collect();
/// let t = &performance_trends(&recs, Some("hardware.*"), Window::new(0, 24 * HOUR_NS), &TrendConfig::default())[0];
/// assert_eq!(t.label, TrendLabel::Increasing);
/// assert!((t.slope_ms_per_hour - 12.0).abs() < 0.5);
/// assert!(t.r_squared > 0.9);
/// ```
pub fn performance_trends<'a>(
    records: impl IntoIterator<Item = &'a Record>,
    component: Option<&str>,
    window: Window,
    cfg: &TrendConfig,
) -> Vec<Trend> {
    // (component, operation) → (hours since the window's start, milliseconds)
    type Key = (String, Option<String>);
    let mut series: BTreeMap<Key, Vec<(f64, f64)>> = BTreeMap::new();
    let component = component.map(ComponentPattern::new);
    for r in records {
        let ts = r.timestamp.as_nanos();
        if !window.contains(ts) || !component.as_ref().is_none_or(|c| c.matches(&r.component)) {
            continue;
        }
        let Some(secs) = duration_of(r) else {
            continue;
        };
        let hours = (ts - window.start) as f64 / HOUR_NS as f64;
        series
            .entry((r.component.to_string(), operation_of(r)))
            .or_default()
            .push((hours, secs * 1000.0));
    }
    series
        .into_iter()
        .map(|((component, operation), pts)| summarize(component, operation, pts, window, cfg))
        .collect()
}

fn operation_of(r: &Record) -> Option<String> {
    match r.field("operation") {
        Some(Value::Str(s)) => return Some(s.to_string()),
        Some(v @ (Value::I64(_) | Value::U64(_))) => return Some(format!("{v:?}")),
        _ => {}
    }
    r.context
        .as_ref()
        .and_then(|c| c.operation.as_ref().map(|(name, _)| name.to_string()))
}

fn summarize(
    component: String,
    operation: Option<String>,
    pts: Vec<(f64, f64)>,
    window: Window,
    cfg: &TrendConfig,
) -> Trend {
    let n = pts.len();
    let mut ys: Vec<f64> = pts.iter().map(|p| p.1).collect();
    ys.sort_by(f64::total_cmp);
    let mean = ys.iter().sum::<f64>() / n as f64;
    let median = if n % 2 == 1 {
        ys[n / 2]
    } else {
        (ys[n / 2 - 1] + ys[n / 2]) / 2.0
    };
    let p95 = ys[((0.95 * n as f64).ceil() as usize).clamp(1, n) - 1];
    let var = if n > 1 {
        ys.iter().map(|y| (y - mean).powi(2)).sum::<f64>() / (n - 1) as f64
    } else {
        0.0
    };
    let fit = least_squares(&pts);
    let label = if n < cfg.min_samples {
        TrendLabel::InsufficientData
    } else {
        let significant = fit.t.abs() >= t_critical(n.saturating_sub(2), cfg.significance);
        let material = (fit.slope * window.hours()).abs() >= cfg.relative_threshold * mean.abs();
        match (significant && material, fit.slope > 0.0) {
            (false, _) => TrendLabel::Stable,
            (true, true) => TrendLabel::Increasing,
            (true, false) => TrendLabel::Decreasing,
        }
    };
    Trend {
        component,
        operation,
        count: n,
        avg_ms: mean,
        median_ms: median,
        p95_ms: p95,
        min_ms: ys[0],
        max_ms: ys[n - 1],
        stdev_ms: var.sqrt(),
        slope_ms_per_hour: fit.slope,
        r_squared: fit.r2,
        t_statistic: fit.t,
        label,
    }
}

/// A least-squares line.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Fit {
    /// dy/dx.
    pub slope: f64,
    /// y at x = 0.
    pub intercept: f64,
    /// Coefficient of determination.
    pub r2: f64,
    /// slope / standard error of the slope (0 when undefined: fewer than 3 points, or all x
    /// equal).
    pub t: f64,
}

/// Ordinary least squares of `(x, y)` points.
///
/// ```
/// let f = hwlog_analysis::trends::least_squares(&[(0.0, 1.0), (1.0, 3.0), (2.0, 5.0)]);
/// assert_eq!((f.slope, f.intercept, f.r2), (2.0, 1.0, 1.0));
/// ```
pub fn least_squares(pts: &[(f64, f64)]) -> Fit {
    let n = pts.len() as f64;
    if pts.is_empty() {
        return Fit {
            slope: 0.0,
            intercept: 0.0,
            r2: 0.0,
            t: 0.0,
        };
    }
    let mx = pts.iter().map(|p| p.0).sum::<f64>() / n;
    let my = pts.iter().map(|p| p.1).sum::<f64>() / n;
    let sxx: f64 = pts.iter().map(|p| (p.0 - mx).powi(2)).sum();
    let sxy: f64 = pts.iter().map(|p| (p.0 - mx) * (p.1 - my)).sum();
    let syy: f64 = pts.iter().map(|p| (p.1 - my).powi(2)).sum();
    if sxx <= 0.0 {
        return Fit {
            slope: 0.0,
            intercept: my,
            r2: 0.0,
            t: 0.0,
        };
    }
    let slope = sxy / sxx;
    let intercept = my - slope * mx;
    let ss_res = (syy - slope * sxy).max(0.0);
    let r2 = if syy > 0.0 { 1.0 - ss_res / syy } else { 1.0 };
    let t = if pts.len() > 2 {
        let se = (ss_res / (n - 2.0) / sxx).sqrt();
        if se > 0.0 {
            slope / se
        } else if slope != 0.0 {
            f64::INFINITY.copysign(slope)
        } else {
            0.0
        }
    } else {
        0.0
    };
    Fit {
        slope,
        intercept,
        r2,
        t,
    }
}

/// Two-sided critical value of Student's t with `df` degrees of freedom at level `alpha`
/// (0.05 or 0.01; other values use 0.05). Exact table values up to 30, then the
/// Cornish-Fisher expansion around the normal quantile.
pub fn t_critical(df: usize, alpha: f64) -> f64 {
    const T05: [f64; 30] = [
        12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.160,
        2.145, 2.131, 2.120, 2.110, 2.101, 2.093, 2.086, 2.080, 2.074, 2.069, 2.064, 2.060, 2.056,
        2.052, 2.048, 2.045, 2.042,
    ];
    const T01: [f64; 30] = [
        63.657, 9.925, 5.841, 4.604, 4.032, 3.707, 3.499, 3.355, 3.250, 3.169, 3.106, 3.055, 3.012,
        2.977, 2.947, 2.921, 2.898, 2.878, 2.861, 2.845, 2.831, 2.819, 2.807, 2.797, 2.787, 2.779,
        2.771, 2.763, 2.756, 2.750,
    ];
    let strict = alpha <= 0.01 + 1e-12;
    if df == 0 {
        return f64::INFINITY;
    }
    if df <= 30 {
        return if strict { T01[df - 1] } else { T05[df - 1] };
    }
    let z: f64 = if strict { 2.5758 } else { 1.96 };
    let d = df as f64;
    z + (z.powi(3) + z) / (4.0 * d)
        + (5.0 * z.powi(5) + 16.0 * z.powi(3) + 3.0 * z) / (96.0 * d * d)
}
