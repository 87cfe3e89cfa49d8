//! Integrations that capture existing logging calls unchanged: a `tracing` [`Layer`](HwlogLayer)
//! and a `log` bridge. `setup_logging` installs both process-wide where no other subscriber or
//! logger is installed yet; with your own `tracing` subscriber, add [`layer()`] to it.
mod log_bridge;
mod tracing_layer;

pub use log_bridge::LogBridge;
pub use tracing_layer::{layer, HwlogLayer};

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::OnceLock;

use hwlog_core::Level;

static TRACING: AtomicBool = AtomicBool::new(false);
static INSTALLED: OnceLock<()> = OnceLock::new();

/// Installs the `tracing` subscriber and the `log` logger once per process.
pub(crate) fn install_global() {
    INSTALLED.get_or_init(|| {
        use tracing_subscriber::layer::SubscriberExt;
        let sub = tracing_subscriber::registry().with(HwlogLayer::new());
        let ok =
            tracing_core::dispatcher::set_global_default(tracing_core::Dispatch::new(sub)).is_ok();
        TRACING.store(ok, Ordering::Relaxed);
        let ok = log::set_boxed_logger(Box::new(LogBridge)).is_ok();
        crate::internal::set_log_bridged(ok);
        crate::internal::levels_changed(crate::dispatch::min_level());
    });
}

/// Whether `tracing` events and `log` records of this process reach hwlog (false where
/// another subscriber or logger was installed first).
pub fn captured() -> (bool, bool) {
    (
        TRACING.load(Ordering::Relaxed),
        crate::internal::log_bridged(),
    )
}

/// `log::Level` → hwlog level.
pub fn from_log_level(l: log::Level) -> Level {
    match l {
        log::Level::Trace => Level::Trace,
        log::Level::Debug => Level::Debug,
        log::Level::Info => Level::Info,
        log::Level::Warn => Level::Warning,
        log::Level::Error => Level::Error,
    }
}

/// `tracing::Level` → hwlog level.
pub fn from_tracing_level(l: &tracing_core::Level) -> Level {
    match *l {
        tracing_core::Level::TRACE => Level::Trace,
        tracing_core::Level::DEBUG => Level::Debug,
        tracing_core::Level::INFO => Level::Info,
        tracing_core::Level::WARN => Level::Warning,
        _ => Level::Error,
    }
}

/// Rust target `a::b::c` → component `a.b.c`, cached per thread.
pub(crate) fn component_of(target: &'static str) -> hwlog_core::SharedStr {
    use std::cell::RefCell;
    use std::collections::HashMap;
    if !target.contains("::") {
        return target.into();
    }
    thread_local! {
        static CACHE: RefCell<HashMap<usize, hwlog_core::SharedStr>> = RefCell::new(HashMap::new());
    }
    let key = target.as_ptr() as usize ^ (target.len() << 48);
    CACHE
        .try_with(|c| {
            let mut c = c.borrow_mut();
            if c.len() > 4096 {
                c.clear();
            }
            c.entry(key)
                .or_insert_with(|| target.replace("::", ".").into())
                .clone()
        })
        .unwrap_or_else(|_| target.replace("::", ".").into())
}
