//! Secret redaction for free-form log text.
//!
//! [`Redactor::redact`] replaces secret *values* with [`REDACTED`] while keeping
//! the key, flag or URL around them, so the line stays readable. It understands
//! key/value syntax (`k=v`, `k: v`, JSON, Python reprs, query strings, headers,
//! XML elements), URL userinfo, `Authorization`/`Bearer` credentials, command
//! lines of common provisioning tools (ipmitool, racadm, sshpass, mysql, curl,
//! redis-cli, ldap*, snmp*), MAAS logins and SQL `IDENTIFIED BY` clauses.
//! Sensitive words only count in key/value position, so prose such as
//! "password policy updated" is left alone. The full rule set is described in
//! `docs/redaction.md`.
//!
//! All patterns are compiled once per [`Redactor`]; matching is linear time and
//! never panics. Lines that contain none of the trigger words are rejected by a
//! single prefilter and returned as [`Cow::Borrowed`].

use regex::Regex;
use std::borrow::Cow;

/// The text that replaces every redacted value.
pub const REDACTED: &str = "[REDACTED]";

/// A key is sensitive when its last token is one of these.
const LAST_WORDS: &str =
    "password passwd pwd pass passphrase secret token key apikey auth authorization cookie \
    session credential credentials signature community";
/// ...or when the whole key, separators removed, is one of these.
const JOINED: &str = "sshpass sig secretid privatekey secretkey accesskey setcookie";
/// ...or when its last token ends with one of these (`dbpassword`, `authtoken`).
const SUFFIXES: &str =
    "password passwd passphrase secret token apikey accesskey secretkey privatekey \
    sessionkey";
/// ...or when an earlier token is one of these and the last token is not benign
/// (`password_hash` is sensitive, `password_file` is not).
const STRONG: &str = "password passwd passphrase secret credential credentials";
/// Last tokens that describe *metadata about* a secret rather than the secret.
const BENIGN_LAST: &str =
    "file path dir policy length len min max ttl expiry expires expired expiration age id \
    ids name names count hint changed reset set required enabled type source env ref stdin \
    strength format rotation rotated updated prompt algorithm algo scheme version mode \
    field label url uri endpoint provider store manager backend engine kind location at \
    date time timeout arn method mount namespace size status valid validity complexity \
    history attempts retries reuse lifetime duration error errors exception failed failure \
    missing mismatch warning message msg rule rules check";
/// First tokens that turn a key into a boolean switch (`ask_pass`, `no_password`).
const BENIGN_FIRST: &str =
    "ask no prompt use require requires enable disable allow show skip has is";
/// Prefilter literals: every rule needs one of these (case-insensitively) to fire.
const TRIGGERS: &str =
    "pass pwd secret token key auth cookie session credential signature sig community \
    bearer eyj :// -p -u identified maas redis-cli ldap snmp";
/// `Authorization` schemes whose credential is the next word.
const SCHEMES: &str = "bearer basic token negotiate ntlm jwt bot apikey ssws";
/// Schemes carrying `k="v"` parameters; those are handled pair by pair.
const PARAM_SCHEMES: &str = "oauth digest aws4-hmac-sha256";

/// Phrases after which the next word (or quoted string) is a secret.
const PHRASES: &[&str] = &[
    // ipmitool user set password <id> <pw>
    r"(?i-u:\buser)[ \t]+(?i:set)[ \t]+(?i:password)[ \t]+[0-9]+[ \t]+",
    // racadm set iDRAC.Users.2.Password <pw>, onecli set IMM.Password_1 <pw>
    r"(?i)(?-u:\b)set[ \t]+[a-z0-9_\[\]]+\.[a-z0-9_.\[\]]*pass(?:word|wd)?[a-z0-9_]*[ \t]+",
    // iscsiadm ... -n node.session.auth.password -v <pw>
    r"(?i)[a-z0-9_.]*pass(?:word|wd)(?:_in)?[ \t]+-v[ \t]+",
    // racadm config -g cfgUserAdmin -o cfgUserAdminPassword [-i 2] <pw>
    r"(?i)(?:^|[ \t])-o[ \t]+cfg[a-z]*pass(?:word|wd)[ \t]+(?:-i[ \t]+[0-9]+[ \t]+)?",
    // SQL: CREATE USER ... IDENTIFIED [WITH plugin] BY 'pw'
    r"(?i)(?-u:\b)identified[ \t]+(?:with[ \t]+[a-z_]+[ \t]+)?by[ \t]+(?:password[ \t]+)?",
    // maas login <profile> <url> <api-key>
    r"(?i-u:\bmaas)[ \t]+(?i:login)[ \t]+\S+[ \t]+\S+[ \t]+",
];
/// Phrases that only count when a quoted string follows (SQL `PASSWORD 'pw'`,
/// `PASSWORD('pw')`, `SET PASSWORD [FOR u] = 'pw'`).
const QUOTED_PHRASES: &[&str] = &[
    r"(?i-u:\bpassword)(?:[ \t]+|[ \t]*\([ \t]*)",
    r"(?i-u:\bset)[ \t]+(?i:password)[ \t]+(?:(?i:for)[ \t]+\S+[ \t]*)?=[ \t]*",
];

const T_RACADM: u16 = 1;
const T_SSHPASS: u16 = 2;
const T_MYSQL: u16 = 4;
const T_REDIS: u16 = 8;
const T_LDAP: u16 = 16;
const T_SNMP: u16 = 32;
const T_IPMITOOL: u16 = 64;
const T_PARALLEL: u16 = 128;
const T_USERFLAG: u16 = 256;
const T_SSHKEYGEN: u16 = 512;

#[derive(Clone, Copy, PartialEq, Eq)]
enum Class {
    Plain,
    Auth,
    Cookie,
}

/// Compiled secret redactor for log text.
///
/// Build one (it compiles a handful of regexes) and share it; `redact` takes
/// `&self` and the type is `Clone + Send + Sync`.
///
/// ```
/// use hwlog::redact::{Redactor, REDACTED};
///
/// let r = Redactor::new();
/// let line = "ipmitool -I lanplus -H 10.0.0.5 -U admin -P hunter2 chassis status";
/// assert_eq!(
///     r.redact(line),
///     format!("ipmitool -I lanplus -H 10.0.0.5 -U admin -P {REDACTED} chassis status")
/// );
/// assert_eq!(
///     r.redact("db=postgres://hwlog:s3cr3t@db:5432/x"),
///     "db=postgres://hwlog:[REDACTED]@db:5432/x"
/// );
/// assert!(r.is_sensitive_key("X-Auth-Token"));
/// assert!(!r.is_sensitive_key("keyboard"));
/// // Ordinary text is returned borrowed, untouched.
/// assert!(matches!(r.redact("password policy updated"), std::borrow::Cow::Borrowed(_)));
/// ```
#[derive(Clone, Debug)]
pub struct Redactor {
    prefilter: Regex,
    kv: Regex,
    xml: Regex,
    url: Regex,
    bearer: Regex,
    jwt: Regex,
    flag: Regex,
    tools: Regex,
    user_flag: Regex,
    /// Value-introducing phrases; the bool means "only a quoted value counts".
    phrases: Vec<(Regex, bool)>,
    extra: Vec<String>,
}

impl Default for Redactor {
    fn default() -> Self {
        Self::new()
    }
}

fn re(pattern: &str) -> Regex {
    // Patterns are constants (or escaped user words); failure is a programming error.
    Regex::new(pattern).expect("redact: invalid built-in pattern")
}

impl Redactor {
    /// A redactor with the default sensitive-key vocabulary.
    ///
    /// Keys are split into lowercase tokens at `_ - . :` and camelCase
    /// boundaries. A key is sensitive when its last token is one of `password
    /// passwd pwd pass passphrase secret token key apikey auth authorization
    /// cookie session credential credentials signature community` (so
    /// `api_key`, `access_key`, `client_secret`, `oauth_token`, `set-cookie`,
    /// `X-Auth-Token` all count), when the last token ends in one of them
    /// (`dbpassword`, `authtoken`), or when an earlier token is `password`,
    /// `secret` or `credential(s)` and the last one is not metadata such as
    /// `file`, `policy`, `id`, `name`, `ttl` (`password_hash` counts,
    /// `password_file` does not). Keys containing `public` or starting with a
    /// switch word (`ask_`, `no_`, `use_`, `has_`, ...) never count.
    #[must_use]
    pub fn new() -> Self {
        Self::with_extra_keys(std::iter::empty::<&str>())
    }

    /// The default vocabulary plus `keys`. Each extra key is normalised the same
    /// way (lowercase, separators and camelCase removed); a key is then also
    /// sensitive if it equals an extra key, has it as last token, or (for extra
    /// keys of 4+ characters) ends with it.
    #[must_use]
    pub fn with_extra_keys<I: IntoIterator<Item = S>, S: AsRef<str>>(keys: I) -> Self {
        let extra: Vec<String> = keys
            .into_iter()
            .map(|k| tokens(k.as_ref()).concat())
            .filter(|k| !k.is_empty())
            .collect();
        let mut alts: Vec<String> = words(TRIGGERS).map(regex::escape).collect();
        for e in &extra {
            // Allow separators between the characters so `PIN-CODE` hits `pincode`.
            let chars: Vec<String> = e.chars().map(|c| regex::escape(&c.to_string())).collect();
            alts.push(chars.join("[-_.:]*"));
        }
        let tools = "racadm|sshpass|mysql|mysqldump|mysqladmin|mysqlsh|mariadb|mariadb-dump|redis-cli|\
            ldapsearch|ldapmodify|ldapadd|ldapdelete|ldapwhoami|ldappasswd|snmpwalk|snmpget|snmpset|\
            snmpbulkwalk|snmpbulkget|snmpgetnext|snmptrap|snmptable|ipmitool|xargs|iperf|iperf3|ssh-keygen";
        Redactor {
            prefilter: re(&format!("(?i-u:{})", alts.join("|"))),
            kv: re(r#"(?:\\*["'])?[A-Za-z_][A-Za-z0-9_.\-]*(?:\\*["'])?[ \t]*(?:=>|=|:)[ \t]*"#),
            xml: re(r"<[A-Za-z_][A-Za-z0-9_.:\-]*(?:[ \t][^<>\n]*)?>[^<\n]*</"),
            url: re(r#"(?i)[a-z][a-z0-9+.\-]*://[^\s/?#@:"'<>\\]*:[^\s/?#"'<>\\]*@"#),
            bearer: re(r"(?i-u:\bbearer)[ \t]+"),
            jwt: re(r"(?-u:\b)eyJ[A-Za-z0-9_\-]{8,}\.eyJ[A-Za-z0-9_\-]{8,}\.[A-Za-z0-9_\-]*"),
            flag: re(r#"(?m)(?:^|[\s"'(;|&])--?[A-Za-z][A-Za-z0-9_\-]*"#),
            tools: re(&format!(
                r#"(?i)(?:^|[\s/"'(;|&])(?:{tools})(?:$|[\s"';|&)])"#
            )),
            user_flag: re(r"(?:^|\s)(?:-u|-U|--user|--username)(?:[\s=]|$)"),
            phrases: PHRASES
                .iter()
                .map(|p| (re(p), false))
                .chain(QUOTED_PHRASES.iter().map(|p| (re(p), true)))
                .collect(),
            extra,
        }
    }

    /// Redacts a whole record in place: the message, every text field (a field whose key
    /// is sensitive loses its value whatever it is) and the error text.
    ///
    /// ```
    /// use hwlog::redact::{Redactor, REDACTED};
    /// use hwlog_core::{Level, Record};
    ///
    /// let mut rec = Record::new(Level::Info, "ipmi", "ipmitool -U admin -P hunter2 power on")
    ///     .with_field("password", 1234);
    /// Redactor::new().redact_record(&mut rec);
    /// assert_eq!(rec.message, format!("ipmitool -U admin -P {REDACTED} power on"));
    /// assert_eq!(rec.field("password").unwrap().to_string(), REDACTED);
    /// ```
    pub fn redact_record(&self, rec: &mut hwlog_core::Record) {
        let r = self;
        if let Cow::Owned(s) = r.redact(&rec.message) {
            rec.message = Cow::Owned(s);
        }
        for (k, v) in rec.fields.iter_mut() {
            if r.is_sensitive_key(k) {
                if !matches!(v, hwlog_core::Value::Null) {
                    *v = hwlog_core::Value::Str(Cow::Borrowed(REDACTED));
                }
                continue;
            }
            let redacted = match v {
                hwlog_core::Value::Str(s) => match r.redact(s) {
                    Cow::Owned(o) => Some(o),
                    Cow::Borrowed(_) => None,
                },
                hwlog_core::Value::Bytes(b) => {
                    let text = String::from_utf8_lossy(b);
                    match r.redact(&text) {
                        Cow::Owned(o) => Some(o),
                        Cow::Borrowed(_) => None,
                    }
                }
                _ => None,
            };
            if let Some(o) = redacted {
                *v = hwlog_core::Value::Str(Cow::Owned(o));
            }
        }
        if let Some(err) = &rec.error {
            if let Cow::Owned(o) = r.redact(err) {
                rec.error = Some(o);
            }
        }
    }

    /// Whether a structured field name is sensitive, so the caller should replace
    /// the whole field value. Case-insensitive; `db_password`, `X-Auth-Token`,
    /// `ipmi_pass`, `clientSecret` are sensitive, `keyboard`, `password_file`,
    /// `token_count`, `session_id`, `public_key` are not.
    #[must_use]
    pub fn is_sensitive_key(&self, key: &str) -> bool {
        self.classify(key).is_some()
    }

    fn classify(&self, key: &str) -> Option<Class> {
        let toks = tokens(key);
        let (first, last) = (toks.first()?, toks.last()?);
        let joined = toks.concat();
        let is = |set: &str, w: &str| words(set).any(|x| x == w);
        let extra = self
            .extra
            .iter()
            .any(|e| joined == *e || last == e || (e.len() >= 4 && joined.ends_with(e.as_str())));
        if !extra
            && (toks.iter().any(|t| t == "public") || (toks.len() > 1 && is(BENIGN_FIRST, first)))
        {
            return None;
        }
        let hit = extra
            || is(LAST_WORDS, last)
            || is(JOINED, &joined)
            || is(LAST_WORDS, &joined)
            || words(SUFFIXES).any(|s| last.ends_with(s) || joined.ends_with(s))
            || (!is(BENIGN_LAST, last)
                && toks[..toks.len() - 1]
                    .iter()
                    .any(|t| is(STRONG, t) || t.ends_with("password") || t.ends_with("passwd")));
        if !hit {
            None
        } else if last == "cookie" || joined == "setcookie" {
            Some(Class::Cookie)
        } else if last == "authorization" || last == "auth" {
            Some(Class::Auth)
        } else {
            Some(Class::Plain)
        }
    }

    /// Redact secrets inside free text. Returns `Cow::Borrowed` when nothing
    /// changed; text without any trigger word is rejected by one prefilter scan.
    /// Values that already read `[REDACTED]` are left alone, so redacting a
    /// redacted line again changes nothing (checked over the test corpus).
    #[must_use]
    pub fn redact<'a>(&self, text: &'a str) -> Cow<'a, str> {
        if text.is_empty() || !self.prefilter.is_match(text) {
            return Cow::Borrowed(text);
        }
        let mut spans = Vec::new();
        self.scan_kv(text, &mut spans);
        self.scan_regex_rules(text, &mut spans);
        self.scan_flags(text, &mut spans);
        apply(text, spans)
    }

    fn scan_kv(&self, text: &str, spans: &mut Vec<(usize, usize)>) {
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
            let ke = ks + count_while(b, ks, |c| c.is_ascii_alphanumeric() || b"_.-".contains(&c));
            let sep = skip_quote(ke) + count_while(b, skip_quote(ke), is_blank);
            let next = b.get(sep + 1).copied();
            let doubled = match b.get(sep) {
                Some(b':') => next == Some(b':') || (ks > 0 && b[ks - 1] == b':'),
                Some(b'=') => next == Some(b'='),
                _ => false,
            };
            // `std::x: y`, `a == b`, and URL userinfo (left to the URL rule).
            let in_url = ks >= 2 && &b[ks - 2..ks] == b"//";
            if doubled || in_url {
                continue;
            }
            let key = &text[ks..ke];
            // `PWD=/home/x` in an environment dump is the working directory.
            let cwd = key.eq_ignore_ascii_case("pwd") && matches!(b.get(pos), Some(b'/' | b'~'));
            if let Some(class) = self.classify(key).filter(|_| !cwd) {
                let (span, resume) = parse_value(text, m.end(), Some(class));
                spans.extend(span);
                pos = pos.max(resume);
            }
        }
    }

    fn scan_regex_rules(&self, text: &str, spans: &mut Vec<(usize, usize)>) {
        for m in self.url.find_iter(text) {
            // scheme://user:PASS@ -- the password follows the first ':' after "://".
            let auth = m.as_str().find("://").map_or(0, |i| i + 3);
            if let Some(c) = m.as_str()[auth..].find(':') {
                spans.push((m.start() + auth + c + 1, m.end() - 1));
            }
        }
        for m in self.xml.find_iter(text) {
            // <key attrs>VALUE</
            let tag = m.as_str();
            let key_end = tag.find([' ', '\t', '>']).unwrap_or(1);
            let local = tag[1..key_end].rsplit(':').next().unwrap_or_default();
            if let (true, Some(gt)) = (self.is_sensitive_key(local), tag.find('>')) {
                spans.push((m.start() + gt + 1, m.end() - 2));
            }
        }
        spans.extend(self.jwt.find_iter(text).map(|m| (m.start(), m.end())));
        let b = text.as_bytes();
        let mut covered = 0;
        for m in self.bearer.find_iter(text) {
            let start = m.end();
            if start < covered {
                continue;
            }
            let end = start + count_while(b, start, is_b64ish);
            let tok = &b[start..end];
            if tok.len() >= 20 || (tok.len() >= 8 && tok.iter().any(u8::is_ascii_digit)) {
                spans.push((start, end));
                covered = end;
            }
        }
        for (rx, quoted_only) in &self.phrases {
            let mut covered = 0;
            for m in rx.find_iter(text) {
                let p = m.end();
                if p < covered || p >= b.len() {
                    continue;
                }
                let quoted = matches!(b[p], b'"' | b'\'');
                if (*quoted_only && !quoted) || matches!(b[p], b'-' | b'<' | b'$' | b'\n' | b'\r') {
                    continue;
                }
                let (span, resume) = parse_value(text, p, None);
                spans.extend(span);
                covered = resume;
            }
        }
    }

    fn scan_flags(&self, text: &str, spans: &mut Vec<(usize, usize)>) {
        let b = text.as_bytes();
        let mut line = (usize::MAX, 0usize, 0u16); // (start, end, tool mask)
        let mut covered = 0;
        for m in self.flag.find_iter(text) {
            let f_start = m.start() + m.as_str().find('-').unwrap_or(0);
            if f_start < covered {
                continue;
            }
            let name = &text[f_start..m.end()];
            let after = m.end();
            if let Some(long) = name.strip_prefix("--") {
                let Some(v) = flag_value_start(b, f_start, after) else {
                    continue;
                };
                if tokens(long).last().is_some_and(|t| t == "user") {
                    covered = user_pass(text, v, spans);
                } else if !long.eq_ignore_ascii_case("key")
                    && self.is_sensitive_key(long)
                    && !flag_like(b, v)
                {
                    covered = push_value(text, v, spans);
                }
                continue;
            }
            if line.0 == usize::MAX || f_start >= line.1 {
                line = self.line_context(text, f_start, line.1);
            }
            let ctx = line.2;
            let letter = name.as_bytes()[1];
            if name.len() > 2 {
                // Attached value: mysql -pSECRET, sshpass -pSECRET, ipmitool -PSECRET.
                let ok = (letter == b'p' && ctx & (T_MYSQL | T_SSHPASS) != 0)
                    || (letter == b'P' && ctx & T_IPMITOOL != 0);
                if ok {
                    covered = push_value(text, f_start + 2, spans);
                }
                continue;
            }
            let Some(v) = flag_value_start(b, f_start, after) else {
                continue;
            };
            let redact = match letter {
                b'P' => ctx & (T_MYSQL | T_PARALLEL) == 0,
                b'N' => ctx & T_SSHKEYGEN != 0,
                b'p' if flag_like(b, v) => false,
                b'p' if ctx & (T_RACADM | T_SSHPASS | T_MYSQL) != 0 => true,
                b'p' => ctx & T_USERFLAG != 0 && !port_like(b, v),
                b'u' => {
                    covered = user_pass(text, v, spans);
                    false
                }
                b'a' => ctx & T_REDIS != 0,
                b'w' => ctx & T_LDAP != 0,
                b'A' | b'X' | b'c' => ctx & T_SNMP != 0,
                _ => false,
            };
            if redact {
                covered = push_value(text, v, spans);
            }
        }
    }

    /// Bounds and tool mask of the line holding `pos`. `from` (<= `pos`) is the
    /// end of the previous line looked at, so repeated calls stay linear.
    fn line_context(&self, text: &str, pos: usize, from: usize) -> (usize, usize, u16) {
        let b = text.as_bytes();
        let from = from.min(pos);
        let start = b[from..pos]
            .iter()
            .rposition(|&c| c == b'\n')
            .map_or(from, |i| from + i + 1);
        let end = pos + count_while(b, pos, |c| c != b'\n');
        let line = &text[start..end];
        let mut mask = 0;
        for m in self.tools.find_iter(line) {
            let t = m
                .as_str()
                .trim_matches(|c: char| !c.is_ascii_alphanumeric() && c != '-');
            let t = t.to_ascii_lowercase();
            mask |= match t.as_str() {
                "racadm" => T_RACADM,
                "sshpass" => T_SSHPASS,
                "redis-cli" => T_REDIS,
                "ipmitool" => T_IPMITOOL,
                "ssh-keygen" => T_SSHKEYGEN,
                "xargs" | "iperf" | "iperf3" => T_PARALLEL,
                t if t.starts_with("ldap") => T_LDAP,
                t if t.starts_with("snmp") => T_SNMP,
                _ => T_MYSQL,
            };
        }
        if self.user_flag.is_match(line) {
            mask |= T_USERFLAG;
        }
        (start, end, mask)
    }
}

/// The words of a space-separated word list.
fn words(list: &str) -> impl Iterator<Item = &str> {
    list.split_ascii_whitespace()
}

/// Lowercase ASCII-alphanumeric tokens of a key, split at separators and
/// camelCase boundaries: `X-Auth-Token` -> [x, auth, token], `dbPassword` -> [db, password].
fn tokens(key: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut cur = String::new();
    let mut prev_lower = false;
    for c in key.chars() {
        if !c.is_ascii_alphanumeric() {
            if !cur.is_empty() {
                out.push(std::mem::take(&mut cur));
            }
            prev_lower = false;
            continue;
        }
        if c.is_ascii_uppercase() && prev_lower && !cur.is_empty() {
            out.push(std::mem::take(&mut cur));
        }
        prev_lower = c.is_ascii_lowercase() || c.is_ascii_digit();
        cur.push(c.to_ascii_lowercase());
    }
    if !cur.is_empty() {
        out.push(cur);
    }
    out
}

/// Locate the secret value starting at `p`. `class` is set for the value of a
/// sensitive key (enables scheme, cookie, array and placeholder handling); flag
/// and phrase values are one quoted string or one word. Returns the span to
/// redact (if any) and the position where key scanning should resume.
fn parse_value(text: &str, p: usize, class: Option<Class>) -> (Option<(usize, usize)>, usize) {
    let b = text.as_bytes();
    if p >= b.len() || matches!(b[p], b'\n' | b'\r') {
        return (None, p);
    }
    if text[p..].starts_with(REDACTED) {
        return (None, p + REDACTED.len());
    }
    let bs = count_while(b, p, |c| c == b'\\');
    if let Some(&q @ (b'"' | b'\'')) = b.get(p + bs) {
        let cs = p + bs + 1;
        let (ce, after) = find_close(b, cs, q, bs);
        if class == Some(Class::Auth) {
            if let Some((word_end, rest)) = scheme_at(b, cs, ce) {
                return match rest {
                    None => (None, word_end),
                    Some(r) => (span(r, ce), after),
                };
            }
        }
        return (span(cs, ce), after);
    }
    if class.is_some() && b[p] == b'{' {
        return (None, p); // nested object: its own keys are scanned
    }
    if class.is_some() && b[p] == b'[' {
        let mut depth = 0usize;
        let mut i = p;
        while i < b.len() && !matches!(b[i], b'\n' | b'\r') {
            depth = match b[i] {
                b'[' => depth + 1,
                b']' => depth.saturating_sub(1),
                _ => depth,
            };
            if depth == 0 {
                return (span(p + 1, i), i + 1);
            }
            i += 1;
        }
        return (span(p + 1, i), i);
    }
    if class == Some(Class::Cookie) {
        let end = p + count_while(b, p, |c| !matches!(c, b'\n' | b'\r' | b'"' | b'\''));
        let trimmed = p + text[p..end].trim_end().len();
        return (span(p, trimmed), end);
    }
    let end = token_end(b, p);
    if class == Some(Class::Auth) {
        if let Some((word_end, rest)) = scheme_at(b, p, b.len()) {
            return match rest {
                None => (None, word_end),
                Some(r) => {
                    let e = token_end(b, r);
                    (span(r, e), e)
                }
            };
        }
    }
    let e = strip_closers(b, p, end);
    let word = &text[p..e];
    // Placeholders, not secrets: JSON null, Python None, MySQL's "(using password: YES)".
    if class.is_some()
        && (word.eq_ignore_ascii_case("null") || matches!(word, "None" | "YES" | "NO"))
    {
        return (None, end);
    }
    (span(p, e), end)
}

/// If `b[s..]` starts with an auth scheme word followed by blanks, return the end
/// of the word and (for credential schemes) where the credential starts.
fn scheme_at(b: &[u8], s: usize, limit: usize) -> Option<(usize, Option<usize>)> {
    let wlen = count_while(b, s, |c| c.is_ascii_alphanumeric() || c == b'-');
    let word = std::str::from_utf8(b.get(s..s + wlen)?)
        .ok()?
        .to_ascii_lowercase();
    let blanks = count_while(b, s + wlen, is_blank);
    let rest = s + wlen + blanks;
    if blanks == 0 || rest >= limit || matches!(b[rest], b'\n' | b'\r') {
        return None;
    }
    if words(PARAM_SCHEMES).any(|w| w == word) {
        Some((s + wlen, None))
    } else if words(SCHEMES).any(|w| w == word) {
        Some((s + wlen, Some(rest)))
    } else {
        None
    }
}

/// Find the closing quote `q` for content starting at `cs`, opened after `bs`
/// backslashes. Returns (content end, resume position). Unterminated quotes
/// extend to the end of the line.
fn find_close(b: &[u8], cs: usize, q: u8, bs: usize) -> (usize, usize) {
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
fn token_end(b: &[u8], p: usize) -> usize {
    let mut i = p;
    while let Some(&c) = b.get(i) {
        if c.is_ascii_whitespace() || b"&,;\"'".contains(&c) {
            break;
        } else if c == b'\\' {
            let run = count_while(b, i, |c| c == b'\\');
            if matches!(b.get(i + run), Some(b'"' | b'\'')) {
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
fn strip_closers(b: &[u8], s: usize, mut e: usize) -> usize {
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

/// Number of bytes from `from` on that satisfy `f`.
fn count_while(b: &[u8], from: usize, f: impl Fn(u8) -> bool) -> usize {
    b.get(from..)
        .map_or(0, |r| r.iter().take_while(|&&c| f(c)).count())
}

fn is_blank(c: u8) -> bool {
    c == b' ' || c == b'\t'
}

fn span(s: usize, e: usize) -> Option<(usize, usize)> {
    (e > s).then_some((s, e))
}

fn is_b64ish(c: u8) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, b'-' | b'.' | b'_' | b'~' | b'+' | b'/' | b'=')
}

/// Where a flag's value starts: after `=`, after blanks on the same line, or
/// the next element of a quoted argv list (`'-P', 'pw'`, `"-P","pw"`).
fn flag_value_start(b: &[u8], start: usize, after: usize) -> Option<usize> {
    match b.get(after)? {
        &q @ (b'"' | b'\'') if start > 0 && b[start - 1] == q => {
            let comma = after + 1 + count_while(b, after + 1, is_blank);
            let v = comma + 1 + count_while(b, comma + 1, is_blank);
            (b.get(comma) == Some(&b',') && matches!(b.get(v), Some(b'"' | b'\''))).then_some(v)
        }
        b'=' => Some(after + 1).filter(|&v| v < b.len() && !b[v].is_ascii_whitespace()),
        b' ' | b'\t' => {
            let v = after + count_while(b, after, is_blank);
            (v < b.len() && !matches!(b[v], b'\n' | b'\r')).then_some(v)
        }
        _ => None,
    }
}

/// `-x` / `--x` where a value was expected: the flag had no value.
fn flag_like(b: &[u8], v: usize) -> bool {
    b.get(v) == Some(&b'-')
        && b.get(v + 1)
            .is_some_and(|c| c.is_ascii_alphabetic() || *c == b'-')
}

/// `8080`, `8080:80`: a port mapping rather than a password.
fn port_like(b: &[u8], v: usize) -> bool {
    let w = &b[v..token_end(b, v)];
    !w.is_empty()
        && w.split(|&c| c == b':')
            .all(|p| (1..=5).contains(&p.len()) && p.iter().all(u8::is_ascii_digit))
}

fn push_value(text: &str, v: usize, spans: &mut Vec<(usize, usize)>) -> usize {
    let (s, resume) = parse_value(text, v, None);
    spans.extend(s);
    resume
}

/// `user:pass` after `-u`/`--user`: redact `pass` (not numeric `uid:gid`).
/// Returns how far later flags count as consumed: a plain `-u admin` consumes
/// nothing, so `-u -P x` still sees `-P`.
fn user_pass(text: &str, v: usize, spans: &mut Vec<(usize, usize)>) -> usize {
    let (s, resume) = parse_value(text, v, None);
    let quoted = matches!(text.as_bytes()[v], b'"' | b'\'' | b'\\');
    let Some((s, e)) = s else {
        return if quoted { resume } else { v };
    };
    let val = &text.as_bytes()[s..e];
    let digits = |x: &[u8]| !x.is_empty() && x.iter().all(u8::is_ascii_digit);
    match val.iter().position(|&c| c == b':') {
        Some(c) if !(digits(&val[..c]) && digits(&val[c + 1..])) => {
            spans.extend(span(s + c + 1, e));
            resume
        }
        _ if quoted => resume,
        _ => v,
    }
}

/// Replace the (merged) spans with [`REDACTED`].
fn apply(text: &str, mut spans: Vec<(usize, usize)>) -> Cow<'_, str> {
    spans.retain(|&(s, e)| {
        s < e
            && text.is_char_boundary(s)
            && text.is_char_boundary(e)
            && text.get(s..e).is_some_and(|v| v != REDACTED)
    });
    if spans.is_empty() {
        return Cow::Borrowed(text);
    }
    spans.sort_unstable();
    let mut out = String::with_capacity(text.len() + spans.len() * REDACTED.len());
    let (mut last, mut first) = (0, true);
    for (s, e) in spans {
        // Overlapping or touching spans collapse into one marker.
        if first || s > last {
            out.push_str(&text[last..s]);
            out.push_str(REDACTED);
            first = false;
        }
        last = last.max(e);
    }
    out.push_str(&text[last..]);
    Cow::Owned(out)
}

#[cfg(test)]
mod tests;
