//! Named loggers: the design's `get_logger(name)`.
use std::borrow::Cow;
use std::sync::Arc;
use std::time::Instant;

use hwlog_core::context::Context;
use hwlog_core::{Level, Record, SharedStr, Value};

use crate::dispatch;

/// A logger for one component. Cheap to clone; bound fields and a bound correlation id are
/// added to every record it writes.
///
/// ```
/// let _serial = hwlog::testing::lock();
/// let _g = hwlog::setup_logging_with("testing", &Default::default()).unwrap();
/// hwlog::testing::clear();
/// let log = hwlog::get_logger("hwautomation.hardware.ipmi").with_field("bmc", "10.0.0.5");
/// log.info("chassis power on");
/// log.at(hwlog::Level::Warning).field("attempt", 2).log("retrying");
/// let lines = hwlog::testing::lines();
/// assert!(lines[0].ends_with("INFO - chassis power on bmc=10.0.0.5\n"));
/// assert!(lines[1].ends_with("WARNING - retrying bmc=10.0.0.5 attempt=2\n"));
/// ```
#[derive(Clone, Debug)]
pub struct Logger {
    component: SharedStr,
    correlation: Option<SharedStr>,
    fields: Arc<[(SharedStr, Value)]>,
}

/// A logger for `name` (the component, dotted: `hwautomation.hardware.ipmi`). Rust module
/// paths (`a::b`) are converted to dotted form.
pub fn get_logger(name: impl AsRef<str>) -> Logger {
    let name = name.as_ref().replace("::", ".");
    Logger {
        component: SharedStr::from(name),
        correlation: None,
        fields: Arc::from(Vec::new()),
    }
}

impl Logger {
    /// The component name.
    pub fn name(&self) -> &str {
        &self.component
    }

    /// A logger whose records carry `id` as correlation id, whatever the current scope says.
    pub fn with_correlation(&self, id: impl Into<SharedStr>) -> Logger {
        Logger {
            correlation: Some(id.into()),
            ..self.clone()
        }
    }

    /// A logger that adds `key=value` to every record.
    pub fn with_field(&self, key: impl Into<SharedStr>, value: impl Into<Value>) -> Logger {
        let mut v: Vec<_> = self.fields.to_vec();
        v.push((key.into(), value.into()));
        Logger {
            fields: Arc::from(v),
            ..self.clone()
        }
    }

    /// Attaches a route to this logger's component (and its children): the design's
    /// `logger.addHandler(handler)`. See [`crate::dispatch::add_handler`].
    pub fn add_handler(&self, route: crate::pipeline::Route) {
        dispatch::add_handler(&self.component, route);
    }

    /// Whether records at `level` can be written.
    #[inline(always)]
    pub fn enabled(&self, level: Level) -> bool {
        dispatch::enabled(level)
    }

    #[inline]
    fn record(&self, level: Level, msg: Cow<'static, str>, extra: Vec<(SharedStr, Value)>) {
        let mut rec = Record::new(level, self.component.clone(), msg);
        if self.correlation.is_some() {
            rec.correlation_id.clone_from(&self.correlation);
        }
        if self.fields.is_empty() {
            rec.fields = extra;
        } else {
            rec.fields.reserve(self.fields.len() + extra.len());
            rec.fields.extend(self.fields.iter().cloned());
            rec.fields.extend(extra);
        }
        dispatch::dispatch(rec);
    }

    /// Logs `msg` at `level`.
    #[inline]
    pub fn log(&self, level: Level, msg: impl Into<Cow<'static, str>>) {
        if self.enabled(level) {
            self.record(level, msg.into(), Vec::new());
        }
    }

    /// Logs at TRACE.
    #[inline]
    pub fn trace(&self, msg: impl Into<Cow<'static, str>>) {
        self.log(Level::Trace, msg)
    }
    /// Logs at DEBUG.
    #[inline]
    pub fn debug(&self, msg: impl Into<Cow<'static, str>>) {
        self.log(Level::Debug, msg)
    }
    /// Logs at INFO.
    #[inline]
    pub fn info(&self, msg: impl Into<Cow<'static, str>>) {
        self.log(Level::Info, msg)
    }
    /// Logs at WARNING.
    #[inline]
    pub fn warning(&self, msg: impl Into<Cow<'static, str>>) {
        self.log(Level::Warning, msg)
    }
    /// Logs at ERROR.
    #[inline]
    pub fn error(&self, msg: impl Into<Cow<'static, str>>) {
        self.log(Level::Error, msg)
    }
    /// Logs at CRITICAL.
    #[inline]
    pub fn critical(&self, msg: impl Into<Cow<'static, str>>) {
        self.log(Level::Critical, msg)
    }

    /// Starts a record with fields: `log.at(Level::Info).field("ms", 12).log("done")`.
    ///
    /// The level is checked here, once: when it is disabled, `.field(..)` and `.log(..)` do
    /// nothing (their arguments' conversions are not run) and the whole chain costs about
    /// as much as the check itself (`cargo bench -p hwlog --bench pipeline -- disabled`).
    #[inline(always)]
    pub fn at(&self, level: Level) -> Event<'_> {
        Event {
            logger: self,
            pending: if self.enabled(level) {
                Some(Pending::take(level))
            } else {
                None
            },
        }
    }

    /// Starts an operation: until the guard drops, records from this thread (or the future
    /// the guard lives in) carry `operation` and, with the context filter, `op_elapsed_ms`.
    /// Dropping the guard logs `"operation NAME finished"` at INFO with `duration_ms`.
    pub fn start_operation(&self, name: impl Into<SharedStr>) -> OperationGuard {
        let name = name.into();
        let started = Instant::now();
        let guard = Context::new().operation(name.clone(), started).enter();
        OperationGuard {
            logger: self.clone(),
            name,
            started,
            _ctx: guard,
        }
    }
}

/// A record being built by [`Logger::at`]. Two words: when the level is disabled it holds
/// nothing, so the builder chain stays a few register moves and branches.
#[must_use = "call .log(msg) to write the record"]
pub struct Event<'a> {
    logger: &'a Logger,
    pending: Option<Box<Pending>>,
}

/// What an enabled [`Event`] collects. One per thread is kept for reuse, so an enabled
/// event allocates nothing in the common case.
struct Pending {
    level: Level,
    fields: Vec<(SharedStr, Value)>,
    error: Option<String>,
}

thread_local! {
    static SPARE: std::cell::Cell<Option<Box<Pending>>> = const { std::cell::Cell::new(None) };
}

impl Pending {
    #[inline]
    fn take(level: Level) -> Box<Pending> {
        match SPARE.try_with(|s| s.take()).ok().flatten() {
            Some(mut p) => {
                p.level = level;
                p.fields = crate::pool::take();
                p
            }
            None => Box::new(Pending {
                level,
                fields: crate::pool::take(),
                error: None,
            }),
        }
    }

    #[inline]
    fn push(&mut self, key: SharedStr, value: Value) {
        self.fields.push((key, value));
    }
}

impl Event<'_> {
    /// Adds a field.
    #[inline(always)]
    pub fn field(mut self, key: impl Into<SharedStr>, value: impl Into<Value>) -> Self {
        if let Some(p) = &mut self.pending {
            p.push(key.into(), value.into());
        }
        self
    }

    /// Attaches an error and its chain of sources.
    pub fn error(mut self, err: &(dyn std::error::Error + 'static)) -> Self {
        if let Some(p) = &mut self.pending {
            let mut r = Record::new(p.level, "", "");
            r.set_error(err);
            p.error = r.error;
        }
        self
    }

    /// Writes the record.
    #[inline(always)]
    pub fn log(self, msg: impl Into<Cow<'static, str>>) {
        if let Some(p) = self.pending {
            write(self.logger, p, msg.into());
        }
    }
}

#[inline]
fn write(logger: &Logger, mut p: Box<Pending>, msg: Cow<'static, str>) {
    let (level, fields, error) = (p.level, std::mem::take(&mut p.fields), p.error.take());
    let _ = SPARE.try_with(|s| s.set(Some(p)));
    if error.is_none() {
        return logger.record(level, msg, fields);
    }
    let mut rec = Record::new(level, logger.component.clone(), msg);
    if logger.correlation.is_some() {
        rec.correlation_id.clone_from(&logger.correlation);
    }
    rec.fields.extend(logger.fields.iter().cloned());
    rec.fields.extend(fields);
    rec.error = error;
    dispatch::dispatch(rec);
}

/// Returned by [`Logger::start_operation`].
#[must_use = "the operation ends when the guard is dropped"]
pub struct OperationGuard {
    logger: Logger,
    name: SharedStr,
    started: Instant,
    _ctx: hwlog_core::context::ContextGuard,
}

impl OperationGuard {
    /// Time since the operation started.
    pub fn elapsed(&self) -> std::time::Duration {
        self.started.elapsed()
    }
}

impl Drop for OperationGuard {
    fn drop(&mut self) {
        let ms = self.started.elapsed().as_secs_f64() * 1000.0;
        self.logger
            .at(Level::Info)
            .field("operation", self.name.to_string())
            .field("duration_ms", (ms * 1000.0).round() / 1000.0)
            .log(format!("operation {} finished", self.name));
    }
}
