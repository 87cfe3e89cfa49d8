//! The log analyzer: [`hwlog_analysis`]'s error patterns, trends and anomalies over the
//! records of a store.
use std::sync::{Arc, Mutex};

use hwlog_analysis::anomaly::{detect_anomalies, Anomaly, AnomalyConfig};
use hwlog_analysis::errors::{analyze_error_patterns, ErrorReport};
use hwlog_analysis::miner::TemplateMiner;
use hwlog_analysis::trends::{performance_trends, Trend, TrendConfig};
use hwlog_analysis::window::Window;
use hwlog_core::{Record, Timestamp};
use hwlog_store::{Query, Store, MAX_LIMIT};

/// Analyses the records of a store. Windows end at the clock's "now" (the wall clock unless
/// [`with_clock`](Self::with_clock) set another); the template miner is kept between calls,
/// so template ids stay the same from one analysis to the next.
///
/// ```
/// use std::sync::Arc;
/// use hwlog_monitor::LogAnalyzer;
/// use hwlog::{Level, Record};
/// use hwlog_store::{SqliteStore, Store};
///
/// let store = Arc::new(SqliteStore::open_in_memory(Default::default()).unwrap());
/// let recs: Vec<Record> = (0..4)
///     .map(|i| Record::new(Level::Error, "hardware.ipmi", format!("BMC 10.0.0.{i} timed out")))
///     .collect();
/// store.insert_batch(&recs).unwrap();
/// let report = LogAnalyzer::new(store).analyze_error_patterns(1.0).unwrap();
/// assert_eq!(report.total_errors, 4);
/// assert_eq!(report.patterns[0].template, "BMC <*> timed out");
/// ```
pub struct LogAnalyzer {
    store: Arc<dyn Store>,
    miner: Mutex<TemplateMiner>,
    clock: Box<dyn Fn() -> i64 + Send + Sync>,
    anomaly: AnomalyConfig,
    trend: TrendConfig,
}

impl LogAnalyzer {
    /// An analyzer of `store`.
    pub fn new(store: Arc<dyn Store>) -> Self {
        Self {
            store,
            miner: Mutex::new(TemplateMiner::new()),
            clock: Box::new(|| Timestamp::now().as_nanos()),
            anomaly: AnomalyConfig::default(),
            trend: TrendConfig::default(),
        }
    }

    /// An analyzer of the store an aggregator writes into (the design's
    /// `LogAnalyzer(aggregator)`).
    pub fn from_aggregator(a: &crate::LogAggregator) -> Self {
        Self::new(a.store())
    }

    /// Uses `clock` (ns since the Unix epoch) as "now".
    pub fn with_clock(mut self, clock: impl Fn() -> i64 + Send + Sync + 'static) -> Self {
        self.clock = Box::new(clock);
        self
    }

    /// Anomaly detection settings (bucket width, thresholds).
    pub fn with_anomaly_config(mut self, cfg: AnomalyConfig) -> Self {
        self.anomaly = cfg;
        self
    }

    /// The window of the last `hours`.
    pub fn window(&self, hours: f64) -> Window {
        Window::last_hours((self.clock)() + 1, hours)
    }

    /// The stored records in `w`, oldest first.
    pub fn records(
        &self,
        w: Window,
        min_level: Option<hwlog_core::Level>,
    ) -> Result<Vec<Record>, hwlog_store::Error> {
        let mut out = Vec::new();
        let mut cursor = None;
        loop {
            let page = self.store.query(&Query {
                since: Some(w.start),
                until: Some(w.end),
                min_level,
                limit: MAX_LIMIT,
                cursor,
                ..Query::default()
            })?;
            out.extend(page.records.into_iter().map(|r| r.record));
            match page.next_cursor {
                Some(c) => cursor = Some(c),
                None => break,
            }
        }
        out.reverse();
        Ok(out)
    }

    fn miner(&self) -> std::sync::MutexGuard<'_, TemplateMiner> {
        self.miner.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Error patterns of the last `hours`.
    pub fn analyze_error_patterns(&self, hours: f64) -> Result<ErrorReport, hwlog_store::Error> {
        let w = self.window(hours);
        let recs = self.records(w, Some(hwlog_core::Level::Error))?;
        Ok(analyze_error_patterns(&recs, w, &mut self.miner()))
    }

    /// Performance trends of the last `hours` for `component` (a
    /// [`hwlog_core::ComponentPattern`]; `None` for all).
    pub fn analyze_performance_trends(
        &self,
        component: Option<&str>,
        hours: f64,
    ) -> Result<Vec<Trend>, hwlog_store::Error> {
        let w = self.window(hours);
        let recs = self.records(w, None)?;
        Ok(performance_trends(&recs, component, w, &self.trend))
    }

    /// Volume, error-rate and new-template anomalies of the last `hours`.
    pub fn detect_anomalies(&self, hours: f64) -> Result<Vec<Anomaly>, hwlog_store::Error> {
        let w = self.window(hours);
        let recs = self.records(w, None)?;
        Ok(detect_anomalies(&recs, w, &mut self.miner(), &self.anomaly))
    }
}
