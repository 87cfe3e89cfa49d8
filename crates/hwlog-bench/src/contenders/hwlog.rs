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
}

/// Contenders offered on top of the required ones.
pub fn extra() -> Vec<Info> {
    Vec::new()
}

pub fn setup(name: &str, dir: &Path) -> Result<Arc<dyn Contender>, String> {
    let sink: Arc<dyn ::hwlog::Sink> = match name {
        "hwlog" => Arc::new(FileSink::new(dir.join("hwlog.log"), false)),
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
    Ok(Arc::new(Hwlog {
        log: ::hwlog::get_logger("hwautomation.hardware.ipmi"),
    }))
}

impl Contender for Hwlog {
    #[inline]
    fn log(&self, i: u64) {
        ::hwlog::with_correlation(CORRELATION_ID, || {
            self.log
                .at(Level::Info)
                .field("host", HOST)
                .field("port", PORT)
                .field("attempt", i)
                .log(MESSAGE)
        });
    }

    fn drain(&self) {
        ::hwlog::flush().expect("hwlog flush");
    }

    fn finish(self: Arc<Self>) {
        ::hwlog::flush().expect("hwlog flush");
    }
}
