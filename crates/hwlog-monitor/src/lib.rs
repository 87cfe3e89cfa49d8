//! The monitoring runtime: alerts on the live log stream, analysis of stored logs, collection
//! from other sources. It builds on the logging library (`hwlog`), the pure analysis of
//! `hwlog-analysis` and the decoders of `hwlog-decode`; the server and the library's users
//! share it.
//!
//! - [`AlertManager`]: rules in hwlog's rule language evaluated on every record as it is
//!   logged (attach [`AlertManager::route`] to the pipeline), with suppression, grouping,
//!   escalation and flap damping from [`hwlog_analysis::alerts`], delivery to
//!   [`notify`] channels on a thread of its own, and the history kept in a store;
//! - [`LogAnalyzer`]: error patterns, performance trends and anomalies over a store;
//! - [`LogAggregator`]: files and databases from other services into one store.
//!
//! ```
//! use std::sync::{Arc, Mutex};
//! use std::time::Duration;
//! use hwlog_monitor::{notify::CallbackNotifier, AlertManager};
//! use hwlog::{Level, Record};
//! use hwlog_analysis::alerts::Severity;
//!
//! let am = AlertManager::new();
//! let seen = Arc::new(Mutex::new(Vec::new()));
//! let s = seen.clone();
//! am.add_notifier("log", CallbackNotifier::new(move |n| s.lock().unwrap().push(n.rule.clone())));
//! am.add_rule("ipmi-timeouts", r#"{component} =~ "^hardware\.ipmi" and {message} contains "timeout""#,
//!             Severity::Error, Duration::from_secs(300), None).unwrap();
//! am.observe(&Record::new(Level::Error, "hardware.ipmi", "IPMI timeout on 10.0.0.5"));
//! am.flush();
//! assert_eq!(*seen.lock().unwrap(), ["ipmi-timeouts"]);
//! ```
#![deny(missing_docs)]

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, RwLock};
use std::thread::JoinHandle;
use std::time::Duration;

use crossbeam_channel::{bounded, Receiver, Sender, TrySendError};
use hwlog_analysis::alerts::{
    ActiveAlert, AlertError, AlertEvent, AlertRule, Notification, Severity,
};
use hwlog_core::{Batch, Format, Level, Record, Sink, SinkError, Timestamp};

pub mod notify;
mod rules_file;

#[cfg(feature = "sqlite")]
mod aggregator;
#[cfg(feature = "sqlite")]
mod analyzer;

#[cfg(feature = "sqlite")]
pub use aggregator::{LogAggregator, Processor, Source, SourceFormat, SourceReport};
#[cfg(feature = "sqlite")]
pub use analyzer::LogAnalyzer;

pub use rules_file::{load_rules, parse_rules, RulesFile};

use notify::{LogNotifier, Notifier, ALERT_COMPONENT};

/// Notifications waiting for delivery at most; more are dropped and counted.
const QUEUE: usize = 10_000;

enum Msg {
    Notify(Notification),
    Flush(Sender<()>),
}

/// Counters of the alert runtime.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct AlertStats {
    /// Notifications delivered.
    pub delivered: u64,
    /// Deliveries that failed (after the notifier's retries).
    pub failed: u64,
    /// Notifications dropped because the delivery queue was full.
    pub dropped: u64,
    /// Notifications for a channel without a notifier.
    pub unrouted: u64,
    /// Rule evaluations that failed.
    pub rule_failures: u64,
}

struct Inner {
    state: Mutex<hwlog_analysis::alerts::AlertManager>,
    notifiers: RwLock<HashMap<String, Arc<dyn Notifier>>>,
    tx: Sender<Msg>,
    history: Mutex<Option<Arc<dyn hwlog_store_api::HistoryStore>>>,
    delivered: AtomicU64,
    failed: AtomicU64,
    dropped: AtomicU64,
    unrouted: AtomicU64,
    warned: AtomicBool,
    stop: AtomicBool,
}

/// Where the alert history goes (a store, when the `sqlite` feature is on).
mod hwlog_store_api {
    use hwlog_analysis::alerts::AlertEvent;

    pub trait HistoryStore: Send + Sync {
        fn save(&self, events: &[AlertEvent]) -> Result<(), String>;
    }
}

/// The alert runtime: a handle (cheap to clone) on the rules, their state and the delivery
/// thread. Notifications for channel `log` are logged through hwlog ([`LogNotifier`]) unless
/// another notifier is registered for it; records of that notifier's component are not
/// evaluated.
#[derive(Clone)]
pub struct AlertManager {
    inner: Arc<Inner>,
    _threads: Arc<Threads>,
}

struct Threads {
    inner: Arc<Inner>,
    handles: Mutex<Vec<JoinHandle<()>>>,
}

impl Drop for Threads {
    fn drop(&mut self) {
        self.inner.stop.store(true, Ordering::SeqCst);
        let (tx, rx) = bounded(1);
        let _ = self.inner.tx.send(Msg::Flush(tx));
        let _ = rx.recv_timeout(Duration::from_secs(5));
        for h in self
            .handles
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .drain(..)
        {
            let _ = h.join();
        }
    }
}

fn now_ns() -> i64 {
    Timestamp::now_exact().as_nanos()
}

impl Default for AlertManager {
    fn default() -> Self {
        Self::new()
    }
}

impl AlertManager {
    /// A runtime without rules; starts the delivery thread and a one-second ticker.
    pub fn new() -> Self {
        let (tx, rx) = bounded(QUEUE);
        let inner = Arc::new(Inner {
            state: Mutex::new(hwlog_analysis::alerts::AlertManager::new()),
            notifiers: RwLock::new(HashMap::new()),
            tx,
            history: Mutex::new(None),
            delivered: AtomicU64::new(0),
            failed: AtomicU64::new(0),
            dropped: AtomicU64::new(0),
            unrouted: AtomicU64::new(0),
            warned: AtomicBool::new(false),
            stop: AtomicBool::new(false),
        });
        inner
            .notifiers
            .write()
            .unwrap_or_else(|e| e.into_inner())
            .insert("log".into(), Arc::new(LogNotifier));
        let deliver = {
            let inner = inner.clone();
            std::thread::Builder::new()
                .name("hwlog-alerts".into())
                .spawn(move || deliver_loop(&inner, rx))
                .expect("spawn the alert delivery thread")
        };
        let ticker = {
            let inner = inner.clone();
            std::thread::Builder::new()
                .name("hwlog-alerts-tick".into())
                .spawn(move || {
                    while !inner.stop.load(Ordering::SeqCst) {
                        std::thread::sleep(Duration::from_millis(250));
                        let out = lock(&inner.state).tick(now_ns());
                        dispatch(&inner, out);
                    }
                })
                .expect("spawn the alert ticker")
        };
        let threads = Arc::new(Threads {
            inner: inner.clone(),
            handles: Mutex::new(vec![deliver, ticker]),
        });
        AlertManager {
            inner,
            _threads: threads,
        }
    }

    /// Adds a rule the way the design's API does: name, condition, severity, suppression
    /// time and escalation time; other settings take their defaults.
    pub fn add_rule(
        &self,
        name: &str,
        condition: &str,
        severity: Severity,
        suppression: Duration,
        escalation: Option<Duration>,
    ) -> Result<(), AlertError> {
        self.add_alert_rule(AlertRule {
            suppression: nanos(suppression),
            escalation: escalation.map(nanos),
            ..AlertRule::new(name, condition, severity)
        })
    }

    /// Adds a rule with every setting.
    pub fn add_alert_rule(&self, rule: AlertRule) -> Result<(), AlertError> {
        lock(&self.inner.state).add_rule(rule)
    }

    /// Adds every rule of a rules file (see [`load_rules`]) and registers its channels.
    pub fn add_rules_file(&self, file: RulesFile) -> Result<(), AlertError> {
        for (name, n) in file.channels {
            self.add_notifier_arc(&name, n);
        }
        for r in file.rules {
            self.add_alert_rule(r)?;
        }
        Ok(())
    }

    /// Removes a rule and its alerts.
    pub fn remove_rule(&self, name: &str) -> Result<(), AlertError> {
        lock(&self.inner.state).remove_rule(name)
    }

    /// The rules.
    pub fn rules(&self) -> Vec<AlertRule> {
        lock(&self.inner.state)
            .rules()
            .into_iter()
            .cloned()
            .collect()
    }

    /// Registers (or replaces) the notifier of `channel`.
    pub fn add_notifier(&self, channel: &str, n: impl Notifier + 'static) {
        self.add_notifier_arc(channel, Arc::new(n));
    }

    fn add_notifier_arc(&self, channel: &str, n: Arc<dyn Notifier>) {
        self.inner
            .notifiers
            .write()
            .unwrap_or_else(|e| e.into_inner())
            .insert(channel.to_string(), n);
    }

    /// Keeps the alert history in `store`.
    #[cfg(feature = "sqlite")]
    pub fn with_store(self, store: Arc<dyn hwlog_store::Store>) -> Self {
        *lock(&self.inner.history) = Some(Arc::new(StoreHistory(store)));
        self
    }

    /// Evaluates the rules on `record` now and queues what is due for delivery. Never
    /// blocks on delivery.
    pub fn observe(&self, record: &Record) {
        if record.component.as_str() == ALERT_COMPONENT {
            return;
        }
        let out = lock(&self.inner.state).observe(record, now_ns());
        dispatch(&self.inner, out);
    }

    /// Firing alerts.
    pub fn active(&self) -> Vec<ActiveAlert> {
        lock(&self.inner.state).active()
    }

    /// Acknowledges alert `id` (stops its escalation).
    pub fn acknowledge(&self, id: u64, by: &str) -> Result<(), AlertError> {
        let r = lock(&self.inner.state).acknowledge(id, by, now_ns());
        dispatch(&self.inner, Vec::new());
        r
    }

    /// Resolves alert `id`.
    pub fn resolve(&self, id: u64) -> Result<(), AlertError> {
        let out = lock(&self.inner.state).resolve(id, now_ns())?;
        dispatch(&self.inner, out);
        Ok(())
    }

    /// Waits until every queued notification was delivered (or failed) and the history
    /// was written.
    pub fn flush(&self) {
        let (tx, rx) = bounded(1);
        if self.inner.tx.send(Msg::Flush(tx)).is_ok() {
            let _ = rx.recv_timeout(Duration::from_secs(30));
        }
    }

    /// The runtime's counters.
    pub fn stats(&self) -> AlertStats {
        AlertStats {
            delivered: self.inner.delivered.load(Ordering::Relaxed),
            failed: self.inner.failed.load(Ordering::Relaxed),
            dropped: self.inner.dropped.load(Ordering::Relaxed),
            unrouted: self.inner.unrouted.load(Ordering::Relaxed),
            rule_failures: lock(&self.inner.state).failures(),
        }
    }

    /// A route that evaluates the rules on every record at or above `min_level` (add it with
    /// [`Logger::add_handler`](hwlog::Logger::add_handler) or in a pipeline). It is
    /// non-blocking: the logging thread only enqueues.
    pub fn route(&self, min_level: Level) -> hwlog::pipeline::Route {
        hwlog::pipeline::Route::new(
            "alerts",
            min_level,
            Vec::new(),
            Box::new(NoFormat),
            Arc::new(AlertSink(self.clone())),
        )
        .non_blocking(hwlog::nonblocking::NonBlockingOptions::default())
    }
}

#[cfg(feature = "sqlite")]
struct StoreHistory(Arc<dyn hwlog_store::Store>);

#[cfg(feature = "sqlite")]
impl hwlog_store_api::HistoryStore for StoreHistory {
    fn save(&self, events: &[AlertEvent]) -> Result<(), String> {
        let rows: Vec<hwlog_store::AlertRecord> = events
            .iter()
            .map(|e| hwlog_store::AlertRecord {
                id: 0,
                timestamp: Timestamp::from_nanos(e.at),
                alert_id: e.alert_id,
                rule: e.rule.clone(),
                event: e.event.to_string(),
                detail: e.detail.clone(),
            })
            .collect();
        self.0
            .insert_alert_events(&rows)
            .map(|_| ())
            .map_err(|e| e.to_string())
    }
}

fn nanos(d: Duration) -> i64 {
    i64::try_from(d.as_nanos()).unwrap_or(i64::MAX)
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

/// Queues notifications and saves the pending history events.
fn dispatch(inner: &Inner, out: Vec<Notification>) {
    for n in out {
        match inner.tx.try_send(Msg::Notify(n)) {
            Ok(()) => {}
            Err(TrySendError::Full(_)) | Err(TrySendError::Disconnected(_)) => {
                inner.dropped.fetch_add(1, Ordering::Relaxed);
            }
        }
    }
    let events: Vec<AlertEvent> = lock(&inner.state).drain_events();
    if events.is_empty() {
        return;
    }
    if let Some(h) = lock(&inner.history).as_ref() {
        if let Err(e) = h.save(&events) {
            warn_once(inner, &format!("cannot store the alert history: {e}"));
        }
    }
}

fn warn_once(inner: &Inner, msg: &str) {
    if !inner.warned.swap(true, Ordering::Relaxed) {
        eprintln!("hwlog alerts: {msg} (further failures are only counted)");
    }
}

fn deliver_loop(inner: &Inner, rx: Receiver<Msg>) {
    while let Ok(msg) = rx.recv() {
        match msg {
            Msg::Flush(done) => {
                let _ = done.send(());
                if inner.stop.load(Ordering::SeqCst) {
                    return;
                }
            }
            Msg::Notify(n) => {
                let notifier = inner
                    .notifiers
                    .read()
                    .unwrap_or_else(|e| e.into_inner())
                    .get(&n.channel)
                    .cloned();
                match notifier {
                    None => {
                        inner.unrouted.fetch_add(1, Ordering::Relaxed);
                        warn_once(inner, &format!("no notifier for channel {:?}", n.channel));
                    }
                    Some(nf) => match nf.notify(&n) {
                        Ok(()) => {
                            inner.delivered.fetch_add(1, Ordering::Relaxed);
                        }
                        Err(e) => {
                            inner.failed.fetch_add(1, Ordering::Relaxed);
                            warn_once(inner, &format!("channel {:?}: {e}", n.channel));
                        }
                    },
                }
            }
        }
    }
}

/// Formats nothing: the alert route reads the record itself.
struct NoFormat;

impl Format for NoFormat {
    fn name(&self) -> &str {
        "none"
    }
    fn format(&self, _record: &Record, _out: &mut Vec<u8>) {}
}

struct AlertSink(AlertManager);

impl Sink for AlertSink {
    fn name(&self) -> String {
        "alerts".into()
    }
    fn write(&self, record: &Record, _line: &[u8]) -> Result<(), SinkError> {
        self.0.observe(record);
        Ok(())
    }
    fn write_batch(&self, batch: &Batch) -> Result<(), SinkError> {
        for (r, _) in batch.iter() {
            self.0.observe(r);
        }
        Ok(())
    }
    fn flush(&self) -> Result<(), SinkError> {
        Ok(())
    }
}

/// The README's examples, run as doctests (here, where every crate they use is a dependency).
#[cfg(doctest)]
#[doc = include_str!("../../../README.md")]
pub struct ReadmeDoctests;
