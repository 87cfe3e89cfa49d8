//! Phrase rules: a pattern that ends where a secret begins (`enable secret `,
//! `machine h login u password `, `net user NAME `), and how the value is taken.

use super::keys::{is_stopword, tokens};
pub(super) use super::kind::Kind;
use super::shapes::symbolic;
use super::tools::push_value;
use super::values::{find_close, not_secret, parse_value, token_end};
use super::{count_while, is_blank, span, Class, Redactor};

/// All rules: phrases and token shapes, each with its needles.
pub(super) fn table() -> Vec<(&'static str, Kind, &'static str)> {
    assert_eq!(
        super::phrases::PHRASES.len(),
        super::phrases::PHRASE_NEEDLES.len()
    );
    assert_eq!(
        super::tokens::TOKENS.len(),
        super::tokens::TOKEN_NEEDLES.len()
    );
    super::phrases::PHRASES
        .iter()
        .chain(super::tokens::TOKENS)
        .zip(
            super::phrases::PHRASE_NEEDLES
                .iter()
                .chain(super::tokens::TOKEN_NEEDLES),
        )
        .map(|(&(p, k), &n)| (p, k, n))
        .collect()
}

/// Apply one match of a rule; returns the position up to which later matches of the
/// same rule are ignored.
pub(super) fn apply_rule(
    r: &Redactor,
    kind: Kind,
    text: &str,
    ms: usize,
    me: usize,
    spans: &mut Vec<(usize, usize)>,
) -> usize {
    let b = text.as_bytes();
    match kind {
        Kind::Value => value_at(text, me, false, spans),
        Kind::Shaped => value_at(text, me, true, spans),
        Kind::Positional(n, args) => match skip_words(b, me, n, args) {
            Some(p) if b[p] != b'/' => value_at(text, p, false, spans),
            _ => me,
        },
        Kind::NotPair => match skip_words(b, me, 0, &[]) {
            Some(p) if !b[p..token_end(b, p)].contains(&b'=') => value_at(text, p, false, spans),
            _ => me,
        },
        Kind::Whole => {
            spans.push((ms, me));
            me
        }
        Kind::LastRun => {
            let s = b[ms..me]
                .iter()
                .rposition(|c| c.is_ascii_whitespace())
                .map_or(ms, |i| ms + i + 1);
            spans.extend(span(s, me));
            me
        }
        Kind::After(n) => {
            spans.extend(span(ms + n, me));
            me
        }
        // `hooks.slack.com/services/XXXXXXXXX/XXXXXXXXX/XXXX…`: a documentation mask.
        Kind::Url
            if b[ms..me].len() >= 8
                && b[me - 8..me]
                    .iter()
                    .all(|&c| matches!(c, b'X' | b'x' | b'*' | b'/')) =>
        {
            me
        }
        Kind::Url => {
            let mut s = ms;
            while s > 0 && (b[s - 1].is_ascii_alphanumeric() || b".-".contains(&b[s - 1])) {
                s -= 1;
            }
            if s >= 3 && &b[s - 3..s] == b"://" {
                s -= 3;
                while s > 0 && b[s - 1].is_ascii_alphabetic() {
                    s -= 1;
                }
            }
            spans.push((s, me));
            me
        }
        Kind::Bearer => {
            let s = ms + 6 + count_while(b, ms + 6, is_blank);
            // `Bearer ${GITHUB_TOKEN}`, `Bearer $TOKEN`: a reference. `token_type=Bearer
            // expires_in=3600`: the next pair, not a token (a token's `=` pads its end).
            let pair = b[s..me].windows(2).any(|x| x[0] == b'=' && x[1] != b'=');
            spans.extend(span(s, me).filter(|_| !pair && !not_secret(&text[s..me], b"")));
            me
        }
        Kind::Tail(n) => value_at(text, me.saturating_sub(n), false, spans),
        Kind::CloudKey => {
            let s = if b[ms..].starts_with(b"AC") && !b[ms..].starts_with(b"ACCA") {
                me.saturating_sub(32).max(ms)
            } else {
                ms
            };
            spans.push((s, me));
            me
        }
        Kind::Last(n) => {
            spans.extend(span(me.saturating_sub(n).max(ms), me));
            me
        }
        Kind::UntilAt => {
            let e = me + count_while(b, me, |c| !c.is_ascii_whitespace() && !b"@\"'".contains(&c));
            spans.extend(span(me, e).filter(|_| !not_secret(&text[me..e], b"")));
            e
        }
        Kind::Pem => super::tokens::pem(text, ms, me, spans),
        Kind::Echo => super::tokens::echo(text, me, spans),
        Kind::Htpasswd => htpasswd(text, me, spans),
        Kind::RedisAcl => {
            // MONITOR output quotes every argument: "ACL" "SETUSER" "u" "on" ">pw".
            let quoted = b[ms] == b'"';
            let end = me
                + count_while(b, me, |c| {
                    c != b'\n' && (quoted || (c != b'"' && c != b'\''))
                });
            let mut i = me;
            while i < end {
                i += count_while(b, i, is_blank);
                let q = usize::from(quoted && b.get(i) == Some(&b'"'));
                let mut e = (i + count_while(b, i, |c| !c.is_ascii_whitespace())).min(end);
                if q == 1 && e > i + 1 && b[e - 1] == b'"' {
                    e -= 1;
                }
                if matches!(b.get(i + q), Some(b'>' | b'<')) {
                    spans.extend(span(i + q + 1, e));
                }
                i = e.max(i + 1);
            }
            end
        }
        Kind::QuotedArgs => {
            let mut i = me;
            loop {
                i += count_while(b, i, is_blank);
                if b.get(i) != Some(&b'"') {
                    return i;
                }
                let (ce, after) = find_close(b, i + 1, b'"', 0);
                spans.extend(span(i + 1, ce));
                i = after;
            }
        }
        Kind::Resp => {
            // ($N\r\nVALUE\r\n)* with literal backslash escapes
            let mut i = me;
            while b.get(i) == Some(&b'$') {
                let d = count_while(b, i + 1, |c| c.is_ascii_digit());
                let vs = i + 1 + d;
                if d == 0 || !b[vs..].starts_with(b"\\r\\n") {
                    break;
                }
                let vs = vs + 4;
                let ve = vs + count_while(b, vs, |c| c != b'\\' && c != b'\'' && c != b'"');
                spans.extend(span(vs, ve));
                if !b[ve..].starts_with(b"\\r\\n") {
                    return ve;
                }
                i = ve + 4;
            }
            i
        }
        Kind::SecondArg => {
            let mut i = me;
            if let Some(&q @ (b'"' | b'\'')) = b.get(i) {
                i = find_close(b, i + 1, q, 0).1;
            } else {
                i += count_while(b, i, |c| c != b',' && c != b')' && c != b'\n');
            }
            i += count_while(b, i, is_blank);
            if b.get(i) != Some(&b',') {
                return i;
            }
            i += 1 + count_while(b, i + 1, is_blank);
            value_at(text, i, false, spans)
        }
        Kind::Setting => setting(r, text, me, spans),
        Kind::Bootstrap => {
            if b[ms + 7..me].iter().any(u8::is_ascii_digit) {
                spans.push((ms, me));
            }
            me
        }
        Kind::LastArg => {
            // (within 256 bytes: the scan stays linear)
            let limit = b.len().min(me + 256);
            let (mut i, mut last) = (me, None);
            while i < limit {
                match b[i] {
                    q @ (b'"' | b'\'') => {
                        let (ce, resume) = find_close(b, i + 1, q, 0);
                        last = Some((i + 1, ce));
                        i = resume.max(i + 1);
                    }
                    b')' | b']' | b'\n' => break,
                    _ => i += 1,
                }
            }
            if let Some((s, e)) = last.filter(|&(s, e)| e > s && !not_secret(&text[s..e], b"")) {
                spans.push((s, e));
            }
            i
        }
        Kind::Pin => {
            // 6–8 digits, or groups of letters and digits joined by `-` with a digit.
            let e = me + count_while(b, me, |c| c.is_ascii_alphanumeric() || c == b'-');
            let e = e - b[me..e].iter().rev().take_while(|&&c| c == b'-').count();
            let w = &b[me..e];
            let digits = w.iter().all(u8::is_ascii_digit) && (6..=8).contains(&w.len());
            let groups = w.contains(&b'-')
                && w.len() >= 8
                && w.iter().any(u8::is_ascii_digit)
                && w.split(|&c| c == b'-').all(|g| (3..=8).contains(&g.len()));
            if digits || groups {
                spans.push((me, e));
            }
            e.max(me)
        }
        Kind::Phrase => {
            let e = me + count_while(b, me, |c| c.is_ascii_alphanumeric() || c == b'-');
            let w = &b[me..e];
            let words = w.split(|&c| c == b'-').filter(|p| !p.is_empty()).count();
            let letters = w.iter().filter(|c| c.is_ascii_alphabetic()).count();
            // (not a host name or a path: `vault-prod-01.corp`, `bmc-pw-store/x`)
            let name = matches!(b.get(e), Some(b'.' | b'/'))
                && b.get(e + 1).is_some_and(u8::is_ascii_alphanumeric);
            if words >= 3 && letters >= 8 && !name {
                spans.push((me, e));
            }
            e.max(me)
        }
        Kind::LastWord => {
            let end = ms + b[ms..me].trim_ascii_end().len();
            let start = b[ms..end]
                .iter()
                .rposition(|c| c.is_ascii_whitespace())
                .map_or(ms, |i| ms + i + 1);
            value_at(text, start, false, spans).max(me)
        }
        Kind::UserinfoPass => {
            let m = &b[ms..me];
            // With a scheme (`https://KEY@sentry`) the whole userinfo, else after `user:`.
            let colon = match m.windows(3).position(|w| w == b"://") {
                Some(i) => Some(i + 2),
                None => m.iter().position(|&c| c == b':'),
            };
            if let (Some(c), Some(a)) = (colon, m.iter().rposition(|&c| c == b'@')) {
                if !b[ms + c + 1..ms + a].iter().all(u8::is_ascii_digit) {
                    spans.extend(span(ms + c + 1, ms + a));
                }
            }
            me
        }
    }
}

/// Take the value at `p` unless it is a flag, a reference, a placeholder, a stopword
/// or (for `shaped`) not shaped like a generated secret.
fn value_at(text: &str, p: usize, shaped_only: bool, spans: &mut Vec<(usize, usize)>) -> usize {
    let b = text.as_bytes();
    // `$VAR` is a reference; `$c$3$…`, `$1c$…$` (crypt-style encodings) are values.
    let crypt = b.get(p) == Some(&b'$') && {
        let n = count_while(b, p + 1, |c| c.is_ascii_alphanumeric());
        (1..=8).contains(&n) && b.get(p + 1 + n) == Some(&b'$')
    };
    if p >= b.len()
        || (!crypt
            && matches!(
                b[p],
                b'-' | b'<' | b'$' | b'\n' | b'\r' | b'|' | b'>' | b'=' | b':'
            ))
    {
        return p;
    }
    // `enable secret 0 &88nMGHL@4w*gh6P`: a device secret may start with `&`; a crypt-style
    // one (`$1a$uqE{JvS,cy}…$`) holds any punctuation: both run to the next blank.
    if b.get(p) == Some(&b'&') || crypt {
        let e = p + count_while(b, p, |c| !c.is_ascii_whitespace());
        spans.extend(span(p, e));
        return e;
    }
    let (s, resume) = parse_value(text, p, None);
    let Some((s, e)) = s else {
        return resume;
    };
    let word = &text[s..e];
    let quoted = s > p;
    if is_stopword(word) && !quoted {
        return resume;
    }
    let wb = word.as_bytes();
    // `invalid password attempts=5`: the next pair (a lower-case name before `=`), not a
    // value (`Yzdq3l1=R6XU` is one).
    if !quoted {
        let k = wb
            .iter()
            .take_while(|c| c.is_ascii_lowercase() || b"_.".contains(c))
            .count();
        if k >= 3 && wb.get(k) == Some(&b'=') && wb.get(k + 1).is_some_and(|&c| c != b'=') {
            return resume;
        }
    }
    // `get secret bmc-node07`, `password secret/bmc/r12u07`: lower-case names and paths.
    if shaped_only
        && !(super::shapes::prose_value(wb) || symbolic(wb) || super::shapes::generated(wb, true))
    {
        return resume;
    }
    spans.push((s, e));
    resume
}

/// Skip flags (and the argument of `args` flags) and `n` positional words from `p`;
/// returns where the next word starts, on the same line.
fn skip_words(b: &[u8], mut p: usize, mut n: u8, args: &[&str]) -> Option<usize> {
    loop {
        p += count_while(b, p, is_blank);
        if p >= b.len() || matches!(b[p], b'\n' | b'\r') {
            return None;
        }
        let e = word_end(b, p);
        if b[p] == b'-' && e > p + 1 {
            let flag = std::str::from_utf8(&b[p..e]).ok()?;
            p = e;
            if args.contains(&flag) {
                p += count_while(b, p, is_blank);
                p = word_end(b, p);
            }
            continue;
        }
        if n == 0 {
            return Some(p);
        }
        n -= 1;
        p = e;
    }
}

/// End of a (possibly quoted) word.
fn word_end(b: &[u8], p: usize) -> usize {
    match b.get(p) {
        Some(&q @ (b'"' | b'\'')) => find_close(b, p + 1, q, 0).1,
        _ => p + count_while(b, p, |c| !c.is_ascii_whitespace()),
    }
}

fn htpasswd(text: &str, me: usize, spans: &mut Vec<(usize, usize)>) -> usize {
    let b = text.as_bytes();
    let mut letters = Vec::new();
    let mut pos = Vec::new();
    let mut p = me;
    while pos.len() < 3 {
        p += count_while(b, p, is_blank);
        if p >= b.len() || matches!(b[p], b'\n' | b'\r' | b'|' | b';' | b'&' | b'>' | b'<') {
            break;
        }
        let e = word_end(b, p);
        if b[p] == b'-' && pos.is_empty() {
            letters.extend_from_slice(&b[p + 1..e]);
            if &b[p..e] == b"-C" {
                p = word_end(b, e + count_while(b, e, is_blank));
                continue;
            }
        } else {
            pos.push(p);
        }
        p = e;
    }
    if !letters.contains(&b'b') {
        return p;
    }
    let want = if letters.contains(&b'n') { 1 } else { 2 };
    match pos.get(want) {
        Some(&v) => value_at(text, v, false, spans),
        None => p,
    }
}

/// `set KEY VALUE`: the key must be a setting name (dotted, underscored, camelCase)
/// and sensitive.
fn setting(r: &Redactor, text: &str, me: usize, spans: &mut Vec<(usize, usize)>) -> usize {
    let b = text.as_bytes();
    let ke = me + count_while(b, me, |c| !c.is_ascii_whitespace() && c != b'=');
    if ke == me || !b.get(ke).is_some_and(|c| is_blank(*c)) {
        return me;
    }
    let key = &text[me..ke];
    let compound = key.bytes().any(|c| b"._-:/".contains(&c))
        || key
            .as_bytes()
            .windows(2)
            .any(|w| w[0].is_ascii_lowercase() && w[1].is_ascii_uppercase());
    let last = key.rsplit([':', '/']).next().unwrap_or(key);
    if !compound || tokens(last).is_empty() {
        return me;
    }
    match r.classify(last) {
        Some(Class::Plain | Class::Auth | Class::Authz) => {
            let v = ke + count_while(b, ke, is_blank);
            if b.get(v) == Some(&b'-') {
                return v;
            }
            push_value(text, v, spans)
        }
        _ => me,
    }
}
