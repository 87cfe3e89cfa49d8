//! Configuration → runtime: builds the [`Pipeline`] an active profile describes (formatters,
//! filters, sinks, routes), so that the config model and the runtime never import each other.
use std::path::Path;
use std::sync::Arc;

use hwlog_core::{Filter, Format, Level, Record, Sink};

use crate::config::{ActiveProfile, FilterKind, FormatSpec, RouteSpec, SinkSpec};
use crate::filter::*;
use crate::format::{Dashboard, Debug, Json, Multiline, Performance, Structured};
use crate::pipeline::{Pipeline, Route};
use crate::redact::Redactor;
use crate::sink::{ConsoleSink, FileSink, NullSink};

impl Pipeline {
    /// Builds the pipeline an active profile describes. When any of its routes redacts,
    /// routes attached with [`add_handler`](crate::dispatch::add_handler) receive records
    /// redacted the same way.
    ///
    /// Every sink is built before anything is returned: if any cannot be (a port in use, a
    /// file that cannot be opened, a cargo feature not compiled in, an unusable URL), the
    /// error lists every such problem and the sinks already built are closed again.
    pub fn build(p: &ActiveProfile) -> Result<Pipeline, BuildError> {
        let mut routes = Vec::with_capacity(p.routes.len());
        let mut problems = Vec::new();
        for r in &p.routes {
            match build_route(p, r) {
                Ok(route) => routes.push(route),
                Err(message) => problems.push(SinkProblem {
                    route: r.name.clone(),
                    sink: sink_label(&r.sink),
                    message,
                }),
            }
        }
        if !problems.is_empty() {
            return Err(BuildError { problems });
        }
        let mut pipeline = Pipeline::new(p.name.clone(), routes);
        pipeline.redactor = p
            .routes
            .iter()
            .flat_map(|r| &r.filters)
            .find_map(|f| match &f.kind {
                FilterKind::Environment {
                    redact: true,
                    extra_keys,
                    ..
                } => Some(Arc::new(Redactor::with_extra_keys(extra_keys))),
                _ => None,
            });
        Ok(pipeline)
    }
}

/// Builds a formatter from its spec.
pub fn build_format(f: &FormatSpec) -> Box<dyn Format> {
    match f {
        FormatSpec::Structured(tz) => Box::new(Structured::new(*tz)),
        FormatSpec::Json(tz) => Box::new(Json::new(*tz)),
        FormatSpec::Dashboard(tz, w) => Box::new(Dashboard::new(*tz, *w)),
        FormatSpec::Debug(tz) => Box::new(Debug::new(*tz)),
        FormatSpec::Performance(tz) => Box::new(Performance::new(*tz)),
        FormatSpec::Multiline { inner, indent } => {
            Box::new(Multiline::new(build_format(inner), indent.clone()))
        }
    }
}

/// Builds a filter from its spec; `profile_level` is the environment filter's default.
pub fn build_filter(k: &FilterKind, profile_level: Level) -> Box<dyn Filter> {
    match k {
        FilterKind::Correlation {
            placeholder,
            require,
        } => Box::new(CorrelationFilter::new(
            placeholder.clone().map(Into::into),
            *require,
        )),
        FilterKind::Component { include, exclude } => {
            Box::new(ComponentFilter::new(include, exclude))
        }
        FilterKind::LevelRange {
            min,
            max,
            overrides,
            accept,
        } => {
            let mut f = LevelRangeFilter::new(*min, *max);
            for (p, a, b) in overrides {
                f = f.with_override(p, *a, *b);
            }
            if *accept {
                f = f.accept_on_match();
            }
            Box::new(f)
        }
        FilterKind::RateLimit { rate, burst, key } => {
            Box::new(RateLimitFilter::new(*rate, *burst, *key))
        }
        FilterKind::Environment {
            min,
            redact,
            extra_keys,
        } => {
            let min = min.unwrap_or(profile_level);
            if *redact {
                Box::new(EnvironmentFilter::with_redactor(
                    min,
                    Redactor::with_extra_keys(extra_keys),
                ))
            } else {
                Box::new(EnvironmentFilter::new(min, false))
            }
        }
        FilterKind::Context { host } => Box::new(ContextFilter::new(host.clone())),
    }
}

/// Sinks that own an outside resource (a file path, a port, a database) are shared between
/// pipelines: when a reconfiguration keeps the same sink, the new pipeline writes through the
/// same instance instead of opening a second one beside it (two rotating writers on one file,
/// or two listeners on one port, would race). The instance closes when the last pipeline using
/// it is gone.
fn shared_sink(p: &ActiveProfile, s: &SinkSpec) -> Result<Arc<dyn Sink>, String> {
    use std::collections::HashMap;
    use std::sync::{Mutex, Weak};
    static LIVE: Mutex<Option<HashMap<String, Weak<dyn Sink>>>> = Mutex::new(None);
    let key = match s {
        SinkSpec::File { .. } | SinkSpec::Sqlite { .. } => {
            let dir = std::path::absolute(&p.log_dir).unwrap_or_else(|_| p.log_dir.clone().into());
            format!("{}|{s:?}", dir.display())
        }
        SinkSpec::WebSocket { listen, .. } if !listen.ends_with(":0") => format!("{s:?}"),
        _ => return build_sink(p, s),
    };
    let mut g = LIVE.lock().unwrap_or_else(|e| e.into_inner());
    let live = g.get_or_insert_with(HashMap::new);
    live.retain(|_, w| w.strong_count() > 0);
    let inner = match live.get(&key).and_then(Weak::upgrade) {
        Some(inner) => inner,
        None => {
            let inner = build_sink(p, s)?;
            live.insert(key, Arc::downgrade(&inner));
            inner
        }
    };
    Ok(Arc::new(SharedSink(inner)))
}

/// One pipeline's handle on a shared sink: closing the handle only flushes; the sink itself
/// closes (in its `Drop`) when the last handle is gone.
struct SharedSink(Arc<dyn Sink>);

impl Sink for SharedSink {
    fn name(&self) -> String {
        self.0.name()
    }
    fn write(&self, record: &Record, line: &[u8]) -> Result<(), hwlog_core::SinkError> {
        self.0.write(record, line)
    }
    fn write_batch(&self, batch: &hwlog_core::Batch) -> Result<(), hwlog_core::SinkError> {
        self.0.write_batch(batch)
    }
    fn flush(&self) -> Result<(), hwlog_core::SinkError> {
        self.0.flush()
    }
    fn close(&self) -> Result<(), hwlog_core::SinkError> {
        self.0.flush()
    }
    fn reopen(&self) -> Result<(), hwlog_core::SinkError> {
        self.0.reopen()
    }
}

fn build_sink(p: &ActiveProfile, s: &SinkSpec) -> Result<Arc<dyn Sink>, String> {
    match s {
        SinkSpec::Console { stream, color } => Ok(Arc::new(ConsoleSink::new(*stream, *color))),
        SinkSpec::File { path, gzip, rotate } => {
            let path = Path::new(&p.log_dir).join(path);
            match rotate {
                None => Ok(Arc::new(FileSink::new(path, *gzip))),
                Some(policy) => {
                    match crate::sink::rotating::RotatingFileSink::new(&path, policy.clone()) {
                        Ok(s) => Ok(Arc::new(s)),
                        Err(e) => Err(format!("cannot open {}: {e}", path.display())),
                    }
                }
            }
        }
        SinkSpec::Capture => Ok(Arc::new(crate::testing::CaptureSink)),
        SinkSpec::Metrics { listen } => {
            if let Some(addr) = listen {
                crate::sink::metrics::serve_global(addr)
                    .map_err(|e| format!("cannot serve /metrics on {addr}: {e}"))?;
            }
            Ok(Arc::new(crate::sink::metrics::global().clone()))
        }
        SinkSpec::Null => Ok(Arc::new(NullSink)),
        SinkSpec::Sqlite {
            path,
            table,
            max_age_days,
            max_rows,
        } => sqlite_sink(
            &Path::new(&p.log_dir).join(path),
            table,
            *max_age_days,
            *max_rows,
        ),
        SinkSpec::WebSocket {
            listen,
            client_queue,
            ring,
        } => websocket_sink(listen, *client_queue, *ring),
        SinkSpec::Remote {
            url,
            token,
            spool,
            max_spool_mb,
            otlp_service,
            ca,
        } => remote_sink(p, url, token, spool, *max_spool_mb, otlp_service, ca),
    }
}

#[cfg(feature = "http")]
fn remote_sink(
    p: &ActiveProfile,
    url: &str,
    token: &Option<String>,
    spool: &Option<String>,
    max_spool_mb: u64,
    otlp_service: &Option<String>,
    ca: &Option<String>,
) -> Result<Arc<dyn Sink>, String> {
    let mut opts = crate::sink::remote::RemoteOptions::new(url);
    opts.ca = ca.as_ref().map(Into::into);
    if let Some(service) = otlp_service {
        opts.protocol = crate::sink::remote::Protocol::Otlp {
            service: service.clone(),
        };
    }
    opts.token = token.clone();
    opts.spool = spool.as_ref().map(|s| Path::new(&p.log_dir).join(s));
    opts.max_spool_bytes = max_spool_mb.saturating_mul(1 << 20);
    match crate::sink::remote::RemoteSink::new(opts) {
        Ok(s) => Ok(Arc::new(s)),
        Err(e) => Err(e.to_string()),
    }
}

#[cfg(not(feature = "http"))]
fn remote_sink(
    _p: &ActiveProfile,
    url: &str,
    _token: &Option<String>,
    _spool: &Option<String>,
    _max_spool_mb: u64,
    _otlp_service: &Option<String>,
    _ca: &Option<String>,
) -> Result<Arc<dyn Sink>, String> {
    Err(format!(
        "the remote sink ({url}) needs hwlog built with the cargo feature `http`"
    ))
}

fn build_route(p: &ActiveProfile, r: &RouteSpec) -> Result<Route, String> {
    let mut min_level = r.level.unwrap_or(p.level);
    // Redaction (the environment filter) runs after every other filter, so fields and
    // context that filters add are redacted too, wherever the filter is listed.
    let is_env = |f: &&crate::config::FilterSpec| matches!(f.kind, FilterKind::Environment { .. });
    let filters: Vec<Box<dyn Filter>> = r
        .filters
        .iter()
        .filter(|f| !is_env(f))
        .chain(r.filters.iter().filter(is_env))
        .map(|f| build_filter(&f.kind, p.level))
        .collect();
    // A level-range override may let lower levels through for some components.
    for f in &r.filters {
        if let FilterKind::LevelRange { min, overrides, .. } = &f.kind {
            let lowest = overrides.iter().map(|o| o.1).fold(*min, Level::min);
            min_level = min_level.min(lowest);
        }
    }
    let route = Route::new(
        r.name.clone(),
        min_level,
        filters,
        build_format(&r.format),
        shared_sink(p, &r.sink)?,
    );
    Ok(match &r.buffer {
        Some(opts) => route.non_blocking(opts.clone()),
        None => route,
    })
}

#[cfg(feature = "websocket")]
fn websocket_sink(listen: &str, client_queue: usize, ring: usize) -> Result<Arc<dyn Sink>, String> {
    use crate::sink::websocket::{WebSocketOptions, WebSocketSink};
    let opts = WebSocketOptions { client_queue, ring };
    match WebSocketSink::bind(listen, opts) {
        Ok(s) => Ok(Arc::new(s)),
        Err(e) => Err(format!("cannot listen on {listen}: {e}")),
    }
}

#[cfg(not(feature = "websocket"))]
fn websocket_sink(
    listen: &str,
    _client_queue: usize,
    _ring: usize,
) -> Result<Arc<dyn Sink>, String> {
    Err(format!(
        "the websocket sink ({listen}) needs hwlog built with the cargo feature `websocket`"
    ))
}

#[cfg(feature = "sqlite")]
fn sqlite_sink(
    path: &Path,
    table: &str,
    max_age_days: Option<f64>,
    max_rows: Option<u64>,
) -> Result<Arc<dyn Sink>, String> {
    use crate::sink::sqlite::{SqliteSink, SqliteSinkOptions};
    let opts = SqliteSinkOptions {
        table: table.to_string(),
        max_age: max_age_days.map(|d| std::time::Duration::from_secs_f64(d.max(0.0) * 86_400.0)),
        max_rows,
        ..Default::default()
    };
    match SqliteSink::open(path, opts) {
        Ok(s) => {
            crate::activity::offer_store(s.store().clone());
            Ok(Arc::new(s))
        }
        Err(e) => Err(format!("cannot open {}: {e}", path.display())),
    }
}

#[cfg(not(feature = "sqlite"))]
fn sqlite_sink(
    path: &Path,
    _table: &str,
    _age: Option<f64>,
    _rows: Option<u64>,
) -> Result<Arc<dyn Sink>, String> {
    Err(format!(
        "the sqlite sink ({}) needs hwlog built with the cargo feature `sqlite`",
        path.display()
    ))
}

/// A sink of the configuration that could not be built.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct SinkProblem {
    /// The route it belongs to.
    pub route: String,
    /// The sink (`websocket 127.0.0.1:9020`, `file app.log`, …).
    pub sink: String,
    /// Why it could not be built.
    pub message: String,
}

/// Sinks that could not be built: [`Pipeline::build`] lists every one.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct BuildError {
    /// Each sink that failed, in route order.
    pub problems: Vec<SinkProblem>,
}

impl std::fmt::Display for BuildError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let n = self.problems.len();
        write!(
            f,
            "{n} sink{} could not be built:",
            if n == 1 { "" } else { "s" }
        )?;
        for p in &self.problems {
            write!(f, "\n  route {:?}, {}: {}", p.route, p.sink, p.message)?;
        }
        Ok(())
    }
}

impl std::error::Error for BuildError {}

fn sink_label(s: &SinkSpec) -> String {
    match s {
        SinkSpec::Console { .. } => "console".into(),
        SinkSpec::File { path, .. } => format!("file {path}"),
        SinkSpec::Capture => "capture".into(),
        SinkSpec::Metrics { listen } => match listen {
            Some(l) => format!("metrics {l}"),
            None => "metrics".into(),
        },
        SinkSpec::Null => "null".into(),
        SinkSpec::Sqlite { path, .. } => format!("sqlite {path}"),
        SinkSpec::WebSocket { listen, .. } => format!("websocket {listen}"),
        SinkSpec::Remote { url, .. } => format!("remote {url}"),
    }
}
