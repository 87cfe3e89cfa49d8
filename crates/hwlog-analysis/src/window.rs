//! Time windows for the analyses.

/// Nanoseconds in an hour.
pub const HOUR_NS: i64 = 3_600_000_000_000;

/// A half-open time window `[start, end)` in nanoseconds since the Unix epoch (UTC).
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Window {
    /// First instant inside the window.
    pub start: i64,
    /// First instant after the window.
    pub end: i64,
}

impl Window {
    /// `[start, end)`; an `end` before `start` gives an empty window at `start`.
    ///
    /// ```
    /// use hwlog_analysis::window::{Window, HOUR_NS};
    /// let w = Window::new(0, 2 * HOUR_NS);
    /// assert!(w.contains(0) && !w.contains(2 * HOUR_NS));
    /// assert_eq!(w.hours(), 2.0);
    /// ```
    pub fn new(start: i64, end: i64) -> Window {
        Window {
            start,
            end: end.max(start),
        }
    }

    /// The `hours` before `now`.
    pub fn last_hours(now: i64, hours: f64) -> Window {
        let span = (hours.max(0.0) * HOUR_NS as f64) as i64;
        Window::new(now.saturating_sub(span), now)
    }

    /// Whether `ts` is inside.
    pub fn contains(&self, ts: i64) -> bool {
        ts >= self.start && ts < self.end
    }

    /// The length in hours (at least one nanosecond's worth, so rates stay finite).
    pub fn hours(&self) -> f64 {
        (self.end - self.start).max(1) as f64 / HOUR_NS as f64
    }
}
