use std::io::{IsTerminal, Write};

use hwlog_core::{Level, Record, Sink, SinkError};

/// Console stream.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Stream {
    /// Standard output.
    Stdout,
    /// Standard error.
    Stderr,
}

/// When to colour console output.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ColorMode {
    /// Only when the stream is a terminal.
    Auto,
    /// Always.
    Always,
    /// Never.
    Never,
}

/// Writes to stdout or stderr, one `write` per record under the stream's lock. With colour
/// (on a terminal, or always), the line is coloured by level: dim for TRACE/DEBUG, yellow for
/// WARNING, red for ERROR, bold red for CRITICAL.
#[derive(Debug)]
pub struct ConsoleSink {
    stream: Stream,
    color: bool,
}

impl ConsoleSink {
    /// A console sink.
    pub fn new(stream: Stream, color: ColorMode) -> Self {
        let tty = match stream {
            Stream::Stdout => std::io::stdout().is_terminal(),
            Stream::Stderr => std::io::stderr().is_terminal(),
        };
        let color = match color {
            ColorMode::Always => true,
            ColorMode::Never => false,
            ColorMode::Auto => tty && std::env::var_os("NO_COLOR").is_none(),
        };
        ConsoleSink { stream, color }
    }

    fn emit(&self, bytes: &[u8]) -> std::io::Result<()> {
        match self.stream {
            Stream::Stdout => std::io::stdout().lock().write_all(bytes),
            Stream::Stderr => std::io::stderr().lock().write_all(bytes),
        }
    }
}

fn color_of(level: Level) -> Option<&'static [u8]> {
    match level {
        Level::Trace | Level::Debug => Some(b"\x1b[2m"),
        Level::Info => None,
        Level::Warning => Some(b"\x1b[33m"),
        Level::Error => Some(b"\x1b[31m"),
        Level::Critical => Some(b"\x1b[1;31m"),
    }
}

impl Sink for ConsoleSink {
    fn name(&self) -> String {
        match self.stream {
            Stream::Stdout => "console:stdout".into(),
            Stream::Stderr => "console:stderr".into(),
        }
    }

    fn write(&self, record: &Record, line: &[u8]) -> Result<(), SinkError> {
        match color_of(record.level).filter(|_| self.color) {
            None => self.emit(line)?,
            Some(code) => {
                let body = line.strip_suffix(b"\n").unwrap_or(line);
                let mut buf = Vec::with_capacity(line.len() + 12);
                buf.extend_from_slice(code);
                buf.extend_from_slice(body);
                buf.extend_from_slice(b"\x1b[0m\n");
                self.emit(&buf)?
            }
        }
        Ok(())
    }

    fn flush(&self) -> Result<(), SinkError> {
        match self.stream {
            Stream::Stdout => std::io::stdout().flush()?,
            Stream::Stderr => std::io::stderr().flush()?,
        }
        Ok(())
    }
}
