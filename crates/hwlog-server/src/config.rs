//! `hwlog serve --config FILE`: the server's settings in TOML or YAML (`.yaml`/`.yml`),
//! every error listed at once with its line and column. Command-line options given as well
//! take precedence.
//!
//! ```toml
//! data_dir = "/var/lib/hwlog"
//! listen = "0.0.0.0:7700"
//! syslog_udp = "0.0.0.0:5514"
//! syslog_tcp = "0.0.0.0:5514"
//! max_body_mb = 16
//! max_db_mb = 20000
//! tls_cert = "/etc/hwlog/cert.pem"
//! tls_key = "/etc/hwlog/key.pem"
//! tokens = ["$HWLOG_INGEST_TOKEN:ingest", "s3cret-reader-token-0001:read"]
//! rules = "/etc/hwlog/alerts.toml"   # alert rules (see hwlog_monitor::load_rules)
//! store = "postgres://hwlog@db.internal:5432/hwlog"   # shared by several servers
//! retention_days = 30                  # 0 keeps records forever
//! max_rows = 50000000                  # keep at most this many records
//! redact = true                        # secrets redacted at ingest (the default)
//! redact_keys = ["pin_code", "X-Tenant-Sig"]   # more field names whose values are secrets
//! allowed_origins = ["https://grafana.example:3000"]  # pages that may call the API
//!
//! [limits]                             # the same on every ingest path; defaults shown
//! max_records = 10000                  # per request (413 beyond)
//! max_message_bytes = 65536            # longer messages are cut
//! max_value_bytes = 16384              # longer field values are cut
//! max_fields = 256                     # per record (refused beyond)
//! max_key_bytes = 256
//! max_depth = 16                       # nesting of JSON/OTLP values
//! max_record_bytes = 262144            # message, keys and values together
//! max_errors = 100                     # listed per reply (all are counted)
//! ingest_concurrency = 32              # requests at once; more wait for a slot
//! ingest_wait_s = 5                    # ... this long, then 503 + Retry-After
//! max_connections = 1024               # per listener (HTTP, syslog TCP)
//! header_timeout_s = 10                # to send a request's headers; idle keep-alive
//! idle_timeout_s = 120                 # a silent syslog TCP connection is closed
//! ring_bytes = 67108864                # the live stream's resumption ring
//! ```
//!
//! A token written `$NAME:SCOPES` takes its secret from the environment variable `NAME`.
use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use hwlog::config::tree::{parse_toml, parse_yaml, Loc, Node, Val};

use crate::auth::Token;
use crate::ServeOptions;

/// What a config file sets (each `None` leaves the default or the command line).
#[derive(Clone, Debug, Default)]
pub struct FileSettings {
    /// `data_dir`.
    pub data_dir: Option<PathBuf>,
    /// `listen`.
    pub listen: Option<SocketAddr>,
    /// `syslog_udp`.
    pub syslog_udp: Option<SocketAddr>,
    /// `syslog_tcp`.
    pub syslog_tcp: Option<SocketAddr>,
    /// `max_body_mb`, in bytes.
    pub max_body: Option<usize>,
    /// `max_db_mb`.
    pub max_db_mb: Option<u64>,
    /// `tls_cert` and `tls_key`.
    pub tls: Option<(PathBuf, PathBuf)>,
    /// `tokens`.
    pub tokens: Vec<Token>,
    /// `rules`: an alert rules file.
    pub rules: Option<PathBuf>,
    /// `store`: a PostgreSQL URL.
    pub store: Option<String>,
    /// `retention_days` (0: keep records forever).
    pub retention_days: Option<u64>,
    /// `max_rows`: keep at most this many records.
    pub max_rows: Option<u64>,
    /// `redact`.
    pub redact: Option<bool>,
    /// `redact_keys`.
    pub redact_keys: Vec<String>,
    /// `allowed_origins`.
    pub allowed_origins: Vec<String>,
    /// `[limits]`: `(name, value)` as given.
    pub limits: Vec<(String, u64)>,
}

/// Sets the limit `name` (a key of the `[limits]` table) to `v`; `false` for an unknown name.
fn set_limit(l: &mut crate::limits::Limits, name: &str, v: u64) -> bool {
    let n = usize::try_from(v).unwrap_or(usize::MAX);
    match name {
        "max_records" => l.max_records = n,
        "max_message_bytes" => l.max_message = n,
        "max_value_bytes" => l.max_value = n,
        "max_fields" => l.max_fields = n,
        "max_key_bytes" => l.max_key = n,
        "max_depth" => l.max_depth = n,
        "max_record_bytes" => l.max_record = n,
        "max_errors" => l.max_errors = n,
        "ingest_concurrency" => l.ingest_concurrency = n,
        "ingest_wait_s" => l.ingest_wait = std::time::Duration::from_secs(v),
        "max_connections" => l.max_connections = n,
        "header_timeout_s" => l.header_timeout = std::time::Duration::from_secs(v),
        "idle_timeout_s" => l.idle_timeout = std::time::Duration::from_secs(v),
        "ring_bytes" => l.ring_bytes = n,
        _ => return false,
    }
    true
}

/// The names `[limits]` takes.
const LIMITS: &str = "max_records, max_message_bytes, max_value_bytes, max_fields, \
    max_key_bytes, max_depth, max_record_bytes, max_errors, ingest_concurrency, ingest_wait_s, \
    max_connections, header_timeout_s, idle_timeout_s, ring_bytes";

impl FileSettings {
    /// Applies the settings to `opts` where the command line left the default.
    pub fn apply(self, opts: &mut ServeOptions, defaults: &ServeOptions) {
        if let Some(d) = self.data_dir.filter(|_| opts.data_dir == defaults.data_dir) {
            opts.data_dir = d;
        }
        if let Some(l) = self.listen.filter(|_| opts.listen == defaults.listen) {
            opts.listen = l;
        }
        opts.syslog_udp = opts.syslog_udp.or(self.syslog_udp);
        opts.syslog_tcp = opts.syslog_tcp.or(self.syslog_tcp);
        if let Some(b) = self
            .max_body
            .filter(|_| opts.limits.max_body == defaults.limits.max_body)
        {
            opts.limits.max_body = b;
        }
        opts.max_db_mb = opts.max_db_mb.or(self.max_db_mb);
        if opts.tls.is_none() {
            opts.tls = self.tls;
        }
        opts.tokens.extend(self.tokens);
        if opts.rules.is_none() {
            opts.rules = self.rules;
        }
        if opts.store.is_none() {
            opts.store = self.store;
        }
        let r = &mut opts.retention.retention;
        if let Some(d) = self
            .retention_days
            .filter(|_| r.max_age == defaults.retention.retention.max_age)
        {
            r.max_age = (d > 0).then(|| std::time::Duration::from_secs(d.saturating_mul(86_400)));
        }
        r.max_rows = r.max_rows.or(self.max_rows);
        if self.redact == Some(false) && opts.redact == defaults.redact {
            opts.redact = None;
        }
        if let Some(keys) = &mut opts.redact {
            keys.extend(self.redact_keys);
        }
        opts.allowed_origins.extend(self.allowed_origins);
        for (k, v) in self.limits {
            set_limit(&mut opts.limits, &k, v);
        }
    }
}

/// Reads a config file; all problems are returned together, one per line, each with
/// `file:line:col`.
pub fn load(path: &Path) -> Result<FileSettings, crate::ServeError> {
    load_text(path).map_err(|m| crate::ServeError::new(crate::ServeErrorKind::Config, m))
}

fn load_text(path: &Path) -> Result<FileSettings, String> {
    let name = path.display().to_string();
    let text = std::fs::read_to_string(path).map_err(|e| format!("{name}: {e}"))?;
    let yaml = matches!(
        path.extension().and_then(|e| e.to_str()),
        Some("yaml" | "yml")
    );
    let root = if yaml {
        parse_yaml(&text, &name)
    } else {
        parse_toml(&text, &name)
    }
    .map_err(|(loc, msg)| format!("{loc}: {msg}"))?;
    let Val::Map(entries) = &root.val else {
        return Err(format!("{}: expected a table of settings", root.loc));
    };
    let mut errors: Vec<String> = Vec::new();
    let mut s = FileSettings::default();
    let mut err = |loc: &Loc, key: &str, msg: String| errors.push(format!("{loc}: {key}: {msg}"));
    let text_of = |n: &Node| match &n.val {
        Val::Str(s) => Some(s.clone()),
        _ => None,
    };
    let (mut cert, mut key) = (None, None);
    for (k, n) in entries {
        let want_text = |err: &mut dyn FnMut(&Loc, &str, String)| {
            let t = text_of(n);
            if t.is_none() {
                err(&n.loc, k, format!("expected text, found {}", n.kind()));
            }
            t
        };
        let addr = |err: &mut dyn FnMut(&Loc, &str, String)| {
            want_text(err).and_then(|t| match t.parse::<SocketAddr>() {
                Ok(a) => Some(a),
                Err(_) => {
                    err(
                        &n.loc,
                        k,
                        format!("{t:?} is not an address such as 127.0.0.1:7700"),
                    );
                    None
                }
            })
        };
        let mb = |err: &mut dyn FnMut(&Loc, &str, String)| match n.val {
            Val::Int(i) if i >= 1 => Some(i as u64),
            _ => {
                err(&n.loc, k, "expected a whole number of MB ≥ 1".into());
                None
            }
        };
        match k.as_str() {
            "data_dir" => s.data_dir = want_text(&mut err).map(PathBuf::from),
            "listen" => s.listen = addr(&mut err),
            "syslog_udp" => s.syslog_udp = addr(&mut err),
            "syslog_tcp" => s.syslog_tcp = addr(&mut err),
            "max_body_mb" => s.max_body = mb(&mut err).map(|m| (m as usize) << 20),
            "max_db_mb" => s.max_db_mb = mb(&mut err),
            "tls_cert" => cert = want_text(&mut err).map(PathBuf::from),
            "tls_key" => key = want_text(&mut err).map(PathBuf::from),
            "rules" => s.rules = want_text(&mut err).map(PathBuf::from),
            "store" => s.store = want_text(&mut err),
            "retention_days" | "max_rows" => match n.val {
                Val::Int(i) if i >= 0 => {
                    let slot = if k == "max_rows" {
                        &mut s.max_rows
                    } else {
                        &mut s.retention_days
                    };
                    *slot = Some(i as u64);
                }
                _ => err(&n.loc, k, "expected a whole number ≥ 0".into()),
            },
            "redact" => match n.val {
                Val::Bool(b) => s.redact = Some(b),
                _ => err(&n.loc, k, "expected true or false".into()),
            },
            "redact_keys" | "allowed_origins" => match &n.val {
                Val::Seq(items) => {
                    for item in items {
                        match text_of(item) {
                            Some(t) if k == "redact_keys" => s.redact_keys.push(t),
                            Some(t) => s.allowed_origins.push(t),
                            None => err(&item.loc, k, "expected text".into()),
                        }
                    }
                }
                _ => err(&n.loc, k, format!("expected a list, found {}", n.kind())),
            },
            "limits" => match &n.val {
                Val::Map(items) => {
                    let mut probe = crate::limits::Limits::default();
                    for (name, v) in items {
                        match v.val {
                            Val::Int(i) if i >= 1 => {
                                if set_limit(&mut probe, name, i as u64) {
                                    s.limits.push((name.clone(), i as u64));
                                } else {
                                    err(
                                        &v.loc,
                                        &format!("limits.{name}"),
                                        format!("unknown limit (expected {LIMITS})"),
                                    );
                                }
                            }
                            _ => err(
                                &v.loc,
                                &format!("limits.{name}"),
                                "expected a whole number ≥ 1".into(),
                            ),
                        }
                    }
                }
                _ => err(&n.loc, k, format!("expected a table, found {}", n.kind())),
            },
            "tokens" => match &n.val {
                Val::Seq(items) => {
                    for item in items {
                        let Some(spec) = text_of(item) else {
                            err(&item.loc, k, "expected \"SECRET:SCOPES\"".into());
                            continue;
                        };
                        let spec = match spec.strip_prefix('$') {
                            Some(rest) => {
                                let (var, scopes) = rest.split_once(':').unwrap_or((rest, ""));
                                match std::env::var(var) {
                                    Ok(secret) => format!("{secret}:{scopes}"),
                                    Err(_) => {
                                        err(
                                            &item.loc,
                                            k,
                                            format!("environment variable {var} is not set"),
                                        );
                                        continue;
                                    }
                                }
                            }
                            None => spec,
                        };
                        match Token::parse(&spec) {
                            Ok(t) => s.tokens.push(t),
                            Err(e) => err(&item.loc, k, e.to_string()),
                        }
                    }
                }
                _ => err(&n.loc, k, format!("expected a list, found {}", n.kind())),
            },
            other => err(
                &n.loc,
                other,
                "unknown setting (expected data_dir, listen, syslog_udp, syslog_tcp, max_body_mb, \
                 max_db_mb, tls_cert, tls_key, tokens, rules, store, retention_days, max_rows, \
                 redact, redact_keys, allowed_origins, limits)"
                    .into(),
            ),
        }
    }
    match (cert, key) {
        (Some(c), Some(k)) => s.tls = Some((c, k)),
        (None, None) => {}
        _ => errors.push(format!("{name}: tls_cert and tls_key go together")),
    }
    if errors.is_empty() {
        Ok(s)
    } else {
        Err(errors.join("\n"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn retention_settings() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("s.toml");
        std::fs::write(&path, "retention_days = 7\nmax_rows = 1000\n").unwrap();
        let defaults = ServeOptions::default();
        let mut opts = ServeOptions::default();
        load(&path).unwrap().apply(&mut opts, &defaults);
        let r = &opts.retention.retention;
        assert_eq!(r.max_age, Some(Duration::from_secs(7 * 86_400)));
        assert_eq!(r.max_rows, Some(1000));

        std::fs::write(&path, "retention_days = 0\n").unwrap();
        let mut opts = ServeOptions::default();
        load(&path).unwrap().apply(&mut opts, &defaults);
        assert_eq!(opts.retention.retention.max_age, None);

        std::fs::write(
            &path,
            "redact = false\nredact_keys = [\"pin\"]\nallowed_origins = [\"https://g.example\"]\n\
             [limits]\nmax_records = 50\nheader_timeout_s = 3\n",
        )
        .unwrap();
        let mut opts = ServeOptions::default();
        load(&path).unwrap().apply(&mut opts, &defaults);
        assert_eq!(opts.redact, None);
        assert_eq!(opts.allowed_origins, ["https://g.example"]);
        assert_eq!(opts.limits.max_records, 50);
        assert_eq!(opts.limits.header_timeout, Duration::from_secs(3));
        std::fs::write(&path, "[limits]\nmax_recods = 5\nmax_fields = 0\n").unwrap();
        let err = load(&path).unwrap_err().to_string();
        assert!(err.contains("limits.max_recods: unknown limit"), "{err}");
        assert!(
            err.contains("limits.max_fields: expected a whole number"),
            "{err}"
        );

        std::fs::write(&path, "retention_days = -1\nmax_rows = \"many\"\n").unwrap();
        let err = load(&path).unwrap_err().to_string();
        assert!(
            err.contains("s.toml:1:") && err.contains("retention_days"),
            "{err}"
        );
        assert!(
            err.contains("s.toml:2:") && err.contains("max_rows"),
            "{err}"
        );
    }
}
