//! Tree → model, collecting every error with its position instead of stopping at the first.
use hwlog_core::Level;

pub(crate) use super::dec::{get, join, parse_bool, Dec};
use super::model::*;
use super::tree::{Node, Val};
use crate::filter::{HostSource, RateKey};
use crate::format::TimeZone;
use crate::nonblocking::{NonBlockingOptions, Overflow};

fn when(d: &mut Dec, n: &Node, path: &str) -> Option<When> {
    let s = d.str(n, path)?;
    let (negate, name) = match s.strip_prefix('!') {
        Some(rest) => (true, rest.trim()),
        None => (false, s.trim()),
    };
    if name.is_empty() {
        d.err(&n.loc, path, "empty feature name");
        return None;
    }
    Some(When {
        feature: name.to_string(),
        negate,
    })
}

fn tz(d: &mut Dec, n: Option<&Node>, path: &str) -> TimeZone {
    match n.and_then(|n| d.str(n, path).map(|s| (n, s))) {
        None => TimeZone::Utc,
        Some((_, s)) if s.eq_ignore_ascii_case("utc") => TimeZone::Utc,
        Some((_, s)) if s.eq_ignore_ascii_case("local") => TimeZone::Local,
        Some((n, s)) => {
            d.err(
                &n.loc,
                path,
                format!("unknown time zone {s:?} (expected utc or local)"),
            );
            TimeZone::Utc
        }
    }
}

/// A formatter: `"json"` or `{ type = "json", time = "local" }`.
pub fn format(d: &mut Dec, n: &Node, path: &str) -> Option<FormatSpec> {
    let (kind, m): (String, &[(String, Node)]) = match &n.val {
        Val::Str(s) => (s.clone(), &[]),
        _ => {
            let m = d.table(n, path, &["type", "time", "width", "indent", "inner"])?;
            let Some(t) = get(m, "type") else {
                d.err(&n.loc, path, "missing key \"type\"");
                return None;
            };
            (d.str(t, &join(path, "type"))?, m)
        }
    };
    let zone = tz(d, get(m, "time"), &join(path, "time"));
    let allowed_extra: &[&str] = match kind.as_str() {
        "dashboard" => &["width"],
        "multiline" => &["indent", "inner"],
        _ => &[],
    };
    for key in ["width", "indent", "inner"] {
        if let Some(v) = get(m, key) {
            if !allowed_extra.contains(&key) {
                d.err(
                    &v.loc,
                    &join(path, key),
                    format!("{key:?} does not apply to the {kind} formatter"),
                );
            }
        }
    }
    Some(match kind.as_str() {
        "structured" => FormatSpec::Structured(zone),
        "json" => FormatSpec::Json(zone),
        "debug" => FormatSpec::Debug(zone),
        "performance" => FormatSpec::Performance(zone),
        "dashboard" => {
            let width = match get(m, "width") {
                Some(w) => match d.num(w, &join(path, "width")) {
                    Some(x) if x >= 4.0 && x.fract() == 0.0 => x as usize,
                    Some(_) => {
                        d.err(
                            &w.loc,
                            &join(path, "width"),
                            "width must be a whole number ≥ 4",
                        );
                        200
                    }
                    None => 200,
                },
                None => 200,
            };
            FormatSpec::Dashboard(zone, width)
        }
        "multiline" => {
            let inner = match get(m, "inner") {
                Some(i) => format(d, i, &join(path, "inner"))?,
                None => FormatSpec::Structured(zone),
            };
            let indent = match get(m, "indent") {
                Some(i) => d.str(i, &join(path, "indent")).unwrap_or_default(),
                None => "    ".to_string(),
            };
            FormatSpec::Multiline {
                inner: Box::new(inner),
                indent,
            }
        }
        other => {
            d.err(
                &n.loc,
                path,
                format!(
                    "unknown formatter {other:?} (expected one of: {})",
                    crate::format::NAMES.join(", ")
                ),
            );
            return None;
        }
    })
}

const FILTER_KEYS: &[(&str, &[&str])] = &[
    ("correlation", &["placeholder", "require"]),
    ("component", &["include", "exclude"]),
    ("level_range", &["min", "max", "overrides", "on_match"]),
    ("rate_limit", &["rate", "burst", "key"]),
    ("environment", &["min", "redact", "extra_keys"]),
    ("context", &["host"]),
];

/// A filter table.
pub fn filter(d: &mut Dec, n: &Node, path: &str) -> Option<FilterSpec> {
    let all: Vec<&str> = FILTER_KEYS
        .iter()
        .flat_map(|(_, k)| k.iter().copied())
        .chain(["type", "when"])
        .collect();
    let m = d.table(n, path, &all)?;
    let Some(t) = get(m, "type") else {
        d.err(&n.loc, path, "missing key \"type\"");
        return None;
    };
    let kind = d.str(t, &join(path, "type"))?;
    let Some((_, keys)) = FILTER_KEYS.iter().find(|(k, _)| *k == kind) else {
        d.err(
            &t.loc,
            &join(path, "type"),
            format!(
                "unknown filter {kind:?} (expected one of: {})",
                crate::filter::NAMES.join(", ")
            ),
        );
        return None;
    };
    for (k, v) in m {
        if k != "type" && k != "when" && all.contains(&k.as_str()) && !keys.contains(&k.as_str()) {
            d.err(
                &v.loc,
                &join(path, k),
                format!("{k:?} does not apply to the {kind} filter"),
            );
        }
    }
    let w = get(m, "when").and_then(|w| when(d, w, &join(path, "when")));
    let p = |k: &str| join(path, k);
    let kind = match kind.as_str() {
        "correlation" => FilterKind::Correlation {
            placeholder: get(m, "placeholder").and_then(|v| d.str(v, &p("placeholder"))),
            require: get(m, "require")
                .and_then(|v| d.bool(v, &p("require")))
                .unwrap_or(false),
        },
        "component" => FilterKind::Component {
            include: get(m, "include")
                .map(|v| d.str_list(v, &p("include")))
                .unwrap_or_default(),
            exclude: get(m, "exclude")
                .map(|v| d.str_list(v, &p("exclude")))
                .unwrap_or_default(),
        },
        "level_range" => {
            let min = get(m, "min")
                .and_then(|v| d.level(v, &p("min")))
                .unwrap_or(Level::Trace);
            let max = get(m, "max")
                .and_then(|v| d.level(v, &p("max")))
                .unwrap_or(Level::Critical);
            if min > max {
                d.err(&n.loc, path, format!("min {min} is above max {max}"));
            }
            let mut overrides = Vec::new();
            if let Some(o) = get(m, "overrides") {
                match &o.val {
                    Val::Map(entries) => {
                        for (pat, v) in entries {
                            let op = format!("{}.{pat:?}", p("overrides"));
                            if let Some(r) = level_pair(d, v, &op) {
                                overrides.push((pat.clone(), r.0, r.1));
                            }
                        }
                    }
                    _ => d.err(
                        &o.loc,
                        &p("overrides"),
                        "expected a table of component pattern = \"LEVEL\" or [\"MIN\", \"MAX\"]",
                    ),
                }
            }
            let accept =
                match get(m, "on_match").and_then(|v| d.str(v, &p("on_match")).map(|s| (v, s))) {
                    None => false,
                    Some((_, s)) if s == "accept" => true,
                    Some((_, s)) if s == "neutral" => false,
                    Some((v, s)) => {
                        d.err(
                            &v.loc,
                            &p("on_match"),
                            format!("expected accept or neutral, found {s:?}"),
                        );
                        false
                    }
                };
            FilterKind::LevelRange {
                min,
                max,
                overrides,
                accept,
            }
        }
        "rate_limit" => {
            let rate = get(m, "rate")
                .and_then(|v| d.num(v, &p("rate")))
                .unwrap_or(100.0);
            let burst = get(m, "burst")
                .and_then(|v| d.num(v, &p("burst")))
                .unwrap_or(rate.max(1.0));
            if rate < 0.0 {
                d.err(&n.loc, &p("rate"), "rate must not be negative");
            }
            if burst < 1.0 {
                d.err(&n.loc, &p("burst"), "burst must be at least 1");
            }
            let key = match get(m, "key").and_then(|v| d.str(v, &p("key")).map(|s| (v, s))) {
                None => RateKey::Component,
                Some((_, s)) if s == "component" => RateKey::Component,
                Some((_, s)) if s == "component+template" || s == "template" => {
                    RateKey::ComponentTemplate
                }
                Some((v, s)) => {
                    d.err(
                        &v.loc,
                        &p("key"),
                        format!("unknown key {s:?} (expected component or component+template)"),
                    );
                    RateKey::Component
                }
            };
            FilterKind::RateLimit { rate, burst, key }
        }
        "environment" => FilterKind::Environment {
            min: get(m, "min").and_then(|v| d.level(v, &p("min"))),
            redact: get(m, "redact")
                .and_then(|v| d.bool(v, &p("redact")))
                .unwrap_or(true),
            extra_keys: get(m, "extra_keys")
                .map(|v| d.str_list(v, &p("extra_keys")))
                .unwrap_or_default(),
        },
        "context" => FilterKind::Context {
            host: match get(m, "host").and_then(|v| d.str(v, &p("host"))) {
                None => HostSource::None,
                Some(s) if s == "auto" => HostSource::Machine,
                Some(s) if s == "none" => HostSource::None,
                Some(s) => HostSource::Fixed(s.into()),
            },
        },
        _ => unreachable!("checked against FILTER_KEYS"),
    };
    Some(FilterSpec { when: w, kind })
}

fn level_pair(d: &mut Dec, n: &Node, path: &str) -> Option<(Level, Level)> {
    match &n.val {
        Val::Str(_) => d.level(n, path).map(|l| (l, Level::Critical)),
        Val::Seq(v) if v.len() == 2 => {
            let a = d.level(&v[0], &format!("{path}[0]"))?;
            let b = d.level(&v[1], &format!("{path}[1]"))?;
            if a > b {
                d.err(&n.loc, path, format!("min {a} is above max {b}"));
            }
            Some((a, b))
        }
        _ => {
            d.err(&n.loc, path, "expected \"LEVEL\" or [\"MIN\", \"MAX\"]");
            None
        }
    }
}

pub fn filters(d: &mut Dec, n: &Node, path: &str) -> Vec<FilterSpec> {
    match &n.val {
        Val::Seq(items) => items
            .iter()
            .enumerate()
            .filter_map(|(i, f)| filter(d, f, &format!("{path}[{i}]")))
            .collect(),
        _ => {
            d.err(
                &n.loc,
                path,
                format!("expected a list of filters, found {}", n.kind()),
            );
            Vec::new()
        }
    }
}

/// A route table.
pub fn route(d: &mut Dec, n: &Node, path: &str) -> Option<RouteSpec> {
    let m = d.table(
        n,
        path,
        &[
            "name",
            "when",
            "level",
            "sink",
            "format",
            "filters",
            "buffer",
            "inherit_filters",
        ],
    )?;
    let name = match get(m, "name") {
        Some(v) => d.str(v, &join(path, "name")),
        None => {
            d.err(&n.loc, path, "a route needs \"name\"");
            None
        }
    };
    let w = get(m, "when").and_then(|v| when(d, v, &join(path, "when")));
    let level = get(m, "level").and_then(|v| d.level(v, &join(path, "level")));
    let s = match get(m, "sink") {
        Some(v) => super::sinks::sink(d, v, &join(path, "sink")),
        None => {
            d.err(&n.loc, path, "a route needs \"sink\"");
            None
        }
    };
    let f = match get(m, "format") {
        Some(v) => format(d, v, &join(path, "format")),
        None => Some(FormatSpec::Structured(TimeZone::Utc)),
    };
    let fl = get(m, "filters")
        .map(|v| filters(d, v, &join(path, "filters")))
        .unwrap_or_default();
    let buffer = get(m, "buffer").and_then(|v| buffer(d, v, &join(path, "buffer")));
    let inherit_filters = get(m, "inherit_filters")
        .and_then(|v| d.bool(v, &join(path, "inherit_filters")))
        .unwrap_or(true);
    // A bad sink or format is already reported; keep the route so later checks (duplicate
    // names, feature use) still run and every error is listed at once.
    Some(RouteSpec {
        name: name?,
        when: w,
        level,
        sink: s.unwrap_or(SinkSpec::Null),
        format: f.unwrap_or(FormatSpec::Structured(TimeZone::Utc)),
        filters: fl,
        buffer,
        inherit_filters,
    })
}

/// `buffer = true` or `buffer = { capacity, overflow, batch, flush_interval_ms }`.
fn buffer(d: &mut Dec, n: &Node, path: &str) -> Option<NonBlockingOptions> {
    let mut o = NonBlockingOptions::default();
    if let Val::Bool(b) = n.val {
        return b.then_some(o);
    }
    let m = d.table(
        n,
        path,
        &["capacity", "overflow", "batch", "flush_interval_ms"],
    )?;
    let whole = |d: &mut Dec, key: &str, min: f64| -> Option<usize> {
        let v = get(m, key)?;
        let x = d.num(v, &join(path, key))?;
        if x < min || x.fract() != 0.0 || x > 1e9 {
            d.err(
                &v.loc,
                &join(path, key),
                format!("expected a whole number ≥ {min}"),
            );
            return None;
        }
        Some(x as usize)
    };
    if let Some(c) = whole(d, "capacity", 1.0) {
        o.capacity = c;
    }
    if let Some(b) = whole(d, "batch", 1.0) {
        o.batch = b;
    }
    if let Some(ms) = whole(d, "flush_interval_ms", 1.0) {
        o.flush_interval = std::time::Duration::from_millis(ms as u64);
    }
    if let Some(v) = get(m, "overflow") {
        match d.str(v, &join(path, "overflow")).as_deref() {
            Some("block") => o.overflow = Overflow::Block,
            Some("drop_newest") => o.overflow = Overflow::DropNewest,
            Some("drop_oldest") => o.overflow = Overflow::DropOldest,
            Some(other) => d.err(&v.loc, &join(path, "overflow"), format!("unknown overflow policy {other:?} (expected block, drop_newest or drop_oldest)")),
            None => {}
        }
    }
    Some(o)
}

pub const PROFILE_KEYS: &[&str] = &[
    "extends", "level", "log_dir", "features", "filters", "routes",
];

/// Feature table: `{ name = bool, ... }`.
pub fn features(d: &mut Dec, n: &Node, path: &str) -> Vec<(String, bool)> {
    match &n.val {
        Val::Map(m) => m
            .iter()
            .filter_map(|(k, v)| d.bool(v, &join(path, k)).map(|b| (k.clone(), b)))
            .collect(),
        _ => {
            d.err(
                &n.loc,
                path,
                format!(
                    "expected a table of feature = true/false, found {}",
                    n.kind()
                ),
            );
            Vec::new()
        }
    }
}

/// A profile, optionally on top of `base` (for `extends`).
pub fn profile(
    d: &mut Dec,
    name: &str,
    n: &Node,
    path: &str,
    base: Option<&ProfileSpec>,
) -> Option<ProfileSpec> {
    let m = d.table(n, path, PROFILE_KEYS)?;
    let mut p = match base {
        Some(b) => ProfileSpec {
            name: name.to_string(),
            loc: n.loc.clone(),
            ..b.clone()
        },
        None => ProfileSpec {
            name: name.to_string(),
            level: Level::Info,
            log_dir: "logs".to_string(),
            features: Vec::new(),
            filters: Vec::new(),
            routes: Vec::new(),
            loc: n.loc.clone(),
        },
    };
    if let Some(v) = get(m, "level") {
        if let Some(l) = d.level(v, &join(path, "level")) {
            p.level = l;
        }
    }
    if let Some(v) = get(m, "log_dir") {
        if let Some(s) = d.str(v, &join(path, "log_dir")) {
            p.log_dir = s;
        }
    }
    let mut declared = Vec::new();
    if let Some(v) = get(m, "features") {
        for (k, on) in features(d, v, &join(path, "features")) {
            declared.push(k.clone());
            match p.features.iter_mut().find(|(n, _)| *n == k) {
                Some(slot) => slot.1 = on,
                None => p.features.push((k, on)),
            }
        }
    }
    if let Some(v) = get(m, "filters") {
        p.filters = filters(d, v, &join(path, "filters"));
    }
    if let Some(v) = get(m, "routes") {
        p.routes = match &v.val {
            Val::Seq(items) => items
                .iter()
                .enumerate()
                .filter_map(|(i, r)| route(d, r, &format!("{}[{i}]", join(path, "routes"))))
                .collect(),
            _ => {
                d.err(
                    &v.loc,
                    &join(path, "routes"),
                    format!("expected a list of routes, found {}", v.kind()),
                );
                Vec::new()
            }
        };
    } else if base.is_none() {
        d.err(
            &n.loc,
            path,
            "a profile needs at least one route (or \"extends\")",
        );
    }
    let used = check_profile(d, &p, path, &declared);
    // Features inherited through `extends` that no longer switch anything are dropped.
    p.features
        .retain(|(n, _)| used.contains(n) || declared.contains(n));
    Some(p)
}

/// Cross-checks: unique route names, every `when` names a declared feature, every declared
/// feature declared here switches something. Returns the features in use.
pub fn check_profile(d: &mut Dec, p: &ProfileSpec, path: &str, declared: &[String]) -> Vec<String> {
    let mut used: Vec<String> = Vec::new();
    let mut seen = Vec::new();
    let loc = &p.loc;
    let mut check_when = |d: &mut Dec, w: &Option<When>, what: &str| {
        if let Some(w) = w {
            if !p.features.iter().any(|(n, _)| *n == w.feature) {
                d.err(
                    loc,
                    path,
                    format!(
                        "{what} uses feature {:?}, which the profile does not declare",
                        w.feature
                    ),
                );
            }
            used.push(w.feature.clone());
        }
    };
    for f in &p.filters {
        check_when(d, &f.when, "a profile filter");
    }
    for r in &p.routes {
        if seen.contains(&&r.name) {
            d.err(loc, path, format!("route name {:?} is used twice", r.name));
        }
        seen.push(&r.name);
        check_when(d, &r.when, &format!("route {:?}", r.name));
        for f in &r.filters {
            check_when(d, &f.when, &format!("a filter of route {:?}", r.name));
        }
    }
    for (name, _) in &p.features {
        if !used.contains(name) && declared.contains(name) {
            d.err(
                loc,
                &join(path, "features"),
                format!(
                    "feature {name:?} switches nothing (no route or filter has when = {name:?})"
                ),
            );
        }
    }
    used
}
