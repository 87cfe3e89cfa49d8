use std::fs::{File, OpenOptions};
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use flate2::write::GzEncoder;
use flate2::Compression;
use hwlog_core::{Batch, Level, Record, Sink, SinkError, SinkErrorKind};

enum Out {
    Plain(BufWriter<File>),
    /// Between members.
    GzIdle(BufWriter<File>),
    /// Inside a gzip member.
    Gzip(GzEncoder<BufWriter<File>>),
}

struct State {
    out: Option<Out>,
    /// When opening last failed; reopening is retried at most once a second.
    failed_at: Option<Instant>,
    /// Why the last open or write failed.
    last_error: String,
    closed: bool,
}

/// Appends to a file, creating it and its directories. Writes are buffered and flushed on
/// `flush`, on `close`, on drop, and right after any ERROR or CRITICAL record.
///
/// If the file cannot be opened (directory not writable, disk full) writes fail with an error
/// that the pipeline counts; opening is retried at most once a second, so the sink recovers
/// when the fault clears.
///
/// With gzip, each flush ends a gzip member: the file is always a valid multi-member gzip
/// stream up to the last flush (`gzip -dc` / `zcat` read it whole).
pub struct FileSink {
    path: PathBuf,
    gzip: bool,
    state: Mutex<State>,
}

impl FileSink {
    /// A file sink for `path` (opened on first write).
    pub fn new(path: impl Into<PathBuf>, gzip: bool) -> Self {
        FileSink {
            path: path.into(),
            gzip,
            state: Mutex::new(State {
                out: None,
                failed_at: None,
                last_error: String::new(),
                closed: false,
            }),
        }
    }

    /// The file's path.
    pub fn path(&self) -> &Path {
        &self.path
    }

    fn open(&self) -> std::io::Result<Out> {
        if let Some(dir) = self.path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir)?;
        }
        let f = OpenOptions::new()
            .create(true)
            .append(true)
            .open(&self.path)?;
        let w = BufWriter::with_capacity(64 * 1024, f);
        Ok(if self.gzip {
            Out::GzIdle(w)
        } else {
            Out::Plain(w)
        })
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        match self.state.lock() {
            Ok(g) => g,
            Err(p) => p.into_inner(),
        }
    }
}

fn finish_member(out: Out) -> std::io::Result<Out> {
    match out {
        Out::Plain(mut w) => {
            w.flush()?;
            Ok(Out::Plain(w))
        }
        Out::GzIdle(mut w) => {
            w.flush()?;
            Ok(Out::GzIdle(w))
        }
        Out::Gzip(enc) => {
            let mut w = enc.finish()?;
            w.flush()?;
            Ok(Out::GzIdle(w))
        }
    }
}

fn flush_state(st: &mut State) -> Result<(), SinkError> {
    if let Some(out) = st.out.take() {
        match finish_member(out) {
            Ok(o) => st.out = Some(o),
            Err(e) => return Err(e.into()),
        }
    }
    Ok(())
}

impl Sink for FileSink {
    fn name(&self) -> String {
        format!(
            "file:{}{}",
            self.path.display(),
            if self.gzip { " (gzip)" } else { "" }
        )
    }

    fn write(&self, record: &Record, line: &[u8]) -> Result<(), SinkError> {
        let mut st = self.lock();
        if st.closed {
            return Err(SinkError::new(SinkErrorKind::Closed, "file sink is closed"));
        }
        if st.out.is_none() {
            if let Some(t) = st.failed_at {
                if t.elapsed() < Duration::from_secs(1) {
                    return Err(SinkError::new(
                        SinkErrorKind::Io,
                        format!("{} (retrying every second)", st.last_error),
                    ));
                }
            }
            match self.open() {
                Ok(o) => {
                    st.out = Some(o);
                    st.failed_at = None;
                }
                Err(e) => {
                    st.failed_at = Some(Instant::now());
                    st.last_error = format!("cannot open {}: {e}", self.path.display());
                    return Err(SinkError::new(SinkErrorKind::Io, st.last_error.clone()));
                }
            }
        }
        if let Some(Out::GzIdle(_)) = st.out {
            if let Some(Out::GzIdle(w)) = st.out.take() {
                st.out = Some(Out::Gzip(GzEncoder::new(w, Compression::default())));
            }
        }
        let res = match st.out.as_mut() {
            Some(Out::Plain(w)) | Some(Out::GzIdle(w)) => w.write_all(line),
            Some(Out::Gzip(w)) => w.write_all(line),
            None => Ok(()),
        };
        if let Err(e) = res {
            // Drop the handle; the next write reopens (e.g. after the file was removed).
            st.out = None;
            st.failed_at = Some(Instant::now());
            st.last_error = format!("cannot write {}: {e}", self.path.display());
            return Err(SinkError::new(SinkErrorKind::Io, st.last_error.clone()));
        }
        if record.level >= Level::Error {
            flush_state(&mut st)?;
        }
        Ok(())
    }

    /// A batch is written with one `write` (the buffer is flushed right after), so a failed
    /// write fails the whole batch and its records are counted as errors.
    fn write_batch(&self, batch: &Batch) -> Result<(), SinkError> {
        let Some((last, _)) = batch.iter().last() else {
            return Ok(());
        };
        self.write(last, batch.bytes())?;
        flush_state(&mut self.lock())
    }

    fn flush(&self) -> Result<(), SinkError> {
        flush_state(&mut self.lock())
    }

    fn reopen(&self) -> Result<(), SinkError> {
        let mut st = self.lock();
        let r = flush_state(&mut st);
        st.out = None;
        st.failed_at = None;
        r
    }

    fn close(&self) -> Result<(), SinkError> {
        let mut st = self.lock();
        let r = flush_state(&mut st);
        st.out = None;
        st.closed = true;
        r
    }
}

impl Drop for FileSink {
    fn drop(&mut self) {
        let _ = self.close();
    }
}
