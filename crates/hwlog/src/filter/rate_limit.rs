use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Instant;

use hwlog_core::{Decision, Filter, Level, Record, SharedStr};

/// A monotonic nanosecond clock; injectable so tests need no sleeps.
pub trait Clock: Send + Sync {
    /// Nanoseconds since an arbitrary fixed point.
    fn now_nanos(&self) -> u64;
}

/// The process's monotonic clock.
#[derive(Debug)]
pub struct MonotonicClock(Instant);

impl Default for MonotonicClock {
    fn default() -> Self {
        MonotonicClock(Instant::now())
    }
}

impl Clock for MonotonicClock {
    fn now_nanos(&self) -> u64 {
        self.0.elapsed().as_nanos() as u64
    }
}

/// A clock that moves only when told to.
///
/// ```
/// use hwlog::filter::Clock;
/// use hwlog::testing::ManualClock;
/// let c = ManualClock::default();
/// c.advance_ms(1500);
/// assert_eq!(c.now_nanos(), 1_500_000_000);
/// ```
#[derive(Debug, Default, Clone)]
pub struct ManualClock(Arc<AtomicU64>);

impl ManualClock {
    /// Moves the clock forward.
    pub fn advance_ms(&self, ms: u64) {
        self.0.fetch_add(ms * 1_000_000, Ordering::SeqCst);
    }
}

impl Clock for ManualClock {
    fn now_nanos(&self) -> u64 {
        self.0.load(Ordering::SeqCst)
    }
}

/// What the rate limiter counts records by.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RateKey {
    /// One bucket per component.
    Component,
    /// One bucket per component and message template (digits and hex runs masked), so one noisy
    /// message does not silence its neighbours.
    ComponentTemplate,
}

#[derive(Debug)]
struct Bucket {
    tokens: f64,
    last_ns: u64,
    suppressed: u64,
}

/// At most this many keys are tracked; idle full buckets are evicted beyond it.
const MAX_KEYS: usize = 10_000;

/// A token bucket per key: `burst` records pass at once, then `rate` per second. Records over
/// the limit are rejected and counted; when the next record of that key passes, a WARNING
/// record "suppressed N similar records" (fields `suppressed`, `rate_key`) is written first.
///
/// ```
/// use hwlog::filter::{RateKey, RateLimitFilter};
/// use hwlog::testing::ManualClock;
/// use hwlog::{Decision, Filter, Level, Record};
/// let clock = ManualClock::default();
/// let f = RateLimitFilter::new(1.0, 2.0, RateKey::Component).with_clock(clock.clone());
/// let mut emit = Vec::new();
/// let mut d = |emit: &mut Vec<Record>| f.decide(&mut Record::new(Level::Info, "ipmi", "poll"), emit);
/// assert_eq!(d(&mut emit), Decision::Neutral);
/// assert_eq!(d(&mut emit), Decision::Neutral);
/// assert_eq!(d(&mut emit), Decision::Reject);
/// clock.advance_ms(1000);
/// assert_eq!(d(&mut emit), Decision::Neutral);
/// assert_eq!(emit[0].message, "suppressed 1 similar records");
/// ```
pub struct RateLimitFilter {
    rate: f64,
    burst: f64,
    key: RateKey,
    clock: Box<dyn Clock>,
    buckets: Mutex<HashMap<String, Bucket>>,
}

impl RateLimitFilter {
    /// `rate` records per second per key after a burst of `burst`.
    pub fn new(rate: f64, burst: f64, key: RateKey) -> Self {
        RateLimitFilter {
            rate: rate.max(0.0),
            burst: burst.max(1.0),
            key,
            clock: Box::new(MonotonicClock::default()),
            buckets: Mutex::new(HashMap::new()),
        }
    }

    /// Uses `clock` instead of the monotonic clock.
    pub fn with_clock(mut self, clock: impl Clock + 'static) -> Self {
        self.clock = Box::new(clock);
        self
    }

    fn key_of(&self, rec: &Record) -> String {
        let mut k = String::with_capacity(rec.component.len() + 1 + rec.message.len());
        k.push_str(&rec.component);
        if self.key == RateKey::ComponentTemplate {
            k.push('\u{1f}');
            template_into(&rec.message, &mut k);
        }
        k
    }
}

/// The message with runs of digits (and hex words containing digits) replaced by `#`.
fn template_into(msg: &str, out: &mut String) {
    for word in msg.split_inclusive([' ', '=', ':', ',', '/', '.']) {
        let (body, sep) = match word.char_indices().last() {
            Some((i, ' ' | '=' | ':' | ',' | '/' | '.')) => word.split_at(i),
            _ => (word, ""),
        };
        if body.bytes().any(|b| b.is_ascii_digit())
            && body
                .bytes()
                .all(|b| b.is_ascii_hexdigit() || b == b'-' || b == b'x')
        {
            out.push('#');
        } else {
            out.push_str(body);
        }
        out.push_str(sep);
    }
}

impl Filter for RateLimitFilter {
    fn name(&self) -> &str {
        "rate_limit"
    }

    fn decide(&self, rec: &mut Record, emit: &mut Vec<Record>) -> Decision {
        let key = self.key_of(rec);
        let now = self.clock.now_nanos();
        let mut buckets = match self.buckets.lock() {
            Ok(b) => b,
            Err(p) => p.into_inner(),
        };
        if buckets.len() >= MAX_KEYS && !buckets.contains_key(&key) {
            let (rate, burst) = (self.rate, self.burst);
            buckets.retain(|_, b| {
                b.suppressed > 0
                    || b.tokens + (now.saturating_sub(b.last_ns)) as f64 * 1e-9 * rate < burst
            });
        }
        let b = buckets.entry(key).or_insert(Bucket {
            tokens: self.burst,
            last_ns: now,
            suppressed: 0,
        });
        let elapsed = now.saturating_sub(b.last_ns) as f64 * 1e-9;
        b.tokens = (b.tokens + elapsed * self.rate).min(self.burst);
        b.last_ns = now;
        if b.tokens < 1.0 {
            b.suppressed += 1;
            return Decision::Reject;
        }
        b.tokens -= 1.0;
        if b.suppressed > 0 {
            let n = std::mem::take(&mut b.suppressed);
            let mut notice = Record::new(
                Level::Warning,
                rec.component.clone(),
                format!("suppressed {n} similar records"),
            );
            notice.correlation_id = rec.correlation_id.clone();
            notice.push_field("suppressed", n);
            notice.push_field(
                "rate_key",
                SharedStr::from(match self.key {
                    RateKey::Component => "component",
                    RateKey::ComponentTemplate => "component+template",
                })
                .to_string(),
            );
            emit.push(notice);
        }
        Decision::Neutral
    }

    fn describe(&self) -> String {
        format!(
            "rate_limit(rate={}/s, burst={}, key={:?})",
            self.rate, self.burst, self.key
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn template_masks_numbers() {
        let mut s = String::new();
        template_into(
            "retry 3 of 5 for node-0a1b after 250ms id=deadbeef42",
            &mut s,
        );
        assert_eq!(s, "retry # of # for node-0a1b after 250ms id=#");
    }

    #[test]
    fn per_template_keys_are_independent() {
        let clock = ManualClock::default();
        let f = RateLimitFilter::new(0.0, 1.0, RateKey::ComponentTemplate).with_clock(clock);
        let mut e = Vec::new();
        let mut d = |m: &'static str| f.decide(&mut Record::new(Level::Info, "c", m), &mut e);
        assert_eq!(d("poll 1 ok"), Decision::Neutral);
        assert_eq!(d("poll 2 ok"), Decision::Reject);
        assert_eq!(d("other 1"), Decision::Neutral);
    }
}
