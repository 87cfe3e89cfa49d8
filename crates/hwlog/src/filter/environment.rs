use hwlog_core::{Decision, Filter, Level, Record};

use crate::redact::Redactor;

/// The environment's policy: a minimum level (from the profile) and, when enabled, redaction
/// of secrets in the message, in string field values (a field whose key is sensitive, such as
/// `password`, is replaced whole) and in the error text.
///
/// ```
/// use hwlog::filter::EnvironmentFilter;
/// use hwlog::{Decision, Filter, Level, Record};
/// let f = EnvironmentFilter::new(Level::Info, true);
/// let mut rec = Record::new(Level::Error, "ipmi", "ipmitool -H 10.0.0.5 -U admin -P hunter2 power on failed");
/// rec.push_field("password", "hunter2");
/// assert_eq!(f.decide(&mut rec, &mut Vec::new()), Decision::Neutral);
/// assert!(!rec.message.contains("hunter2"));
/// assert_eq!(rec.field("password").unwrap().as_str(), Some("[REDACTED]"));
/// ```
#[derive(Clone, Debug)]
pub struct EnvironmentFilter {
    min: Level,
    redactor: Option<Redactor>,
}

impl EnvironmentFilter {
    /// Minimum level `min`; redaction on or off.
    pub fn new(min: Level, redact: bool) -> Self {
        EnvironmentFilter {
            min,
            redactor: redact.then(Redactor::new),
        }
    }

    /// Minimum level `min` and this redactor.
    pub fn with_redactor(min: Level, redactor: Redactor) -> Self {
        EnvironmentFilter {
            min,
            redactor: Some(redactor),
        }
    }

    /// The minimum level.
    pub fn min_level(&self) -> Level {
        self.min
    }
}

/// Redacts a record in place: message, string field values, sensitive keys and error text.
pub fn redact_record(r: &Redactor, rec: &mut Record) {
    r.redact_record(rec);
}

impl Filter for EnvironmentFilter {
    fn name(&self) -> &str {
        "environment"
    }

    fn decide(&self, rec: &mut Record, _emit: &mut Vec<Record>) -> Decision {
        if rec.level < self.min {
            return Decision::Reject;
        }
        if let Some(r) = &self.redactor {
            redact_record(r, rec);
        }
        Decision::Neutral
    }

    fn describe(&self) -> String {
        format!(
            "environment(min={}, redaction={})",
            self.min,
            if self.redactor.is_some() { "on" } else { "off" }
        )
    }
}
