//! Secret redaction for free-form log text.
//!
//! [`Redactor::redact`] replaces secret *values* with [`REDACTED`] while keeping
//! the key, flag or URL around them, so the line stays readable. It understands
//! key/value syntax (`k=v`, `k: v`, JSON, Python reprs, query strings, headers,
//! XML elements, name/value pairs), URL userinfo, `Authorization` credentials of any
//! scheme, tokens with a known prefix (`ghp_`, `glpat-`, `xoxb-`, `AKIA`, ...), PEM
//! private keys, webhook URLs, crypt(3) hashes, network-device configuration
//! (Cisco/Junos/Arista `secret`, `key`, `community`), daemon directives (`rootpw`,
//! `requirepass`), `.netrc`/`.pgpass` lines, and the command lines of common
//! provisioning tools (ipmitool, racadm, sshpass, mysql, smbclient, plink, htpasswd,
//! `echo … | chpasswd`, ...). Sensitive words only count in key/value position, so
//! prose such as "password policy updated" is left alone. Beyond the syntax it knows, a
//! word shaped like a generated secret a few words after a secret word goes, and so does
//! a word that is one by its shape alone (`Bind!Svc2024`, a 40-character random token).
//! The full rule set is described in `docs/redaction.md`.
//!
//! All patterns are compiled once per [`Redactor`]; matching is linear time and
//! never panics. Lines that contain none of the trigger words are rejected by a
//! single prefilter and returned as [`Cow::Borrowed`].

use regex::Regex;
use std::borrow::Cow;

mod encoded;
mod generic;
mod keys;
mod kind;
mod kv;
mod phrases;
mod rules;
mod shapes;
mod tokens;
mod tools;
mod values;

/// The text that replaces every redacted value.
pub const REDACTED: &str = "[REDACTED]";

/// Prefilter literals (case-insensitive): every rule needs one of these to fire.
const TRIGGERS: &str = "pass pwd pw secret token key auth cookie session credential creds \
    signature sig community bearer eyj :// -p -u identified maas redis-cli ldap snmp psk \
    passcode login wachtwoord senha parola contrase hasło haslo senord kennwort salasana \
    heslo jelsz lozinka sifre şifre parool geslo 密码 密碼 口令 パスワード пароль 비밀번호 \
    net.exe /p: /rp rabbitmqctl smcipmitool ipmicfg vmrun openssl \
    doctl oracle: sqlplus securestring $1$ $2a$ $2b$ $2y$ $5$ $6$ $7$ $8$ $9$ $y$ $gy$ \
    $apr1$ $argon2 :5432: :*: ]:587 ]:465 webhook hooks.slack /hooks/ ghp_ gho_ \
    ghu_ ghs_ ghr_ github_pat_ glpat- gldt- glrt- glptt- xox xapp- sk_live sk_test rk_live \
    rk_test whsec_ npm_ pypi- ya29. hvs. hvb. hvr. dop_v1 doo_v1 dor_v1 shpat_ shpss_ \
    shpca_ shppa_ hf_ age-secret glsa_ glc_ pmak- lin_api_ sq0atp- sq0csp- com2sec \
    createuser code= verifier kinit sessid connect.sid /bot setuser \
    wagwoord adgangskode sandi expdp impdp sqlldr rman dgmgrl cryptsetup schtasks \
    ascii-text glcbt- $2$ $2x$ $sha1$ $md5$ chpasswd authinfo tskey- unseal ktpass kty redfishtool ipmitool sentry grub.pbkdf2 gaaaaa sqp_ squ_ sqa_ \
    assword syscfg scram-sha- md5 check_http check_curl one-time tls-crypt tls-auth \
    %^%# atatt3 dckr_pat_ pbkdf2_ bcrypt_sha256$ snmp-server bkua_ events.pagerduty.com \
    bootstrappers kubeadm ::server: reset-admin-password /snmp create_user add_user adduser \
    new_user register_user cryptsetup http-basic github-oauth gitlab-token sapcontrol negotiate \\x00 \
    clave mdp k_g nrak- sntry pdbedit plain-text-password-value set-key pre-shared-secret";
/// Prefilter literals with blanks in them.
const SPACED_TRIGGERS: &[&str] = &[
    "net use",
    "net user",
    "]:25 ",
    "sudo -s",
    "<<<",
    "@tcp(",
    "@unix(",
    "temporary password",
    "communitydata",
    "recovery code",
    "recovery key",
    "backup code",
    "verification code",
];
/// Prefilter patterns that must match case-sensitively (they would hit common words
/// case-insensitively).
const CS_TRIGGERS: &[&str] = &[
    r"SG\.[A-Za-z0-9_-]{10}",
    r"AKCp|AKIA|ASIA|ABIA|ACCA|AIza",
    r"SK[0-9a-f]{32}|AC[0-9a-f]{32}|dapi[0-9a-f]{32}",
    r"sk-[A-Za-z0-9_-]{20}",
    r"\bpin\b|\bPIN\b|\bPin\b|\bpat\b|\bPAT\b|\bPat\b|[A-Z]_(?:PAT|PIN)\b",
    r"MII[A-Za-z0-9+/]{2}[AQgw]IBA(?:AK|DAN)|MIGHAgEAMBMG|MHcCAQEEI|MC4CAQAwBQYDK2VwBCIEI",
    r"sid=|SID=",
    r":aad3b435b51404ee|:AAD3B435B51404EE|:XXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX:|GR1348941",
    r"[0-9a-f]-us[0-9]",
    r"LTAI[A-Za-z0-9]{12}",
    r#"['"],[ \t]*[0-9]{2,5},[ \t]*['"]"#,
    r"> ?(?:AUTH|auth) ",
    r#",[ \t]*['"](?:admin|netops|root|administrator|Administrator|ADMIN|USERID|maas|ubuntu|operator|ops|svc_[A-Za-z0-9_]+)['"][ \t]*,[ \t]*['"]"#,
    r"\bLOGIN\b|\bPASS\b",
    r#":[ \t]*(?:EAP|XAUTH|PSK|NTLM)[ \t]+\""#,
    // user:password@host without a scheme; the class is printable ASCII without
    // `"` `'` `/` `:` `@`.
    r"[A-Za-z][A-Za-z0-9_.-]*:[!#-&(-.0-9;-?A-~]+@[A-Za-z0-9-]+\.",
    r#"[(\[,][ \t]*\\?['"][0-9]{1,3}\.[0-9]{1,3}\.[0-9]{1,3}\.[0-9]{1,3}\\?['"]"#,
];

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Class {
    Plain,
    /// `auth`: a credential, possibly after a well-known scheme word.
    Auth,
    /// `Authorization`: a scheme word (any) and a credential.
    Authz,
    Cookie,
    /// A bare `key`: a secret only when the value looks like one.
    Weak,
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
    /// Rejects keys that hold no vocabulary word (see `keys::vocabulary`).
    key_gate: Regex,
    /// Finds the words the generic rule starts from, in ASCII-lowercased text (so the
    /// pattern is case-sensitive literals: one fast scan).
    near_gate: Regex,
    kv: Regex,
    nv: Regex,
    xml: Regex,
    url: Regex,
    flag: Regex,
    tools: Regex,
    user_flag: Regex,
    /// Finds the rule needles present in a text in one pass.
    gate: Regex,
    /// Lowercase needle -> the indices of the needles it contains (itself included).
    needles: std::collections::HashMap<Vec<u8>, Vec<usize>>,
    needle_count: usize,
    /// Rule pattern, kind, and the indices of its needles (empty: always run).
    rules: Vec<(Regex, rules::Kind, Vec<usize>)>,
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
    /// passwd pwd pw pass passphrase passcode secret token apikey auth authorization
    /// cookie session credential(s) creds signature community psk` or the word for
    /// password in another language (`passwort`, `contraseña`, `hasło`, ...), when
    /// the last token ends in one of them (`dbpassword`, `authtoken`), when it ends in
    /// `key` after a qualifier (`api_key`, `secret_key`, `ssh_key`; not `key`,
    /// `cache.key`, `sort_key`), or when an earlier token is `password`, `secret` or
    /// `credential(s)` and the last one is not metadata such as `file`, `policy`, `id`,
    /// `name`, `ttl` (`password_hash` counts, `password_file` does not). `pin` and
    /// `pat` count only as the whole key. Keys containing `public` or `existing`, or
    /// starting with a switch word (`ask_`, `no_`, `use_`, `has_`, ...) never count.
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
            .map(|k| keys::tokens(k.as_ref()).concat())
            .filter(|k| !k.is_empty())
            .collect();
        let mut alts: Vec<String> = keys::words(TRIGGERS)
            .chain(SPACED_TRIGGERS.iter().copied())
            .map(regex::escape)
            .collect();
        for e in &extra {
            // Allow separators between the characters so `PIN-CODE` hits `pincode`.
            let chars: Vec<String> = e.chars().map(|c| regex::escape(&c.to_string())).collect();
            alts.push(chars.join("[-_.:]*"));
        }
        let prefilter = format!("(?i:{})|(?-u:{})", alts.join("|"), CS_TRIGGERS.join("|"));
        let vocab: Vec<String> = keys::vocabulary()
            .into_iter()
            .map(regex::escape)
            .chain(extra.iter().map(|e| {
                // Extra keys are normalised; the raw key may still hold separators.
                let chars: Vec<String> = e.chars().map(|c| regex::escape(&c.to_string())).collect();
                chars.join("[-_.:]*")
            }))
            .collect();
        let table = rules::table();
        let mut needles: Vec<&'static str> = table
            .iter()
            .flat_map(|t| t.2.split('|'))
            .filter(|n| !n.is_empty())
            .collect();
        needles.sort_by(|a, b| b.len().cmp(&a.len()).then(a.cmp(b)));
        needles.dedup();
        let gate = needles
            .iter()
            .map(|n| regex::escape(n))
            .collect::<Vec<_>>()
            .join("|");
        Redactor {
            prefilter: re(&prefilter),
            key_gate: re(&format!("(?i:{})", vocab.join("|"))),
            near_gate: re(&generic::gate_pattern()),
            kv: re(r#"(?:\\*["'])?[\w--\d][\w.\-]*(?:\\*["'])?[ \t]*(?:=>|=|:)[ \t]*"#),
            nv: re(kv::NAME_VALUE),
            xml: re(r"<[A-Za-z_][A-Za-z0-9_.:\-]*(?:[ \t][^<>\n]*)?>[^<\n]*</"),
            url: re(r#"(?i)[a-z][a-z0-9+.\-]*://[^\s/?#:"'<>\\]*:[^\s/?"'<>\\]*@"#),
            flag: re(r#"(?m)(?:^|[\s"'(;|&\[=,])--?[A-Za-z][A-Za-z0-9_\-]*"#),
            tools: re(tools::TOOLS),
            user_flag: re(r"(?:^|\s)(?:(?:-u|-U|--user|--username)(?:[\s=]|$)|-l[ \t]+[A-Za-z])"),
            gate: re(&format!("(?i-u:{gate})")),
            rules: table
                .iter()
                .map(|&(p, k, n)| {
                    let idx = n
                        .split('|')
                        .filter(|n| !n.is_empty())
                        .filter_map(|n| needles.iter().position(|x| *x == n))
                        .collect();
                    (re(p), k, idx)
                })
                .collect(),
            needle_count: needles.len(),
            needles: needles
                .iter()
                .map(|n| {
                    let inner = (0..needles.len())
                        .filter(|&j| n.contains(needles[j]))
                        .collect();
                    (n.as_bytes().to_vec(), inner)
                })
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
    /// `ipmi_pass`, `clientSecret`, `api_key` are sensitive, `keyboard`,
    /// `password_file`, `token_count`, `session_id`, `public_key`, `key`, `cache.key`
    /// are not.
    #[must_use]
    pub fn is_sensitive_key(&self, key: &str) -> bool {
        self.classify(key).is_some_and(|c| c != Class::Weak)
    }

    fn classify(&self, key: &str) -> Option<Class> {
        if !self.key_gate.is_match(key) {
            return None;
        }
        keys::classify(key, &self.extra)
    }

    /// Whether `text` holds any trigger word, a word that is a secret by its shape
    /// (`Bind!Svc2024`: upper and lower case, a digit and a symbol) or base64 of one, i.e.
    /// whether [`Redactor::redact`] has to look at it closely. `false` means `redact` returns the text unchanged; `true` does not
    /// mean there is a secret.
    ///
    /// ```
    /// use hwlog::redact::Redactor;
    ///
    /// let r = Redactor::new();
    /// assert!(!r.may_contain_secret("chassis power status queried host=10.0.0.5"));
    /// assert!(r.may_contain_secret("password policy updated"));
    /// ```
    #[must_use]
    pub fn may_contain_secret(&self, text: &str) -> bool {
        if text.is_empty() {
            return false;
        }
        if self.prefilter.is_match(text) {
            return true;
        }
        let mut spans = Vec::new();
        let encoded = generic::scan_anywhere(text, &mut spans);
        if spans.is_empty() && !encoded.is_empty() {
            self.scan_encoded(text, &encoded, &mut spans);
        }
        !spans.is_empty()
    }

    /// Redact secrets inside free text. Returns `Cow::Borrowed` when nothing
    /// changed; text without any trigger word is rejected by one prefilter scan
    /// (and one scan for a password-shaped word, see `docs/redaction.md`).
    /// Values that already read `[REDACTED]` are left alone, so redacting a
    /// redacted line again changes nothing (checked over the test corpora).
    #[must_use]
    pub fn redact<'a>(&self, text: &'a str) -> Cow<'a, str> {
        self.redact_with(text, true)
    }

    /// [`Redactor::redact`] without looking into base64 (for decoded text: one level).
    fn redact_once<'a>(&self, text: &'a str) -> Cow<'a, str> {
        self.redact_with(text, false)
    }

    fn redact_with<'a>(&self, text: &'a str, decode: bool) -> Cow<'a, str> {
        if text.is_empty() {
            return Cow::Borrowed(text);
        }
        if !self.prefilter.is_match(text) {
            let mut spans = Vec::new();
            let encoded = generic::scan_anywhere(text, &mut spans);
            if decode && !encoded.is_empty() {
                self.scan_encoded(text, &encoded, &mut spans);
            }
            return apply(text, spans);
        }
        let mut spans = Vec::new();
        self.scan_kv(text, &mut spans);
        if text.contains('<') || text.contains("alue") || text.contains("ALUE") {
            self.scan_nv(text, &mut spans);
        }
        self.scan_markup(text, &mut spans);
        self.scan_rules(text, &mut spans);
        self.scan_flags(text, &mut spans);
        generic::scan_near(self, text, &mut spans);
        let encoded = generic::scan_anywhere(text, &mut spans);
        if decode && !encoded.is_empty() {
            self.scan_encoded(text, &encoded, &mut spans);
        }
        apply(text, spans)
    }

    fn scan_rules(&self, text: &str, spans: &mut Vec<(usize, usize)>) {
        let mut present = vec![false; self.needle_count];
        let mut buf = [0u8; 64];
        for m in self.gate.find_iter(text) {
            let found = m.as_str().as_bytes();
            let n = found.len().min(buf.len());
            for (d, s) in buf.iter_mut().zip(found) {
                *d = s.to_ascii_lowercase();
            }
            if let Some(ix) = self.needles.get(&buf[..n]) {
                for &i in ix {
                    present[i] = true;
                }
            }
        }
        for (rx, kind, idx) in &self.rules {
            if !idx.is_empty() && !idx.iter().any(|&i| present[i]) {
                continue;
            }
            let mut covered = 0;
            for m in rx.find_iter(text) {
                if m.start() < covered {
                    continue;
                }
                covered = rules::apply_rule(self, *kind, text, m.start(), m.end(), spans);
            }
        }
    }
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

/// Replace the (merged) spans with [`REDACTED`].
fn apply(text: &str, mut spans: Vec<(usize, usize)>) -> Cow<'_, str> {
    spans.retain(|&(s, e)| {
        s < e
            && text.is_char_boundary(s)
            && text.is_char_boundary(e)
            && text.get(s..e).is_some_and(|v| {
                // `AKIAIOSFODNN7EXAMPLE`, `wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY`: AWS's
                // documentation keys.
                v != REDACTED
                    && !values::is_mask(v)
                    && v != "AKIAIOSFODNN7EXAMPLE"
                    && v != "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
            })
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
