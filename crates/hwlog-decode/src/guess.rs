//! The level of a line that names none, guessed from its words (shared by the line and
//! syslog decoders).
use hwlog_core::Level;

/// A level guessed from a message without one.
pub(crate) fn guess_level(msg: &str) -> Level {
    let m = msg.to_ascii_lowercase();
    if m.contains("fatal") || m.contains("panic") {
        Level::Critical
    } else if m.contains("error") || m.contains("fail") || m.contains("exception") {
        Level::Error
    } else if m.contains("warn") {
        Level::Warning
    } else {
        Level::Info
    }
}
