//! The byte-level pieces of a block: varints, a bounds-checked reader, per-block
//! dictionaries, optional texts and integers, and zstd-compressed column frames.
//!
//! Every read is checked: a truncated or altered column gives [`ErrorKind::Corrupt`], never
//! a panic or an allocation larger than the column claims (and at most [`MAX_COLUMN`]).
use crate::{Error, ErrorKind};

/// The largest decompressed column a block may hold (a block of 8,192 records of 64 KiB
/// messages is 512 MiB; sealing cuts blocks at [`super::MAX_BLOCK_BYTES`] of raw text).
pub(crate) const MAX_COLUMN: usize = 256 << 20;

/// zstd level of the columns: level 3 (zstd's default) is within 4% of level 9 on log
/// columns at a third of the time (`hwlog-bench store-spike --zstd-level`).
const ZSTD_LEVEL: i32 = 3;

pub(crate) fn corrupt(what: impl std::fmt::Display) -> Error {
    Error::new(ErrorKind::Corrupt, format!("block: {what}"))
}

pub(crate) fn put_varint(mut v: u64, out: &mut Vec<u8>) {
    while v >= 0x80 {
        out.push(v as u8 | 0x80);
        v >>= 7;
    }
    out.push(v as u8);
}

pub(crate) fn zig(v: i64) -> u64 {
    ((v << 1) ^ (v >> 63)) as u64
}

pub(crate) fn unzig(v: u64) -> i64 {
    ((v >> 1) as i64) ^ -((v & 1) as i64)
}

/// Reads varints and byte strings from a column, checking every bound.
pub(crate) struct Reader<'a> {
    b: &'a [u8],
    pos: usize,
}

impl<'a> Reader<'a> {
    pub(crate) fn new(b: &'a [u8]) -> Reader<'a> {
        Reader { b, pos: 0 }
    }

    pub(crate) fn varint(&mut self) -> Result<u64, Error> {
        let mut v = 0u64;
        for shift in (0..64).step_by(7) {
            let Some(&x) = self.b.get(self.pos) else {
                return Err(corrupt("column ends inside a number"));
            };
            self.pos += 1;
            v |= u64::from(x & 0x7f) << shift;
            if x < 0x80 {
                return Ok(v);
            }
        }
        Err(corrupt("number longer than 10 bytes"))
    }

    /// A varint that must be below `bound` (a count or index).
    pub(crate) fn index(&mut self, bound: usize) -> Result<usize, Error> {
        let v = self.varint()?;
        if v >= bound as u64 {
            return Err(corrupt(format!("index {v} out of range 0..{bound}")));
        }
        Ok(v as usize)
    }

    pub(crate) fn bytes(&mut self, n: usize) -> Result<&'a [u8], Error> {
        let end = self
            .pos
            .checked_add(n)
            .filter(|e| *e <= self.b.len())
            .ok_or_else(|| corrupt("column ends inside a text"))?;
        let s = &self.b[self.pos..end];
        self.pos = end;
        Ok(s)
    }

    /// A length-prefixed UTF-8 text.
    pub(crate) fn text(&mut self) -> Result<&'a str, Error> {
        let n = self.index(self.b.len() - self.pos + 1)?;
        std::str::from_utf8(self.bytes(n)?).map_err(|_| corrupt("text is not UTF-8"))
    }

    /// `None` (a 0) or a length-prefixed text (its length + 1).
    pub(crate) fn opt_text(&mut self) -> Result<Option<&'a str>, Error> {
        let n = self.index(self.b.len() - self.pos + 2)?;
        if n == 0 {
            return Ok(None);
        }
        let s = self.bytes(n - 1)?;
        std::str::from_utf8(s)
            .map(Some)
            .map_err(|_| corrupt("text is not UTF-8"))
    }

    #[cfg(test)]
    pub(crate) fn is_empty(&self) -> bool {
        self.pos >= self.b.len()
    }
}

pub(crate) fn put_text(s: &str, out: &mut Vec<u8>) {
    put_varint(s.len() as u64, out);
    out.extend_from_slice(s.as_bytes());
}

pub(crate) fn put_opt_text(s: Option<&str>, out: &mut Vec<u8>) {
    match s {
        None => out.push(0),
        Some(s) => {
            put_varint(s.len() as u64 + 1, out);
            out.extend_from_slice(s.as_bytes());
        }
    }
}

/// `None` as a 0, `Some(v)` as a 1 and then `v` zigzag-encoded.
pub(crate) fn put_opt_int(v: Option<i64>, out: &mut Vec<u8>) {
    match v {
        None => out.push(0),
        Some(v) => {
            out.push(1);
            put_varint(zig(v), out);
        }
    }
}

pub(crate) fn get_opt_int(r: &mut Reader<'_>) -> Result<Option<i64>, Error> {
    match r.varint()? {
        0 => Ok(None),
        1 => Ok(Some(unzig(r.varint()?))),
        t => Err(corrupt(format!("optional number tagged {t}"))),
    }
}

/// A per-block dictionary of optional texts: each distinct text once, then one index per
/// record (0 is `None`).
#[derive(Default)]
pub(crate) struct DictWriter {
    ids: std::collections::HashMap<String, u64>,
    entries: Vec<u8>,
    idx: Vec<u8>,
}

impl DictWriter {
    pub(crate) fn push(&mut self, s: Option<&str>) {
        let id = match s {
            None => 0,
            Some(s) => match self.ids.get(s) {
                Some(id) => *id,
                None => {
                    let id = self.ids.len() as u64 + 1;
                    self.ids.insert(s.to_string(), id);
                    put_text(s, &mut self.entries);
                    id
                }
            },
        };
        put_varint(id, &mut self.idx);
    }

    pub(crate) fn finish(self) -> Vec<u8> {
        let mut out = Vec::with_capacity(self.entries.len() + self.idx.len() + 5);
        put_varint(self.ids.len() as u64, &mut out);
        out.extend(self.entries);
        out.extend(self.idx);
        out
    }
}

/// A decoded dictionary column: the distinct texts and each record's index (0 is `None`,
/// `i` is `entries[i - 1]`).
pub(crate) struct Dict<'a> {
    pub entries: Vec<&'a str>,
    pub idx: Vec<u32>,
}

impl<'a> Dict<'a> {
    pub(crate) fn decode(b: &'a [u8], n: usize) -> Result<Dict<'a>, Error> {
        let mut r = Reader::new(b);
        let count = r.index(b.len() + 1)?;
        let mut entries = Vec::with_capacity(count);
        for _ in 0..count {
            entries.push(r.text()?);
        }
        let mut idx = Vec::with_capacity(n);
        for _ in 0..n {
            idx.push(r.index(count + 1)? as u32);
        }
        Ok(Dict { entries, idx })
    }

    pub(crate) fn get(&self, row: usize) -> Option<&'a str> {
        match self.idx[row] {
            0 => None,
            i => Some(self.entries[i as usize - 1]),
        }
    }
}

/// Compresses a column: its raw length as a varint, then one zstd frame with a checksum.
pub(crate) fn pack(raw: &[u8]) -> Result<Vec<u8>, Error> {
    use zstd::zstd_safe::CParameter;
    let mut c = zstd::bulk::Compressor::new(ZSTD_LEVEL)
        .and_then(|mut c| c.set_parameter(CParameter::ChecksumFlag(true)).map(|_| c))
        .map_err(|e| Error::new(ErrorKind::Io, format!("zstd: {e}")))?;
    let frame = c
        .compress(raw)
        .map_err(|e| Error::new(ErrorKind::Io, format!("zstd: {e}")))?;
    let mut out = Vec::with_capacity(frame.len() + 5);
    put_varint(raw.len() as u64, &mut out);
    out.extend(frame);
    Ok(out)
}

/// Decompresses a column written by [`pack`], refusing a claimed size over [`MAX_COLUMN`],
/// a frame whose checksum or size does not match.
pub(crate) fn unpack(packed: &[u8]) -> Result<Vec<u8>, Error> {
    let mut r = Reader::new(packed);
    let len = r.varint()?;
    if len > MAX_COLUMN as u64 {
        return Err(corrupt(format!("column claims {len} bytes")));
    }
    let frame = &packed[r.pos..];
    thread_local! {
        static DECOMPRESSOR: std::cell::RefCell<Option<zstd::bulk::Decompressor<'static>>> =
            const { std::cell::RefCell::new(None) };
    }
    let raw = DECOMPRESSOR
        .with(|d| {
            let mut d = d.borrow_mut();
            if d.is_none() {
                *d = Some(zstd::bulk::Decompressor::new()?);
            }
            match d.as_mut() {
                Some(d) => d.decompress(frame, len as usize),
                None => unreachable!("set above"),
            }
        })
        .map_err(|e| corrupt(format!("column does not decompress: {e}")))?;
    if raw.len() as u64 != len {
        return Err(corrupt(format!(
            "column is {} bytes, its header says {len}",
            raw.len()
        )));
    }
    Ok(raw)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn varints_and_texts_round_trip() {
        let mut b = Vec::new();
        for v in [0u64, 1, 127, 128, u64::MAX] {
            put_varint(v, &mut b);
        }
        put_text("grüße", &mut b);
        put_opt_text(None, &mut b);
        put_opt_text(Some(""), &mut b);
        put_opt_int(Some(i64::MIN), &mut b);
        put_opt_int(None, &mut b);
        let mut r = Reader::new(&b);
        for v in [0u64, 1, 127, 128, u64::MAX] {
            assert_eq!(r.varint().unwrap(), v);
        }
        assert_eq!(r.text().unwrap(), "grüße");
        assert_eq!(r.opt_text().unwrap(), None);
        assert_eq!(r.opt_text().unwrap(), Some(""));
        assert_eq!(get_opt_int(&mut r).unwrap(), Some(i64::MIN));
        assert_eq!(get_opt_int(&mut r).unwrap(), None);
        assert!(r.is_empty());
        assert_eq!(r.varint().unwrap_err().kind(), ErrorKind::Corrupt);
        // A text longer than what is left, an endless number.
        assert!(Reader::new(&[9, b'a']).text().is_err());
        assert!(Reader::new(&[0xff; 11]).varint().is_err());
    }

    #[test]
    fn dictionaries_check_their_indexes() {
        let mut d = DictWriter::default();
        for s in [Some("a"), None, Some("b"), Some("a")] {
            d.push(s);
        }
        let b = d.finish();
        let dict = Dict::decode(&b, 4).unwrap();
        let got: Vec<_> = (0..4).map(|i| dict.get(i)).collect();
        assert_eq!(got, [Some("a"), None, Some("b"), Some("a")]);
        let mut bad = b.clone();
        *bad.last_mut().unwrap() = 7;
        assert_eq!(
            Dict::decode(&bad, 4).err().unwrap().kind(),
            ErrorKind::Corrupt
        );
        assert!(Dict::decode(&b, 5).is_err());
    }

    #[test]
    fn frames_detect_damage() {
        let raw: Vec<u8> = (0..10_000u32)
            .flat_map(|i| (i % 251).to_le_bytes())
            .collect();
        let p = pack(&raw).unwrap();
        assert_eq!(unpack(&p).unwrap(), raw);
        for i in [0, 1, p.len() / 2, p.len() - 1] {
            let mut bad = p.clone();
            bad[i] ^= 0x40;
            assert!(unpack(&bad).is_err(), "flip at {i}");
        }
        assert!(unpack(&p[..p.len() - 3]).is_err());
        let mut huge = Vec::new();
        put_varint(u64::MAX, &mut huge);
        assert!(unpack(&huge).is_err());
    }
}
