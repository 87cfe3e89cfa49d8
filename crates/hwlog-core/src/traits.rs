use std::fmt;

use crate::Record;

/// What a filter says about a record (log4rs semantics).
///
/// Filters of a route run in order: `Reject` drops the record, `Accept` lets it through without
/// asking the remaining filters, `Neutral` asks the next filter. A record that no filter
/// rejected is written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Decision {
    /// Write the record; skip the remaining filters.
    Accept,
    /// No opinion; ask the next filter.
    Neutral,
    /// Drop the record.
    Reject,
}

/// Decides whether a record is written, and may enrich or rewrite it (stamp a correlation id,
/// add context fields, redact secrets).
///
/// A filter may also emit extra records ahead of the current one (e.g. the rate limiter's
/// "suppressed N similar records") by pushing them onto `emit`.
///
/// ```
/// use hwlog_core::{Decision, Filter, Level, Record};
///
/// struct DropHeartbeats;
/// impl Filter for DropHeartbeats {
///     fn name(&self) -> &str { "drop_heartbeats" }
///     fn decide(&self, rec: &mut Record, _emit: &mut Vec<Record>) -> Decision {
///         if rec.message.starts_with("heartbeat") { Decision::Reject } else { Decision::Neutral }
///     }
/// }
/// let mut rec = Record::new(Level::Info, "bmc", "heartbeat ok");
/// assert_eq!(DropHeartbeats.decide(&mut rec, &mut Vec::new()), Decision::Reject);
/// ```
pub trait Filter: Send + Sync {
    /// Short name shown in the status (`rate_limit`, `component`, …).
    fn name(&self) -> &str;
    /// Decides about `record`, possibly changing it.
    fn decide(&self, record: &mut Record, emit: &mut Vec<Record>) -> Decision;
    /// One-line description of the filter's settings for the status.
    fn describe(&self) -> String {
        self.name().to_string()
    }
}

/// Turns a record into bytes. Never fails: any value formats.
///
/// Line formats write exactly one line ending in `\n`, with newlines and control characters
/// in the content escaped.
pub trait Format: Send + Sync {
    /// Short name shown in the status (`json`, `structured`, …).
    fn name(&self) -> &str;
    /// Appends the formatted record to `out`.
    fn format(&self, record: &Record, out: &mut Vec<u8>);
}

/// Category of a sink failure.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum SinkErrorKind {
    /// The operating system refused (permissions, disk full, file vanished, …).
    Io,
    /// The sink was closed.
    Closed,
    /// The sink's own queue or buffer is full.
    Full,
    /// Anything else.
    Other,
}

/// A sink could not write, flush or close.
#[derive(Debug)]
pub struct SinkError {
    kind: SinkErrorKind,
    message: String,
}

impl SinkError {
    /// A new error.
    pub fn new(kind: SinkErrorKind, message: impl Into<String>) -> SinkError {
        SinkError {
            kind,
            message: message.into(),
        }
    }

    /// The category.
    pub fn kind(&self) -> SinkErrorKind {
        self.kind
    }
}

impl fmt::Display for SinkError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for SinkError {}

impl From<std::io::Error> for SinkError {
    fn from(e: std::io::Error) -> Self {
        SinkError::new(SinkErrorKind::Io, e.to_string())
    }
}

/// Records formatted back to back in one buffer, so that a sink can write a whole batch in one
/// call (one `write` syscall for a file, one transaction for a database).
#[derive(Default, Debug)]
pub struct Batch {
    records: Vec<Record>,
    buf: Vec<u8>,
    ends: Vec<usize>,
}

impl Batch {
    /// An empty batch.
    pub fn new() -> Batch {
        Batch::default()
    }

    /// Formats `record` with `format` and appends both.
    pub fn push(&mut self, record: Record, format: &dyn Format) {
        format.format(&record, &mut self.buf);
        self.ends.push(self.buf.len());
        self.records.push(record);
    }

    /// Number of records.
    pub fn len(&self) -> usize {
        self.records.len()
    }

    /// Whether the batch is empty.
    pub fn is_empty(&self) -> bool {
        self.records.is_empty()
    }

    /// The records, in order.
    pub fn records(&self) -> &[Record] {
        &self.records
    }

    /// All formatted bytes, back to back.
    pub fn bytes(&self) -> &[u8] {
        &self.buf
    }

    /// The records with their formatted bytes.
    pub fn iter(&self) -> impl Iterator<Item = (&Record, &[u8])> {
        let mut start = 0;
        self.records.iter().zip(&self.ends).map(move |(r, &end)| {
            let line = &self.buf[start..end];
            start = end;
            (r, line)
        })
    }

    /// Empties the batch, handing each record to `f` (e.g. to recycle its buffers).
    pub fn clear_with(&mut self, mut f: impl FnMut(Record)) {
        for r in self.records.drain(..) {
            f(r);
        }
        self.clear();
    }

    /// Empties the batch, keeping its memory.
    pub fn clear(&mut self) {
        self.records.clear();
        self.buf.clear();
        self.ends.clear();
    }
}

/// Where formatted records go: console, file, database, network.
///
/// Methods take `&self`: a sink is shared by the threads that log and synchronises inside.
/// Errors are returned, never panicked; the pipeline counts them and reports them in the status.
pub trait Sink: Send + Sync {
    /// Short name shown in the status (`console`, `file:logs/app.log`, …).
    fn name(&self) -> String;
    /// Writes one formatted record.
    fn write(&self, record: &Record, line: &[u8]) -> Result<(), SinkError>;
    /// Writes a batch; the default writes record by record.
    fn write_batch(&self, batch: &Batch) -> Result<(), SinkError> {
        for (rec, line) in batch.iter() {
            self.write(rec, line)?;
        }
        Ok(())
    }
    /// Pushes buffered data to its destination.
    fn flush(&self) -> Result<(), SinkError>;
    /// Flushes and releases resources; later writes fail with [`SinkErrorKind::Closed`] or
    /// reopen, as the sink documents.
    fn close(&self) -> Result<(), SinkError> {
        self.flush()
    }
    /// Reopens the destination (after logrotate moved a file away; sent on SIGHUP). The
    /// default does nothing.
    fn reopen(&self) -> Result<(), SinkError> {
        Ok(())
    }
}
