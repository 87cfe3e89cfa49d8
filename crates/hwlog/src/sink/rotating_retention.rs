//! Helpers of the rotating sink: names of rotated files and time boundaries (used by the
//! write path at rotation time), and its background side: the directory scan, crash
//! recovery, compression and retention.
use std::collections::BTreeMap;
use std::fs::{self, File, OpenOptions};
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use super::{bump, lock, Compression, Every, Shared, DAY_NS, HOUR_NS};

/// Length of `YYYYMMDDTHHMMSS.mmmZ`.
const STAMP_LEN: usize = 20;

/// Identity of a rotated file, in age order: UTC stamp of the rotation, then collision count.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(super) struct Key {
    pub(super) stamp: String,
    pub(super) n: u32,
}

impl Key {
    /// The key for a rotation at `ms` (ms since the epoch, UTC).
    pub(super) fn new(ms: i64, n: u32) -> Key {
        Key {
            stamp: format_stamp(ms),
            n,
        }
    }

    /// `NAME.<stamp>` or `NAME.<stamp>.<n>`.
    pub(super) fn file_name(&self, name: &str) -> String {
        if self.n == 0 {
            format!("{name}.{}", self.stamp)
        } else {
            format!("{name}.{}.{}", self.stamp, self.n)
        }
    }

    fn millis(&self) -> Option<i64> {
        parse_stamp(&self.stamp)
    }
}

/// What a file of a rotated unit is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    Plain,
    Zst,
    Gz,
    /// `.zst.tmp` or `.gz.tmp`: an unfinished compression.
    Tmp,
}

#[derive(Debug)]
struct Entry {
    path: PathBuf,
    len: u64,
}

/// All files of one rotated file: the uncompressed one, compressed twins, leftovers.
#[derive(Default, Debug)]
struct Unit {
    plain: Option<Entry>,
    zst: Option<Entry>,
    gz: Option<Entry>,
    tmps: Vec<Entry>,
}

impl Unit {
    /// The finished file that stands for the unit: compressed if there is one.
    fn main(&self) -> Option<&Entry> {
        self.zst
            .as_ref()
            .or(self.gz.as_ref())
            .or(self.plain.as_ref())
    }

    fn compressed(&self) -> bool {
        self.zst.is_some() || self.gz.is_some()
    }
}

/// `YYYYMMDDTHHMMSS.mmmZ` for `ms` since the epoch.
fn format_stamp(ms: i64) -> String {
    let secs = ms.div_euclid(1000);
    let days = secs.div_euclid(86_400);
    let sod = secs.rem_euclid(86_400);
    let (y, m, d) = hwlog_core::time_fmt::civil_from_days(days);
    format!(
        "{:04}{:02}{:02}T{:02}{:02}{:02}.{:03}Z",
        y.clamp(0, 9999),
        m,
        d,
        sod / 3600,
        sod / 60 % 60,
        sod % 60,
        ms.rem_euclid(1000)
    )
}

/// Days since 1970-01-01 of a civil date (Howard Hinnant's algorithm).
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y.rem_euclid(400);
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// Milliseconds since the epoch of a `YYYYMMDDTHHMMSS.mmmZ` stamp.
fn parse_stamp(s: &str) -> Option<i64> {
    let b = s.as_bytes();
    if b.len() != STAMP_LEN || b[8] != b'T' || b[15] != b'.' || b[19] != b'Z' {
        return None;
    }
    let num = |r: std::ops::Range<usize>| -> Option<i64> {
        let mut v = 0i64;
        for &c in &b[r] {
            if !c.is_ascii_digit() {
                return None;
            }
            v = v * 10 + (c - b'0') as i64;
        }
        Some(v)
    };
    let (y, mo, d) = (num(0..4)?, num(4..6)?, num(6..8)?);
    let (h, mi, se, ms) = (num(9..11)?, num(11..13)?, num(13..15)?, num(16..19)?);
    if !(1..=12).contains(&mo) || !(1..=31).contains(&d) || h > 23 || mi > 59 || se > 60 {
        return None;
    }
    let days = days_from_civil(y, mo, d);
    Some(((days * 86_400 + h * 3600 + mi * 60 + se) * 1000) + ms)
}

/// Parses a directory entry's name as a file of the rotated set of `name`.
fn parse_name(name: &str, file: &str) -> Option<(Key, Kind)> {
    let rest = file.strip_prefix(name)?.strip_prefix('.')?;
    let stamp = rest.get(..STAMP_LEN)?;
    parse_stamp(stamp)?;
    let mut rest = &rest[STAMP_LEN..];
    let mut n = 0u32;
    if let Some(r) = rest.strip_prefix('.') {
        let digits = r.bytes().take_while(u8::is_ascii_digit).count();
        if digits > 0 {
            n = r[..digits].parse().ok()?;
            rest = &r[digits..];
        }
    }
    let kind = match rest {
        "" => Kind::Plain,
        ".zst" => Kind::Zst,
        ".gz" => Kind::Gz,
        ".zst.tmp" | ".gz.tmp" => Kind::Tmp,
        _ => return None,
    };
    Some((
        Key {
            stamp: stamp.to_string(),
            n,
        },
        kind,
    ))
}

/// The rotated files of `name` in `dir`, grouped by key (oldest first).
fn scan(dir: &Path, name: &str) -> io::Result<BTreeMap<Key, Unit>> {
    let mut units: BTreeMap<Key, Unit> = BTreeMap::new();
    for ent in fs::read_dir(dir)? {
        let Ok(ent) = ent else { continue };
        let fname = ent.file_name();
        let Some((key, kind)) = fname.to_str().and_then(|f| parse_name(name, f)) else {
            continue;
        };
        let Ok(meta) = ent.metadata() else { continue };
        if !meta.is_file() {
            continue;
        }
        let e = Entry {
            path: ent.path(),
            len: meta.len(),
        };
        let u = units.entry(key).or_default();
        match kind {
            Kind::Plain => u.plain = Some(e),
            Kind::Zst => u.zst = Some(e),
            Kind::Gz => u.gz = Some(e),
            Kind::Tmp => u.tmps.push(e),
        }
    }
    Ok(units)
}

/// The newest rotated key on disk, if any.
pub(super) fn newest_key(dir: &Path, name: &str) -> Option<Key> {
    scan(dir, name).ok()?.into_keys().next_back()
}

/// See [`super::RotatingFileSink::rotated_files`].
pub(super) fn rotated_files(dir: &Path, name: &str) -> Vec<PathBuf> {
    match scan(dir, name) {
        Ok(units) => units
            .into_values()
            .filter_map(|u| u.main().map(|e| e.path.clone()))
            .collect(),
        Err(_) => Vec::new(),
    }
}

/// Whether any file of `key`'s unit exists.
pub(super) fn taken(dir: &Path, name: &str, key: &Key) -> bool {
    let base = key.file_name(name);
    ["", ".zst", ".gz", ".zst.tmp", ".gz.tmp"]
        .iter()
        .any(|ext| fs::symlink_metadata(dir.join(format!("{base}{ext}"))).is_ok())
}

/// Makes renames and deletions in `dir` durable (best effort).
pub(super) fn sync_dir(dir: &Path) {
    if let Ok(d) = File::open(dir) {
        let _ = d.sync_all();
    }
}

/// The first boundary of `every` strictly after `t` (ns since the epoch).
pub(super) fn next_boundary(every: Every, local_time: bool, t: i64) -> i64 {
    if local_time {
        if let Some(b) = local_boundary(&chrono::Local, every, t).filter(|&b| b > t) {
            return b;
        }
    }
    let p = match every {
        Every::Hourly => HOUR_NS,
        Every::Daily => DAY_NS,
    };
    t.div_euclid(p) * p + p
}

/// Next whole local hour (at the UTC offset in force at `t`) or next local midnight (the
/// earliest instant of the next local date; if midnight does not exist, the first whole hour
/// after it that does).
fn local_boundary<Tz: chrono::TimeZone>(tz: &Tz, every: Every, t: i64) -> Option<i64> {
    use chrono::{LocalResult, Offset};
    let dt = tz
        .timestamp_opt(
            t.div_euclid(1_000_000_000),
            t.rem_euclid(1_000_000_000) as u32,
        )
        .single()?;
    match every {
        Every::Hourly => {
            let off = dt.offset().fix().local_minus_utc() as i64 * 1_000_000_000;
            let local = t.checked_add(off)?;
            Some(local.div_euclid(HOUR_NS) * HOUR_NS + HOUR_NS - off)
        }
        Every::Daily => {
            let mut naive = dt.date_naive().succ_opt()?.and_hms_opt(0, 0, 0)?;
            for _ in 0..25 {
                match tz.from_local_datetime(&naive) {
                    LocalResult::Single(x) | LocalResult::Ambiguous(x, _) => {
                        return x.timestamp_nanos_opt();
                    }
                    LocalResult::None => naive += chrono::TimeDelta::hours(1),
                }
            }
            None
        }
    }
}

/// The background thread: runs a maintenance pass whenever one is requested, until stopped.
pub(super) fn run(sh: Arc<Shared>) {
    loop {
        {
            let mut w = lock(&sh.work);
            while !w.pending && !sh.stop.load(Ordering::SeqCst) {
                w = sh.cv.wait(w).unwrap_or_else(|p| p.into_inner());
            }
            if sh.stop.load(Ordering::SeqCst) {
                w.exited = true;
                sh.cv.notify_all();
                return;
            }
            w.pending = false;
            w.busy = true;
        }
        let res = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| pass(&sh)));
        if res.is_err() {
            sh.bg_error("rotating sink: the background pass panicked".into());
        }
        let mut w = lock(&sh.work);
        w.busy = false;
        sh.cv.notify_all();
    }
}

/// One maintenance pass: retention by count and age (so as not to compress files about to be
/// deleted), recovery of leftovers and compression, then full retention.
fn pass(sh: &Shared) {
    let mut units = match scan(&sh.dir, &sh.name) {
        Ok(u) => u,
        // No directory yet: the sink could not create it; the pass is redone when it can.
        Err(e)
            if matches!(
                e.kind(),
                io::ErrorKind::NotFound | io::ErrorKind::NotADirectory
            ) =>
        {
            return
        }
        Err(e) => {
            sh.bg_error(format!("cannot list {}: {e}", sh.dir.display()));
            return;
        }
    };
    apply_retention(sh, &mut units, false);
    for unit in units.values_mut() {
        if sh.stop.load(Ordering::SeqCst) {
            return;
        }
        recover(sh, unit);
    }
    apply_retention(sh, &mut units, true);
}

fn remove(sh: &Shared, path: &Path) -> bool {
    match fs::remove_file(path) {
        Ok(()) => true,
        Err(e) if e.kind() == io::ErrorKind::NotFound => true,
        Err(e) => {
            sh.bg_error(format!("cannot delete {}: {e}", path.display()));
            false
        }
    }
}

/// Deletes unfinished compressions, deletes an uncompressed file whose compressed twin is
/// finished, and compresses an uncompressed file that has none.
fn recover(sh: &Shared, unit: &mut Unit) {
    for tmp in std::mem::take(&mut unit.tmps) {
        remove(sh, &tmp.path);
    }
    let Some(plain) = unit.plain.take() else {
        return;
    };
    if unit.compressed() {
        if !remove(sh, &plain.path) {
            unit.plain = Some(plain);
        }
        return;
    }
    let Some(ext) = sh.policy.compression.extension() else {
        unit.plain = Some(plain);
        return;
    };
    let dst = with_suffix(&plain.path, ext);
    match compress(sh, &plain.path, &dst) {
        Ok((before, after)) => {
            let st = &sh.stats;
            bump(&st.files_compressed);
            st.bytes_before.fetch_add(before, Ordering::Relaxed);
            st.bytes_after.fetch_add(after, Ordering::Relaxed);
            let e = Entry {
                path: dst,
                len: after,
            };
            if ext == "zst" {
                unit.zst = Some(e);
            } else {
                unit.gz = Some(e);
            }
            // The compressed file is durable; the original can go.
            if !remove(sh, &plain.path) {
                unit.plain = Some(plain);
            }
        }
        Err(e) => {
            if !sh.stop.load(Ordering::SeqCst) {
                sh.bg_error(format!("cannot compress {}: {e}", plain.path.display()));
            }
            unit.plain = Some(plain);
        }
    }
}

fn with_suffix(path: &Path, ext: &str) -> PathBuf {
    let mut s = path.as_os_str().to_os_string();
    s.push(".");
    s.push(ext);
    PathBuf::from(s)
}

thread_local! {
    /// The zstd compression context of this (compression) thread.
    static ZSTD_CONTEXT: std::cell::RefCell<Option<zstd::zstd_safe::CCtx<'static>>> =
        const { std::cell::RefCell::new(None) };
}

/// Compresses `src` into `dst` through `dst.tmp` (fsynced, then renamed, then the directory
/// fsynced). Leaves `src` in place. Returns (bytes read, bytes written).
fn compress(sh: &Shared, src: &Path, dst: &Path) -> io::Result<(u64, u64)> {
    let tmp = with_suffix(dst, "tmp");
    let res = (|| {
        let mut input = File::open(src)?;
        let out = OpenOptions::new()
            .write(true)
            .create(true)
            .truncate(true)
            .open(&tmp)?;
        // No BufWriter: both encoders write their output in 32 KB chunks already, and every
        // large allocation made per file (mapped and unmapped) stalls the other threads.
        let (out, read) = match sh.policy.compression {
            Compression::Zstd { level } => ZSTD_CONTEXT.with(|cell| {
                // One compression context per compression thread, reused for every file:
                // zstd's level-9 workspace is several MB, and allocating and freeing it per
                // file maps and unmaps memory, which stalls the process's other threads.
                let mut cell = cell.borrow_mut();
                let ctx = cell.get_or_insert_with(zstd::zstd_safe::CCtx::create);
                let mut enc = zstd::stream::write::Encoder::with_context(out, ctx);
                enc.set_parameter(zstd::zstd_safe::CParameter::CompressionLevel(level))?;
                enc.include_checksum(true)?;
                let n = copy(&mut input, &mut enc, &sh.stop)?;
                io::Result::Ok((enc.finish()?, n))
            })?,
            Compression::Gzip { level } => {
                let mut enc =
                    flate2::write::GzEncoder::new(out, flate2::Compression::new(level.min(9)));
                let n = copy(&mut input, &mut enc, &sh.stop)?;
                (enc.finish()?, n)
            }
            Compression::None => return Err(io::Error::other("no compression configured")),
        };
        let file = out;
        if let Ok(mtime) = input.metadata().and_then(|m| m.modified()) {
            let _ = file.set_modified(mtime);
        }
        file.sync_all()?;
        let written = file.metadata()?.len();
        drop(file);
        fs::rename(&tmp, dst)?;
        sync_dir(&sh.dir);
        Ok((read, written))
    })();
    if res.is_err() {
        let _ = fs::remove_file(&tmp);
    }
    res
}

/// Input compressed per step: after each step the encoder is flushed (so no step does more
/// work than this; zstd at level 9 takes about 0.3 ms for it) and the thread sleeps for
/// [`PAUSE`]. The flushes cost under 1% of compression ratio (LogHub samples, level 9: 90.1%
/// saved instead of 90.2%).
const STEP: usize = 32 * 1024;

/// The compression thread's sleep between steps. A thread that logs can be left waiting in
/// the run queue of a CPU busy with another thread of the application while the other CPU
/// runs compression: `SCHED_IDLE` gives way to a thread that wakes up there, but the kernel
/// moves an already queued thread over only when that CPU goes idle or at its next periodic
/// balance (up to a scheduler tick, 4 ms). Sleeping after every step makes the CPU idle, and
/// an idle CPU pulls waiting threads at once: the wait is bounded by one step.
const PAUSE: std::time::Duration = std::time::Duration::from_micros(20);

thread_local! {
    /// The read buffer of this (compression) thread, reused for every file.
    static COPY_BUF: std::cell::RefCell<Vec<u8>> = std::cell::RefCell::new(vec![0u8; STEP]);
}

/// Copies `input` into `out` in steps of [`STEP`] bytes with a [`PAUSE`] after each, giving
/// up when the sink stops.
fn copy(input: &mut File, out: &mut impl Write, stop: &AtomicBool) -> io::Result<u64> {
    COPY_BUF.with(|b| copy_with(input, out, stop, &mut b.borrow_mut()))
}

fn copy_with(
    input: &mut File,
    out: &mut impl Write,
    stop: &AtomicBool,
    buf: &mut [u8],
) -> io::Result<u64> {
    let mut total = 0u64;
    loop {
        if stop.load(Ordering::Relaxed) {
            return Err(io::Error::new(
                io::ErrorKind::Interrupted,
                "sink closed during compression",
            ));
        }
        let n = match input.read(buf) {
            Ok(0) => return Ok(total),
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        out.write_all(&buf[..n])?;
        out.flush()?;
        total += n as u64;
        std::thread::sleep(PAUSE);
    }
}

/// Deletes rotated units beyond the policy's limits, newest kept first. The byte limit is
/// only applied when `bytes` (after compression, when sizes are final).
fn apply_retention(sh: &Shared, units: &mut BTreeMap<Key, Unit>, bytes: bool) {
    let p = &sh.policy;
    let max_total = if bytes { p.max_total_bytes } else { None };
    if p.max_files.is_none() && p.max_age.is_none() && max_total.is_none() {
        return;
    }
    let now_ms = sh.clock.now_utc_nanos().div_euclid(1_000_000);
    let max_age_ms = p
        .max_age
        .map(|a| a.as_millis().min(i64::MAX as u128) as i64);
    let mut doomed = Vec::new();
    let (mut kept, mut total, mut cut) = (0usize, 0u64, false);
    for (key, unit) in units.iter().rev() {
        let len = unit.main().map_or(0, |e| e.len);
        cut = cut
            || p.max_files.is_some_and(|m| kept >= m)
            || max_total.is_some_and(|m| total.saturating_add(len) > m);
        let too_old = match (max_age_ms, key.millis()) {
            (Some(max), Some(ms)) => now_ms.saturating_sub(ms) > max,
            _ => false,
        };
        if cut || too_old {
            doomed.push(key.clone());
        } else {
            kept += 1;
            total = total.saturating_add(len);
        }
    }
    for key in doomed {
        let Some(unit) = units.remove(&key) else {
            continue;
        };
        let files = unit
            .plain
            .iter()
            .chain(&unit.zst)
            .chain(&unit.gz)
            .chain(&unit.tmps);
        let mut all = true;
        for e in files {
            all &= remove(sh, &e.path);
        }
        if all {
            bump(&sh.stats.files_removed);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::FixedOffset;

    #[test]
    fn stamps_round_trip_and_sort() {
        let ms = 1_704_070_800_123; // 2024-01-01T01:00:00.123Z
        assert_eq!(format_stamp(ms), "20240101T010000.123Z");
        assert_eq!(parse_stamp("20240101T010000.123Z"), Some(ms));
        assert_eq!(parse_stamp("20240229T235959.999Z"), Some(1_709_251_199_999));
        assert_eq!(parse_stamp("20240101T010000.123"), None);
        assert!(Key::new(ms, 2) < Key::new(ms, 10));
        assert!(Key::new(ms, 10) < Key::new(ms + 1, 0));
    }

    #[test]
    fn names_parse() {
        let k = |n| Key {
            stamp: "20240101T010000.123Z".into(),
            n,
        };
        let p = |f: &str| parse_name("app.log", f);
        assert_eq!(p("app.log.20240101T010000.123Z"), Some((k(0), Kind::Plain)));
        assert_eq!(
            p("app.log.20240101T010000.123Z.12.zst"),
            Some((k(12), Kind::Zst))
        );
        assert_eq!(p("app.log.20240101T010000.123Z.gz"), Some((k(0), Kind::Gz)));
        assert_eq!(
            p("app.log.20240101T010000.123Z.3.zst.tmp"),
            Some((k(3), Kind::Tmp))
        );
        assert_eq!(p("app.log"), None);
        assert_eq!(p("app.log.1"), None);
        assert_eq!(p("app.log.20240101T010000.123Z.bak"), None);
        assert_eq!(p("app.logx.20240101T010000.123Z"), None);
        assert_eq!(
            k(12).file_name("app.log"),
            "app.log.20240101T010000.123Z.12"
        );
    }

    const T0: i64 = 1_704_067_200_000_000_000; // 2024-01-01T00:00:00Z

    #[test]
    fn utc_boundaries() {
        let t = T0 + 10 * 60 * 1_000_000_000;
        assert_eq!(next_boundary(Every::Hourly, false, t), T0 + HOUR_NS);
        assert_eq!(next_boundary(Every::Daily, false, t), T0 + DAY_NS);
        assert_eq!(next_boundary(Every::Hourly, false, T0), T0 + HOUR_NS);
    }

    #[test]
    fn local_boundaries_with_offset() {
        let ist = FixedOffset::east_opt(5 * 3600 + 1800).unwrap(); // +05:30
        let t = T0 + 10 * 60 * 1_000_000_000; // 05:40 local
        let half = HOUR_NS / 2;
        assert_eq!(
            local_boundary(&ist, Every::Hourly, t),
            Some(T0 + half) // 06:00 local = 00:30Z
        );
        assert_eq!(
            local_boundary(&ist, Every::Daily, t),
            Some(T0 + DAY_NS - 5 * HOUR_NS - half) // Jan 2 00:00 local = Jan 1 18:30Z
        );
        let west = FixedOffset::west_opt(5 * 3600).unwrap(); // -05:00, 19:10 on Dec 31
        assert_eq!(
            local_boundary(&west, Every::Daily, t),
            Some(T0 + 5 * HOUR_NS)
        );
    }
}
