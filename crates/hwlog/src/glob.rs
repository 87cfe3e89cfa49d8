//! Component name patterns.
//!
//! `*` matches any run of characters (dots included), `?` one character, `[abc]`, `[a-z]` and
//! `[!x]` a character class. A pattern without wildcards matches the name itself and its
//! children: `hyper` matches `hyper` and `hyper.client.pool`, not `hyperion`.
//!
//! ```
//! use hwlog::glob::Glob;
//! assert!(Glob::new("hwautomation.*.ipmi").matches("hwautomation.hardware.ipmi"));
//! assert!(Glob::new("hyper").matches("hyper.client"));
//! assert!(!Glob::new("hyper").matches("hyperion"));
//! assert!(Glob::new("*").matches("anything.at.all"));
//! ```

/// A compiled component pattern.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Glob {
    pattern: String,
    literal: bool,
}

impl Glob {
    /// Compiles a pattern. Every string is a valid pattern; an unclosed `[` matches itself.
    pub fn new(pattern: &str) -> Glob {
        Glob {
            pattern: pattern.to_string(),
            literal: !pattern.contains(['*', '?', '[']),
        }
    }

    /// The pattern text.
    pub fn as_str(&self) -> &str {
        &self.pattern
    }

    /// Count of literal characters; more means more specific.
    pub fn specificity(&self) -> usize {
        self.pattern
            .chars()
            .filter(|c| !matches!(c, '*' | '?'))
            .count()
    }

    /// Whether `name` matches.
    pub fn matches(&self, name: &str) -> bool {
        if self.literal {
            return name == self.pattern
                || (name.len() > self.pattern.len()
                    && name.starts_with(&self.pattern)
                    && name.as_bytes()[self.pattern.len()] == b'.');
        }
        wildcard(self.pattern.as_bytes(), name.as_bytes())
    }
}

/// Matches a class at the start of `p` against byte `c`; returns (matched, class length).
fn class(p: &[u8], c: u8) -> Option<(bool, usize)> {
    let close = p.iter().skip(2).position(|&b| b == b']')? + 2;
    let body = &p[1..close];
    let (neg, body) = match body.first() {
        Some(b'!') | Some(b'^') => (true, &body[1..]),
        _ => (false, body),
    };
    let mut hit = false;
    let mut i = 0;
    while i < body.len() {
        if i + 2 < body.len() && body[i + 1] == b'-' {
            hit |= body[i] <= c && c <= body[i + 2];
            i += 3;
        } else {
            hit |= body[i] == c;
            i += 1;
        }
    }
    Some((hit != neg, close + 1))
}

/// Iterative wildcard matching with single-star backtracking (linear in practice).
fn wildcard(p: &[u8], s: &[u8]) -> bool {
    let (mut pi, mut si) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while si < s.len() {
        if pi < p.len() {
            match p[pi] {
                b'*' => {
                    while pi < p.len() && p[pi] == b'*' {
                        pi += 1;
                    }
                    star = Some((pi, si));
                    continue;
                }
                b'?' => {
                    pi += 1;
                    si += 1;
                    continue;
                }
                b'[' => {
                    if let Some((ok, len)) = class(&p[pi..], s[si]) {
                        if ok {
                            pi += len;
                            si += 1;
                            continue;
                        }
                    } else if s[si] == b'[' {
                        pi += 1;
                        si += 1;
                        continue;
                    }
                }
                c if c == s[si] => {
                    pi += 1;
                    si += 1;
                    continue;
                }
                _ => {}
            }
        }
        match star {
            Some((sp, ss)) => {
                pi = sp;
                si = ss + 1;
                star = Some((sp, ss + 1));
            }
            None => return false,
        }
    }
    p[pi..].iter().all(|&b| b == b'*')
}

#[cfg(test)]
mod tests {
    use super::Glob;

    #[test]
    fn patterns() {
        let cases = [
            ("hwautomation.*.ipmi", "hwautomation.hardware.ipmi", true),
            ("hwautomation.*.ipmi", "hwautomation.a.b.ipmi", true),
            ("hwautomation.*.ipmi", "hwautomation.ipmi", false),
            ("*", "", true),
            ("*.ipmi", "x.ipmi", true),
            ("*.ipmi", "x.ipmi.y", false),
            ("hw?", "hwa", true),
            ("hw?", "hw", false),
            ("node[0-9]", "node7", true),
            ("node[!0-9]", "node7", false),
            ("node[", "node[", true),
            ("a*b*c", "aXXbYYc", true),
            ("a*b*c", "aXXbYY", false),
            ("tokio", "tokio.runtime", true),
            ("tokio", "tokio_util", false),
        ];
        for (p, s, want) in cases {
            assert_eq!(Glob::new(p).matches(s), want, "{p} vs {s}");
        }
    }
}
