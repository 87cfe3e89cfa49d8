//! Alert rules and channels from a TOML or YAML file, with every error listed at once with
//! its position (the column of a condition error points into the file).
//!
//! ```toml
//! [[rules]]
//! name = "bmc-timeouts"
//! condition = 'count({component} =~ "^hardware\." and {message} contains "timeout") > 10 within 5m'
//! severity = "critical"          # info, warning, error, critical, page
//! suppression = "10m"            # durations: "250ms", "30s", "5m", "2h", or seconds
//! escalation = "30m"
//! dedup_by = ["component"]
//! group_by = ["component"]
//! group_wait = "30s"
//! group_interval = "5m"
//! resolve_after = "5m"
//! flap_window = "10m"
//! flap_threshold = 4
//! channels = ["log", "oncall"]
//!
//! [channels.oncall]
//! type = "webhook"               # log (through hwlog), stderr, webhook, alertmanager
//! url = "http://127.0.0.1:9000/hook"
//! ```
use std::path::Path;
use std::sync::Arc;

use hwlog_analysis::alerts::{AlertRule, Severity, SEC};
use hwlog_analysis::rules::Rule;

use crate::notify::{LogNotifier, Notifier, StderrNotifier};
use hwlog::config::tree::{parse_toml, parse_yaml, Loc, Node, Val};
use hwlog::config::{ConfigError, ConfigIssue};

/// The rules and channels of a rules file.
pub struct RulesFile {
    /// The rules, in file order.
    pub rules: Vec<AlertRule>,
    /// Channel name → notifier.
    pub channels: Vec<(String, Arc<dyn Notifier>)>,
}

impl std::fmt::Debug for RulesFile {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let channels: Vec<&str> = self.channels.iter().map(|(n, _)| n.as_str()).collect();
        f.debug_struct("RulesFile")
            .field("rules", &self.rules)
            .field("channels", &channels)
            .finish()
    }
}

/// Reads a rules file: `.yaml`/`.yml` as YAML, anything else as TOML.
pub fn load_rules(path: impl AsRef<Path>) -> Result<RulesFile, ConfigError> {
    let path = path.as_ref();
    let name = path.display().to_string();
    let text = std::fs::read_to_string(path)
        .map_err(|e| ConfigError::one(&name, "", format!("cannot read: {e}")))?;
    let yaml = matches!(
        path.extension().and_then(|e| e.to_str()),
        Some("yaml" | "yml")
    );
    parse_rules(&text, &name, yaml)
}

/// Parses rules from `text` (`source` names it in errors).
pub fn parse_rules(text: &str, source: &str, yaml: bool) -> Result<RulesFile, ConfigError> {
    let tree = if yaml {
        parse_yaml(text, source)
    } else {
        parse_toml(text, source)
    };
    let root =
        tree.map_err(|(loc, message)| ConfigError::new(vec![ConfigIssue::new(loc, "", message)]))?;
    let mut d = Dec {
        d: hwlog::config::Decoder::default(),
        text: text.to_string(),
    };
    let mut out = RulesFile {
        rules: Vec::new(),
        channels: Vec::new(),
    };
    let Some(top) = d.map(&root, "", &["rules", "channels"]) else {
        return Err(d.finish());
    };
    let mut declared = vec!["log".to_string()];
    if let Some((_, ch)) = top.iter().find(|(k, _)| k == "channels") {
        if let Some(m) = d.map(ch, "channels", &[]) {
            for (name, n) in m {
                if let Some(nf) = channel(&mut d, n, &format!("channels.{name}")) {
                    out.channels.push((name.clone(), nf));
                    declared.push(name.clone());
                }
            }
        }
    }
    if let Some((_, rules)) = top.iter().find(|(k, _)| k == "rules") {
        match &rules.val {
            Val::Seq(items) => {
                for (i, n) in items.iter().enumerate() {
                    if let Some(r) = rule(&mut d, n, &format!("rules[{i}]"), &declared) {
                        if out.rules.iter().any(|o: &AlertRule| o.name == r.name) {
                            d.err(
                                &n.loc,
                                &format!("rules[{i}].name"),
                                format!("duplicate rule name {:?}", r.name),
                            );
                        }
                        out.rules.push(r);
                    }
                }
            }
            _ => d.err(
                &rules.loc,
                "rules",
                format!("expected a list of rules, found {}", rules.kind()),
            ),
        }
    }
    if d.d.issues.is_empty() {
        Ok(out)
    } else {
        Err(d.finish())
    }
}

/// The configuration decoder (every error collected with its position), plus the source
/// text to place condition errors.
struct Dec {
    d: hwlog::config::Decoder,
    text: String,
}

impl Dec {
    fn err(&mut self, loc: &Loc, path: &str, message: impl Into<String>) {
        self.d.err(loc, path, message);
    }

    fn finish(mut self) -> ConfigError {
        self.d.issues.sort_by_key(|i| (i.loc.line, i.loc.col));
        ConfigError::new(self.d.issues)
    }

    /// A table's entries; unknown keys are errors unless `allowed` is empty (any key).
    fn map<'n>(
        &mut self,
        n: &'n Node,
        path: &str,
        allowed: &[&str],
    ) -> Option<&'n [(String, Node)]> {
        match (&n.val, allowed.is_empty()) {
            (Val::Map(m), true) => Some(m),
            _ => self.d.table(n, path, allowed),
        }
    }

    fn str(&mut self, n: &Node, path: &str) -> Option<String> {
        self.d.str(n, path)
    }

    fn list(&mut self, n: &Node, path: &str) -> Vec<String> {
        self.d.str_list(n, path)
    }

    /// A duration: text with a unit, or a number of seconds.
    fn duration(&mut self, n: &Node, path: &str) -> Option<i64> {
        let secs = match &n.val {
            Val::Int(i) => Some(*i as f64),
            Val::Float(f) => Some(*f),
            Val::Str(s) => hwlog_core::units::parse_duration(s)
                .ok()
                .map(|d| d.as_secs_f64()),
            _ => None,
        };
        match secs {
            Some(s) if s.is_finite() && s >= 0.0 => Some((s * SEC as f64) as i64),
            _ => {
                self.err(
                    &n.loc,
                    path,
                    "expected a duration such as \"30s\", \"5m\" or \"2h\", or a number of seconds",
                );
                None
            }
        }
    }
}

const RULE_KEYS: [&str; 14] = [
    "name",
    "condition",
    "severity",
    "suppression",
    "escalation",
    "dedup_by",
    "group_by",
    "group_wait",
    "group_interval",
    "resolve_after",
    "flap_window",
    "flap_threshold",
    "channels",
    "description",
];

fn rule(d: &mut Dec, n: &Node, path: &str, declared: &[String]) -> Option<AlertRule> {
    let m = d.map(n, path, &RULE_KEYS)?;
    let mut r = AlertRule::default();
    let mut ok = true;
    let get = |k: &str| m.iter().find(|(key, _)| key == k).map(|(_, v)| v);
    match get("name").and_then(|v| d.str(v, &format!("{path}.name"))) {
        Some(s) if !s.is_empty() => r.name = s,
        _ => {
            d.err(&n.loc, &format!("{path}.name"), "a rule needs a name");
            ok = false;
        }
    }
    match get("condition") {
        Some(v) => {
            if let Some(src) = d.str(v, &format!("{path}.condition")) {
                if let Err(e) = Rule::parse(&src) {
                    // Point into the file: the string's position plus the column, when
                    // the string is on one line.
                    let mut loc = v.loc.clone();
                    let line = d.text.lines().nth(loc.line.wrapping_sub(1)).unwrap_or("");
                    if let Some(pos) = line.find(src.as_str()).filter(|_| !src.is_empty()) {
                        loc.col = line[..pos].chars().count() + e.column;
                    }
                    d.err(
                        &loc,
                        &format!("{path}.condition"),
                        format!("{} (column {} of the condition)", e.message, e.column),
                    );
                    ok = false;
                }
                r.condition = src;
            }
        }
        None => {
            d.err(
                &n.loc,
                &format!("{path}.condition"),
                "a rule needs a condition",
            );
            ok = false;
        }
    }
    if let Some(v) = get("severity") {
        if let Some(s) = d.str(v, &format!("{path}.severity")) {
            match Severity::parse(&s) {
                Some(sev) => r.severity = sev,
                None => d.err(
                    &v.loc,
                    &format!("{path}.severity"),
                    format!("unknown severity {s:?}: use info, warning, error, critical or page"),
                ),
            }
        }
    }
    let dur = |d: &mut Dec, key: &str, slot: &mut i64| {
        if let Some(v) = get(key) {
            if let Some(ns) = d.duration(v, &format!("{path}.{key}")) {
                *slot = ns;
            }
        }
    };
    dur(d, "suppression", &mut r.suppression);
    dur(d, "group_wait", &mut r.group_wait);
    dur(d, "group_interval", &mut r.group_interval);
    dur(d, "resolve_after", &mut r.resolve_after);
    dur(d, "flap_window", &mut r.flap_window);
    if let Some(v) = get("escalation") {
        match d.duration(v, &format!("{path}.escalation")) {
            Some(0) => d.err(
                &v.loc,
                &format!("{path}.escalation"),
                "an escalation time must be positive",
            ),
            Some(ns) => r.escalation = Some(ns),
            None => {}
        }
    }
    if let Some(v) = get("flap_threshold") {
        match v.val {
            Val::Int(i) if i >= 0 => r.flap_threshold = i as usize,
            _ => d.err(
                &v.loc,
                &format!("{path}.flap_threshold"),
                "expected a whole number ≥ 0",
            ),
        }
    }
    if let Some(v) = get("dedup_by") {
        r.dedup_by = d.list(v, &format!("{path}.dedup_by"));
    }
    if let Some(v) = get("group_by") {
        r.group_by = d.list(v, &format!("{path}.group_by"));
    }
    if let Some(v) = get("channels") {
        let chans = d.list(v, &format!("{path}.channels"));
        for c in &chans {
            if !declared.contains(c) {
                d.err(
                    &v.loc,
                    &format!("{path}.channels"),
                    format!("unknown channel {c:?} (declared: {})", declared.join(", ")),
                );
            }
        }
        if chans.is_empty() {
            d.err(&v.loc, &format!("{path}.channels"), "at least one channel");
        } else {
            r.channels = chans;
        }
    }
    ok.then_some(r)
}

fn channel(d: &mut Dec, n: &Node, path: &str) -> Option<Arc<dyn Notifier>> {
    let m = d.map(n, path, &["type", "url", "ca"])?;
    let get = |k: &str| m.iter().find(|(key, _)| key == k).map(|(_, v)| v);
    let Some(kind) = get("type").and_then(|v| d.str(v, &format!("{path}.type"))) else {
        d.err(
            &n.loc,
            &format!("{path}.type"),
            "a channel needs a type: webhook, alertmanager or stderr",
        );
        return None;
    };
    let url = get("url").and_then(|v| d.str(v, &format!("{path}.url")));
    match kind.as_str() {
        "stderr" => Some(Arc::new(StderrNotifier)),
        "log" => Some(Arc::new(LogNotifier)),
        #[cfg(feature = "http-notifiers")]
        "webhook" | "alertmanager" => {
            let Some(url) = url else {
                d.err(
                    &n.loc,
                    &format!("{path}.url"),
                    format!("a {kind} channel needs a url"),
                );
                return None;
            };
            if let Err(e) = hwlog::http::check_url(&url) {
                d.err(&n.loc, &format!("{path}.url"), e.to_string());
                return None;
            }
            let ca = get("ca").and_then(|v| d.str(v, &format!("{path}.ca")));
            let built = if kind == "webhook" {
                let w = crate::notify::WebhookNotifier::new(&url);
                match &ca {
                    Some(ca) => w
                        .with_ca(ca.as_ref())
                        .map(|w| Arc::new(w) as Arc<dyn Notifier>),
                    None => Ok(Arc::new(w) as Arc<dyn Notifier>),
                }
            } else {
                let a = crate::notify::AlertmanagerNotifier::new(&url);
                match &ca {
                    Some(ca) => a
                        .with_ca(ca.as_ref())
                        .map(|a| Arc::new(a) as Arc<dyn Notifier>),
                    None => Ok(Arc::new(a) as Arc<dyn Notifier>),
                }
            };
            match built {
                Ok(n) => Some(n),
                Err(e) => {
                    d.err(&n.loc, &format!("{path}.ca"), e.to_string());
                    None
                }
            }
        }
        other => {
            let _ = url;
            d.err(
                &n.loc,
                &format!("{path}.type"),
                format!("unknown channel type {other:?}: use log, stderr, webhook or alertmanager"),
            );
            None
        }
    }
}
