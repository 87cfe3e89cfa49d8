//! Decoders: bytes that clients and files send, into [`hwlog_core::Record`]s. The server's
//! ingest paths and the library's file aggregator and `hwlog analyze` all read with these, so a
//! line or a body means the same wherever it arrives.
//!
//! - [`json`]: a JSON array, one object or NDJSON (the HTTP API, Fluent Bit, Vector), and
//!   Python `logging.handlers.HTTPHandler` forms;
//! - [`otlp`]: OpenTelemetry logs, protobuf and JSON;
//! - [`syslog`]: RFC 5424 (every part), RFC 3164 and the bare `<PRI>tag: msg` form;
//! - [`lines`]: lines of log files (hwlog's JSON and structured lines, plain lines with a
//!   header pattern, syslog);
//! - [`limits`] and [`bounded`]: the caps every path shares, applied before memory is spent.
//!
//! ```
//! use hwlog_decode::lines::{parse_line, LineFormat};
//! let line = r#"{"level":"err","component":"bmc","message":"IPMI timeout"}"#;
//! let r = parse_line(&LineFormat::detect(line), line, "file", 0).unwrap();
//! assert_eq!((r.level, r.component.as_str()), (hwlog_core::Level::Error, "bmc"));
//! ```
#![deny(missing_docs)]

pub mod bounded;
mod error;
mod guess;
pub mod json;
pub mod limits;
pub mod lines;
pub mod otlp;
pub mod syslog;

pub use error::{DecodeError, DecodeErrorKind};
