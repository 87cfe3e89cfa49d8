//! Lines of log files back into records: hwlog's JSON and structured lines, plain lines with
//! a header pattern, and syslog (RFC 3164 and RFC 5424).
use hwlog_core::{Level, Record, Timestamp};
use regex::Regex;

use crate::guess::guess_level;

/// How the lines of a file are written.
#[derive(Clone, Debug)]
pub enum LineFormat {
    /// hwlog's JSON formatter (`{"timestamp", "level", "component", "message", …}`; also
    /// `logger`/`msg`/`ts` keys as written by other JSON loggers).
    Json,
    /// hwlog's structured formatter: `<ts> - <correlation id|-> - <component> - <LEVEL> -
    /// <message>`.
    Structured,
    /// Any text, with a header pattern: named groups `ts`, `level`, `component` and
    /// `message` (all optional; without `message` the rest of the line after the match is
    /// the message). Lines that do not match are kept whole as INFO messages.
    Plain(Regex),
    /// syslog lines, with or without `<PRI>`: RFC 5424 or RFC 3164.
    Syslog,
}

impl LineFormat {
    /// Picks a format from a sample line: JSON when it starts with `{`, structured when it
    /// has hwlog's ` - ` layout, syslog when it looks like it, else plain.
    pub fn detect(sample: &str) -> LineFormat {
        let s = sample.trim_start();
        if s.starts_with('{') {
            LineFormat::Json
        } else if s.splitn(6, " - ").count() >= 5
            && parse_time(s.split(" - ").next().unwrap_or("")).is_some()
        {
            LineFormat::Structured
        } else if syslog(s, 0).is_some() {
            LineFormat::Syslog
        } else {
            LineFormat::Plain(Regex::new(r"^$").expect("valid"))
        }
    }
}

/// Parses RFC 3339 (`2026-11-24T08:15:00.123Z`, offsets) and `2026-11-24 08:15:00[.fff]`
/// (UTC) into nanoseconds.
pub fn parse_time(s: &str) -> Option<i64> {
    let s = s.trim();
    if let Ok(t) = chrono::DateTime::parse_from_rfc3339(s) {
        return t.timestamp_nanos_opt();
    }
    for f in [
        "%Y-%m-%d %H:%M:%S%.f",
        "%Y-%m-%d %H:%M:%S",
        "%Y-%m-%dT%H:%M:%S%.f",
    ] {
        if let Ok(t) = chrono::NaiveDateTime::parse_from_str(s, f) {
            return t.and_utc().timestamp_nanos_opt();
        }
    }
    None
}

/// A level from text (`ERROR`, `err`, `warn`, `fatal`, …): [`Level`]'s one parser.
fn level_of(s: &str) -> Option<Level> {
    s.parse().ok()
}

fn record(level: Level, component: &str, message: String, ts: Option<i64>, now: i64) -> Record {
    let mut r = Record::new(level, component.to_string(), message);
    r.timestamp = Timestamp::from_nanos(ts.unwrap_or(now));
    r
}

/// Parses one line; `None` for an empty line or JSON that is not an object. `component`
/// is used when the line names none; `now` when it has no time.
pub fn parse_line(format: &LineFormat, line: &str, component: &str, now: i64) -> Option<Record> {
    let line = line.trim_end_matches(['\r', '\n']);
    if line.trim().is_empty() {
        return None;
    }
    match format {
        LineFormat::Json => json(line, component, now),
        LineFormat::Structured => Some(structured(line, component, now)),
        LineFormat::Syslog => {
            Some(syslog(line, now).unwrap_or_else(|| {
                record(guess_level(line), component, line.to_string(), None, now)
            }))
        }
        LineFormat::Plain(re) => Some(plain(re, line, component, now)),
    }
}

fn json(line: &str, component: &str, now: i64) -> Option<Record> {
    let v: serde_json::Value = serde_json::from_str(line).ok()?;
    let o = v.as_object()?;
    let text = |k: &str| o.get(k).and_then(|v| v.as_str());
    let message = text("message").or(text("msg")).unwrap_or("").to_string();
    let level = text("level")
        .and_then(level_of)
        .unwrap_or_else(|| guess_level(&message));
    let comp = text("component")
        .or(text("logger"))
        .or(text("target"))
        .unwrap_or(component);
    let ts = text("timestamp")
        .or(text("ts"))
        .or(text("time"))
        .and_then(parse_time);
    let mut r = record(level, comp, message, ts, now);
    r.correlation_id = text("correlation_id").map(|s| s.to_string().into());
    if let Some(t) = text("thread") {
        r.thread.name = Some(t.to_string().into());
    }
    if let Some(p) = o.get("pid").and_then(|v| v.as_u64()) {
        r.pid = p as u32;
    }
    if let Some(e) = text("error") {
        r.error = Some(e.to_string());
    }
    if let Some(fields) = o.get("fields").and_then(|f| f.as_object()) {
        for (k, v) in fields {
            match v {
                serde_json::Value::String(s) => r.push_field(k.clone(), s.clone()),
                serde_json::Value::Bool(b) => r.push_field(k.clone(), *b),
                serde_json::Value::Number(n) => {
                    if let Some(u) = n.as_u64() {
                        r.push_field(k.clone(), u);
                    } else if let Some(i) = n.as_i64() {
                        r.push_field(k.clone(), i);
                    } else if let Some(f) = n.as_f64() {
                        r.push_field(k.clone(), f);
                    }
                }
                serde_json::Value::Null => {}
                other => r.push_field(k.clone(), other.to_string()),
            }
        }
    }
    Some(r)
}

fn structured(line: &str, component: &str, now: i64) -> Record {
    let parts: Vec<&str> = line.splitn(5, " - ").collect();
    match parts.as_slice() {
        [ts, cid, comp, level, msg] if level_of(level).is_some() => {
            let mut r = record(
                level_of(level).expect("checked"),
                comp,
                msg.to_string(),
                parse_time(ts),
                now,
            );
            if *cid != "-" {
                r.correlation_id = Some(cid.to_string().into());
            }
            r
        }
        _ => record(guess_level(line), component, line.to_string(), None, now),
    }
}

fn plain(re: &Regex, line: &str, component: &str, now: i64) -> Record {
    let Some(c) = re
        .captures(line)
        .filter(|c| c.get(0).is_some_and(|m| !m.is_empty()))
    else {
        return record(guess_level(line), component, line.to_string(), None, now);
    };
    let rest = line[c.get(0).map_or(0, |m| m.end())..].trim_start();
    let message = c.name("message").map_or(rest, |m| m.as_str()).to_string();
    let level = c
        .name("level")
        .and_then(|m| level_of(m.as_str()))
        .unwrap_or_else(|| guess_level(&message));
    let comp = c.name("component").map_or(component, |m| m.as_str());
    let ts = c.name("ts").and_then(|m| parse_time(m.as_str()));
    record(level, comp, message, ts, now)
}

fn syslog(line: &str, now: i64) -> Option<Record> {
    crate::syslog::parse(line, now)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// File sources read level names with the shared parser: the table, case by case; a
    /// line with an unknown level is kept, its level guessed from the message.
    #[test]
    fn level_names_are_the_shared_table() {
        for &(name, want) in hwlog_core::LEVEL_CASES {
            let line = format!("{{\"level\": {name:?}, \"message\": \"m\"}}");
            let rec = parse_line(&LineFormat::Json, &line, "c", 0).unwrap();
            assert_eq!(rec.level, want.unwrap_or(Level::Info), "{name:?}");
        }
    }
}
