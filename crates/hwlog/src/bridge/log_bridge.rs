use hwlog_core::{Record, SharedStr};

use crate::dispatch;

/// A `log::Log` that sends `log` records through the hwlog pipeline, with target → component
/// (`::` → `.`), file and line.
#[derive(Debug, Default)]
pub struct LogBridge;

impl log::Log for LogBridge {
    fn enabled(&self, m: &log::Metadata<'_>) -> bool {
        dispatch::enabled(super::from_log_level(m.level()))
    }

    fn log(&self, r: &log::Record<'_>) {
        let level = super::from_log_level(r.level());
        if !dispatch::enabled(level) {
            return;
        }
        let msg: std::borrow::Cow<'static, str> = match r.args().as_str() {
            Some(s) => s.into(),
            None => r.args().to_string().into(),
        };
        let component: SharedStr = match r.target() {
            t if t.contains("::") => t.replace("::", ".").into(),
            t => t.to_string().into(),
        };
        let mut rec = Record::new(level, component, msg);
        if let (Some(f), Some(l)) = (r.file_static(), r.line()) {
            rec.file = Some(f.into());
            rec.line = Some(l);
        } else if let (Some(f), Some(l)) = (r.file(), r.line()) {
            rec.file = Some(f.to_string().into());
            rec.line = Some(l);
        }
        dispatch::dispatch(rec);
    }

    fn flush(&self) {
        let _ = crate::flush();
    }
}
