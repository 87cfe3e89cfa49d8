use hwlog_core::{Decision, Filter, Level, Record};

use hwlog_core::ComponentPattern;

/// Passes records whose level lies in `[min, max]`. Per-component overrides (by prefix or glob;
/// the most specific matching pattern wins) replace the range for their components. Records
/// outside the range are rejected; inside, the filter is neutral, or accepts when built with
/// [`LevelRangeFilter::accept_on_match`].
///
/// ```
/// use hwlog::filter::LevelRangeFilter;
/// use hwlog::{Decision, Filter, Level, Record};
/// let f = LevelRangeFilter::new(Level::Warning, Level::Critical)
///     .with_override("hwautomation.hardware", Level::Debug, Level::Critical);
/// let mut d = |l, c: &'static str| f.decide(&mut Record::new(l, c, "m"), &mut Vec::new());
/// assert_eq!(d(Level::Info, "hwautomation.api"), Decision::Reject);
/// assert_eq!(d(Level::Debug, "hwautomation.hardware.ipmi"), Decision::Neutral);
/// ```
#[derive(Clone, Debug)]
pub struct LevelRangeFilter {
    min: Level,
    max: Level,
    overrides: Vec<(ComponentPattern, Level, Level)>,
    on_match: Decision,
}

impl LevelRangeFilter {
    /// A range filter for all components.
    pub fn new(min: Level, max: Level) -> Self {
        LevelRangeFilter {
            min,
            max,
            overrides: Vec::new(),
            on_match: Decision::Neutral,
        }
    }

    /// Adds a per-component range.
    pub fn with_override(mut self, pattern: &str, min: Level, max: Level) -> Self {
        self.overrides
            .push((ComponentPattern::new(pattern), min, max));
        // Most specific first, so the first match is the one that applies.
        self.overrides
            .sort_by_key(|(g, _, _)| std::cmp::Reverse(g.specificity()));
        self
    }

    /// Accept (skip the remaining filters) instead of staying neutral when in range.
    pub fn accept_on_match(mut self) -> Self {
        self.on_match = Decision::Accept;
        self
    }

    /// The lowest level this filter can let through (used to skip work early).
    pub fn lowest(&self) -> Level {
        self.overrides
            .iter()
            .map(|(_, min, _)| *min)
            .fold(self.min, Level::min)
    }

    /// The range that applies to `component`.
    pub fn range_for(&self, component: &str) -> (Level, Level) {
        self.overrides
            .iter()
            .find(|(g, _, _)| g.matches(component))
            .map_or((self.min, self.max), |(_, a, b)| (*a, *b))
    }
}

impl Filter for LevelRangeFilter {
    fn name(&self) -> &str {
        "level_range"
    }

    fn decide(&self, rec: &mut Record, _emit: &mut Vec<Record>) -> Decision {
        let (min, max) = self.range_for(&rec.component);
        if rec.level < min || rec.level > max {
            Decision::Reject
        } else {
            self.on_match
        }
    }

    fn describe(&self) -> String {
        let mut s = format!("level_range({}..={}", self.min, self.max);
        for (g, a, b) in &self.overrides {
            s.push_str(&format!(", {}: {a}..={b}", g.as_str()));
        }
        s.push(')');
        s
    }
}
