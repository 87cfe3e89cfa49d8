//! Background jobs of a server: retention, the alert rules kept in the store (created
//! through the API), loaded at start and kept in step with the store, and with a store
//! shared by several servers, the feed of their records and the claim to lead.
use std::collections::HashSet;
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::Duration;

use hwlog_analysis::alerts::AlertRule;
use hwlog_store::Retention;

use crate::state::AppState;

/// How a server keeps its store bounded.
#[derive(Clone, Debug)]
pub struct RetentionJob {
    /// What to delete (`max_age` and/or `max_rows`; both `None`: keep everything).
    pub retention: Retention,
    /// Time between runs (the first run comes one interval after the start).
    pub interval: Duration,
}

impl Default for RetentionJob {
    /// 30 days, checked every minute.
    fn default() -> Self {
        RetentionJob {
            retention: Retention {
                max_age: Some(Duration::from_secs(30 * 86_400)),
                max_rows: None,
            },
            interval: Duration::from_secs(60),
        }
    }
}

/// Runs retention forever (inside a Tokio runtime); a failing run is reported and retried
/// at the next interval.
pub async fn retention(state: Arc<AppState>, job: RetentionJob) {
    if job.retention.max_age.is_none() && job.retention.max_rows.is_none() {
        return;
    }
    let mut tick = tokio::time::interval(job.interval.max(Duration::from_millis(10)));
    tick.tick().await;
    loop {
        tick.tick().await;
        if !state.leader.load(Ordering::Relaxed) {
            continue;
        }
        let (s, r) = (state.clone(), job.retention);
        match tokio::task::spawn_blocking(move || s.store.apply_retention(&r)).await {
            Ok(Ok(report)) => {
                state
                    .counters
                    .retention_deleted
                    .fetch_add(report.deleted, Ordering::Relaxed);
            }
            Ok(Err(e)) => eprintln!("hwlog serve: retention failed: {e}"),
            Err(e) => eprintln!("hwlog serve: retention failed: {e}"),
        }
    }
}

/// Brings the alert manager in step with the rules saved in the store: adds the saved
/// rules it does not run yet, removes the ones it got from the store that were deleted
/// there. Rules from a rules file or the demo are left alone. Returns the names added and
/// removed; a saved rule that no longer parses is reported and skipped.
pub fn sync_rules(state: &AppState) -> Result<(Vec<String>, Vec<String>), hwlog_store::Error> {
    let mut known = state.saved_rules();
    let saved = state.store.rules()?;
    let mut am = state.alerts();
    let mut added = Vec::new();
    let mut removed = Vec::new();
    let names: HashSet<&str> = saved.iter().map(|r| r.name.as_str()).collect();
    for gone in known.iter().filter(|n| !names.contains(n.as_str())) {
        if am.remove_rule(gone).is_ok() {
            removed.push(gone.clone());
        }
    }
    known.retain(|n| names.contains(n.as_str()));
    for r in &saved {
        if known.contains(&r.name) || am.rules().iter().any(|x| x.name == r.name) {
            continue;
        }
        let rule = match serde_json::from_str::<AlertRule>(&r.definition) {
            Ok(rule) => rule,
            Err(e) => {
                eprintln!(
                    "hwlog serve: saved alert rule {:?} is unreadable: {e}",
                    r.name
                );
                continue;
            }
        };
        match am.add_rule(rule) {
            Ok(()) => {
                known.insert(r.name.clone());
                added.push(r.name.clone());
            }
            Err(e) => eprintln!("hwlog serve: saved alert rule {:?}: {e}", r.name),
        }
    }
    Ok((added, removed))
}

/// Re-reads the saved rules every `interval` (so rules created on another server sharing
/// the database run here too).
pub async fn rules(state: Arc<AppState>, interval: Duration) {
    let mut tick = tokio::time::interval(interval.max(Duration::from_millis(10)));
    // The first tick is now; the server read the rules as it started.
    tick.tick().await;
    loop {
        tick.tick().await;
        let s = state.clone();
        match tokio::task::spawn_blocking(move || sync_rules(&s)).await {
            Ok(Ok(_)) => {}
            Ok(Err(e)) => eprintln!("hwlog serve: cannot read the saved alert rules: {e}"),
            Err(e) => eprintln!("hwlog serve: cannot read the saved alert rules: {e}"),
        }
    }
}

/// With a store shared by several servers: a thread that takes the records the others
/// commit to this server's live clients (and, on the leader, its alert rules), and one that
/// keeps claiming the lead once a second. Both stop when the server state is dropped.
pub fn start_shared(state: &Arc<AppState>) -> Result<(), hwlog_store::Error> {
    if let Some(mut lead) = state.store.leadership()? {
        state.leader.store(lead.is_leader(), Ordering::Relaxed);
        let weak = Arc::downgrade(state);
        std::thread::Builder::new()
            .name("hwlog-server-lead".into())
            .spawn(move || loop {
                std::thread::sleep(Duration::from_secs(1));
                let Some(s) = weak.upgrade() else { return };
                let now = lead.is_leader();
                if s.leader.swap(now, Ordering::Relaxed) != now {
                    eprintln!(
                        "hwlog serve: {} the lead (alert notifications, retention)",
                        if now { "took" } else { "lost" }
                    );
                }
            })
            .map_err(hwlog_store::Error::from)?;
    }
    if let Some(mut feed) = state.store.subscribe()? {
        state.shared.store(true, Ordering::Relaxed);
        let weak = Arc::downgrade(state);
        std::thread::Builder::new()
            .name("hwlog-server-feed".into())
            .spawn(move || loop {
                let res = feed.next(Duration::from_millis(500));
                let Some(s) = weak.upgrade() else { return };
                match res {
                    Ok(f) => {
                        if !f.records.is_empty() {
                            s.counters
                                .peer_records
                                .fetch_add(f.records.len() as u64, Ordering::Relaxed);
                            let recs = f.records.into_iter().map(|r| r.record).collect();
                            crate::state::publish(&s, recs);
                        }
                        for m in f.messages {
                            command(&s, &m);
                        }
                    }
                    Err(e) => {
                        s.counters.peer_errors.fetch_add(1, Ordering::Relaxed);
                        eprintln!("hwlog serve: live feed from other servers: {e}");
                        drop(s);
                        std::thread::sleep(Duration::from_secs(1));
                    }
                }
            })
            .map_err(hwlog_store::Error::from)?;
    }
    Ok(())
}

/// Applies an alert command another server forwarded (`ack ID BY…`, `resolve ID`), if this
/// server leads.
fn command(state: &AppState, message: &str) {
    if !state.leader.load(Ordering::Relaxed) {
        return;
    }
    let mut parts = message.splitn(3, ' ');
    let (verb, id) = (
        parts.next(),
        parts.next().and_then(|i| i.parse::<u64>().ok()),
    );
    let now = hwlog_core::Timestamp::now().as_nanos();
    let res = match (verb, id) {
        (Some("ack"), Some(id)) => {
            let by = parts.next().unwrap_or("api");
            state.alerts().acknowledge(id, by, now).map(|()| Vec::new())
        }
        (Some("resolve"), Some(id)) => state.alerts().resolve(id, now),
        _ => return,
    };
    match res {
        Ok(notes) => {
            state.notified(notes);
            state.save_alert_events();
        }
        Err(e) => eprintln!("hwlog serve: forwarded {message:?}: {e}"),
    }
}

/// Reports records lost on the paths without replies (syslog, demo) on stderr, at most once
/// per `interval` and only when there were new losses.
pub async fn report_losses(state: Arc<AppState>, interval: Duration) {
    let mut last = [0u64; crate::state::LOST_PATHS.len()];
    loop {
        tokio::time::sleep(interval).await;
        state.report_losses(&mut last);
    }
}
