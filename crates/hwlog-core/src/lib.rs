//! Core types of hwlog: the [`Record`] that flows through a pipeline, its [`Level`] and typed
//! [`Value`]s, UTC [`Timestamp`]s, the thread- and task-scoped [`context`] (correlation id, user,
//! session, host, operation), and the three traits a pipeline is built from: [`Filter`],
//! [`Format`] and [`Sink`].
//!
//! It also holds the one implementation of each concept the rest of hwlog shares:
//! [`pattern`] (component patterns), [`units`] (durations and sizes), level names
//! ([`Level`]'s `FromStr`, with the aliases other loggers and syslog use), alert
//! [`Severity`] names, and the record JSON codec ([`json`]).
//!
//! This crate does no I/O; it depends on a clock (`quanta`) and number formatting (`itoa`,
//! `ryu`), and on `serde` behind the `serde` feature. Every other hwlog crate builds on it.
//!
//! ```
//! use hwlog_core::{Level, Record, Value};
//!
//! let mut rec = Record::new(Level::Info, "hwautomation.hardware.ipmi", "power on");
//! rec.push_field("host", "10.0.0.5");
//! rec.push_field("attempt", 2u64);
//! assert_eq!(rec.field("attempt"), Some(&Value::U64(2)));
//! ```
#![deny(missing_docs)]

pub mod context;
pub mod duration;
pub mod json;
mod level;
pub mod pattern;
mod record;
pub mod scan;
mod severity;
mod shared;
mod time;
/// Low-level timestamp formatting used by formatters.
pub mod time_fmt {
    pub use crate::time::{civil_from_days, write_date_time, write_rfc3339_micros};
}
mod traits;
pub mod units;
mod value;

pub use context::{current_correlation_id, with_correlation, Scoped};
pub use level::{Level, ParseLevelError, LEVEL_CASES};
pub use pattern::ComponentPattern;
pub use record::{Record, ThreadInfo};
pub use severity::{ParseSeverityError, Severity, SEVERITY_CASES};
pub use shared::SharedStr;
pub use time::Timestamp;
pub use traits::{Batch, Decision, Filter, Format, Sink, SinkError, SinkErrorKind};
pub use value::Value;
