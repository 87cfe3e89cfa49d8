//! The server's shared state: the store, the group-commit writer, the live stream and the
//! counters.
use std::collections::VecDeque;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Instant;

use hwlog_analysis::alerts::{AlertManager, Notification};
use hwlog_core::{Level, Record, Timestamp};
use hwlog_monitor::notify::Notifier;
use hwlog_store::Store;
use tokio::sync::{broadcast, mpsc, oneshot};

use crate::json::record_to_json;

/// Records kept for `?after=SEQ` resumption (and at most
/// [`Limits::ring_bytes`](crate::limits::Limits::ring_bytes) of them).
pub const RING: usize = 10_000;
/// Jobs waiting for the writer at most; beyond, HTTP ingest answers 503 with `Retry-After`.
const QUEUE: usize = 256;
/// Records per commit at most (several requests are committed together).
const GROUP: usize = 10_000;

/// A stored record on the live stream.
pub struct LiveRecord {
    /// Position in the stream (1, 2, …), for resumption.
    pub seq: u64,
    /// For filters.
    pub level: Level,
    /// For filters.
    pub component: String,
    /// For filters.
    pub correlation_id: Option<String>,
    /// For text filters.
    pub message: String,
    /// The record (its JSON is made once, when a client first needs it).
    record: Record,
    /// Bytes it holds, roughly (for the ring's byte bound).
    size: usize,
    json: std::sync::OnceLock<axum::extract::ws::Utf8Bytes>,
}

impl LiveRecord {
    /// The JSON sent to clients (made once, shared by all of them).
    pub fn json(&self) -> axum::extract::ws::Utf8Bytes {
        self.json
            .get_or_init(|| record_to_json(None, Some(self.seq), &self.record).into())
            .clone()
    }
}

/// Why records were not stored.
#[derive(Clone, Debug)]
pub struct StoreFailure {
    /// The disk or the database's size limit is full (answered with 507).
    pub full: bool,
    /// The writer's queue is full: try again shortly (answered with 503 and `Retry-After`).
    pub busy: bool,
    /// What happened.
    pub message: String,
}

impl std::fmt::Display for StoreFailure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

/// Records to store, and where to say they were committed.
pub struct Job {
    records: Vec<Record>,
    done: Option<oneshot::Sender<Result<usize, StoreFailure>>>,
    /// Where detached records came from (their loss is counted there).
    path: Option<usize>,
}

/// Counters for `/metrics`.
#[derive(Default)]
pub struct Counters {
    /// Records accepted (committed).
    pub ingested: AtomicU64,
    /// Records rejected as invalid.
    pub rejected: AtomicU64,
    /// Commits.
    pub commits: AtomicU64,
    /// Time spent committing, in microseconds.
    pub commit_us: AtomicU64,
    /// Failed commits.
    pub commit_errors: AtomicU64,
    /// Records a live client missed because it was too slow.
    pub stream_dropped: AtomicU64,
    /// Live clients connected now.
    pub stream_clients: AtomicU64,
    /// Committed records per level (index = level number).
    pub per_level: [AtomicU64; 6],
    /// Records deleted by retention.
    pub retention_deleted: AtomicU64,
    /// Records other servers sharing the store committed, taken live.
    pub peer_records: AtomicU64,
    /// Failures of the feed from other servers (records may have been missed).
    pub peer_errors: AtomicU64,
    /// Records kept with their message or a value cut to the limits.
    pub truncated: AtomicU64,
    /// Requests answered 503 because the server was busy (writer queue or ingest slots).
    pub busy: AtomicU64,
    /// Records lost after they were received, by path (`syslog_udp`, `syslog_tcp`, `demo`):
    /// refused as invalid or too old, or their commit failed. HTTP clients are told instead.
    pub lost: [AtomicU64; LOST_PATHS.len()],
}

/// The paths whose losses are counted in [`Counters::lost`].
pub const LOST_PATHS: [&str; 3] = ["syslog_udp", "syslog_tcp", "demo"];

/// The ring of the newest records, bounded in count and bytes.
#[derive(Default)]
pub struct Ring {
    /// Oldest first.
    pub records: VecDeque<Arc<LiveRecord>>,
    /// Bytes they hold, roughly.
    pub bytes: usize,
}

/// Everything the handlers share.
pub struct AppState {
    /// The store.
    pub store: Arc<dyn Store>,
    jobs: mpsc::Sender<Job>,
    /// New records, for live clients.
    pub live: broadcast::Sender<Arc<LiveRecord>>,
    /// The last [`RING`] records, for resumption.
    pub ring: Mutex<Ring>,
    /// Counters.
    pub counters: Counters,
    /// When the server started.
    pub started: Instant,
    /// The ingest limits.
    pub limits: crate::limits::Limits,
    /// How long the store keeps records (records older are refused at ingest).
    pub max_age: Mutex<Option<std::time::Duration>>,
    /// Ingest requests in progress at most ([`Limits::ingest_concurrency`](crate::limits::Limits)).
    pub ingest_slots: Arc<tokio::sync::Semaphore>,
    /// The last failed commit's error while writes fail (`/healthz` is then `degraded`).
    pub write_error: Mutex<Option<String>>,
    /// Redacts secrets from every record before it is stored, streamed or evaluated.
    redactor: std::sync::RwLock<Option<Arc<hwlog::redact::Redactor>>>,
    /// Alert rules, evaluated on every committed record.
    alerts: Mutex<AlertManager>,
    /// The last notifications, newest last.
    notifications: Mutex<VecDeque<Notification>>,
    /// Notifiers by channel (from the rules file); `log` is standard output.
    notifiers: Mutex<std::collections::HashMap<String, Arc<dyn Notifier>>>,
    /// Whether this server runs the jobs that must run once (alert rules, retention): always
    /// with a store of its own, while it holds the lead with a shared one.
    pub leader: std::sync::atomic::AtomicBool,
    /// Whether the store is shared with other servers (then the leader publishes its active
    /// alerts in the store, and the others forward acknowledgements to it).
    pub shared: std::sync::atomic::AtomicBool,
    /// Names of the running rules that came from the store (see `jobs::sync_rules`).
    saved_rules: Mutex<std::collections::HashSet<String>>,
    /// To the delivery thread.
    deliveries: std::sync::mpsc::SyncSender<(Arc<dyn Notifier>, Notification)>,
}

/// The store cursor under which the leading server keeps its active alerts (JSON).
pub const ACTIVE_ALERTS: &str = "hwlog.alerts.active";

/// Notifications kept for the API.
const NOTIFICATIONS: usize = 200;

impl AppState {
    /// State over `store`, with its writer thread started.
    pub fn new(store: Arc<dyn Store>, limits: crate::limits::Limits) -> Arc<AppState> {
        let (jobs, rx) = mpsc::channel(QUEUE);
        // Notifications go out on a thread of their own: a slow webhook never holds up
        // ingest. At most 1,000 wait; more are dropped with a notice.
        let (deliveries, pending) =
            std::sync::mpsc::sync_channel::<(Arc<dyn Notifier>, Notification)>(1000);
        std::thread::Builder::new()
            .name("hwlog-server-notify".into())
            .spawn(move || {
                for (notifier, n) in pending {
                    if let Err(e) = notifier.notify(&n) {
                        eprintln!(
                            "hwlog serve: alert {} on {}: {}",
                            oneline(&n.rule),
                            oneline(&n.channel),
                            oneline(&e.to_string())
                        );
                    }
                }
            })
            .expect("spawn the notification thread");
        let (live, _) = broadcast::channel(4096);
        let state = Arc::new(AppState {
            store,
            jobs,
            live,
            ring: Mutex::new(Ring::default()),
            counters: Counters::default(),
            started: Instant::now(),
            ingest_slots: Arc::new(tokio::sync::Semaphore::new(
                limits.ingest_concurrency.max(1),
            )),
            limits,
            max_age: Mutex::new(Some(std::time::Duration::from_secs(30 * 86_400))),
            write_error: Mutex::new(None),
            redactor: std::sync::RwLock::new(None),
            alerts: Mutex::new(AlertManager::new()),
            notifications: Mutex::new(VecDeque::new()),
            notifiers: Mutex::new(std::collections::HashMap::new()),
            saved_rules: Mutex::new(Default::default()),
            leader: std::sync::atomic::AtomicBool::new(true),
            shared: std::sync::atomic::AtomicBool::new(false),
            deliveries,
        });
        let s = state.clone();
        std::thread::Builder::new()
            .name("hwlog-server-writer".into())
            .spawn(move || writer(s, rx))
            .expect("spawn the writer thread");
        // Alert waits, escalations and resolutions, once a second.
        let weak = Arc::downgrade(&state);
        std::thread::Builder::new()
            .name("hwlog-server-alerts".into())
            .spawn(move || {
                let mut published = String::new();
                loop {
                    std::thread::sleep(std::time::Duration::from_secs(1));
                    let Some(s) = weak.upgrade() else { return };
                    let n = s.alerts().tick(Timestamp::now().as_nanos());
                    s.notified(n);
                    s.save_alert_events();
                    if s.shared.load(Ordering::Relaxed) && s.leader.load(Ordering::Relaxed) {
                        s.publish_active(&mut published);
                    }
                }
            })
            .expect("spawn the alert ticker");
        state
    }

    /// With a shared store, the leader keeps its active alerts in the store (cursor
    /// [`ACTIVE_ALERTS`]) for the other servers' `/api/v1/alerts`; written when they change.
    fn publish_active(&self, last: &mut String) {
        let now = serde_json::to_string(&self.alerts().active()).unwrap_or_default();
        if now != *last {
            match self
                .store
                .insert_batch_with_cursor(&[], ACTIVE_ALERTS, &now)
            {
                Ok(_) => *last = now,
                Err(e) => eprintln!("hwlog serve: cannot publish the active alerts: {e}"),
            }
        }
    }

    /// The alert manager.
    pub fn alerts(&self) -> std::sync::MutexGuard<'_, AlertManager> {
        self.alerts.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Names of the running rules that came from the store. Held while the saved rules
    /// change (API, `jobs::sync_rules`), so those changes happen one at a time.
    pub fn saved_rules(&self) -> std::sync::MutexGuard<'_, std::collections::HashSet<String>> {
        self.saved_rules.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Delivers notifications: one line each on standard output, and the last ones kept
    /// for `GET /api/v1/alerts`.
    pub fn notified(&self, ns: Vec<Notification>) {
        if ns.is_empty() {
            return;
        }
        let mut keep = self.notifications.lock().unwrap_or_else(|e| e.into_inner());
        for n in ns {
            let first = n.alerts.first();
            println!(
                "hwlog alert: {:?} {} on {} ({} alert{}): {}",
                n.kind,
                oneline(&n.rule),
                oneline(&n.channel),
                n.alerts.len(),
                if n.alerts.len() == 1 { "" } else { "s" },
                oneline(first.map_or("", |a| a.example.as_str()))
            );
            let notifier = self
                .notifiers
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .get(&n.channel)
                .cloned();
            if let Some(nf) = notifier {
                if self.deliveries.try_send((nf, n.clone())).is_err() {
                    eprintln!(
                        "hwlog serve: notification for {} dropped: delivery queue full",
                        oneline(&n.rule)
                    );
                }
            }
            if keep.len() == NOTIFICATIONS {
                keep.pop_front();
            }
            keep.push_back(n);
        }
    }

    /// Registers the notifier of an alert channel (`log` always prints).
    pub fn add_notifier(&self, channel: &str, n: Arc<dyn Notifier>) {
        self.notifiers
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(channel.to_string(), n);
    }

    /// The kept notifications, oldest first.
    pub fn recent_notifications(&self) -> Vec<Notification> {
        self.notifications
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .iter()
            .cloned()
            .collect()
    }

    /// Stores the alert history events that happened since the last call.
    pub fn save_alert_events(&self) {
        let events = self.alerts().drain_events();
        if events.is_empty() {
            return;
        }
        let rows: Vec<hwlog_store::AlertRecord> = events
            .into_iter()
            .map(|e| hwlog_store::AlertRecord {
                id: 0,
                timestamp: Timestamp::from_nanos(e.at),
                alert_id: e.alert_id,
                rule: e.rule,
                event: e.event.to_string(),
                detail: e.detail,
            })
            .collect();
        if let Err(e) = self.store.insert_alert_events(&rows) {
            eprintln!("hwlog serve: cannot store alert history: {e}");
        }
    }

    /// Redact every record at ingest with `r` (`None`: store records as they come).
    pub fn set_redactor(&self, r: Option<hwlog::redact::Redactor>) {
        *self.redactor.write().unwrap_or_else(|e| e.into_inner()) = r.map(Arc::new);
    }

    /// Redacts `records` in place, if redaction is on.
    pub fn redact(&self, records: &mut [Record]) {
        let r = self
            .redactor
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .clone();
        if let Some(r) = r {
            for rec in records {
                r.redact_record(rec);
            }
        }
    }

    /// The window a record's time must lie in now (see [`crate::limits::Window`]).
    pub fn window(&self) -> crate::limits::Window {
        let max_age = *self.max_age.lock().unwrap_or_else(|e| e.into_inner());
        crate::limits::Window::new(Timestamp::now().as_nanos(), max_age)
    }

    /// Stores `records`; resolves when they are committed (with how many) or failed. When
    /// the writer's queue is full it fails at once with `busy` (the caller answers 503).
    pub async fn store(&self, mut records: Vec<Record>) -> Result<usize, StoreFailure> {
        if records.is_empty() {
            return Ok(0);
        }
        clamp_future(&mut records);
        self.redact(&mut records);
        let failure = |busy: bool, message: &str| StoreFailure {
            full: false,
            busy,
            message: message.into(),
        };
        let (tx, rx) = oneshot::channel();
        let job = Job {
            records,
            done: Some(tx),
            path: None,
        };
        match self.jobs.try_send(job) {
            Ok(()) => {}
            Err(mpsc::error::TrySendError::Full(_)) => {
                self.counters.busy.fetch_add(1, Ordering::Relaxed);
                return Err(failure(true, "the writer's queue is full; retry shortly"));
            }
            Err(mpsc::error::TrySendError::Closed(_)) => {
                return Err(failure(false, "the writer stopped"))
            }
        }
        rx.await.map_err(|_| failure(false, "the writer stopped"))?
    }

    /// Stores `records` without waiting for the commit (syslog, the demo traffic); waits
    /// while the writer's queue is full. Records whose commit fails are counted as lost on
    /// `path` (an index into [`LOST_PATHS`]).
    pub async fn store_detached(&self, mut records: Vec<Record>, path: usize) {
        if records.is_empty() {
            return;
        }
        clamp_future(&mut records);
        self.redact(&mut records);
        let n = records.len() as u64;
        let job = Job {
            records,
            done: None,
            path: Some(path),
        };
        if self.jobs.send(job).await.is_err() {
            self.lose(path, n);
        }
    }

    /// Counts `n` records lost on `path` (reported on stderr by [`AppState::report_losses`]).
    pub fn lose(&self, path: usize, n: u64) {
        self.counters.lost[path].fetch_add(n, Ordering::Relaxed);
    }

    /// Prints one line on stderr for each path that lost records since the last call
    /// (`last` holds the counts seen then).
    pub fn report_losses(&self, last: &mut [u64; LOST_PATHS.len()]) {
        for (i, path) in LOST_PATHS.iter().enumerate() {
            let now = self.counters.lost[i].load(Ordering::Relaxed);
            if now > last[i] {
                eprintln!(
                    "hwlog serve: {} records received on {path} were lost (refused or not \
                     stored; {now} in all, hwlog_lost_records_total)",
                    now - last[i]
                );
                last[i] = now;
            }
        }
    }

    /// The ring's records after `seq`, and how many between `seq` and the ring's start were
    /// already gone.
    pub fn since(&self, seq: u64) -> (Vec<Arc<LiveRecord>>, u64) {
        let ring = self.ring.lock().unwrap_or_else(|e| e.into_inner());
        let first = ring.records.front().map_or(u64::MAX, |r| r.seq);
        let missed = first.saturating_sub(seq + 1).min(u64::MAX / 2);
        let out = ring
            .records
            .iter()
            .filter(|r| r.seq > seq)
            .cloned()
            .collect();
        (out, if first == u64::MAX { 0 } else { missed })
    }
}

/// Records dated more than [`MAX_FUTURE`](crate::limits::MAX_FUTURE) ahead take the time of
/// arrival (a wrong clock, or microseconds read as milliseconds, must not stall the alert
/// windows, which run in record time).
fn clamp_future(records: &mut [Record]) {
    let now = Timestamp::now().as_nanos();
    for r in records {
        if r.timestamp.as_nanos() > now.saturating_add(crate::limits::MAX_FUTURE) {
            r.timestamp = Timestamp::from_nanos(now);
        }
    }
}

/// Committed records go to the alert rules (on the leading server) and to live clients.
pub(crate) fn publish(state: &AppState, all: Vec<Record>) {
    if state.leader.load(Ordering::Relaxed) {
        let now = Timestamp::now().as_nanos();
        let mut notes = Vec::new();
        {
            let mut am = state.alerts();
            for r in &all {
                notes.extend(am.observe(r, now));
            }
        }
        state.notified(notes);
        state.save_alert_events();
    }
    let mut ring = state.ring.lock().unwrap_or_else(|e| e.into_inner());
    let next = ring.records.back().map_or(0, |r| r.seq) + 1;
    for (seq, r) in (next..).zip(all) {
        let size = record_size(&r);
        let live = Arc::new(LiveRecord {
            seq,
            size,
            level: r.level,
            component: r.component.to_string(),
            correlation_id: r.correlation_id.as_deref().map(str::to_string),
            message: r.message.to_string(),
            record: r,
            json: std::sync::OnceLock::new(),
        });
        ring.bytes += size;
        ring.records.push_back(live.clone());
        while ring.records.len() > RING
            || (ring.bytes > state.limits.ring_bytes && ring.records.len() > 1)
        {
            if let Some(old) = ring.records.pop_front() {
                ring.bytes -= old.size;
            }
        }
        let _ = state.live.send(live);
    }
}

/// Commits jobs in groups: everything waiting (up to [`GROUP`] records) goes into one
/// transaction, then every job of the group is answered and its records go live.
fn writer(state: Arc<AppState>, mut rx: mpsc::Receiver<Job>) {
    while let Some(first) = rx.blocking_recv() {
        let mut group = vec![first];
        let mut n = group[0].records.len();
        while n < GROUP {
            match rx.try_recv() {
                Ok(j) => {
                    n += j.records.len();
                    group.push(j);
                }
                Err(_) => break,
            }
        }
        // Move the records out of their jobs; keep who waits for how many.
        let mut all: Vec<Record> = Vec::with_capacity(n);
        let mut waiting = Vec::with_capacity(group.len());
        for j in group {
            waiting.push((j.records.len(), j.done, j.path));
            all.extend(j.records);
        }
        let t = Instant::now();
        let res = state.store.insert_batch(&all);
        let c = &state.counters;
        c.commit_us
            .fetch_add(t.elapsed().as_micros() as u64, Ordering::Relaxed);
        c.commits.fetch_add(1, Ordering::Relaxed);
        match res {
            Ok(_) => {
                *state.write_error.lock().unwrap_or_else(|e| e.into_inner()) = None;
                c.ingested.fetch_add(all.len() as u64, Ordering::Relaxed);
                for r in &all {
                    c.per_level[(r.level as usize).min(5)].fetch_add(1, Ordering::Relaxed);
                }
                for (k, done, _) in waiting {
                    if let Some(d) = done {
                        let _ = d.send(Ok(k));
                    }
                }
                publish(&state, all);
            }
            Err(e) => {
                c.commit_errors.fetch_add(1, Ordering::Relaxed);
                let failure = StoreFailure {
                    full: e.kind() == hwlog_store::ErrorKind::Full,
                    busy: false,
                    message: format!("storing failed: {e}"),
                };
                *state.write_error.lock().unwrap_or_else(|e| e.into_inner()) =
                    Some(failure.message.clone());
                for (k, done, path) in waiting {
                    if let Some(d) = done {
                        let _ = d.send(Err(failure.clone()));
                    } else if let Some(p) = path {
                        state.lose(p, k as u64);
                    }
                }
            }
        }
    }
}

/// Bytes a record holds, roughly: its text and a fixed cost per record and field.
fn record_size(r: &Record) -> usize {
    let mut n = 256 + r.message.len() + r.component.len();
    for (k, v) in &r.fields {
        n += 48
            + k.len()
            + match v {
                hwlog_core::Value::Str(s) => s.len(),
                hwlog_core::Value::Bytes(b) => b.len(),
                _ => 0,
            };
    }
    n + r.error.as_ref().map_or(0, String::len)
}

/// `s` with newlines, terminal escapes and other control characters escaped: a line the
/// server prints stays one line whatever a sender put in a record.
pub fn oneline(s: &str) -> String {
    let mut out = Vec::with_capacity(s.len());
    hwlog::format::escape_line(s, &mut out);
    String::from_utf8(out).unwrap_or_default()
}
