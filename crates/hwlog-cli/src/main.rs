//! The `hwlog` command-line tool.
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use anyhow::Result;
use clap::{Parser, Subcommand};
use hwlog::config::{Config, Overrides};

mod analyze;
mod analyze_logs;
mod client;
mod svg;

/// A progress bar on standard error for reading `total` bytes of `path`; hidden for inputs
/// under 16 MiB and when standard error is not a terminal.
pub(crate) fn progress(total: u64, path: &std::path::Path) -> indicatif::ProgressBar {
    if total < 16 << 20 {
        return indicatif::ProgressBar::hidden();
    }
    let bar = indicatif::ProgressBar::new(total);
    bar.set_style(
        indicatif::ProgressStyle::with_template(
            "{msg} [{bar:40}] {bytes}/{total_bytes} {bytes_per_sec} eta {eta}",
        )
        .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
    );
    bar.set_message(path.display().to_string());
    bar
}

#[derive(Parser)]
#[command(
    name = "hwlog",
    version,
    about = "Structured logging and log observability"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Work with configuration files.
    Config {
        #[command(subcommand)]
        command: ConfigCommand,
    },
    /// Run the log server: ingest over HTTP, store, live stream, query API, dashboard.
    Serve(ServeArgs),
    /// Send standard input (lines or JSON records) to a server, in batches.
    Send(client::SendArgs),
    /// Query a server's records (newest page, printed oldest first).
    Query(client::QueryArgs),
    /// Follow a server's live stream.
    Tail(client::TailArgs),
    /// Analyse logs: templates, errors, trends, anomalies.
    Analyze {
        #[command(subcommand)]
        command: AnalyzeCommand,
    },
}

#[derive(clap::Args)]
struct ServeArgs {
    /// Settings file (TOML, or YAML for .yaml/.yml); options given here take precedence.
    #[arg(long, value_name = "FILE")]
    config: Option<PathBuf>,
    /// Where the database is kept.
    #[arg(long, default_value = "hwlog-data")]
    data_dir: PathBuf,
    /// HTTP address (loopback only until API tokens exist).
    #[arg(long, default_value = "127.0.0.1:7700")]
    listen: std::net::SocketAddr,
    /// Generate traffic from a simulated hardware-automation fleet.
    #[arg(long)]
    demo: bool,
    /// Largest request body in bytes after decompression (413 beyond).
    #[arg(long, default_value_t = 16 << 20)]
    max_body: usize,
    /// Store records as they come: no redaction of secrets at ingest (it is on by default).
    #[arg(long)]
    no_redact: bool,
    /// A further field name whose values are secrets (repeatable), besides the built-in
    /// ones (`password`, `token`, `api_key`, …).
    #[arg(long, value_name = "KEY")]
    redact_key: Vec<String>,
    /// An origin (`https://grafana.example:3000`) whose web pages may call the API besides
    /// the server's own (repeatable).
    #[arg(long, value_name = "ORIGIN")]
    allow_origin: Vec<String>,
    /// Receive syslog over UDP on this address (e.g. 127.0.0.1:5514).
    #[arg(long, value_name = "ADDR")]
    syslog_udp: Option<std::net::SocketAddr>,
    /// Receive syslog over TCP on this address.
    #[arg(long, value_name = "ADDR")]
    syslog_tcp: Option<std::net::SocketAddr>,
    /// An API token, `SECRET:SCOPES` with scopes ingest, read, admin (repeatable; also
    /// `HWLOG_TOKENS="SECRET:SCOPES;…"`).
    #[arg(long, value_name = "SECRET:SCOPES")]
    token: Vec<String>,
    /// No authentication (loopback addresses only).
    #[arg(long)]
    no_auth: bool,
    /// Largest database in MB; ingest beyond answers 507 until room is freed.
    #[arg(long, value_name = "MB")]
    max_db_mb: Option<u64>,
    /// Store in PostgreSQL (`postgres://user@host:port/db`), shared with other servers,
    /// instead of the SQLite file in the data dir.
    #[arg(long, value_name = "URL")]
    store: Option<String>,
    /// Delete records older than this many days (0: keep them forever).
    #[arg(long, value_name = "DAYS", default_value_t = 30)]
    retention_days: u64,
    /// Keep at most this many records (the oldest are deleted first).
    #[arg(long, value_name = "N")]
    max_rows: Option<u64>,
    /// TLS certificate chain (PEM); with `--tls-key`, the server speaks HTTPS and WSS.
    #[arg(long, value_name = "FILE", requires = "tls_key")]
    tls_cert: Option<PathBuf>,
    /// TLS private key (PEM).
    #[arg(long, value_name = "FILE", requires = "tls_cert")]
    tls_key: Option<PathBuf>,
}

#[derive(Subcommand)]
enum AnalyzeCommand {
    /// Mine message templates from a file with one raw message per line.
    Patterns(analyze::PatternsArgs),
    /// Error patterns: which templates make up the errors.
    Errors(analyze_logs::ErrorsArgs),
    /// Durations per component and operation, and their trend.
    Trends(analyze_logs::TrendsArgs),
    /// Volume and error-rate anomalies, and new patterns.
    Anomalies(analyze_logs::AnomaliesArgs),
}

#[derive(Subcommand)]
enum ConfigCommand {
    /// Validate a TOML or YAML config file and print every error with its location.
    Check {
        /// The file (`.yaml`/`.yml` is read as YAML, anything else as TOML).
        file: PathBuf,
    },
    /// Print the built-in profiles (a TOML file to copy and edit).
    Profiles,
}

fn check(file: &PathBuf) -> Result<ExitCode> {
    let cfg = match Config::from_path(file) {
        Ok(c) => c,
        Err(e) => {
            eprint!("{e}");
            return Ok(ExitCode::FAILURE);
        }
    };
    // Resolve every profile, and the default one with the file's `[overrides]`, so unknown
    // features are caught too.
    let mut failed = false;
    let default = cfg.default_profile().unwrap_or("development").to_string();
    let names: Vec<String> = cfg.profile_names().iter().map(|s| s.to_string()).collect();
    for name in &names {
        let none = Overrides::new();
        let overrides = if *name == default {
            cfg.file_overrides()
        } else {
            &none
        };
        if let Err(e) = cfg.resolve(name, overrides) {
            failed = true;
            eprint!("profile {name}: {e}");
        }
    }
    if failed {
        return Ok(ExitCode::FAILURE);
    }
    println!(
        "{}: ok (profiles: {}; default: {})",
        file.display(),
        names.join(", "),
        cfg.default_profile().unwrap_or("development")
    );
    Ok(ExitCode::SUCCESS)
}

fn main() -> Result<ExitCode> {
    let cli = Cli::parse();
    match cli.command {
        Command::Config { command } => match command {
            ConfigCommand::Check { file } => check(&file),
            ConfigCommand::Profiles => {
                print!("{}", hwlog::config::BUILTIN_PROFILES);
                Ok(ExitCode::SUCCESS)
            }
        },
        Command::Serve(a) => {
            if !a.token.is_empty() {
                eprintln!(
                    "hwlog serve: warning: a token given with --token is readable by every local \
                     user in /proc/PID/cmdline; use HWLOG_TOKENS or the config file's tokens \
                     (\"$VAR:scopes\") instead"
                );
            }
            let mut tokens = Vec::new();
            let from_env = std::env::var("HWLOG_TOKENS").unwrap_or_default();
            let parsed = a
                .token
                .iter()
                .map(|t| hwlog_server::auth::Token::parse(t))
                .collect::<Result<Vec<_>, _>>()
                .and_then(|mut v| {
                    v.extend(hwlog_server::auth::Token::parse_list(&from_env)?);
                    Ok(v)
                });
            match parsed {
                Ok(t) => tokens.extend(t),
                Err(e) => {
                    eprintln!("hwlog serve: {e}");
                    return Ok(ExitCode::FAILURE);
                }
            }
            let mut opts = hwlog_server::ServeOptions {
                tokens,
                no_auth: a.no_auth,
                max_db_mb: a.max_db_mb,
                tls: a.tls_cert.zip(a.tls_key),
                rules: None,
                data_dir: a.data_dir,
                listen: a.listen,
                demo: a.demo,
                limits: {
                    let mut l = hwlog_server::limits::Limits::default();
                    l.max_body = a.max_body;
                    l
                },
                redact: (!a.no_redact).then(|| a.redact_key.clone()),
                allowed_origins: a.allow_origin.clone(),
                syslog_udp: a.syslog_udp,
                syslog_tcp: a.syslog_tcp,
                store: a.store,
                retention: hwlog_server::jobs::RetentionJob {
                    retention: hwlog_store::Retention {
                        max_age: (a.retention_days > 0)
                            .then(|| Duration::from_secs(a.retention_days.saturating_mul(86_400))),
                        max_rows: a.max_rows,
                    },
                    ..Default::default()
                },
                ..Default::default()
            };
            if let Some(path) = &a.config {
                match hwlog_server::config::load(path) {
                    Ok(file) => {
                        // Command-line values that differ from the defaults win.
                        let defaults = hwlog_server::ServeOptions {
                            data_dir: PathBuf::from("hwlog-data"),
                            ..Default::default()
                        };
                        file.apply(&mut opts, &defaults);
                    }
                    Err(e) => {
                        eprintln!("hwlog serve: {e}");
                        return Ok(ExitCode::FAILURE);
                    }
                }
            }
            match hwlog_server::run(opts) {
                Ok(()) => Ok(ExitCode::SUCCESS),
                Err(e) => {
                    eprintln!("hwlog serve: {e}");
                    Ok(ExitCode::FAILURE)
                }
            }
        }
        Command::Send(a) => client::send(&a).map(|ok| {
            if ok {
                ExitCode::SUCCESS
            } else {
                ExitCode::FAILURE
            }
        }),
        Command::Query(a) => client::query(&a).map(|()| ExitCode::SUCCESS),
        Command::Tail(a) => client::tail(&a).map(|()| ExitCode::SUCCESS),
        Command::Analyze { command } => match command {
            AnalyzeCommand::Patterns(a) => analyze::patterns(&a).map(|()| ExitCode::SUCCESS),
            AnalyzeCommand::Errors(a) => analyze_logs::errors(&a).map(|()| ExitCode::SUCCESS),
            AnalyzeCommand::Trends(a) => analyze_logs::trends(&a).map(|()| ExitCode::SUCCESS),
            AnalyzeCommand::Anomalies(a) => analyze_logs::anomalies(&a).map(|()| ExitCode::SUCCESS),
        },
    }
}
