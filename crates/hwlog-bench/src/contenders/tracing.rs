//! tracing: `tracing-subscriber` `fmt().json()` writing through `tracing_appender::non_blocking`
//! (lossy: false) to `tracing_appender::rolling::never`, behind a 64 KiB `BufWriter` (as a
//! throughput setup would: the worker flushes it whenever its queue runs empty) or, as
//! `tracing-unbuffered`, as the appender comes by default (one `write` per record).
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use ::tracing_appender::non_blocking::{NonBlockingBuilder, WorkerGuard};

use super::{Contender, CORRELATION_ID, HOST, PORT, QUEUE};

struct Tracing {
    guard: Mutex<Option<WorkerGuard>>,
    file: std::path::PathBuf,
    logged: std::sync::atomic::AtomicU64,
}

pub fn setup(dir: &Path, buffered: bool) -> Result<Arc<dyn Contender>, String> {
    let appender = ::tracing_appender::rolling::never(dir, "tracing.log");
    let builder = NonBlockingBuilder::default()
        .lossy(false)
        .buffered_lines_limit(QUEUE);
    let (writer, guard) = if buffered {
        builder.finish(std::io::BufWriter::with_capacity(64 * 1024, appender))
    } else {
        builder.finish(appender)
    };
    ::tracing_subscriber::fmt()
        .json()
        .with_writer(writer)
        .try_init()
        .map_err(|e| format!("tracing subscriber: {e}"))?;
    Ok(Arc::new(Tracing {
        guard: Mutex::new(Some(guard)),
        file: dir.join("tracing.log"),
        logged: Default::default(),
    }))
}

impl Contender for Tracing {
    #[inline]
    fn log(&self, i: u64) {
        ::tracing::info!(
            correlation_id = CORRELATION_ID,
            host = HOST,
            port = PORT,
            attempt = i,
            "chassis power status queried"
        );
        self.logged
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    }

    /// tracing-appender has no flush of its own: its worker writes (and flushes the
    /// `BufWriter`) when its queue runs empty.
    fn drain(&self) {}

    fn output(&self, dir: &Path) -> Option<std::path::PathBuf> {
        Some(dir.join("tracing.log"))
    }

    /// Drops the `WorkerGuard`, which hands the worker a shutdown message and waits (at most
    /// about 1.1 s) for it to write what is queued. If the guard gave up early the worker is
    /// still writing, so this then waits until the file has every line (up to 30 s).
    fn finish(self: Arc<Self>) {
        drop(self.guard.lock().expect("guard lock").take());
        let want = self.logged.load(std::sync::atomic::Ordering::Relaxed);
        let deadline = Instant::now() + Duration::from_secs(30);
        while Instant::now() < deadline {
            let have = std::fs::File::open(&self.file)
                .and_then(crate::output::newlines)
                .unwrap_or(0);
            if have >= want {
                return;
            }
            eprintln!("tracing: WorkerGuard returned with {have}/{want} lines written; waiting");
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}
