//! Sealed blocks: the compressed, column-by-column form of the embedded store's records.
//!
//! A block holds up to [`BLOCK_ROWS`] records in id order. Each column is encoded for what
//! it holds and compressed on its own with zstd ([`bytes::pack`], a checksummed frame):
//!
//! | column | encoding |
//! |---|---|
//! | ids | varint deltas from the block's first id |
//! | ts | zigzag varint deltas |
//! | level | one byte per record |
//! | component, correlation id, thread, file, host | per-block dictionary |
//! | message | log type through a dictionary, numbers as varints, other variables as texts ([`message`]) |
//! | fields, error | optional texts |
//! | pid, line | optional varints |
//!
//! Beside the columns a block keeps its summary ([`Meta`]: id and time range, level mask)
//! and a bloom filter of its message words, correlation ids and field values
//! ([`bloom`]), so a query reads only the blocks that may hold a match, and of those only
//! the columns it needs. Decoding checks every bound: damage gives
//! [`ErrorKind::Corrupt`](crate::ErrorKind::Corrupt).
pub(crate) mod bloom;
pub(crate) mod bytes;
pub(crate) mod message;

use bytes::{
    corrupt, get_opt_int, pack, put_opt_int, put_opt_text, put_varint, unpack, unzig, zig, Dict,
    DictWriter, Reader,
};

use crate::codec::RowParts;
use crate::{Error, StoredRecord};

/// Records per block: large enough that the dictionaries and zstd find the repetition of
/// log lines (the spike measured 8,192 at 22.6 bytes per record against 4,096 at 24.1),
/// small enough that a query decodes little more than it needs.
pub(crate) const BLOCK_ROWS: usize = 8_192;
/// A block is cut earlier when its records' text reaches this many bytes, which keeps
/// every column far below [`bytes::MAX_COLUMN`].
pub(crate) const MAX_BLOCK_BYTES: usize = 32 << 20;

pub(crate) const C_IDS: usize = 0;
pub(crate) const C_TS: usize = 1;
pub(crate) const C_LEVEL: usize = 2;
pub(crate) const C_COMPONENT: usize = 3;
pub(crate) const C_LOGTYPE: usize = 4;
pub(crate) const C_INTS: usize = 5;
pub(crate) const C_STRS: usize = 6;
pub(crate) const C_CORRELATION: usize = 7;
pub(crate) const C_FIELDS: usize = 8;
pub(crate) const C_THREAD: usize = 9;
pub(crate) const C_PID: usize = 10;
pub(crate) const C_FILE: usize = 11;
pub(crate) const C_LINE: usize = 12;
pub(crate) const C_HOST: usize = 13;
pub(crate) const C_ERROR: usize = 14;
/// The number of columns; a block's column `c` is stored under key `block * 16 + c`.
pub(crate) const COLUMNS: usize = 15;
/// Column keys per block.
pub(crate) const COLUMN_STRIDE: i64 = 16;

/// One record as stored: the row store's columns.
#[derive(Clone, Debug, Default, PartialEq)]
pub(crate) struct RawRow {
    pub id: i64,
    pub ts: i64,
    pub level: u8,
    pub component: String,
    pub message: String,
    pub correlation_id: Option<String>,
    pub fields: Option<String>,
    pub thread: Option<String>,
    pub pid: Option<i64>,
    pub file: Option<String>,
    pub line: Option<i64>,
    pub host: Option<String>,
    pub error: Option<String>,
}

/// A borrowed view of one stored record, from a head row or a decoded block.
#[derive(Clone, Copy, Debug)]
pub(crate) struct RowRef<'a> {
    pub id: i64,
    pub ts: i64,
    pub level: u8,
    pub component: &'a str,
    pub message: &'a str,
    pub correlation_id: Option<&'a str>,
    pub fields: Option<&'a str>,
    pub thread: Option<&'a str>,
    pub pid: Option<i64>,
    pub file: Option<&'a str>,
    pub line: Option<i64>,
    pub host: Option<&'a str>,
    pub error: Option<&'a str>,
}

impl RawRow {
    pub(crate) fn as_ref(&self) -> RowRef<'_> {
        RowRef {
            id: self.id,
            ts: self.ts,
            level: self.level,
            component: &self.component,
            message: &self.message,
            correlation_id: self.correlation_id.as_deref(),
            fields: self.fields.as_deref(),
            thread: self.thread.as_deref(),
            pid: self.pid,
            file: self.file.as_deref(),
            line: self.line,
            host: self.host.as_deref(),
            error: self.error.as_deref(),
        }
    }
}

impl RowRef<'_> {
    #[cfg(test)]
    pub(crate) fn to_raw(self) -> RawRow {
        RawRow {
            id: self.id,
            ts: self.ts,
            level: self.level,
            component: self.component.to_string(),
            message: self.message.to_string(),
            correlation_id: self.correlation_id.map(str::to_string),
            fields: self.fields.map(str::to_string),
            thread: self.thread.map(str::to_string),
            pid: self.pid,
            file: self.file.map(str::to_string),
            line: self.line,
            host: self.host.map(str::to_string),
            error: self.error.map(str::to_string),
        }
    }

    /// The record this row holds.
    pub(crate) fn to_record(self) -> Result<StoredRecord, Error> {
        let (id, record) = RowParts {
            id: self.id,
            ts: self.ts,
            level: i64::from(self.level),
            component: self.component.to_string(),
            message: self.message.to_string(),
            correlation_id: self.correlation_id.map(str::to_string),
            fields: self.fields,
            thread: self.thread,
            pid: self.pid,
            file: self.file.map(str::to_string),
            line: self.line,
            host: self.host.map(str::to_string),
            error: self.error.map(str::to_string),
        }
        .into_record()?;
        Ok(StoredRecord { id, record })
    }

    /// Bytes of text this row holds (for cutting blocks).
    pub(crate) fn text_len(&self) -> usize {
        let o = |s: Option<&str>| s.map_or(0, str::len);
        self.component.len()
            + self.message.len()
            + o(self.correlation_id)
            + o(self.fields)
            + o(self.thread)
            + o(self.file)
            + o(self.host)
            + o(self.error)
            + 24
    }
}

/// A block's summary, kept uncompressed beside its columns.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Meta {
    pub first_id: i64,
    pub last_id: i64,
    pub n: usize,
    pub min_ts: i64,
    pub max_ts: i64,
    /// Bit `l` set when the block holds a record at level `l`.
    pub levels: u8,
}

/// An encoded block: its summary, packed bloom filter and packed columns.
pub(crate) struct Encoded {
    pub meta: Meta,
    pub bloom: Vec<u8>,
    pub columns: Vec<Vec<u8>>,
}

/// Encodes `rows` (at least one, in id order) as one block.
pub(crate) fn encode(rows: &[RowRef<'_>]) -> Result<Encoded, Error> {
    let first = rows.first().ok_or_else(|| corrupt("empty block"))?;
    let mut cols: Vec<Vec<u8>> = vec![Vec::new(); COLUMNS];
    let mut dicts: [DictWriter; 6] = Default::default();
    let [comp, logtypes, corr, thread, file, host] = &mut dicts;
    let mut items: Vec<Vec<u8>> = Vec::new();
    let (mut prev_id, mut prev_ts) = (first.id, 0i64);
    let mut meta = Meta {
        first_id: first.id,
        last_id: first.id,
        n: rows.len(),
        min_ts: i64::MAX,
        max_ts: i64::MIN,
        levels: 0,
    };
    let (mut lt, mut ints, mut strs) = (String::new(), Vec::new(), Vec::new());
    for r in rows {
        put_varint(r.id.wrapping_sub(prev_id) as u64, &mut cols[C_IDS]);
        prev_id = r.id;
        put_varint(zig(r.ts.wrapping_sub(prev_ts)), &mut cols[C_TS]);
        prev_ts = r.ts;
        cols[C_LEVEL].push(r.level);
        comp.push(Some(r.component));
        lt.clear();
        message::split(r.message, &mut lt, &mut ints, &mut strs);
        logtypes.push(Some(&lt));
        corr.push(r.correlation_id);
        put_opt_text(r.fields, &mut cols[C_FIELDS]);
        thread.push(r.thread);
        put_opt_int(r.pid, &mut cols[C_PID]);
        file.push(r.file);
        put_opt_int(r.line, &mut cols[C_LINE]);
        host.push(r.host);
        put_opt_text(r.error, &mut cols[C_ERROR]);
        meta.last_id = r.id;
        meta.min_ts = meta.min_ts.min(r.ts);
        meta.max_ts = meta.max_ts.max(r.ts);
        meta.levels |= 1u8.checked_shl(u32::from(r.level)).unwrap_or(0);
        search_items(r, &mut items);
    }
    let [comp, logtypes, corr, thread, file, host] = dicts;
    cols[C_COMPONENT] = comp.finish();
    cols[C_LOGTYPE] = logtypes.finish();
    cols[C_CORRELATION] = corr.finish();
    cols[C_THREAD] = thread.finish();
    cols[C_FILE] = file.finish();
    cols[C_HOST] = host.finish();
    cols[C_INTS] = ints;
    cols[C_STRS] = strs;
    items.sort_unstable();
    items.dedup();
    let bloom = pack(&bloom::build(&items))?;
    let columns = cols.iter().map(|c| pack(c)).collect::<Result<_, _>>()?;
    Ok(Encoded {
        meta,
        bloom,
        columns,
    })
}

/// The bloom items of one record: its message words, its correlation id and its fields'
/// values (as [`crate::matcher::field_texts`] gives them).
fn search_items(r: &RowRef<'_>, items: &mut Vec<Vec<u8>>) {
    crate::text::for_each_word(r.message, |w| items.push(w.as_bytes().to_vec()));
    if let Some(c) = r.correlation_id {
        items.push(bloom::correlation_item(c));
    }
    if let Some(f) = r.fields {
        crate::matcher::field_texts(f, |k, v| items.push(bloom::field_item(k, v)));
    }
}

/// A block being read: its summary and the columns loaded so far.
pub(crate) struct Block {
    pub meta: Meta,
    cols: Vec<Option<Vec<u8>>>,
}

impl Block {
    pub(crate) fn new(meta: Meta) -> Block {
        Block {
            meta,
            cols: vec![None; COLUMNS],
        }
    }

    /// Whether column `c` is loaded.
    pub(crate) fn has(&self, c: usize) -> bool {
        self.cols[c].is_some()
    }

    /// Unpacks and keeps column `c`.
    pub(crate) fn set(&mut self, c: usize, packed: &[u8]) -> Result<(), Error> {
        self.cols[c] = Some(unpack(packed)?);
        Ok(())
    }

    fn col(&self, c: usize) -> Result<&[u8], Error> {
        self.cols[c]
            .as_deref()
            .ok_or_else(|| corrupt(format!("column {c} not loaded")))
    }

    pub(crate) fn ids(&self) -> Result<Vec<i64>, Error> {
        let mut r = Reader::new(self.col(C_IDS)?);
        let mut prev = self.meta.first_id;
        let mut out = Vec::with_capacity(self.meta.n);
        for _ in 0..self.meta.n {
            prev = prev.wrapping_add(r.varint()? as i64);
            out.push(prev);
        }
        Ok(out)
    }

    pub(crate) fn ts(&self) -> Result<Vec<i64>, Error> {
        let mut r = Reader::new(self.col(C_TS)?);
        let mut prev = 0i64;
        let mut out = Vec::with_capacity(self.meta.n);
        for _ in 0..self.meta.n {
            prev = prev.wrapping_add(unzig(r.varint()?));
            out.push(prev);
        }
        Ok(out)
    }

    pub(crate) fn levels(&self) -> Result<&[u8], Error> {
        let l = self.col(C_LEVEL)?;
        if l.len() != self.meta.n || l.iter().any(|l| *l > 5) {
            return Err(corrupt("level column"));
        }
        Ok(l)
    }

    pub(crate) fn dict(&self, c: usize) -> Result<Dict<'_>, Error> {
        Dict::decode(self.col(c)?, self.meta.n)
    }

    pub(crate) fn opt_texts(&self, c: usize) -> Result<Vec<Option<&str>>, Error> {
        let mut r = Reader::new(self.col(c)?);
        (0..self.meta.n).map(|_| r.opt_text()).collect()
    }

    pub(crate) fn opt_ints(&self, c: usize) -> Result<Vec<Option<i64>>, Error> {
        let mut r = Reader::new(self.col(c)?);
        (0..self.meta.n).map(|_| get_opt_int(&mut r)).collect()
    }

    /// The messages (the log type, ints and strs columns must be loaded).
    pub(crate) fn messages(&self) -> Result<Messages, Error> {
        self.messages_where(|_| true)
    }

    /// The messages of the records `keep` selects; the others are left empty.
    pub(crate) fn messages_where(&self, keep: impl Fn(usize) -> bool) -> Result<Messages, Error> {
        let logtypes = self.dict(C_LOGTYPE)?;
        let mut ints = Reader::new(self.col(C_INTS)?);
        let mut strs = Reader::new(self.col(C_STRS)?);
        let mut m = Messages {
            text: String::new(),
            ends: Vec::with_capacity(self.meta.n),
        };
        for i in 0..self.meta.n {
            let lt = logtypes
                .get(i)
                .ok_or_else(|| corrupt("message without log type"))?;
            if keep(i) {
                message::join(lt, &mut ints, &mut strs, &mut m.text)?;
            } else {
                message::skip(lt, &mut ints, &mut strs)?;
            }
            m.ends.push(m.text.len());
        }
        Ok(m)
    }

    /// Decodes every column (all must be loaded); `messages` when they are decoded already.
    pub(crate) fn decode(&self, messages: Option<Messages>) -> Result<Decoded<'_>, Error> {
        let messages = match messages {
            Some(m) => m,
            None => self.messages()?,
        };
        self.decode_without_messages()?.with_messages(messages)
    }

    /// Decodes every column but the message (all others must be loaded); the records'
    /// messages are empty until [`Decoded::with_messages`].
    pub(crate) fn decode_without_messages(&self) -> Result<Decoded<'_>, Error> {
        let messages = Messages {
            text: String::new(),
            ends: vec![0; self.meta.n],
        };
        let d = Decoded {
            ids: self.ids()?,
            ts: self.ts()?,
            levels: self.levels()?,
            component: self.dict(C_COMPONENT)?,
            messages,
            correlation: self.dict(C_CORRELATION)?,
            fields: self.opt_texts(C_FIELDS)?,
            thread: self.dict(C_THREAD)?,
            pid: self.opt_ints(C_PID)?,
            file: self.dict(C_FILE)?,
            line: self.opt_ints(C_LINE)?,
            host: self.dict(C_HOST)?,
            error: self.opt_texts(C_ERROR)?,
        };
        if d.component.idx.contains(&0) {
            return Err(corrupt("record without component"));
        }
        Ok(d)
    }
}

/// A block's messages, in one buffer.
pub(crate) struct Messages {
    text: String,
    ends: Vec<usize>,
}

impl Messages {
    pub(crate) fn len(&self) -> usize {
        self.ends.len()
    }

    pub(crate) fn get(&self, i: usize) -> &str {
        let start = if i == 0 { 0 } else { self.ends[i - 1] };
        &self.text[start..self.ends[i]]
    }
}

/// Every column of a block, decoded.
pub(crate) struct Decoded<'a> {
    ids: Vec<i64>,
    ts: Vec<i64>,
    levels: &'a [u8],
    component: Dict<'a>,
    messages: Messages,
    correlation: Dict<'a>,
    fields: Vec<Option<&'a str>>,
    thread: Dict<'a>,
    pid: Vec<Option<i64>>,
    file: Dict<'a>,
    line: Vec<Option<i64>>,
    host: Dict<'a>,
    error: Vec<Option<&'a str>>,
}

impl Decoded<'_> {
    pub(crate) fn len(&self) -> usize {
        self.ids.len()
    }

    /// The same records with these messages.
    pub(crate) fn with_messages(mut self, m: Messages) -> Result<Self, Error> {
        if m.len() != self.len() {
            return Err(corrupt("message count"));
        }
        self.messages = m;
        Ok(self)
    }

    pub(crate) fn row(&self, i: usize) -> RowRef<'_> {
        RowRef {
            id: self.ids[i],
            ts: self.ts[i],
            level: self.levels[i],
            component: self.component.get(i).unwrap_or_default(),
            message: self.messages.get(i),
            correlation_id: self.correlation.get(i),
            fields: self.fields[i],
            thread: self.thread.get(i),
            pid: self.pid[i],
            file: self.file.get(i),
            line: self.line[i],
            host: self.host.get(i),
            error: self.error[i],
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    pub(crate) fn hostile_rows() -> Vec<RawRow> {
        let mut rows = Vec::new();
        for i in 0..300i64 {
            rows.push(RawRow {
                id: 1_000 + i * if i % 7 == 0 { 2 } else { 1 },
                ts: if i == 5 {
                    i64::MIN
                } else if i == 6 {
                    i64::MAX
                } else {
                    1_700_000_000_000_000_000 - i * 1_000
                },
                level: (i % 6) as u8,
                component: format!("hw.c{}", i % 3),
                message: match i % 5 {
                    0 => format!("port {i} from 10.0.0.{i} id deadbeef{i:04}"),
                    1 => "nul \0 and \u{11}\u{12}\u{13} markers".into(),
                    2 => String::new(),
                    3 => "Grüße aus Köln 🚀\n\ttab".into(),
                    _ => "x".repeat(70_000),
                },
                correlation_id: (i % 4 != 0).then(|| format!("req-{}", i / 10)),
                fields: (i % 3 != 0).then(|| format!(r#"{{"host":"node-{:02}","n":{i}}}"#, i % 16)),
                thread: (i % 2 == 0).then(|| format!("worker#{i}")),
                pid: (i % 5 != 0).then_some(i * 1_000),
                file: (i % 6 == 0).then(|| "src/main.rs".into()),
                line: (i % 6 == 0).then_some(i),
                host: (i % 3 == 0).then(|| "ctx-host".into()),
                error: (i % 9 == 0).then(|| "boom\nbacktrace".into()),
            });
        }
        rows
    }

    fn load_all(e: &Encoded) -> Block {
        let mut b = Block::new(e.meta);
        for (c, data) in e.columns.iter().enumerate() {
            b.set(c, data).unwrap();
        }
        b
    }

    #[test]
    fn hostile_records_round_trip() {
        let rows = hostile_rows();
        let refs: Vec<RowRef<'_>> = rows.iter().map(RawRow::as_ref).collect();
        let e = encode(&refs).unwrap();
        assert_eq!(e.meta.n, 300);
        assert_eq!(e.meta.first_id, 1_000);
        assert_eq!((e.meta.min_ts, e.meta.max_ts), (i64::MIN, i64::MAX));
        assert_eq!(e.meta.levels, 0b11_1111);
        let b = load_all(&e);
        let d = b.decode(None).unwrap();
        assert_eq!(d.len(), 300);
        for (i, r) in rows.iter().enumerate() {
            assert_eq!(&d.row(i).to_raw(), r, "row {i}");
        }
        let bits = unpack(&e.bloom).unwrap();
        assert!(bloom::may_contain(&bits, b"koln"));
        assert!(bloom::may_contain(&bits, &bloom::correlation_item("req-3")));
        assert!(bloom::may_contain(
            &bits,
            &bloom::field_item("host", "node-07")
        ));
        assert!(bloom::may_contain(&bits, &bloom::field_item("n", "10")));
        assert!(!bloom::may_contain(&bits, b"absentword"));
    }

    #[test]
    fn damaged_columns_are_corrupt_not_panics() {
        let rows = hostile_rows();
        let refs: Vec<RowRef<'_>> = rows.iter().map(RawRow::as_ref).collect();
        let e = encode(&refs).unwrap();
        for c in 0..COLUMNS {
            // A column swapped for another one's bytes passes the checksum: decoding must
            // still refuse it or give rows, never panic.
            let mut b = load_all(&e);
            b.set(c, &e.columns[(c + 3) % COLUMNS]).unwrap();
            let _ = b
                .decode(None)
                .map(|d| (0..d.len()).map(|i| d.row(i).id).sum::<i64>());
            let mut bad = e.columns[c].clone();
            let mid = bad.len() / 2;
            bad[mid] ^= 0x10;
            assert!(Block::new(e.meta).set(c, &bad).is_err(), "column {c}");
        }
    }
}
