//! Full-text search of messages: the one tokeniser and matcher of the embedded store.
//!
//! A message's words are its runs of letters and digits (Unicode), lowercased, with
//! diacritics removed (`Köln` is `koln`; `ß` stays `ß`), as SQLite FTS5's `unicode61
//! remove_diacritics 2` tokeniser (which this store used before its block format) splits
//! them. A query's text is split at whitespace; each piece must occur as a phrase (its words
//! one after the other: `node-7` is `node` then `7`); a piece ending in `*` matches its last
//! word as a prefix. Text with no word at all (only punctuation or symbols) is searched as a
//! case-sensitive substring instead.
use unicode_normalization::char::{decompose_canonical, is_combining_mark};

/// Calls `f` with each word of `text`, folded as described in the module docs.
pub(crate) fn for_each_word(text: &str, mut f: impl FnMut(&str)) {
    let mut word = String::new();
    let mut flush = |w: &mut String| {
        if !w.is_empty() {
            f(w);
            w.clear();
        }
    };
    for c in text.chars() {
        if c.is_ascii() {
            if c.is_ascii_alphanumeric() {
                word.push(c.to_ascii_lowercase());
            } else {
                flush(&mut word);
            }
            continue;
        }
        let mut end = false;
        decompose_canonical(c, |d| {
            if is_combining_mark(d) {
                // Part of the word, and dropped.
            } else if d.is_alphanumeric() {
                word.extend(d.to_lowercase());
            } else {
                end = true;
            }
        });
        if end {
            flush(&mut word);
        }
    }
    flush(&mut word);
}

/// The words of `text`.
pub(crate) fn words(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    for_each_word(text, |w| out.push(w.to_string()));
    out
}

/// One piece of a query: words that must follow each other.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Phrase {
    pub words: Vec<String>,
    /// The last word matches as a prefix.
    pub prefix: bool,
}

/// What a query's text asks for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum TextQuery {
    /// Every phrase must occur.
    Phrases(Vec<Phrase>),
    /// The text must occur as it is.
    Substring(String),
}

impl TextQuery {
    /// The query for `text`, or `None` when it is blank (no condition).
    pub(crate) fn new(text: &str) -> Option<TextQuery> {
        if text.trim().is_empty() {
            return None;
        }
        let mut phrases = Vec::new();
        for piece in text.split_whitespace() {
            let stem = piece.trim_end_matches('*');
            let words = words(stem);
            if words.is_empty() {
                continue;
            }
            phrases.push(Phrase {
                words,
                prefix: stem.len() != piece.len(),
            });
        }
        Some(if phrases.is_empty() {
            TextQuery::Substring(text.trim().to_string())
        } else {
            TextQuery::Phrases(phrases)
        })
    }

    /// The words a message must contain whole (for a bloom filter): every word but a
    /// prefix phrase's last.
    pub(crate) fn required_words(&self) -> Vec<&str> {
        match self {
            TextQuery::Substring(_) => Vec::new(),
            TextQuery::Phrases(ps) => ps
                .iter()
                .flat_map(|p| {
                    let whole = p.words.len() - usize::from(p.prefix);
                    p.words[..whole].iter().map(String::as_str)
                })
                .collect(),
        }
    }

    /// Whether a message of log type `logtype` ([`crate::block::message`]) may match:
    /// `false` only when none can.
    pub(crate) fn may_match_logtype(&self, logtype: &str) -> bool {
        match self {
            TextQuery::Substring(_) => true,
            TextQuery::Phrases(ps) => ps.iter().all(|p| {
                let last = p.words.len() - 1;
                p.words.iter().enumerate().all(|(i, w)| {
                    crate::block::message::may_hold(logtype, w, p.prefix && i == last)
                })
            }),
        }
    }

    /// Whether `message` matches.
    pub(crate) fn matches(&self, message: &str) -> bool {
        match self {
            TextQuery::Substring(s) => message.contains(s.as_str()),
            TextQuery::Phrases(ps) => {
                // Most messages are ASCII and most do not match: a word that does not occur
                // as a substring cannot occur as a word, and this test allocates nothing.
                if message.is_ascii() {
                    let m = message.as_bytes();
                    let absent =
                        |w: &String| w.is_ascii() && !contains_ignore_case(m, w.as_bytes());
                    if ps.iter().any(|p| p.words.iter().any(absent)) {
                        return false;
                    }
                }
                let words = words(message);
                ps.iter().all(|p| phrase_in(p, &words))
            }
        }
    }
}

/// Whether `hay` contains `needle` (lowercase ASCII, not empty) in any letter case.
pub(crate) fn contains_ignore_case(hay: &[u8], needle: &[u8]) -> bool {
    let (first, rest) = match needle.split_first() {
        Some(x) => x,
        None => return true,
    };
    let upper = first.to_ascii_uppercase();
    let mut from = 0;
    while let Some(at) = memchr::memchr2(*first, upper, &hay[from..]) {
        let start = from + at + 1;
        match hay.get(start..start + rest.len()) {
            Some(w) if w.eq_ignore_ascii_case(rest) => return true,
            Some(_) => from = start,
            None => return false,
        }
    }
    false
}

fn phrase_in(p: &Phrase, words: &[String]) -> bool {
    let k = p.words.len();
    if words.len() < k {
        return false;
    }
    (0..=words.len() - k).any(|i| {
        p.words.iter().enumerate().all(|(j, w)| {
            if p.prefix && j == k - 1 {
                words[i + j].starts_with(w.as_str())
            } else {
                words[i + j] == *w
            }
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_fold_case_and_diacritics() {
        assert_eq!(
            words("Köln GRÜẞE node-7 10.0.0.1"),
            ["koln", "gruße", "node", "7", "10", "0", "0", "1"]
        );
        assert_eq!(
            words("Ko\u{308}ln 日本語 🚀 a_b"),
            ["koln", "日本語", "a", "b"]
        );
        assert!(words("-- *** ").is_empty());
    }

    #[test]
    fn queries_match_like_fts5() {
        let q = |t: &str| TextQuery::new(t).unwrap();
        assert!(q("fan").matches("Fan speed 1200 rpm"));
        assert!(q("FAN speed").matches("speed of the fan"));
        assert!(q("fa*").matches("fancy"));
        assert!(!q("fa").matches("fancy"));
        assert!(q("node-7").matches("host node-7 down"));
        assert!(!q("node-7").matches("node 8 and 7"));
        assert!(q("node-7*").matches("node-77"));
        assert!(q("koln gruße").matches("Grüße aus Köln"));
        assert!(!q("GRÜSSE").matches("Grüße"));
        assert!(q("🚀").matches("launch 🚀 now"));
        assert!(!q("🚀").matches("launch"));
        assert_eq!(TextQuery::new("  "), None);
        assert_eq!(q("node-7 fa*").required_words(), ["node", "7"]);
    }
}
