//! The six formatters, each a [`Format`]: structured, json, dashboard, debug, performance and
//! multiline (which wraps another).
//!
//! ```
//! use hwlog::format::{Structured, TimeZone};
//! use hwlog::{Format, Level, Record, Timestamp};
//!
//! let mut rec = Record::new(Level::Info, "hwautomation.hardware.ipmi", "power on");
//! rec.timestamp = Timestamp::from_nanos(1_700_000_000_000_000_000);
//! rec.correlation_id = Some("req-12345".into());
//! rec.push_field("host", "10.0.0.5");
//! let mut out = Vec::new();
//! Structured::new(TimeZone::Utc).format(&rec, &mut out);
//! assert_eq!(
//!     String::from_utf8(out).unwrap(),
//!     "2023-11-14T22:13:20.000000Z - req-12345 - hwautomation.hardware.ipmi - INFO - power on host=10.0.0.5\n"
//! );
//! ```
mod json;
mod lines;
mod multiline;
pub(crate) mod text;

pub use json::Json;
pub use lines::{Dashboard, Debug, Performance, Structured};
pub use multiline::Multiline;
pub use text::{escape_line, TimeZone};

pub use hwlog_core::Format;

/// The formatter names accepted in configuration.
pub const NAMES: [&str; 6] = [
    "structured",
    "json",
    "dashboard",
    "debug",
    "performance",
    "multiline",
];
