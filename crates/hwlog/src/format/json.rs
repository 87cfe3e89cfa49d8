//! One JSON object per line.
use hwlog_core::{Format, Record};

use super::text::{write_timestamp, TimeZone};

/// One JSON object per line, written by the shared record codec ([`hwlog_core::json`]):
///
/// `{"timestamp":…,"level":…,"component":…,"message":…,"correlation_id":…|null,"thread":…,
/// "thread_id":…,"pid":…,["file":…,"line":…,]"fields":{…}[,"error":…]}`
///
/// Fields are nested under `"fields"` so they never collide with the record's own keys; a field
/// key given twice keeps its last value (no duplicate keys).
///
/// ```
/// use hwlog::format::{Json, TimeZone};
/// use hwlog::{Format, Level, Record, Timestamp};
/// let mut rec = Record::new(Level::Error, "db", "query failed");
/// rec.push_field("ms", 12u64);
/// let mut out = Vec::new();
/// Json::new(TimeZone::Utc).format(&rec, &mut out);
/// let v: serde_json::Value = serde_json::from_slice(&out).unwrap();
/// assert_eq!(v["fields"]["ms"], 12);
/// assert_eq!(v["level"], "ERROR");
/// ```
#[derive(Clone, Debug, Default)]
pub struct Json {
    tz: TimeZone,
}

impl Json {
    /// A JSON formatter showing time in `tz`.
    pub fn new(tz: TimeZone) -> Self {
        Json { tz }
    }
}

impl Format for Json {
    fn name(&self) -> &str {
        "json"
    }

    fn format(&self, rec: &Record, out: &mut Vec<u8>) {
        // The shared record codec, with this formatter's (cached) timestamp writer.
        let tz = self.tz;
        hwlog_core::json::write_record_with(rec, out, |ts, o| write_timestamp(ts, tz, o), &[]);
        out.push(b'\n');
    }
}
