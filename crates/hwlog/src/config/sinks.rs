//! Sink tables: console, file (with rotation), sqlite, websocket, metrics, remote (and OTLP),
//! capture, null.
use super::dec::{get, join, Dec};
use super::model::*;
use super::tree::Node;

/// A sink table.
pub fn sink(d: &mut Dec, n: &Node, path: &str) -> Option<SinkSpec> {
    let m = d.table(
        n,
        path,
        &[
            "type",
            "stream",
            "color",
            "path",
            "compress",
            "listen",
            "client_queue",
            "ring",
            "table",
            "max_age_days",
            "max_rows",
            "rotate",
            "url",
            "token",
            "spool",
            "max_spool_mb",
            "service",
        ],
    )?;
    let Some(t) = get(m, "type") else {
        d.err(&n.loc, path, "missing key \"type\"");
        return None;
    };
    let kind = d.str(t, &join(path, "type"))?;
    let only = |d: &mut Dec, keys: &[&str]| {
        for (k, v) in m {
            if k != "type" && !keys.contains(&k.as_str()) {
                d.err(
                    &v.loc,
                    &join(path, k),
                    format!("{k:?} does not apply to a {kind} sink"),
                );
            }
        }
    };
    Some(match kind.as_str() {
        "console" => {
            only(d, &["stream", "color"]);
            let stream = match get(m, "stream")
                .and_then(|s| d.str(s, &join(path, "stream")).map(|x| (s, x)))
            {
                None => Stream::Stderr,
                Some((_, s)) if s == "stdout" => Stream::Stdout,
                Some((_, s)) if s == "stderr" => Stream::Stderr,
                Some((n, s)) => {
                    d.err(
                        &n.loc,
                        &join(path, "stream"),
                        format!("unknown stream {s:?} (expected stdout or stderr)"),
                    );
                    Stream::Stderr
                }
            };
            let color = match get(m, "color")
                .and_then(|s| d.str(s, &join(path, "color")).map(|x| (s, x)))
            {
                None => ColorMode::Auto,
                Some((_, s)) if s == "auto" => ColorMode::Auto,
                Some((_, s)) if s == "always" => ColorMode::Always,
                Some((_, s)) if s == "never" => ColorMode::Never,
                Some((n, s)) => {
                    d.err(
                        &n.loc,
                        &join(path, "color"),
                        format!("unknown color mode {s:?} (expected auto, always or never)"),
                    );
                    ColorMode::Auto
                }
            };
            SinkSpec::Console { stream, color }
        }
        "file" => {
            only(d, &["path", "compress", "rotate"]);
            let Some(p) = get(m, "path") else {
                d.err(&n.loc, path, "a file sink needs \"path\"");
                return None;
            };
            let file = d.str(p, &join(path, "path"))?;
            if file.trim().is_empty() {
                d.err(&p.loc, &join(path, "path"), "empty path");
            }
            let gzip = match get(m, "compress") {
                None => false,
                Some(c) => match d.str(c, &join(path, "compress")).as_deref() {
                    Some("gzip") => true,
                    Some("none") => false,
                    Some(other) => {
                        d.err(
                            &c.loc,
                            &join(path, "compress"),
                            format!("unknown compression {other:?} (expected gzip or none)"),
                        );
                        false
                    }
                    None => false,
                },
            };
            let rotate =
                get(m, "rotate").and_then(|v| super::rotate::rotate(d, v, &join(path, "rotate")));
            if gzip && rotate.is_some() {
                d.err(
                    &n.loc,
                    path,
                    "use rotate.compression with rotation, not compress = \"gzip\"",
                );
            }
            SinkSpec::File {
                path: file,
                gzip,
                rotate,
            }
        }
        "capture" => {
            only(d, &[]);
            SinkSpec::Capture
        }
        "sqlite" => {
            only(d, &["path", "table", "max_age_days", "max_rows"]);
            let Some(p) = get(m, "path") else {
                d.err(&n.loc, path, "a sqlite sink needs \"path\"");
                return None;
            };
            let file = d.str(p, &join(path, "path"))?;
            let table = match get(m, "table") {
                Some(t) => d.str(t, &join(path, "table")).unwrap_or_default(),
                None => "logs".to_string(),
            };
            let valid = table.len() <= 63
                && table
                    .bytes()
                    .next()
                    .is_some_and(|b| b.is_ascii_alphabetic() || b == b'_')
                && table
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'_');
            if !valid {
                let loc = get(m, "table").map_or(n.loc.clone(), |t| t.loc.clone());
                d.err(&loc, &join(path, "table"), format!("invalid table name {table:?} (letters, digits and _, not starting with a digit, at most 63)"));
            }
            let max_age_days =
                get(m, "max_age_days").and_then(|v| d.num(v, &join(path, "max_age_days")));
            let max_rows = get(m, "max_rows")
                .and_then(|v| d.num(v, &join(path, "max_rows")))
                .map(|x| x.max(0.0) as u64);
            SinkSpec::Sqlite {
                path: file,
                table,
                max_age_days,
                max_rows,
            }
        }
        "websocket" => {
            only(d, &["listen", "client_queue", "ring"]);
            let listen = get(m, "listen")
                .and_then(|v| d.str(v, &join(path, "listen")))
                .unwrap_or_else(|| "127.0.0.1:0".to_string());
            let count = |d: &mut Dec, key: &str, default: usize| match get(m, key) {
                None => default,
                Some(v) => match d.num(v, &join(path, key)) {
                    Some(x) if x >= 1.0 && x.fract() == 0.0 => x as usize,
                    Some(_) => {
                        d.err(&v.loc, &join(path, key), "expected a whole number ≥ 1");
                        default
                    }
                    None => default,
                },
            };
            let client_queue = count(d, "client_queue", 1024);
            let ring = count(d, "ring", 10_000);
            SinkSpec::WebSocket {
                listen,
                client_queue,
                ring,
            }
        }
        "remote" | "otlp" => {
            let otlp = kind == "otlp";
            if otlp {
                only(
                    d,
                    &["url", "token", "spool", "max_spool_mb", "service", "ca"],
                );
            } else {
                only(d, &["url", "token", "spool", "max_spool_mb", "ca"]);
            }
            let Some(url) = get(m, "url").and_then(|v| d.str(v, &join(path, "url"))) else {
                d.err(
                    &t.loc,
                    &join(path, "url"),
                    "a remote sink needs a url (http://host:7700)",
                );
                return None;
            };
            let lower = url.to_ascii_lowercase();
            if !(lower.starts_with("http://") || lower.starts_with("https://")) {
                d.err(
                    &t.loc,
                    &join(path, "url"),
                    format!("{url:?}: expected an http:// or https:// URL"),
                );
            }
            let ca = get(m, "ca").and_then(|v| d.str(v, &join(path, "ca")));
            let token = get(m, "token").and_then(|v| d.str(v, &join(path, "token")));
            let spool = get(m, "spool").and_then(|v| d.str(v, &join(path, "spool")));
            let max_spool_mb = match get(m, "max_spool_mb") {
                None => 100,
                Some(v) => match d.num(v, &join(path, "max_spool_mb")) {
                    Some(x) if x >= 1.0 => x as u64,
                    _ => {
                        d.err(&v.loc, &join(path, "max_spool_mb"), "expected a number ≥ 1");
                        100
                    }
                },
            };
            let otlp_service = otlp.then(|| {
                get(m, "service")
                    .and_then(|v| d.str(v, &join(path, "service")))
                    .unwrap_or_else(|| "hwlog".into())
            });
            SinkSpec::Remote {
                url,
                token,
                spool,
                max_spool_mb,
                otlp_service,
                ca,
            }
        }
        "metrics" => {
            only(d, &["listen"]);
            let listen = get(m, "listen").and_then(|v| d.str(v, &join(path, "listen")));
            SinkSpec::Metrics { listen }
        }
        "null" => {
            only(d, &[]);
            SinkSpec::Null
        }
        other => {
            d.err(
                &t.loc,
                &join(path, "type"),
                format!(
                    "unknown sink {other:?} (expected console, file, sqlite, metrics, websocket, remote, otlp, capture or null)"
                ),
            );
            return None;
        }
    })
}
