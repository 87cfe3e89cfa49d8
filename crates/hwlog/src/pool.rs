//! Recycled field vectors. A record's fields are allocated on the logging thread and, on a
//! non-blocking route, dropped on the worker; freeing memory on another thread makes the
//! threads contend in the allocator. The worker hands the emptied vectors back here instead.
use std::sync::LazyLock;

use crossbeam_queue::ArrayQueue;
use hwlog_core::{SharedStr, Value};

/// A record's field list.
pub(crate) type Fields = Vec<(SharedStr, Value)>;

static POOL: LazyLock<ArrayQueue<Fields>> = LazyLock::new(|| ArrayQueue::new(16_384));

/// An empty field vector, recycled when one is available.
#[inline]
pub(crate) fn take() -> Fields {
    POOL.pop().unwrap_or_else(|| Vec::with_capacity(4))
}

/// Returns a field vector for reuse (small ones only; the rest are freed).
#[inline]
pub(crate) fn give(mut v: Fields) {
    if v.capacity() != 0 && v.capacity() <= 16 {
        v.clear();
        let _ = POOL.push(v);
    }
}
