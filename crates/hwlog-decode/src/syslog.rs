//! syslog messages into records: RFC 5424 (every part), RFC 3164 and the bare
//! `<PRI>tag[pid]: msg` form Python's `SysLogHandler` sends.
//!
//! RFC 5424 `<PRI>1 TIMESTAMP HOSTNAME APP-NAME PROCID MSGID [SD-ID k="v" …]… MSG`:
//! the severity gives the level, APP-NAME the component (`syslog` for `-`), the hostname is
//! the field `host`, a numeric PROCID the pid (any other as the field `procid`), MSGID the
//! field `msgid`, the facility the field `facility` (`auth`, `local0`, …); every
//! structured-data parameter becomes the field `SD-ID.NAME` with `\"`, `\\` and `\]`
//! unescaped (an element without parameters the field `SD-ID = true`); a UTF-8 BOM before
//! MSG is dropped; NILVALUE `-` leaves a part out. A line that is not well-formed RFC 5424
//! is tried as RFC 3164 (`<PRI>Mmm dd hh:mm:ss HOST [TAG[PID]:] MSG`: the tag is the
//! component, the pid the pid, the host the field `host`), then as the bare form, then as
//! `<PRI>` and a message.
//!
//! No parser crate was used: the one widely used (`syslog_loose`) drops malformed
//! structured-data elements without a word, turns `\n` in values into newlines and keeps
//! the BOM in the message; this module keeps the RFC's own examples exact.
//!
//! ```
//! use hwlog_decode::syslog::parse;
//!
//! let line = r#"<165>1 2003-10-11T22:14:15.003Z mymachine.example.com evntslog - ID47 [exampleSDID@32473 iut="3" eventSource="Application"] An event"#;
//! let r = parse(line, 0).unwrap();
//! assert_eq!(r.component, "evntslog");
//! assert_eq!(r.message, "An event");
//! assert_eq!(r.field("exampleSDID@32473.iut").unwrap().to_string(), "3");
//! assert_eq!(r.field("msgid").unwrap().to_string(), "ID47");
//! assert_eq!(r.field("facility").unwrap().to_string(), "local4");
//! ```
use hwlog_core::{Level, Record, Timestamp};
use regex::Regex;

use crate::guess::guess_level;

/// syslog severities 0..=7 → levels.
fn severity(pri: u32) -> Level {
    Level::from_syslog_severity((pri % 8) as u8).unwrap_or(Level::Debug)
}

const FACILITIES: [&str; 24] = [
    "kern",
    "user",
    "mail",
    "daemon",
    "auth",
    "syslog",
    "lpr",
    "news",
    "uucp",
    "cron",
    "authpriv",
    "ftp",
    "ntp",
    "security",
    "console",
    "solaris-cron",
    "local0",
    "local1",
    "local2",
    "local3",
    "local4",
    "local5",
    "local6",
    "local7",
];

/// `<PRI>` at the start: its value and the rest.
fn pri(line: &str) -> Option<(u32, &str)> {
    let rest = line.strip_prefix('<')?;
    let end = rest.find('>')?;
    if end == 0 || end > 3 || !rest[..end].bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let p: u32 = rest[..end].parse().ok()?;
    (p <= 191).then_some((p, &rest[end + 1..]))
}

/// Splits off the next space-separated header field.
fn field(s: &str) -> Option<(&str, &str)> {
    let end = s.find(' ')?;
    (end > 0).then(|| (&s[..end], &s[end + 1..]))
}

fn nil(s: &str) -> Option<&str> {
    (s != "-").then_some(s)
}

/// The structured data at the start of `s` (`-` or `[…]…`): the elements as
/// `(id, params)`, and the rest (MSG with its leading space, or empty).
#[allow(clippy::type_complexity)]
fn structured_data(s: &str) -> Option<(Vec<(String, Vec<(String, String)>)>, &str)> {
    if let Some(rest) = s.strip_prefix('-') {
        return (rest.is_empty() || rest.starts_with(' ')).then(|| (Vec::new(), rest));
    }
    let b = s.as_bytes();
    let mut i = 0;
    let mut out = Vec::new();
    while b.get(i) == Some(&b'[') {
        i += 1;
        let id_end = i + s[i..].find([' ', ']'])?;
        let id = &s[i..id_end];
        if id.is_empty() || id.contains(['=', '"']) {
            return None;
        }
        i = id_end;
        let mut params = Vec::new();
        loop {
            match b.get(i)? {
                b']' => {
                    i += 1;
                    break;
                }
                b' ' => i += 1,
                _ => {
                    let eq = i + s[i..].find('=')?;
                    let name = &s[i..eq];
                    if name.is_empty() || name.contains([' ', ']', '"']) {
                        return None;
                    }
                    if b.get(eq + 1) != Some(&b'"') {
                        return None;
                    }
                    let mut v = String::new();
                    let mut j = eq + 2;
                    loop {
                        let c = *b.get(j)?;
                        match c {
                            b'\\' if matches!(b.get(j + 1), Some(b'"' | b'\\' | b']')) => {
                                v.push(b[j + 1] as char);
                                j += 2;
                            }
                            b'"' => break,
                            _ => {
                                let ch = s[j..].chars().next()?;
                                v.push(ch);
                                j += ch.len_utf8();
                            }
                        }
                    }
                    params.push((name.to_string(), v));
                    i = j + 1;
                }
            }
        }
        out.push((id.to_string(), params));
    }
    if out.is_empty() {
        return None;
    }
    let rest = &s[i..];
    (rest.is_empty() || rest.starts_with(' ')).then_some((out, rest))
}

/// An RFC 5424 message, when `line` is one.
fn rfc5424(line: &str, now: i64) -> Option<Record> {
    let (p, rest) = match pri(line) {
        Some((p, rest)) => (Some(p), rest),
        None => (None, line),
    };
    let rest = rest.strip_prefix("1 ")?;
    let (ts, rest) = field(rest)?;
    let (host, rest) = field(rest)?;
    let (app, rest) = field(rest)?;
    let (procid, rest) = field(rest)?;
    let (msgid, rest) = field(rest)?;
    let time = match nil(ts) {
        None => None,
        Some(t) => Some(
            chrono::DateTime::parse_from_rfc3339(t)
                .ok()?
                .timestamp_nanos_opt()?,
        ),
    };
    let (sd, msg) = structured_data(rest)?;
    let msg = msg.strip_prefix(' ').unwrap_or(msg);
    let msg = msg.strip_prefix('\u{feff}').unwrap_or(msg);
    let level = p.map_or_else(|| guess_level(msg), severity);
    let mut r = Record::new(
        level,
        nil(app).unwrap_or("syslog").to_string(),
        msg.to_string(),
    );
    r.timestamp = Timestamp::from_nanos(time.unwrap_or(now));
    if let Some(h) = nil(host) {
        r.push_field("host", h.to_string());
    }
    if let Some(pid) = nil(procid) {
        match pid.parse::<u32>() {
            Ok(n) => r.pid = n,
            Err(_) => r.push_field("procid", pid.to_string()),
        }
    }
    if let Some(m) = nil(msgid) {
        r.push_field("msgid", m.to_string());
    }
    if let Some(p) = p {
        r.push_field("facility", FACILITIES[(p / 8) as usize]);
    }
    for (id, params) in sd {
        if params.is_empty() {
            r.push_field(id.clone(), true);
        }
        for (k, v) in params {
            r.push_field(format!("{id}.{k}"), v);
        }
    }
    Some(r)
}

/// Parses one syslog line (RFC 5424, RFC 3164 or `<PRI>tag: msg`); `None` when it is none
/// of them. `now` dates messages without a time and gives RFC 3164 its year.
pub fn parse(line: &str, now: i64) -> Option<Record> {
    if let Some(r) = rfc5424(line, now) {
        return Some(r);
    }
    static RFC3164: std::sync::LazyLock<Regex> = std::sync::LazyLock::new(|| {
        Regex::new(r"(?s)^(?:<(\d{1,3})>)?([A-Z][a-z]{2} [ \d]\d \d\d:\d\d:\d\d) (\S+) (?:([^:\[\s]+)(?:\[(\d+)\])?: ?)?(.*)$").expect("valid")
    });
    // `<PRI>tag[pid]: message` without time or host, as Python's SysLogHandler sends it.
    static BARE: std::sync::LazyLock<Regex> = std::sync::LazyLock::new(|| {
        Regex::new(r"(?s)^<(\d{1,3})>([^:\[\s<]+)(?:\[(\d+)\])?: ?(.*)$").expect("valid")
    });
    let facility = |r: &mut Record, p: Option<u32>| {
        if let Some(p) = p.filter(|p| *p <= 191) {
            r.push_field("facility", FACILITIES[(p / 8) as usize]);
        }
    };
    let Some(c) = RFC3164.captures(line) else {
        let Some(c) = BARE.captures(line) else {
            // `<PRI>` and text that is no header: the text is the message (RFC 3164 4.3.3).
            let (p, msg) = pri(line)?;
            let mut r = Record::new(severity(p), "syslog", msg.to_string());
            r.timestamp = Timestamp::from_nanos(now);
            facility(&mut r, Some(p));
            return Some(r);
        };
        let msg = c[4].to_string();
        let p = c[1].parse().ok();
        let mut r = Record::new(
            p.map_or_else(|| guess_level(&msg), severity),
            c[2].to_string(),
            msg,
        );
        r.timestamp = Timestamp::from_nanos(now);
        if let Some(pid) = c.get(3).and_then(|p| p.as_str().parse().ok()) {
            r.pid = pid;
        }
        facility(&mut r, p);
        return Some(r);
    };
    let msg = c[6].to_string();
    let p: Option<u32> = c.get(1).and_then(|p| p.as_str().parse().ok());
    // RFC 3164 has no year: the current one (UTC), or the previous one for a date ahead.
    let year = chrono::DateTime::from_timestamp_nanos(now)
        .format("%Y")
        .to_string();
    let at = |y: &str| {
        chrono::NaiveDateTime::parse_from_str(&format!("{y} {}", &c[2]), "%Y %b %e %H:%M:%S")
            .ok()
            .and_then(|t| t.and_utc().timestamp_nanos_opt())
    };
    let mut ts = at(&year);
    if ts.is_some_and(|t| t > now + 86_400_000_000_000) {
        ts = at(&(year.parse::<i32>().unwrap_or(1970) - 1).to_string());
    }
    let tag = c.get(4).map_or("syslog", |t| t.as_str());
    let mut r = Record::new(
        p.map_or_else(|| guess_level(&msg), severity),
        tag.to_string(),
        msg,
    );
    r.timestamp = Timestamp::from_nanos(ts.unwrap_or(now));
    r.push_field("host", c[3].to_string());
    if let Some(pid) = c.get(5).and_then(|p| p.as_str().parse().ok()) {
        r.pid = pid;
    }
    facility(&mut r, p);
    Some(r)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn structured_data_escapes_and_malformed_elements() {
        let (sd, rest) = structured_data(r#"[a@1 x="q\"b\\c\]d" y="\n"][b] msg"#).expect("valid");
        assert_eq!(sd[0].1[0], ("x".into(), r#"q"b\c]d"#.into()));
        assert_eq!(sd[0].1[1], ("y".into(), r"\n".into()), "other escapes stay");
        assert_eq!(sd[1], ("b".into(), vec![]));
        assert_eq!(rest, " msg");
        for bad in [r#"[a x=1]"#, r#"[a x="1"#, "[", "[]", r#"[a x="1"]junk"#] {
            assert!(structured_data(bad).is_none(), "{bad}");
        }
        // Not RFC 5424 then: kept whole as a message by the caller.
        assert!(rfc5424(r#"<13>1 - - - - - [a x="1" oops"#, 0).is_none());
    }

    #[test]
    fn nil_values_and_a_message_that_is_only_structured_data() {
        let r = parse(r#"<14>1 - - - - - [x@1 k="v"][y@1 k="w"]"#, 7).unwrap();
        assert_eq!(r.message, "");
        assert_eq!(r.component, "syslog");
        assert_eq!(r.timestamp.as_nanos(), 7);
        assert_eq!(r.field("y@1.k").unwrap().to_string(), "w");
        assert!(r.field("host").is_none() && r.field("msgid").is_none());
        assert_eq!(r.field("facility").unwrap().to_string(), "user");
    }
}
