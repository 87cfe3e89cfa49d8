//! log4rs: a synchronous `FileAppender` with the `JsonEncoder`; the fields are `log`
//! key-values (feature `log_kv`, shown under "attributes"). Each record is encoded and written
//! (and flushed) on the calling thread.
use std::path::Path;
use std::sync::Arc;

use ::log::LevelFilter;
use ::log4rs::append::file::FileAppender;
use ::log4rs::config::{Appender, Config, Root};
use ::log4rs::encode::json::JsonEncoder;

use super::{Contender, CORRELATION_ID, HOST, PORT};

struct Log4rs;

pub fn setup(dir: &Path) -> Result<Arc<dyn Contender>, String> {
    let file = FileAppender::builder()
        .encoder(Box::new(JsonEncoder::new()))
        .build(dir.join("log4rs.log"))
        .map_err(|e| format!("log4rs appender: {e}"))?;
    let config = Config::builder()
        .appender(Appender::builder().build("file", Box::new(file)))
        .build(Root::builder().appender("file").build(LevelFilter::Info))
        .map_err(|e| format!("log4rs config: {e}"))?;
    ::log4rs::init_config(config).map_err(|e| format!("log4rs init: {e}"))?;
    Ok(Arc::new(Log4rs))
}

impl Contender for Log4rs {
    #[inline]
    fn log(&self, i: u64) {
        ::log::info!(
            correlation_id = CORRELATION_ID,
            host = HOST,
            port = PORT,
            attempt = i;
            "chassis power status queried"
        );
    }

    /// Nothing queues: every record is written when `log!` returns.
    fn drain(&self) {}

    fn output(&self, dir: &Path) -> Option<std::path::PathBuf> {
        Some(dir.join("log4rs.log"))
    }

    fn finish(self: Arc<Self>) {
        ::log::logger().flush();
    }
}
