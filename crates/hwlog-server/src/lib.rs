//! `hwlog serve`: one process that ingests logs (HTTP JSON/NDJSON/forms, OTLP, syslog over
//! UDP/TCP, all decoded by `hwlog-decode`), redacts them, stores them (embedded SQLite, or
//! PostgreSQL for several nodes, through `hwlog-store`), streams them live over WebSocket,
//! answers queries and analysis, runs alert rules (`hwlog-monitor`), and serves the
//! dashboard; over HTTPS/WSS with `--tls-cert`/`--tls-key`.
//!
//! ```no_run
//! let opts = hwlog_server::ServeOptions { demo: true, ..Default::default() };
//! hwlog_server::run(opts).unwrap();
//! ```
#![deny(missing_docs)]

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;

use hwlog_store::{PgOptions, PgStore, SqliteOptions, SqliteStore};

mod analysis;
pub mod auth;
pub use hwlog_decode::bounded;
pub mod config;
mod conn;
mod demo;
mod http;
pub mod jobs;
pub mod json;
pub use hwlog_decode::limits;
mod origin;
pub use hwlog_decode::otlp;
mod state;
mod stream;
pub mod syslog;
pub mod tls;

pub use state::AppState;

/// Settings of `hwlog serve`.
#[derive(Clone, Debug)]
pub struct ServeOptions {
    /// Where the database lives (`logs.db` inside).
    pub data_dir: PathBuf,
    /// HTTP address.
    pub listen: SocketAddr,
    /// Generate demo traffic.
    pub demo: bool,
    /// The ingest limits, the same on every path.
    pub limits: limits::Limits,
    /// Redact secrets at ingest (default), with these extra sensitive key names.
    pub redact: Option<Vec<String>>,
    /// Origins (`https://grafana.example:3000`) whose pages may call the API besides the
    /// server's own.
    pub allowed_origins: Vec<String>,
    /// syslog over UDP on this address.
    pub syslog_udp: Option<SocketAddr>,
    /// syslog over TCP on this address.
    pub syslog_tcp: Option<SocketAddr>,
    /// API tokens; with none, the API is open (allowed only with `no_auth` or `demo` on a
    /// loopback address).
    pub tokens: Vec<auth::Token>,
    /// Run without tokens (loopback only).
    pub no_auth: bool,
    /// Largest database in MB (507 Insufficient Storage beyond, until retention frees room).
    pub max_db_mb: Option<u64>,
    /// TLS: a PEM certificate chain and its PEM private key (HTTPS and WSS).
    pub tls: Option<(PathBuf, PathBuf)>,
    /// An alert rules file (TOML or YAML, see `hwlog_monitor::load_rules`).
    pub rules: Option<PathBuf>,
    /// A PostgreSQL store shared with other servers (`postgres://user@host:port/db`)
    /// instead of the SQLite file in `data_dir`.
    pub store: Option<String>,
    /// Retention of the store (default: 30 days, checked every minute).
    pub retention: jobs::RetentionJob,
    /// How often the alert rules saved in the store are re-read (rules created on another
    /// server sharing the database).
    pub rules_interval: std::time::Duration,
}

impl Default for ServeOptions {
    fn default() -> Self {
        Self {
            data_dir: PathBuf::from("hwlog-data"),
            listen: SocketAddr::from(([127, 0, 0, 1], 7700)),
            demo: false,
            limits: limits::Limits::default(),
            redact: Some(Vec::new()),
            allowed_origins: Vec::new(),
            syslog_udp: None,
            syslog_tcp: None,
            tokens: Vec::new(),
            no_auth: false,
            max_db_mb: None,
            tls: None,
            rules: None,
            store: None,
            retention: jobs::RetentionJob::default(),
            rules_interval: std::time::Duration::from_secs(5),
        }
    }
}

/// Errors that stop the server from starting.
#[derive(Debug)]
pub struct ServeError {
    kind: ServeErrorKind,
    message: String,
}

/// What kind of [`ServeError`] it is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum ServeErrorKind {
    /// The options or the config file are unusable (a bad store URL, tokens and `--no-auth`
    /// together, no tokens on a public address, …).
    Config,
    /// The store cannot be opened or its data directory created.
    Store,
    /// The alert rules (file or saved) cannot be read.
    Rules,
    /// An address cannot be listened on.
    Listen,
    /// The TLS certificate or key is unusable.
    Tls,
    /// The runtime cannot start.
    Runtime,
}

impl ServeError {
    pub(crate) fn new(kind: ServeErrorKind, message: impl Into<String>) -> ServeError {
        ServeError {
            kind,
            message: message.into(),
        }
    }

    /// What kind of error this is.
    pub fn kind(&self) -> ServeErrorKind {
        self.kind
    }
}

impl std::fmt::Display for ServeError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for ServeError {}

/// Opens the store and builds the router (for tests and embedding).
pub fn app(opts: &ServeOptions) -> Result<(axum::Router, Arc<AppState>), ServeError> {
    let store: Arc<dyn hwlog_store::Store> = match &opts.store {
        Some(url) => {
            if !(url.starts_with("postgres://") || url.starts_with("postgresql://")) {
                return Err(ServeError::new(
                    ServeErrorKind::Config,
                    format!("--store {url:?}: expected postgres://user@host:port/db"),
                ));
            }
            let store = PgStore::connect(url, PgOptions::default()).map_err(|e| {
                ServeError::new(
                    ServeErrorKind::Store,
                    format!("cannot open the PostgreSQL store: {e}"),
                )
            })?;
            Arc::new(store)
        }
        None => {
            create_private_dir(&opts.data_dir).map_err(|e| {
                ServeError::new(
                    ServeErrorKind::Store,
                    format!("cannot create {}: {e}", opts.data_dir.display()),
                )
            })?;
            let db = opts.data_dir.join("logs.db");
            let store = SqliteStore::open(
                &db,
                SqliteOptions {
                    max_size_mb: opts.max_db_mb,
                    ..SqliteOptions::default()
                },
            )
            .map_err(|e| {
                ServeError::new(
                    ServeErrorKind::Store,
                    format!("cannot open {}: {e}", db.display()),
                )
            })?;
            Arc::new(store)
        }
    };
    let state = AppState::new(store, opts.limits.clone());
    *state.max_age.lock().unwrap_or_else(|e| e.into_inner()) = opts.retention.retention.max_age;
    if let Some(keys) = &opts.redact {
        state.set_redactor(Some(hwlog::redact::Redactor::with_extra_keys(keys)));
    }
    jobs::start_shared(&state).map_err(|e| {
        ServeError::new(
            ServeErrorKind::Store,
            format!("cannot start the shared-store jobs: {e}"),
        )
    })?;
    if let Some(path) = &opts.rules {
        let file = hwlog_monitor::load_rules(path)
            .map_err(|e| ServeError::new(ServeErrorKind::Rules, e.to_string()))?;
        for (name, n) in file.channels {
            state.add_notifier(&name, n);
        }
        let mut am = state.alerts();
        for r in file.rules {
            am.add_rule(r).map_err(|e| {
                ServeError::new(ServeErrorKind::Config, format!("{}: {e}", path.display()))
            })?;
        }
    }
    if let Err(e) = jobs::sync_rules(&state) {
        return Err(ServeError::new(
            ServeErrorKind::Rules,
            format!("cannot read the saved alert rules: {e}"),
        ));
    }
    let mut router = http::router(state.clone());
    router = router.layer(axum::middleware::from_fn_with_state(
        Arc::new(origin::Policy::new(
            &opts.allowed_origins,
            opts.tokens.is_empty(),
        )),
        origin::check,
    ));
    if !opts.tokens.is_empty() {
        router = router.layer(axum::middleware::from_fn_with_state(
            Arc::new(opts.tokens.clone()),
            auth::check,
        ));
    }
    Ok((router, state))
}

/// Starts the background jobs (inside a Tokio runtime): retention, and re-reading the alert
/// rules saved in the store.
pub fn start_jobs(state: &Arc<AppState>, opts: &ServeOptions) {
    tokio::spawn(jobs::retention(state.clone(), opts.retention.clone()));
    tokio::spawn(jobs::report_losses(
        state.clone(),
        std::time::Duration::from_secs(10),
    ));
    tokio::spawn(jobs::rules(state.clone(), opts.rules_interval));
}

/// Binds the syslog listeners and starts receiving (inside a Tokio runtime); returns the
/// bound addresses.
pub async fn start_syslog(
    state: Arc<AppState>,
    udp: Option<SocketAddr>,
    tcp: Option<SocketAddr>,
) -> Result<(Option<SocketAddr>, Option<SocketAddr>), ServeError> {
    let mut bound = (None, None);
    if let Some(a) = udp {
        let sock = syslog::bind_udp(a).await.map_err(|e| {
            ServeError::new(
                ServeErrorKind::Listen,
                format!("cannot listen for syslog on udp {a}: {e}"),
            )
        })?;
        bound.0 = sock.local_addr().ok();
        tokio::spawn(syslog::udp(state.clone(), sock));
    }
    if let Some(a) = tcp {
        let l = tokio::net::TcpListener::bind(a).await.map_err(|e| {
            ServeError::new(
                ServeErrorKind::Listen,
                format!("cannot listen for syslog on tcp {a}: {e}"),
            )
        })?;
        bound.1 = l.local_addr().ok();
        tokio::spawn(syslog::tcp(state, l));
    }
    Ok(bound)
}

/// Whether `opts` may run: tokens are required unless the listener is a loopback address
/// and `no_auth` or `demo` is set.
pub fn check_auth(opts: &ServeOptions) -> Result<(), ServeError> {
    let loopback = opts.listen.ip().is_loopback();
    if !opts.tokens.is_empty() && opts.no_auth {
        return Err(ServeError::new(
            ServeErrorKind::Config,
            "--no-auth and API tokens exclude each other",
        ));
    }
    if opts.tokens.is_empty() {
        if !loopback {
            return Err(ServeError::new(
                ServeErrorKind::Config,
                format!(
                    "refusing to listen on {} without API tokens: give --token SECRET:SCOPES (or \
                 HWLOG_TOKENS); --no-auth is only allowed on loopback addresses",
                    opts.listen
                ),
            ));
        }
        if !opts.no_auth && !opts.demo {
            return Err(ServeError::new(
                ServeErrorKind::Config,
                "no API tokens: give --token SECRET:SCOPES (or HWLOG_TOKENS), or --no-auth to \
                 run without authentication on this loopback address",
            ));
        }
    }
    Ok(())
}

/// Runs the server until SIGINT or SIGTERM; then stops accepting, lets requests finish,
/// and returns after the writer committed what was accepted.
pub fn run(opts: ServeOptions) -> Result<(), ServeError> {
    check_auth(&opts)?;
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| {
            ServeError::new(
                ServeErrorKind::Runtime,
                format!("cannot start the runtime: {e}"),
            )
        })?;
    // Outside the runtime: opening a PostgreSQL store blocks.
    let (router, state) = app(&opts)?;
    rt.block_on(async move {
        let listener = tokio::net::TcpListener::bind(opts.listen)
            .await
            .map_err(|e| {
                ServeError::new(
                    ServeErrorKind::Listen,
                    format!("cannot listen on {}: {e}", opts.listen),
                )
            })?;
        let addr = listener
            .local_addr()
            .map_err(|e| ServeError::new(ServeErrorKind::Listen, e.to_string()))?;
        let tls = match &opts.tls {
            Some((cert, key)) => Some(tls::acceptor(cert, key)?),
            None => None,
        };
        let scheme = if tls.is_some() { "https" } else { "http" };
        let data = match &opts.store {
            // Host and database only: the URL may hold a password.
            Some(url) => format!(
                "PostgreSQL at {}",
                url.rsplit_once('@')
                    .map_or("the given address", |(_, rest)| rest)
            ),
            None => format!("data in {}", opts.data_dir.display()),
        };
        println!("hwlog serve: dashboard at {scheme}://{addr}/ ({data})");
        start_jobs(&state, &opts);
        let (udp, tcp) = start_syslog(state.clone(), opts.syslog_udp, opts.syslog_tcp).await?;
        for (proto, a) in [("udp", udp), ("tcp", tcp)] {
            if let Some(a) = a {
                println!("hwlog serve: syslog on {proto} {a}");
            }
        }
        if opts.demo {
            println!("hwlog serve: generating demo traffic from a simulated fleet");
            demo::rules(&state);
            tokio::spawn(demo::run(state.clone()));
        }
        match tls {
            Some(acceptor) => {
                let l = tls::TlsListener::new(listener, acceptor)
                    .map_err(|e| ServeError::new(ServeErrorKind::Tls, e.to_string()))?;
                conn::serve(l, router, &opts.limits, shutdown_signal()).await;
            }
            None => conn::serve(listener, router, &opts.limits, shutdown_signal()).await,
        }
        println!("hwlog serve: stopped");
        Ok(())
    })
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        if let Ok(mut s) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        {
            s.recv().await;
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = term => {},
    }
}

/// Serves `router` on `listener` with the connection limits of `limits` (at most
/// `max_connections` at once, `header_timeout` to send headers) until `shutdown`.
pub async fn serve_on(
    listener: tokio::net::TcpListener,
    router: axum::Router,
    limits: &limits::Limits,
    shutdown: impl std::future::Future,
) {
    conn::serve(listener, router, limits, shutdown).await;
}

/// Creates `dir` (and its parents) readable by its owner only (0700): it holds every log.
pub fn create_private_dir(dir: &std::path::Path) -> std::io::Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::{DirBuilderExt, PermissionsExt};
        if !dir.exists() {
            std::fs::DirBuilder::new()
                .recursive(true)
                .mode(0o700)
                .create(dir)?;
        }
        let meta = std::fs::metadata(dir)?;
        if meta.permissions().mode() & 0o077 != 0 {
            eprintln!(
                "hwlog serve: warning: {} is readable by other users (mode {:o}); every stored \
                 log is readable there",
                dir.display(),
                meta.permissions().mode() & 0o777
            );
        }
        Ok(())
    }
    #[cfg(not(unix))]
    std::fs::create_dir_all(dir)
}
