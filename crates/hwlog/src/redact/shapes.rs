//! Word shapes: whether a word looks generated (`vzrMhWWnuopk`, `R3dis`), like a chosen
//! password (`Bind!Svc2024`, `N4giosIpmi`), like a long random token, or like a name,
//! identifier or encoded text. Pure functions over bytes, used by the generic rules
//! (`generic.rs`) and the prose rule.

/// Whether a mixed-case part reads as CamelCase words and numbers (`X509TrustManager`,
/// `Base64Encoder`, `Md5Util2`), not as a generated string (`R3dis`, `e4EkZpXRgItN`):
/// split into `Word`, `ACRONYM`, `lower` and digit runs, only the first run may be
/// lower case, words have three letters or more (one two-letter word allowed).
fn camel_words(p: &[u8]) -> bool {
    let mut i = 0;
    let mut short = 0;
    let mut first = true;
    let mut capitalized = false;
    while i < p.len() {
        let c = p[i];
        if c.is_ascii_digit() {
            i += p[i..].iter().take_while(|c| c.is_ascii_digit()).count();
        } else if c.is_ascii_uppercase() {
            let ups = p[i..].iter().take_while(|c| c.is_ascii_uppercase()).count();
            let lows = p[i + ups..]
                .iter()
                .take_while(|c| c.is_ascii_lowercase())
                .count();
            if lows == 0 {
                i += ups; // ACRONYM
            } else if ups > 1 {
                i += ups - 1; // `XMLHttp`: `XML`, then `Http`
            } else {
                let word = &p[i..i + 1 + lows];
                i += 1 + lows;
                match word.len() {
                    1 => return false,
                    2 => short += 1,
                    // A word has a vowel: `Manager`, not `Ccgrnq`.
                    _ if !word.iter().any(|c| b"aeiouyAEIOUY".contains(c)) => return false,
                    _ => {}
                }
                capitalized = true;
            }
        } else {
            let lows = p[i..].iter().take_while(|c| c.is_ascii_lowercase()).count();
            if !first || lows < 2 || !p[i..i + lows].iter().any(|c| b"aeiouy".contains(c)) {
                return false;
            }
            i += lows;
        }
        first = false;
    }
    // Acronyms and digits alone (`SUAIZC2RWMAZ…`) are no words.
    capitalized && short <= 1
}

/// Letter/digit alternations and case changes of one alphanumeric part.
pub(super) fn part_random(p: &[u8]) -> bool {
    if p.len() < 5 {
        return false;
    }
    let digits = p.iter().filter(|c| c.is_ascii_digit()).count();
    let letters = p.len() - digits;
    let mut ld = 0;
    for w in p.windows(2) {
        if w[0].is_ascii_digit() != w[1].is_ascii_digit() {
            ld += 1;
        }
    }
    if digits > 0 && letters > 0 && ld >= 2 {
        if p.iter().any(u8::is_ascii_uppercase) {
            return !camel_words(p);
        }
        // Lower case: a single digit inside a word (`rt8pytr1`, `nc7eesntc9q`), not
        // the numbered parts of a name (`r12u07`, `node07a`).
        return p.windows(4).any(|x| {
            x[0].is_ascii_lowercase()
                && x[1].is_ascii_digit()
                && x[2].is_ascii_lowercase()
                && x[3].is_ascii_lowercase()
        });
    }
    if digits > 0 || p.len() < 10 {
        return false;
    }
    // Letters only: random case, no run of 6+ lowercase letters (`getElementById` and
    // `XMLHttpRequest` are words, `vzrMhWWnuopk` is not).
    let mut changes = 0;
    let mut upper_run = 0;
    let mut lower_run = 0;
    let mut max_lower = 0;
    for w in p.windows(2) {
        let (a, b) = (w[0].is_ascii_uppercase(), w[1].is_ascii_uppercase());
        if a {
            upper_run += 1;
        } else {
            upper_run = 0;
        }
        if !a && b {
            changes += 1;
        }
        if a && !b && upper_run >= 2 {
            changes += 1;
        }
    }
    for &c in p {
        lower_run = if c.is_ascii_lowercase() {
            lower_run + 1
        } else {
            0
        };
        max_lower = max_lower.max(lower_run);
    }
    changes >= 3 && max_lower < 6
}

/// A word that is a password where a password is named: 8+ characters of a token
/// alphabet with letters and digits (`Berezka2020`, `Fence2Cli`), but not a lower-case
/// name or path (`bmc-node07`, `secret/bmc/r12u07`), an upper-case one (`SCRAM-SHA-512`),
/// a number or a date.
pub(super) fn prose_value(w: &[u8]) -> bool {
    let sep = |c: &u8| b"./_-#".contains(c);
    let name_like = w.iter().any(sep)
        && (w
            .iter()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || sep(c))
            || w.iter()
                .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || sep(c)));
    // `kv::shaped`, dots allowed too (`Spruce.Moose.44`)
    let shaped = w.len() >= 8
        && w.iter()
            .all(|c| c.is_ascii_alphanumeric() || b"+/=_-.".contains(c))
        && w.iter().any(u8::is_ascii_digit)
        && w.iter().any(u8::is_ascii_alphabetic);
    shaped && !name_like && !uuid(w)
}

/// Whether a word has the shape of a generated secret (see the module docs).
pub(super) fn generated(w: &[u8], strong_context: bool) -> bool {
    if w.len() < 8 || w.len() > 256 || !w.iter().all(u8::is_ascii_graphic) {
        return false;
    }
    if b"-$%*/~.&#".contains(&w[0])
        || w.windows(3).any(|x| x == b"://")
        || w.starts_with(b"AAAA")
        || (w.starts_with(b"0x") && !(w.len() >= 26 && w[2..].iter().all(u8::is_ascii_hexdigit)))
    {
        return false;
    }
    if w.iter()
        .all(|c| c.is_ascii_digit() || b".:,_-/+".contains(c))
    {
        return false;
    }
    let hex = w.iter().all(u8::is_ascii_hexdigit)
        || (w.starts_with(b"0x") && w[2..].iter().all(u8::is_ascii_hexdigit));
    if hex {
        return w.len() >= 24;
    }
    if uuid(w) {
        return false;
    }
    let s = std::str::from_utf8(w).unwrap_or("");
    if is_mask(s) || s == super::REDACTED {
        return false;
    }
    // `ops@node07`, `node07.corp.example`, `server.key`: names, not secrets.
    let lowerish = w
        .iter()
        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || b"._-@".contains(c));
    if lowerish && (w.contains(&b'@') || dotted_name(w)) {
        return false;
    }
    // `deploy@CORP.LAB`, `svc@node07.corp`: a principal or an address.
    if let Some(at) = w.iter().position(|&c| c == b'@') {
        let host = &w[at + 1..];
        if host.contains(&b'.')
            && host
                .iter()
                .all(|c| c.is_ascii_alphanumeric() || b".-".contains(c))
        {
            return false;
        }
    }
    let sym = w.iter().any(|c| b"!@#%^&*+?~$".contains(c));
    let digit = w.iter().any(u8::is_ascii_digit);
    let alpha = w.iter().any(u8::is_ascii_alphabetic);
    let mixed = w.iter().any(u8::is_ascii_uppercase) && w.iter().any(u8::is_ascii_lowercase);
    if sym && (digit || (mixed && !w.contains(&b'/'))) && alpha && strong_context {
        return true;
    }
    w.split(|c| !c.is_ascii_alphanumeric()).any(part_random)
}

/// `a.b` or `a.b.c` whose last part is letters: a host or file name.
fn dotted_name(w: &[u8]) -> bool {
    let mut parts = w.split(|&c| c == b'.');
    let n = w.split(|&c| c == b'.').count();
    n >= 2
        && parts.all(|p| !p.is_empty())
        && w.rsplit(|&c| c == b'.')
            .next()
            .is_some_and(|l| l.iter().all(u8::is_ascii_alphabetic))
}

pub(super) fn uuid(w: &[u8]) -> bool {
    w.len() == 36
        && w.iter().enumerate().all(|(i, c)| {
            if matches!(i, 8 | 13 | 18 | 23) {
                *c == b'-'
            } else {
                c.is_ascii_hexdigit()
            }
        })
}

/// A long random token anywhere (`IxvizragS3Wu2420GmfxDF`, a 40-character cloud key):
/// 20+ characters of a token alphabet with upper and lower case and digits, mixed
/// throughout. Hex (digests, trace ids), SSH public keys (`AAAA…`) and DER certificates
/// (`MII…`) are not taken, nor a word after a descriptor (`digest`, `id`, ...).
pub(super) fn bare_random(w: &[u8]) -> bool {
    if w.len() < 20 || w.len() > 512 {
        return false;
    }
    if !w
        .iter()
        .all(|c| c.is_ascii_alphanumeric() || b"+/_-.".contains(c))
        || w.starts_with(b"AAAA")
        || w.starts_with(b"MII")
        || w.starts_with(b"MF")
    {
        return false;
    }
    let (mut up, mut lo, mut di) = (0, 0, 0);
    let (mut ld, mut case) = (0, 0);
    for x in w.windows(2) {
        if x[0].is_ascii_digit() != x[1].is_ascii_digit() {
            ld += 1;
        }
        if x[0].is_ascii_alphabetic()
            && x[1].is_ascii_alphabetic()
            && x[0].is_ascii_uppercase() != x[1].is_ascii_uppercase()
        {
            case += 1;
        }
    }
    for c in w {
        if c.is_ascii_uppercase() {
            up += 1;
        } else if c.is_ascii_lowercase() {
            lo += 1;
        } else if c.is_ascii_digit() {
            di += 1;
        }
    }
    // `GLOBALROOT/Device/HarddiskVolume2`: a path of words.
    // ... or of CamelCase words (`FlashPlayerPlugin_18_0_0_209.exe`).
    let wordy = w.split(|c| b"+/_-.".contains(c)).any(|p| {
        (p.len() >= 4 && p[1..].iter().all(u8::is_ascii_lowercase) && p[0].is_ascii_alphabetic())
            || (p.len() >= 8 && p.iter().all(u8::is_ascii_alphabetic) && camel_words(p))
    });
    up >= 2 && lo >= 2 && di >= 2 && ld >= 4 && case >= 4 && !wordy
}

/// Whether `w` is base64 of text (`UGFzc3dvcmQ6` is `Password:`, `LS0tLS1CRUdJTi…` is
/// `-----BEGIN…`): encoded prose, not a secret. Looks at the first 32 characters.
pub(super) fn encoded_text(w: &[u8]) -> bool {
    use base64::Engine;
    let n = (w.len().min(32) / 4) * 4;
    if n < 8 {
        return false;
    }
    let Ok(bytes) = base64::engine::general_purpose::STANDARD.decode(&w[..n]) else {
        return false;
    };
    bytes
        .iter()
        .all(|&c| c == b'\n' || c == b'\r' || c == b'\t' || (0x20..0x7f).contains(&c))
}

/// A word shaped like a chosen password, anywhere: 8–40 characters with upper and lower
/// case, a digit and a symbol other than `+` (base64 has it; `Sup3rS3cr3t!`, `Bind!Svc2024`, `P@rse#Me2`). Words with
/// `/`, `=`, `://` or a reference (`${`, `%(`, `$VAR`), mail addresses and Java inner
/// classes (`a.B$1`) are not taken.
pub(super) fn password_shaped(w: &[u8]) -> bool {
    if w.len() < 8 || w.len() > 40 || !w.iter().all(u8::is_ascii_graphic) {
        return false;
    }
    if b"$%&-".contains(&w[0])
        || w.iter().any(|c| b"/=".contains(c))
        || w.windows(2).any(|x| x == b"${" || x == b"%(")
        || (w.contains(&b'$') && w.contains(&b'.'))
        || w.windows(3)
            .any(|x| x[0].is_ascii_alphanumeric() && x[1] == b'$' && x[2].is_ascii_uppercase())
    {
        return false;
    }
    // `Foo@1a2b3c`, `FastLeaderElection@774`: an object or a class and a line, not a
    // password (`Shanghai@2024` is one).
    if let Some(at) = w.iter().rposition(|&c| c == b'@') {
        let class_name = at > 0
            && w[..at].iter().all(u8::is_ascii_alphabetic)
            && w[..at].iter().filter(|c| c.is_ascii_uppercase()).count() >= 2;
        if at + 1 < w.len()
            && w[at + 1..].iter().all(u8::is_ascii_hexdigit)
            && (w.len() - at > 6 || class_name)
        {
            return false;
        }
    }
    if let Some(at) = w.iter().position(|&c| c == b'@') {
        // `ops.Team2@Corp.example`: a mail address or `user@host`.
        if dotted_name(&w[at + 1..]) {
            return false;
        }
    }
    let sym = w.iter().any(|c| b"!#$%&*@^~?+".contains(c));
    // (without upper case, two leetspeak digits stand for it: `goph3r3mb3r6!`)
    let leet = || {
        w.windows(3)
            .filter(|x| {
                x[0].is_ascii_lowercase() && b"013457".contains(&x[1]) && x[2].is_ascii_lowercase()
            })
            .count()
            >= 2
    };
    sym && (w.iter().any(u8::is_ascii_uppercase) || leet())
        && w.iter().any(u8::is_ascii_lowercase)
        && w.iter().any(u8::is_ascii_digit)
}

/// A chosen password in leetspeak, anywhere: 8–40 letters, digits and `_-.` with upper
/// and lower case and a digit standing for a letter (`Pgb0uncerApp`, `N4giosIpmi`,
/// `h4rdw4re_0ps` with upper case). `Log4jLogger`, `Win32Error`, `Ipv4Address`,
/// `e1000e` are not taken: the digit must be a single `0 1 3 4 5 7` followed by a
/// lowercase letter other than `j`, and not after `v` (`ipv4`).
pub(super) fn leet_word(w: &[u8]) -> bool {
    if w.len() < 8
        || w.len() > 40
        || !w
            .iter()
            .all(|c| c.is_ascii_alphanumeric() || b"_-.".contains(c))
        || !w.iter().any(u8::is_ascii_uppercase)
        || !w.iter().any(u8::is_ascii_lowercase)
    {
        return false;
    }
    // Word-like: at most three digits, a run of four lowercase letters, mostly lower
    // case (`steps0mLastReport7214`, `VXNlcm5hbWU6` are not).
    let digits = w.iter().filter(|c| c.is_ascii_digit()).count();
    let letters = w.iter().filter(|c| c.is_ascii_alphabetic()).count();
    let upper = w.iter().filter(|c| c.is_ascii_uppercase()).count();
    let lower_run = w
        .split(|c| !c.is_ascii_lowercase())
        .map(<[u8]>::len)
        .max()
        .unwrap_or(0);
    let leet = w
        .windows(3)
        .filter(|x| {
            x[0].is_ascii_alphabetic()
                && !x[0].eq_ignore_ascii_case(&b'v')
                && b"013457".contains(&x[1])
                && x[2].is_ascii_lowercase()
                && x[2] != b'j'
        })
        .count();
    // Two substitutions make up for short words (`Us3rid-L0ck`).
    digits <= 3
        && (lower_run >= 4 || (leet >= 2 && lower_run >= 2))
        && upper * 5 <= letters * 2
        && leet >= 1
}

/// Whether a value looks like a generated secret: 8+ characters of a token alphabet
/// with both letters and digits (`Xk3j9Qa2`, not `password`, `db.name`, `user:123`).
pub(super) fn shaped(v: &[u8]) -> bool {
    v.len() >= 8
        && v.iter()
            .all(|c| c.is_ascii_alphanumeric() || b"+/=_-".contains(c))
        && v.iter().any(u8::is_ascii_digit)
        && v.iter().any(u8::is_ascii_alphabetic)
}

/// Whether a span is a mask that already hides a value (`***`, `•••`) or a tool's own
/// placeholder (Ansible's `no_log`).
pub(super) fn is_mask(v: &str) -> bool {
    let vb = v.as_bytes();
    let bracketed = vb.len() >= 3
        && matches!(
            (vb[0], vb[vb.len() - 1]),
            (b'<', b'>') | (b'[', b']') | (b'(', b')') | (b'{', b'}')
        )
        && vb[1..vb.len() - 1]
            .iter()
            .all(|c| c.is_ascii_alphabetic() || matches!(c, b'_' | b'-' | b' '));
    (!v.is_empty() && v.chars().all(|c| matches!(c, '*' | '•')))
        || bracketed
        || v == "VALUE_SPECIFIED_IN_NO_LOG_PARAMETER"
}

/// 6+ characters with letters, digits and punctuation (`Eb!C#4Nt`).
pub(super) fn symbolic(v: &[u8]) -> bool {
    v.len() >= 6
        && v.iter().any(u8::is_ascii_digit)
        && v.iter().any(u8::is_ascii_alphabetic)
        && v.iter().any(|c| b"!@#%^&*?~+".contains(c))
        && !v.iter().any(|c| b"/[]{}()<>=,;:".contains(c))
}
