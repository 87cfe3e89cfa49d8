//! The activity feed: what the platform did (powered on a host, flashed firmware), stored
//! durably and queried newest first. Levels include `SUCCESS`.
//!
//! The feed writes to the store of the active profile's first SQLite route, or to a store set
//! with [`set_store`].
//!
//! ```
//! use hwlog::activity::{activities, log_activity, set_store, ActivityLevel};
//! let dir = tempfile::tempdir().unwrap();
//! let store = hwlog_store::SqliteStore::open(dir.path().join("a.db"), Default::default()).unwrap();
//! set_store(std::sync::Arc::new(store));
//! log_activity("hardware.ipmi", "power_on", "node-7 powered on", ActivityLevel::Success,
//!              serde_json::json!({"bmc": "10.0.0.5"})).unwrap();
//! let feed = activities(Some("hardware.ipmi"), 10).unwrap();
//! assert_eq!(feed[0].action, "power_on");
//! ```
use std::sync::{Arc, Mutex};

use hwlog_store::Store;
pub use hwlog_store::{Activity, ActivityLevel};

static STORE: Mutex<Option<Arc<dyn Store>>> = Mutex::new(None);

/// Uses `store` for the activity feed.
pub fn set_store(store: Arc<dyn Store>) {
    *STORE.lock().unwrap_or_else(|p| p.into_inner()) = Some(store);
}

/// Sets the store only if none is set (used by SQLite routes).
pub(crate) fn offer_store(store: Arc<dyn Store>) {
    let mut g = STORE.lock().unwrap_or_else(|p| p.into_inner());
    if g.is_none() {
        *g = Some(store);
    }
}

fn store() -> Result<Arc<dyn Store>, hwlog_store::Error> {
    STORE
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .clone()
        .ok_or_else(|| hwlog_store::Error::new(hwlog_store::ErrorKind::Io, "no activity store: add a sqlite route to the profile or call hwlog::activity::set_store"))
}

/// Records an activity; returns its id.
pub fn log_activity(
    component: &str,
    action: &str,
    message: &str,
    level: ActivityLevel,
    details: serde_json::Value,
) -> Result<i64, hwlog_store::Error> {
    let mut a = Activity::new(level, component, action, message);
    if !details.is_null() {
        a = a.with_details(details);
    }
    store()?.insert_activity(&a)
}

/// The newest activities, optionally of one component.
pub fn activities(
    component: Option<&str>,
    limit: usize,
) -> Result<Vec<Activity>, hwlog_store::Error> {
    store()?.activities(component, limit)
}
