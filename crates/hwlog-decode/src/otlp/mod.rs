//! OTLP/HTTP logs (`POST /v1/logs`), protobuf and JSON.
//!
//! The messages below are the logs subset of opentelemetry-proto
//! (`opentelemetry/proto/collector/logs/v1/logs_service.proto` and what it uses), with the
//! same field numbers; prost does the decoding. JSON follows the OTLP JSON mapping
//! (lowerCamelCase names, trace ids in hex, 64-bit integers as strings or numbers).
//!
//! How a log record maps to a hwlog record is in [`map`](record): every part of the record
//! is kept, nested values as dotted keys.
use prost::Message;

use crate::json::Decoded;
use crate::limits::{Limits, Window};
use crate::DecodeError;

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
    /// Schema of the resource's attributes.
    #[prost(string, tag = "3")]
    pub schema_url: String,
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
    /// Schema of the records' attributes.
    #[prost(string, tag = "3")]
    pub schema_url: String,
}

/// `InstrumentationScope`.
#[derive(Clone, PartialEq, Message)]
pub struct InstrumentationScope {
    /// Its name (a logger name).
    #[prost(string, tag = "1")]
    pub name: String,
    /// Its version.
    #[prost(string, tag = "2")]
    pub version: String,
    /// Its attributes.
    #[prost(message, repeated, tag = "3")]
    pub attributes: Vec<KeyValue>,
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
    /// Attributes the sender dropped.
    #[prost(uint32, tag = "7")]
    pub dropped_attributes_count: u32,
    /// W3C trace flags.
    #[prost(fixed32, tag = "8")]
    pub flags: u32,
    /// 16 bytes.
    #[prost(bytes = "vec", tag = "9")]
    pub trace_id: Vec<u8>,
    /// 8 bytes.
    #[prost(bytes = "vec", tag = "10")]
    pub span_id: Vec<u8>,
    /// The event's name (events are log records with a name).
    #[prost(string, tag = "12")]
    pub event_name: String,
}

/// `ExportLogsServiceResponse`.
#[derive(Clone, PartialEq, Message)]
pub struct ExportLogsServiceResponse {
    /// Set when some records were refused.
    #[prost(message, optional, tag = "1")]
    pub partial_success: Option<ExportLogsPartialSuccess>,
}

/// `ExportLogsPartialSuccess`.
#[derive(Clone, PartialEq, Message)]
pub struct ExportLogsPartialSuccess {
    /// How many records were refused.
    #[prost(int64, tag = "1")]
    pub rejected_log_records: i64,
    /// Why.
    #[prost(string, tag = "2")]
    pub error_message: String,
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

mod json;
mod map;

pub use json::decode_json;
pub use map::record;

/// The start of the error for a request with more than [`Limits::max_records`] records.
pub const TOO_MANY: &str = "too many log records in one request";

/// Decodes a protobuf body into records: each record is mapped and checked on its own (a
/// refused one is listed in the outcome), more than [`Limits::max_records`] refuse the whole
/// request.
pub fn decode_protobuf(
    body: &[u8],
    limits: &Limits,
    window: &Window,
) -> Result<Decoded, DecodeError> {
    let req = ExportLogsServiceRequest::decode(body)
        .map_err(|e| format!("invalid OTLP protobuf: {e}"))?;
    let n: usize = req
        .resource_logs
        .iter()
        .flat_map(|r| &r.scope_logs)
        .map(|s| s.log_records.len())
        .sum();
    if n > limits.max_records {
        return Err(DecodeError::new(
            crate::DecodeErrorKind::TooMany,
            format!("{TOO_MANY} ({n}; at most {})", limits.max_records),
        ));
    }
    let mut out = Decoded::default();
    let mut i = 0;
    for rl in &req.resource_logs {
        for sl in &rl.scope_logs {
            for lr in &sl.log_records {
                let r = record(lr, sl.scope.as_ref(), rl.resource.as_ref(), limits, window);
                out.push(i, r, limits);
                i += 1;
            }
        }
    }
    Ok(out)
}

/// The protobuf `ExportLogsServiceResponse`: empty, or with the refused count and reason.
pub fn encode_response(partial: Option<(i64, String)>) -> Vec<u8> {
    ExportLogsServiceResponse {
        partial_success: partial.map(|(n, m)| ExportLogsPartialSuccess {
            rejected_log_records: n,
            error_message: m,
        }),
    }
    .encode_to_vec()
}
