//! Helpers for tests: the capture sink behind the `testing` profile, a lock that serialises
//! tests sharing the process-wide pipeline, and a manual clock.
//!
//! ```
//! use hwlog::testing;
//! let _serial = testing::lock();
//! let _guard = hwlog::setup_logging_with("testing", &hwlog::Overrides::new()).unwrap();
//! testing::clear();
//! hwlog::get_logger("hwautomation.bios").info("BootMode=Uefi applied");
//! let lines = testing::lines();
//! assert_eq!(lines.len(), 1);
//! assert!(lines[0].ends_with("hwautomation.bios - INFO - BootMode=Uefi applied\n"));
//! ```
use std::sync::{Mutex, MutexGuard};

use hwlog_core::{Record, Sink, SinkError};

pub use crate::filter::rate_limit_clock::ManualClock;

/// A captured record and the line its route formatted.
#[derive(Clone, Debug)]
pub struct Captured {
    /// The record as it left the filters.
    pub record: Record,
    /// The formatted bytes as text.
    pub line: String,
}

static CAPTURED: Mutex<Vec<Captured>> = Mutex::new(Vec::new());
static SERIAL: Mutex<()> = Mutex::new(());

fn captured_lock() -> MutexGuard<'static, Vec<Captured>> {
    CAPTURED.lock().unwrap_or_else(|p| p.into_inner())
}

/// Serialises tests that install pipelines (the pipeline is process-wide). Poisoning from a
/// failed test is ignored.
pub fn lock() -> MutexGuard<'static, ()> {
    SERIAL.lock().unwrap_or_else(|p| p.into_inner())
}

/// Everything captured so far.
pub fn captured() -> Vec<Captured> {
    captured_lock().clone()
}

/// The captured lines.
pub fn lines() -> Vec<String> {
    captured_lock().iter().map(|c| c.line.clone()).collect()
}

/// Takes and clears what was captured.
pub fn take() -> Vec<Captured> {
    std::mem::take(&mut *captured_lock())
}

/// Clears what was captured.
pub fn clear() {
    captured_lock().clear();
}

/// The sink of `type = "capture"` routes: appends to the process-wide capture buffer.
#[derive(Debug, Default, Clone, Copy)]
pub struct CaptureSink;

impl Sink for CaptureSink {
    fn name(&self) -> String {
        "capture".into()
    }

    fn write(&self, record: &Record, line: &[u8]) -> Result<(), SinkError> {
        let line = String::from_utf8_lossy(line).into_owned();
        captured_lock().push(Captured {
            record: record.clone(),
            line,
        });
        Ok(())
    }

    fn flush(&self) -> Result<(), SinkError> {
        Ok(())
    }
}
