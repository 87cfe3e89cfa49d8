//! Alert rules and the alert manager's state machine (no I/O: the caller passes the time,
//! delivers the [`Notification`]s and stores the [`AlertEvent`]s).
//!
//! Vocabulary, as in Prometheus Alertmanager:
//!
//! - A rule's **condition** (see [`rules`](crate::rules)) is evaluated on every record.
//! - A match belongs to an **alert**: the rule plus the values of its `dedup_by` labels
//!   (for example `correlation_id`); more matches of a notified alert within
//!   `suppression` are **suppressed** and counted, and the next match after that sends a
//!   repeat notification that carries the count.
//! - Alerts with the same `group_by` label values form a **group** (without `group_by`,
//!   each alert is a group of its own), notified together: the
//!   first notification of a new group waits `group_wait` (to collect alerts that arrive
//!   together); alerts joining a group already notified go out no sooner than
//!   `group_interval` after the group's previous notification.
//! - An alert without matches for `resolve_after` is **resolved**. One that fires and
//!   resolves `flap_threshold` times within `flap_window` is **flapping**: its fire and
//!   resolve notifications are held until it has been stable for `flap_window`, then its
//!   current state is sent once.
//! - An alert not **acknowledged** within `escalation` of its notification is **escalated**:
//!   its severity goes up one level and it is sent to the next of the rule's `channels`;
//!   this repeats every `escalation` until acknowledged, resolved, or the last level.
//!
//! Labels: `component`, `level`, `correlation_id`, `host`, `user`, `thread` and
//! `fields.NAME`.
use std::fmt;

use hwlog_core::{Record, Value};

mod manager;

pub use manager::{ActiveAlert, AlertManager};

pub use hwlog_core::Severity;

/// Nanoseconds in a second, for durations below.
pub const SEC: i64 = 1_000_000_000;

/// One alert rule. Durations are nanoseconds; read from JSON, a duration may also be written as
/// text (`"suppression": "5m"`), as in rules files, and the severity as any name
/// [`Severity`] reads (`"high"`).
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(default)]
pub struct AlertRule {
    /// Unique name.
    pub name: String,
    /// The condition, in the rule language.
    pub condition: String,
    /// Severity of a new alert.
    pub severity: Severity,
    /// A notified alert is not notified again for this long; its matches are counted.
    #[serde(deserialize_with = "hwlog_core::units::serde_nanos::deserialize")]
    pub suppression: i64,
    /// Escalate when not acknowledged for this long (`None`: never).
    #[serde(deserialize_with = "hwlog_core::units::serde_nanos::option")]
    pub escalation: Option<i64>,
    /// Labels that make one alert.
    pub dedup_by: Vec<String>,
    /// Labels that make one notification group (empty: each alert alone).
    pub group_by: Vec<String>,
    /// Delay of a new group's first notification.
    #[serde(deserialize_with = "hwlog_core::units::serde_nanos::deserialize")]
    pub group_wait: i64,
    /// Least time between notifications of one group.
    #[serde(deserialize_with = "hwlog_core::units::serde_nanos::deserialize")]
    pub group_interval: i64,
    /// Resolve an alert after this long without matches.
    #[serde(deserialize_with = "hwlog_core::units::serde_nanos::deserialize")]
    pub resolve_after: i64,
    /// Window for flap detection.
    #[serde(deserialize_with = "hwlog_core::units::serde_nanos::deserialize")]
    pub flap_window: i64,
    /// Fire/resolve changes within `flap_window` that make an alert flapping (0: never).
    pub flap_threshold: usize,
    /// Channel per escalation level: the first for new alerts, the next after each
    /// escalation (the last one is kept).
    pub channels: Vec<String>,
}

impl Default for AlertRule {
    fn default() -> Self {
        Self {
            name: String::new(),
            condition: String::new(),
            severity: Severity::Warning,
            suppression: 300 * SEC,
            escalation: None,
            dedup_by: Vec::new(),
            group_by: Vec::new(),
            group_wait: 0,
            group_interval: 300 * SEC,
            resolve_after: 300 * SEC,
            flap_window: 600 * SEC,
            flap_threshold: 4,
            channels: vec!["log".into()],
        }
    }
}

impl AlertRule {
    /// A rule with `name`, `condition` and `severity` and the default timings.
    pub fn new(name: &str, condition: &str, severity: Severity) -> AlertRule {
        AlertRule {
            name: name.into(),
            condition: condition.into(),
            severity,
            ..AlertRule::default()
        }
    }
}

/// The value of label `name` on `r` (empty when absent).
pub fn label(r: &Record, name: &str) -> String {
    let ctx = r.context.as_deref();
    match name {
        "component" => r.component.to_string(),
        "level" => r.level.as_str().to_string(),
        "correlation_id" => r.correlation_id.as_deref().unwrap_or("").to_string(),
        "thread" => r.thread.name.as_deref().unwrap_or("").to_string(),
        "host" => ctx
            .and_then(|c| c.host.as_deref().map(str::to_string))
            .unwrap_or_else(|| field_text(r, "host")),
        "user" => ctx
            .and_then(|c| c.user.as_deref().map(str::to_string))
            .unwrap_or_else(|| field_text(r, "user")),
        other => field_text(r, other.strip_prefix("fields.").unwrap_or(other)),
    }
}

fn field_text(r: &Record, name: &str) -> String {
    match r.field(name) {
        None | Some(Value::Null) => String::new(),
        Some(Value::Str(s)) => s.to_string(),
        Some(Value::I64(v)) => v.to_string(),
        Some(Value::U64(v)) => v.to_string(),
        Some(Value::F64(v)) => v.to_string(),
        Some(Value::Bool(v)) => v.to_string(),
        Some(Value::Bytes(b)) => String::from_utf8_lossy(b).into_owned(),
    }
}

/// Why a notification is sent.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum NotificationKind {
    /// New alerts (or alerts firing again).
    Firing,
    /// Alerts that matched again after their suppression time.
    Repeat,
    /// An alert was escalated.
    Escalated,
    /// Alerts were resolved.
    Resolved,
}

/// One alert in a notification.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct AlertInfo {
    /// The alert's id (new each time it fires after being resolved).
    pub id: u64,
    /// Its `dedup_by` label values.
    pub labels: Vec<(String, String)>,
    /// Current severity.
    pub severity: Severity,
    /// Escalation level (0 = not escalated).
    pub level: usize,
    /// Matches since it fired.
    pub count: u64,
    /// Matches suppressed since the previous notification.
    pub suppressed: u64,
    /// First and last match (ns).
    pub first_seen: i64,
    /// See `first_seen`.
    pub last_seen: i64,
    /// The first matching message.
    pub example: String,
}

/// A notification to deliver on `channel`.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct Notification {
    /// The rule.
    pub rule: String,
    /// Why.
    pub kind: NotificationKind,
    /// Where to.
    pub channel: String,
    /// The group's `group_by` label values.
    pub group: Vec<(String, String)>,
    /// The alerts concerned.
    pub alerts: Vec<AlertInfo>,
    /// When it was made (ns).
    pub at: i64,
}

/// A change to keep in the alert history.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct AlertEvent {
    /// When (ns).
    pub at: i64,
    /// The alert.
    pub alert_id: u64,
    /// Its rule.
    pub rule: String,
    /// `fired`, `notified`, `escalated`, `acknowledged`, `resolved`, `flapping`, `stable`.
    pub event: &'static str,
    /// Details (severity, channel, who acknowledged, the count).
    pub detail: String,
}

/// Errors of the alert manager's API.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum AlertError {
    /// The condition does not parse.
    Rule {
        /// The rule's name.
        name: String,
        /// The parse error with its column.
        error: crate::rules::ParseError,
    },
    /// The rule's settings are inconsistent.
    Invalid(String),
    /// No such rule or alert.
    NotFound(String),
}

impl fmt::Display for AlertError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            AlertError::Rule { name, error } => write!(f, "rule {name:?}: {error}"),
            AlertError::Invalid(m) | AlertError::NotFound(m) => f.write_str(m),
        }
    }
}

impl std::error::Error for AlertError {}
