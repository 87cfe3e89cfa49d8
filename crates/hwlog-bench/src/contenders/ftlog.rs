//! ftlog: its logger thread with a bounded, blocking queue and a `FileAppender`; `log::info!`
//! with the fields formatted into the message (ftlog's formatter prints no key-values).
use std::path::Path;
use std::sync::{Arc, Mutex};

use ::ftlog::appender::FileAppender;
use ::ftlog::LoggerGuard;
use ::log::LevelFilter;

use super::{Contender, CORRELATION_ID, HOST, PORT, QUEUE};

struct Ftlog {
    guard: Mutex<Option<LoggerGuard>>,
}

pub fn setup(dir: &Path) -> Result<Arc<dyn Contender>, String> {
    let guard = ::ftlog::builder()
        .max_log_level(LevelFilter::Info)
        .bounded(QUEUE, true)
        .utc()
        .root(FileAppender::new(dir.join("ftlog.log")))
        .try_init()
        .map_err(|e| format!("ftlog: {e}"))?;
    Ok(Arc::new(Ftlog {
        guard: Mutex::new(Some(guard)),
    }))
}

impl Contender for Ftlog {
    #[inline]
    fn log(&self, i: u64) {
        ::log::info!(
            "chassis power status queried correlation_id={CORRELATION_ID} host={HOST} port={PORT} attempt={i}"
        );
    }

    /// ftlog's flush waits until its thread has written and flushed everything queued.
    fn drain(&self) {
        ::log::logger().flush();
    }

    fn output(&self, dir: &Path) -> Option<std::path::PathBuf> {
        Some(dir.join("ftlog.log"))
    }

    /// Dropping the `LoggerGuard` flushes and waits.
    fn finish(self: Arc<Self>) {
        drop(self.guard.lock().expect("guard lock").take());
    }
}
