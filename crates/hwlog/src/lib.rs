//! # hwlog
//!
//! Structured logging for services. Call [`setup_logging`] once; from then on every `tracing`
//! event, every `log` record and every record from a [`get_logger`] logger flows through one
//! pipeline — filters → formatter → sink, per route — as the active profile says.
//!
//! ```
//! # let _serial = hwlog::testing::lock();
//! use hwlog::{get_logger, reconfigure_logging, with_correlation};
//!
//! let _guard = hwlog::setup_logging_with("testing", &hwlog::Overrides::new()).unwrap();
//! hwlog::testing::clear();
//! let logger = get_logger("hwautomation.hardware.ipmi");
//! with_correlation("req-12345", || logger.info("This log will include correlation ID"));
//! tracing::info!(target: "hwautomation.api", "tracing events are captured too");
//! let lines = hwlog::testing::lines();
//! assert!(lines[0].contains(" - req-12345 - hwautomation.hardware.ipmi - INFO - "));
//! assert!(lines[1].contains("hwautomation.api - INFO - tracing events are captured too"));
//! ```
//!
//! See the README for profiles, configuration files, formatters and filters.
#![deny(missing_docs)]

#[cfg(feature = "sqlite")]
pub mod activity;
mod api;
pub mod bridge;
pub mod build;
pub mod config;
pub mod dispatch;
pub mod filter;
pub mod format;
#[cfg(feature = "http")]
pub mod http;
mod internal;
mod logger;
pub mod nonblocking;
pub mod pipeline;
mod pool;
pub mod redact;
mod route;
mod route_core;
mod sched;
pub mod sink;
pub mod stats;
pub mod testing;

pub use api::{
    flush, install_signal_flush, logging_status, reconfigure_logging, reconfigure_logging_with,
    reopen, setup_logging, setup_logging_with, shutdown, Builder, Error, ErrorKind, LoggingGuard,
    Status,
};
pub use config::Overrides;
pub use hwlog_core::units;
pub use hwlog_core::{
    context, Batch, ComponentPattern, Decision, Filter, Format, Level, Record, SharedStr, Sink,
    SinkError, SinkErrorKind, Timestamp, Value,
};
pub use logger::{get_logger, Event, Logger, OperationGuard};

/// Correlation ids: the current id follows sync code, futures and spawned threads.
pub mod correlation {
    pub use hwlog_core::context::{
        current_correlation_id, in_current_scope, replace_correlation, scope, spawn,
        with_correlation, wrap, Scoped,
    };
}

pub use correlation::{current_correlation_id, with_correlation};
