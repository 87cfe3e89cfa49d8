//! `rotate = { ... }` on a file sink: size and time rotation, compression, retention.
use std::time::Duration;

use super::dec::{join, Dec};
use super::tree::{Node, Val};
use crate::sink::rotating::{Compression, Every, RotationPolicy};

fn size(d: &mut Dec, n: &Node, path: &str) -> Option<u64> {
    match &n.val {
        Val::Int(i) if *i >= 0 => Some(*i as u64),
        Val::Str(s) => match hwlog_core::units::parse_size(s) {
            Ok(b) => Some(b),
            Err(e) => {
                d.err(&n.loc, path, e.to_string());
                None
            }
        },
        _ => {
            d.err(&n.loc, path, format!("expected a size, found {}", n.kind()));
            None
        }
    }
}

fn get<'n>(m: &'n [(String, Node)], key: &str) -> Option<&'n Node> {
    m.iter().find(|(k, _)| k == key).map(|(_, v)| v)
}

/// Decodes a `rotate` table.
pub fn rotate(d: &mut Dec, n: &Node, path: &str) -> Option<RotationPolicy> {
    let keys = [
        "max_bytes",
        "every",
        "local_time",
        "compression",
        "level",
        "max_files",
        "max_age_days",
        "max_total_bytes",
        "fsync",
    ];
    let m = d.table(n, path, &keys)?;
    let mut p = RotationPolicy::default();
    let k = |key: &str| join(path, key);
    if let Some(v) = get(m, "max_bytes") {
        p.max_bytes = size(d, v, &k("max_bytes"));
    }
    if let Some(v) = get(m, "every") {
        p.every = match d.str(v, &k("every")).as_deref() {
            Some("hourly") => Some(Every::Hourly),
            Some("daily") => Some(Every::Daily),
            Some("never") => None,
            Some(other) => {
                d.err(
                    &v.loc,
                    &k("every"),
                    format!("unknown interval {other:?} (expected hourly, daily or never)"),
                );
                None
            }
            None => None,
        };
    }
    if let Some(v) = get(m, "local_time") {
        p.local_time = d.bool(v, &k("local_time")).unwrap_or(false);
    }
    let level = get(m, "level").and_then(|v| d.num(v, &k("level")));
    if let Some(v) = get(m, "compression") {
        p.compression = match d.str(v, &k("compression")).as_deref() {
            Some("zstd") => Compression::Zstd {
                level: level.map_or(3, |l| l as i32),
            },
            Some("gzip") => Compression::Gzip {
                level: level.map_or(6, |l| l.clamp(0.0, 9.0) as u32),
            },
            Some("none") => Compression::None,
            Some(other) => {
                d.err(
                    &v.loc,
                    &k("compression"),
                    format!("unknown compression {other:?} (expected zstd, gzip or none)"),
                );
                Compression::default()
            }
            None => Compression::default(),
        };
    }
    if let Some(v) = get(m, "max_files") {
        p.max_files = d.num(v, &k("max_files")).map(|x| x.max(0.0) as usize);
    }
    if let Some(v) = get(m, "max_age_days") {
        p.max_age = d
            .num(v, &k("max_age_days"))
            .map(|x| Duration::from_secs_f64(x.max(0.0) * 86_400.0));
    }
    if let Some(v) = get(m, "max_total_bytes") {
        p.max_total_bytes = size(d, v, &k("max_total_bytes"));
    }
    if let Some(v) = get(m, "fsync") {
        p.fsync = d.bool(v, &k("fsync")).unwrap_or(false);
    }
    Some(p)
}
