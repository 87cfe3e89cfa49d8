//! The generic rules: a word shaped like a secret a few words after a secret word
//! ([`scan_near`]), and a word that is a secret by its shape alone, wherever it stands
//! ([`scan_anywhere`]: chosen passwords with a symbol, leetspeak, long random tokens).
//!
//! The other rules know a syntax (`k=v`, a tool's flag, a device's `secret` line).
//! Secrets also turn up in forms nobody listed: `rootpw --plaintext vzrMhWWnuopk`,
//! `tacacs server T1 key B3X26uAzm47e8evK`, `"requirepass" "j1RXn8fC…"`. This rule
//! looks at the few words after any secret word (`password`, `rootpw`, `psksecret`,
//! `x-api-key`, ...) and takes a word whose *shape* is that of a generated secret:
//! digits inside letters (`R3dis`, `rt8pytr1`), a symbol with letters and digits
//! (`Summer2024!`), random case (`vzrMhWWnuopk`) or a long hex string. Words, numbers,
//! paths, host and file names, UUIDs and references are never taken, and a descriptor
//! (`fingerprint`, `sha256`, `id`, `commit`, ...) between the two ends the window, so
//! `key fingerprint is SHA256:…` and `token id 4f1c…` stay. The shapes are in `shapes.rs`.

use super::keys::tokens;
use super::shapes::{
    bare_random, encoded_text, generated, leet_word, password_shaped, prose_value,
};
use super::Redactor;

/// How many words after a secret word are looked at.
const WINDOW: usize = 5;

/// Words after which a word names a user or a host, not a secret.
const USER_SLOTS: &str = "user username login account uid owner by principal host node server \
    for";

/// Word endings that are not secret words (`bypass`, `monkey`).
const NOT_SECRET_WORDS: &str = "bypass compass overpass underpass monkey turkey hockey jockey \
    whiskey donkey lackey passed public publickey pubkey hotkey hotkeys";

/// Secret words: a sub-word ends in one of these (`rootpw`, `requirepass`, `psksecret`).
const ENDINGS: &str = "password passwd passwort pwd pw pass passphrase passcode secret \
    secrets token key apikey psk community credential credentials creds";

/// Byte classes for the word scanners: one table lookup per byte.
const DELIM: u8 = 1;
const UPPER: u8 = 2;
const LOWER: u8 = 4;
const DIGIT: u8 = 8;
/// The symbols of a chosen password (`!#$%&*@^~?+`).
const SYM: u8 = 16;
static CLASS: [u8; 256] = {
    let mut t = [0u8; 256];
    let delims = b" \t\n\r\x0c\"'`<>()[]{},;|=:\\";
    let mut i = 0;
    while i < delims.len() {
        t[delims[i] as usize] = DELIM;
        i += 1;
    }
    let mut c = 0;
    while c < 26 {
        t[b'A' as usize + c] = UPPER;
        t[b'a' as usize + c] = LOWER;
        c += 1;
    }
    let mut d = 0;
    while d < 10 {
        t[b'0' as usize + d] = DIGIT;
        d += 1;
    }
    let syms = b"!#$%&*@^~?+";
    let mut y = 0;
    while y < syms.len() {
        t[syms[y] as usize] = SYM;
        y += 1;
    }
    // Non-ASCII ends a word for the shape scan (the shapes are ASCII).
    let mut h = 0x80;
    while h < 256 {
        t[h] = DELIM;
        h += 1;
    }
    t
};

fn is_delim(c: u8) -> bool {
    c < 0x80 && CLASS[c as usize] == DELIM
}

/// Whether the (non-ASCII) character at `i` is punctuation or a blank (`：`, `、`, `。`):
/// a word ends there (`初始密码：Shanghai@2024` is two words).
fn wide_delim(b: &[u8], i: usize) -> bool {
    let end = (i + 4).min(b.len());
    let Some(c) = (i + 1..=end)
        .find_map(|e| std::str::from_utf8(&b[i..e]).ok())
        .and_then(|s| s.chars().next())
    else {
        return false;
    };
    !c.is_alphanumeric()
}

/// The words of `text` as byte ranges. Non-ASCII letters belong to words (`Пароль`,
/// `密码`), non-ASCII punctuation ends them.
fn words(b: &[u8]) -> Vec<(usize, usize)> {
    // Length of the delimiter at `i` (0: none): an ASCII delimiter, or a whole wide one.
    let delim_len = |i: usize| -> usize {
        if b[i] < 0x80 {
            usize::from(is_delim(b[i]))
        } else if b[i] >= 0xC0 && wide_delim(b, i) {
            1 + b[i + 1..]
                .iter()
                .take(3)
                .take_while(|&&c| (0x80..0xC0).contains(&c))
                .count()
        } else {
            0
        }
    };
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        let n = delim_len(i);
        if n > 0 {
            i += n;
            continue;
        }
        let s = i;
        while i < b.len() && delim_len(i) == 0 {
            i += 1;
        }
        out.push((s, i));
    }
    out
}

/// Words of the vocabulary that name *a kind of* secret the other rules handle by syntax
/// only (a session id, a cookie, an `Authorization` scheme).
const NOT_HERE: &str = "auth authorization cookie cookies session signature verifier";

/// The literals one of which a secret word holds (lowercase): [`ENDINGS`] and the words
/// for "password" in other languages. Built into a case-sensitive regex that runs over
/// the ASCII-lowercased line.
pub(super) fn gate_pattern() -> String {
    let mut lits: Vec<&str> = ENDINGS
        .split_ascii_whitespace()
        .chain(super::keys::last_words())
        .filter(|w| !NOT_HERE.split_ascii_whitespace().any(|n| n == *w))
        .collect();
    lits.sort_by(|a, b| b.len().cmp(&a.len()).then(a.cmp(b)));
    lits.dedup();
    lits.iter()
        .map(|l| regex::escape(l))
        .collect::<Vec<_>>()
        .join("|")
}

/// How strongly a word names a secret: `Some(true)` for `password`, `vault_pass`,
/// `pre-shared-key`, `x-api-key`, `rootpw`, `kennwort`; `Some(false)` for a bare `key`
/// (`tacacs server T1 key …`, `routing_key`), whose value must look random; `None`
/// otherwise. Only the last sub-word counts, so `private_key_id`, `token_accessor` and
/// `passwordHashAlgorithm` name metadata.
fn secret_word(r: &Redactor, w: &str) -> Option<bool> {
    if w.len() < 2 || w.len() > 64 {
        return None;
    }
    let wb = w.as_bytes();
    let ends = |n: &str| {
        wb.len() >= n.len() && wb[wb.len() - n.len()..].eq_ignore_ascii_case(n.as_bytes())
    };
    if NOT_SECRET_WORDS.split_ascii_whitespace().any(ends)
        || wb.windows(6).any(|x| x.eq_ignore_ascii_case(b"public"))
    {
        return None;
    }
    // (a lower-case word is its own only token: no allocation)
    let toks = if wb.iter().all(u8::is_ascii_lowercase) {
        Vec::new()
    } else {
        tokens(w)
    };
    let mut last: &str = if toks.is_empty() {
        w
    } else {
        toks.last()?.as_str()
    };
    // `snmp-community-string`, `community-str`, `SNMPv1Community1`: the word before a
    // `str`/`string` qualifier or a number.
    if toks.len() >= 2 && matches!(last, "str" | "string")
        || last.bytes().all(|c| c.is_ascii_digit())
    {
        if let Some(t) = toks.len().checked_sub(2).and_then(|i| toks.get(i)) {
            last = t.as_str();
        }
    }
    let last = last.trim_end_matches(|c: char| c.is_ascii_digit());
    if NOT_HERE.split_ascii_whitespace().any(|n| n == last) {
        return None;
    }
    let ending = ENDINGS.split_ascii_whitespace().any(|e| {
        last.ends_with(e)
            // `pw` and `key` only whole or after a short qualifier (`rootpw`, `psk`).
            && (last.len() <= e.len() + 4 || !matches!(e, "pw" | "key" | "psk"))
    }) || super::keys::is(super::keys::Set::LastWords, last);
    if !ending {
        // `ResetPasswordJob`: an earlier sub-word names the secret.
        // Only when the secret word is the one before last (`ResetPasswordJob`, not
        // `SecretKeyRef3Resolver`).
        let before_last = toks.len() >= 2 && {
            let t = &toks[toks.len() - 2];
            ENDINGS.split_ascii_whitespace().any(|e| t == e)
        };
        return (before_last && r.classify(w) == Some(super::Class::Plain)).then_some(true);
    }
    let key = last == "key" || (last.ends_with("key") && last.len() <= 7);
    Some(!key || r.classify(w) == Some(super::Class::Plain))
}

fn descriptor(w: &str) -> bool {
    if w.bytes().all(|c| c.is_ascii_lowercase()) {
        return super::keys::is(super::keys::Set::Descriptors, w);
    }
    // The last sub-word: `hmac-sha256`, `request_id`; not `Salt-R3dis-0934`.
    tokens(w)
        .iter()
        .rev()
        .find(|t| !t.bytes().all(|c| c.is_ascii_digit()))
        .is_some_and(|t| super::keys::is(super::keys::Set::Descriptors, t))
}

/// Strip what ends a sentence or an escape (`pw.`, `X\r`) from a word's end.
fn trim_end(b: &[u8], s: usize, mut e: usize) -> usize {
    while e > s && matches!(b[e - 1], b'.' | b',') {
        e -= 1;
    }
    e
}

/// Adds the spans of generated-looking words within [`WINDOW`] words after a secret word.
pub(super) fn scan_near(r: &Redactor, text: &str, spans: &mut Vec<(usize, usize)>) {
    // Only words holding a vocabulary word can be secret words: one literal scan of the
    // lowercased text finds them (ASCII lowercasing keeps every offset).
    let lower = text.to_ascii_lowercase();
    // Non-ASCII text (`Пароль`, `Passwörter`): the case-insensitive vocabulary gate.
    let hits: Vec<usize> = if text.is_ascii() {
        r.near_gate.find_iter(&lower).map(|m| m.start()).collect()
    } else {
        r.key_gate.find_iter(text).map(|m| m.start()).collect()
    };
    let mut hits = hits.into_iter().peekable();
    if hits.peek().is_none() {
        return;
    }
    let b = text.as_bytes();
    // Words before the first secret word do not matter (but the one before it, `public`):
    // start there.
    let first = hits.peek().copied().unwrap_or(0);
    let mut from = b[..first]
        .iter()
        .rposition(|&c| is_delim(c))
        .map_or(0, |i| i + 1);
    while from > 0 && is_delim(b[from - 1]) {
        from -= 1;
    }
    from = b[..from]
        .iter()
        .rposition(|&c| is_delim(c))
        .map_or(0, |i| i + 1);
    let ws: Vec<(usize, usize)> = words(&b[from..])
        .into_iter()
        .map(|(s, e)| (s + from, e + from))
        .collect();
    let mut public_line: Option<bool> = None;
    let mut i = 0;
    while i < ws.len() {
        let (s, e) = ws[i];
        while hits.next_if(|&h| h < s).is_some() {}
        if hits.peek().is_none_or(|&h| h >= e) {
            if hits.peek().is_none() {
                break;
            }
            i += 1;
            continue;
        }
        // `arn:aws:secretsmanager:…:secret:NAME` names a resource type.
        let arn_part = s > 0 && b[s - 1] == b':' && b.get(e) == Some(&b':');
        // `public key`, `using RSA key 1112…` (a key id): public material.
        let public = i > 0 && {
            let p = &text[ws[i - 1].0..ws[i - 1].1];
            [
                "public", "rsa", "dsa", "ecdsa", "ed25519", "elgamal", "gpg", "pgp",
            ]
            .iter()
            .any(|w| p.eq_ignore_ascii_case(w))
        };
        let Some(strong) = secret_word(r, &text[s..e]).filter(|_| !arn_part && !public) else {
            i += 1;
            continue;
        };
        let mut j = i + 1;
        while j < ws.len() && j <= i + WINDOW {
            let (cs, ce) = ws[j];
            // The window ends with the line.
            if b[ws[j - 1].1..cs].contains(&b'\n') {
                break;
            }
            let word = &text[cs..ce];
            if descriptor(word) {
                break;
            }
            let ce = trim_end(b, cs, ce);
            // `Failed password for invalid user postgres1`: a user's name.
            let named = j > 0 && {
                let (ps, pe) = ws[j - 1];
                USER_SLOTS
                    .split_ascii_whitespace()
                    .any(|u| text[ps..pe].eq_ignore_ascii_case(u))
            };
            if named {
                j += 1;
                continue;
            }
            // A key (`data=`, `value:`) is not a value.
            // `secret_id             5e6cb090-…` (Vault prints tables): a UUID right after
            // a sensitive key is its value.
            let gap = b[e..cs]
                .iter()
                .all(|c| matches!(c, b' ' | b'\t' | b'=' | b':'));
            if j == i + 1
                && gap
                && super::shapes::uuid(&b[cs..ce])
                && r.classify(&text[s..e]) == Some(super::Class::Plain)
            {
                spans.push((cs, ce));
                j += 1;
                continue;
            }
            let is_key = matches!(b.get(ws[j].1), Some(b'=' | b':'))
                && b.get(ws[j].1 + 1).is_some_and(|c| {
                    c.is_ascii_alphanumeric() || matches!(c, b'"' | b'\'')
                        // (`user:[REDACTED]` after a first pass: still a key)
                        || b[ws[j].1 + 1..].starts_with(super::REDACTED.as_bytes())
                });
            // `from vault:secret/data/bmc#password`: a reference (`scheme:` before the word).
            let reference = cs > 0
                && b[cs - 1] == b':'
                && super::values::not_secret(&text[ws[j - 1].0..ce], b"");
            // `verification key … -----BEGIN PUBLIC KEY-----\nMFkw…`: public key material.
            let public_key = !strong && *public_line.get_or_insert_with(|| public_material(text));
            if !is_key
                && !reference
                && !public_key
                && (generated(&b[cs..ce], strong) || (strong && prose_value(&b[cs..ce])))
            {
                spans.push((cs, ce));
            }
            j += 1;
        }
        i += 1;
    }
}

/// Lines that carry public key material (certificates, SSH and WireGuard public keys).
fn public_material(text: &str) -> bool {
    let lower = text.to_ascii_lowercase();
    ["public", "certificate", "ssh-", "begin "]
        .iter()
        .any(|w| lower.contains(w))
}

/// Spans sorted by start, and the farthest end up to each.
/// Spans another rule already cut, sorted once, for overlap tests in O(log n).
pub(super) struct Cut {
    sorted: Vec<(usize, usize)>,
    /// The farthest end among the spans up to each one.
    reach: Vec<usize>,
}

impl Cut {
    pub(super) fn new(spans: &[(usize, usize)]) -> Self {
        let mut sorted = spans.to_vec();
        sorted.sort_unstable();
        let mut far = 0;
        let reach = sorted
            .iter()
            .map(|&(_, e)| {
                far = far.max(e);
                far
            })
            .collect();
        Cut { sorted, reach }
    }

    /// Whether `s..e` overlaps one of the spans.
    pub(super) fn overlaps(&self, s: usize, e: usize) -> bool {
        let n = self.sorted.partition_point(|p| p.0 < e);
        n > 0 && self.reach[n - 1] > s
    }
}

/// Adds the spans of words that are secrets by their shape alone, wherever they stand:
/// [`password_shaped`], [`leet_word`], [`bare_random`]. Only words that could be one are
/// looked at closely, so a line of plain words costs one pass.
///
/// Returns the words that may be base64 (16+ characters, upper and lower case) for
/// [`Redactor::scan_encoded`].
pub(super) fn scan_anywhere(text: &str, spans: &mut Vec<(usize, usize)>) -> Vec<(usize, usize)> {
    let b = text.as_bytes();
    let mut encoded = Vec::new();
    // What the syntax rules found wins: a word they cut (`-U svc%[REDACTED]`) stays cut.
    // (sorted once, on the first hit)
    let found = spans.len();
    let mut prior: Option<Cut> = None;
    let mut overlaps = |spans: &[(usize, usize)], s: usize, e: usize| {
        prior
            .get_or_insert_with(|| Cut::new(&spans[..found]))
            .overlaps(s, e)
    };
    let mut public: Option<bool> = None;
    let mut i = 0;
    let mut prev: Option<(usize, usize)> = None;
    while i < b.len() {
        if CLASS[b[i] as usize] == DELIM {
            i += 1;
            continue;
        }
        // One pass over the word: every detector needs upper case, lower case and a digit.
        let s = i;
        let mut seen = 0u8;
        while i < b.len() {
            let k = CLASS[b[i] as usize];
            if k == DELIM {
                break;
            }
            seen |= k;
            i += 1;
        }
        let e = i;
        let before = prev.replace((s, e));
        let sym = seen & SYM != 0;
        let seen = seen & (UPPER | LOWER | DIGIT);
        if e - s >= 16 && seen & (UPPER | LOWER) == UPPER | LOWER {
            encoded.push((s, e));
        }
        // (lower case and digits only: a password in lower-case leetspeak with a symbol,
        // `goph3r3mb3r6!`)
        // (not an address: `@0x7fef9fb9b6d` has no letter past `f`)
        let lower_leet = sym
            && seen == LOWER | DIGIT
            && e - s >= 8
            && b[s..e].iter().filter(|c| (b'g'..=b'z').contains(c)).count() >= 3;
        if e - s < 8 || (seen != UPPER | LOWER | DIGIT && !lower_leet) {
            continue;
        }
        // `rs0&readPreference=…`, `https%3A%2F%2Fhost`: a query string, URL encoding.
        let query = b.get(e) == Some(&b'=') && b[s..e].contains(&b'&');
        let encoded = b[s..e]
            .windows(3)
            .any(|x| x[0] == b'%' && x[1].is_ascii_hexdigit() && x[2].is_ascii_hexdigit());
        let e = trim_end(b, s, e);
        let w = &b[s..e];
        // `[…:2181:Environment@100]`: a logger's location tag.
        let location = s > 0 && matches!(b[s - 1], b':' | b'[') && b.get(e) == Some(&b']');
        let hit = if query || encoded || location {
            false
        } else if password_shaped(w) {
            true
        } else {
            (leet_word(w) && !encoded_text(w)
                || (w.len() >= 20
                    && !encoded_text(w)
                    && bare_random(w)
                    && !before.is_some_and(|(ps, pe)| {
                        // (`h1:` starts a Go module hash)
                        descriptor(&text[ps..pe])
                            || text[ps..pe].eq_ignore_ascii_case("base64")
                            || &text[ps..pe] == "h1"
                    })))
                && !*public.get_or_insert_with(|| public_material(text))
        };
        if hit && !overlaps(spans, s, e) && !super::values::not_secret(&text[s..e], b"") {
            spans.push((s, e));
        }
    }
    encoded
}

#[cfg(test)]
mod tests {
    use super::super::{Redactor, REDACTED};

    #[test]
    fn generated_words_after_secret_words() {
        let r = Redactor::new();
        for (input, secret) in [
            ("anaconda: ks.cfg line 7: rootpw --plaintext vzrMhWWnuopk", "vzrMhWWnuopk"),
            ("tacacs server TAC1 address ipv4 10.0.0.50 key B3X26uAzm47e8evK", "B3X26uAzm47e8evK"),
            ("d-i passwd/root-password password nDV6fnh2ZRF6", "nDV6fnh2ZRF6"),
            (r#"{'redis': {'requirepass': 'Salt-R3dis-0934', 'port': 6379}}"#, "Salt-R3dis-0934"),
            ("-object secret,id=sec0,data=bHceW4idhXFZXRRk -machine pc-q35", "bHceW4idhXFZXRRk"),
            ("ipmitool lan set 1 snmp community rt8pytr1rumf", "rt8pytr1rumf"),
            ("+ mc alias set local http://minio:9000 backup VWvQ0Q2PzODTUr6A6pmN9XL3euLnLb2BVLDz093w", "VWvQ0Q2PzODTUr6A6pmN9XL3euLnLb2BVLDz093w"),
        ] {
            let out = r.redact(input);
            assert!(!out.contains(secret) && out.contains(REDACTED), "{input} -> {out}");
            assert_eq!(r.redact(&out), out, "second pass");
        }
    }

    #[test]
    fn words_names_and_descriptors_stay() {
        let r = Redactor::new();
        for line in [
            "RSA key fingerprint is SHA256:nThbg6kXUpJWGl7E1IGOCspRomTxdCARLviKw6E5SY8.",
            "gpg: key 7721F63BD38B4796: public key \"Google Inc.\" imported",
            "password for user 'ops' changed successfully (policy=corp-default)",
            "rotating BMC passwords for rack r12 (32 hosts, 0 failures)",
            "token id 4f1c2e9a-8b7d-4c3e-9f0a-1b2c3d4e5f60 revoked by admin@corp.example",
            "Failure Reason: Unknown user name or bad password. Status: 0xC000006D",
            "\"private_key_id\": \"5f1c0d8e7b2a4c3d9e8f7a6b5c4d3e2f1a0b9c8d\"",
            "arn:aws:secretsmanager:us-east-1:123456789012:secret:prod/db-creds-Ab3dEf",
            "[Peer] PublicKey = flZQ3JVm0BFgBHuAq+gYGbqgjEhf4UOvwtp1HfbDFas= AllowedIPs = 10.9.0.3/32",
            "token_accessor       3zja4zfKXTTZEIvTUs9sPFwg",
            "loaded key file /etc/ssl/private/node07.corp.example.key for getElementById",
        ] {
            assert_eq!(r.redact(line), line);
        }
    }
}
