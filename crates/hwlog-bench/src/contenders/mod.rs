//! The loggers being compared. Each is a process-global logger, so a child process sets up
//! exactly one of them.
//!
//! Every contender writes the same record: INFO, message "chassis power status queried",
//! correlation id "req-12345", fields host="10.0.0.5", port=623, attempt=i. Every queue holds
//! 65,536 records and blocks when full (nothing is dropped).
use std::path::{Path, PathBuf};
use std::sync::Arc;

mod ftlog;
mod hwlog;
mod log4rs;
mod spdlog;
mod tracing;

/// The message every contender logs (the macros of the other contenders spell it out).
pub const MESSAGE: &str = "chassis power status queried";
/// The correlation id every contender logs.
pub const CORRELATION_ID: &str = "req-12345";
/// The host field.
pub const HOST: &str = "10.0.0.5";
/// The port field.
pub const PORT: u64 = 623;
/// Queue capacity, in records, of every asynchronous contender.
pub const QUEUE: usize = 65_536;

/// One configured logger.
pub trait Contender: Send + Sync {
    /// Logs the benchmark record with `attempt = i`.
    fn log(&self, i: u64);
    /// Hands what was logged so far to the output: the library's own flush where it has one
    /// (waiting or not). The caller workload then waits until [`Contender::output`] holds
    /// every record logged so far, the same condition for every contender.
    fn drain(&self);
    /// The one file this contender appends its records to, a line each, under `dir`; `None`
    /// when the output is not one plain file (rotated and compressed), and `drain` itself
    /// waits until everything is written.
    fn output(&self, dir: &Path) -> Option<PathBuf>;
    /// Flushes and waits until every record logged so far is in the output file(s).
    fn finish(self: Arc<Self>);
}

/// A contender's name and how it formats and writes.
pub struct Info {
    /// Name used on the command line and in the JSON.
    pub name: &'static str,
    /// Formatter, as shown in the table.
    pub format: &'static str,
    /// Writing design, as shown in the table.
    pub design: &'static str,
}

/// Every contender, in table order; `hwlog` first (the ratios are against it).
pub fn all() -> Vec<Info> {
    let mut v = vec![
        Info {
            name: "hwlog",
            format: "JSON (hwlog Json, UTC)",
            design: "non-blocking route, FileSink",
        },
        Info {
            name: "tracing",
            format: "JSON (fmt().json())",
            design: "tracing-appender, BufWriter",
        },
        Info {
            name: "tracing-unbuffered",
            format: "JSON (fmt().json())",
            design: "tracing-appender (default)",
        },
        Info {
            name: "ftlog",
            format: "ftlog text (fields in msg)",
            design: "ftlog logger thread",
        },
        Info {
            name: "spdlog",
            format: "JSON (JsonFormatter, kv)",
            design: "AsyncPoolSink(FileSink)",
        },
        Info {
            name: "log4rs",
            format: "JSON (JsonEncoder, log kv)",
            design: "synchronous FileAppender",
        },
    ];
    v.extend(hwlog::extra());
    v
}

/// The names every run must report (the JSON's required keys).
pub const REQUIRED: [&str; 5] = ["hwlog", "tracing", "ftlog", "spdlog", "log4rs"];

/// Sets up the named contender writing into `dir`.
pub fn setup(name: &str, dir: &Path) -> Result<Arc<dyn Contender>, String> {
    match name {
        "tracing" => tracing::setup(dir, true),
        "tracing-unbuffered" => tracing::setup(dir, false),
        "ftlog" => ftlog::setup(dir),
        "spdlog" => spdlog::setup(dir),
        "log4rs" => log4rs::setup(dir),
        other => hwlog::setup(other, dir),
    }
}
