use std::cell::Cell;
use std::sync::LazyLock;
use std::time::{SystemTime, UNIX_EPOCH};

/// The CPU's time-stamp counter (calibrated by `quanta`; the OS clock where there is none).
static CLOCK: LazyLock<quanta::Clock> = LazyLock::new(quanta::Clock::new);

/// How long a thread extrapolates wall time from the counter before it reads the system
/// clock again (so clock adjustments show up within this interval).
const REANCHOR_NS: u64 = 50_000_000;

thread_local! {
    /// (counter value, wall-clock ns) read together on this thread.
    static ANCHOR: Cell<(u64, i64)> = const { Cell::new((0, 0)) };
}

fn system_now() -> i64 {
    match SystemTime::now().duration_since(UNIX_EPOCH) {
        Ok(d) => d.as_nanos() as i64,
        Err(e) => -(e.duration().as_nanos() as i64),
    }
}

/// A point in time: nanoseconds since the Unix epoch, UTC.
///
/// ```
/// use hwlog_core::Timestamp;
/// let t = Timestamp::from_nanos(1_700_000_000_123_456_789);
/// assert_eq!(t.to_rfc3339_micros(), "2023-11-14T22:13:20.123456Z");
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Timestamp(i64);

impl Timestamp {
    /// The current time. Reads the time-stamp counter (about 10 ns) and extrapolates from
    /// the system clock, which each thread re-reads every 50 ms; about 3x cheaper than
    /// `SystemTime::now()` on a typical VM.
    #[inline]
    pub fn now() -> Timestamp {
        let clock = &*CLOCK;
        let raw = clock.raw();
        let (r0, w0) = ANCHOR.try_with(Cell::get).unwrap_or((0, 0));
        if r0 != 0 && raw >= r0 {
            let d = clock.delta_as_nanos(r0, raw);
            if d < REANCHOR_NS {
                return Timestamp(w0 + d as i64);
            }
        }
        let w = system_now();
        let _ = ANCHOR.try_with(|a| a.set((raw, w)));
        Timestamp(w)
    }

    /// The system clock, read directly.
    pub fn now_exact() -> Timestamp {
        Timestamp(system_now())
    }

    /// From nanoseconds since the epoch.
    pub const fn from_nanos(ns: i64) -> Timestamp {
        Timestamp(ns)
    }

    /// Nanoseconds since the epoch.
    pub const fn as_nanos(self) -> i64 {
        self.0
    }

    /// Whole seconds since the epoch (rounded towards negative infinity).
    pub const fn seconds(self) -> i64 {
        self.0.div_euclid(1_000_000_000)
    }

    /// Nanoseconds within the second (0..1e9).
    pub const fn subsec_nanos(self) -> u32 {
        self.0.rem_euclid(1_000_000_000) as u32
    }

    /// RFC 3339 in UTC with microseconds, e.g. `2026-11-24T05:00:00.123456Z`.
    pub fn to_rfc3339_micros(self) -> String {
        let mut out = Vec::with_capacity(27);
        write_rfc3339_micros(self, 0, &mut out);
        String::from_utf8(out).unwrap_or_default()
    }
}

/// Civil date (year, month, day) from days since 1970-01-01 (Howard Hinnant's algorithm).
pub const fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (if m <= 2 { y + 1 } else { y }, m, d)
}

fn push2(out: &mut Vec<u8>, v: u32) {
    out.push(b'0' + (v / 10 % 10) as u8);
    out.push(b'0' + (v % 10) as u8);
}

/// Writes `YYYY-MM-DDTHH:MM:SS` for `secs` (epoch seconds already shifted by any UTC offset).
pub fn write_date_time(secs: i64, out: &mut Vec<u8>) {
    let days = secs.div_euclid(86_400);
    let sod = secs.rem_euclid(86_400) as u32;
    let (y, m, d) = civil_from_days(days);
    let y = y.clamp(0, 9999) as u32;
    push2(out, y / 100);
    push2(out, y % 100);
    out.push(b'-');
    push2(out, m);
    out.push(b'-');
    push2(out, d);
    out.push(b'T');
    push2(out, sod / 3600);
    out.push(b':');
    push2(out, sod / 60 % 60);
    out.push(b':');
    push2(out, sod % 60);
}

/// Writes an RFC 3339 timestamp with microseconds. `offset_secs` is the UTC offset to show
/// (0 writes `Z`, otherwise `+HH:MM` / `-HH:MM`).
pub fn write_rfc3339_micros(ts: Timestamp, offset_secs: i32, out: &mut Vec<u8>) {
    write_date_time(ts.seconds() + offset_secs as i64, out);
    out.push(b'.');
    let us = ts.subsec_nanos() / 1000;
    push2(out, us / 10_000);
    push2(out, us / 100 % 100);
    push2(out, us % 100);
    if offset_secs == 0 {
        out.push(b'Z');
    } else {
        let (sign, off) = if offset_secs < 0 {
            (b'-', (-offset_secs) as u32)
        } else {
            (b'+', offset_secs as u32)
        };
        out.push(sign);
        push2(out, off / 3600);
        out.push(b':');
        push2(out, off / 60 % 60);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counter_time_tracks_the_system_clock() {
        for _ in 0..1000 {
            let a = Timestamp::now_exact().as_nanos();
            let b = Timestamp::now().as_nanos();
            let c = Timestamp::now_exact().as_nanos();
            // Extrapolation stays within 2 ms of the system clock.
            assert!(b >= a - 2_000_000 && b <= c + 2_000_000, "{a} {b} {c}");
        }
    }

    #[test]
    fn rfc3339_known_points() {
        assert_eq!(
            Timestamp::from_nanos(0).to_rfc3339_micros(),
            "1970-01-01T00:00:00.000000Z"
        );
        assert_eq!(
            Timestamp::from_nanos(951_782_400_000_001_000).to_rfc3339_micros(),
            "2000-02-29T00:00:00.000001Z"
        );
        assert_eq!(
            Timestamp::from_nanos(-1_000).to_rfc3339_micros(),
            "1969-12-31T23:59:59.999999Z"
        );
        let mut out = Vec::new();
        write_rfc3339_micros(Timestamp::from_nanos(0), -5 * 3600 - 1800, &mut out);
        assert_eq!(out, b"1969-12-31T18:30:00.000000-05:30");
    }
}
