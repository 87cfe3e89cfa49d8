//! Where a secret value starts and ends, and which values are not secrets at all
//! (states, placeholders, references, numbers with units).

use super::keys::words;
pub(super) use super::shapes::is_mask;
use super::{count_while, is_blank, span, Class, REDACTED};

/// `Authorization` schemes whose credential is the next word.
const SCHEMES: &str = "bearer basic token negotiate ntlm jwt bot apikey ssws sso key";
/// Schemes carrying `k="v"` parameters; those are handled pair by pair.
const PARAM_SCHEMES: &str = "oauth digest aws4-hmac-sha256 hawk";
/// Values that are a state or setting rather than a secret.
const STATES: &str = "true false yes no on off none null nil undefined unset empty \
    enabled disabled enable disable required optional ok default auto manual always never \
    prompt ask any all deny allow ignore missing invalid expired changed unchanged pending \
    redacted filtered masked hidden censored omitted removed sanitized scrubbed elided \
    sensitive password passwd credentials not priv encrypted localized local ldap radius \
    tacacs kerberos pam installed \
    creating creation still destroying destruction modifying modifications refreshing reading \
    n/a";
/// Words after a number that make it a quantity (`42 tests`, `90 days`).
const UNITS: &str = "s ms us ns m min mins h d w y sec secs second seconds minute minutes \
    hour hours day days week weeks month months year years kb mb gb tb b bytes % tests \
    test chars characters attempts attempt tries times retries items users errors \
    failures failed passed skipped";
/// Cookie attributes and preference cookies that never hold a session secret.
const COOKIE_PLAIN: &str = "path domain expires max-age samesite secure httponly priority \
    partitioned version comment lang language locale theme tz timezone currency country \
    region consent cookieconsent cookie_consent color_scheme dark_mode";
/// PowerShell's approved verbs (the common ones): `ConvertTo-SecureString` is a cmdlet.
const APPROVED_VERBS: &str = "Add Clear Close Copy Enter Exit Find Format Get Hide Join Lock \
    Move New Open Optimize Pop Push Redo Remove Rename Reset Resize Search Select Set Show Skip \
    Split Step Switch Undo Unlock Watch Connect Disconnect Read Receive Send Write Backup \
    Checkpoint Compare Compress ConvertFrom ConvertTo Dismount Edit Expand Export Group Import \
    Initialize Limit Merge Mount Out Publish Restore Save Sync Unpublish Update Approve Assert \
    Build Complete Confirm Deny Deploy Disable Enable Install Invoke Register Request Restart \
    Resume Start Stop Submit Suspend Uninstall Unregister Wait Debug Measure Ping Repair \
    Resolve Test Trace Block Grant Protect Revoke Unblock Unprotect Use";
/// Sources in `/etc/nsswitch.conf` (`passwd: files systemd`).
const NSS: &str = "files compat systemd sss nis nisplus db ldap winbind altfiles cache";

/// Locate the secret value starting at `p`. `class` is set for the value of a
/// sensitive key (enables scheme, cookie, array and placeholder handling); flag
/// and phrase values are one quoted string or one word. Returns the span to
/// redact (if any) and the position where key scanning should resume.
pub(super) fn parse_value(
    text: &str,
    p: usize,
    class: Option<Class>,
) -> (Option<(usize, usize)>, usize) {
    let b = text.as_bytes();
    if p >= b.len() || matches!(b[p], b'\n' | b'\r') {
        return (None, p);
    }
    if text[p..].starts_with(REDACTED) {
        return (None, p + REDACTED.len());
    }
    if text[p..].starts_with("-----BEGIN") {
        return (None, p); // PEM blocks are handled whole by their own rule
    }
    // Python bytes / raw / unicode literals: b'...', r"...".
    let p = if class.is_some()
        && matches!(b[p], b'b' | b'r' | b'u')
        && matches!(b.get(p + 1), Some(b'"' | b'\''))
    {
        p + 1
    } else {
        p
    };
    let bs = count_while(b, p, |c| c == b'\\');
    if let Some(&q @ (b'"' | b'\'')) = b.get(p + bs) {
        let cs = p + bs + 1;
        let (ce, after) = find_close(b, cs, q, bs);
        let content = text.get(cs..ce).unwrap_or("");
        if not_secret(content, &b[after.min(b.len())..]) {
            return (None, after);
        }
        return match class {
            // Parameter schemes: the pairs inside the quotes are scanned one by one.
            Some(c @ (Class::Auth | Class::Authz)) => match auth_span(b, cs, ce, true, c) {
                None => (None, cs),
                s => (s, after),
            },
            _ => (span(cs, ce), after),
        };
    }
    if class.is_some() && b[p] == b'<' {
        // `<set to the key 'token' in secret 'api'>` (kubectl describe): a description.
        let limit = b.len().min(p + 258);
        let close = p + 1 + count_while(&b[..limit], p + 1, |c| c != b'>' && c != b'\n');
        if b.get(close) == Some(&b'>') && b[p + 1..close].contains(&b' ') {
            return (None, close + 1);
        }
    }
    if class.is_some() && b[p] == b'{' {
        // ODBC braces quote a literal: `PWD={pa;ss}`; anything else is a nested object
        // whose own keys are scanned.
        // (a braced literal is at most 256 bytes: the scan stays linear)
        let limit = b.len().min(p + 258);
        let close = p + 1 + count_while(&b[..limit], p + 1, |c| c != b'}' && c != b'\n');
        let inner = &b[p + 1..close];
        // LDAP password schemes: `{SSHA}DPe8…`, `{CRYPT}$6$…`, `{PBKDF2-SHA256}…`: the
        // scheme and the hash are one value.
        let scheme = b.get(close) == Some(&b'}')
            && (2..=24).contains(&inner.len())
            && inner
                .iter()
                .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || *c == b'-');
        if scheme {
            let e = close
                + 1
                + count_while(b, close + 1, |c| {
                    !c.is_ascii_whitespace() && !b"\"',;}".contains(&c)
                });
            if e > close + 1 {
                return (span(p, e), e);
            }
        }
        let literal = b.get(close) == Some(&b'}')
            && !inner.is_empty()
            && !inner
                .iter()
                .any(|c| c.is_ascii_whitespace() || b"\"':=,{".contains(c));
        if literal && !not_secret(&text[p..=close], b"") {
            return (span(p + 1, close), close + 1);
        }
        return (None, p);
    }
    if class.is_some() && matches!(b[p], b'[' | b'(') {
        // `(sensitive value)`, `[hidden]`: a placeholder in words.
        let limit = b.len().min(p + 258);
        let close = p
            + 1
            + count_while(&b[..limit], p + 1, |c| {
                c.is_ascii_alphabetic() || b" _-".contains(&c)
            });
        if matches!(
            (b[p], b.get(close)),
            (b'(', Some(b')')) | (b'[', Some(b']'))
        ) {
            return (None, close + 1);
        }
        let end = token_end(b, p);
        if not_secret(&text[p..end], &b[end..]) {
            return (None, end);
        }
        return list_span(b, p, matches!(class, Some(Class::Auth | Class::Authz)));
    }
    let end = token_end(b, p);
    let e = strip_closers(b, p, end);
    let word = &text[p..e];
    if not_secret(word, &b[e..]) || reference_at(b, p) {
        return (None, end);
    }
    if let Some(c @ (Class::Auth | Class::Authz)) = class {
        return match auth_span(b, p, b.len(), false, c) {
            Some((s, _)) if s > p => {
                let e = strip_closers(b, s, token_end(b, s));
                (span(s, e), e)
            }
            other => (other.map(|(s, _)| (s, e)), end),
        };
    }
    (span(p, e), end)
}

/// `Authorization` values: keep a leading scheme word, redact the credential after it.
/// Parameter schemes (Digest, OAuth) are left to the pair-by-pair key scan. `quoted`
/// values may hold a credential with blanks, so the span runs to `ce`.
fn auth_span(b: &[u8], s: usize, ce: usize, quoted: bool, c: Class) -> Option<(usize, usize)> {
    let wlen = count_while(b, s, |c| {
        c.is_ascii_alphanumeric() || c == b'-' || c == b'_'
    });
    let word = std::str::from_utf8(&b[s..s + wlen])
        .ok()?
        .to_ascii_lowercase();
    let rest = s + wlen + count_while(b, s + wlen, is_blank);
    let has_rest = rest > s + wlen && rest < ce && !matches!(b[rest], b'\n' | b'\r');
    let known = words(SCHEMES).any(|w| w == word);
    if !known && c != Class::Authz && !words(PARAM_SCHEMES).any(|w| w == word) {
        // `dovecot: auth: client in: …`, `auth: Debug: …`: a process name before its
        // message, not a key (a word of letters, then more text).
        let lettered = wlen > 0 && b[s..s + wlen].iter().all(u8::is_ascii_alphabetic);
        if !quoted && has_rest && lettered && matches!(b.get(s + wlen), Some(b' ' | b':')) {
            return None;
        }
        // `auth=VALUE`: the first word is the credential.
        return span(s, if quoted { ce } else { token_end(b, s).min(ce) });
    }
    // `OAuth oauth_token="…", …` is scanned pair by pair; `OAuth 3t8svmia…` (one token, as
    // Statuspage and GitHub write it) is a credential.
    let one_token = has_rest && {
        let n = count_while(&b[..ce], rest, |c| {
            !c.is_ascii_whitespace() && !b"\",".contains(&c)
        });
        let t = &b[rest..rest + n];
        // (a token's `=` pads its end; `oauth_token="…"` is a pair)
        let pads = t.iter().rev().take_while(|&&c| c == b'=').count();
        let quoted_value = pads > 0 && matches!(b.get(rest + n), Some(b'"' | b'\''));
        !quoted_value && !t[..t.len() - pads].contains(&b'=')
    };
    if words(PARAM_SCHEMES).any(|w| w == word) && !one_token && (has_rest || ce == s + wlen) {
        return None;
    }
    if !has_rest {
        // A lone scheme word ("Authorization: Bearer") has no credential; a lone word is one
        // only when it looks like one (`authorization=rbac` names a mode).
        let lone = &b[s..token_end(b, s).min(ce)];
        // `PVEAPIToken=root@pam!automation=<token-uuid>`: a template.
        if placeholder_in(lone) {
            return None;
        }
        let credential =
            super::shapes::shaped(lone) || super::shapes::generated(lone, true) || lone.len() >= 16;
        return if known || !credential {
            None
        } else {
            span(s, ce)
        };
    }
    let cred_end = if quoted {
        ce
    } else {
        token_end(b, rest).min(ce)
    };
    let cred = &b[rest..cred_end];
    // `Credential=<redacted>/2024…`: a masked value.
    if placeholder_in(cred) {
        return None;
    }
    // `Bearer ${GITHUB_TOKEN}`, `Bearer $TOKEN`: a reference; `…=<token-uuid>`: a
    // template.
    if std::str::from_utf8(cred).is_ok_and(|v| not_secret(v, b""))
        || (cred.ends_with(b">") && cred.contains(&b'<'))
    {
        return None;
    }
    // `auth=basic user=x`: the next word is another pair, not a credential.
    if cred.contains(&b'=') && !cred.ends_with(b"=") && !known {
        return None;
    }
    if wlen >= 2 && b[s].is_ascii_alphabetic() {
        span(rest, cred_end)
    } else {
        span(s, cred_end)
    }
}

/// Whether `v` holds a placeholder such as `<redacted>` or `<token-uuid>`.
fn placeholder_in(v: &[u8]) -> bool {
    (0..v.len()).any(|o| placeholder_at(v, o))
}

/// Whether a placeholder (`<redacted>`, `<token-uuid>`: letters, `_ - ` and blanks between
/// `<` and `>`, within 64 bytes so every scan stays linear) starts at `o`.
fn placeholder_at(v: &[u8], o: usize) -> bool {
    v.get(o) == Some(&b'<')
        && v[o..v.len().min(o + 64)]
            .iter()
            .position(|&c| c == b'>')
            .is_some_and(|c| {
                c > 1
                    && v[o + 1..o + c]
                        .iter()
                        .all(|c| c.is_ascii_alphabetic() || b"_- ".contains(c))
            })
}

/// `[..]` / `(..)` values of sensitive keys. For `auth` keys a two-element tuple is
/// (user, password): only the second element goes.
fn list_span(b: &[u8], p: usize, auth: bool) -> (Option<(usize, usize)>, usize) {
    let (open, close) = if b[p] == b'(' {
        (b'(', b')')
    } else {
        (b'[', b']')
    };
    let mut depth = 0usize;
    let mut comma = None;
    let mut i = p;
    while i < b.len() && !matches!(b[i], b'\n' | b'\r') {
        if b[i] == open {
            depth += 1;
        } else if b[i] == close {
            depth = depth.saturating_sub(1);
        } else if b[i] == b',' && depth == 1 && comma.is_none() {
            comma = Some(i);
        }
        if depth == 0 {
            let (mut s, mut e) = match comma {
                Some(c) if auth => (c + 1 + count_while(b, c + 1, is_blank), i),
                _ => (p + 1, i),
            };
            while e > s && is_blank(b[e - 1]) {
                e -= 1;
            }
            if e >= s + 2 && matches!(b[s], b'"' | b'\'') && b[e - 1] == b[s] {
                (s, e) = (s + 1, e - 1);
            }
            return (span(s, e), i + 1);
        }
        i += 1;
    }
    (span(p + 1, i), i)
}

/// The value of a sensitive key at `p`: like [`parse_value`], but `Cookie` values are
/// split into pairs. Pushes the spans; returns the resume position.
pub(super) fn parse_keyed(
    text: &str,
    p: usize,
    class: Class,
    phrase: bool,
    spans: &mut Vec<(usize, usize)>,
) -> usize {
    let b = text.as_bytes();
    if class != Class::Cookie || p >= b.len() || text[p..].starts_with(REDACTED) {
        let (s, resume) = parse_value(text, p, Some(class));
        if let Some((s, e)) = s {
            let e = if phrase { passphrase_end(b, s, e) } else { e };
            spans.push((s, e));
            return resume.max(e);
        }
        return resume;
    }
    let bs = count_while(b, p, |c| c == b'\\');
    let (s, e, resume) = if let Some(&q @ (b'"' | b'\'')) = b.get(p + bs) {
        let (ce, after) = find_close(b, p + bs + 1, q, bs);
        (p + bs + 1, ce, after)
    } else {
        let e = p + count_while(b, p, |c| !matches!(c, b'\n' | b'\r' | b'"' | b'\''));
        (p, e, e)
    };
    cookie_spans(text, s, e, spans);
    resume
}

/// An unquoted value that runs on in plain words to the end of the line is a passphrase
/// (`PASSPHRASE: rocket fuel at dawn`, `userPassword: Winter is Coming 7`): where it ends.
/// At most five more words, each letters, digits and `'!?.-`, and nothing after them.
/// Only for keys that name a password or a passphrase (see [`phrase_key`]).
fn passphrase_end(b: &[u8], s: usize, e: usize) -> usize {
    if s == 0 || matches!(b[s - 1], b'"' | b'\'') || b.get(e).is_none_or(|&c| !is_blank(c)) {
        return e;
    }
    // `IPMI_PASSWORD=x ipmitool -E`: after `=` (a shell assignment) no word may be a flag.
    let mut k = s;
    while k > 0 && is_blank(b[k - 1]) {
        k -= 1;
    }
    let assignment = k > 0 && b[k - 1] == b'=';
    let mut i = e;
    for _ in 0..5 {
        let w = i + count_while(b, i, is_blank);
        let we = w + count_while(b, w, |c| c.is_ascii_alphanumeric() || b"'!?.-".contains(&c));
        if we == w {
            break;
        }
        if assignment && b[w] == b'-' {
            return e;
        }
        if we < b.len() && !matches!(b[we], b' ' | b'\t' | b'\n' | b'\r') {
            return e;
        }
        i = we;
    }
    let rest = i + count_while(b, i, is_blank);
    if i > e && (rest >= b.len() || matches!(b[rest], b'\n' | b'\r')) {
        i
    } else {
        e
    }
}

/// Whether a key names something a person types (`userPassword`, `RESTIC_PASSWORD`,
/// `DEPLOY_KEY_PASSPHRASE`), whose value may be words with blanks between them.
pub(super) fn phrase_key(key: &str) -> bool {
    super::keys::tokens(key).last().is_some_and(|t| {
        [
            "password",
            "passwd",
            "passphrase",
            "passwort",
            "secret",
            "pass",
            "pwd",
        ]
        .iter()
        .any(|w| t.ends_with(w))
    })
}

/// Redact the values inside a `Cookie`/`Set-Cookie` value (`s..e`), pair by pair;
/// attributes (`Path`, `Secure`) and preference cookies (`lang`, `theme`) stay.
fn cookie_spans(text: &str, s: usize, e: usize, spans: &mut Vec<(usize, usize)>) {
    let b = text.as_bytes();
    let mut i = s;
    let mut first = true;
    while i < e {
        let seg_end = i + b[i..e].iter().position(|&c| c == b';').unwrap_or(e - i);
        let seg = &text[i..seg_end];
        let vs0 = i + (seg.len() - seg.trim_start().len());
        let seg_t = seg.trim();
        if let Some(eq) = seg_t.find('=') {
            let name = seg_t[..eq].trim().to_ascii_lowercase();
            let raw = &seg_t[eq + 1..];
            let val = raw.trim();
            let vs = vs0 + eq + 1 + (raw.len() - raw.trim_start().len());
            // Preference and analytics cookies, and numbers (expiry times), hold no session.
            let plain = words(COOKIE_PLAIN).any(|w| w == name)
                || ["_ga", "_gid", "_gat", "_fbp", "_gcl", "_hj"]
                    .iter()
                    .any(|p| name.starts_with(p))
                || (!val.is_empty() && val.bytes().all(|c| c.is_ascii_digit()))
                // `sidebar=collapsed`: a word in a cookie not named for a session is a
                // preference.
                || (val.len() <= 12
                    && !val.is_empty()
                    && val.bytes().all(|c| c.is_ascii_lowercase())
                    && !["sess", "token", "auth", "csrf", "xsrf", "login"]
                        .iter()
                        .any(|w| name.contains(w))
                    && !name.ends_with("sid")
                    && !name.ends_with("key"));
            if !plain && !not_secret(val, b"") {
                spans.push((vs, vs + val.len()));
            }
        } else if first
            && !not_secret(seg_t, b"")
            && !words(COOKIE_PLAIN).any(|w| w.eq_ignore_ascii_case(seg_t))
        {
            spans.push((vs0, vs0 + seg_t.len()));
        }
        first = false;
        i = seg_end + 1;
    }
}

/// Whether `v` (the value, unquoted) is a state, placeholder, reference or quantity
/// rather than a secret. `after` is the text after the value.
pub(super) fn not_secret(v: &str, after: &[u8]) -> bool {
    let v = v.trim();
    if v.is_empty() || v == REDACTED {
        return true;
    }
    let lower = v.to_ascii_lowercase();
    if words(STATES).any(|w| w == lower) {
        return true;
    }
    // An HTTP method (`redfish.session: DELETE /redfish/v1/…`).
    if matches!(
        v,
        "GET" | "POST" | "PUT" | "DELETE" | "PATCH" | "HEAD" | "OPTIONS"
    ) {
        return true;
    }
    // Masks: ******, xxxxxx, ####, •••; `****************XuV` (a mask that shows the
    // last characters, as `aws configure list` prints keys).
    let stars = v.bytes().take_while(|&c| c == b'*').count();
    if v.chars().all(|c| c == '*')
        || (v.chars().count() >= 3 && v.chars().all(|c| matches!(c, '*' | 'x' | 'X' | '#' | '•')))
        || (stars >= 4 && v.len() - stars <= 4)
    {
        return true;
    }
    // `<redacted>/20240501/us-east-1/s3/aws4_request`: masked where it starts.
    if placeholder_at(v.as_bytes(), 0) {
        return true;
    }
    // Subresource integrity (`sha512-yz6M…==`, npm's `integrity`): a digest.
    if ["sha256-", "sha384-", "sha512-"]
        .iter()
        .any(|p| v.starts_with(p))
    {
        return true;
    }
    // Documentation placeholders: `YOUR_API_KEY_HERE`, `<your-token>`, `REPLACE_WITH_TOKEN`.
    let upper = v.to_ascii_uppercase();
    if (upper.starts_with("YOUR_")
        || upper.starts_with("YOUR-")
        || upper.ends_with("_HERE")
        || upper.starts_with("REPLACE_")
        || upper.starts_with("INSERT_"))
        && v.bytes()
            .all(|c| c.is_ascii_alphanumeric() || c == b'_' || c == b'-')
    {
        return true;
    }
    // Junos shows `/* SECRET-DATA */` for a hidden value.
    if (v.starts_with("/*") && v.ends_with("*/")) || v == "/*" {
        return true;
    }
    // `host key: ssh-ed25519 SHA256:…`: a key type, before public material.
    if matches!(
        v,
        "ssh-rsa" | "ssh-dss" | "ssh-ed25519" | "ssh-ed448" | "sk-ssh-ed25519@openssh.com"
    ) || v.starts_with("ecdsa-sha2-")
    {
        return true;
    }
    // `auth: password_reset_requested=false`: the next pair, not a value.
    if let Some((k, rest)) = v.split_once('=') {
        if k.len() >= 3
            && k.contains('_')
            && k.bytes()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == b'_')
            && !rest.is_empty()
            && !rest.starts_with('=')
        {
            return true;
        }
    }
    // `./bmc.pass`, `../secrets/db`, `~/.pgpass`: a relative path.
    if (v.starts_with("./") || v.starts_with("../") || v.starts_with("~/"))
        && v.bytes()
            .all(|c| c.is_ascii_alphanumeric() || b"./_-~".contains(&c))
    {
        return true;
    }
    // `17`: a count or an index; no secret has three digits or fewer.
    if v.len() <= 3 && v.bytes().all(|c| c.is_ascii_digit()) {
        return true;
    }
    // `iDRAC.Embedded.1#Users.2`: a dotted attribute path.
    if v.bytes().filter(|&c| c == b'.').count() >= 2
        && v.split('.').all(|p| {
            p.bytes().next().is_some_and(|c| c.is_ascii_alphanumeric())
                && p.len() <= 16
                && p.bytes()
                    .all(|c| c.is_ascii_alphanumeric() || b"#_-".contains(&c))
                // `fg.uWMvnH.iG9te` is a password with dots.
                && !p
                    .split(|c: char| !c.is_ascii_alphanumeric())
                    .any(|q| super::shapes::part_random(q.as_bytes()))
        })
        && v.bytes().filter(|c| c.is_ascii_digit()).count() * 2 < v.len()
        // (an attribute path has a capital or a `#`: `spruce.copper.otter.lemon` is a
        // passphrase)
        // (`Eigrp.Chain.Key1`, capitals with a digit, is one too)
        && (v.contains('#')
            || (v.bytes().any(|c| c.is_ascii_uppercase()) && !v.bytes().any(|c| c.is_ascii_digit())))
    {
        return true;
    }
    // Placeholders: <hidden>, [FILTERED], (redacted), {masked}.
    let vb = v.as_bytes();
    if vb.len() >= 3
        && matches!(
            (vb[0], vb[vb.len() - 1]),
            (b'<', b'>') | (b'[', b']') | (b'(', b')') | (b'{', b'}')
        )
        && vb[1..vb.len() - 1]
            .iter()
            .all(|c| c.is_ascii_alphabetic() || matches!(c, b'_' | b'-' | b' '))
    {
        return true;
    }
    // References: $VAR, ${VAR}, $(cmd), %VAR%, {{ tpl }}, #{x}, !vault, env:X, file:/x.
    // (`$Oyster1571`, mixed case with digits, is a password)
    let mixed = vb[1..].iter().any(u8::is_ascii_uppercase)
        && vb[1..].iter().any(u8::is_ascii_lowercase)
        && vb[1..].iter().any(u8::is_ascii_digit);
    if vb[0] == b'$'
        && vb.len() > 1
        && (matches!(vb[1], b'{' | b'(')
            || (!mixed
                && vb[1..]
                    .iter()
                    .all(|c| c.is_ascii_alphanumeric() || *c == b'_')))
    {
        return true;
    }
    // printf placeholders: `password=%s`
    if matches!(v, "%s" | "%r" | "%d" | "%v" | "%q" | "{}" | "?") {
        return true;
    }
    if vb[0] == b'%' && vb.len() > 2 && vb[vb.len() - 1] == b'%' {
        return true;
    }
    if v.starts_with("{{") || v.starts_with("#{") || v.starts_with("<%") || v.starts_with("%(") {
        return true;
    }
    // Terraform and HCL references: `var.db_password`, `local.x`, `data.vault_x.y`.
    if let Some((scope, rest)) = v.split_once('.') {
        if matches!(scope, "var" | "local" | "data" | "module" | "each" | "self")
            && !rest.is_empty()
            && rest
                .bytes()
                .all(|c| c.is_ascii_alphanumeric() || b"_.[]\"-".contains(&c))
        {
            return true;
        }
    }
    // A PowerShell cmdlet on the right of an assignment (`$pw = ConvertTo-SecureString …`).
    if let Some((verb, noun)) = v.trim_start_matches('(').split_once('-') {
        let word = |w: &str, min: usize| {
            w.len() >= min
                && w.starts_with(|c: char| c.is_ascii_uppercase())
                && w.chars().all(|c| c.is_ascii_alphabetic())
                && w.chars().any(|c| c.is_ascii_lowercase())
        };
        // (an approved verb: `RfTool-Grace` is a password)
        let approved = APPROVED_VERBS.split_ascii_whitespace().any(|v| v == verb);
        if approved && word(verb, 3) && word(noun, 4) && after.first().is_some_and(|c| is_blank(*c))
        {
            return true;
        }
    }
    // YAML tags (`!vault |`, `!secret db_pw`).
    if vb[0] == b'!' && vb.len() > 2 && vb[1..].iter().all(|c| c.is_ascii_lowercase() || *c == b'_')
    {
        return true;
    }
    if [
        "env:",
        "file:",
        "fd:",
        "stdin",
        "vault:",
        "@/",
        "@~",
        "hmac-sha256:",
        "ref+",
        "arn:",
    ]
    .iter()
    .any(|r| lower.starts_with(r))
    {
        return true;
    }
    // File paths: /run/secrets/db, ~/.pw, ./x/y.
    if path_like(vb) {
        return true;
    }
    // Quantities: 30s, 90d, "42 tests".
    let digits = count_while(vb, 0, |c| c.is_ascii_digit() || c == b'.');
    if digits > 0 && vb[0].is_ascii_digit() {
        let unit = &lower[digits..];
        if digits == vb.len() {
            let next: String = after
                .iter()
                .skip_while(|c| is_blank(**c))
                .take_while(|c| c.is_ascii_alphabetic() || **c == b'%')
                .map(|c| c.to_ascii_lowercase() as char)
                .collect();
            let blank = after.first().is_some_and(|c| is_blank(*c));
            return blank && !next.is_empty() && words(UNITS).any(|w| w == next);
        }
        return words(UNITS).any(|w| w == unit);
    }
    false
}

fn path_like(v: &[u8]) -> bool {
    let rest = if v.starts_with(b"~/") || v.starts_with(b"./") {
        &v[1..]
    } else if v.starts_with(b"../") {
        &v[2..]
    } else {
        v
    };
    rest.first() == Some(&b'/')
        && rest.iter().filter(|&&c| c == b'/').count() >= 2
        && rest[1..].split(|&c| c == b'/').all(|s| {
            s.iter()
                .all(|c| c.is_ascii_alphanumeric() || b"._-@".contains(c))
        })
}

/// Code rather than a literal: `env("X")`, `os.environ['X']`, `kwargs.pop('x', None)`.
/// (the call closes within 256 bytes: looked at from many places, the scan stays linear)
fn reference_at(b: &[u8], p: usize) -> bool {
    let n = count_while(b, p, |c| {
        c.is_ascii_alphanumeric() || c == b'_' || c == b'.'
    });
    n > 0
        && b[p].is_ascii_alphabetic()
        && matches!(b.get(p + n), Some(b'(' | b'['))
        && b[p + n..]
            .iter()
            .take(256)
            .take_while(|c| **c != b'\n')
            .any(|c| matches!(c, b')' | b']'))
}

/// `passwd: files systemd` in an nsswitch dump.
pub(super) fn nss_source(key: &str, b: &[u8], p: usize) -> bool {
    matches!(key, "passwd" | "shadow" | "group")
        && words(NSS).any(|w| {
            b.get(p..p + w.len()) == Some(w.as_bytes())
                && b.get(p + w.len())
                    .is_none_or(|c| !c.is_ascii_alphanumeric())
        })
}

/// Find the closing quote `q` for content starting at `cs`, opened after `bs`
/// backslashes. Returns (content end, resume position). Unterminated quotes
/// extend to the end of the line.
pub(super) fn find_close(b: &[u8], cs: usize, q: u8, bs: usize) -> (usize, usize) {
    let mut run = 0;
    for (i, &c) in b.iter().enumerate().skip(cs) {
        match c {
            b'\\' => run += 1,
            b'\n' | b'\r' => return (i, i),
            c if c == q && ((bs == 0 && run % 2 == 0) || (bs > 0 && run == bs)) => {
                return (i - bs, i + 1);
            }
            _ => run = 0,
        }
    }
    (b.len(), b.len())
}

/// End of an unquoted value: whitespace, `& , ; " '`, or a backslash-escaped quote.
pub(super) fn token_end(b: &[u8], p: usize) -> usize {
    let mut i = p;
    while let Some(&c) = b.get(i) {
        if c.is_ascii_whitespace() || b"&,;\"'".contains(&c) {
            break;
        } else if c == b'\\' {
            let run = count_while(b, i, |c| c == b'\\');
            if matches!(b.get(i + run), Some(b'"' | b'\'') | None) || b.get(i + run) == Some(&b'n')
            {
                break;
            }
            i += run;
        } else {
            i += 1;
        }
    }
    i
}

/// Drop trailing `) ] }` that have no opener inside the value (`{password=x}`).
pub(super) fn strip_closers(b: &[u8], s: usize, mut e: usize) -> usize {
    const PAIRS: [(u8, u8); 3] = [(b'(', b')'), (b'[', b']'), (b'{', b'}')];
    if b[s..e].ends_with(REDACTED.as_bytes()) {
        return e;
    }
    let count = |o: u8, c: u8| {
        let n = |x: u8| b[s..e].iter().filter(|&&y| y == x).count() as isize;
        n(o) - n(c)
    };
    let mut bal = PAIRS.map(|(o, c)| count(o, c));
    while let Some(k) = PAIRS.iter().position(|&(_, c)| e > s && b[e - 1] == c) {
        if bal[k] >= 0 {
            break;
        }
        bal[k] += 1;
        e -= 1;
    }
    e
}
