//! Log analysis for hwlog. Pure computation: no I/O.
//!
//! - [`miner`]: online template mining (messages → templates such as `Connection from <*>`);
//! - [`errors`]: error patterns of a time window, by template;
//! - [`trends`]: durations per component and operation, with their least-squares trend;
//! - [`anomaly`]: volume and error-rate anomalies against a robust baseline, new templates;
//! - [`duration`]: durations from record fields and messages;
//! - [`window`]: time windows.
#![deny(missing_docs)]

pub mod alerts;
pub mod anomaly;
/// Durations reported by records (moved to `hwlog-core`, which the metrics sink shares).
pub use hwlog_core::duration;
pub mod errors;
pub mod miner;
pub mod rules;
pub mod trends;
pub mod window;
