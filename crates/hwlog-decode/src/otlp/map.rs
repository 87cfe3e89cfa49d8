//! OTLP log records to hwlog records.
//!
//! - level: the severity number (1–24 in six bands), else the severity text (`INFO`,
//!   `Information`, `warn`, …), else INFO; a non-empty `severityText` is kept as the field
//!   `severity_text`;
//! - message: a string body as it is; a map or list body as its JSON text (searchable) and,
//!   structured, as `body.*` fields; other bodies as their text;
//! - component: the scope's name, else the resource's `service.name`, else `otlp`;
//! - time: the event time, else the observed time, else arrival; the observed time is kept as
//!   `observed_time_unix_nano`;
//! - correlation id: the trace id in hex (kept as `trace_id` too), else a `correlation_id`
//!   attribute; `span_id`, `trace_flags`, `event_name`, `dropped_attributes_count` are fields;
//! - attributes as fields with their types; a map value becomes dotted keys
//!   (`http.request.header.x: …`), a list its JSON text, bytes stay bytes; the resource's
//!   attributes as `resource.*` (and `service.name` as `service`), the scope's as
//!   `scope.*`, its version as `scope.version`.
use hwlog_core::{Level, Record, Timestamp, Value};

use super::{any_value, AnyValue, InstrumentationScope, KeyValue, LogRecord, Resource};
use crate::limits::{Limits, Window};

fn level(number: i32, text: &str) -> Level {
    if let Some(l) = Level::from_otel_severity(number) {
        return l;
    }
    // OpenTelemetry's short names carry a step digit (`WARN2`); the name is hwlog's.
    let t = text.trim();
    let word = t.trim_end_matches(|c: char| c.is_ascii_digit());
    word.parse().or_else(|_| t.parse()).unwrap_or(Level::Info)
}

/// Lower-case hex of `b`.
pub(crate) fn hex(b: &[u8]) -> String {
    const D: &[u8; 16] = b"0123456789abcdef";
    let mut s = String::with_capacity(b.len() * 2);
    for x in b {
        s.push(D[(x >> 4) as usize] as char);
        s.push(D[(x & 15) as usize] as char);
    }
    s
}

/// `value` as JSON (lists and maps of the body, list attributes).
fn to_json(v: &AnyValue) -> serde_json::Value {
    use any_value::Value as V;
    use serde_json::Value as J;
    match &v.value {
        None => J::Null,
        Some(V::StringValue(s)) => J::String(s.clone()),
        Some(V::BoolValue(b)) => J::Bool(*b),
        Some(V::IntValue(i)) => J::from(*i),
        Some(V::DoubleValue(d)) => {
            serde_json::Number::from_f64(*d).map_or_else(|| J::String(d.to_string()), J::Number)
        }
        Some(V::BytesValue(b)) => J::String(Value::Bytes(b.clone()).to_string()),
        Some(V::ArrayValue(a)) => J::Array(a.values.iter().map(to_json).collect()),
        Some(V::KvlistValue(kv)) => J::Object(
            kv.values
                .iter()
                .map(|kv| (kv.key.clone(), kv.value.as_ref().map_or(J::Null, to_json)))
                .collect(),
        ),
    }
}

/// Adds `key = value` to `r`: maps as dotted keys (at most `depth` levels), lists as JSON
/// text. Fails past the depth or the record's field limit.
fn push(
    r: &mut Record,
    key: String,
    v: &AnyValue,
    depth: usize,
    limits: &Limits,
) -> Result<(), String> {
    use any_value::Value as V;
    if r.fields.len() >= limits.max_fields {
        return Err(format!("more than {} fields", limits.max_fields));
    }
    let value = match &v.value {
        None => Value::Null,
        Some(V::StringValue(s)) => Value::from(s.clone()),
        Some(V::BoolValue(b)) => Value::Bool(*b),
        Some(V::IntValue(i)) => Value::I64(*i),
        Some(V::DoubleValue(d)) => Value::F64(*d),
        Some(V::BytesValue(b)) => Value::Bytes(b.clone()),
        Some(V::ArrayValue(_)) => Value::from(to_json(v).to_string()),
        Some(V::KvlistValue(kv)) => {
            if depth >= limits.max_depth {
                return Err(format!(
                    "{key}: values nested more than {} deep",
                    limits.max_depth
                ));
            }
            for e in &kv.values {
                let k = format!("{key}.{}", e.key);
                match &e.value {
                    Some(ev) => push(r, k, ev, depth + 1, limits)?,
                    None => r.push_field(k, Value::Null),
                }
            }
            return Ok(());
        }
    };
    r.push_field(key, value);
    Ok(())
}

fn push_all(r: &mut Record, prefix: &str, kvs: &[KeyValue], limits: &Limits) -> Result<(), String> {
    for kv in kvs {
        let key = format!("{prefix}{}", kv.key);
        match &kv.value {
            Some(v) => push(r, key, v, 1, limits)?,
            None => r.push_field(key, Value::Null),
        }
    }
    Ok(())
}

/// One log record with its scope and resource, or why it is refused.
pub fn record(
    lr: &LogRecord,
    scope: Option<&InstrumentationScope>,
    resource: Option<&Resource>,
    limits: &Limits,
    window: &Window,
) -> Result<Record, crate::DecodeError> {
    use any_value::Value as V;
    let service = resource
        .and_then(|r| r.attributes.iter().find(|kv| kv.key == "service.name"))
        .and_then(
            |kv| match kv.value.as_ref().and_then(|v| v.value.as_ref()) {
                Some(V::StringValue(s)) => Some(s.clone()),
                _ => None,
            },
        );
    let component = scope
        .map(|s| s.name.clone())
        .filter(|s| !s.is_empty())
        .or_else(|| service.clone())
        .unwrap_or_else(|| "otlp".into());
    let body = lr.body.as_ref().and_then(|b| b.value.as_ref());
    let message = match body {
        None => String::new(),
        Some(V::StringValue(s)) => s.clone(),
        Some(V::ArrayValue(_) | V::KvlistValue(_)) => {
            to_json(lr.body.as_ref().expect("some")).to_string()
        }
        Some(V::BytesValue(b)) => Value::Bytes(b.clone()).to_string(),
        Some(V::BoolValue(b)) => b.to_string(),
        Some(V::IntValue(i)) => i.to_string(),
        Some(V::DoubleValue(d)) => d.to_string(),
    };
    let mut r = Record::new(
        level(lr.severity_number, &lr.severity_text),
        component,
        message,
    );
    let to_i64 = |t: u64, what: &str| {
        i64::try_from(t).map_err(|_| format!("{what} {t} is out of range (after 2262)"))
    };
    let ts = match (lr.time_unix_nano, lr.observed_time_unix_nano) {
        (0, 0) => window.now,
        (0, t) => window.check(to_i64(t, "observedTimeUnixNano")?)?,
        (t, _) => window.check(to_i64(t, "timeUnixNano")?)?,
    };
    r.timestamp = Timestamp::from_nanos(ts);
    if lr.trace_id.iter().any(|&b| b != 0) {
        let t = hex(&lr.trace_id);
        r.correlation_id = Some(t.clone().into());
        r.push_field("trace_id", t);
    }
    if lr.span_id.iter().any(|&b| b != 0) {
        r.push_field("span_id", hex(&lr.span_id));
    }
    if lr.flags != 0 {
        r.push_field("trace_flags", u64::from(lr.flags));
    }
    if !lr.event_name.is_empty() {
        r.push_field("event_name", lr.event_name.clone());
    }
    if !lr.severity_text.is_empty() {
        r.push_field("severity_text", lr.severity_text.clone());
    }
    if lr.observed_time_unix_nano != 0 {
        r.push_field("observed_time_unix_nano", lr.observed_time_unix_nano);
    }
    if lr.dropped_attributes_count != 0 {
        r.push_field(
            "dropped_attributes_count",
            u64::from(lr.dropped_attributes_count),
        );
    }
    if let Some(V::ArrayValue(_) | V::KvlistValue(_)) = body {
        push(
            &mut r,
            "body".into(),
            lr.body.as_ref().expect("some"),
            1,
            limits,
        )?;
    }
    for kv in &lr.attributes {
        // hwlog's own `otlp` sink sends correlation ids that are not trace ids as this
        // attribute.
        if kv.key == "correlation_id" && r.correlation_id.is_none() {
            if let Some(V::StringValue(s)) = kv.value.as_ref().and_then(|v| v.value.as_ref()) {
                r.correlation_id = Some(s.clone().into());
                continue;
            }
        }
        let v = kv.value.clone().unwrap_or_default();
        push(&mut r, kv.key.clone(), &v, 1, limits)?;
    }
    if let Some(s) = &service {
        r.push_field("service", s.clone());
    }
    if let Some(res) = resource {
        let rest: Vec<KeyValue> = res
            .attributes
            .iter()
            .filter(|kv| kv.key != "service.name")
            .cloned()
            .collect();
        push_all(&mut r, "resource.", &rest, limits)?;
    }
    if let Some(sc) = scope {
        if !sc.version.is_empty() {
            r.push_field("scope.version", sc.version.clone());
        }
        push_all(&mut r, "scope.", &sc.attributes, limits)?;
    }
    Ok(r)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn severity_text_without_a_number() {
        assert_eq!(level(0, "Information"), Level::Info);
        assert_eq!(level(0, "WARN2"), Level::Warning);
        assert_eq!(level(0, "Fatal"), Level::Critical);
        assert_eq!(level(0, ""), Level::Info);
        assert_eq!(level(18, "whatever"), Level::Error);
    }

    #[test]
    fn times_beyond_2262_are_refused_not_wrapped() {
        let lr = LogRecord {
            time_unix_nano: u64::MAX,
            ..Default::default()
        };
        let w = Window::new(1_700_000_000_000_000_000, None);
        let e = record(&lr, None, None, &Limits::default(), &w).unwrap_err();
        assert!(e.to_string().contains("out of range"), "{e}");
    }
}
