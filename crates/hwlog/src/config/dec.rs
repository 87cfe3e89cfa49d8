//! The decoding primitives every config-like file uses (configs, rules files): typed reads of
//! tree nodes that record a problem with its position instead of stopping, so that all of
//! them are reported at once.
use hwlog_core::Level;

use super::tree::{Loc, Node, Val};
use super::ConfigIssue;

/// Collects issues while decoding a configuration-like file (a config, a rules file), so
/// that every problem is reported at once with its position. Public as
/// [`hwlog::config::Decoder`](crate::config::Decoder) for the monitor's rules files.
#[derive(Debug, Default)]
pub struct Dec {
    /// The problems found so far.
    pub issues: Vec<ConfigIssue>,
}

impl Dec {
    /// Records a problem at `loc`.
    pub fn err(&mut self, loc: &Loc, path: &str, message: impl Into<String>) {
        self.issues.push(ConfigIssue {
            loc: loc.clone(),
            path: path.to_string(),
            message: message.into(),
        });
    }

    /// The entries of a table, reporting unknown keys.
    pub fn table<'n>(
        &mut self,
        n: &'n Node,
        path: &str,
        allowed: &[&str],
    ) -> Option<&'n [(String, Node)]> {
        match &n.val {
            Val::Map(m) => {
                for (k, v) in m {
                    if !allowed.contains(&k.as_str()) {
                        self.err(
                            &v.loc,
                            &join(path, k),
                            format!(
                                "unknown key {k:?} (expected one of: {})",
                                allowed.join(", ")
                            ),
                        );
                    }
                }
                Some(m)
            }
            _ => {
                self.err(
                    &n.loc,
                    path,
                    format!("expected a table, found {}", n.kind()),
                );
                None
            }
        }
    }

    /// A string, or a problem.
    pub fn str(&mut self, n: &Node, path: &str) -> Option<String> {
        match &n.val {
            Val::Str(s) => Some(s.clone()),
            _ => {
                self.err(
                    &n.loc,
                    path,
                    format!("expected a string, found {}", n.kind()),
                );
                None
            }
        }
    }

    /// A boolean (or `on`/`off`, `yes`/`no`), or a problem.
    pub fn bool(&mut self, n: &Node, path: &str) -> Option<bool> {
        match &n.val {
            Val::Bool(b) => Some(*b),
            Val::Str(s) => match parse_bool(s) {
                Some(b) => Some(b),
                None => {
                    self.err(&n.loc, path, format!("expected true or false, found {s:?}"));
                    None
                }
            },
            _ => {
                self.err(
                    &n.loc,
                    path,
                    format!("expected a boolean, found {}", n.kind()),
                );
                None
            }
        }
    }

    /// A number, or a problem.
    pub fn num(&mut self, n: &Node, path: &str) -> Option<f64> {
        match &n.val {
            Val::Int(i) => Some(*i as f64),
            Val::Float(f) if f.is_finite() => Some(*f),
            _ => {
                self.err(
                    &n.loc,
                    path,
                    format!("expected a number, found {}", n.kind()),
                );
                None
            }
        }
    }

    /// A level name ([`Level`]'s parser), or a problem.
    pub fn level(&mut self, n: &Node, path: &str) -> Option<Level> {
        let s = self.str(n, path)?;
        match s.parse::<Level>() {
            Ok(l) => Some(l),
            Err(e) => {
                self.err(&n.loc, path, e.to_string());
                None
            }
        }
    }

    /// A list of strings, or a problem.
    pub fn str_list(&mut self, n: &Node, path: &str) -> Vec<String> {
        match &n.val {
            Val::Seq(items) => items
                .iter()
                .enumerate()
                .filter_map(|(i, x)| self.str(x, &format!("{path}[{i}]")))
                .collect(),
            _ => {
                self.err(
                    &n.loc,
                    path,
                    format!("expected a list of strings, found {}", n.kind()),
                );
                Vec::new()
            }
        }
    }
}

/// `on`/`off`, `true`/`false`, `yes`/`no`, `1`/`0`.
pub fn parse_bool(s: &str) -> Option<bool> {
    match s.trim().to_ascii_lowercase().as_str() {
        "true" | "on" | "yes" | "1" => Some(true),
        "false" | "off" | "no" | "0" => Some(false),
        _ => None,
    }
}

pub(crate) fn join(path: &str, key: &str) -> String {
    if path.is_empty() {
        key.to_string()
    } else {
        format!("{path}.{key}")
    }
}

/// The value of `key` in a table's entries.
pub(crate) fn get<'n>(m: &'n [(String, Node)], key: &str) -> Option<&'n Node> {
    m.iter().find(|(k, _)| k == key).map(|(_, v)| v)
}
