//! The configuration model: what a profile says, after validation.
use hwlog_core::Level;

use super::tree::Loc;
use crate::filter::{HostSource, RateKey};
use crate::format::TimeZone;

/// A condition on a feature flag: `when = "compression"` or `when = "!compression"`.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct When {
    /// The feature's name.
    pub feature: String,
    /// True for `!feature`.
    pub negate: bool,
}

impl When {
    /// Whether the condition holds for these features.
    pub fn holds(&self, features: &[(String, bool)]) -> bool {
        let on = features
            .iter()
            .find(|(n, _)| n == &self.feature)
            .is_some_and(|(_, v)| *v);
        on != self.negate
    }
}

pub use crate::sink::{ColorMode, Stream};

/// Where a route writes.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub enum SinkSpec {
    /// The console.
    Console {
        /// Which stream.
        stream: Stream,
        /// Colouring.
        color: ColorMode,
    },
    /// A file, appended to; relative paths are under the profile's `log_dir`.
    File {
        /// The path.
        path: String,
        /// Compress with gzip (each flush ends a gzip member; `gzip -dc` reads the whole file).
        gzip: bool,
        /// Rotate (by size and/or time), compress rotated files, keep a bounded history.
        rotate: Option<crate::sink::rotating::RotationPolicy>,
    },
    /// The in-memory capture sink of [`crate::testing`].
    Capture,
    /// Metrics from logs (process-wide, see `hwlog::sink::metrics::global`), optionally
    /// served at `http://<listen>/metrics`.
    Metrics {
        /// Address for the `/metrics` endpoint.
        listen: Option<String>,
    },
    /// Discards everything (counts only).
    Null,
    /// SQLite database (cargo feature `sqlite`); relative paths are under `log_dir`.
    Sqlite {
        /// Database file.
        path: String,
        /// Table name.
        table: String,
        /// Delete rows older than this many days.
        max_age_days: Option<f64>,
        /// Keep at most this many rows.
        max_rows: Option<u64>,
    },
    /// `hwlog serve` (type `remote`) or an OpenTelemetry collector (type `otlp`) over HTTP
    /// (cargo feature `http`); a relative spool path is under `log_dir`.
    Remote {
        /// The server's base URL.
        url: String,
        /// API token (`ingest` scope).
        token: Option<String>,
        /// Spool file for records the server did not take.
        spool: Option<String>,
        /// Largest spool, in MB.
        max_spool_mb: u64,
        /// `Some(service.name)`: OTLP/HTTP to an OpenTelemetry collector (sink type `otlp`)
        /// instead of hwlog's own ingest.
        otlp_service: Option<String>,
        /// A PEM file of the CA(s) to trust for `https://` instead of the system's roots.
        ca: Option<String>,
    },
    /// Live WebSocket stream (cargo feature `websocket`).
    WebSocket {
        /// Address to listen on (`127.0.0.1:0` picks a free port).
        listen: String,
        /// Per-client queue length.
        client_queue: usize,
        /// Records kept for resumption.
        ring: usize,
    },
}

/// How a route formats.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub enum FormatSpec {
    /// `structured`.
    Structured(TimeZone),
    /// `json`.
    Json(TimeZone),
    /// `dashboard` with a message width.
    Dashboard(TimeZone, usize),
    /// `debug`.
    Debug(TimeZone),
    /// `performance`.
    Performance(TimeZone),
    /// `multiline` around another formatter.
    Multiline {
        /// The formatter for the first line.
        inner: Box<FormatSpec>,
        /// Indentation of continuation lines.
        indent: String,
    },
}

/// One filter and its settings.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub enum FilterKind {
    /// See [`crate::filter::CorrelationFilter`].
    Correlation {
        /// Id used when the record has none.
        placeholder: Option<String>,
        /// Reject records without an id.
        require: bool,
    },
    /// See [`crate::filter::ComponentFilter`].
    Component {
        /// Patterns to include (empty: all).
        include: Vec<String>,
        /// Patterns to exclude.
        exclude: Vec<String>,
    },
    /// See [`crate::filter::LevelRangeFilter`].
    LevelRange {
        /// Minimum.
        min: Level,
        /// Maximum.
        max: Level,
        /// Per-component ranges.
        overrides: Vec<(String, Level, Level)>,
        /// Accept instead of neutral when in range.
        accept: bool,
    },
    /// See [`crate::filter::RateLimitFilter`].
    RateLimit {
        /// Records per second.
        rate: f64,
        /// Burst size.
        burst: f64,
        /// Bucket key.
        key: RateKey,
    },
    /// See [`crate::filter::EnvironmentFilter`].
    Environment {
        /// Minimum level (default: the profile's level).
        min: Option<Level>,
        /// Redact secrets.
        redact: bool,
        /// Extra sensitive keys.
        extra_keys: Vec<String>,
    },
    /// See [`crate::filter::ContextFilter`].
    Context {
        /// Where `host` comes from.
        host: HostSource,
    },
}

/// A filter with its feature condition.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub struct FilterSpec {
    /// Active only when this holds.
    pub when: Option<When>,
    /// The filter.
    pub kind: FilterKind,
}

/// A route: filters → formatter → sink.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub struct RouteSpec {
    /// Unique name within the profile.
    pub name: String,
    /// Active only when this holds.
    pub when: Option<When>,
    /// Minimum level for this route (default: the profile's level).
    pub level: Option<Level>,
    /// The sink.
    pub sink: SinkSpec,
    /// The formatter.
    pub format: FormatSpec,
    /// Filters after the profile-wide ones.
    pub filters: Vec<FilterSpec>,
    /// Non-blocking (queue + worker thread) when set.
    pub buffer: Option<crate::nonblocking::NonBlockingOptions>,
    /// Whether the profile-wide filters run first (default true).
    pub inherit_filters: bool,
}

/// A profile: levels, features, filters for every route, and the routes.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub struct ProfileSpec {
    /// Name.
    pub name: String,
    /// Minimum level of routes that do not set one, and of environment filters.
    pub level: Level,
    /// Directory for relative file paths (relative to the working directory).
    pub log_dir: String,
    /// Feature flags, in declaration order.
    pub features: Vec<(String, bool)>,
    /// Filters that every route runs first (each route gets its own instances).
    pub filters: Vec<FilterSpec>,
    /// The routes.
    pub routes: Vec<RouteSpec>,
    /// Where the profile was defined.
    pub loc: Loc,
}
