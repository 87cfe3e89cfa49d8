//! Key/value syntax: `k=v`, `k: v`, JSON/Python/Ruby pairs, name/value encodings,
//! XML elements and URL userinfo.

use super::shapes::shaped;
use super::values::{nss_source, parse_keyed, parse_value, phrase_key};
use super::{count_while, is_blank, span, Class, Redactor};

/// `name=`/`"key": "…"`/`<property name="…"` followed by the name of a setting; the
/// value is in a sibling `value` field (`{"name": "DB_PASSWORD", "value": "…"}`,
/// `<add key="ApiKey" value="…"/>`, `- name: X value: …`, `<entry key="x">…</entry>`).
pub(super) const NAME_VALUE: &str = r#"(?i)(?-u:\b)(?:name|key|header|field|param|parameter|parameterkey|variable|var|property|setting|attribute)(?:\\*["'])?[ \t]*[:=][ \t]*(?:\\*["'])?[\w.\-/:]+"#;

/// Words before `password:` that make it a prompt (`New password: Retype new password:`).
const PROMPTS: &[&str] = &[
    "new", "retype", "enter", "current", "old", "confirm", "repeat", "verify", "re-enter",
];

impl Redactor {
    pub(super) fn scan_kv(&self, text: &str, spans: &mut Vec<(usize, usize)>) {
        let b = text.as_bytes();
        let mut pos = 0;
        while pos < b.len() {
            let Some(m) = self.kv.find_at(text, pos) else {
                break;
            };
            pos = m.end();
            // Re-parse the match: [\\*quote] key [\\*quote] blanks sep blanks.
            let skip_quote = |i: usize| {
                let n = count_while(b, i, |c| c == b'\\');
                i + if matches!(b.get(i + n), Some(b'"' | b'\'')) {
                    n + 1
                } else {
                    0
                }
            };
            let ks = skip_quote(m.start());
            let ke = ks
                + text[ks..]
                    .char_indices()
                    .find(|&(_, c)| !(c.is_alphanumeric() || "_.-".contains(c)))
                    .map_or(text.len() - ks, |(i, _)| i);
            let sep = skip_quote(ke) + count_while(b, skip_quote(ke), is_blank);
            let next = b.get(sep + 1).copied();
            // LDIF `userPassword:: base64` (a blank after `::`) is a pair; `a::b` is a path.
            let ldif = b.get(sep) == Some(&b':')
                && next == Some(b':')
                && b.get(sep + 2).is_some_and(|c| is_blank(*c));
            let doubled = match b.get(sep) {
                Some(b':') => (next == Some(b':') && !ldif) || (ks >= 2 && &b[ks - 2..ks] == b"::"),
                Some(b'=') => next == Some(b'='),
                _ => false,
            };
            // `std::x: y`, `a == b`, and URL userinfo (left to the URL rule).
            let in_url = ks >= 2 && &b[ks - 2..ks] == b"//";
            // `arn:aws:secretsmanager:…:secret:NAME` names a secret, it is not one.
            // (looked for within 256 bytes before the key, so the scan stays linear)
            let from = ks.saturating_sub(256);
            let tok = b[from..ks]
                .iter()
                .rposition(|c| c.is_ascii_whitespace() || b"\"'=,([{".contains(c))
                .map_or(from, |i| from + i + 1);
            let in_arn = b[tok..ks].len() >= 4 && b[tok..tok + 4].eq_ignore_ascii_case(b"arn:");
            // `"Password:" send …`: the quote after the separator closes the string the
            // key opened, so this is a prompt, not a pair.
            let opened = (m.start()..ks)
                .rev()
                .find(|&i| matches!(b[i], b'"' | b'\''));
            let prompt = sep == ke && opened.is_some_and(|q| b.get(sep + 1) == Some(&b[q]));
            if doubled || in_url || in_arn || prompt {
                continue;
            }
            let vstart = if ldif {
                sep + 2 + count_while(b, sep + 2, is_blank)
            } else {
                pos
            };
            let key = &text[ks..ke];
            let Some(class) = self.classify(key) else {
                continue;
            };
            if self.skip_pair(text, key, ks, vstart) {
                continue;
            }
            if class == Class::Weak && after_public(b, ks) {
                continue;
            }
            if class == Class::Weak {
                // A bare `key`: only a secret-shaped value (`key=Xk3j9...`, `key = "T4c-K3y!"`)
                // counts; `routing_key`, `idempotency_key`: only a generated-looking one.
                let compound = key.contains(['_', '-', '.']);
                let (s, resume) = parse_value(text, vstart, None);
                let fits = |v: &[u8]| {
                    if compound {
                        generated(v)
                    } else {
                        shaped(v) || super::shapes::symbolic(v)
                    }
                };
                if let Some((s, e)) = s.filter(|&(s, e)| {
                    fits(&b[s..e]) && !super::values::not_secret(&text[s..e], b"")
                }) {
                    spans.push((s, e));
                }
                pos = pos.max(resume);
                continue;
            }
            // `MD5 PASSWORD  : User     : MD5`: a table of labels (`ipmitool lan print`);
            // a value followed by ` : ` is the next label.
            // (a short word: looked at within 64 bytes, so this stays linear)
            let te = vstart
                + b[vstart..b.len().min(vstart + 64)]
                    .iter()
                    .take_while(|c| !c.is_ascii_whitespace())
                    .count();
            let after = te + count_while(b, te, is_blank);
            if after > te
                && te < vstart + 64
                && b.get(after) == Some(&b':')
                && b.get(after + 1).is_some_and(|&c| is_blank(c))
            {
                pos = pos.max(te);
                continue;
            }
            // `"db-creds" : secret "maas-db"`: the value names a kind of object.
            let word_end = vstart
                + b[vstart..]
                    .iter()
                    .take(12)
                    .take_while(|c| c.is_ascii_alphabetic())
                    .count();
            let word = &b[vstart..word_end];
            if ["secret", "secrets", "token", "credentials"]
                .iter()
                .any(|w| word.eq_ignore_ascii_case(w.as_bytes()))
                && b.get(word_end).is_some_and(|&c| is_blank(c))
            {
                continue;
            }
            let resume = parse_keyed(text, vstart, class, phrase_key(key), spans);
            pos = pos.max(resume);
        }
    }

    /// Pairs that look sensitive but are not: the working directory (`PWD=/home/x`),
    /// PAM service tags (`pam_unix(passwd:chauthtok)`), nsswitch sources, prompts.
    fn skip_pair(&self, text: &str, key: &str, ks: usize, v: usize) -> bool {
        let b = text.as_bytes();
        let lower = key.to_ascii_lowercase();
        if lower == "pwd" && matches!(b.get(v), Some(b'/' | b'~')) {
            return true;
        }
        // Only the few bytes before the key matter (keeps the scan linear).
        let mut w = ks.saturating_sub(48);
        while !text.is_char_boundary(w) {
            w += 1;
        }
        let before = &text[w..ks];
        if before.ends_with('(')
            && before[..before.len() - 1]
                .rsplit(|c: char| !c.is_ascii_alphanumeric() && c != '_')
                .next()
                .is_some_and(|w| w.starts_with("pam_"))
        {
            return true;
        }
        if nss_source(&lower, b, v) {
            return true;
        }
        // `read -p 'Password: ' VAR`: a prompt inside a string (the value is its closing
        // quote).
        // (in JSON the key's own closing quote comes before the `:`)
        if ks > 0
            && matches!(b[ks - 1], b'"' | b'\'')
            && b.get(ks + key.len()) == Some(&b':')
            && v > ks + key.len() + 1
            && b.get(v) == Some(&b[ks - 1])
        {
            return true;
        }
        // `passwd: Authentication token manipulation error`: a program's message, not a
        // value (a capitalised word, then lower-case words).
        if b.get(ks + key.len()) == Some(&b':') && sentence_at(b, v) {
            return true;
        }
        let prev = before
            .trim_end_matches([' ', '\t'])
            .rsplit([' ', '\t'])
            .next()
            .unwrap_or("");
        before.ends_with([' ', '\t'])
            && PROMPTS.iter().any(|p| prev.eq_ignore_ascii_case(p))
            && b.get(ks + key.len()) == Some(&b':')
    }
}

/// A capitalised word of letters followed by two lower-case words at `p`.
fn sentence_at(b: &[u8], p: usize) -> bool {
    let word = |i: usize, first_upper: bool| -> Option<usize> {
        let first = *b.get(i)?;
        let ok = if first_upper {
            first.is_ascii_uppercase()
        } else {
            first.is_ascii_lowercase()
        };
        let n = 1 + count_while(b, i + 1, |c| c.is_ascii_lowercase());
        (ok && n >= 2 && b.get(i + n) == Some(&b' ')).then_some(i + n + 1)
    };
    let Some(a) = word(p, true).filter(|&a| a - p > 3) else {
        return false;
    };
    word(a, false)
        .and_then(|c| {
            word(c, false).or_else(|| {
                // the last word may end the line
                let n = count_while(b, c, |x| x.is_ascii_lowercase());
                (n >= 2 && b.get(c + n).is_none_or(|x| !x.is_ascii_alphanumeric())).then_some(c + n)
            })
        })
        .is_some()
}

impl Redactor {
    /// Name/value encodings: the value of the sibling `value` field is a secret when
    /// the name is a sensitive key.
    pub(super) fn scan_nv(&self, text: &str, spans: &mut Vec<(usize, usize)>) {
        let b = text.as_bytes();
        let mut covered = 0;
        for m in self.nv.find_iter(text) {
            if m.start() < covered {
                continue;
            }
            let name_end = m.end();
            let ms = m.as_str();
            let name_start = m.start()
                + ms.rfind(|c: char| "\"' \t:=\\".contains(c))
                    .map_or(0, |i| i + 1);
            let Some(class) = self.classify(&text[name_start..name_end]) else {
                continue;
            };
            if class == Class::Weak {
                continue;
            }
            let j = name_end + count_while(b, name_end, |c| matches!(c, b'\\' | b'"' | b'\''));
            if b.get(j) == Some(&b'>') {
                // <entry key="db.password">VALUE</entry>
                let e = j + 1 + count_while(b, j + 1, |c| c != b'<' && c != b'\n');
                if b.get(e) == Some(&b'<') {
                    spans.extend(span(j + 1, e));
                    covered = e;
                }
                continue;
            }
            // The `value` field: the next key in the same object, or a later one within
            // 512 bytes (`{"Name": "/x/password", "Type": "SecureString", "Value": …}`).
            let Some(k) = value_field(b, j) else {
                continue;
            };
            let k = k + 1 + count_while(b, k + 1, is_blank);
            covered = parse_keyed(text, k, class, false, spans);
        }
    }

    /// URL userinfo (`scheme://user:PASS@host`) and XML elements (`<Password>x</Password>`).
    pub(super) fn scan_markup(&self, text: &str, spans: &mut Vec<(usize, usize)>) {
        for m in self.url.find_iter(text) {
            // scheme://user:PASS@ -- the password follows the first ':' after "://".
            let auth = m.as_str().find("://").map_or(0, |i| i + 3);
            if let Some(c) = m.as_str()[auth..].find(':') {
                let (s, e) = (m.start() + auth + c + 1, m.end() - 1);
                // `postgresql://%(db_user)s:%(db_password)s@…`: a template.
                if !super::values::not_secret(&text[s..e], b"") {
                    spans.push((s, e));
                }
            }
        }
        for m in self.xml.find_iter(text) {
            // <key attrs>VALUE</
            let tag = m.as_str();
            let key_end = tag.find([' ', '\t', '>']).unwrap_or(1);
            let mut local = tag[1..key_end].rsplit(':').next().unwrap_or_default();
            if local.eq_ignore_ascii_case("value") {
                // Windows unattend: <AdministratorPassword><Value>pw</Value>
                let before = text[..m.start()].trim_end();
                // (the opening tag is looked for within 256 bytes: linear on any input)
                let lo = before.len().saturating_sub(256);
                let lo = (lo..before.len())
                    .find(|&i| before.is_char_boundary(i))
                    .unwrap_or(before.len());
                let lt = before[lo..].rfind('<').map(|i| lo + i);
                if let (true, Some(lt)) = (before.ends_with('>'), lt) {
                    let open = &before[lt + 1..before.len() - 1];
                    let name = open.split([' ', '\t']).next().unwrap_or_default();
                    local = name.rsplit(':').next().unwrap_or_default();
                }
            }
            if let (true, Some(gt)) = (self.is_sensitive_key(local), tag.find('>')) {
                spans.push((m.start() + gt + 1, m.end() - 2));
            }
        }
    }
}

/// The separator (`:` or `=`) after the `value`/`parametervalue` key that follows a name
/// at `j`: keys are looked for up to the end of the object (`}`), the line, or 512 bytes.
fn value_field(b: &[u8], j: usize) -> Option<usize> {
    let end = b.len().min(j + 512);
    let mut i = j;
    while i < end {
        match b[i] {
            b'}' | b'{' | b'\n' | b'<' => return None,
            c if c.is_ascii_alphabetic() => {
                let word = count_while(&b[..end], i, |c| c.is_ascii_alphanumeric() || c == b'_');
                let w = &b[i..i + word];
                let boundary =
                    i == j || matches!(b[i - 1], b'"' | b'\'' | b' ' | b'\t' | b',' | b';' | b'\\');
                i += word;
                if boundary
                    && (w.eq_ignore_ascii_case(b"value")
                        || w.eq_ignore_ascii_case(b"parametervalue"))
                {
                    let k = i + count_while(b, i, |c| matches!(c, b'\\' | b'"' | b'\''));
                    let k = k + count_while(b, k, is_blank);
                    if matches!(b.get(k), Some(b':' | b'=')) {
                        return Some(k);
                    }
                }
            }
            _ => i += 1,
        }
    }
    None
}

/// Whether the word before `p` is `public` (`public key: …`); looks at a few bytes only.
fn after_public(b: &[u8], p: usize) -> bool {
    let mut e = p;
    while e > 0 && matches!(b[e - 1], b' ' | b'\t' | b'_' | b'-' | b'.') {
        e -= 1;
    }
    e >= 6 && b[e - 6..e].eq_ignore_ascii_case(b"public")
}

/// Shaped, 12+ characters and without a run of 4+ lowercase letters (`c5455da26c1663c6`,
/// not `job-4412-retry-2`, `orders.created`).
fn generated(v: &[u8]) -> bool {
    shaped(v)
        && v.len() >= 12
        && v.split(|c| !c.is_ascii_lowercase())
            .all(|run| run.len() < 4)
}
