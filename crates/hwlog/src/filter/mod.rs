//! The six filters, each a [`Filter`] returning Accept / Neutral / Reject. Every route owns its
//! own filter instances (and so its own rate-limit state).
//!
//! | filter | what it does |
//! |---|---|
//! | [`CorrelationFilter`] | stamps the current correlation id, or a placeholder; can require one |
//! | [`ComponentFilter`] | include / exclude components by glob |
//! | [`LevelRangeFilter`] | minimum and maximum level, with per-component overrides |
//! | [`RateLimitFilter`] | token bucket per key with rate and burst; reports what it suppressed |
//! | [`EnvironmentFilter`] | the profile's minimum level plus redaction of secrets |
//! | [`ContextFilter`] | adds user, session, host and operation timing as fields |
mod component;
mod context;
mod environment;
mod level_range;
mod rate_limit;

pub use component::ComponentFilter;
pub use context::{ContextFilter, HostSource};
pub use environment::EnvironmentFilter;
pub use hwlog_core::{Decision, Filter};
pub use level_range::LevelRangeFilter;
pub use rate_limit::{Clock, MonotonicClock, RateKey, RateLimitFilter};
pub(crate) mod rate_limit_clock {
    pub use super::rate_limit::ManualClock;
}

use hwlog_core::{Record, SharedStr};

/// The filter names accepted in configuration.
pub const NAMES: [&str; 6] = [
    "correlation",
    "component",
    "level_range",
    "rate_limit",
    "environment",
    "context",
];

/// Stamps the correlation id of the current scope on records that have none (records created
/// through hwlog already carry the id of the scope they were created in), then a placeholder if
/// one is configured. With `require`, records without an id are rejected.
///
/// ```
/// use hwlog::filter::CorrelationFilter;
/// use hwlog::{Decision, Filter, Level, Record};
/// let f = CorrelationFilter::new(Some("-none-".into()), false);
/// let mut rec = Record::new(Level::Info, "api", "hello");
/// assert_eq!(f.decide(&mut rec, &mut Vec::new()), Decision::Neutral);
/// assert_eq!(rec.correlation_id.as_deref(), Some("-none-"));
/// ```
#[derive(Clone, Debug, Default)]
pub struct CorrelationFilter {
    placeholder: Option<SharedStr>,
    require: bool,
}

impl CorrelationFilter {
    /// A correlation filter.
    pub fn new(placeholder: Option<SharedStr>, require: bool) -> Self {
        CorrelationFilter {
            placeholder,
            require,
        }
    }
}

impl Filter for CorrelationFilter {
    fn name(&self) -> &str {
        "correlation"
    }

    fn decide(&self, rec: &mut Record, _emit: &mut Vec<Record>) -> Decision {
        if rec.correlation_id.is_none() {
            rec.correlation_id = hwlog_core::current_correlation_id();
        }
        if rec.correlation_id.is_none() {
            if self.require {
                return Decision::Reject;
            }
            rec.correlation_id = self.placeholder.clone();
        }
        Decision::Neutral
    }

    fn describe(&self) -> String {
        format!(
            "correlation(placeholder={}, require={})",
            self.placeholder.as_deref().unwrap_or("none"),
            self.require
        )
    }
}
