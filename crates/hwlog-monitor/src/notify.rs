//! Where notifications go: the log, a callback, a webhook, Prometheus Alertmanager.
use std::fmt::Write as _;
use std::sync::Arc;

use hwlog_analysis::alerts::{Notification, NotificationKind};

/// Delivers notifications. Runs on the alert manager's delivery thread, never on a
/// logging thread, so it may block (HTTP with retries).
pub trait Notifier: Send + Sync {
    /// Delivers `n`; an error is counted and reported once on stderr, and the notification
    /// is not retried beyond what the notifier does itself.
    fn notify(&self, n: &Notification) -> Result<(), NotifyError>;
}

/// A notification that was not delivered.
///
/// ```
/// use hwlog_monitor::notify::{NotifyError, NotifyErrorKind};
/// let e = NotifyError::new(NotifyErrorKind::Other, "queue closed");
/// assert_eq!(e.kind(), NotifyErrorKind::Other);
/// assert_eq!(e.to_string(), "queue closed");
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NotifyError {
    kind: NotifyErrorKind,
    message: String,
}

/// What kind of [`NotifyError`] it is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum NotifyErrorKind {
    /// The receiver answered with this HTTP status (not 2xx), after every retry.
    Status(u16),
    /// The receiver could not be reached (connection, TLS, timeout), after every retry.
    Transport,
    /// The notification could not be encoded.
    Encode,
    /// Anything else (a callback or custom notifier's own failure).
    Other,
}

impl NotifyError {
    /// An error of `kind` with a message.
    pub fn new(kind: NotifyErrorKind, message: impl Into<String>) -> NotifyError {
        NotifyError {
            kind,
            message: message.into(),
        }
    }

    /// What kind of error this is.
    pub fn kind(&self) -> NotifyErrorKind {
        self.kind
    }
}

impl std::fmt::Display for NotifyError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for NotifyError {}

/// One line per notification, as text.
pub fn describe(n: &Notification) -> String {
    let mut s = format!(
        "[{}] {} ({} alert{})",
        match n.kind {
            NotificationKind::Firing => "FIRING",
            NotificationKind::Repeat => "REPEAT",
            NotificationKind::Escalated => "ESCALATED",
            NotificationKind::Resolved => "RESOLVED",
        },
        n.rule,
        n.alerts.len(),
        if n.alerts.len() == 1 { "" } else { "s" }
    );
    for (k, v) in &n.group {
        let _ = write!(s, " {k}={v}");
    }
    for a in &n.alerts {
        let _ = write!(
            s,
            "; #{} {} count={} suppressed={}: {}",
            a.id, a.severity, a.count, a.suppressed, a.example
        );
    }
    s
}

/// The component of records written by [`LogNotifier`]; the alert route ignores it, so an
/// alert never feeds the rules it came from.
pub const ALERT_COMPONENT: &str = "hwlog.alerts";

/// Logs each notification through hwlog (component [`ALERT_COMPONENT`]): firing, repeats and
/// escalations at the alert's severity (info → INFO, warning → WARNING, error → ERROR,
/// critical and page → CRITICAL), resolutions at INFO; fields `rule`, `kind`, `alert_ids`.
/// The default notifier of channel `log`.
#[derive(Debug, Default, Clone, Copy)]
pub struct LogNotifier;

impl Notifier for LogNotifier {
    fn notify(&self, n: &Notification) -> Result<(), NotifyError> {
        use hwlog_analysis::alerts::Severity;
        let worst = n
            .alerts
            .iter()
            .map(|a| a.severity)
            .max()
            .unwrap_or(Severity::Info);
        let level = match (n.kind, worst) {
            (NotificationKind::Resolved, _) | (_, Severity::Info) => hwlog_core::Level::Info,
            (_, Severity::Warning) => hwlog_core::Level::Warning,
            (_, Severity::Error) => hwlog_core::Level::Error,
            _ => hwlog_core::Level::Critical,
        };
        let ids: Vec<String> = n.alerts.iter().map(|a| a.id.to_string()).collect();
        hwlog::get_logger(ALERT_COMPONENT)
            .at(level)
            .field("rule", n.rule.clone())
            .field("kind", format!("{:?}", n.kind).to_lowercase())
            .field("alert_ids", ids.join(","))
            .log(describe(n));
        Ok(())
    }
}

/// Writes notifications to standard error (not through hwlog).
#[derive(Debug, Default, Clone, Copy)]
pub struct StderrNotifier;

impl Notifier for StderrNotifier {
    fn notify(&self, n: &Notification) -> Result<(), NotifyError> {
        eprintln!("hwlog alert: {}", describe(n));
        Ok(())
    }
}

/// Calls a function with each notification (for library users).
#[derive(Clone)]
pub struct CallbackNotifier(pub Arc<dyn Fn(&Notification) + Send + Sync>);

impl CallbackNotifier {
    /// A notifier that calls `f`.
    pub fn new(f: impl Fn(&Notification) + Send + Sync + 'static) -> Self {
        Self(Arc::new(f))
    }
}

impl Notifier for CallbackNotifier {
    fn notify(&self, n: &Notification) -> Result<(), NotifyError> {
        (self.0)(n);
        Ok(())
    }
}

#[cfg(feature = "http-notifiers")]
pub use http::{AlertmanagerNotifier, WebhookNotifier};

#[cfg(feature = "http-notifiers")]
mod http {
    use std::time::Duration;

    use hwlog_analysis::alerts::{Notification, NotificationKind};
    use serde_json::{json, Value};

    use super::{Notifier, NotifyError, NotifyErrorKind};

    /// Retries with exponential backoff.
    #[derive(Clone, Debug)]
    struct Retry {
        attempts: u32,
        first_backoff: Duration,
    }

    fn post(agent: &ureq::Agent, url: &str, body: &str, retry: &Retry) -> Result<(), NotifyError> {
        let mut wait = retry.first_backoff;
        let mut last = String::new();
        let mut kind = NotifyErrorKind::Transport;
        for attempt in 1..=retry.attempts.max(1) {
            match agent
                .post(url)
                .header("content-type", "application/json")
                .send(body.as_bytes())
            {
                Ok(resp) if resp.status().is_success() => return Ok(()),
                Ok(resp) => {
                    kind = NotifyErrorKind::Status(resp.status().as_u16());
                    last = format!("HTTP {}", resp.status().as_u16());
                }
                Err(e) => {
                    kind = NotifyErrorKind::Transport;
                    last = e.to_string();
                }
            }
            if attempt < retry.attempts {
                std::thread::sleep(wait);
                wait = wait.saturating_mul(2);
            }
        }
        Err(NotifyError::new(
            kind,
            format!(
                "POST {url} failed after {} attempts: {last}",
                retry.attempts.max(1)
            ),
        ))
    }

    fn agent(timeout: Duration) -> ureq::Agent {
        hwlog::http::agent(timeout, None).expect("the system roots need no file")
    }

    /// POSTs each notification as JSON to a URL, retrying with exponential backoff.
    ///
    /// The body is the notification: `{"rule", "kind", "channel", "group", "alerts": [{"id",
    /// "labels", "severity", "level", "count", "suppressed", "first_seen", "last_seen",
    /// "example"}], "at"}` (times in ns since the Unix epoch).
    pub struct WebhookNotifier {
        url: String,
        agent: ureq::Agent,
        retry: Retry,
    }

    impl WebhookNotifier {
        /// A webhook to `url` (`http://…` or `https://…`): 4 attempts, 200 ms, 400 ms, 800 ms apart, 5 s
        /// timeout each.
        pub fn new(url: &str) -> Self {
            Self::with_retry(url, 4, Duration::from_millis(200))
        }

        /// Trusts only the CA(s) in the PEM file `ca` for `https://` (a private CA).
        pub fn with_ca(mut self, ca: &std::path::Path) -> Result<Self, hwlog::http::HttpError> {
            self.agent = hwlog::http::agent(Duration::from_secs(5), Some(ca))?;
            Ok(self)
        }

        /// Custom attempts and first backoff.
        pub fn with_retry(url: &str, attempts: u32, first_backoff: Duration) -> Self {
            Self {
                url: url.to_string(),
                agent: agent(Duration::from_secs(5)),
                retry: Retry {
                    attempts,
                    first_backoff,
                },
            }
        }
    }

    impl Notifier for WebhookNotifier {
        fn notify(&self, n: &Notification) -> Result<(), NotifyError> {
            let body = serde_json::to_string(n)
                .map_err(|e| NotifyError::new(NotifyErrorKind::Encode, e.to_string()))?;
            post(&self.agent, &self.url, &body, &self.retry)
        }
    }

    /// Sends alerts to Prometheus Alertmanager's v2 API (`POST {base}/api/v2/alerts`).
    ///
    /// Each alert becomes `{"labels": {"alertname": RULE, "severity": …, "rule_channel": …,
    /// group and dedup labels}, "annotations": {"summary": example, "count": …,
    /// "suppressed": …}, "startsAt": …, "endsAt": … (resolved only)}`.
    pub struct AlertmanagerNotifier {
        url: String,
        agent: ureq::Agent,
        retry: Retry,
    }

    impl AlertmanagerNotifier {
        /// Trusts only the CA(s) in the PEM file `ca` for `https://` (a private CA).
        pub fn with_ca(mut self, ca: &std::path::Path) -> Result<Self, hwlog::http::HttpError> {
            self.agent = hwlog::http::agent(Duration::from_secs(5), Some(ca))?;
            Ok(self)
        }

        /// An Alertmanager at `base` (`http://127.0.0.1:9093` or `https://…`).
        pub fn new(base: &str) -> Self {
            Self {
                url: format!("{}/api/v2/alerts", base.trim_end_matches('/')),
                agent: agent(Duration::from_secs(5)),
                retry: Retry {
                    attempts: 4,
                    first_backoff: Duration::from_millis(200),
                },
            }
        }
    }

    fn rfc3339(ns: i64) -> String {
        hwlog_core::Timestamp::from_nanos(ns).to_rfc3339_micros()
    }

    /// The v2 API's alert list for a notification.
    pub(crate) fn alertmanager_body(n: &Notification) -> Value {
        let alerts: Vec<Value> = n
            .alerts
            .iter()
            .map(|a| {
                let mut labels = serde_json::Map::new();
                labels.insert("alertname".into(), json!(n.rule));
                labels.insert("severity".into(), json!(a.severity.as_str()));
                for (k, v) in n.group.iter().chain(&a.labels) {
                    // Alertmanager label names: [a-zA-Z_][a-zA-Z0-9_]*
                    let name: String = k
                        .chars()
                        .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
                        .collect();
                    labels.insert(name, json!(v));
                }
                let mut alert = json!({
                    "labels": labels,
                    "annotations": {
                        "summary": a.example,
                        "count": a.count.to_string(),
                        "suppressed": a.suppressed.to_string(),
                        "escalation_level": a.level.to_string(),
                    },
                    "startsAt": rfc3339(a.first_seen),
                    "generatorURL": "",
                });
                if n.kind == NotificationKind::Resolved {
                    alert["endsAt"] = json!(rfc3339(n.at));
                }
                alert
            })
            .collect();
        Value::Array(alerts)
    }

    impl Notifier for AlertmanagerNotifier {
        fn notify(&self, n: &Notification) -> Result<(), NotifyError> {
            let body = alertmanager_body(n).to_string();
            post(&self.agent, &self.url, &body, &self.retry)
        }
    }
}
