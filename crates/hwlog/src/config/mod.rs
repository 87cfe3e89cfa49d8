//! Profiles and configuration: the built-in profiles (an embedded TOML file users can copy),
//! config files in TOML or YAML, overrides from code and environment, and validation that
//! reports every error at once with its position.
//!
//! ```
//! use hwlog::config::{Config, Overrides};
//! use hwlog::Level;
//!
//! let cfg = Config::builtin();
//! let staging = cfg
//!     .resolve("staging", &Overrides::new().level(Level::Debug).feature("compression", true))
//!     .unwrap();
//! assert_eq!(staging.level, Level::Debug);
//! assert!(staging.routes.iter().any(|r| r.name == "file"));
//! // Overrides never change the built-in definition.
//! assert_eq!(cfg.profile("staging").unwrap().level, Level::Info);
//! // Unknown override keys and features are errors, never ignored.
//! assert!(Overrides::from_pairs([("levle", "DEBUG")]).is_err());
//! assert!(cfg.resolve("staging", &Overrides::new().feature("compresion", true)).is_err());
//! ```
mod dec;
pub(crate) mod decode;
pub use dec::Dec as Decoder;
pub mod model;
mod rotate;
mod sinks;
pub mod tree;

use std::fmt;
use std::path::Path;

use hwlog_core::Level;

pub use model::*;
pub use tree::Loc;

use decode::{join, Dec};
use tree::{Node, Val};

/// The built-in profiles, as TOML.
pub const BUILTIN_PROFILES: &str = include_str!("profiles.toml");

/// The built-in profile names.
pub const PROFILE_NAMES: [&str; 4] = ["development", "staging", "production", "testing"];

/// One problem in a configuration.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct ConfigIssue {
    /// Where.
    pub loc: Loc,
    /// Dotted path of the offending value (`profiles.production.routes[1].format`).
    pub path: String,
    /// What is wrong.
    pub message: String,
}

impl ConfigIssue {
    /// A problem at `loc`, at the dotted `path` (empty for the whole file).
    pub fn new(loc: Loc, path: impl Into<String>, message: impl Into<String>) -> ConfigIssue {
        ConfigIssue {
            loc,
            path: path.into(),
            message: message.into(),
        }
    }
}

impl fmt::Display for ConfigIssue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.path.is_empty() {
            write!(f, "{}: {}", self.loc, self.message)
        } else {
            write!(f, "{}: {}: {}", self.loc, self.path, self.message)
        }
    }
}

/// Every problem found in a configuration or override (never just the first).
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct ConfigError {
    /// The problems, in source order.
    pub issues: Vec<ConfigIssue>,
}

impl ConfigError {
    /// The problems `issues` (in source order).
    pub fn new(issues: Vec<ConfigIssue>) -> ConfigError {
        ConfigError { issues }
    }

    /// One problem of the file `source` as a whole (it cannot be read, say).
    pub fn one(source: &str, path: &str, message: impl Into<String>) -> ConfigError {
        ConfigError {
            issues: vec![ConfigIssue {
                loc: Loc {
                    source: source.to_string(),
                    line: 0,
                    col: 0,
                },
                path: path.to_string(),
                message: message.into(),
            }],
        }
    }
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let n = self.issues.len();
        writeln!(
            f,
            "{n} configuration error{}:",
            if n == 1 { "" } else { "s" }
        )?;
        for i in &self.issues {
            writeln!(f, "  {i}")?;
        }
        Ok(())
    }
}

impl std::error::Error for ConfigError {}

/// Changes applied on top of a profile: level, log directory, features. Built in code or from
/// `key = value` pairs (`level`, `log_dir`, `features.<name>`); unknown keys are errors.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Overrides {
    level: Option<Level>,
    log_dir: Option<String>,
    features: Vec<(String, bool)>,
}

impl Overrides {
    /// No changes.
    pub fn new() -> Self {
        Overrides::default()
    }

    /// Sets the profile's minimum level.
    pub fn level(mut self, level: Level) -> Self {
        self.level = Some(level);
        self
    }

    /// Sets the directory for relative file paths.
    pub fn log_dir(mut self, dir: impl Into<String>) -> Self {
        self.log_dir = Some(dir.into());
        self
    }

    /// Turns a feature on or off.
    pub fn feature(mut self, name: impl Into<String>, on: bool) -> Self {
        let name = name.into();
        self.features.retain(|(n, _)| *n != name);
        self.features.push((name, on));
        self
    }

    /// Whether there is nothing to change.
    pub fn is_empty(&self) -> bool {
        self.level.is_none() && self.log_dir.is_none() && self.features.is_empty()
    }

    /// Parses `level`, `log_dir` and `features.<name>` pairs, reporting every bad pair.
    pub fn from_pairs<K: AsRef<str>, V: AsRef<str>>(
        pairs: impl IntoIterator<Item = (K, V)>,
    ) -> Result<Overrides, ConfigError> {
        let (o, issues) = Overrides::parse_pairs(pairs);
        if issues.is_empty() {
            Ok(o)
        } else {
            Err(ConfigError { issues })
        }
    }

    /// Parses what it can and returns the problems with the rest.
    fn parse_pairs<K: AsRef<str>, V: AsRef<str>>(
        pairs: impl IntoIterator<Item = (K, V)>,
    ) -> (Overrides, Vec<ConfigIssue>) {
        let mut o = Overrides::new();
        let mut issues = Vec::new();
        for (k, v) in pairs {
            let (k, v) = (k.as_ref().trim(), v.as_ref().trim());
            let mut bad = |m: String| {
                issues.push(ConfigIssue {
                    loc: Loc {
                        source: "<overrides>".into(),
                        line: 0,
                        col: 0,
                    },
                    path: k.to_string(),
                    message: m,
                })
            };
            if k == "level" {
                match v.parse::<Level>() {
                    Ok(l) => o.level = Some(l),
                    Err(e) => bad(e.to_string()),
                }
            } else if k == "log_dir" {
                o.log_dir = Some(v.to_string());
            } else if let Some(name) = k.strip_prefix("features.") {
                match decode::parse_bool(v) {
                    Some(b) => o = o.feature(name, b),
                    None => bad(format!("expected on/off or true/false, found {v:?}")),
                }
            } else {
                bad(format!(
                    "unknown override key {k:?} (expected level, log_dir or features.<name>)"
                ));
            }
        }
        (o, issues)
    }

    /// Overrides from the environment: `HWLOG_LEVEL`, `HWLOG_LOG_DIR` and `HWLOG_FEATURES`
    /// (`"rate_limiting=off,compression=on"`).
    pub fn from_env() -> Result<Overrides, ConfigError> {
        let (o, issues) = Overrides::env_lenient();
        if issues.is_empty() {
            Ok(o)
        } else {
            Err(ConfigError { issues })
        }
    }

    /// The environment's overrides that parse, and the problems with the others.
    pub(crate) fn env_lenient() -> (Overrides, Vec<ConfigIssue>) {
        let mut pairs: Vec<(String, String)> = Vec::new();
        if let Ok(v) = std::env::var("HWLOG_LEVEL") {
            pairs.push(("level".into(), v));
        }
        if let Ok(v) = std::env::var("HWLOG_LOG_DIR") {
            pairs.push(("log_dir".into(), v));
        }
        if let Ok(v) = std::env::var("HWLOG_FEATURES") {
            for item in v.split(',').filter(|s| !s.trim().is_empty()) {
                match item.split_once('=') {
                    Some((k, val)) => pairs.push((format!("features.{}", k.trim()), val.into())),
                    None => pairs.push((format!("features.{}", item.trim()), "on".into())),
                }
            }
        }
        let (o, mut issues) = Overrides::parse_pairs(pairs);
        for i in &mut issues {
            i.loc.source = "<environment>".into();
        }
        (o, issues)
    }

    /// `other`'s settings on top of these.
    pub fn merged(mut self, other: &Overrides) -> Overrides {
        if other.level.is_some() {
            self.level = other.level;
        }
        if other.log_dir.is_some() {
            self.log_dir.clone_from(&other.log_dir);
        }
        for (n, b) in &other.features {
            self = self.feature(n.clone(), *b);
        }
        self
    }
}

/// A profile after overrides, with only the active routes and filters.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub struct ActiveProfile {
    /// Profile name.
    pub name: String,
    /// Minimum level.
    pub level: Level,
    /// Directory for relative file paths.
    pub log_dir: String,
    /// Feature flags after overrides.
    pub features: Vec<(String, bool)>,
    /// Active routes; their `filters` hold the profile-wide filters followed by their own.
    pub routes: Vec<RouteSpec>,
}

/// A set of profiles (the built-in ones plus any loaded from a file) and the defaults a file
/// may set (`profile = "..."`, `[overrides]`).
#[derive(Clone, Debug, PartialEq)]
pub struct Config {
    profiles: Vec<ProfileSpec>,
    default_profile: Option<String>,
    overrides: Overrides,
}

/// Syntax of a config text.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Syntax {
    /// TOML.
    Toml,
    /// YAML.
    Yaml,
}

impl Config {
    /// The built-in profiles only.
    pub fn builtin() -> Config {
        let empty = Config {
            profiles: Vec::new(),
            default_profile: None,
            overrides: Overrides::new(),
        };
        // The embedded file is checked by the test suite; failing here is a build defect.
        empty
            .merge_text(BUILTIN_PROFILES, Syntax::Toml, "<builtin>")
            .expect("built-in profiles are valid")
    }

    /// The built-in profiles with a config file's on top. The syntax follows the extension
    /// (`.yaml` / `.yml` → YAML, otherwise TOML).
    pub fn from_path(path: impl AsRef<Path>) -> Result<Config, ConfigError> {
        let path = path.as_ref();
        let name = path.display().to_string();
        let text = std::fs::read_to_string(path)
            .map_err(|e| ConfigError::one(&name, "", format!("cannot read: {e}")))?;
        let syntax = match path.extension().and_then(|e| e.to_str()) {
            Some("yaml") | Some("yml") => Syntax::Yaml,
            _ => Syntax::Toml,
        };
        Config::builtin().merge_text(&text, syntax, &name)
    }

    /// The built-in profiles with a config text on top.
    pub fn from_text(text: &str, syntax: Syntax, source: &str) -> Result<Config, ConfigError> {
        Config::builtin().merge_text(text, syntax, source)
    }

    fn merge_text(
        mut self,
        text: &str,
        syntax: Syntax,
        source: &str,
    ) -> Result<Config, ConfigError> {
        let root = match syntax {
            Syntax::Toml => tree::parse_toml(text, source),
            Syntax::Yaml => tree::parse_yaml(text, source),
        }
        .map_err(|(loc, message)| ConfigError {
            issues: vec![ConfigIssue {
                loc,
                path: String::new(),
                message,
            }],
        })?;
        let mut d = Dec::default();
        let Some(top) = d.table(&root, "", &["profile", "overrides", "profiles"]) else {
            return Err(ConfigError { issues: d.issues });
        };
        for (key, node) in top {
            match key.as_str() {
                "profile" => self.default_profile = d.str(node, "profile"),
                "overrides" => self.overrides = overrides_table(&mut d, node),
                "profiles" => self.merge_profiles(&mut d, node),
                _ => {}
            }
        }
        if let Some(p) = &self.default_profile {
            if self.profile(p).is_none() {
                let loc = get_loc(top, "profile");
                d.err(&loc, "profile", format!("unknown profile {p:?}"));
            }
        }
        if d.issues.is_empty() {
            Ok(self)
        } else {
            Err(ConfigError { issues: d.issues })
        }
    }

    fn merge_profiles(&mut self, d: &mut Dec, node: &Node) {
        let Val::Map(entries) = &node.val else {
            d.err(
                &node.loc,
                "profiles",
                format!("expected a table of profiles, found {}", node.kind()),
            );
            return;
        };
        for (name, pnode) in entries {
            let path = join("profiles", name);
            let base = match &pnode.val {
                Val::Map(m) => m.iter().find(|(k, _)| k == "extends").and_then(|(_, v)| {
                    let b = d.str(v, &join(&path, "extends"))?;
                    let found = self.profile(&b).cloned();
                    if found.is_none() {
                        d.err(
                            &v.loc,
                            &join(&path, "extends"),
                            format!("unknown profile {b:?}"),
                        );
                    }
                    found
                }),
                _ => None,
            };
            if let Some(p) = decode::profile(d, name, pnode, &path, base.as_ref()) {
                self.profiles.retain(|x| x.name != *name);
                self.profiles.push(p);
            }
        }
    }

    /// A profile by name.
    pub fn profile(&self, name: &str) -> Option<&ProfileSpec> {
        self.profiles.iter().find(|p| p.name == name)
    }

    /// All profile names.
    pub fn profile_names(&self) -> Vec<&str> {
        self.profiles.iter().map(|p| p.name.as_str()).collect()
    }

    /// The profile a file asked for with `profile = "..."`.
    pub fn default_profile(&self) -> Option<&str> {
        self.default_profile.as_deref()
    }

    /// The overrides a file set in `[overrides]`.
    pub fn file_overrides(&self) -> &Overrides {
        &self.overrides
    }

    /// Applies `overrides` to profile `name` and keeps the active routes and filters. Every
    /// unknown profile or feature is reported.
    pub fn resolve(&self, name: &str, overrides: &Overrides) -> Result<ActiveProfile, ConfigError> {
        let p = self.profile(name).ok_or_else(|| {
            ConfigError::one(
                "<overrides>",
                "profile",
                format!(
                    "unknown profile {name:?} (known: {})",
                    self.profile_names().join(", ")
                ),
            )
        })?;
        let mut features = p.features.clone();
        let mut issues = Vec::new();
        for (n, on) in &overrides.features {
            match features.iter_mut().find(|(f, _)| f == n) {
                Some(slot) => slot.1 = *on,
                None => issues.push(ConfigIssue {
                    loc: Loc {
                        source: "<overrides>".into(),
                        line: 0,
                        col: 0,
                    },
                    path: format!("features.{n}"),
                    message: format!(
                        "unknown feature {n:?} for profile {name:?} (known: {})",
                        features
                            .iter()
                            .map(|(f, _)| f.as_str())
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                }),
            }
        }
        if !issues.is_empty() {
            return Err(ConfigError { issues });
        }
        let active = |w: &Option<When>| w.as_ref().is_none_or(|w| w.holds(&features));
        let common: Vec<FilterSpec> = p
            .filters
            .iter()
            .filter(|f| active(&f.when))
            .cloned()
            .collect();
        let routes = p
            .routes
            .iter()
            .filter(|r| active(&r.when))
            .map(|r| {
                let mut r = r.clone();
                let own: Vec<FilterSpec> =
                    r.filters.drain(..).filter(|f| active(&f.when)).collect();
                r.filters = if r.inherit_filters {
                    common.iter().cloned().chain(own).collect()
                } else {
                    own
                };
                r
            })
            .collect();
        Ok(ActiveProfile {
            name: p.name.clone(),
            level: overrides.level.unwrap_or(p.level),
            log_dir: overrides
                .log_dir
                .clone()
                .unwrap_or_else(|| p.log_dir.clone()),
            features,
            routes,
        })
    }
}

fn get_loc(m: &[(String, Node)], key: &str) -> Loc {
    m.iter()
        .find(|(k, _)| k == key)
        .map(|(_, v)| v.loc.clone())
        .unwrap_or_default()
}

fn overrides_table(d: &mut Dec, n: &Node) -> Overrides {
    let Some(m) = d.table(n, "overrides", &["level", "log_dir", "features"]) else {
        return Overrides::new();
    };
    let mut o = Overrides::new();
    for (k, v) in m {
        match k.as_str() {
            "level" => o.level = d.level(v, "overrides.level"),
            "log_dir" => o.log_dir = d.str(v, "overrides.log_dir"),
            "features" => {
                for (f, on) in decode::features(d, v, "overrides.features") {
                    o = o.feature(f, on);
                }
            }
            _ => {}
        }
    }
    o
}
