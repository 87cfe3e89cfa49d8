//! The activity feed: short, human-facing entries ("host rebooted", "firmware updated") shown
//! next to the logs, with a `SUCCESS` level besides hwlog's six.
use std::fmt;
use std::str::FromStr;

use hwlog_core::{Level, Timestamp};

use crate::{Error, ErrorKind};

/// Level of an activity entry: hwlog's six plus `Success`, which sorts between `Info` and
/// `Warning`. Stored as its upper-case name.
///
/// ```
/// use hwlog_core::Level;
/// use hwlog_store::ActivityLevel;
/// assert_eq!("success".parse::<ActivityLevel>().unwrap(), ActivityLevel::Success);
/// assert_eq!(ActivityLevel::from(Level::Warning).as_str(), "WARNING");
/// assert!(ActivityLevel::Success > ActivityLevel::Info);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ActivityLevel {
    /// Very fine-grained.
    Trace,
    /// For developers.
    Debug,
    /// Something happened.
    Info,
    /// An operation completed successfully.
    Success,
    /// Something unexpected that was handled.
    Warning,
    /// An operation failed.
    Error,
    /// Someone must act now.
    Critical,
}

impl ActivityLevel {
    /// Upper-case name: `TRACE`, `DEBUG`, `INFO`, `SUCCESS`, `WARNING`, `ERROR`, `CRITICAL`.
    pub const fn as_str(self) -> &'static str {
        match self {
            ActivityLevel::Trace => "TRACE",
            ActivityLevel::Debug => "DEBUG",
            ActivityLevel::Info => "INFO",
            ActivityLevel::Success => "SUCCESS",
            ActivityLevel::Warning => "WARNING",
            ActivityLevel::Error => "ERROR",
            ActivityLevel::Critical => "CRITICAL",
        }
    }
}

impl From<Level> for ActivityLevel {
    fn from(l: Level) -> Self {
        match l {
            Level::Trace => ActivityLevel::Trace,
            Level::Debug => ActivityLevel::Debug,
            Level::Info => ActivityLevel::Info,
            Level::Warning => ActivityLevel::Warning,
            Level::Error => ActivityLevel::Error,
            Level::Critical => ActivityLevel::Critical,
        }
    }
}

impl fmt::Display for ActivityLevel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(self.as_str())
    }
}

impl FromStr for ActivityLevel {
    type Err = Error;

    /// Case-insensitive; `SUCCESS` or any name [`Level`] accepts (`WARN`, `FATAL`, …).
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        if s.trim().eq_ignore_ascii_case("success") {
            return Ok(ActivityLevel::Success);
        }
        s.parse::<Level>().map(ActivityLevel::from).map_err(|_| {
            Error::new(
                ErrorKind::InvalidQuery,
                format!("unknown activity level {s:?} (expected one of hwlog's levels or SUCCESS)"),
            )
        })
    }
}

/// One entry of the activity feed.
///
/// ```
/// use hwlog_store::{Activity, ActivityLevel};
/// let a = Activity::new(ActivityLevel::Success, "hardware.ipmi", "power_on", "node-7 is up")
///     .with_details(serde_json::json!({"host": "node-7", "attempts": 2}));
/// assert_eq!(a.id, None);
/// assert_eq!(a.details.unwrap()["attempts"], 2);
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct Activity {
    /// The row id: `None` until stored, set on entries read back.
    pub id: Option<i64>,
    /// When it happened (UTC).
    pub timestamp: Timestamp,
    /// The component it concerns (dotted, like a record's).
    pub component: String,
    /// What was done, short and machine-friendly (`power_on`, `firmware_update`).
    pub action: String,
    /// What happened, for people.
    pub message: String,
    /// How it went.
    pub level: ActivityLevel,
    /// Structured details, stored as JSON text.
    pub details: Option<serde_json::Value>,
}

impl Activity {
    /// An entry stamped with the current time, without details.
    pub fn new(
        level: ActivityLevel,
        component: impl Into<String>,
        action: impl Into<String>,
        message: impl Into<String>,
    ) -> Activity {
        Activity {
            id: None,
            timestamp: Timestamp::now(),
            component: component.into(),
            action: action.into(),
            message: message.into(),
            level,
            details: None,
        }
    }

    /// Sets the details.
    pub fn with_details(mut self, details: serde_json::Value) -> Activity {
        self.details = Some(details);
        self
    }

    /// Sets the time.
    pub fn at(mut self, timestamp: Timestamp) -> Activity {
        self.timestamp = timestamp;
        self
    }
}

/// Column list of the activity table, in the order [`decode_activity`] reads them.
pub(crate) const ACTIVITY_COLUMNS: &str = "id, ts, component, action, message, level, details";

/// An activity from its stored columns (any backend): the level is checked and the details
/// parsed as JSON.
pub(crate) fn activity_from_columns(
    id: i64,
    ts: i64,
    component: String,
    action: String,
    message: String,
    level: &str,
    details: Option<&str>,
) -> Result<Activity, Error> {
    let corrupt = |what: String| Error::new(ErrorKind::Corrupt, format!("activity {id}: {what}"));
    let level = level
        .parse()
        .map_err(|_| corrupt(format!("unknown level {level:?}")))?;
    let details = details
        .map(serde_json::from_str)
        .transpose()
        .map_err(|e| corrupt(format!("details are not JSON: {e}")))?;
    Ok(Activity {
        id: Some(id),
        timestamp: Timestamp::from_nanos(ts),
        component,
        action,
        message,
        level,
        details,
    })
}

/// Reads one activity row selected with [`ACTIVITY_COLUMNS`].
pub(crate) fn decode_activity(row: &rusqlite::Row<'_>) -> Result<Activity, Error> {
    let level: String = row.get(5)?;
    activity_from_columns(
        row.get(0)?,
        row.get(1)?,
        row.get(2)?,
        row.get(3)?,
        row.get(4)?,
        &level,
        row.get_ref(6)?.as_str_or_null()?,
    )
}
