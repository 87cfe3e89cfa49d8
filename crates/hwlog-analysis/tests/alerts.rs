//! The alert manager with an injected clock: suppression, grouping, escalation, flap
//! damping, acknowledgement and resolution.
use hwlog_analysis::alerts::{
    AlertError, AlertManager, AlertRule, Notification, NotificationKind as K, Severity, SEC,
};
use hwlog_core::{Level, Record};

fn err(comp: &str, msg: &str, corr: &str) -> Record {
    let mut r = Record::new(Level::Error, comp.to_string(), msg.to_string());
    if !corr.is_empty() {
        r.correlation_id = Some(corr.to_string().into());
    }
    r
}

fn kinds(n: &[Notification]) -> Vec<(K, String, usize)> {
    n.iter()
        .map(|n| (n.kind, n.channel.clone(), n.alerts.len()))
        .collect()
}

#[test]
fn suppression_counts_repeats_per_dedup_key() {
    let mut am = AlertManager::new();
    am.add_rule(AlertRule {
        dedup_by: vec!["correlation_id".into()],
        suppression: 60 * SEC,
        ..AlertRule::new(
            "timeouts",
            r#"{message} contains "timeout""#,
            Severity::Error,
        )
    })
    .unwrap();
    let first = am.observe(&err("ipmi", "timeout on 10.0.0.1", "req-1"), 0);
    assert_eq!(kinds(&first), [(K::Firing, "log".into(), 1)]);
    assert_eq!(
        first[0].alerts[0].labels,
        [("correlation_id".into(), "req-1".into())]
    );
    // Same request within the minute: suppressed and counted.
    for t in [10, 20, 30] {
        assert!(am
            .observe(&err("ipmi", "timeout on 10.0.0.1", "req-1"), t * SEC)
            .is_empty());
    }
    // Another request is another alert, notified at once.
    let other = am.observe(&err("ipmi", "timeout on 10.0.0.2", "req-2"), 31 * SEC);
    assert_eq!(other.len(), 1);
    assert_eq!(other[0].alerts[0].labels[0].1, "req-2");
    // Non-matching records change nothing.
    assert!(am
        .observe(&err("ipmi", "all good", "req-1"), 40 * SEC)
        .is_empty());
    // After the suppression time the next match repeats, carrying the suppressed count.
    let rep = am.observe(&err("ipmi", "timeout on 10.0.0.1", "req-1"), 61 * SEC);
    assert_eq!(kinds(&rep), [(K::Repeat, "log".into(), 1)]);
    assert_eq!(rep[0].alerts[0].suppressed, 3);
    assert_eq!(rep[0].alerts[0].count, 5);
    assert_eq!(rep[0].alerts[0].example, "timeout on 10.0.0.1");
    let active = am.active();
    assert_eq!(active.len(), 2);
    assert_eq!(active[0].alert.suppressed, 0);
}

#[test]
fn grouping_waits_then_sends_together_and_keeps_the_interval() {
    let mut am = AlertManager::new();
    am.add_rule(AlertRule {
        dedup_by: vec!["fields.host".into()],
        group_by: vec!["component".into()],
        group_wait: 30 * SEC,
        group_interval: 120 * SEC,
        ..AlertRule::new(
            "down",
            r#"{message} contains "unreachable""#,
            Severity::Critical,
        )
    })
    .unwrap();
    let rec = |host: &str, comp: &str| {
        err(comp, "BMC unreachable", "").with_field("host", host.to_string())
    };
    assert!(am.observe(&rec("bmc-1", "ipmi"), 0).is_empty());
    assert!(am.observe(&rec("bmc-2", "ipmi"), 10 * SEC).is_empty());
    assert!(am.observe(&rec("bmc-9", "redfish"), 20 * SEC).is_empty());
    assert!(am.tick(29 * SEC).is_empty());
    // ipmi's group_wait is over at 30 s: both ipmi hosts in one notification.
    let n = am.tick(30 * SEC);
    assert_eq!(kinds(&n), [(K::Firing, "log".into(), 2)]);
    assert_eq!(n[0].group, [("component".into(), "ipmi".into())]);
    let hosts: Vec<&str> = n[0].alerts.iter().map(|a| a.labels[0].1.as_str()).collect();
    assert_eq!(hosts, ["bmc-1", "bmc-2"]);
    // redfish waits from its own first alert (20 s + 30 s).
    assert!(am.tick(49 * SEC).is_empty());
    let n = am.tick(50 * SEC);
    assert_eq!(n[0].group, [("component".into(), "redfish".into())]);
    // A new ipmi host joins after the group was notified: it goes out group_interval
    // after the group's last notification (30 + 120 s), not at once.
    assert!(am.observe(&rec("bmc-3", "ipmi"), 40 * SEC).is_empty());
    assert!(am.tick(149 * SEC).is_empty());
    let n = am.tick(150 * SEC);
    assert_eq!(kinds(&n), [(K::Firing, "log".into(), 1)]);
    assert_eq!(n[0].alerts[0].labels[0].1, "bmc-3");
}

#[test]
fn escalation_raises_severity_and_moves_to_the_next_channel_until_acknowledged() {
    let mut am = AlertManager::new();
    am.add_rule(AlertRule {
        escalation: Some(600 * SEC),
        resolve_after: 86_400 * SEC,
        channels: vec!["log".into(), "webhook".into(), "alertmanager".into()],
        ..AlertRule::new("psu", r#"{message} contains "PSU""#, Severity::Warning)
    })
    .unwrap();
    let n = am.observe(&err("bmc", "PSU 1 failed", ""), 0);
    assert_eq!(kinds(&n), [(K::Firing, "log".into(), 1)]);
    assert!(am.tick(599 * SEC).is_empty());
    let n = am.tick(600 * SEC);
    assert_eq!(kinds(&n), [(K::Escalated, "webhook".into(), 1)]);
    assert_eq!(n[0].alerts[0].severity, Severity::Error);
    assert_eq!(n[0].alerts[0].level, 1);
    let n = am.tick(1200 * SEC);
    assert_eq!(kinds(&n), [(K::Escalated, "alertmanager".into(), 1)]);
    assert_eq!(n[0].alerts[0].severity, Severity::Critical);
    // Acknowledged: no more escalation.
    let id = am.active()[0].alert.id;
    am.acknowledge(id, "oncall@example.org", 1300 * SEC)
        .unwrap();
    assert!(am.tick(1800 * SEC).is_empty());
    assert!(am.tick(3000 * SEC).is_empty());
    assert_eq!(
        am.active()[0].acknowledged_by.as_deref(),
        Some("oncall@example.org")
    );
    assert_eq!(
        am.acknowledge(999, "x", 0),
        Err(AlertError::NotFound("no firing alert 999".into()))
    );
    let events: Vec<&str> = am.drain_events().iter().map(|e| e.event).collect();
    assert_eq!(
        events,
        [
            "fired",
            "notified",
            "escalated",
            "escalated",
            "acknowledged"
        ]
    );
}

#[test]
fn resolution_after_quiet_time_and_by_hand() {
    let mut am = AlertManager::new();
    am.add_rule(AlertRule {
        resolve_after: 300 * SEC,
        // Four changes in ten minutes would count as flapping (tested below): off here.
        flap_threshold: 0,
        ..AlertRule::new("e", r#"{level} >= "ERROR""#, Severity::Error)
    })
    .unwrap();
    am.observe(&err("c", "boom", ""), 0);
    am.observe(&err("c", "boom", ""), 100 * SEC);
    assert!(am.tick(399 * SEC).is_empty());
    let n = am.tick(400 * SEC);
    assert_eq!(kinds(&n), [(K::Resolved, "log".into(), 1)]);
    assert_eq!(n[0].alerts[0].count, 2);
    assert!(am.active().is_empty());
    // Fires again as a new alert.
    let n = am.observe(&err("c", "boom", ""), 500 * SEC);
    assert_eq!(n[0].kind, K::Firing);
    let id = n[0].alerts[0].id;
    assert_eq!(id, 2);
    let n = am.resolve(id, 510 * SEC).unwrap();
    assert_eq!(kinds(&n), [(K::Resolved, "log".into(), 1)]);
    assert!(am.resolve(id, 520 * SEC).is_err());
}

#[test]
fn flapping_alerts_are_held_until_stable() {
    let mut am = AlertManager::new();
    am.add_rule(AlertRule {
        resolve_after: 60 * SEC,
        suppression: 0,
        flap_window: 600 * SEC,
        flap_threshold: 4,
        ..AlertRule::new(
            "flappy",
            r#"{message} contains "link down""#,
            Severity::Warning,
        )
    })
    .unwrap();
    let mut sent = Vec::new();
    let mut t = 0;
    // Fire, resolve, fire, resolve (4 changes in 10 min → flapping), fire again.
    for _ in 0..3 {
        sent.extend(am.observe(&err("net", "link down", ""), t * SEC));
        t += 61;
        sent.extend(am.tick(t * SEC));
        t += 10;
    }
    let k: Vec<K> = sent.iter().map(|n| n.kind).collect();
    // Firing and resolved are sent until the fourth change; the third fire and its
    // resolution are held.
    assert_eq!(k, [K::Firing, K::Resolved, K::Firing]);
    assert!(am.drain_events().iter().any(|e| e.event == "flapping"));
    // Firing again while flapping: held.
    assert!(am.observe(&err("net", "link down", ""), t * SEC).is_empty());
    assert!(am.active()[0].flapping);
    // Keep matching (no change) until the window has no changes left: then stable, and
    // the current state (firing) is sent once.
    let mut n = Vec::new();
    while n.is_empty() && t < 2000 {
        t += 30;
        am.observe(&err("net", "link down", ""), t * SEC);
        n = am.tick(t * SEC);
    }
    assert_eq!(kinds(&n), [(K::Firing, "log".into(), 1)]);
    assert!(!am.active()[0].flapping);
    assert!(am.drain_events().iter().any(|e| e.event == "stable"));
}

#[test]
fn bad_rules_are_refused_and_failing_rules_do_not_stop_others() {
    let mut am = AlertManager::new();
    let e = am
        .add_rule(AlertRule::new(
            "bad",
            r#"{level} = "ERROR""#,
            Severity::Error,
        ))
        .unwrap_err();
    assert_eq!(
        e.to_string(),
        "rule \"bad\": column 9: `=` is not an operator: use `==`"
    );
    assert!(am
        .add_rule(AlertRule {
            channels: vec![],
            ..AlertRule::new("x", "{level}", Severity::Info)
        })
        .is_err());
    assert!(am
        .add_rule(AlertRule {
            escalation: Some(0),
            ..AlertRule::new("x", "{level}", Severity::Info)
        })
        .is_err());
    am.add_rule(AlertRule::new(
        "broken",
        "{fields.host} > 3",
        Severity::Info,
    ))
    .unwrap();
    am.add_rule(AlertRule::new(
        "fine",
        r#"{level} == "ERROR""#,
        Severity::Info,
    ))
    .unwrap();
    assert!(am
        .add_rule(AlertRule::new("fine", "{level}", Severity::Info))
        .is_err());
    let n = am.observe(&err("c", "x", "").with_field("host", "bmc-1"), 0);
    assert_eq!(n.len(), 1);
    assert_eq!(n[0].rule, "fine");
    assert_eq!(am.failures(), 1);
    am.remove_rule("fine").unwrap();
    assert!(am.active().is_empty());
    assert_eq!(am.rules().len(), 1);
}

#[test]
fn windowed_rule_fires_on_the_record_that_crosses_the_threshold() {
    let mut am = AlertManager::new();
    am.add_rule(AlertRule::new(
        "burst",
        r#"count({level} >= "ERROR") > 2 within 1m"#,
        Severity::Critical,
    ))
    .unwrap();
    let mut fired_at = None;
    for i in 0..5 {
        let mut r = err("c", "x", "");
        r.timestamp = hwlog_core::Timestamp::from_nanos(i * 10 * SEC);
        if !am.observe(&r, i * 10 * SEC).is_empty() && fired_at.is_none() {
            fired_at = Some(i);
        }
    }
    assert_eq!(fired_at, Some(2));
}

/// A rule sent as JSON (the server's rules API) reads severities and durations as rules files
/// and the library do: the shared tables, case by case.
#[test]
fn json_rules_read_the_shared_severity_and_duration_tables() {
    for &(name, want) in hwlog_core::SEVERITY_CASES {
        let body =
            serde_json::json!({"name": "r", "condition": "{level} == \"ERROR\"", "severity": name});
        let got = serde_json::from_value::<AlertRule>(body)
            .ok()
            .map(|r| r.severity);
        assert_eq!(got, want, "severity {name:?}");
    }
    for &(text, want) in hwlog_core::units::DURATION_CASES {
        for key in [
            "suppression",
            "group_wait",
            "group_interval",
            "resolve_after",
            "flap_window",
            "escalation",
        ] {
            let body =
                serde_json::json!({"name": "r", "condition": "{level} == \"ERROR\"", key: text});
            let got = serde_json::from_value::<AlertRule>(body).ok().map(|r| {
                let v = serde_json::to_value(&r).unwrap();
                v[key].as_i64().unwrap() as u64
            });
            assert_eq!(got, want, "{key}: {text:?}");
        }
    }
    // Integers stay nanoseconds; `null` is no escalation.
    let r: AlertRule = serde_json::from_value(serde_json::json!({
        "name": "r", "condition": "{level} == \"ERROR\"", "suppression": 5, "escalation": null
    }))
    .unwrap();
    assert_eq!((r.suppression, r.escalation), (5, None));
    let e = serde_json::from_value::<AlertRule>(serde_json::json!({"suppression": "5 fortnights"}))
        .unwrap_err()
        .to_string();
    assert!(e.contains("invalid duration \"5 fortnights\""), "{e}");
}
