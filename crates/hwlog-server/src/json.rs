//! Records to and from the HTTP API's JSON.
use hwlog_core::{Level, Record, Timestamp, Value};
use serde_json::{json, Map, Value as Json};

/// How far ahead of the server's clock a record may be (further is refused, so that one
/// record cannot stall the alert windows that run in record time).
pub const MAX_FUTURE: i64 = 86_400 * 1_000_000_000;

/// The longest message accepted (longer ones are cut, not refused).
pub const MAX_MESSAGE: usize = 64 * 1024;

/// One input record: `{timestamp?, level, component|logger, message, correlation_id?,
/// fields?, host?, service?}`. `timestamp` is RFC 3339 text or a number (seconds,
/// milliseconds or nanoseconds since the Unix epoch, told apart by size); without it the
/// time of arrival is used.
pub fn record_from_json(v: &Json, now: i64) -> Result<Record, String> {
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
        None | Some(Json::Null) => now,
        Some(Json::String(s)) => chrono::DateTime::parse_from_rfc3339(s)
            .ok()
            .and_then(|t| t.timestamp_nanos_opt())
            .ok_or_else(|| format!("timestamp {s:?} is not RFC 3339"))?,
        Some(Json::Number(n)) => {
            // Seconds, milliseconds, microseconds or nanoseconds, told apart by size.
            let x = n.as_f64().unwrap_or(0.0);
            if x.abs() > 1e17 {
                x as i64
            } else if x.abs() > 1e14 {
                (x * 1e3) as i64
            } else if x.abs() > 1e11 {
                (x * 1e6) as i64
            } else {
                (x * 1e9) as i64
            }
        }
        Some(other) => {
            return Err(format!(
                "timestamp must be text or a number, not {}",
                kind(other)
            ))
        }
    };
    if ts > now.saturating_add(MAX_FUTURE) {
        return Err("timestamp is more than a day in the future".into());
    }
    let mut msg = message;
    if msg.len() > MAX_MESSAGE {
        let mut end = MAX_MESSAGE;
        while !msg.is_char_boundary(end) {
            end -= 1;
        }
        msg = &msg[..end];
    }
    let mut r = Record::new(level, component.to_string(), msg.to_string());
    r.timestamp = Timestamp::from_nanos(ts);
    r.correlation_id = text("correlation_id")?.map(|s| s.to_string().into());
    if let Some(f) = o.get("fields") {
        let f = f.as_object().ok_or("fields must be an object")?;
        for (k, v) in f {
            push(&mut r, k, v);
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

fn push(r: &mut Record, k: &str, v: &Json) {
    match v {
        Json::Null => {}
        Json::Bool(b) => r.push_field(k.to_string(), *b),
        Json::Number(n) => {
            if let Some(u) = n.as_u64() {
                r.push_field(k.to_string(), u);
            } else if let Some(i) = n.as_i64() {
                r.push_field(k.to_string(), i);
            } else if let Some(f) = n.as_f64() {
                r.push_field(k.to_string(), f);
            }
        }
        Json::String(s) => r.push_field(k.to_string(), s.clone()),
        other => r.push_field(k.to_string(), other.to_string()),
    }
}

/// A record as the API returns it.
pub fn record_to_json(id: Option<i64>, seq: Option<u64>, r: &Record) -> Json {
    let mut fields = Map::new();
    for (k, v) in &r.fields {
        let j = match v {
            Value::Null => Json::Null,
            Value::Bool(b) => json!(b),
            Value::I64(i) => json!(i),
            Value::U64(u) => json!(u),
            Value::F64(f) if f.is_finite() => json!(f),
            Value::F64(f) => json!(f.to_string()),
            Value::Str(s) => json!(s),
            Value::Bytes(b) => json!(String::from_utf8_lossy(b)),
        };
        fields.insert(k.to_string(), j);
    }
    let mut o = json!({
        "timestamp": r.timestamp.to_rfc3339_micros(),
        "ts": r.timestamp.as_nanos(),
        "level": r.level.as_str(),
        "component": r.component.as_str(),
        "message": r.message,
        "correlation_id": r.correlation_id.as_deref(),
        "fields": fields,
    });
    if let Some(id) = id {
        o["id"] = json!(id);
    }
    if let Some(seq) = seq {
        o["seq"] = json!(seq);
    }
    o
}

/// A record from a form-encoded body as Python's `logging.handlers.HTTPHandler` posts it
/// (the `LogRecord`'s attributes): `name` → component, `levelname`, `msg` (the format
/// string as logged: HTTPHandler sends `args` apart, as Python text), `created` (seconds),
/// `pathname`/`filename`, `lineno`, `process`, and `funcName`, `threadName` as fields.
pub fn record_from_form(body: &[u8], now: i64) -> Result<Record, String> {
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
    let ts = get("created")
        .and_then(|c| c.parse::<f64>().ok())
        .map_or(now, |c| (c * 1e9) as i64);
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
