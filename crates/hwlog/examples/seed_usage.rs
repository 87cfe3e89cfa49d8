//! Everything the design's usage snippets show, in order, run for real.
//!
//! Run from any directory: files are written under `./logs` there.
//!
//! ```sh
//! cargo run -p hwlog --example seed_usage
//! ```
use std::sync::Arc;

use hwlog::format::{Json, TimeZone};
use hwlog::pipeline::Route;
use hwlog::sink::FileSink;
use hwlog::{
    get_logger, reconfigure_logging, reconfigure_logging_with, setup_logging, with_correlation,
    Level, Overrides,
};

fn main() -> Result<(), hwlog::Error> {
    // Basic usage (backward compatible): setup_logging() + get_logger + info.
    let _guard = setup_logging()?;
    let logger = get_logger("hwautomation.seed_usage");
    logger.info("Existing code continues to work");
    // Existing `tracing` and `log` calls are captured unchanged.
    tracing::info!(target: "hwautomation.discovery", hosts = 12, "MaaS discovery finished");
    log::info!(target: "hwautomation.legacy", "log crate records arrive too");

    // Advanced usage: switch to production, log inside a correlation scope.
    reconfigure_logging("production")?;
    with_correlation("req-12345", || {
        let logger = get_logger("hwautomation.hardware.ipmi");
        logger.info("This log will include correlation ID");
        // Under production, the failure of an IPMI command is logged at ERROR; the password
        // never reaches the console or a file.
        let cmd = "ipmitool -I lanplus -H 10.0.0.5 -U admin -P hunter2 chassis status";
        logger
            .at(Level::Error)
            .field("bmc", "10.0.0.5")
            .field("exit_code", 1)
            .log(format!(
                "command failed: {cmd}: Error: Unable to establish IPMI v2 / RMCP+ session"
            ));
        tracing::warn!(target: "hwautomation.hardware.redfish", "retrying via Redfish");
    });

    // Custom configuration: staging with overrides (level DEBUG, rate limiting off,
    // compression on). The staging profile itself is not changed.
    reconfigure_logging_with(
        "staging",
        &Overrides::new()
            .level(Level::Debug)
            .feature("rate_limiting", false)
            .feature("compression", true),
    )?;
    get_logger("hwautomation.bios").debug("BIOS settings diff computed: 3 changes");

    // Direct component usage: a JSON formatter and a file handler attached to one logger.
    // (The SQLite DatabaseHandler of the design arrives with the handlers issue.)
    let custom = get_logger("custom");
    custom.add_handler(Route::new(
        "custom_json",
        Level::Debug,
        Vec::new(),
        Box::new(Json::new(TimeZone::Utc)),
        Arc::new(FileSink::new("logs/custom.jsonl", false)),
    ));
    custom.info("custom handler attached");

    hwlog::flush()?;
    println!("{}", hwlog::logging_status());
    Ok(())
}
