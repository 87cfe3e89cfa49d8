//! Records from JSON bodies: a JSON array, one object, or NDJSON (the HTTP API, Fluent
//! Bit, Vector), and Python `logging.handlers.HTTPHandler` forms.
use hwlog_core::{Level, Record, Timestamp};
use serde_json::Value as Json;

use crate::bounded::{Budget, Seed};
use crate::limits::{Limits, Window};
use crate::DecodeError;

/// Why a whole request body was refused.
#[derive(Debug, PartialEq)]
pub enum BodyError {
    /// More records than [`Limits::max_records`] (413).
    TooMany(String),
    /// Not JSON at all (400).
    Invalid(String),
}

/// A decoded request: its records, and the ones refused (the first
/// [`Limits::max_errors`] listed with their index, all counted).
#[derive(Debug, Default)]
pub struct Decoded {
    /// The records that passed, in order.
    pub records: Vec<Record>,
    /// `(index, error)` of the first refused ones.
    pub errors: Vec<(usize, String)>,
    /// How many were refused in all.
    pub rejected: usize,
    /// How many kept records had a message or value cut.
    pub truncated: usize,
}

impl Decoded {
    /// Adds the outcome of record `index`.
    pub fn push(&mut self, index: usize, r: Result<Record, DecodeError>, limits: &Limits) {
        match r.and_then(|mut r| limits.fit(&mut r).map(|cut| (r, cut))) {
            Ok((r, cut)) => {
                self.truncated += usize::from(cut);
                self.records.push(r);
            }
            Err(e) => {
                self.rejected += 1;
                if self.errors.len() < limits.max_errors {
                    self.errors.push((index, e.to_string()));
                }
            }
        }
    }
}

/// Decodes a JSON array or NDJSON body (a UTF-8 byte order mark first is skipped) under
/// `limits`: the record count is checked before any record is decoded, each record is
/// parsed under its own value budget, and every record is checked against `window`.
pub fn decode_records(body: &[u8], limits: &Limits, window: &Window) -> Result<Decoded, BodyError> {
    let body = body.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(body);
    let trimmed = body.trim_ascii_start();
    let budget = Budget::new(limits.value_budget(), limits.max_depth);
    let mut out = Decoded::default();
    if trimmed.first() == Some(&b'[') {
        let mut de = serde_json::Deserializer::from_slice(trimmed);
        let seed = ArraySeed {
            budget: &budget,
            limits,
            window,
            out: &mut out,
        };
        if let Err(e) =
            serde::de::DeserializeSeed::deserialize(seed, &mut de).and_then(|_| de.end())
        {
            let msg = e.to_string();
            return Err(if msg.starts_with(TOO_MANY) {
                BodyError::TooMany(msg)
            } else {
                BodyError::Invalid(format!("invalid JSON array: {msg}"))
            });
        }
        return Ok(out);
    }
    let lines = || {
        trimmed
            .split(|&c| c == b'\n')
            .filter(|l| !l.trim_ascii().is_empty())
    };
    let n = lines().count();
    if n > limits.max_records {
        return Err(BodyError::TooMany(format!(
            "{TOO_MANY} ({n}; at most {} per request)",
            limits.max_records
        )));
    }
    for (i, line) in lines().enumerate() {
        budget.reset();
        let r = crate::bounded::parse_value(line, &budget)
            .map_err(|e| DecodeError::from(format!("invalid JSON: {e}")))
            .and_then(|v| over(&budget).map(|_| v))
            .and_then(|v| record_from_json(&v, window));
        out.push(i, r, limits);
    }
    Ok(out)
}

const TOO_MANY: &str = "too many records in one request";

fn over(b: &Budget) -> Result<(), DecodeError> {
    match b.exceeded() {
        Some(e) => Err(DecodeError::new(
            crate::DecodeErrorKind::TooLarge,
            format!("record too large: {e}"),
        )),
        None => Ok(()),
    }
}

/// A JSON array of records, each decoded as it is read.
struct ArraySeed<'a> {
    budget: &'a Budget,
    limits: &'a Limits,
    window: &'a Window,
    out: &'a mut Decoded,
}

impl<'de> serde::de::DeserializeSeed<'de> for ArraySeed<'_> {
    type Value = ();
    fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_seq(self)
    }
}

impl<'de> serde::de::Visitor<'de> for ArraySeed<'_> {
    type Value = ();
    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("a list of records")
    }
    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        let mut i = 0;
        loop {
            self.budget.reset();
            let seed = Seed {
                budget: self.budget,
                depth: 0,
            };
            let Some(v) = seq.next_element_seed(seed)? else {
                return Ok(());
            };
            if i == self.limits.max_records {
                return Err(serde::de::Error::custom(format!(
                    "{TOO_MANY} (at most {})",
                    self.limits.max_records
                )));
            }
            let r = over(self.budget).and_then(|_| record_from_json(&v, self.window));
            self.out.push(i, r, self.limits);
            i += 1;
        }
    }
}

/// One input record: `{timestamp?, level, component|logger, message, correlation_id?,
/// fields?, host?, service?}`. `timestamp` is RFC 3339 text or a number (seconds,
/// milliseconds or nanoseconds since the Unix epoch, told apart by size); without it the
/// time of arrival is used; it must lie in `window`. Nested objects in `fields` become dotted
/// keys (`{"http": {"status": 200}}` is `http.status = 200`), lists their JSON text.
pub fn record_from_json(v: &Json, window: &Window) -> Result<Record, DecodeError> {
    let o = v.as_object().ok_or("a record must be a JSON object")?;
    let text = |k: &str| -> Result<Option<&str>, String> {
        match o.get(k) {
            None | Some(Json::Null) => Ok(None),
            Some(Json::String(s)) => Ok(Some(s.as_str())),
            Some(other) => Err(format!("{k} must be a string, not {}", kind(other))),
        }
    };
    let message = text("message")?.ok_or("message is missing")?;
    let level = match text("level")? {
        None => Level::Info,
        Some(l) => l
            .parse::<Level>()
            .map_err(|_| format!("unknown level {l:?}"))?,
    };
    let component = text("component")?.or(text("logger")?).unwrap_or("unknown");
    if component.is_empty() {
        return Err("component is empty".into());
    }
    let ts = match o.get("timestamp") {
        None | Some(Json::Null) => window.now,
        Some(Json::String(s)) => window.check(
            chrono::DateTime::parse_from_rfc3339(s)
                .ok()
                .and_then(|t| t.timestamp_nanos_opt())
                .ok_or_else(|| format!("timestamp {s:?} is not RFC 3339 (years 1677 to 2262)"))?,
        )?,
        Some(Json::Number(n)) => window.check_number(n.as_f64().unwrap_or(f64::NAN))?,
        Some(other) => {
            return Err(format!("timestamp must be text or a number, not {}", kind(other)).into())
        }
    };
    let mut r = Record::new(level, component.to_string(), message.to_string());
    r.timestamp = Timestamp::from_nanos(ts);
    r.correlation_id = text("correlation_id")?.map(|s| s.to_string().into());
    if let Some(f) = o.get("fields") {
        let f = f.as_object().ok_or("fields must be an object")?;
        for (k, v) in f {
            push(&mut r, k.clone(), v);
        }
    }
    for k in ["host", "service"] {
        if let Some(v) = text(k)? {
            r.push_field(k.to_string(), v.to_string());
        }
    }
    Ok(r)
}

fn kind(v: &Json) -> &'static str {
    match v {
        Json::Null => "null",
        Json::Bool(_) => "a boolean",
        Json::Number(_) => "a number",
        Json::String(_) => "text",
        Json::Array(_) => "a list",
        Json::Object(_) => "an object",
    }
}

/// A field; nested objects become dotted keys, lists their JSON text.
fn push(r: &mut Record, k: String, v: &Json) {
    match v {
        Json::Null => {}
        Json::Bool(b) => r.push_field(k, *b),
        Json::Number(n) => {
            if let Some(u) = n.as_u64() {
                r.push_field(k, u);
            } else if let Some(i) = n.as_i64() {
                r.push_field(k, i);
            } else if let Some(f) = n.as_f64() {
                r.push_field(k, f);
            }
        }
        Json::String(s) => r.push_field(k, s.clone()),
        Json::Object(o) => {
            for (k2, v2) in o {
                push(r, format!("{k}.{k2}"), v2);
            }
        }
        list @ Json::Array(_) => r.push_field(k, list.to_string()),
    }
}

/// A record from a form-encoded body as Python's `logging.handlers.HTTPHandler` posts it
/// (the `LogRecord`'s attributes): `name` → component, `levelname`, `msg` (the format
/// string as logged: HTTPHandler sends `args` apart, as Python text), `created` (seconds),
/// `pathname`/`filename`, `lineno`, `process`, and `funcName`, `threadName` as fields.
pub fn record_from_form(body: &[u8], window: &Window) -> Result<Record, DecodeError> {
    let pairs: Vec<(String, String)> =
        serde_urlencoded::from_bytes(body).map_err(|e| format!("invalid form body: {e}"))?;
    let get = |k: &str| {
        pairs
            .iter()
            .find(|(key, _)| key == k)
            .map(|(_, v)| v.as_str())
    };
    let msg = get("msg").or(get("message")).ok_or("msg is missing")?;
    let level = get("levelname")
        .map(|l| {
            l.parse::<Level>()
                .map_err(|_| format!("unknown level {l:?}"))
        })
        .transpose()?
        .unwrap_or(Level::Info);
    let mut r = Record::new(
        level,
        get("name").unwrap_or("python").to_string(),
        msg.to_string(),
    );
    let ts = match get("created") {
        None => window.now,
        Some(c) => window.check_number(
            c.parse::<f64>()
                .map_err(|_| format!("created {c:?} is not a number of seconds"))?,
        )?,
    };
    r.timestamp = Timestamp::from_nanos(ts);
    if let Some(line) = get("lineno").and_then(|l| l.parse().ok()) {
        r.line = Some(line);
    }
    if let Some(f) = get("pathname").or(get("filename")) {
        r.file = Some(f.to_string().into());
    }
    if let Some(p) = get("process").and_then(|p| p.parse().ok()) {
        r.pid = p;
    }
    for k in ["funcName", "threadName", "correlation_id"] {
        if let Some(v) = get(k) {
            if k == "correlation_id" {
                r.correlation_id = Some(v.to_string().into());
            } else {
                r.push_field(k.to_string(), v.to_string());
            }
        }
    }
    Ok(r)
}
