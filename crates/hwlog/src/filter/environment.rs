use std::borrow::Cow;

use hwlog_core::{Decision, Filter, Level, Record, Value};

use crate::redact::{Redactor, REDACTED};

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
    if let Cow::Owned(s) = r.redact(&rec.message) {
        rec.message = Cow::Owned(s);
    }
    for (k, v) in rec.fields.iter_mut() {
        if r.is_sensitive_key(k) {
            if !matches!(v, Value::Null) {
                *v = Value::Str(Cow::Borrowed(REDACTED));
            }
            continue;
        }
        let redacted = match v {
            Value::Str(s) => match r.redact(s) {
                Cow::Owned(o) => Some(o),
                Cow::Borrowed(_) => None,
            },
            Value::Bytes(b) => {
                let text = String::from_utf8_lossy(b);
                match r.redact(&text) {
                    Cow::Owned(o) => Some(o),
                    Cow::Borrowed(_) => None,
                }
            }
            _ => None,
        };
        if let Some(o) = redacted {
            *v = Value::Str(Cow::Owned(o));
        }
    }
    if let Some(err) = &rec.error {
        if let Cow::Owned(o) = r.redact(err) {
            rec.error = Some(o);
        }
    }
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
