//! Multi-line messages: first line through another formatter, the rest indented below it.
use std::borrow::Cow;

use hwlog_core::{Format, Record};

use super::text::escape_line;

/// Wraps another formatter. A message (or error text, e.g. a backtrace) with line breaks is
/// written as the inner formatter's line for the first line, followed by each further line
/// indented (default four spaces). Records without line breaks are passed through unchanged.
///
/// ```
/// use hwlog::format::{Multiline, Performance, TimeZone};
/// use hwlog::{Format, Level, Record, Timestamp};
/// let mut rec = Record::new(Level::Info, "bios", "settings:\nBootMode=Uefi\nSriov=On");
/// rec.timestamp = Timestamp::from_nanos(0);
/// let f = Multiline::new(Box::new(Performance::new(TimeZone::Utc)), "    ");
/// let mut out = Vec::new();
/// f.format(&rec, &mut out);
/// assert_eq!(
///     String::from_utf8(out).unwrap(),
///     "1970-01-01T00:00:00.000000Z I bios settings:\n    BootMode=Uefi\n    Sriov=On\n"
/// );
/// ```
pub struct Multiline {
    inner: Box<dyn Format>,
    indent: String,
}

impl Multiline {
    /// Wraps `inner`, indenting continuation lines with `indent`.
    pub fn new(inner: Box<dyn Format>, indent: impl Into<String>) -> Self {
        Multiline {
            inner,
            indent: indent.into(),
        }
    }

    fn continuation(&self, text: &str, out: &mut Vec<u8>) {
        for line in text.lines() {
            out.extend_from_slice(self.indent.as_bytes());
            escape_line(line, out);
            out.push(b'\n');
        }
    }
}

impl Format for Multiline {
    fn name(&self) -> &str {
        "multiline"
    }

    fn format(&self, rec: &Record, out: &mut Vec<u8>) {
        let msg_split = rec.message.split_once('\n');
        let err_split = rec.error.as_deref().and_then(|e| e.split_once('\n'));
        if msg_split.is_none() && err_split.is_none() {
            return self.inner.format(rec, out);
        }
        let mut head = rec.clone();
        if let Some((first, _)) = msg_split {
            head.message = Cow::Owned(first.trim_end_matches('\r').to_string());
        }
        if let Some((first, _)) = err_split {
            head.error = Some(first.trim_end_matches('\r').to_string());
        }
        self.inner.format(&head, out);
        if let Some((_, rest)) = msg_split {
            self.continuation(rest, out);
        }
        if let Some((_, rest)) = err_split {
            self.continuation(rest, out);
        }
    }
}
