//! The alert manager: matches → alerts → grouped, suppressed, escalated notifications.
use std::collections::{BTreeMap, HashMap, VecDeque};

use hwlog_core::Record;

use super::{
    label, AlertError, AlertEvent, AlertInfo, AlertRule, Notification, NotificationKind, Severity,
};
use crate::rules::{Evaluation, Rule, RuleSet};

type Labels = Vec<(String, String)>;

/// The longest duration a rule may set (366 days, in ns).
const MAX_DURATION: i64 = 366 * 86_400 * 1_000_000_000;

#[derive(Debug)]
struct Alert {
    rule: String,
    group: Labels,
    info: AlertInfo,
    notified_at: Option<i64>,
    due: Option<NotificationKind>,
    acknowledged: Option<String>,
    escalate_from: i64,
}

#[derive(Debug, Default)]
struct Group {
    /// When the next notification may go out (`None`: nothing scheduled).
    flush_at: Option<i64>,
    last_notified: Option<i64>,
}

#[derive(Debug, Default)]
struct Flap {
    changes: VecDeque<i64>,
    flapping: bool,
    /// The last resolved state, to send when it turns stable while resolved.
    last_resolved: Option<AlertInfo>,
}

/// An alert that is firing, as listed by [`AlertManager::active`].
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct ActiveAlert {
    /// Its rule.
    pub rule: String,
    /// Its group labels.
    pub group: Labels,
    /// The alert.
    pub alert: AlertInfo,
    /// Who acknowledged it.
    pub acknowledged_by: Option<String>,
    /// Whether its notifications are held because it flaps.
    pub flapping: bool,
}

/// The alert manager. Every method takes the current time (`now`, ns since the Unix
/// epoch), so tests and replays control the clock; call [`tick`](Self::tick) about once a
/// second for waits, resolution and escalation.
///
/// ```
/// use hwlog_analysis::alerts::{AlertManager, AlertRule, NotificationKind, Severity, SEC};
/// use hwlog_core::{Level, Record};
///
/// let mut am = AlertManager::new();
/// am.add_rule(AlertRule::new("critical", "{level} == \"CRITICAL\"", Severity::Critical)).unwrap();
/// let sent = am.observe(&Record::new(Level::Critical, "bmc", "PSU failed"), 0);
/// assert_eq!(sent.len(), 1);
/// assert_eq!(sent[0].kind, NotificationKind::Firing);
/// // Within the suppression time (5 min by default) the next match is only counted.
/// assert!(am.observe(&Record::new(Level::Critical, "bmc", "PSU failed"), 10 * SEC).is_empty());
/// assert_eq!(am.active()[0].alert.count, 2);
/// ```
#[derive(Default)]
pub struct AlertManager {
    conditions: RuleSet,
    rules: BTreeMap<String, AlertRule>,
    alerts: BTreeMap<u64, Alert>,
    index: HashMap<(String, Labels), u64>,
    groups: HashMap<(String, Labels), Group>,
    flaps: HashMap<(String, Labels), Flap>,
    events: Vec<AlertEvent>,
    next_id: u64,
    failures: u64,
}

impl AlertManager {
    /// No rules.
    pub fn new() -> Self {
        Self {
            next_id: 1,
            ..Self::default()
        }
    }

    /// Adds `rule`. Its condition must parse and its name be new.
    pub fn add_rule(&mut self, rule: AlertRule) -> Result<(), AlertError> {
        if rule.name.is_empty() {
            return Err(AlertError::Invalid("an alert rule needs a name".into()));
        }
        if self.rules.contains_key(&rule.name) {
            return Err(AlertError::Invalid(format!(
                "a rule named {:?} exists",
                rule.name
            )));
        }
        if rule.channels.is_empty() {
            return Err(AlertError::Invalid(format!(
                "rule {:?} has no channel",
                rule.name
            )));
        }
        let negative = [
            rule.suppression,
            rule.group_wait,
            rule.group_interval,
            rule.resolve_after,
            rule.flap_window,
        ]
        .iter()
        .any(|d| *d < 0)
            || rule.escalation.is_some_and(|e| e <= 0)
            || [
                rule.suppression,
                rule.group_wait,
                rule.group_interval,
                rule.resolve_after,
                rule.flap_window,
            ]
            .iter()
            .chain(rule.escalation.as_ref())
            .any(|d| *d > MAX_DURATION);
        if negative {
            return Err(AlertError::Invalid(format!(
                "rule {:?}: durations must be between 0 and 366 days and an escalation time must be positive",
                rule.name
            )));
        }
        let parsed = Rule::parse(&rule.condition).map_err(|error| AlertError::Rule {
            name: rule.name.clone(),
            error,
        })?;
        self.conditions
            .add(&rule.name, parsed)
            .map_err(|e| AlertError::Invalid(e.to_string()))?;
        self.rules.insert(rule.name.clone(), rule);
        Ok(())
    }

    /// Removes a rule and its alerts.
    pub fn remove_rule(&mut self, name: &str) -> Result<(), AlertError> {
        if self.rules.remove(name).is_none() {
            return Err(AlertError::NotFound(format!("no rule named {name:?}")));
        }
        self.conditions.remove(name);
        self.alerts.retain(|_, a| a.rule != name);
        self.index.retain(|k, _| k.0 != name);
        self.groups.retain(|k, _| k.0 != name);
        self.flaps.retain(|k, _| k.0 != name);
        Ok(())
    }

    /// The rules, by name.
    pub fn rules(&self) -> Vec<&AlertRule> {
        self.rules.values().collect()
    }

    /// Evaluations of conditions that failed (the rule was skipped for that record).
    pub fn failures(&self) -> u64 {
        self.failures
    }

    /// The history events since the last call (fired, notified, escalated, acknowledged,
    /// resolved, flapping, stable), to be stored.
    pub fn drain_events(&mut self) -> Vec<AlertEvent> {
        std::mem::take(&mut self.events)
    }

    /// Firing alerts, oldest first.
    pub fn active(&self) -> Vec<ActiveAlert> {
        self.alerts
            .values()
            .map(|a| ActiveAlert {
                rule: a.rule.clone(),
                group: a.group.clone(),
                alert: a.info.clone(),
                acknowledged_by: a.acknowledged.clone(),
                flapping: self
                    .flaps
                    .get(&(a.rule.clone(), a.info.labels.clone()))
                    .is_some_and(|f| f.flapping),
            })
            .collect()
    }

    fn event(&mut self, at: i64, id: u64, rule: &str, event: &'static str, detail: String) {
        self.events.push(AlertEvent {
            at,
            alert_id: id,
            rule: rule.to_string(),
            event,
            detail,
        });
    }

    /// Evaluates the rules on `record` and returns the notifications due now.
    pub fn observe(&mut self, record: &Record, now: i64) -> Vec<Notification> {
        for ev in self.conditions.evaluate(record) {
            match ev {
                Evaluation::Failed(..) => self.failures += 1,
                Evaluation::Matched(name) => self.matched(&name, record, now),
            }
        }
        self.flush(now)
    }

    fn matched(&mut self, name: &str, record: &Record, now: i64) {
        let rule = self.rules[name].clone();
        let labels: Labels = rule
            .dedup_by
            .iter()
            .map(|l| (l.clone(), label(record, l)))
            .collect();
        // Without group_by, each alert is its own group.
        let group: Labels = if rule.group_by.is_empty() {
            labels.clone()
        } else {
            rule.group_by
                .iter()
                .map(|l| (l.clone(), label(record, l)))
                .collect()
        };
        let key = (name.to_string(), labels.clone());
        let mut repeat = false;
        if let Some(&id) = self.index.get(&key) {
            let a = self.alerts.get_mut(&id).expect("indexed alert");
            a.info.count += 1;
            a.info.last_seen = now;
            if let Some(at) = a.notified_at {
                if a.due.is_none() && now - at >= rule.suppression {
                    a.due = Some(NotificationKind::Repeat);
                    repeat = true;
                } else if a.due.is_none() {
                    a.info.suppressed += 1;
                }
            }
        } else {
            let id = self.next_id;
            self.next_id += 1;
            self.alerts.insert(
                id,
                Alert {
                    rule: name.to_string(),
                    group: group.clone(),
                    info: AlertInfo {
                        id,
                        labels: labels.clone(),
                        severity: rule.severity,
                        level: 0,
                        count: 1,
                        suppressed: 0,
                        first_seen: now,
                        last_seen: now,
                        example: record.message.to_string(),
                    },
                    notified_at: None,
                    due: Some(NotificationKind::Firing),
                    acknowledged: None,
                    escalate_from: now,
                },
            );
            self.index.insert(key.clone(), id);
            self.event(
                now,
                id,
                name,
                "fired",
                format!("severity {}", rule.severity),
            );
            self.state_change(&rule, &key, now, id);
        }
        let g = self.groups.entry((name.to_string(), group)).or_default();
        // A repeat is throttled by the suppression time already; new alerts by the group.
        let at = match g.last_notified {
            _ if repeat => now,
            None => now.saturating_add(rule.group_wait),
            Some(last) => last.saturating_add(rule.group_interval).max(now),
        };
        g.flush_at = Some(g.flush_at.map_or(at, |f| f.min(at)));
    }

    /// Records a fire or resolve of the alert `key` for flap detection.
    fn state_change(&mut self, rule: &AlertRule, key: &(String, Labels), now: i64, id: u64) {
        if rule.flap_threshold == 0 {
            return;
        }
        let f = self.flaps.entry(key.clone()).or_default();
        f.changes.push_back(now);
        while f
            .changes
            .front()
            .is_some_and(|&t| t <= now - rule.flap_window)
        {
            f.changes.pop_front();
        }
        if !f.flapping && f.changes.len() >= rule.flap_threshold {
            f.flapping = true;
            let n = f.changes.len();
            self.event(now, id, &rule.name, "flapping", format!("{n} changes"));
        }
    }

    fn flapping(&self, rule: &str, labels: &Labels) -> bool {
        self.flaps
            .get(&(rule.to_string(), labels.clone()))
            .is_some_and(|f| f.flapping)
    }

    /// Sends what is due: group waits and intervals that have passed, resolutions,
    /// escalations and flapping alerts that became stable.
    pub fn tick(&mut self, now: i64) -> Vec<Notification> {
        let mut out = self.resolve_quiet(now);
        out.extend(self.escalate(now));
        out.extend(self.settle_flaps(now));
        out.extend(self.flush(now));
        out
    }

    fn resolve_quiet(&mut self, now: i64) -> Vec<Notification> {
        let quiet: Vec<u64> = self
            .alerts
            .values()
            .filter(|a| now - a.info.last_seen >= self.rules[&a.rule].resolve_after)
            .map(|a| a.info.id)
            .collect();
        let mut out = Vec::new();
        for id in quiet {
            out.extend(self.resolve_one(id, now, "no matches"));
        }
        out
    }

    /// Resolves alert `id` now (from the API); the notification, if it had been notified.
    pub fn resolve(&mut self, id: u64, now: i64) -> Result<Vec<Notification>, AlertError> {
        if !self.alerts.contains_key(&id) {
            return Err(AlertError::NotFound(format!("no firing alert {id}")));
        }
        Ok(self
            .resolve_one(id, now, "resolved by hand")
            .into_iter()
            .collect())
    }

    fn resolve_one(&mut self, id: u64, now: i64, why: &str) -> Option<Notification> {
        let a = self.alerts.remove(&id)?;
        let rule = self.rules[&a.rule].clone();
        let key = (a.rule.clone(), a.info.labels.clone());
        self.index.remove(&key);
        // A group with no firing alert left starts over (group_wait) when one fires again.
        let gk = (a.rule.clone(), a.group.clone());
        if !self
            .alerts
            .values()
            .any(|o| o.rule == gk.0 && o.group == gk.1)
        {
            self.groups.remove(&gk);
        }
        self.event(now, id, &a.rule, "resolved", why.to_string());
        self.state_change(&rule, &key, now, id);
        if let Some(f) = self.flaps.get_mut(&key) {
            f.last_resolved = Some(a.info.clone());
        }
        if a.notified_at.is_none() || self.flapping(&a.rule, &a.info.labels) {
            return None;
        }
        Some(Notification {
            rule: a.rule.clone(),
            kind: NotificationKind::Resolved,
            channel: channel(&rule, a.info.level),
            group: a.group,
            alerts: vec![a.info],
            at: now,
        })
    }

    /// Acknowledges alert `id`: it is no longer escalated.
    pub fn acknowledge(&mut self, id: u64, by: &str, now: i64) -> Result<(), AlertError> {
        let a = self
            .alerts
            .get_mut(&id)
            .ok_or_else(|| AlertError::NotFound(format!("no firing alert {id}")))?;
        a.acknowledged = Some(by.to_string());
        let rule = a.rule.clone();
        self.event(now, id, &rule, "acknowledged", format!("by {by}"));
        Ok(())
    }

    fn escalate(&mut self, now: i64) -> Vec<Notification> {
        let mut out = Vec::new();
        let mut events = Vec::new();
        for a in self.alerts.values_mut() {
            let rule = &self.rules[&a.rule];
            let Some(after) = rule.escalation else {
                continue;
            };
            let can_rise =
                a.info.severity < Severity::Page || a.info.level + 1 < rule.channels.len();
            if a.acknowledged.is_some()
                || a.notified_at.is_none()
                || !can_rise
                || now - a.escalate_from < after
            {
                continue;
            }
            a.info.level += 1;
            a.info.severity = a.info.severity.raised();
            a.escalate_from = now;
            let ch = channel(rule, a.info.level);
            events.push((
                a.info.id,
                a.rule.clone(),
                format!("to {} on {ch}", a.info.severity),
            ));
            out.push(Notification {
                rule: a.rule.clone(),
                kind: NotificationKind::Escalated,
                channel: ch,
                group: a.group.clone(),
                alerts: vec![a.info.clone()],
                at: now,
            });
        }
        for (id, rule, detail) in events {
            self.event(now, id, &rule, "escalated", detail);
        }
        out
    }

    fn settle_flaps(&mut self, now: i64) -> Vec<Notification> {
        let mut stable = Vec::new();
        for (key, f) in &mut self.flaps {
            let window = self.rules.get(&key.0).map_or(0, |r| r.flap_window);
            while f
                .changes
                .front()
                .is_some_and(|&t| t <= now.saturating_sub(window))
            {
                f.changes.pop_front();
            }
            if f.flapping && f.changes.is_empty() {
                f.flapping = false;
                stable.push((key.clone(), f.last_resolved.take()));
            }
        }
        self.flaps
            .retain(|_, f| f.flapping || !f.changes.is_empty());
        let mut out = Vec::new();
        for (key, last) in stable {
            let rule = self.rules[&key.0].clone();
            match self.index.get(&key).copied() {
                Some(id) => {
                    // Firing and stable: announce it with the next flush.
                    self.event(now, id, &key.0, "stable", "firing".into());
                    let a = self.alerts.get_mut(&id).expect("indexed");
                    a.due = Some(NotificationKind::Firing);
                    let g = self
                        .groups
                        .entry((key.0.clone(), a.group.clone()))
                        .or_default();
                    g.flush_at = Some(now);
                }
                None => {
                    if let Some(info) = last {
                        self.event(now, info.id, &key.0, "stable", "resolved".into());
                        out.push(Notification {
                            rule: key.0.clone(),
                            kind: NotificationKind::Resolved,
                            channel: channel(&rule, info.level),
                            group: Vec::new(),
                            alerts: vec![info],
                            at: now,
                        });
                    }
                }
            }
        }
        out
    }

    fn flush(&mut self, now: i64) -> Vec<Notification> {
        let ready: Vec<(String, Labels)> = self
            .groups
            .iter()
            .filter(|(_, g)| g.flush_at.is_some_and(|t| t <= now))
            .map(|(k, _)| k.clone())
            .collect();
        let mut out = Vec::new();
        for gk in ready {
            let rule = self.rules[&gk.0].clone();
            // (kind, channel) → alerts
            let mut batches: BTreeMap<(u8, String), Vec<AlertInfo>> = BTreeMap::new();
            let mut sent = Vec::new();
            for a in self.alerts.values_mut() {
                if a.rule != gk.0 || a.group != gk.1 {
                    continue;
                }
                let Some(kind) = a.due else { continue };
                let flapping = self
                    .flaps
                    .get(&(a.rule.clone(), a.info.labels.clone()))
                    .is_some_and(|f| f.flapping);
                if flapping {
                    continue; // held until stable
                }
                let k = if kind == NotificationKind::Firing {
                    0
                } else {
                    1
                };
                batches
                    .entry((k, channel(&rule, a.info.level)))
                    .or_default()
                    .push(a.info.clone());
                a.due = None;
                a.info.suppressed = 0;
                if kind == NotificationKind::Firing || a.notified_at.is_none() {
                    a.escalate_from = now;
                }
                a.notified_at = Some(now);
                sent.push((a.info.id, channel(&rule, a.info.level)));
            }
            let g = self.groups.get_mut(&gk).expect("ready group");
            g.flush_at = None;
            if batches.is_empty() {
                continue;
            }
            g.last_notified = Some(now);
            for ((k, ch), alerts) in batches {
                out.push(Notification {
                    rule: gk.0.clone(),
                    kind: if k == 0 {
                        NotificationKind::Firing
                    } else {
                        NotificationKind::Repeat
                    },
                    channel: ch,
                    group: gk.1.clone(),
                    alerts,
                    at: now,
                });
            }
            for (id, ch) in sent {
                self.event(now, id, &gk.0, "notified", format!("on {ch}"));
            }
        }
        out
    }
}

fn channel(rule: &AlertRule, level: usize) -> String {
    rule.channels[level.min(rule.channels.len() - 1)].clone()
}
