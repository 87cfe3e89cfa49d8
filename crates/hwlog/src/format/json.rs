//! One JSON object per line.
use hwlog_core::{Format, Record};

use super::text::{json_str, json_value, write_timestamp, TimeZone};

/// One JSON object per line with stable key names:
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
        out.extend_from_slice(b"{\"timestamp\":\"");
        write_timestamp(rec.timestamp, self.tz, out);
        out.extend_from_slice(b"\",\"level\":\"");
        out.extend_from_slice(rec.level.as_str().as_bytes());
        out.extend_from_slice(b"\",\"component\":");
        json_str(&rec.component, out);
        out.extend_from_slice(b",\"message\":");
        json_str(&rec.message, out);
        out.extend_from_slice(b",\"correlation_id\":");
        match &rec.correlation_id {
            Some(id) => json_str(id, out),
            None => out.extend_from_slice(b"null"),
        }
        out.extend_from_slice(b",\"thread\":");
        match &rec.thread.name {
            Some(n) => json_str(n, out),
            None => out.extend_from_slice(b"null"),
        }
        out.extend_from_slice(b",\"thread_id\":");
        out.extend_from_slice(itoa::Buffer::new().format(rec.thread.id).as_bytes());
        out.extend_from_slice(b",\"pid\":");
        out.extend_from_slice(itoa::Buffer::new().format(rec.pid).as_bytes());
        if let Some(f) = &rec.file {
            out.extend_from_slice(b",\"file\":");
            json_str(f, out);
        }
        if let Some(l) = rec.line {
            out.extend_from_slice(b",\"line\":");
            out.extend_from_slice(itoa::Buffer::new().format(l).as_bytes());
        }
        out.extend_from_slice(b",\"fields\":{");
        let mut first = true;
        for (i, (k, v)) in rec.fields.iter().enumerate() {
            // A later field with the same key wins; skip this one.
            if rec.fields[i + 1..].iter().any(|(k2, _)| k2 == k) {
                continue;
            }
            if !first {
                out.push(b',');
            }
            first = false;
            json_str(k, out);
            out.push(b':');
            json_value(v, out);
        }
        out.push(b'}');
        if let Some(err) = &rec.error {
            out.extend_from_slice(b",\"error\":");
            json_str(err, out);
        }
        out.extend_from_slice(b"}\n");
    }
}
