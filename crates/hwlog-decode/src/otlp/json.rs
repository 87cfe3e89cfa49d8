//! OTLP/JSON (`application/json`), read as a stream: each log record is parsed under its own
//! value budget and converted as soon as it is read, so a request costs memory in proportion
//! to the records it carries, not to the JSON tree. Keys are lowerCamelCase, unknown keys
//! are ignored, 64-bit integers come as numbers or decimal strings, `traceId`/`spanId` as hex
//! and `bytesValue` as base64 (the OTLP JSON encoding). A record with a wrongly typed entry
//! is refused on its own with the reason; the others are kept.
use std::cell::RefCell;
use std::fmt;

use base64::Engine as _;
use serde::de::{
    DeserializeSeed, Deserializer, Error as _, IgnoredAny, MapAccess, SeqAccess, Visitor,
};
use serde_json::Value as Json;

use super::{
    any_value, AnyValue, ArrayValue, InstrumentationScope, KeyValue, KeyValueList, LogRecord,
    Resource, TOO_MANY,
};
use crate::bounded::{Budget, Seed};
use crate::json::Decoded;
use crate::limits::{Limits, Window};
use crate::DecodeError;

/// Decodes an OTLP JSON body into records (see the module documentation).
pub fn decode_json(body: &[u8], limits: &Limits, window: &Window) -> Result<Decoded, DecodeError> {
    let ctx = Ctx {
        budget: Budget::new(limits.value_budget(), limits.max_depth),
        limits,
        window,
        out: RefCell::new(Decoded::default()),
        n: RefCell::new(0),
    };
    let mut de = serde_json::Deserializer::from_slice(body);
    Top(&ctx)
        .deserialize(&mut de)
        .and_then(|_| de.end())
        .map_err(|e| {
            let m = e.to_string();
            if m.starts_with(TOO_MANY) {
                DecodeError::new(crate::DecodeErrorKind::TooMany, m)
            } else {
                DecodeError::from(format!("invalid OTLP JSON: {m}"))
            }
        })?;
    Ok(ctx.out.into_inner())
}

struct Ctx<'a> {
    budget: Budget,
    limits: &'a Limits,
    window: &'a Window,
    out: RefCell<Decoded>,
    n: RefCell<usize>,
}

impl Ctx<'_> {
    /// A small value (resource, scope, one record) under a fresh budget.
    fn value<'de, D: Deserializer<'de>>(&self, d: D) -> Result<Result<Json, String>, D::Error> {
        self.budget.reset();
        let v = Seed {
            budget: &self.budget,
            depth: 0,
        }
        .deserialize(d)?;
        Ok(match self.budget.exceeded() {
            Some(e) => Err(format!("record too large: {e}")),
            None => Ok(v),
        })
    }
}

macro_rules! visitor {
    ($name:ident, $what:literal, $out:ty, |$self:ident, $acc:ident : $kind:ident as $tr:ident| $body:block) => {
        impl<'de> DeserializeSeed<'de> for $name<'_, '_> {
            type Value = $out;
            fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<$out, D::Error> {
                d.deserialize_any(self)
            }
        }
        impl<'de> Visitor<'de> for $name<'_, '_> {
            type Value = $out;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str($what)
            }
            fn $kind<A: $tr<'de>>(self, mut $acc: A) -> Result<$out, A::Error> {
                let $self = self;
                $body
            }
        }
    };
}

struct Top<'c>(&'c Ctx<'c>);
impl<'de> DeserializeSeed<'de> for Top<'_> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_map(self)
    }
}
impl<'de> Visitor<'de> for Top<'_> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("an ExportLogsServiceRequest object")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut m: A) -> Result<(), A::Error> {
        while let Some(k) = m.next_key::<String>()? {
            if k == "resourceLogs" {
                m.next_value_seed(List(self.0, ListOf::Resources))?;
            } else {
                m.next_value::<IgnoredAny>()?;
            }
        }
        Ok(())
    }
}

#[derive(Clone, Copy)]
enum ListOf {
    Resources,
    Scopes,
    Records,
}

/// A list of `resourceLogs`, `scopeLogs` or `logRecords`; what it yields is collected in
/// `Items`.
struct List<'a, 'c>(&'a Ctx<'c>, ListOf);

/// Records read but not yet mapped (their resource may come after them), with their index.
type Pending = Vec<(
    usize,
    Result<LogRecord, String>,
    Option<InstrumentationScope>,
)>;

visitor!(List, "a list", Pending, |this, seq: visit_seq as SeqAccess| {
    let mut out = Pending::new();
    match this.1 {
        ListOf::Resources => {
            while seq.next_element_seed(ResourceLogs(this.0))?.is_some() {}
        }
        ListOf::Scopes => {
            while let Some(p) = seq.next_element_seed(ScopeLogs(this.0))? {
                out.extend(p);
            }
        }
        ListOf::Records => {
            loop {
                let i = *this.0.n.borrow();
                if i > this.0.limits.max_records {
                    return Err(A::Error::custom(format!(
                        "{TOO_MANY} (at most {})",
                        this.0.limits.max_records
                    )));
                }
                let Some(v) = seq.next_element_seed(RecordValue(this.0))? else {
                    break;
                };
                *this.0.n.borrow_mut() += 1;
                out.push((i, v.and_then(|v| log_record(&v)), None));
            }
            if *this.0.n.borrow() > this.0.limits.max_records {
                return Err(A::Error::custom(format!(
                    "{TOO_MANY} (at most {})",
                    this.0.limits.max_records
                )));
            }
        }
    }
    Ok(out)
});

struct RecordValue<'a, 'c>(&'a Ctx<'c>);
impl<'de> DeserializeSeed<'de> for RecordValue<'_, '_> {
    type Value = Result<Json, String>;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        self.0.value(d)
    }
}

struct ResourceLogs<'a, 'c>(&'a Ctx<'c>);
visitor!(ResourceLogs, "a ResourceLogs object", (), |this, m: visit_map as MapAccess| {
    let ctx = this.0;
    let mut resource = None;
    let mut pending = Pending::new();
    while let Some(k) = m.next_key::<String>()? {
        match k.as_str() {
            "resource" => resource = Some(m.next_value_seed(RecordValue(ctx))?),
            "scopeLogs" => pending.extend(m.next_value_seed(List(ctx, ListOf::Scopes))?),
            _ => {
                m.next_value::<IgnoredAny>()?;
            }
        }
    }
    let resource = match resource.map(|r| r.and_then(|v| resource_of(&v))) {
        None => Ok(None),
        Some(Ok(r)) => Ok(Some(r)),
        Some(Err(e)) => Err(format!("resource: {e}")),
    };
    let mut out = ctx.out.borrow_mut();
    for (i, lr, scope) in pending {
        let r = match (&resource, lr) {
            (Err(e), _) => Err(DecodeError::from(e.clone())),
            (_, Err(e)) => Err(DecodeError::from(e)),
            (Ok(res), Ok(lr)) => {
                super::record(&lr, scope.as_ref(), res.as_ref(), ctx.limits, ctx.window)
            }
        };
        out.push(i, r, ctx.limits);
    }
    Ok(())
});

struct ScopeLogs<'a, 'c>(&'a Ctx<'c>);
visitor!(ScopeLogs, "a ScopeLogs object", Pending, |this, m: visit_map as MapAccess| {
    let ctx = this.0;
    let mut scope = None;
    let mut pending = Pending::new();
    while let Some(k) = m.next_key::<String>()? {
        match k.as_str() {
            "scope" => scope = Some(m.next_value_seed(RecordValue(ctx))?),
            "logRecords" => pending.extend(m.next_value_seed(List(ctx, ListOf::Records))?),
            _ => {
                m.next_value::<IgnoredAny>()?;
            }
        }
    }
    let scope = scope.map(|s| s.and_then(|v| scope_of(&v)));
    Ok(pending
        .into_iter()
        .map(|(i, lr, _)| match &scope {
            Some(Err(e)) => (i, Err(format!("scope: {e}")), None),
            Some(Ok(s)) => (i, lr, Some(s.clone())),
            None => (i, lr, None),
        })
        .collect())
});

fn obj<'a>(v: &'a Json, what: &str) -> Result<&'a serde_json::Map<String, Json>, String> {
    v.as_object()
        .ok_or_else(|| format!("{what} must be an object"))
}

fn string(o: &serde_json::Map<String, Json>, k: &str) -> Result<String, String> {
    match o.get(k) {
        None | Some(Json::Null) => Ok(String::new()),
        Some(Json::String(s)) => Ok(s.clone()),
        Some(_) => Err(format!("{k} must be a string")),
    }
}

/// A 64-bit unsigned integer as a number or decimal string.
fn uint(o: &serde_json::Map<String, Json>, k: &str) -> Result<u64, String> {
    match o.get(k) {
        None | Some(Json::Null) => Ok(0),
        Some(Json::Number(n)) => n
            .as_u64()
            .ok_or_else(|| format!("{k} must be a whole number ≥ 0")),
        Some(Json::String(s)) => s
            .parse()
            .map_err(|_| format!("{k} {s:?} is not a whole number ≥ 0")),
        Some(_) => Err(format!("{k} must be a number")),
    }
}

fn int(v: &Json, k: &str) -> Result<i64, String> {
    match v {
        Json::Number(n) => n
            .as_i64()
            .ok_or_else(|| format!("{k} must be a 64-bit integer")),
        Json::String(s) => s
            .parse()
            .map_err(|_| format!("{k} {s:?} is not an integer")),
        _ => Err(format!("{k} must be an integer")),
    }
}

fn id(o: &serde_json::Map<String, Json>, k: &str, len: usize) -> Result<Vec<u8>, String> {
    let s = string(o, k)?;
    if s.is_empty() {
        return Ok(Vec::new());
    }
    if s.len() != 2 * len || !s.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(format!("{k} must be {} hex digits", 2 * len));
    }
    Ok((0..len)
        .map(|i| u8::from_str_radix(&s[2 * i..2 * i + 2], 16).unwrap_or(0))
        .collect())
}

/// An `AnyValue` object.
fn any(v: &Json, what: &str) -> Result<AnyValue, String> {
    use any_value::Value as V;
    let o = obj(v, what)?;
    let mut value = None;
    for (k, x) in o {
        let got = match k.as_str() {
            "stringValue" => V::StringValue(
                x.as_str()
                    .ok_or_else(|| format!("{what}: stringValue must be a string"))?
                    .to_string(),
            ),
            "boolValue" => V::BoolValue(
                x.as_bool()
                    .ok_or_else(|| format!("{what}: boolValue must be true or false"))?,
            ),
            "intValue" => V::IntValue(int(x, &format!("{what}: intValue"))?),
            "doubleValue" => V::DoubleValue(match x {
                Json::Number(n) => n.as_f64().unwrap_or(f64::NAN),
                Json::String(s) if matches!(s.as_str(), "NaN" | "Infinity" | "-Infinity") => {
                    s.replace("Infinity", "inf").parse().unwrap_or(f64::NAN)
                }
                _ => return Err(format!("{what}: doubleValue must be a number")),
            }),
            "bytesValue" => V::BytesValue(
                x.as_str()
                    .and_then(|s| base64::engine::general_purpose::STANDARD.decode(s).ok())
                    .ok_or_else(|| format!("{what}: bytesValue must be base64 text"))?,
            ),
            "arrayValue" => V::ArrayValue(ArrayValue {
                values: values(x, what)?
                    .iter()
                    .enumerate()
                    .map(|(i, e)| any(e, &format!("{what}[{i}]")))
                    .collect::<Result<_, _>>()?,
            }),
            "kvlistValue" => V::KvlistValue(KeyValueList {
                values: kvs(values(x, what)?, what)?,
            }),
            _ => continue,
        };
        if value.is_some() {
            return Err(format!("{what}: more than one kind of value"));
        }
        value = Some(got);
    }
    Ok(AnyValue { value })
}

/// `{"values": [...]}` (the encoding), or a bare list (as older OTLP examples write it).
fn values<'a>(x: &'a Json, what: &str) -> Result<&'a [Json], String> {
    match x {
        Json::Array(a) => Ok(a),
        Json::Object(o) => match o.get("values") {
            None | Some(Json::Null) => Ok(&[]),
            Some(Json::Array(a)) => Ok(a),
            Some(_) => Err(format!("{what}: values must be a list")),
        },
        _ => Err(format!("{what}: expected {{\"values\": [...]}}")),
    }
}

fn kvs(list: &[Json], what: &str) -> Result<Vec<KeyValue>, String> {
    list.iter()
        .map(|kv| {
            let o = obj(kv, what)?;
            let key = match o.get("key") {
                Some(Json::String(k)) => k.clone(),
                _ => return Err(format!("{what}: every entry needs a text key")),
            };
            let value = match o.get("value") {
                None | Some(Json::Null) => None,
                Some(v) => Some(any(v, &format!("attribute {key:?}"))?),
            };
            Ok(KeyValue { key, value })
        })
        .collect()
}

fn attributes(o: &serde_json::Map<String, Json>, what: &str) -> Result<Vec<KeyValue>, String> {
    match o.get("attributes") {
        None | Some(Json::Null) => Ok(Vec::new()),
        Some(Json::Array(a)) => kvs(a, what),
        Some(_) => Err(format!("{what}: attributes must be a list")),
    }
}

fn resource_of(v: &Json) -> Result<Resource, String> {
    let o = obj(v, "resource")?;
    Ok(Resource {
        attributes: attributes(o, "resource")?,
    })
}

fn scope_of(v: &Json) -> Result<InstrumentationScope, String> {
    let o = obj(v, "scope")?;
    Ok(InstrumentationScope {
        name: string(o, "name")?,
        version: string(o, "version")?,
        attributes: attributes(o, "scope")?,
    })
}

/// One `logRecords` entry, every known key checked for its type.
fn log_record(v: &Json) -> Result<LogRecord, String> {
    let o = obj(v, "a log record")?;
    let small = |k: &str| -> Result<u32, String> {
        u32::try_from(uint(o, k)?).map_err(|_| format!("{k} is out of range"))
    };
    let severity_number = match o.get("severityNumber") {
        None | Some(Json::Null) => 0,
        Some(x) => {
            let n = int(x, "severityNumber")?;
            if !(0..=24).contains(&n) {
                return Err(format!("severityNumber {n} is not 0..=24"));
            }
            n as i32
        }
    };
    Ok(LogRecord {
        time_unix_nano: uint(o, "timeUnixNano")?,
        observed_time_unix_nano: uint(o, "observedTimeUnixNano")?,
        severity_number,
        severity_text: string(o, "severityText")?,
        body: match o.get("body") {
            None | Some(Json::Null) => None,
            Some(b) => Some(any(b, "body")?),
        },
        attributes: attributes(o, "attributes")?,
        dropped_attributes_count: small("droppedAttributesCount")?,
        flags: small("flags")?,
        trace_id: id(o, "traceId", 16)?,
        span_id: id(o, "spanId", 8)?,
        event_name: string(o, "eventName")?,
    })
}
