//! spdlog-rs: a logger with an `AsyncPoolSink` (one pool thread, blocking when its queue is
//! full) wrapping a `FileSink` with the `JsonFormatter`; the fields are spdlog key-values.
use std::num::NonZeroUsize;
use std::path::Path;
use std::sync::Arc;

use ::spdlog::formatter::JsonFormatter;
use ::spdlog::sink::{AsyncPoolSink, FileSink, OverflowPolicy};
use ::spdlog::{Logger, ThreadPool};

use super::{Contender, CORRELATION_ID, HOST, PORT, QUEUE};

struct Spdlog {
    logger: Arc<Logger>,
}

pub fn setup(dir: &Path) -> Result<Arc<dyn Contender>, String> {
    let err = |e: ::spdlog::Error| format!("spdlog: {e}");
    let file = FileSink::builder()
        .path(dir.join("spdlog.log"))
        .capacity(64 * 1024)
        .formatter(JsonFormatter::new())
        .build_arc()
        .map_err(err)?;
    let pool = ThreadPool::builder()
        .capacity(NonZeroUsize::new(QUEUE).expect("queue capacity"))
        .build_arc()
        .map_err(err)?;
    let sink = AsyncPoolSink::builder()
        .sink(file)
        .thread_pool(pool)
        .overflow_policy(OverflowPolicy::Block)
        .build_arc()
        .map_err(err)?;
    let logger = Logger::builder().sink(sink).build_arc().map_err(err)?;
    Ok(Arc::new(Spdlog { logger }))
}

impl Contender for Spdlog {
    #[inline]
    fn log(&self, i: u64) {
        ::spdlog::info!(
            logger: self.logger,
            "chassis power status queried",
            kv: { correlation_id = CORRELATION_ID, host = HOST, port = PORT, attempt = i }
        );
    }

    /// spdlog's flush on an async sink queues a flush task (its file buffer is written when
    /// the pool thread gets to it).
    fn drain(&self) {
        self.logger.flush();
    }

    fn output(&self, dir: &Path) -> Option<std::path::PathBuf> {
        Some(dir.join("spdlog.log"))
    }

    /// Queues a flush, then drops the logger: the last reference to the thread pool joins its
    /// thread after it has run every queued task.
    fn finish(self: Arc<Self>) {
        self.logger.flush();
        match Arc::into_inner(self) {
            Some(s) => drop(s),
            None => eprintln!("spdlog: logger still shared at finish; pool not joined"),
        }
    }
}
