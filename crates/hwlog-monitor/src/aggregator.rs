//! The log aggregator: records from files and hwlog databases of other services into one
//! store, incrementally.
//!
//! Each source has a cursor (file: device, inode and byte offset; database: last id) that is
//! stored in the same transaction as the records it covers, so a collection that stops at
//! any point resumes exactly where the last commit ended: nothing is read twice into the
//! store and nothing is skipped. A file that was replaced (another inode) or truncated
//! (shorter than the offset) is read from its start. A last line without its newline is
//! left for the next collection.
use std::fs::File;
use std::io::{Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use hwlog_core::{Record, Timestamp};
use hwlog_store::{SqliteStore, Store};

use hwlog_decode::lines::{parse_line, LineFormat};

/// Records per transaction.
const BATCH: usize = 5_000;
/// Bytes read from a file at a time.
const CHUNK: usize = 4 << 20;

/// What a source holds.
#[derive(Clone, Debug)]
pub enum SourceFormat {
    /// Lines in a [`LineFormat`].
    Lines(LineFormat),
    /// Lines whose format is detected from the first line.
    Detect,
    /// An hwlog SQLite database and its log table (`logs` by default).
    Sqlite {
        /// The table.
        table: String,
    },
}

/// One source.
#[derive(Clone, Debug)]
pub struct Source {
    /// Unique name (the cursor's key).
    pub name: String,
    /// The file.
    pub path: PathBuf,
    /// Its format.
    pub format: SourceFormat,
    /// Component for records whose line names none.
    pub component: String,
}

/// Changes or drops records on their way to the store.
pub type Processor = Box<dyn Fn(Record) -> Option<Record> + Send + Sync>;

/// What one [`LogAggregator::collect`] did for one source.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SourceReport {
    /// The source.
    pub name: String,
    /// Records stored.
    pub stored: u64,
    /// Records dropped by processors.
    pub dropped: u64,
    /// Bytes (files) or rows (databases) read.
    pub read: u64,
    /// Why the source could not be read this time (the others went on).
    pub error: Option<String>,
}

/// Collects from its sources into a store. See the [module documentation](self).
pub struct LogAggregator {
    store: Arc<dyn Store>,
    sources: Vec<Source>,
    processors: Vec<Processor>,
}

impl LogAggregator {
    /// An aggregator writing into `store` (which also keeps the cursors).
    pub fn new(store: Arc<dyn Store>) -> Self {
        Self {
            store,
            sources: Vec::new(),
            processors: Vec::new(),
        }
    }

    /// The store it writes into.
    pub fn store(&self) -> Arc<dyn Store> {
        self.store.clone()
    }

    /// Adds a source; its name must be new.
    pub fn add_source(
        &mut self,
        name: &str,
        path: impl AsRef<Path>,
        format: SourceFormat,
    ) -> Result<(), String> {
        if self.sources.iter().any(|s| s.name == name) {
            return Err(format!("a source named {name:?} exists"));
        }
        if name.is_empty() {
            return Err("a source needs a name".into());
        }
        self.sources.push(Source {
            name: name.to_string(),
            path: path.as_ref().to_path_buf(),
            format,
            component: name.to_string(),
        });
        Ok(())
    }

    /// Adds a processor; processors run in the order added.
    pub fn add_processor(&mut self, p: impl Fn(Record) -> Option<Record> + Send + Sync + 'static) {
        self.processors.push(Box::new(p));
    }

    /// Reads what is new in every source and stores it. A source that fails is reported
    /// and skipped; the others are collected.
    pub fn collect(&self) -> Vec<SourceReport> {
        self.sources
            .iter()
            .map(|s| {
                let mut rep = SourceReport {
                    name: s.name.clone(),
                    ..SourceReport::default()
                };
                let res = match &s.format {
                    SourceFormat::Sqlite { table } => self.collect_db(s, table, &mut rep),
                    SourceFormat::Lines(f) => self.collect_file(s, Some(f), &mut rep),
                    SourceFormat::Detect => self.collect_file(s, None, &mut rep),
                };
                if let Err(e) = res {
                    rep.error = Some(e);
                }
                rep
            })
            .collect()
    }

    fn process(&self, mut r: Record, rep: &mut SourceReport) -> Option<Record> {
        for p in &self.processors {
            match p(r) {
                Some(next) => r = next,
                None => {
                    rep.dropped += 1;
                    return None;
                }
            }
        }
        Some(r)
    }

    fn cursor_name(s: &Source) -> String {
        format!("aggregator:{}", s.name)
    }

    fn collect_db(&self, s: &Source, table: &str, rep: &mut SourceReport) -> Result<(), String> {
        let name = Self::cursor_name(s);
        let mut last: i64 = self
            .store
            .cursor(&name)
            .map_err(|e| e.to_string())?
            .and_then(|v| v.parse().ok())
            .unwrap_or(0);
        loop {
            let rows =
                SqliteStore::read_after(&s.path, table, last, BATCH).map_err(|e| e.to_string())?;
            let Some(end) = rows.last().map(|r| r.id) else {
                return Ok(());
            };
            rep.read += rows.len() as u64;
            let batch: Vec<Record> = rows
                .into_iter()
                .filter_map(|r| self.process(r.record, rep))
                .collect();
            self.store
                .insert_batch_with_cursor(&batch, &name, &end.to_string())
                .map_err(|e| e.to_string())?;
            rep.stored += batch.len() as u64;
            last = end;
        }
    }

    fn collect_file(
        &self,
        s: &Source,
        format: Option<&LineFormat>,
        rep: &mut SourceReport,
    ) -> Result<(), String> {
        let name = Self::cursor_name(s);
        let mut f = File::open(&s.path).map_err(|e| format!("{}: {e}", s.path.display()))?;
        let meta = f.metadata().map_err(|e| e.to_string())?;
        let (dev, ino) = ids(&meta);
        let saved = self.store.cursor(&name).map_err(|e| e.to_string())?;
        // The same file (device, inode), not shorter, and the same bytes before the offset
        // (a file truncated and rewritten in place to the same length is new).
        let mut offset = match saved.as_deref().map(FileCursor::parse) {
            Some(Some(c))
                if c.dev == dev
                    && c.ino == ino
                    && c.offset <= meta.len()
                    && fingerprint(&f, c.offset) == c.tail =>
            {
                c.offset
            }
            _ => 0,
        };
        f.seek(SeekFrom::Start(offset)).map_err(|e| e.to_string())?;
        let mut detected = format.cloned();
        let now = Timestamp::now().as_nanos();
        let mut buf = Vec::new();
        loop {
            let start = buf.len();
            buf.resize(start + CHUNK, 0);
            let n = f.read(&mut buf[start..]).map_err(|e| e.to_string())?;
            buf.truncate(start + n);
            let Some(last_nl) = buf.iter().rposition(|&c| c == b'\n') else {
                if n == 0 {
                    return Ok(()); // only a partial last line (or nothing) is left
                }
                continue;
            };
            let complete = &buf[..=last_nl];
            rep.read += complete.len() as u64;
            let mut batch = Vec::new();
            let mut consumed = 0usize;
            for line in complete.split_inclusive(|&c| c == b'\n') {
                consumed += line.len();
                let text = String::from_utf8_lossy(line);
                let fmt = detected.get_or_insert_with(|| LineFormat::detect(&text));
                if let Some(r) = parse_line(fmt, &text, &s.component, now) {
                    if let Some(r) = self.process(r, rep) {
                        batch.push(r);
                    }
                }
                if batch.len() >= BATCH {
                    self.commit(&f, &name, &batch, dev, ino, offset + consumed as u64)?;
                    rep.stored += batch.len() as u64;
                    batch.clear();
                }
            }
            self.commit(&f, &name, &batch, dev, ino, offset + consumed as u64)?;
            rep.stored += batch.len() as u64;
            offset += consumed as u64;
            buf.drain(..=last_nl);
        }
    }

    fn commit(
        &self,
        f: &File,
        name: &str,
        batch: &[Record],
        dev: u64,
        ino: u64,
        offset: u64,
    ) -> Result<(), String> {
        let c = FileCursor {
            dev,
            ino,
            offset,
            tail: fingerprint(f, offset),
        };
        self.store
            .insert_batch_with_cursor(batch, name, &c.to_string())
            .map(|_| ())
            .map_err(|e| e.to_string())
    }
}

#[cfg(unix)]
fn ids(m: &std::fs::Metadata) -> (u64, u64) {
    use std::os::unix::fs::MetadataExt;
    (m.dev(), m.ino())
}

#[cfg(not(unix))]
fn ids(_: &std::fs::Metadata) -> (u64, u64) {
    (0, 0)
}

/// FNV-1a of the (up to) 64 bytes before `offset`.
fn fingerprint(f: &File, offset: u64) -> u64 {
    let start = offset.saturating_sub(64);
    let mut buf = vec![0u8; (offset - start) as usize];
    let ok = read_at(f, &mut buf, start);
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for &b in if ok { &buf[..] } else { &[][..] } {
        h = (h ^ b as u64).wrapping_mul(0x100_0000_01b3);
    }
    h
}

#[cfg(unix)]
fn read_at(f: &File, buf: &mut [u8], at: u64) -> bool {
    std::os::unix::fs::FileExt::read_exact_at(f, buf, at).is_ok()
}

#[cfg(not(unix))]
fn read_at(_: &File, _: &mut [u8], _: u64) -> bool {
    false
}

/// Where a file source stands: `dev:ino:offset:fingerprint`.
struct FileCursor {
    dev: u64,
    ino: u64,
    offset: u64,
    tail: u64,
}

impl FileCursor {
    fn parse(s: &str) -> Option<FileCursor> {
        let mut it = s.split(':').map(|p| p.parse::<u64>());
        Some(FileCursor {
            dev: it.next()?.ok()?,
            ino: it.next()?.ok()?,
            offset: it.next()?.ok()?,
            tail: it.next()?.ok()?,
        })
    }
}

impl std::fmt::Display for FileCursor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}:{}:{}:{}", self.dev, self.ino, self.offset, self.tail)
    }
}
