//! The alert history: one row per change of an alert (fired, notified, escalated,
//! acknowledged, resolved, flapping, stable), written by the alert runtime.
use hwlog_core::Timestamp;

/// One alert history entry.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AlertRecord {
    /// Row id (ignored on insert).
    pub id: i64,
    /// When it happened (UTC).
    pub timestamp: Timestamp,
    /// The alert.
    pub alert_id: u64,
    /// The alert's rule.
    pub rule: String,
    /// What happened: `fired`, `notified`, `escalated`, `acknowledged`, `resolved`, ….
    pub event: String,
    /// Details.
    pub detail: String,
}

/// An alert rule kept in the store (created through a server's API), so it survives restarts
/// and every server on the same database runs it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StoredRule {
    /// The rule's unique name.
    pub name: String,
    /// The rule, as the caller serialised it (the server stores JSON).
    pub definition: String,
    /// When it was last saved (UTC).
    pub updated: Timestamp,
}
