//! The line formatters: structured, dashboard, debug and performance.
use hwlog_core::{Format, Record};

use super::text::{escape_line, escape_line_truncated, kv_suffix, write_timestamp, TimeZone};

/// `<ts> - <correlation_id or -> - <component> - <LEVEL> - <message> k=v ... error="..."`
#[derive(Clone, Debug, Default)]
pub struct Structured {
    tz: TimeZone,
}

impl Structured {
    /// A structured formatter showing time in `tz`.
    pub fn new(tz: TimeZone) -> Self {
        Structured { tz }
    }
}

impl Format for Structured {
    fn name(&self) -> &str {
        "structured"
    }

    fn format(&self, rec: &Record, out: &mut Vec<u8>) {
        write_timestamp(rec.timestamp, self.tz, out);
        out.extend_from_slice(b" - ");
        match &rec.correlation_id {
            Some(id) => escape_line(id, out),
            None => out.push(b'-'),
        }
        out.extend_from_slice(b" - ");
        escape_line(&rec.component, out);
        out.extend_from_slice(b" - ");
        out.extend_from_slice(rec.level.as_str().as_bytes());
        out.extend_from_slice(b" - ");
        escape_line(&rec.message, out);
        kv_suffix(rec, out);
        out.push(b'\n');
    }
}

/// `<ts> [log-<level>] <component>: <message>`, the message cut at `width` characters
/// (default 200) with `...`. Made for the web dashboard's live view.
#[derive(Clone, Debug)]
pub struct Dashboard {
    tz: TimeZone,
    width: usize,
}

impl Dashboard {
    /// Default message width.
    pub const DEFAULT_WIDTH: usize = 200;

    /// A dashboard formatter cutting messages at `width` characters.
    pub fn new(tz: TimeZone, width: usize) -> Self {
        Dashboard {
            tz,
            width: width.max(4),
        }
    }
}

impl Default for Dashboard {
    fn default() -> Self {
        Dashboard::new(TimeZone::Utc, Self::DEFAULT_WIDTH)
    }
}

impl Format for Dashboard {
    fn name(&self) -> &str {
        "dashboard"
    }

    fn format(&self, rec: &Record, out: &mut Vec<u8>) {
        write_timestamp(rec.timestamp, self.tz, out);
        out.extend_from_slice(b" [log-");
        out.extend_from_slice(rec.level.as_lower().as_bytes());
        out.extend_from_slice(b"] ");
        escape_line(&rec.component, out);
        out.extend_from_slice(b": ");
        escape_line_truncated(&rec.message, self.width, out);
        out.push(b'\n');
    }
}

/// Everything a developer wants while debugging:
/// `<ts> +<ms since start>ms [<LEVEL>] <component> (<file>:<line>) [<thread>] [cid:<first 8>] <message> k=v ...`
///
/// Missing parts (no file, unnamed thread, no correlation id) are shown as `?` / `-`.
#[derive(Clone, Debug)]
pub struct Debug {
    tz: TimeZone,
    start_ns: i64,
}

impl Debug {
    /// A debug formatter; "ms since start" counts from this call.
    pub fn new(tz: TimeZone) -> Self {
        Debug {
            tz,
            start_ns: hwlog_core::Timestamp::now().as_nanos(),
        }
    }

    /// Uses `start_ns` (epoch nanoseconds) as the start for "ms since start" (for tests).
    pub fn with_start(mut self, start_ns: i64) -> Self {
        self.start_ns = start_ns;
        self
    }
}

impl Default for Debug {
    fn default() -> Self {
        Debug::new(TimeZone::Utc)
    }
}

impl Format for Debug {
    fn name(&self) -> &str {
        "debug"
    }

    fn format(&self, rec: &Record, out: &mut Vec<u8>) {
        write_timestamp(rec.timestamp, self.tz, out);
        let since_ms = (rec.timestamp.as_nanos() - self.start_ns).max(0) / 1_000_000;
        out.extend_from_slice(b" +");
        out.extend_from_slice(itoa::Buffer::new().format(since_ms).as_bytes());
        out.extend_from_slice(b"ms [");
        out.extend_from_slice(rec.level.as_str().as_bytes());
        out.extend_from_slice(b"] ");
        escape_line(&rec.component, out);
        out.extend_from_slice(b" (");
        match &rec.file {
            Some(f) => escape_line(f, out),
            None => out.push(b'?'),
        }
        out.push(b':');
        match rec.line {
            Some(l) => out.extend_from_slice(itoa::Buffer::new().format(l).as_bytes()),
            None => out.push(b'?'),
        }
        out.extend_from_slice(b") [");
        if let Some(name) = &rec.thread.name {
            escape_line(name, out);
        }
        out.push(b'#');
        out.extend_from_slice(itoa::Buffer::new().format(rec.thread.id).as_bytes());
        out.extend_from_slice(b"] [cid:");
        match &rec.correlation_id {
            Some(id) => {
                let end = id.char_indices().nth(8).map_or(id.len(), |(i, _)| i);
                escape_line(&id[..end], out);
            }
            None => out.push(b'-'),
        }
        out.extend_from_slice(b"] ");
        escape_line(&rec.message, out);
        kv_suffix(rec, out);
        out.push(b'\n');
    }
}

/// The minimal, fastest line: `<ts> <L> <component> <message>` plus ` error="..."` when the
/// record carries an error. Fields are left out; `L` is one of `T D I W E C`.
#[derive(Clone, Debug, Default)]
pub struct Performance {
    tz: TimeZone,
}

impl Performance {
    /// A performance formatter showing time in `tz`.
    pub fn new(tz: TimeZone) -> Self {
        Performance { tz }
    }
}

impl Format for Performance {
    fn name(&self) -> &str {
        "performance"
    }

    #[inline]
    fn format(&self, rec: &Record, out: &mut Vec<u8>) {
        out.reserve(40 + rec.component.len() + rec.message.len());
        write_timestamp(rec.timestamp, self.tz, out);
        out.extend_from_slice(&[b' ', rec.level.letter(), b' ']);
        escape_line(&rec.component, out);
        out.push(b' ');
        escape_line(&rec.message, out);
        if let Some(err) = &rec.error {
            out.extend_from_slice(b" error=");
            escape_line(err, out);
        }
        out.push(b'\n');
    }
}
