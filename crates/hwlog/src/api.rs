//! The seed API: `setup_logging`, `reconfigure_logging`, `logging_status`, `flush`.
use std::fmt;
use std::path::PathBuf;
use std::sync::Mutex;

use hwlog_core::Level;

use crate::config::{Config, ConfigError, Overrides};
use crate::dispatch;
use crate::pipeline::{Pipeline, RouteStatus};
use crate::stats::Counters;

/// What went wrong in setup or reconfiguration.
#[derive(Debug)]
#[non_exhaustive]
pub enum ErrorKind {
    /// The configuration or an override is invalid (every problem is listed).
    Config(ConfigError),
    /// Flushing a sink failed.
    Sink(hwlog_core::SinkError),
    /// Sinks of the profile could not be built (every one is listed); the pipeline that was
    /// active before stays active.
    Build(crate::build::BuildError),
}

/// An hwlog error; see [`Error::kind`]. `Debug` shows the same text as `Display`, so a
/// `main` returning `Result<(), hwlog::Error>` prints a readable list of problems.
pub struct Error {
    kind: ErrorKind,
}

impl fmt::Debug for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

impl Error {
    /// What went wrong.
    pub fn kind(&self) -> &ErrorKind {
        &self.kind
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.kind {
            ErrorKind::Config(e) => write!(f, "{e}"),
            ErrorKind::Sink(e) => write!(f, "sink error: {e}"),
            ErrorKind::Build(e) => write!(f, "{e}"),
        }
    }
}

impl std::error::Error for Error {}

impl From<ConfigError> for Error {
    fn from(e: ConfigError) -> Self {
        Error {
            kind: ErrorKind::Config(e),
        }
    }
}

struct State {
    config: Config,
    profile: String,
    level: Level,
    features: Vec<(String, bool)>,
}

static STATE: Mutex<Option<State>> = Mutex::new(None);

fn state() -> std::sync::MutexGuard<'static, Option<State>> {
    STATE.lock().unwrap_or_else(|p| p.into_inner())
}

/// Flushes every sink when dropped. Keep it alive for the life of the program
/// (`let _guard = hwlog::setup_logging()?;`).
#[must_use = "logs are flushed when the guard is dropped; bind it to a variable"]
#[derive(Debug)]
pub struct LoggingGuard(());

impl Drop for LoggingGuard {
    fn drop(&mut self) {
        let _ = flush();
    }
}

/// Configures how logging is set up: config file, profile, overrides.
///
/// ```no_run
/// let _guard = hwlog::Builder::new()
///     .config_file("hwlog.toml")
///     .profile("production")
///     .overrides(hwlog::Overrides::new().level(hwlog::Level::Info))
///     .init()
///     .expect("valid logging configuration");
/// ```
#[derive(Debug, Default, Clone)]
pub struct Builder {
    config_file: Option<PathBuf>,
    profile: Option<String>,
    overrides: Overrides,
    env: bool,
    signals: bool,
}

impl Builder {
    /// Defaults: built-in profiles, no overrides, environment ignored.
    pub fn new() -> Self {
        Builder::default()
    }

    /// Builder that reads `HWLOG_CONFIG`, `HWLOG_PROFILE`, `HWLOG_LEVEL`, `HWLOG_LOG_DIR` and
    /// `HWLOG_FEATURES`, as `setup_logging()` does.
    pub fn from_env() -> Self {
        Builder {
            config_file: std::env::var_os("HWLOG_CONFIG").map(PathBuf::from),
            profile: std::env::var("HWLOG_PROFILE")
                .ok()
                .filter(|s| !s.is_empty()),
            overrides: Overrides::new(),
            env: true,
            signals: false,
        }
    }

    /// Loads profiles from a TOML or YAML file on top of the built-in ones.
    pub fn config_file(mut self, path: impl Into<PathBuf>) -> Self {
        self.config_file = Some(path.into());
        self
    }

    /// The profile to start with (default: the file's `profile`, else `development`).
    pub fn profile(mut self, name: impl Into<String>) -> Self {
        self.profile = Some(name.into());
        self
    }

    /// Overrides applied on top of the profile (and of the file's `[overrides]`).
    pub fn overrides(mut self, o: Overrides) -> Self {
        self.overrides = o;
        self
    }

    /// On SIGTERM / SIGINT, flush every route, then let the signal do what it would have done
    /// (terminate). Off by default: the application may handle signals itself and call
    /// [`flush`].
    pub fn flush_on_signals(mut self, on: bool) -> Self {
        self.signals = on;
        self
    }

    /// Validates everything and installs the pipeline, the `tracing` subscriber and the `log`
    /// logger. On error nothing changes.
    pub fn init(self) -> Result<LoggingGuard, Error> {
        let config = match &self.config_file {
            Some(p) => Config::from_path(p)?,
            None => Config::builtin(),
        };
        let mut overrides = config.file_overrides().clone();
        let mut env_issues = Vec::new();
        if self.env {
            let (o, issues) = Overrides::env_lenient();
            overrides = overrides.merged(&o);
            env_issues = issues;
        }
        overrides = overrides.merged(&self.overrides);
        let profile = self
            .profile
            .or_else(|| config.default_profile().map(str::to_string))
            .unwrap_or_else(|| "development".to_string());
        if !env_issues.is_empty() {
            // Report the environment's problems together with any the rest would cause.
            if let Err(mut e) = config.resolve(&profile, &overrides) {
                env_issues.append(&mut e.issues);
            }
            return Err(ConfigError { issues: env_issues }.into());
        }
        activate(config, &profile, overrides)?;
        crate::bridge::install_global();
        install_panic_hook();
        if self.signals {
            install_signal_flush();
        }
        Ok(LoggingGuard(()))
    }
}

fn activate(config: Config, profile: &str, overrides: Overrides) -> Result<(), Error> {
    let active = config.resolve(profile, &overrides)?;
    // Build every sink first: on any failure nothing changes and the old pipeline stays.
    let pipeline = Pipeline::build(&active).map_err(|e| Error {
        kind: ErrorKind::Build(e),
    })?;
    // Hold the state lock across the swap so concurrent reconfigurations apply in order.
    let mut st = state();
    let old = dispatch::install(pipeline);
    *st = Some(State {
        config,
        profile: active.name.clone(),
        level: active.level,
        features: active.features,
    });
    drop(st);
    // The old pipeline is flushed and closed when the last record using it is done.
    drop(old);
    Ok(())
}

/// Flushes every route when a thread panics (before the previous hook runs), so the records
/// leading up to a crash reach their files.
fn install_panic_hook() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        let prev = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            // A panicking route worker must not wait for itself.
            if !crate::nonblocking::on_worker_thread() {
                let _ = flush();
            }
            prev(info);
        }));
    });
}

/// Reopens every file after an outside tool (logrotate) moved it away; also done on SIGHUP
/// when signal handling is installed. Rotating files also notice a moved file by themselves.
pub fn reopen() -> Result<(), Error> {
    dispatch::reopen_all().map_err(|e| Error {
        kind: ErrorKind::Sink(e),
    })
}

/// SIGTERM / SIGINT: flush, then the default action of the signal. SIGHUP: reopen files.
pub fn install_signal_flush() {
    use signal_hook::consts::{SIGHUP, SIGINT, SIGTERM};
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        let mut signals = match signal_hook::iterator::Signals::new([SIGTERM, SIGINT, SIGHUP]) {
            Ok(s) => s,
            Err(e) => {
                eprintln!("hwlog: cannot install signal handlers: {e}");
                return;
            }
        };
        let spawned = std::thread::Builder::new()
            .name("hwlog-signals".into())
            .spawn(move || {
                for sig in signals.forever() {
                    if sig == SIGHUP {
                        if let Err(e) = reopen() {
                            eprintln!("hwlog: reopening after SIGHUP failed: {e}");
                        }
                        continue;
                    }
                    let _ = flush();
                    let _ = signal_hook::low_level::emulate_default_handler(sig);
                    return;
                }
            });
        if let Err(e) = spawned {
            eprintln!("hwlog: cannot start the signal thread: {e}");
        }
    });
}

/// Sets up logging once per process: profile from `HWLOG_PROFILE` (default `development`),
/// config file from `HWLOG_CONFIG`, overrides from `HWLOG_LEVEL`, `HWLOG_LOG_DIR` and
/// `HWLOG_FEATURES`. From then on `tracing` events, `log` records and [`get_logger`](crate::get_logger)
/// records all flow through the pipeline. Calling it again changes nothing and returns another
/// guard.
///
/// ```
/// let _serial = hwlog::testing::lock();
/// let _guard = hwlog::setup_logging().expect("logging configuration");
/// hwlog::get_logger("app").info("started");
/// ```
pub fn setup_logging() -> Result<LoggingGuard, Error> {
    if state().is_some() {
        crate::bridge::install_global();
        return Ok(LoggingGuard(()));
    }
    Builder::from_env().init()
}

/// Sets up logging with an explicit profile and overrides (the config file named by
/// `HWLOG_CONFIG`, if any, still supplies profiles). If logging is already set up, switches
/// to this profile.
pub fn setup_logging_with(profile: &str, overrides: &Overrides) -> Result<LoggingGuard, Error> {
    let mut b = Builder::new().profile(profile).overrides(overrides.clone());
    if let Some(p) = std::env::var_os("HWLOG_CONFIG") {
        b = b.config_file(p);
    }
    b.init()
}

/// Switches to another profile at run time. No record is lost or written twice: each record
/// goes through either the old or the new pipeline, and the old one is flushed and closed.
/// On error the current configuration stays active.
pub fn reconfigure_logging(profile: &str) -> Result<(), Error> {
    reconfigure_logging_with(profile, &Overrides::new())
}

/// [`reconfigure_logging`] with overrides (level, log directory, features). Overrides apply to
/// this activation only; the profile definitions never change. Unknown keys or features are
/// errors.
pub fn reconfigure_logging_with(profile: &str, overrides: &Overrides) -> Result<(), Error> {
    let config = state()
        .as_ref()
        .map(|s| s.config.clone())
        .unwrap_or_else(Config::builtin);
    let installed = crate::bridge::captured() != (false, false);
    activate(config, profile, overrides.clone())?;
    if !installed {
        crate::bridge::install_global();
    }
    Ok(())
}

/// Flushes every sink of the current pipeline.
pub fn flush() -> Result<(), Error> {
    let sink_err = |e| Error {
        kind: ErrorKind::Sink(e),
    };
    crate::nonblocking::join_retired(std::time::Duration::from_secs(10));
    dispatch::flush_handlers().map_err(sink_err)?;
    match dispatch::current() {
        Some(p) => p.flush().map_err(sink_err),
        None => Ok(()),
    }
}

/// Stops logging: removes the pipeline, lets every non-blocking route write what it has queued,
/// closes the sinks (a rotating file waits for its compressions), and returns the final status.
/// Logging calls after this are no-ops until `setup_logging` or `reconfigure_logging`.
pub fn shutdown() -> Status {
    let old = dispatch::uninstall();
    drop(old);
    crate::nonblocking::join_retired(std::time::Duration::from_secs(60));
    let mut st = logging_status();
    *state() = None;
    st.profile = st.profile.map(|p| format!("{p} (shut down)"));
    st
}

/// The active configuration and what it has done.
#[derive(Clone, Debug)]
pub struct Status {
    /// Active profile (None before setup).
    pub profile: Option<String>,
    /// Its minimum level.
    pub level: Option<Level>,
    /// Feature flags in effect.
    pub features: Vec<(String, bool)>,
    /// The routes of the current pipeline.
    pub routes: Vec<RouteStatus>,
    /// Routes attached to components with `add_handler`, with their component pattern.
    pub handlers: Vec<(String, RouteStatus)>,
    /// Totals over every pipeline this process has run.
    pub totals: Counters,
    /// Whether `tracing` events reach hwlog.
    pub tracing_captured: bool,
    /// Whether `log` records reach hwlog.
    pub log_captured: bool,
}

/// The active profile, routes (sink, formatter, filters) and counters (emitted, filtered,
/// dropped, errors).
///
/// ```
/// let _serial = hwlog::testing::lock();
/// let _g = hwlog::setup_logging_with("testing", &Default::default()).unwrap();
/// let st = hwlog::logging_status();
/// assert_eq!(st.profile.as_deref(), Some("testing"));
/// assert_eq!(st.routes[0].sink, "capture");
/// println!("{st}");
/// ```
pub fn logging_status() -> Status {
    let st = state();
    let (tracing_captured, log_captured) = crate::bridge::captured();
    Status {
        profile: st.as_ref().map(|s| s.profile.clone()),
        level: st.as_ref().map(|s| s.level),
        features: st.as_ref().map(|s| s.features.clone()).unwrap_or_default(),
        routes: dispatch::current().map(|p| p.status()).unwrap_or_default(),
        handlers: dispatch::handler_status(),
        totals: dispatch::totals(),
        tracing_captured,
        log_captured,
    }
}

impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "profile: {} (level {})",
            self.profile.as_deref().unwrap_or("none"),
            self.level.map_or("-".to_string(), |l| l.to_string())
        )?;
        let feats: Vec<String> = self
            .features
            .iter()
            .map(|(n, on)| format!("{n}={}", if *on { "on" } else { "off" }))
            .collect();
        writeln!(f, "features: {}", feats.join(" "))?;
        writeln!(
            f,
            "captures: tracing={} log={}",
            self.tracing_captured, self.log_captured
        )?;
        let attached = self
            .handlers
            .iter()
            .map(|(g, r)| (format!(" (handler for {g})"), r));
        for (tag, r) in self
            .routes
            .iter()
            .map(|r| (String::new(), r))
            .chain(attached)
        {
            writeln!(
                f,
                "route {}{tag} [{}+] {} -> {} | filters: {} | emitted={} filtered={} dropped={} errors={}{}",
                r.name,
                r.min_level,
                r.format,
                r.sink,
                if r.filters.is_empty() { "-".to_string() } else { r.filters.join(", ") },
                r.counters.emitted,
                r.counters.filtered,
                r.counters.dropped,
                r.counters.errors,
                r.last_error.as_ref().map_or(String::new(), |e| format!(" | last error: {e}"))
            )?;
        }
        let t = self.totals;
        write!(
            f,
            "totals: emitted={} filtered={} dropped={} errors={}",
            t.emitted, t.filtered, t.dropped, t.errors
        )
    }
}
