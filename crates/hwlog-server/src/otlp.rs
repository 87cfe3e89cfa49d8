//! OTLP/HTTP logs (`POST /v1/logs`), protobuf and JSON.
//!
//! The messages below are the logs subset of opentelemetry-proto
//! (`opentelemetry/proto/collector/logs/v1/logs_service.proto` and what it uses), with the
//! same field numbers; prost does the decoding. JSON follows the OTLP JSON mapping
//! (lowerCamelCase names, trace ids in hex, 64-bit integers as strings or numbers).
//!
//! Mapping: the severity number (or text) gives the level; the body is the message; the
//! scope name, else the resource's `service.name`, is the component; the trace id (hex) is
//! the correlation id (else a `correlation_id` attribute); attributes become fields, and `service.name`, `span_id` are kept as
//! fields too.
use hwlog_core::{Level, Record, Timestamp, Value};
use prost::Message;
use serde_json::Value as Json;

/// `ExportLogsServiceRequest`.
#[derive(Clone, PartialEq, Message)]
pub struct ExportLogsServiceRequest {
    /// Logs per resource.
    #[prost(message, repeated, tag = "1")]
    pub resource_logs: Vec<ResourceLogs>,
}

/// `ResourceLogs`.
#[derive(Clone, PartialEq, Message)]
pub struct ResourceLogs {
    /// The resource.
    #[prost(message, optional, tag = "1")]
    pub resource: Option<Resource>,
    /// Logs per scope.
    #[prost(message, repeated, tag = "2")]
    pub scope_logs: Vec<ScopeLogs>,
}

/// `Resource`.
#[derive(Clone, PartialEq, Message)]
pub struct Resource {
    /// Its attributes (`service.name`, …).
    #[prost(message, repeated, tag = "1")]
    pub attributes: Vec<KeyValue>,
}

/// `ScopeLogs`.
#[derive(Clone, PartialEq, Message)]
pub struct ScopeLogs {
    /// The instrumentation scope.
    #[prost(message, optional, tag = "1")]
    pub scope: Option<InstrumentationScope>,
    /// The records.
    #[prost(message, repeated, tag = "2")]
    pub log_records: Vec<LogRecord>,
}

/// `InstrumentationScope`.
#[derive(Clone, PartialEq, Message)]
pub struct InstrumentationScope {
    /// Its name (a logger name).
    #[prost(string, tag = "1")]
    pub name: String,
}

/// `LogRecord`.
#[derive(Clone, PartialEq, Message)]
pub struct LogRecord {
    /// Event time.
    #[prost(fixed64, tag = "1")]
    pub time_unix_nano: u64,
    /// Observation time (used without an event time).
    #[prost(fixed64, tag = "11")]
    pub observed_time_unix_nano: u64,
    /// 1–24.
    #[prost(int32, tag = "2")]
    pub severity_number: i32,
    /// `INFO`, `ERROR`, ….
    #[prost(string, tag = "3")]
    pub severity_text: String,
    /// The message.
    #[prost(message, optional, tag = "5")]
    pub body: Option<AnyValue>,
    /// Attributes.
    #[prost(message, repeated, tag = "6")]
    pub attributes: Vec<KeyValue>,
    /// 16 bytes.
    #[prost(bytes = "vec", tag = "9")]
    pub trace_id: Vec<u8>,
    /// 8 bytes.
    #[prost(bytes = "vec", tag = "10")]
    pub span_id: Vec<u8>,
}

/// `KeyValue`.
#[derive(Clone, PartialEq, Message)]
pub struct KeyValue {
    /// Key.
    #[prost(string, tag = "1")]
    pub key: String,
    /// Value.
    #[prost(message, optional, tag = "2")]
    pub value: Option<AnyValue>,
}

/// `AnyValue`.
#[derive(Clone, PartialEq, Message)]
pub struct AnyValue {
    /// The value.
    #[prost(oneof = "any_value::Value", tags = "1, 2, 3, 4, 5, 6, 7")]
    pub value: Option<any_value::Value>,
}

/// `AnyValue`'s cases.
pub mod any_value {
    /// One of.
    #[derive(Clone, PartialEq, prost::Oneof)]
    pub enum Value {
        /// Text.
        #[prost(string, tag = "1")]
        StringValue(String),
        /// Boolean.
        #[prost(bool, tag = "2")]
        BoolValue(bool),
        /// Integer.
        #[prost(int64, tag = "3")]
        IntValue(i64),
        /// Float.
        #[prost(double, tag = "4")]
        DoubleValue(f64),
        /// List.
        #[prost(message, tag = "5")]
        ArrayValue(super::ArrayValue),
        /// Map.
        #[prost(message, tag = "6")]
        KvlistValue(super::KeyValueList),
        /// Bytes.
        #[prost(bytes = "vec", tag = "7")]
        BytesValue(Vec<u8>),
    }
}

/// `ArrayValue`.
#[derive(Clone, PartialEq, Message)]
pub struct ArrayValue {
    /// Values.
    #[prost(message, repeated, tag = "1")]
    pub values: Vec<AnyValue>,
}

/// `KeyValueList`.
#[derive(Clone, PartialEq, Message)]
pub struct KeyValueList {
    /// Values.
    #[prost(message, repeated, tag = "1")]
    pub values: Vec<KeyValue>,
}

fn level(number: i32, text: &str) -> Level {
    match number {
        1..=4 => Level::Trace,
        5..=8 => Level::Debug,
        9..=12 => Level::Info,
        13..=16 => Level::Warning,
        17..=20 => Level::Error,
        21..=24 => Level::Critical,
        _ => text.parse().unwrap_or(Level::Info),
    }
}

fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

fn any_to_value(v: &AnyValue) -> Value {
    use any_value::Value as V;
    match &v.value {
        None => Value::Null,
        Some(V::StringValue(s)) => Value::from(s.clone()),
        Some(V::BoolValue(b)) => Value::Bool(*b),
        Some(V::IntValue(i)) => Value::I64(*i),
        Some(V::DoubleValue(d)) => Value::F64(*d),
        Some(V::BytesValue(b)) => Value::Bytes(b.clone()),
        Some(other) => Value::from(format!("{other:?}")),
    }
}

fn text_of(v: &Option<AnyValue>) -> String {
    match v.as_ref().and_then(|v| v.value.as_ref()) {
        Some(any_value::Value::StringValue(s)) => s.clone(),
        Some(_) => match any_to_value(v.as_ref().expect("some")) {
            Value::I64(i) => i.to_string(),
            Value::F64(f) => f.to_string(),
            Value::Bool(b) => b.to_string(),
            other => format!("{other:?}"),
        },
        None => String::new(),
    }
}

/// The records of a decoded request.
pub fn records(req: &ExportLogsServiceRequest, now: i64) -> Vec<Record> {
    let mut out = Vec::new();
    for rl in &req.resource_logs {
        let service = rl
            .resource
            .as_ref()
            .and_then(|r| r.attributes.iter().find(|kv| kv.key == "service.name"))
            .map(|kv| text_of(&kv.value));
        for sl in &rl.scope_logs {
            let scope = sl
                .scope
                .as_ref()
                .map(|s| s.name.clone())
                .filter(|s| !s.is_empty());
            for lr in &sl.log_records {
                let comp = scope
                    .clone()
                    .or_else(|| service.clone())
                    .unwrap_or_else(|| "otlp".into());
                let mut r = Record::new(
                    level(lr.severity_number, &lr.severity_text),
                    comp,
                    text_of(&lr.body),
                );
                let ts = if lr.time_unix_nano != 0 {
                    lr.time_unix_nano
                } else {
                    lr.observed_time_unix_nano
                };
                r.timestamp = Timestamp::from_nanos(if ts == 0 { now } else { ts as i64 });
                if lr.trace_id.iter().any(|&b| b != 0) {
                    r.correlation_id = Some(hex(&lr.trace_id).into());
                }
                if let Some(s) = &service {
                    r.push_field("service", s.clone());
                }
                if lr.span_id.iter().any(|&b| b != 0) {
                    r.push_field("span_id", hex(&lr.span_id));
                }
                for kv in &lr.attributes {
                    if let Some(v) = &kv.value {
                        // hwlog's own `otlp` sink sends correlation ids that are not trace
                        // ids as this attribute.
                        if kv.key == "correlation_id" && r.correlation_id.is_none() {
                            r.correlation_id = Some(text_of(&kv.value).into());
                            continue;
                        }
                        r.push_field(kv.key.clone(), any_to_value(v));
                    }
                }
                out.push(r);
            }
        }
    }
    out
}

/// Decodes a protobuf body.
pub fn decode_protobuf(body: &[u8]) -> Result<ExportLogsServiceRequest, String> {
    ExportLogsServiceRequest::decode(body).map_err(|e| format!("invalid OTLP protobuf: {e}"))
}

/// Decodes an OTLP JSON body.
pub fn decode_json(body: &[u8]) -> Result<ExportLogsServiceRequest, String> {
    let v: Json = serde_json::from_slice(body).map_err(|e| format!("invalid OTLP JSON: {e}"))?;
    let arr = |v: &Json, k: &str| {
        v.get(k)
            .and_then(|x| x.as_array())
            .cloned()
            .unwrap_or_default()
    };
    let num = |v: Option<&Json>| -> u64 {
        match v {
            Some(Json::String(s)) => s.parse().unwrap_or(0),
            Some(Json::Number(n)) => n.as_u64().unwrap_or(0),
            _ => 0,
        }
    };
    fn any(v: &Json) -> AnyValue {
        use any_value::Value as V;
        let value = if let Some(s) = v.get("stringValue").and_then(|x| x.as_str()) {
            Some(V::StringValue(s.to_string()))
        } else if let Some(b) = v.get("boolValue").and_then(|x| x.as_bool()) {
            Some(V::BoolValue(b))
        } else if let Some(i) = v.get("intValue") {
            Some(V::IntValue(match i {
                Json::String(s) => s.parse().unwrap_or(0),
                other => other.as_i64().unwrap_or(0),
            }))
        } else {
            v.get("doubleValue")
                .and_then(|d| d.as_f64())
                .map(V::DoubleValue)
        };
        AnyValue { value }
    }
    let kvs = |v: &Json| -> Vec<KeyValue> {
        v.as_array()
            .into_iter()
            .flatten()
            .map(|kv| KeyValue {
                key: kv
                    .get("key")
                    .and_then(|k| k.as_str())
                    .unwrap_or("")
                    .to_string(),
                value: kv.get("value").map(any),
            })
            .collect()
    };
    let unhex = |s: &str| -> Vec<u8> {
        (0..s.len() / 2)
            .filter_map(|i| u8::from_str_radix(s.get(2 * i..2 * i + 2)?, 16).ok())
            .collect()
    };
    let mut req = ExportLogsServiceRequest::default();
    for rl in arr(&v, "resourceLogs") {
        let resource = rl.get("resource").map(|r| Resource {
            attributes: kvs(r.get("attributes").unwrap_or(&Json::Null)),
        });
        let mut scope_logs = Vec::new();
        for sl in arr(&rl, "scopeLogs") {
            let scope = sl.get("scope").map(|s| InstrumentationScope {
                name: s
                    .get("name")
                    .and_then(|n| n.as_str())
                    .unwrap_or("")
                    .to_string(),
            });
            let log_records = arr(&sl, "logRecords")
                .iter()
                .map(|lr| LogRecord {
                    time_unix_nano: num(lr.get("timeUnixNano")),
                    observed_time_unix_nano: num(lr.get("observedTimeUnixNano")),
                    severity_number: lr
                        .get("severityNumber")
                        .and_then(|n| n.as_i64())
                        .unwrap_or(0) as i32,
                    severity_text: lr
                        .get("severityText")
                        .and_then(|t| t.as_str())
                        .unwrap_or("")
                        .to_string(),
                    body: lr.get("body").map(any),
                    attributes: kvs(lr.get("attributes").unwrap_or(&Json::Null)),
                    trace_id: unhex(lr.get("traceId").and_then(|t| t.as_str()).unwrap_or("")),
                    span_id: unhex(lr.get("spanId").and_then(|t| t.as_str()).unwrap_or("")),
                })
                .collect();
            scope_logs.push(ScopeLogs { scope, log_records });
        }
        req.resource_logs.push(ResourceLogs {
            resource,
            scope_logs,
        });
    }
    Ok(req)
}
