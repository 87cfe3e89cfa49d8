//! Splitting one message into tokens and masking the variable ones.
//!
//! A message is split at whitespace; inside a word, brackets, braces, parentheses, commas,
//! semicolons and double quotes become tokens of their own, and `key=value` splits after the
//! `=`. Each token is then masked:
//!
//! - numbers (also signed, with a comparator such as `<1`, with a unit such as `250ms`, `1.5s`,
//!   `10KB`, `99%`), hex, IPv4 and IPv6 addresses (with ports), MAC addresses, UUIDs, dates,
//!   times, versions: the whole token becomes `<*>`;
//! - file paths (`/…`, `./…`, `~/…`, `C:\…`) and URLs (`scheme://…`): `<*>`;
//! - any other token with digits keeps its letters and punctuation and masks its digit runs
//!   (`node-12` → `node-<*>`, `blk_-42` → `blk_<*>`, `eth0` → `eth<*>`);
//! - a number followed by a unit word (`403 bytes`, `1.5 s`, `250 ms`) is one variable, and a
//!   parenthesised variable right after a variable (`1190 bytes (1.16 KB)`) belongs to it.
//!
//! Tokens without digits (words) are kept as they are: whether a word is a variable is decided
//! by the miner from what it sees, not by the mask.

/// The wildcard that stands for a variable in a template.
pub const WILDCARD: &str = "<*>";

/// One token: where it is in the message and its masked text in the scratch buffer.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Token {
    /// Byte range in the (truncated) message.
    pub start: u32,
    pub end: u32,
    /// Byte range of the masked text in [`Tokens::masked`].
    pub m_start: u32,
    pub m_end: u32,
    /// The whole token is a variable.
    pub wild: bool,
}

/// The tokens of one message (reused between messages to avoid allocation).
#[derive(Default, Debug)]
pub(crate) struct Tokens {
    pub toks: Vec<Token>,
    /// The masked tokens, each followed by `\x1f`.
    pub masked: String,
    /// Whether `masked` no longer lists exactly `toks` (tokens were joined or re-masked), so
    /// it cannot serve as the lookup key as it is.
    pub dirty: bool,
}

impl Tokens {
    /// The masked text of token `i`.
    pub fn text(&self, i: usize) -> &str {
        let t = &self.toks[i];
        &self.masked[t.m_start as usize..t.m_end as usize]
    }
}

/// Byte classes for the tokenizer's one pass.
const WS: u8 = 1;
const DELIM: u8 = 2;
const EQ: u8 = 4;
const DIGIT: u8 = 8;
const PATH: u8 = 16;

static CLASS: [u8; 256] = {
    let mut t = [0u8; 256];
    let mut i = 0;
    while i < 256 {
        let c = i as u8;
        t[i] = if c.is_ascii_whitespace() {
            WS
        } else if matches!(
            c,
            b'(' | b')' | b'[' | b']' | b'{' | b'}' | b',' | b';' | b'"'
        ) {
            DELIM
        } else if c == b'=' {
            EQ
        } else if c.is_ascii_digit() {
            DIGIT
        } else if matches!(c, b'/' | b':' | b'\\') {
            PATH
        } else {
            0
        };
        i += 1;
    }
    t
};

/// Unit words that make `<number> <unit>` one variable.
fn is_unit(w: &str) -> bool {
    w.len() <= 7
        && matches!(
            w,
            "B" | "b"
                | "bytes"
                | "byte"
                | "KB"
                | "kB"
                | "KiB"
                | "MB"
                | "MiB"
                | "GB"
                | "GiB"
                | "TB"
                | "ms"
                | "us"
                | "µs"
                | "ns"
                | "s"
                | "sec"
                | "secs"
                | "second"
                | "seconds"
                | "min"
                | "mins"
                | "minute"
                | "minutes"
                | "h"
                | "hr"
                | "hrs"
                | "hour"
                | "hours"
                | "days"
                | "%"
        )
}

/// Splits `msg` into `out`, masking variables. `collapse` merges runs of adjacent variables
/// into one.
///
/// Only the bytes that matter (whitespace, delimiters, `=`, digits, `/ : \\`) are visited:
/// [`special16`] finds them sixteen bytes at a time.
pub(crate) fn tokenize(msg: &str, out: &mut Tokens, collapse: bool) {
    out.toks.clear();
    out.masked.clear();
    out.dirty = false;
    let b = msg.as_bytes();
    let n = b.len();
    let mut st = Scan {
        tok_start: 0,
        seen: 0,
        skip_to: 0,
    };
    let mut block = 0;
    while block < n {
        let (bound, digit, path) = if block + 16 <= n {
            special16(b[block..block + 16].try_into().expect("16 bytes"))
        } else {
            scalar_masks(&b[block..])
        };
        // Digits and path characters are not visited one by one: their bits are or-ed
        // into the current token's classes a range at a time.
        let mut from = 0u32;
        let take = |st: &mut Scan, hi: u32, from: u32| {
            let lo = from.max(st.skip_to.saturating_sub(block).min(16) as u32);
            if lo < hi {
                let range = ((1u32 << hi) - 1) & !((1u32 << lo) - 1);
                if digit & range != 0 {
                    st.seen |= DIGIT;
                }
                if path & range != 0 {
                    st.seen |= PATH;
                }
            }
        };
        let mut m = bound;
        while m != 0 {
            let j = m.trailing_zeros();
            m &= m - 1;
            take(&mut st, j, from);
            st.byte(msg, block + j as usize, out);
            from = j + 1;
        }
        take(&mut st, 16, from);
        block += 16;
    }
    if st.tok_start < n {
        push(msg, st.tok_start, n, st.seen, out);
    }
    post_process(msg, out, collapse);
}

/// The tokenizer's state between special bytes.
struct Scan {
    /// Where the current token started (or starts, if no byte of it was seen yet).
    tok_start: usize,
    /// Byte classes seen in the current token.
    seen: u8,
    /// Bytes before this were consumed by a look-ahead.
    skip_to: usize,
}

impl Scan {
    /// Handles the special byte at `i`.
    fn byte(&mut self, msg: &str, i: usize, out: &mut Tokens) {
        if i < self.skip_to {
            return;
        }
        let b = msg.as_bytes();
        let k = CLASS[b[i] as usize];
        match k {
            WS | DELIM => {
                if self.tok_start < i {
                    push(msg, self.tok_start, i, self.seen, out);
                }
                if b[i] == b'[' {
                    // `[2001:db8::1]:8443`: a bracketed IPv6 address is one value.
                    if let Some(end) = bracketed_ipv6(b, i) {
                        push_wild(i, end, out);
                        self.tok_start = end;
                        self.skip_to = end;
                        self.seen = 0;
                        return;
                    }
                }
                if k == DELIM {
                    push(msg, i, i + 1, 0, out);
                    // `()`, `[]`, `""`: an empty value.
                    if i + 1 < b.len() && is_empty_pair(b[i], b[i + 1]) {
                        push_empty(i + 1, out);
                    }
                }
                self.tok_start = i + 1;
                self.seen = 0;
            }
            EQ => {
                // `=`: `key=value` splits after it; `==`, a leading `=` and `a=` at the end
                // of a word (which gets an empty value) do not.
                let in_tok = self.tok_start < i;
                if !in_tok || b[i - 1] == b'=' {
                    return;
                }
                let next = b.get(i + 1).map_or(WS, |&c| CLASS[c as usize]);
                if next & (WS | DELIM) != 0 {
                    push(msg, self.tok_start, i + 1, self.seen, out);
                    push_empty(i + 1, out);
                } else if b[i + 1] != b'=' {
                    push(msg, self.tok_start, i + 1, self.seen, out);
                } else {
                    return;
                }
                self.tok_start = i + 1;
                self.seen = 0;
            }
            // Control characters other than whitespace belong to the token.
            _ => {}
        }
    }
}

/// [`special16`] for fewer than sixteen bytes.
fn scalar_masks(p: &[u8]) -> (u32, u32, u32) {
    let (mut bound, mut digit, mut path) = (0, 0, 0);
    for (j, &c) in p.iter().enumerate() {
        let k = CLASS[c as usize];
        if k & (WS | DELIM | EQ) != 0 {
            bound |= 1 << j;
        } else if k == DIGIT {
            digit |= 1 << j;
        } else if k == PATH {
            path |= 1 << j;
        }
    }
    (bound, digit, path)
}

/// Three bit masks over the 16 bytes of `p`: bytes that may end a token (at most 0x20, a
/// delimiter or `=`), digits, and path characters (`/ : \\`).
#[cfg(target_arch = "x86_64")]
fn special16(p: &[u8; 16]) -> (u32, u32, u32) {
    use std::arch::x86_64::*;
    // SAFETY: SSE2 is part of the x86_64 baseline; the load is unaligned and reads exactly
    // the 16 bytes of `p`.
    unsafe {
        let v = _mm_loadu_si128(p.as_ptr().cast());
        let set = |c: u8| _mm_set1_epi8(c as i8);
        let eq = |x: __m128i, c: u8| _mm_cmpeq_epi8(x, set(c));
        let low = _mm_cmpeq_epi8(_mm_min_epu8(v, set(0x20)), v);
        let d = _mm_sub_epi8(v, set(b'0'));
        let digit = _mm_cmpeq_epi8(_mm_min_epu8(d, set(9)), d);
        let paren = eq(_mm_and_si128(v, set(0xfe)), b'(');
        let v_df = _mm_and_si128(v, set(0xdf));
        let brackets = _mm_or_si128(eq(v_df, b'['), eq(v_df, b']'));
        let punct = _mm_or_si128(
            _mm_or_si128(eq(v, b','), eq(v, b';')),
            _mm_or_si128(eq(v, b'"'), eq(v, b'=')),
        );
        let bound = _mm_or_si128(_mm_or_si128(low, punct), _mm_or_si128(paren, brackets));
        let path = _mm_or_si128(_mm_or_si128(eq(v, b'/'), eq(v, b':')), eq(v, b'\\'));
        (
            _mm_movemask_epi8(bound) as u32,
            _mm_movemask_epi8(digit) as u32,
            _mm_movemask_epi8(path) as u32,
        )
    }
}

#[cfg(not(target_arch = "x86_64"))]
fn special16(p: &[u8; 16]) -> (u32, u32, u32) {
    scalar_masks(p)
}

fn push(msg: &str, start: usize, end: usize, seen: u8, out: &mut Tokens) {
    let word = &msg[start..end];
    let m_start = out.masked.len();
    let wild = mask(word, seen, out);
    out.toks.push(Token {
        start: start as u32,
        end: end as u32,
        m_start: m_start as u32,
        m_end: out.masked.len() as u32,
        wild,
    });
    out.masked.push('\u{1f}');
}

/// The end of `[v6-address]` or `[v6-address]:port` starting at `open`, if that is what is
/// there.
fn bracketed_ipv6(b: &[u8], open: usize) -> Option<usize> {
    let inner = &b[open + 1..];
    let close = inner.iter().position(|&c| c == b']')?;
    let addr = &inner[..close];
    if addr.len() < 2
        || addr.iter().filter(|&&c| c == b':').count() < 2
        || !addr
            .iter()
            .all(|c| c.is_ascii_hexdigit() || matches!(c, b':' | b'.' | b'%'))
    {
        return None;
    }
    let mut end = open + 1 + close + 1;
    if b.get(end) == Some(&b':') && b.get(end + 1).is_some_and(u8::is_ascii_digit) {
        end += 1;
        while b.get(end).is_some_and(u8::is_ascii_digit) {
            end += 1;
        }
    }
    Some(end)
}

/// A variable covering `start..end`.
fn push_wild(start: usize, end: usize, out: &mut Tokens) {
    push_empty(start, out);
    if let Some(t) = out.toks.last_mut() {
        t.end = end as u32;
    }
}

fn is_empty_pair(open: u8, close: u8) -> bool {
    matches!(
        (open, close),
        (b'(', b')') | (b'[', b']') | (b'{', b'}') | (b'"', b'"')
    )
}

/// An empty variable at byte `at`.
fn push_empty(at: usize, out: &mut Tokens) {
    let m_start = out.masked.len();
    out.masked.push_str(WILDCARD);
    out.toks.push(Token {
        start: at as u32,
        end: at as u32,
        m_start: m_start as u32,
        m_end: out.masked.len() as u32,
        wild: true,
    });
    out.masked.push('\u{1f}');
}

/// English month and weekday names, which are part of a date next to a number.
fn is_date_word(w: &str) -> bool {
    matches!(
        w,
        "Mon"
            | "Tue"
            | "Wed"
            | "Thu"
            | "Fri"
            | "Sat"
            | "Sun"
            | "Monday"
            | "Tuesday"
            | "Wednesday"
            | "Thursday"
            | "Friday"
            | "Saturday"
            | "Sunday"
            | "Jan"
            | "Feb"
            | "Mar"
            | "Apr"
            | "May"
            | "Jun"
            | "Jul"
            | "Aug"
            | "Sep"
            | "Sept"
            | "Oct"
            | "Nov"
            | "Dec"
            | "January"
            | "February"
            | "March"
            | "April"
            | "June"
            | "July"
            | "August"
            | "September"
            | "October"
            | "November"
            | "December"
    )
}

/// Quantities with units, parenthesised alternatives and (optionally) runs of variables
/// become one variable token.
fn post_process(msg: &str, out: &mut Tokens, collapse: bool) {
    let n = out.toks.len();
    if n < 2 {
        return;
    }
    // `Fri Jun 17 07:07:00 2005`: names next to a variable (or another such name that is)
    // belong to the date.
    for _ in 0..2 {
        for i in 0..n {
            let t = out.toks[i];
            let len = t.end - t.start;
            if t.wild
                || !(3..=9).contains(&len)
                || !msg.as_bytes()[t.start as usize].is_ascii_uppercase()
                || !is_date_word(&msg[t.start as usize..t.end as usize])
            {
                continue;
            }
            let near = (i > 0 && out.toks[i - 1].wild) || (i + 1 < n && out.toks[i + 1].wild);
            if near {
                let m_start = out.masked.len() as u32;
                out.masked.push_str(WILDCARD);
                out.dirty = true;
                out.toks[i] = Token {
                    m_start,
                    m_end: out.masked.len() as u32,
                    wild: true,
                    ..t
                };
            }
        }
    }
    let mut w = 0;
    let mut r = 0;
    while r < n {
        let mut t = out.toks[r];
        r += 1;
        if t.wild {
            loop {
                // `403 bytes`
                if r < n && is_unit(&msg[out.toks[r].start as usize..out.toks[r].end as usize]) {
                    t.end = out.toks[r].end;
                    r += 1;
                    continue;
                }
                // `(1.16 KB)` after a variable
                let p = paren_len(msg, out, r);
                if p > 0 {
                    t.end = out.toks[r + p - 1].end;
                    r += p;
                    continue;
                }
                if collapse && r < n && out.toks[r].wild {
                    t.end = out.toks[r].end;
                    r += 1;
                    continue;
                }
                break;
            }
            if t.end != out.toks[r - 1].end || t.start != out.toks[r - 1].start {
                out.dirty = true;
            }
            t.m_end = t.m_start + WILDCARD.len() as u32;
            debug_assert_eq!(&out.masked[t.m_start as usize..t.m_end as usize], WILDCARD);
        }
        out.toks[w] = t;
        w += 1;
    }
    out.toks.truncate(w);
}

/// The number of tokens from `r` that form `(` variable [unit] `)`, or 0.
fn paren_len(msg: &str, out: &Tokens, r: usize) -> usize {
    let toks = &out.toks;
    let text = |i: usize| &msg[toks[i].start as usize..toks[i].end as usize];
    if r + 2 >= toks.len() || text(r) != "(" || !toks[r + 1].wild {
        return 0;
    }
    // Only a quantity: `(1.16 KB)`.
    let j = r + 3;
    if j > toks.len() || !is_unit(text(r + 2)) {
        return 0;
    }
    if j < toks.len() && text(j) == ")" {
        j + 1 - r
    } else {
        0
    }
}

/// Appends the masked form of `word` to `out`; returns whether the whole word is a variable.
fn mask(word: &str, seen: u8, out: &mut Tokens) -> bool {
    let out = &mut out.masked;
    let b = word.as_bytes();
    let has_digit = seen & DIGIT != 0;
    let path_char = seen & PATH != 0;
    if !has_digit && !path_char {
        // The common case: a plain word.
        out.push_str(word);
        return false;
    }
    if (path_char && is_path_or_url(b)) || (has_digit && is_numeric_like(b)) {
        out.push_str(WILDCARD);
        return true;
    }
    if !has_digit {
        out.push_str(word);
        return false;
    }
    shape(word, out);
    false
}

fn is_path_or_url(b: &[u8]) -> bool {
    let starts = |p: &[u8]| b.starts_with(p) && b.len() > p.len();
    (b.len() > 1 && b[0] == b'/' && b[1] != b'/' && b[1] != b' ')
        || starts(b"./")
        || starts(b"../")
        || starts(b"~/")
        || (b.len() > 3 && b[0].is_ascii_alphabetic() && b[1] == b':' && b[2] == b'\\')
        || b.windows(3).any(|w| w == b"://")
}

/// Numbers (signed, with a comparator prefix, with a short unit suffix), hex, addresses,
/// dates, times, UUIDs and versions.
fn is_numeric_like(b: &[u8]) -> bool {
    let mut s = b;
    while let [c, rest @ ..] = s {
        if matches!(c, b'<' | b'>' | b'~' | b'+' | b'-' | b'=' | b'#' | b'$') && !rest.is_empty() {
            s = rest;
        } else {
            break;
        }
    }
    // Trailing sentence punctuation does not make a number a word.
    while let [rest @ .., c] = s {
        if matches!(c, b'.' | b':' | b'%') && !rest.is_empty() {
            s = rest;
        } else {
            break;
        }
    }
    if s.is_empty() {
        return false;
    }
    // fe80::1%eth0: an IPv6 address with a zone.
    if let Some(k) = s.iter().position(|&c| c == b'%') {
        if k > 0 && s[..k].contains(&b':') && is_numeric_like(&s[..k]) {
            return true;
        }
    }
    let hexish = s.iter().all(|c| {
        c.is_ascii_hexdigit() || matches!(c, b'.' | b':' | b'-' | b'_' | b'/' | b',' | b'+')
    });
    if hexish {
        return true;
    }
    // 0x1F, 0XFF
    if s.len() > 2 && s[0] == b'0' && (s[1] | 0x20) == b'x' {
        return s[2..].iter().all(u8::is_ascii_hexdigit);
    }
    // 250ms, 1.5s, 10KB, 3GHz: a number then at most 4 letters.
    let digits = s
        .iter()
        .position(|c| !(c.is_ascii_digit() || *c == b'.' || *c == b','))
        .unwrap_or(s.len());
    digits > 0
        && s[0].is_ascii_digit()
        && s.len() - digits <= 4
        && s[digits..].iter().all(u8::is_ascii_alphabetic)
}

/// Masks the digit runs of a word that is not a number as a whole.
fn shape(word: &str, out: &mut String) {
    let b = word.as_bytes();
    let mut i = 0;
    let mut last_wild = false;
    while i < b.len() {
        let c = b[i];
        if c.is_ascii_alphanumeric() {
            let s = i;
            while i < b.len() && b[i].is_ascii_alphanumeric() {
                i += 1;
            }
            let run = &b[s..i];
            if !run.iter().any(u8::is_ascii_digit) {
                out.push_str(&word[s..i]);
                last_wild = false;
                continue;
            }
            let letters = run.iter().take_while(|c| c.is_ascii_alphabetic()).count();
            if letters >= 2 && run[letters..].iter().all(u8::is_ascii_digit) {
                out.push_str(&word[s..s + letters]);
                out.push_str(WILDCARD);
                last_wild = true;
            } else if !last_wild {
                out.push_str(WILDCARD);
                last_wild = true;
            }
        } else if last_wild
            && matches!(c, b'.' | b':')
            && i + 1 < b.len()
            && b[i + 1].is_ascii_digit()
        {
            // 1.16, 12:30 inside a word: one variable.
            i += 1;
        } else if c == b'-'
            && i + 1 < b.len()
            && b[i + 1].is_ascii_digit()
            && (i == 0 || !b[i - 1].is_ascii_alphanumeric())
        {
            // a sign: blk_-42
            i += 1;
        } else {
            let ch_len = utf8_len(c);
            out.push_str(&word[i..(i + ch_len).min(b.len())]);
            i += ch_len;
            last_wild = false;
        }
    }
}

fn utf8_len(first: u8) -> usize {
    match first {
        0x00..=0x7f => 1,
        0xc0..=0xdf => 2,
        0xe0..=0xef => 3,
        0xf0..=0xff => 4,
        _ => 1,
    }
}

/// Whether a constant token looks like an identifier or value rather than a word: it has a
/// masked part, or a dot, underscore, slash, at-sign, colon or backslash between word
/// characters (`chrome.exe`, `proxy.example.org:<*>`, `user@host`).
pub(crate) fn value_like(tok: &str) -> bool {
    if is_enum_word(tok) || is_code_name(tok) {
        return false;
    }
    if let Some(prefix) = tok.strip_suffix(WILDCARD) {
        // `eth<*>`, `SOCKS<*>`: a word with a number, like a name.
        if prefix.len() >= 2 && prefix.bytes().all(|c| c.is_ascii_alphabetic()) {
            return false;
        }
    }
    if tok.contains(WILDCARD) {
        return true;
    }
    let b = tok.as_bytes();
    let n = b.len();
    (1..n.saturating_sub(1)).any(|i| {
        matches!(b[i], b'.' | b'_' | b'/' | b'@' | b':' | b'\\' | b'$' | b'#')
            && b[i - 1].is_ascii_alphanumeric()
            && b[i + 1].is_ascii_alphanumeric()
    })
}

/// Whether a dotted token names something in code: its last segment starts with a capital
/// (`java.io.IOException`, `android.intent.action.SCREEN_ON`, `org.foo.MRAppMaster`).
/// Such names are constants of the message, unlike host and file names.
fn is_code_name(tok: &str) -> bool {
    match tok.rsplit_once('.') {
        Some((head, last)) => {
            !head.is_empty()
                && last.as_bytes().first().is_some_and(u8::is_ascii_uppercase)
                && last.bytes().all(|c| c.is_ascii_alphanumeric() || c == b'_')
        }
        None => false,
    }
}

/// Whether a word is written like the name of a state, event or level rather than like a
/// user, host or file name: capitalised (`Started`, `Paused`) or all capitals (`RUNNING`).
/// Such words never become variables by being seen in several variants.
pub(crate) fn names_a_state(tok: &str) -> bool {
    tok.as_bytes().first().is_some_and(u8::is_ascii_uppercase) || is_enum_word(tok)
}

/// Whether a token is written like a constant of an enumeration or a level: capitals,
/// digits and underscores, at least two letters (`RUNNING`, `FAIL_TASK_CLEANUP`, `ERROR`).
pub(crate) fn is_enum_word(tok: &str) -> bool {
    let b = tok.as_bytes();
    b.iter().filter(|c| c.is_ascii_uppercase()).count() >= 2
        && b.iter()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || *c == b'_')
}

#[cfg(test)]
mod tests {
    use super::*;

    fn masked(msg: &str) -> Vec<String> {
        let mut t = Tokens::default();
        tokenize(msg, &mut t, true);
        (0..t.toks.len()).map(|i| t.text(i).to_string()).collect()
    }

    #[test]
    fn masks_numbers_addresses_and_paths() {
        assert_eq!(
            masked("Connection from 10.0.0.5:623 port 22 took 250ms"),
            ["Connection", "from", "<*>", "port", "<*>", "took", "<*>"]
        );
        assert_eq!(
            masked("uuid 123e4567-e89b-12d3-a456-426614174000 at 2024-01-02 10:11:12.5"),
            ["uuid", "<*>", "at", "<*>"]
        );
        assert_eq!(
            masked("open /var/log/x.log failed"),
            ["open", "<*>", "failed"]
        );
        assert_eq!(masked("GET http://h/a?b=1 ok"), ["GET", "<*>", "ok"]);
        assert_eq!(masked("fe80::1%eth0 up"), ["<*>", "up"]);
    }

    #[test]
    fn shapes_words_with_digits() {
        assert_eq!(
            masked("node-12 eth0 blk_-42"),
            ["node-<*>", "eth<*>", "blk_<*>"]
        );
        assert_eq!(masked("HTTP/1.1"), ["HTTP/<*>"]);
    }

    #[test]
    fn quantities_and_alternatives_are_one_variable() {
        assert_eq!(
            masked("1190 bytes (1.16 KB) sent, lifetime <1 sec"),
            ["<*>", "sent", ",", "lifetime", "<*>"]
        );
        assert_eq!(masked("uid=0 user=root"), ["uid=", "<*>", "user=", "root"]);
    }

    #[test]
    fn value_like_tokens() {
        assert!(value_like("chrome.exe"));
        assert!(!value_like("android.intent.action.SCREEN_ON"));
        assert!(!value_like("java.io.IOException"));
        assert!(value_like("node-<*>"));
        assert!(!value_like("Started"));
        assert!(!value_like("ACPI:"));
        assert!(!value_like("end."));
    }
}
