//! OTLP/HTTP JSON encoding of records, for the `otlp` sink (a [`RemoteSink`] speaking
//! [`Protocol::Otlp`]): one `ExportLogsServiceRequest` per batch, a scope per component
//! (the instrumentation scope is the logger's name), severity numbers from the OpenTelemetry
//! log data model, fields as typed attributes, the correlation id as the trace id when it is
//! 32 hex digits and as the attribute `correlation_id` otherwise.
//!
//! [`RemoteSink`]: super::remote::RemoteSink
//! [`Protocol::Otlp`]: super::remote::Protocol::Otlp
//!
//! ```
//! use hwlog::{Level, Record};
//! let r = Record::new(Level::Error, "bmc.ipmi", "power on failed").with_field("host", "node-7");
//! let body = hwlog::sink::otlp::encode(&[r], "provisioner");
//! let v: serde_json::Value = serde_json::from_slice(&body).unwrap();
//! let lr = &v["resourceLogs"][0]["scopeLogs"][0]["logRecords"][0];
//! assert_eq!(lr["severityNumber"], 17);
//! assert_eq!(lr["body"]["stringValue"], "power on failed");
//! assert_eq!(v["resourceLogs"][0]["scopeLogs"][0]["scope"]["name"], "bmc.ipmi");
//! ```
use hwlog_core::{Level, Record, Value};
use serde_json::{json, Value as Json};

/// The OpenTelemetry severity number of a level.
pub fn severity_number(level: Level) -> u8 {
    match level {
        Level::Trace => 1,
        Level::Debug => 5,
        Level::Info => 9,
        Level::Warning => 13,
        Level::Error => 17,
        Level::Critical => 21,
    }
}

fn any_value(v: &Value) -> Json {
    match v {
        Value::Bool(b) => json!({"boolValue": b}),
        Value::I64(i) => json!({"intValue": i.to_string()}),
        Value::U64(u) if *u <= i64::MAX as u64 => json!({"intValue": u.to_string()}),
        Value::F64(f) if f.is_finite() => json!({"doubleValue": f}),
        Value::Str(s) => json!({"stringValue": s}),
        other => json!({"stringValue": other.to_string()}),
    }
}

fn is_trace_id(s: &str) -> bool {
    s.len() == 32 && s.bytes().all(|b| b.is_ascii_hexdigit()) && s.bytes().any(|b| b != b'0')
}

fn log_record(r: &Record) -> Json {
    let mut attrs: Vec<Json> = r
        .fields
        .iter()
        .map(|(k, v)| json!({"key": &**k, "value": any_value(v)}))
        .collect();
    let mut lr = json!({
        "timeUnixNano": r.timestamp.as_nanos().max(0).to_string(),
        "severityNumber": severity_number(r.level),
        "severityText": r.level.as_str(),
        "body": {"stringValue": &*r.message},
    });
    match r.correlation_id.as_deref() {
        Some(c) if is_trace_id(c) => lr["traceId"] = json!(c.to_ascii_lowercase()),
        Some(c) => attrs.push(json!({"key": "correlation_id", "value": {"stringValue": c}})),
        None => {}
    }
    if let Some(e) = &r.error {
        attrs.push(json!({"key": "exception.message", "value": {"stringValue": e}}));
    }
    lr["attributes"] = Json::Array(attrs);
    lr
}

/// One `ExportLogsServiceRequest` (OTLP/HTTP JSON) holding `records`, from `service`.
pub fn encode(records: &[Record], service: &str) -> Vec<u8> {
    let mut scopes: Vec<(&str, Vec<Json>)> = Vec::new();
    for r in records {
        let comp = r.component.as_str();
        match scopes.iter_mut().find(|(c, _)| *c == comp) {
            Some((_, v)) => v.push(log_record(r)),
            None => scopes.push((comp, vec![log_record(r)])),
        }
    }
    let scope_logs: Vec<Json> = scopes
        .into_iter()
        .map(|(c, lrs)| json!({"scope": {"name": c}, "logRecords": lrs}))
        .collect();
    let req = json!({"resourceLogs": [{
        "resource": {"attributes": [{"key": "service.name", "value": {"stringValue": service}}]},
        "scopeLogs": scope_logs,
    }]});
    serde_json::to_vec(&req).unwrap_or_default()
}
