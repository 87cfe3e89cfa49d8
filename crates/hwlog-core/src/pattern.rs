//! Component name patterns: the one meaning every part of hwlog gives to `component=…`.
//!
//! `*` matches any run of characters (dots included), `?` exactly one character, `[abc]`,
//! `[a-z]` and `[!x]` (or `[^x]`) a character class; a `]` right after the opening `[` (or
//! after its `!`) belongs to the class. A `[` without a closing `]` matches itself. Matching is
//! case-sensitive and works on characters, not bytes.
//!
//! A pattern without wildcards matches the name itself **and its children**: `hyper` matches
//! `hyper` and `hyper.client.pool`, not `hyperion`.
//!
//! Library filters and routes, both store backends' queries, the live stream, trends and the
//! CLI all use this type; the stores translate it with [`ComponentPattern::sql_regex`] or call
//! [`ComponentPattern::matches`] from SQL.
//!
//! ```
//! use hwlog_core::ComponentPattern;
//! assert!(ComponentPattern::new("hwautomation.*.ipmi").matches("hwautomation.hardware.ipmi"));
//! assert!(ComponentPattern::new("hyper").matches("hyper.client"));
//! assert!(!ComponentPattern::new("hyper").matches("hyperion"));
//! assert!(ComponentPattern::new("*").matches("anything.at.all"));
//! assert!(ComponentPattern::new("node[0-9]").matches("node7"));
//! ```
use std::fmt::Write as _;

/// One element of a parsed pattern.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Tok {
    Lit(char),
    Star,
    One,
    Class {
        neg: bool,
        ranges: Vec<(char, char)>,
    },
}

/// A compiled component pattern. Every string is a valid pattern.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ComponentPattern {
    text: String,
    toks: Vec<Tok>,
    literal: bool,
}

impl ComponentPattern {
    /// Compiles a pattern.
    pub fn new(pattern: &str) -> ComponentPattern {
        let toks = parse(pattern);
        let literal = toks.iter().all(|t| matches!(t, Tok::Lit(_)));
        ComponentPattern {
            text: pattern.to_string(),
            toks,
            literal,
        }
    }

    /// The pattern as written.
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// Whether the pattern has no wildcard (and so covers the name and its children).
    pub fn is_literal(&self) -> bool {
        self.literal
    }

    /// The name a literal pattern stands for (an unclosed `[` included), or `None`.
    pub fn literal(&self) -> Option<String> {
        self.literal.then(|| self.literal_prefix())
    }

    /// The characters every match starts with (before the first wildcard).
    ///
    /// ```
    /// use hwlog_core::ComponentPattern;
    /// assert_eq!(ComponentPattern::new("hw.*.ipmi").literal_prefix(), "hw.");
    /// ```
    pub fn literal_prefix(&self) -> String {
        self.toks
            .iter()
            .map_while(|t| match t {
                Tok::Lit(c) => Some(*c),
                _ => None,
            })
            .collect()
    }

    /// Count of literal characters; more means more specific (routes pick the most specific).
    pub fn specificity(&self) -> usize {
        self.toks
            .iter()
            .filter(|t| matches!(t, Tok::Lit(_) | Tok::Class { .. }))
            .count()
    }

    /// Whether `name` matches.
    pub fn matches(&self, name: &str) -> bool {
        if self.literal {
            let p = &self.text;
            return name == p
                || (name.len() > p.len()
                    && name.starts_with(p.as_str())
                    && name.as_bytes()[p.len()] == b'.');
        }
        wildcard(&self.toks, name)
    }

    /// The pattern as an anchored regular expression that PostgreSQL (`~`) and the `regex`
    /// crate read alike: every character other than ASCII letters and digits is written as a
    /// `\uXXXX` / `\UXXXXXXXX` escape, so no character of the pattern is special.
    ///
    /// ```
    /// use hwlog_core::ComponentPattern;
    /// assert_eq!(ComponentPattern::new("a*").sql_regex(), r"(?s)^a.*$");
    /// assert_eq!(ComponentPattern::new("a.b").sql_regex(), r"(?s)^a\u002Eb(\u002E.*)?$");
    /// ```
    pub fn sql_regex(&self) -> String {
        let mut out = String::from("(?s)^");
        for t in &self.toks {
            match t {
                Tok::Lit(c) => push_char(&mut out, *c),
                Tok::Star => out.push_str(".*"),
                Tok::One => out.push('.'),
                Tok::Class { neg, ranges } => {
                    if ranges.is_empty() {
                        // `[!]` is not parsed as a class, so an empty class cannot occur;
                        // stay safe anyway: it matches nothing, or any one character.
                        out.push_str(if *neg { "." } else { "[^\\s\\S]" });
                        continue;
                    }
                    out.push('[');
                    if *neg {
                        out.push('^');
                    }
                    for &(a, b) in ranges {
                        push_char(&mut out, a);
                        if a != b {
                            out.push('-');
                            push_char(&mut out, b);
                        }
                    }
                    out.push(']');
                }
            }
        }
        if self.literal {
            out.push_str("(\\u002E.*)?");
        }
        out.push('$');
        out
    }
}

impl std::fmt::Display for ComponentPattern {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.pad(&self.text)
    }
}

fn push_char(out: &mut String, c: char) {
    if c.is_ascii_alphanumeric() {
        out.push(c);
    } else if (c as u32) <= 0xFFFF {
        let _ = write!(out, "\\u{:04X}", c as u32);
    } else {
        let _ = write!(out, "\\U{:08X}", c as u32);
    }
}

fn parse(p: &str) -> Vec<Tok> {
    let chars: Vec<char> = p.chars().collect();
    let mut toks = Vec::with_capacity(chars.len());
    let mut i = 0;
    while i < chars.len() {
        match chars[i] {
            '*' => {
                if toks.last() != Some(&Tok::Star) {
                    toks.push(Tok::Star);
                }
                i += 1;
            }
            '?' => {
                toks.push(Tok::One);
                i += 1;
            }
            '[' => match class(&chars[i..]) {
                Some((tok, len)) => {
                    toks.push(tok);
                    i += len;
                }
                None => {
                    toks.push(Tok::Lit('['));
                    i += 1;
                }
            },
            c => {
                toks.push(Tok::Lit(c));
                i += 1;
            }
        }
    }
    toks
}

/// A class at the start of `p` (which starts with `[`): the token and its length in chars.
fn class(p: &[char]) -> Option<(Tok, usize)> {
    let mut i = 1;
    let neg = matches!(p.get(i), Some('!' | '^'));
    if neg {
        i += 1;
    }
    let body_start = i;
    // A `]` first in the body is a member; the class ends at the next `]`.
    let close = body_start + 1 + p.get(body_start + 1..)?.iter().position(|&c| c == ']')?;
    p.get(body_start)?;
    let body = &p[body_start..close];
    let mut ranges = Vec::new();
    let mut j = 0;
    while j < body.len() {
        if j + 2 < body.len() && body[j + 1] == '-' {
            let (a, b) = (body[j], body[j + 2]);
            if a <= b {
                ranges.push((a, b));
            }
            j += 3;
        } else {
            ranges.push((body[j], body[j]));
            j += 1;
        }
    }
    Some((Tok::Class { neg, ranges }, close + 1))
}

fn tok_matches(t: &Tok, c: char) -> bool {
    match t {
        Tok::Lit(l) => *l == c,
        Tok::One => true,
        Tok::Class { neg, ranges } => ranges.iter().any(|&(a, b)| a <= c && c <= b) != *neg,
        Tok::Star => unreachable!("stars are handled by the matcher"),
    }
}

/// Iterative matching with single-star backtracking: O(pattern × name) at worst.
fn wildcard(p: &[Tok], s: &str) -> bool {
    let (mut pi, mut si) = (0usize, 0usize);
    let mut star: Option<(usize, usize)> = None;
    while si < s.len() {
        let c = s[si..].chars().next().expect("si is on a char boundary");
        if pi < p.len() {
            if p[pi] == Tok::Star {
                pi += 1;
                star = Some((pi, si));
                continue;
            }
            if tok_matches(&p[pi], c) {
                pi += 1;
                si += c.len_utf8();
                continue;
            }
        }
        match star {
            Some((sp, ss)) => {
                let skipped = s[ss..].chars().next().expect("ss < len").len_utf8();
                pi = sp;
                si = ss + skipped;
                star = Some((sp, si));
            }
            None => return false,
        }
    }
    p[pi..].iter().all(|t| *t == Tok::Star)
}

/// The table every user of component patterns is tested against: (pattern, name, matches).
///
/// Library filters, routes, both stores, the live stream and trends each run these cases, so
/// the meaning cannot drift apart again.
pub const CASES: &[(&str, &str, bool)] = &[
    ("hwautomation.*.ipmi", "hwautomation.hardware.ipmi", true),
    ("hwautomation.*.ipmi", "hwautomation.a.b.ipmi", true),
    ("hwautomation.*.ipmi", "hwautomation.ipmi", false),
    (
        "hwautomation.*.ipmi",
        "hwautomation.hardware.ipmi.sol",
        false,
    ),
    ("*", "anything.at.all", true),
    ("*.ipmi", "x.ipmi", true),
    ("*.ipmi", "x.ipmi.y", false),
    ("hw?", "hwa", true),
    ("hw?", "hw", false),
    ("hw?", "hwab", false),
    ("hw?", "hwé", true),
    ("node[0-9]", "node7", true),
    ("node[0-9]", "nodeX", false),
    ("node[!0-9]", "node7", false),
    ("node[!0-9]", "nodeX", true),
    ("node[^0-9]", "nodeX", true),
    ("node[]x]", "node]", true),
    ("node[", "node[", true),
    ("node[", "node[.a", true),
    ("a*b*c", "aXXbYYc", true),
    ("a*b*c", "aXXbYY", false),
    ("tokio", "tokio", true),
    ("tokio", "tokio.runtime", true),
    ("tokio", "tokio_util", false),
    ("tokio", "tokiox", false),
    ("Tokio", "tokio", false),
    ("hw.ip%", "hw.ip%", true),
    ("hw.ip%", "hw.ipmi", false),
    ("hw_ipmi", "hwXipmi", false),
    ("hw\\ipmi", "hw\\ipmi", true),
    ("hw.*", "hw.bios", true),
    ("hw.*", "hw", false),
    ("hw*", "hw", true),
    ("hw*", "hwx.y", true),
    ("barpat.*.ipmi", "barpat.rack1.ipmi", true),
    ("barpat.*.ipmi", "barpat.rack1.bmc", false),
    ("ünï.*", "ünï.cödé", true),
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table() {
        for &(p, s, want) in CASES {
            assert_eq!(ComponentPattern::new(p).matches(s), want, "{p} vs {s}");
        }
    }

    #[test]
    fn worst_case_is_bounded() {
        let p = ComponentPattern::new(&"*a".repeat(100));
        let s = "a".repeat(10_000) + "b";
        assert!(!p.matches(&s));
    }
}
