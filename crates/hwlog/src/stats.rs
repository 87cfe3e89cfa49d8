//! Counters that many threads bump without contending on one cache line.
use std::cell::Cell;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};

const SHARDS: usize = 16;

#[repr(align(128))]
#[derive(Default)]
struct Padded(AtomicU64);

/// A counter split into cache-line-sized shards picked per thread; reading sums the shards.
#[derive(Default)]
pub struct Counter([Padded; SHARDS]);

thread_local! {
    static SHARD: Cell<usize> = const { Cell::new(usize::MAX) };
}

fn shard() -> usize {
    static NEXT: AtomicUsize = AtomicUsize::new(0);
    SHARD
        .try_with(|s| {
            let v = s.get();
            if v != usize::MAX {
                return v;
            }
            let v = NEXT.fetch_add(1, Ordering::Relaxed) % SHARDS;
            s.set(v);
            v
        })
        .unwrap_or(0)
}

impl Counter {
    /// Adds `n`.
    #[inline]
    pub fn add(&self, n: u64) {
        self.0[shard()].0.fetch_add(n, Ordering::Relaxed);
    }

    /// The total.
    pub fn get(&self) -> u64 {
        self.0.iter().map(|p| p.0.load(Ordering::Relaxed)).sum()
    }
}

/// The counts a route keeps, also summed for the whole pipeline.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Counters {
    /// Records written to a sink.
    pub emitted: u64,
    /// Records a filter rejected (including rate-limited ones).
    pub filtered: u64,
    /// Records lost without a sink error: re-entrant logging from inside the pipeline, and
    /// (later) full queues.
    pub dropped: u64,
    /// Records a sink failed to write.
    pub errors: u64,
}

impl std::ops::AddAssign for Counters {
    fn add_assign(&mut self, o: Counters) {
        self.emitted += o.emitted;
        self.filtered += o.filtered;
        self.dropped += o.dropped;
        self.errors += o.errors;
    }
}

/// Live counters of one route.
#[derive(Default)]
pub struct RouteCounters {
    /// Records written.
    pub emitted: Counter,
    /// Records rejected by a filter.
    pub filtered: Counter,
    /// Records lost without a sink error.
    pub dropped: Counter,
    /// Records a sink failed to write.
    pub errors: Counter,
}

impl RouteCounters {
    /// A snapshot.
    pub fn snapshot(&self) -> Counters {
        Counters {
            emitted: self.emitted.get(),
            filtered: self.filtered.get(),
            dropped: self.dropped.get(),
            errors: self.errors.get(),
        }
    }
}
