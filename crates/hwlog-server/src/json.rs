//! Records as the HTTP API returns them (the shared record codec), and the ingest decoders of
//! [`hwlog_decode::json`] under their old path.
use hwlog_core::Record;

pub use hwlog_decode::json::*;

/// A record as the API and the live stream return it: the shared record codec
/// ([`hwlog_core::json`]) plus `ts` (nanoseconds since the epoch) and the store `id` or
/// stream `seq`.
pub fn record_to_json(id: Option<i64>, seq: Option<u64>, r: &Record) -> String {
    let mut extra = Vec::with_capacity(3);
    extra.push(("ts", r.timestamp.as_nanos()));
    if let Some(id) = id {
        extra.push(("id", id));
    }
    if let Some(seq) = seq {
        extra.push(("seq", i64::try_from(seq).unwrap_or(i64::MAX)));
    }
    hwlog_core::json::record_to_string(r, &extra)
}

/// `{"records":[…]}` from records' JSON, with `next_cursor` when given.
pub fn records_body(records: &[String], next_cursor: Option<Option<i64>>) -> String {
    let mut out = String::with_capacity(16 + records.iter().map(|r| r.len() + 1).sum::<usize>());
    out.push_str("{\"records\":[");
    for (i, r) in records.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        out.push_str(r);
    }
    out.push(']');
    if let Some(c) = next_cursor {
        out.push_str(",\"next_cursor\":");
        match c {
            Some(c) => out.push_str(&c.to_string()),
            None => out.push_str("null"),
        }
    }
    out.push('}');
    out
}
