//! The two parts of a table on disk and how the store moves records between them.
//!
//! - The **head** (table `t`): the newest records as plain rows, no index but the id. An
//!   insert is one append to it, so an acknowledged record is durable and queryable at once.
//! - **Blocks** (`t_blocks`, `t_cols`): when the head holds [`BLOCK_ROWS`] records, its
//!   oldest [`BLOCK_ROWS`] are *sealed*: encoded column by column ([`crate::block`]), written
//!   as one block and deleted from the head, in one transaction, so a crash leaves them
//!   either all in the head or all in the block.
//!
//! Every id in a block is below every id in the head, and blocks are numbered in id order,
//! so reading newest first is: the head by id, then blocks from the highest number down.
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use rusqlite::{params, Connection, OptionalExtension, TransactionBehavior};

use super::conn::lock;
use crate::block::{
    self, Block, Encoded, Meta, RawRow, RowRef, BLOCK_ROWS, COLUMNS as NCOLS, COLUMN_STRIDE,
    C_COMPONENT, C_CORRELATION, C_INTS, C_LEVEL, C_LOGTYPE, C_STRS, C_TS, MAX_BLOCK_BYTES,
};
use crate::codec::COLUMNS;
use crate::matcher::Matcher;
use crate::{Error, ErrorKind, StoredRecord, VolumeQuery};

/// Reads a head row selected with [`COLUMNS`].
pub(super) fn raw_row(row: &rusqlite::Row<'_>) -> Result<RawRow, Error> {
    let id: i64 = row.get(0)?;
    let level: i64 = row.get(2)?;
    let level = u8::try_from(level)
        .ok()
        .filter(|l| *l <= 5)
        .ok_or_else(|| {
            Error::new(
                ErrorKind::Corrupt,
                format!("row {id}: level {level} is not 0..=5"),
            )
        })?;
    Ok(RawRow {
        id,
        ts: row.get(1)?,
        level,
        component: row.get(3)?,
        message: row.get(4)?,
        correlation_id: row.get(5)?,
        fields: row.get(6)?,
        thread: row.get(7)?,
        pid: row.get(8)?,
        file: row.get(9)?,
        line: row.get(10)?,
        host: row.get(11)?,
        error: row.get(12)?,
    })
}

/// The id the next inserted record gets: above every id in the head and in the blocks.
pub(super) fn next_id(conn: &Connection, t: &str) -> Result<i64, Error> {
    let id = conn.query_row(
        &format!(
            r#"SELECT max(coalesce((SELECT max(id) FROM "{t}"), 0),
                          coalesce((SELECT max(last_id) FROM "{t}_blocks"), 0)) + 1"#
        ),
        [],
        |r| r.get(0),
    )?;
    Ok(id)
}

pub(super) fn head_rows(conn: &Connection, t: &str) -> Result<u64, Error> {
    let n: i64 = conn.query_row(&format!(r#"SELECT count(*) FROM "{t}""#), [], |r| r.get(0))?;
    Ok(n as u64)
}

/// Seals the oldest head records into blocks of `rows` while the head holds at least that
/// many, at most `max_blocks` blocks; returns the records left in the head.
pub(super) fn seal(
    conn: &mut Connection,
    t: &str,
    rows: usize,
    max_blocks: usize,
) -> Result<u64, Error> {
    let per_block = rows.clamp(1, BLOCK_ROWS);
    let mut head = head_rows(conn, t)?;
    for _ in 0..max_blocks {
        if head < per_block as u64 {
            break;
        }
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let rows = {
            let mut stmt = tx.prepare_cached(&format!(
                r#"SELECT {COLUMNS} FROM "{t}" ORDER BY id LIMIT ?1"#
            ))?;
            let mut q = stmt.query([per_block as i64])?;
            let (mut rows, mut bytes) = (Vec::new(), 0);
            while let Some(r) = q.next()? {
                let r = raw_row(r)?;
                bytes += r.as_ref().text_len();
                rows.push(r);
                if bytes >= MAX_BLOCK_BYTES {
                    break;
                }
            }
            rows
        };
        let refs: Vec<RowRef<'_>> = rows.iter().map(RawRow::as_ref).collect();
        let enc = block::encode(&refs)?;
        let id: i64 = tx.query_row(
            &format!(r#"SELECT coalesce(max(id), 0) + 1 FROM "{t}_blocks""#),
            [],
            |r| r.get(0),
        )?;
        write_block(&tx, t, id, &enc)?;
        let gone = tx.execute(
            &format!(r#"DELETE FROM "{t}" WHERE id <= ?1"#),
            [enc.meta.last_id],
        )?;
        tx.commit()?;
        head = head.saturating_sub(gone as u64);
    }
    Ok(head)
}

/// Writes (or replaces) block `id`.
fn write_block(conn: &Connection, t: &str, id: i64, e: &Encoded) -> Result<(), Error> {
    let m = &e.meta;
    conn.prepare_cached(&format!(
        r#"INSERT OR REPLACE INTO "{t}_blocks" (id, first_id, last_id, n, min_ts, max_ts, levels, bloom)
           VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)"#
    ))?
    .execute(params![
        id,
        m.first_id,
        m.last_id,
        m.n as i64,
        m.min_ts,
        m.max_ts,
        i64::from(m.levels),
        e.bloom
    ])?;
    let mut stmt = conn.prepare_cached(&format!(
        r#"INSERT OR REPLACE INTO "{t}_cols" (id, data) VALUES (?1, ?2)"#
    ))?;
    for (c, data) in e.columns.iter().enumerate() {
        stmt.execute(params![id * COLUMN_STRIDE + c as i64, data])?;
    }
    Ok(())
}

fn delete_block(conn: &Connection, t: &str, id: i64) -> Result<(), Error> {
    conn.prepare_cached(&format!(r#"DELETE FROM "{t}_blocks" WHERE id = ?1"#))?
        .execute([id])?;
    conn.prepare_cached(&format!(
        r#"DELETE FROM "{t}_cols" WHERE id >= ?1 AND id < ?2"#
    ))?
    .execute([id * COLUMN_STRIDE, (id + 1) * COLUMN_STRIDE])?;
    Ok(())
}

const META_COLUMNS: &str = "id, first_id, last_id, n, min_ts, max_ts, levels";

fn meta_of(r: &rusqlite::Row<'_>) -> Result<(i64, Meta), Error> {
    let id: i64 = r.get(0)?;
    let n: i64 = r.get(3)?;
    let levels: i64 = r.get(6)?;
    if !(1..=BLOCK_ROWS as i64).contains(&n) || !(0..64).contains(&levels) {
        return Err(Error::new(
            ErrorKind::Corrupt,
            format!("block {id}: summary says {n} records, levels {levels}"),
        ));
    }
    Ok((
        id,
        Meta {
            first_id: r.get(1)?,
            last_id: r.get(2)?,
            n: n as usize,
            min_ts: r.get(4)?,
            max_ts: r.get(5)?,
            levels: levels as u8,
        },
    ))
}

/// Loads the columns `cols` of block `id` that `b` does not hold yet.
fn load(conn: &Connection, t: &str, id: i64, b: &mut Block, cols: &[usize]) -> Result<(), Error> {
    let mut stmt = conn.prepare_cached(&format!(r#"SELECT data FROM "{t}_cols" WHERE id = ?1"#))?;
    for &c in cols {
        if b.has(c) {
            continue;
        }
        let data: Option<Vec<u8>> = stmt
            .query_row([id * COLUMN_STRIDE + c as i64], |r| r.get(0))
            .optional()?;
        let data = data.ok_or_else(|| {
            Error::new(
                ErrorKind::Corrupt,
                format!("block {id}: column {c} missing"),
            )
        })?;
        b.set(c, &data).map_err(|e| {
            e.context(format!(
                "block {id} (records {}..={})",
                b.meta.first_id, b.meta.last_id
            ))
        })?;
    }
    Ok(())
}

const ALL: [usize; NCOLS] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14];

/// Most bytes of decoded bloom filters kept in memory (about 1.8 MB per million records
/// on realistic logs); beyond it the cache starts over.
const BLOOM_CACHE_BYTES: usize = 64 << 20;

/// Decoded bloom filters of recently queried blocks, so a warm query tests a block without
/// reading and unpacking its filter. An entry is used only while the block's summary is the
/// one it was read with (a rewritten block has a new one).
#[derive(Default)]
pub(super) struct BloomCache {
    map: HashMap<i64, (Meta, Arc<Vec<u8>>)>,
    bytes: usize,
}

impl BloomCache {
    fn get(&self, id: i64, meta: &Meta) -> Option<Arc<Vec<u8>>> {
        self.map
            .get(&id)
            .filter(|(m, _)| m == meta)
            .map(|(_, b)| Arc::clone(b))
    }

    fn put(&mut self, id: i64, meta: Meta, bits: Arc<Vec<u8>>) {
        if self.bytes + bits.len() > BLOOM_CACHE_BYTES {
            self.map.clear();
            self.bytes = 0;
        }
        self.bytes += bits.len();
        if let Some((_, old)) = self.map.insert(id, (meta, bits)) {
            self.bytes -= old.len();
        }
    }
}

/// Appends to `out`, newest first, the block records that match until it holds `want`.
pub(super) fn query(
    conn: &Connection,
    t: &str,
    m: &Matcher,
    want: usize,
    out: &mut Vec<StoredRecord>,
    cache: &Mutex<BloomCache>,
) -> Result<(), Error> {
    let items = m.bloom_items();
    let mut stmt = conn.prepare_cached(&format!(
        r#"SELECT {META_COLUMNS}, bloom FROM "{t}_blocks"
           WHERE first_id < ?1 AND max_ts >= ?2 AND min_ts < ?3 ORDER BY id DESC"#
    ))?;
    let mut rows = stmt.query(params![
        m.cursor().unwrap_or(i64::MAX),
        m.since().unwrap_or(i64::MIN),
        m.until().unwrap_or(i64::MAX),
    ])?;
    while let Some(r) = rows.next()? {
        if out.len() >= want {
            break;
        }
        let (id, meta) = meta_of(r)?;
        if !m.block_may_match(&meta) {
            continue;
        }
        if !items.is_empty() {
            let cached = lock(cache).get(id, &meta);
            let bits = match cached {
                Some(b) => b,
                None => {
                    let b = block::bytes::unpack(r.get_ref(7)?.as_blob()?)
                        .map_err(|e| e.context(format!("block {id}: bloom filter")))?;
                    let b = Arc::new(b);
                    lock(cache).put(id, meta, Arc::clone(&b));
                    b
                }
            };
            if !items.iter().all(|i| block::bloom::may_contain(&bits, i)) {
                continue;
            }
        }
        let mut b = Block::new(meta);
        if m.has_component() {
            load(conn, t, id, &mut b, &[C_COMPONENT])?;
            let dict = b.dict(C_COMPONENT)?;
            if !dict.entries.iter().any(|c| m.component_matches(c)) {
                continue;
            }
        }
        // Cheap columns first: a block whose correlation ids or messages hold no match (a
        // false positive of the bloom filter) is left before the rest is decoded.
        if let Some(c) = m.correlation_id() {
            load(conn, t, id, &mut b, &[C_CORRELATION])?;
            if !b.dict(C_CORRELATION)?.entries.contains(&c) {
                continue;
            }
        }
        // The message columns in a block of their own (the decoded rows borrow `b`). A
        // text query first rules out the records whose log type cannot hold its words.
        let mut mb = Block::new(meta);
        let mut by_text: Option<Vec<bool>> = None;
        if let Some(text) = m.text() {
            load(conn, t, id, &mut mb, &[C_LOGTYPE])?;
            let lt = mb.dict(C_LOGTYPE)?;
            let ok: Vec<bool> = lt
                .entries
                .iter()
                .map(|e| text.may_match_logtype(e))
                .collect();
            if !ok.contains(&true) {
                continue;
            }
            by_text = Some(
                lt.idx
                    .iter()
                    .map(|&i| i > 0 && ok[i as usize - 1])
                    .collect(),
            );
        }
        // Then the other columns but the messages, and the messages only of the records
        // that match everything else.
        let mut cols: Vec<usize> = ALL.to_vec();
        cols.retain(|c| ![C_LOGTYPE, C_INTS, C_STRS].contains(c));
        load(conn, t, id, &mut b, &cols)?;
        let d = b
            .decode_without_messages()
            .map_err(|e| e.context(format!("block {id}")))?;
        let mut candidates: Vec<usize> = (0..d.len())
            .rev()
            .filter(|&i| by_text.as_ref().is_none_or(|ok| ok[i]))
            .filter(|&i| !m.has_row_conditions() || m.matches_but_text(&d.row(i)))
            .collect();
        if m.text().is_none() {
            // Newest first, only as many as the page still needs.
            candidates.truncate(want - out.len());
        }
        if candidates.is_empty() {
            continue;
        }
        load(conn, t, id, &mut mb, &[C_LOGTYPE, C_INTS, C_STRS])?;
        let mut keep = vec![false; d.len()];
        for &i in &candidates {
            keep[i] = true;
        }
        let msgs = mb
            .messages_where(|i| keep[i])
            .map_err(|e| e.context(format!("block {id}")))?;
        let d = d.with_messages(msgs)?;
        for &i in &candidates {
            let row = d.row(i);
            if m.matches(&row) {
                out.push(row.to_record()?);
                if out.len() >= want {
                    break;
                }
            }
        }
    }
    Ok(())
}

/// Adds the blocks' records in `q`'s range to `levels` (dense: index `bucket * 6 + level`)
/// and to the per-component counts.
pub(super) fn volume(
    conn: &Connection,
    t: &str,
    q: &VolumeQuery,
    levels: &mut [u64],
    comps: &mut HashMap<String, u64>,
) -> Result<(), Error> {
    let mut stmt = conn.prepare_cached(&format!(
        r#"SELECT {META_COLUMNS} FROM "{t}_blocks" WHERE max_ts >= ?1 AND min_ts < ?2"#
    ))?;
    let mut rows = stmt.query(params![q.since, q.until])?;
    while let Some(r) = rows.next()? {
        let (id, meta) = meta_of(r)?;
        let mut b = Block::new(meta);
        load(conn, t, id, &mut b, &[C_TS, C_LEVEL, C_COMPONENT])?;
        let ts = b.ts()?;
        let lv = b.levels()?;
        let dict = b.dict(C_COMPONENT)?;
        let mut per_entry = vec![0u64; dict.entries.len() + 1];
        for (i, &ts) in ts.iter().enumerate() {
            if ts < q.since || ts >= q.until {
                continue;
            }
            let bucket = ((ts as i128 - q.since as i128) / q.bucket as i128) as usize;
            if let Some(n) = levels.get_mut(bucket * 6 + lv[i] as usize) {
                *n += 1;
            }
            per_entry[dict.idx[i] as usize] += 1;
        }
        for (e, n) in dict.entries.iter().zip(&per_entry[1..]) {
            if *n > 0 {
                *comps.entry((*e).to_string()).or_default() += n;
            }
        }
    }
    Ok(())
}

/// The record `id` if a block holds it.
pub(super) fn get(conn: &Connection, t: &str, id: i64) -> Result<Option<StoredRecord>, Error> {
    let found = conn
        .prepare_cached(&format!(
            r#"SELECT {META_COLUMNS} FROM "{t}_blocks" WHERE last_id >= ?1
               ORDER BY last_id LIMIT 1"#
        ))?
        .query_row([id], |r| Ok(meta_of(r)))
        .optional()?
        .transpose()?;
    let Some((bid, meta)) = found.filter(|(_, m)| m.first_id <= id) else {
        return Ok(None);
    };
    let mut b = Block::new(meta);
    load(conn, t, bid, &mut b, &ALL)?;
    let d = b.decode(None)?;
    (0..d.len())
        .map(|i| d.row(i))
        .find(|r| r.id == id)
        .map(RowRef::to_record)
        .transpose()
}

/// Records in blocks.
pub(super) fn count(conn: &Connection, t: &str) -> Result<u64, Error> {
    let n: i64 = conn.query_row(
        &format!(r#"SELECT coalesce(sum(n), 0) FROM "{t}_blocks""#),
        [],
        |r| r.get(0),
    )?;
    Ok(n as u64)
}

/// Rewrites block `id` with only the records `keep` selects (deleting it when none is
/// left); returns how many records went.
fn rewrite(
    conn: &Connection,
    t: &str,
    id: i64,
    meta: Meta,
    keep: impl Fn(&RowRef<'_>) -> bool,
) -> Result<u64, Error> {
    let mut b = Block::new(meta);
    load(conn, t, id, &mut b, &ALL)?;
    let d = b.decode(None)?;
    let kept: Vec<RowRef<'_>> = (0..d.len()).map(|i| d.row(i)).filter(|r| keep(r)).collect();
    let gone = (d.len() - kept.len()) as u64;
    if kept.is_empty() {
        delete_block(conn, t, id)?;
    } else if gone > 0 {
        write_block(conn, t, id, &block::encode(&kept)?)?;
    }
    Ok(gone)
}

/// Deletes the block records older than `cutoff`: whole blocks when all their records are,
/// rewriting a block that holds some. Each block is one transaction.
pub(super) fn delete_older(conn: &mut Connection, t: &str, cutoff: i64) -> Result<u64, Error> {
    let doomed: Vec<(i64, Meta)> = {
        let mut stmt = conn.prepare_cached(&format!(
            r#"SELECT {META_COLUMNS} FROM "{t}_blocks" WHERE min_ts < ?1 ORDER BY id"#
        ))?;
        let mut rows = stmt.query([cutoff])?;
        let mut v = Vec::new();
        while let Some(r) = rows.next()? {
            v.push(meta_of(r)?);
        }
        v
    };
    let mut deleted = 0;
    for (id, meta) in doomed {
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        if meta.max_ts < cutoff {
            delete_block(&tx, t, id)?;
            deleted += meta.n as u64;
        } else {
            deleted += rewrite(&tx, t, id, meta, |r| r.ts >= cutoff)?;
        }
        tx.commit()?;
    }
    Ok(deleted)
}

/// Deletes the `n` oldest block records (by id); returns how many went (fewer when the
/// blocks hold fewer).
pub(super) fn delete_oldest(conn: &mut Connection, t: &str, mut n: u64) -> Result<u64, Error> {
    let mut deleted = 0;
    while n > 0 {
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let oldest = tx
            .query_row(
                &format!(r#"SELECT {META_COLUMNS} FROM "{t}_blocks" ORDER BY id LIMIT 1"#),
                [],
                |r| Ok(meta_of(r)),
            )
            .optional()?
            .transpose()?;
        let Some((id, meta)) = oldest else {
            break;
        };
        let gone = if meta.n as u64 <= n {
            delete_block(&tx, t, id)?;
            meta.n as u64
        } else {
            let ids = {
                let mut b = Block::new(meta);
                load(&tx, t, id, &mut b, &[block::C_IDS])?;
                b.ids()?
            };
            let first_kept = ids[n as usize];
            rewrite(&tx, t, id, meta, |r| r.id >= first_kept)?
        };
        tx.commit()?;
        deleted += gone;
        n = n.saturating_sub(gone.max(1));
    }
    Ok(deleted)
}

/// Up to `limit` block records with an id above `after`, oldest first.
pub(super) fn read_after(
    conn: &Connection,
    t: &str,
    after: i64,
    limit: usize,
    out: &mut Vec<StoredRecord>,
) -> Result<(), Error> {
    let mut stmt = conn.prepare_cached(&format!(
        r#"SELECT {META_COLUMNS} FROM "{t}_blocks" WHERE last_id > ?1 ORDER BY id"#
    ))?;
    let mut rows = stmt.query([after])?;
    while let Some(r) = rows.next()? {
        if out.len() >= limit {
            break;
        }
        let (id, meta) = meta_of(r)?;
        let mut b = Block::new(meta);
        load(conn, t, id, &mut b, &ALL)?;
        let d = b.decode(None)?;
        for i in 0..d.len() {
            let row = d.row(i);
            if row.id > after && out.len() < limit {
                out.push(row.to_record()?);
            }
        }
    }
    Ok(())
}
