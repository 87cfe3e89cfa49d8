//! hwlog: a pipeline with one non-blocking JSON route to a [`FileSink`], installed directly
//! (no profile).
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use ::hwlog::format::{Json, TimeZone};
use ::hwlog::nonblocking::{NonBlockingOptions, Overflow};
use ::hwlog::pipeline::{Pipeline, Route};
use ::hwlog::sink::FileSink;
use ::hwlog::{dispatch, Level, Logger};

use super::{Contender, Info, CORRELATION_ID, HOST, MESSAGE, PORT, QUEUE};

struct Hwlog {
    log: Logger,
    /// Enter a correlation scope around every record instead of binding the id to the logger.
    scope_per_record: bool,
    /// Log with `tracing::info!` through hwlog's `tracing` layer instead of a `Logger`.
    via_tracing: bool,
    rotating: bool,
}

/// Contenders offered on top of the required ones.
pub fn extra() -> Vec<Info> {
    vec![
        Info {
            name: "hwlog-scope",
            format: "JSON (hwlog Json, UTC)",
            design: "scope per record",
        },
        Info {
            name: "hwlog-tracing",
            format: "JSON (hwlog Json, UTC)",
            design: "tracing::info! -> hwlog layer",
        },
        Info {
            name: "hwlog-rotating",
            format: "JSON (hwlog Json, UTC)",
            design: "rotating zstd file",
        },
    ]
}

pub fn setup(name: &str, dir: &Path) -> Result<Arc<dyn Contender>, String> {
    let sink: Arc<dyn ::hwlog::Sink> = match name {
        "hwlog" | "hwlog-scope" | "hwlog-tracing" => {
            Arc::new(FileSink::new(dir.join("hwlog.log"), false))
        }
        "hwlog-rotating" => {
            use ::hwlog::sink::rotating::{Compression, RotatingFileSink, RotationPolicy};
            let policy = RotationPolicy {
                max_bytes: Some(64 << 20),
                compression: Compression::Zstd { level: 9 },
                max_files: Some(1000),
                ..RotationPolicy::default()
            };
            Arc::new(
                RotatingFileSink::new(dir.join("hwlog.log"), policy).map_err(|e| e.to_string())?,
            )
        }
        other => return Err(format!("unknown contender {other:?}")),
    };
    let route = Route::new(
        "file",
        Level::Info,
        Vec::new(),
        Box::new(Json::new(TimeZone::Utc)),
        sink,
    )
    .non_blocking(NonBlockingOptions {
        capacity: QUEUE,
        overflow: Overflow::Block,
        batch: 1024,
        flush_interval: Duration::from_secs(1),
    });
    dispatch::install(Pipeline::new("bench", vec![route]));
    if name == "hwlog-tracing" {
        use ::tracing_subscriber::layer::SubscriberExt;
        let sub = ::tracing_subscriber::registry().with(::hwlog::bridge::layer());
        ::tracing::subscriber::set_global_default(sub)
            .map_err(|e| format!("tracing subscriber: {e}"))?;
    }
    Ok(Arc::new(Hwlog {
        // The correlation id is bound to the logger, as a request handler's logger would be:
        // the counterpart of the `correlation_id` field the other contenders pass.
        log: ::hwlog::get_logger("hwautomation.hardware.ipmi").with_correlation(CORRELATION_ID),
        scope_per_record: name == "hwlog-scope",
        via_tracing: name == "hwlog-tracing",
        rotating: name == "hwlog-rotating",
    }))
}

impl Contender for Hwlog {
    #[inline]
    fn log(&self, i: u64) {
        if self.via_tracing {
            ::tracing::info!(
                correlation_id = CORRELATION_ID,
                host = HOST,
                port = PORT,
                attempt = i,
                "chassis power status queried"
            );
            return;
        }
        let emit = || {
            self.log
                .at(Level::Info)
                .field("host", HOST)
                .field("port", PORT)
                .field("attempt", i)
                .log(MESSAGE)
        };
        if self.scope_per_record {
            ::hwlog::with_correlation(CORRELATION_ID, emit);
        } else {
            emit();
        }
    }

    /// hwlog's flush waits until the route's worker has written and flushed what was queued.
    fn drain(&self) {
        ::hwlog::flush().expect("hwlog flush");
    }

    fn output(&self, dir: &Path) -> Option<std::path::PathBuf> {
        (!self.rotating).then(|| dir.join("hwlog.log"))
    }

    fn finish(self: Arc<Self>) {
        // Writes everything queued and waits for rotated files to be compressed, so the files
        // are complete (and none is half-way from `x` to `x.zst`) when the lines are counted.
        ::hwlog::shutdown();
    }
}
