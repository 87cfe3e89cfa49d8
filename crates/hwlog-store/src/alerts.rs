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
