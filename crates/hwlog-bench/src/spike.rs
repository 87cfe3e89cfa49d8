//! `hwlog-bench store-spike`: two block designs for the log store, measured on the same rows.
//!
//! Reads every record of a data dir written by `hwlog serve` (`hwlog-bench store --keep
//! DIR`), cuts them into blocks of `block` records in id order and writes each design into
//! a fresh SQLite file (one table of blocks; WAL off, so the file is all there is):
//!
//! - **rows**: each block is its records' rows (the row store's columns, tab-separated,
//!   one line per record) compressed with zstd as one blob;
//! - **columns**: each block is stored column by column, each column compressed by itself:
//!   timestamps as zigzag varint deltas, level bytes, component and correlation id through a
//!   per-block dictionary, the message as a "log type" (the text with its numbers cut out,
//!   through a dictionary) plus its numbers as varints and its other variable tokens (long
//!   hex, numbers with leading zeros) as text, fields and the rest as text columns.
//!
//! Both get the same per-block summary: time range, level mask, and a bloom filter of the
//! message's words, correlation ids and `key=value` field pairs. The queries of issue 13 run
//! on each: a needle word, a correlation id, volume per minute by level, a field filter.
use std::collections::HashMap;
use std::path::Path;
use std::time::Instant;

use rusqlite::{params, Connection};
use serde_json::{json, Value};

/// One row of the row store.
#[derive(Clone, Default)]
struct Row {
    id: i64,
    ts: i64,
    level: u8,
    component: String,
    message: String,
    correlation: String,
    fields: String,
    rest: String,
}

fn read_rows(db: &Path) -> Result<Vec<Row>, String> {
    let c = Connection::open(db).map_err(|e| e.to_string())?;
    let mut stmt = c
        .prepare(
            "SELECT id, ts, level, component, message, coalesce(correlation_id, ''),
                    coalesce(fields, ''), coalesce(thread, '') || char(9) || coalesce(pid, '')
                    || char(9) || coalesce(file, '') || char(9) || coalesce(line, '') || char(9)
                    || coalesce(host, '') || char(9) || coalesce(error, '')
             FROM logs ORDER BY id",
        )
        .map_err(|e| e.to_string())?;
    let rows = stmt
        .query_map([], |r| {
            Ok(Row {
                id: r.get(0)?,
                ts: r.get(1)?,
                level: r.get::<_, i64>(2)? as u8,
                component: r.get(3)?,
                message: r.get(4)?,
                correlation: r.get(5)?,
                fields: r.get(6)?,
                rest: r.get(7)?,
            })
        })
        .map_err(|e| e.to_string())?
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| e.to_string())?;
    Ok(rows)
}

// ---- shared pieces: varints, tokens, bloom filter ----

fn put_varint(mut v: u64, out: &mut Vec<u8>) {
    while v >= 0x80 {
        out.push(v as u8 | 0x80);
        v >>= 7;
    }
    out.push(v as u8);
}

fn get_varint(b: &[u8], pos: &mut usize) -> u64 {
    let mut v = 0u64;
    let mut shift = 0;
    while *pos < b.len() {
        let x = b[*pos];
        *pos += 1;
        v |= ((x & 0x7f) as u64) << shift;
        if x < 0x80 {
            break;
        }
        shift += 7;
    }
    v
}

fn zig(v: i64) -> u64 {
    ((v << 1) ^ (v >> 63)) as u64
}

fn unzig(v: u64) -> i64 {
    ((v >> 1) as i64) ^ -((v & 1) as i64)
}

/// The words of a message as the full-text index sees them: runs of alphanumeric
/// characters, lowercased.
fn words(text: &str) -> impl Iterator<Item = String> + '_ {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(|w| w.to_lowercase())
}

fn hash(s: &[u8], seed: u64) -> u64 {
    use std::hash::Hasher;
    let mut h = foldhash_like(seed);
    h.write(s);
    h.finish()
}

fn foldhash_like(seed: u64) -> std::collections::hash_map::DefaultHasher {
    use std::hash::Hasher;
    let mut h = std::collections::hash_map::DefaultHasher::new();
    h.write_u64(seed);
    h
}

/// A bloom filter with 10 bits per item and 7 probes (about 1% false positives).
struct Bloom {
    bits: Vec<u64>,
}

impl Bloom {
    fn new(items: usize) -> Bloom {
        let words = (items * 10).div_ceil(64).max(1);
        Bloom {
            bits: vec![0; words],
        }
    }
    fn probes(&self, item: &[u8]) -> impl Iterator<Item = usize> {
        let n = self.bits.len() as u64 * 64;
        let (a, b) = (hash(item, 1), hash(item, 2) | 1);
        (0..7u64).map(move |i| (a.wrapping_add(i.wrapping_mul(b)) % n) as usize)
    }
    fn insert(&mut self, item: &[u8]) {
        let p: Vec<usize> = self.probes(item).collect();
        for i in p {
            self.bits[i / 64] |= 1 << (i % 64);
        }
    }
    fn contains(bits: &[u8], item: &[u8]) -> bool {
        let words = bits.len() / 8;
        if words == 0 {
            return false;
        }
        let n = words as u64 * 64;
        let (a, b) = (hash(item, 1), hash(item, 2) | 1);
        (0..7u64).all(|i| {
            let bit = (a.wrapping_add(i.wrapping_mul(b)) % n) as usize;
            bits[bit / 8] & (1 << (bit % 8)) != 0
        })
    }
    fn to_bytes(&self) -> Vec<u8> {
        self.bits.iter().flat_map(|w| w.to_le_bytes()).collect()
    }
}

/// The summary both designs keep per block: the bloom filter of its searchable items.
fn summary(rows: &[Row]) -> Vec<u8> {
    let mut items: Vec<Vec<u8>> = Vec::new();
    for r in rows {
        for w in words(&r.message) {
            items.push(w.into_bytes());
        }
        items.push(format!("\u{1}c={}", r.correlation).into_bytes());
        if let Ok(Value::Object(o)) = serde_json::from_str::<Value>(&r.fields) {
            for (k, v) in o {
                let v = match v {
                    Value::String(s) => s,
                    v => v.to_string(),
                };
                items.push(format!("\u{1}f{k}={v}").into_bytes());
            }
        }
    }
    items.sort_unstable();
    items.dedup();
    let mut b = Bloom::new(items.len());
    for i in &items {
        b.insert(i);
    }
    zstd::bulk::compress(&b.to_bytes(), 1).unwrap_or_default()
}

// ---- the two encodings ----

const COLS: [&str; 9] = [
    "ts",
    "level",
    "component",
    "logtype",
    "ints",
    "strs",
    "correlation",
    "fields",
    "rest",
];

/// A per-block dictionary: each distinct text once, then an index per record.
#[derive(Default)]
struct Dict {
    ids: HashMap<String, u32>,
    texts: Vec<u8>,
    idx: Vec<u8>,
}

impl Dict {
    fn push(&mut self, s: &str) {
        let next = self.ids.len() as u32;
        let id = *self.ids.entry(s.to_string()).or_insert_with(|| {
            self.texts.extend_from_slice(s.as_bytes());
            self.texts.push(0);
            next
        });
        put_varint(id as u64, &mut self.idx);
    }
    fn finish(self) -> Vec<u8> {
        let mut out = Vec::new();
        put_varint(self.texts.len() as u64, &mut out);
        out.extend(self.texts);
        out.extend(self.idx);
        out
    }
}

fn dict_decode(b: &[u8], n: usize) -> Vec<String> {
    let mut pos = 0;
    let tl = get_varint(b, &mut pos) as usize;
    let texts: Vec<String> = b[pos..pos + tl]
        .split(|&c| c == 0)
        .map(|s| String::from_utf8_lossy(s).into_owned())
        .collect();
    pos += tl;
    (0..n)
        .map(|_| texts[get_varint(b, &mut pos) as usize].clone())
        .collect()
}

/// Splits a message into its log type (numbers replaced by `\x11`, other variables by
/// `\x12`), its numbers and its other variables.
fn split_message(m: &str, logtype: &mut String, ints: &mut Vec<u8>, strs: &mut Vec<u8>) {
    for (i, tok) in m.split(' ').enumerate() {
        if i > 0 {
            logtype.push(' ');
        }
        let hexish = tok.len() >= 8
            && tok.bytes().all(|b| b.is_ascii_hexdigit())
            && tok.bytes().any(|b| b.is_ascii_alphabetic());
        if hexish {
            logtype.push('\u{12}');
            strs.extend_from_slice(tok.as_bytes());
            strs.push(0);
            continue;
        }
        let b = tok.as_bytes();
        let mut j = 0;
        while j < b.len() {
            if b[j].is_ascii_digit() {
                let start = j;
                while j < b.len() && b[j].is_ascii_digit() {
                    j += 1;
                }
                let run = &tok[start..j];
                if run.len() <= 18 && (run.len() == 1 || !run.starts_with('0')) {
                    logtype.push('\u{11}');
                    put_varint(run.parse::<u64>().unwrap_or(0), ints);
                } else {
                    logtype.push('\u{12}');
                    strs.extend_from_slice(run.as_bytes());
                    strs.push(0);
                }
            } else {
                let start = j;
                while j < b.len() && !b[j].is_ascii_digit() {
                    j += 1;
                }
                logtype.push_str(&tok[start..j]);
            }
        }
    }
}

fn join_message(logtype: &str, ints: &[u8], ip: &mut usize, strs: &[u8], sp: &mut usize) -> String {
    let mut out = String::with_capacity(logtype.len() + 32);
    for c in logtype.chars() {
        match c {
            '\u{11}' => {
                let v = get_varint(ints, ip);
                out.push_str(itoa::Buffer::new().format(v));
            }
            '\u{12}' => {
                let end = strs[*sp..]
                    .iter()
                    .position(|&b| b == 0)
                    .map_or(strs.len(), |e| *sp + e);
                out.push_str(&String::from_utf8_lossy(&strs[*sp..end]));
                *sp = end + 1;
            }
            c => out.push(c),
        }
    }
    out
}

fn encode_columns(rows: &[Row], level: i32) -> Vec<Vec<u8>> {
    let (mut ts, mut lv) = (Vec::new(), Vec::new());
    let (mut comp, mut logt, mut corr) = (Dict::default(), Dict::default(), Dict::default());
    let (mut ints, mut strs, mut fields, mut rest) =
        (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    let mut prev = 0i64;
    let mut lt = String::new();
    for r in rows {
        put_varint(zig(r.ts.wrapping_sub(prev)), &mut ts);
        prev = r.ts;
        lv.push(r.level);
        comp.push(&r.component);
        lt.clear();
        split_message(&r.message, &mut lt, &mut ints, &mut strs);
        logt.push(&lt);
        corr.push(&r.correlation);
        fields.extend_from_slice(r.fields.as_bytes());
        fields.push(0);
        rest.extend_from_slice(r.rest.as_bytes());
        rest.push(0);
    }
    [
        ts,
        lv,
        comp.finish(),
        logt.finish(),
        ints,
        strs,
        corr.finish(),
        fields,
        rest,
    ]
    .iter()
    .map(|c| zstd::bulk::compress(c, level).unwrap_or_default())
    .collect()
}

fn encode_rows(rows: &[Row], level: i32) -> Vec<u8> {
    let mut text = Vec::new();
    for r in rows {
        use std::io::Write;
        let _ = writeln!(
            text,
            "{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}",
            r.id,
            r.ts,
            r.level,
            r.component,
            r.message.replace(['\t', '\n'], " "),
            r.correlation,
            r.fields,
            r.rest
        );
    }
    zstd::bulk::compress(&text, level).unwrap_or_default()
}

fn unzstd(b: &[u8]) -> Vec<u8> {
    zstd::stream::decode_all(b).unwrap_or_default()
}

// ---- the spike ----

struct Design {
    name: &'static str,
    conn: Connection,
    path: std::path::PathBuf,
}

fn create(dir: &Path, name: &'static str) -> Result<Design, String> {
    let path = dir.join(format!("{name}.db"));
    let conn = Connection::open(&path).map_err(|e| e.to_string())?;
    conn.execute_batch(
        "PRAGMA page_size = 16384; PRAGMA journal_mode = DELETE;
         CREATE TABLE blocks (id INTEGER PRIMARY KEY, first_id INTEGER, n INTEGER,
             min_ts INTEGER, max_ts INTEGER, levels INTEGER, bloom BLOB);
         CREATE TABLE cols (id INTEGER PRIMARY KEY, data BLOB);",
    )
    .map_err(|e| e.to_string())?;
    Ok(Design { name, conn, path })
}

fn pct(v: &mut [f64], p: f64) -> f64 {
    v.sort_by(f64::total_cmp);
    v[((p * v.len() as f64).ceil() as usize).clamp(1, v.len()) - 1]
}

/// Runs the spike on the records of `db`.
pub fn run(db: &Path, block: usize, level: i32, needle: &str, host: &str) -> Result<Value, String> {
    let rows = read_rows(db)?;
    if rows.is_empty() {
        return Err("no records".into());
    }
    let n = rows.len();
    let tmp = tempfile::tempdir().map_err(|e| e.to_string())?;
    let probe_corr = rows[n / 2].correlation.clone();
    let mut out = serde_json::Map::new();
    for name in ["rows", "columns"] {
        let mut d = create(tmp.path(), name)?;
        let t = Instant::now();
        let tx = d.conn.transaction().map_err(|e| e.to_string())?;
        for (b, chunk) in rows.chunks(block).enumerate() {
            let levels = chunk.iter().fold(0i64, |m, r| m | 1 << r.level);
            tx.execute(
                "INSERT INTO blocks VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                params![
                    b as i64,
                    chunk[0].id,
                    chunk.len() as i64,
                    chunk.iter().map(|r| r.ts).min(),
                    chunk.iter().map(|r| r.ts).max(),
                    levels,
                    summary(chunk)
                ],
            )
            .map_err(|e| e.to_string())?;
            let cols = if name == "rows" {
                vec![encode_rows(chunk, level)]
            } else {
                encode_columns(chunk, level)
            };
            for (c, data) in cols.iter().enumerate() {
                tx.execute(
                    "INSERT INTO cols VALUES (?1, ?2)",
                    params![(b * 16 + c) as i64, data],
                )
                .map_err(|e| e.to_string())?;
            }
        }
        tx.commit().map_err(|e| e.to_string())?;
        let encode_s = t.elapsed().as_secs_f64();
        let bytes = std::fs::metadata(&d.path).map_err(|e| e.to_string())?.len();
        let mut col_bytes = serde_json::Map::new();
        if name == "columns" {
            for (c, cname) in COLS.iter().enumerate() {
                let s: i64 = d
                    .conn
                    .query_row(
                        "SELECT sum(length(data)) FROM cols WHERE id % 16 = ?1",
                        [c as i64],
                        |r| r.get(0),
                    )
                    .map_err(|e| e.to_string())?;
                col_bytes.insert(cname.to_string(), json!(s));
            }
        }
        let bloom: i64 = d
            .conn
            .query_row("SELECT sum(length(bloom)) FROM blocks", [], |r| r.get(0))
            .map_err(|e| e.to_string())?;
        let mut q = serde_json::Map::new();
        for query in ["needle", "correlation", "volume", "field"] {
            let mut lat = Vec::new();
            let mut found = 0;
            for _ in 0..5 {
                let t = Instant::now();
                found = run_query(&mut d, query, needle, &probe_corr, host, n)?;
                lat.push(t.elapsed().as_secs_f64() * 1000.0);
            }
            q.insert(
                query.into(),
                json!({"p50_ms": pct(&mut lat, 0.5), "found": found}),
            );
        }
        out.insert(
            d.name.into(),
            json!({
                "file_bytes": bytes,
                "bytes_per_record": bytes as f64 / n as f64,
                "bloom_bytes": bloom,
                "columns": col_bytes,
                "encode_records_per_s": n as f64 / encode_s,
                "queries": q,
            }),
        );
    }
    Ok(json!({"records": n, "block": block, "zstd_level": level, "designs": out}))
}

/// Decodes the message, correlation, level/ts or fields of the blocks a query needs and
/// returns how many records it found.
fn run_query(
    d: &mut Design,
    query: &str,
    needle: &str,
    corr: &str,
    host: &str,
    n: usize,
) -> Result<usize, String> {
    let columnar = d.name == "columns";
    let col = |conn: &Connection, b: i64, c: usize| -> Vec<u8> {
        let c = if columnar { c } else { 0 };
        conn.query_row(
            "SELECT data FROM cols WHERE id = ?1",
            [b * 16 + c as i64],
            |r| r.get::<_, Vec<u8>>(0),
        )
        .map(|b| unzstd(&b))
        .unwrap_or_default()
    };
    let blocks: Vec<(i64, usize, Vec<u8>)> = {
        let mut stmt = d
            .conn
            .prepare_cached("SELECT id, n, bloom FROM blocks ORDER BY id DESC")
            .map_err(|e| e.to_string())?;
        let rows = stmt
            .query_map([], |r| {
                Ok((r.get(0)?, r.get::<_, i64>(1)? as usize, r.get(2)?))
            })
            .map_err(|e| e.to_string())?;
        rows.collect::<Result<_, _>>().map_err(|e| e.to_string())?
    };
    let mut found = 0;
    let item = match query {
        "needle" => needle.to_lowercase().into_bytes(),
        "correlation" => format!("\u{1}c={corr}").into_bytes(),
        "field" => format!("\u{1}fhost={host}").into_bytes(),
        _ => Vec::new(),
    };
    for (b, cnt, bloom) in blocks {
        if query != "volume" {
            let bits = unzstd(&bloom);
            if !Bloom::contains(&bits, &item) {
                continue;
            }
        }
        match (query, columnar) {
            ("volume", true) => {
                let ts = col(&d.conn, b, 0);
                let lv = col(&d.conn, b, 1);
                let mut counts: HashMap<(i64, u8), u64> = HashMap::new();
                let (mut pos, mut prev) = (0, 0i64);
                for l in lv.iter().take(cnt) {
                    prev = prev.wrapping_add(unzig(get_varint(&ts, &mut pos)));
                    *counts.entry((prev / 60_000_000_000, *l)).or_default() += 1;
                }
                found += counts.values().sum::<u64>() as usize;
            }
            ("needle", true) => {
                let lts = dict_decode(&col(&d.conn, b, 3), cnt);
                let ints = col(&d.conn, b, 4);
                let strs = col(&d.conn, b, 5);
                let (mut ip, mut sp) = (0, 0);
                for lt in &lts {
                    let m = join_message(lt, &ints, &mut ip, &strs, &mut sp);
                    if words(&m).any(|w| w == needle) {
                        found += 1;
                    }
                }
            }
            ("correlation", true) => {
                found += dict_decode(&col(&d.conn, b, 6), cnt)
                    .iter()
                    .filter(|c| *c == corr)
                    .count();
            }
            ("field", true) => {
                let f = col(&d.conn, b, 7);
                let pat = format!("\"host\":\"{host}\"");
                found += f
                    .split(|&c| c == 0)
                    .filter(|s| std::str::from_utf8(s).is_ok_and(|s| s.contains(&pat)))
                    .count();
            }
            (_, false) => {
                let text = col(&d.conn, b, 0);
                let text = String::from_utf8_lossy(&text);
                let pat = format!("\"host\":\"{host}\"");
                let mut counts: HashMap<(i64, u8), u64> = HashMap::new();
                for line in text.lines() {
                    let mut f = line.split('\t');
                    let (_, ts, lv, _, msg, c, fields) = (
                        f.next(),
                        f.next(),
                        f.next(),
                        f.next(),
                        f.next().unwrap_or(""),
                        f.next().unwrap_or(""),
                        f.next().unwrap_or(""),
                    );
                    match query {
                        "needle" if words(msg).any(|w| w == needle) => found += 1,
                        "correlation" if c == corr => found += 1,
                        "field" if fields.contains(&pat) => found += 1,
                        "volume" => {
                            let ts: i64 = ts.and_then(|t| t.parse().ok()).unwrap_or(0);
                            let lv: u8 = lv.and_then(|t| t.parse().ok()).unwrap_or(0);
                            *counts.entry((ts / 60_000_000_000, lv)).or_default() += 1;
                        }
                        _ => {}
                    }
                }
                found += counts.values().sum::<u64>() as usize;
            }
            _ => {}
        }
        if query == "field" && found >= 100 {
            break;
        }
    }
    let _ = n;
    Ok(found)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_come_back_whole() {
        for m in [
            "PacketResponder 1 for block blk_-6952295868487656571 terminating",
            "Invalid user webmaster from 173.234.31.186 port 007 id deadbeef00 x 0 00",
            "",
            " two  spaces ",
            "ünïcode 12ab34 99999999999999999999999",
        ] {
            let (mut lt, mut ints, mut strs) = (String::new(), Vec::new(), Vec::new());
            split_message(m, &mut lt, &mut ints, &mut strs);
            let (mut ip, mut sp) = (0, 0);
            assert_eq!(join_message(&lt, &ints, &mut ip, &strs, &mut sp), m);
        }
    }
}
