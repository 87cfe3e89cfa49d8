//! The sensitive-key vocabulary and key classification.

use super::Class;

/// A key is sensitive when its last token is one of these (English words, short
/// forms, and the word for "password" in other languages).
const LAST_WORDS: &str = "password passwd pwd pass passphrase secret token apikey auth \
    authorization cookie cookies session credential credentials creds signature community \
    psk pw pword passcode authtok verifier \
    passwort kennwort wachtwoord wagwoord senha parola contraseña contrasena passe hasło \
    haslo lösenord losenord salasana heslo jelszó jelszo adgangskode passord lozinka şifre \
    sifre parool geslo 密码 密碼 口令 パスワード пароль 비밀번호 clave mdp";
/// ...or when the whole key, separators removed, is one of these.
const JOINED: &str =
    "sshpass sig secretid privatekey secretkey accesskey setcookie motdepasse katasandi \
    phpsessid jsessionid connectsid paroladordine palavrapasse clientkeydata \
    newpass oldpass curpass currentpass userpass adminpass rootpass dbpass mypass apppass \
    confirmpass newpw oldpw kg kgkey devicecode";
/// Short words that are only a key on their own (`PIN: 1234`, `pat=...`): as a part of a
/// longer key they usually mean something else (`gpio_pin`, `pin_memory`, `url_pattern`).
const WHOLE_ONLY: &str = "pin pat";
/// ...or when its last token ends with one of these (`dbpassword`, `authtoken`).
const SUFFIXES: &str = "password passwd passphrase secret token apikey accesskey secretkey \
    privatekey sessionkey masterkey signingkey encryptionkey licensekey authtok passwort \
    authkey securitykey";
/// ...or when an earlier token is one of these and the last token is not benign
/// (`password_hash` is sensitive, `password_file` is not).
const STRONG: &str = "password passwd passphrase secret credential credentials";
/// A key ending in `key` is sensitive only when an earlier token says what kind of key
/// it is (`api_key`, `secret_key`, `ssh_key`); `key`, `cache.key`, `sort_key`,
/// `s3.object.key` name lookup keys.
const KEY_QUALIFIERS: &str = "api secret private access signing sign encryption encrypt \
    decryption decrypt client master license licence ssh hmac auth shared preshared psk \
    crypto session consumer app application service account storage subscription webhook \
    deploy wrapping aes gpg pgp jwt token secure cipher enc otp totp mfa recovery root \
    admin tls ssl ingest write management certificate";
/// Last tokens that describe *metadata about* a secret rather than the secret.
const BENIGN_LAST: &str =
    "file path dir policy length len min max ttl expiry expires expired expiration age id \
    ids name names count hint changed reset set required enabled type source env ref stdin \
    strength format rotation rotated updated prompt algorithm algo scheme version mode \
    field label url uri endpoint provider store manager backend engine kind location at \
    date time timeout arn method mount namespace size status valid validity complexity \
    history attempts retries reuse lifetime duration error errors exception failed failure \
    missing mismatch warning message msg rule rules check days hours minutes seconds weeks \
    months secs mins ms authentication login helper encryption interval period uses num \
    encoder encoding hasher hashers hashing iterations rounds maps map sync syncer operator \
    controller injector rotator";
/// First tokens that turn a key into a boolean switch (`ask_pass`, `no_password`).
const BENIGN_FIRST: &str =
    "ask no prompt use require requires enable disable allow show skip has is";
/// Tokens that make any key non-sensitive: `public_key`, `auth.existingSecret` (the
/// name of a secret object, not its value).
const NEVER: &str = "public existing";

/// Every word a sensitive key must contain (as a substring): a key without any of
/// them is rejected by one regex test before it is tokenised.
pub(super) fn vocabulary() -> Vec<&'static str> {
    let mut v: Vec<&'static str> = [LAST_WORDS, JOINED, WHOLE_ONLY, SUFFIXES, STRONG]
        .into_iter()
        .flat_map(words)
        .chain(["key", "sandi", "aspsessionid", "sid", "k_g"])
        .collect();
    v.sort_by(|a, b| b.len().cmp(&a.len()).then(a.cmp(b)));
    v.dedup();
    v
}

/// The last-token words (`password`, `secret`, `passwort`, ...).
pub(super) fn last_words() -> impl Iterator<Item = &'static str> {
    words(LAST_WORDS)
}

/// The words of a space-separated word list.
pub(super) fn words(list: &str) -> impl Iterator<Item = &str> {
    list.split_ascii_whitespace()
}

/// The word lists, for [`is`].
#[derive(Clone, Copy)]
pub(super) enum Set {
    LastWords,
    Joined,
    WholeOnly,
    Strong,
    KeyQualifiers,
    BenignLast,
    BenignFirst,
    Never,
    /// `generic::DESCRIPTORS`.
    Descriptors,
}

/// Whether `w` is a word of `set`: a hash lookup, the sets are built once.
pub(super) fn is(set: Set, w: &str) -> bool {
    use std::collections::HashSet;
    use std::sync::OnceLock;
    static SETS: OnceLock<Vec<HashSet<&'static str>>> = OnceLock::new();
    let sets = SETS.get_or_init(|| {
        [
            LAST_WORDS,
            JOINED,
            WHOLE_ONLY,
            STRONG,
            KEY_QUALIFIERS,
            BENIGN_LAST,
            BENIGN_FIRST,
            NEVER,
            DESCRIPTORS,
        ]
        .iter()
        .map(|s| words(s).collect())
        .collect()
    });
    sets[set as usize].contains(w)
}

/// Lowercase alphanumeric tokens of a key, split at separators and camelCase
/// boundaries: `X-Auth-Token` -> [x, auth, token], `dbPassword` -> [db, password].
/// Letters outside ASCII count (`contraseña`, `hasło`).
pub(super) fn tokens(key: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut cur = String::new();
    let mut prev_lower = false;
    for c in key.chars() {
        if !c.is_alphanumeric() {
            if !cur.is_empty() {
                out.push(std::mem::take(&mut cur));
            }
            prev_lower = false;
            continue;
        }
        if c.is_uppercase() && prev_lower && !cur.is_empty() {
            out.push(std::mem::take(&mut cur));
        }
        prev_lower = c.is_lowercase() || c.is_numeric();
        cur.extend(c.to_lowercase());
    }
    if !cur.is_empty() {
        out.push(cur);
    }
    out
}

/// How the value of `key` is treated, or `None` when the key is not sensitive.
pub(super) fn classify(key: &str, extra: &[String]) -> Option<Class> {
    let toks = tokens(key);
    let (first, last) = (toks.first()?, toks.last()?);
    let joined = toks.concat();
    let extra = extra
        .iter()
        .any(|e| joined == *e || last == e || (e.len() >= 4 && joined.ends_with(e.as_str())));
    if !extra
        && (toks.iter().any(|t| is(Set::Never, t))
            || (toks.len() > 1 && is(Set::BenignFirst, first)))
    {
        return None;
    }
    // Kubernetes kinds that name secret objects (`ExternalSecret=prod/db-creds`).
    if matches!(
        joined.as_str(),
        "externalsecret"
            | "sealedsecret"
            | "secretstore"
            | "clustersecretstore"
            | "secretproviderclass"
    ) {
        return None;
    }
    let early = &toks[..toks.len() - 1];
    // `AZURE_DEVOPS_EXT_PAT`, `BMC_PIN`: an environment variable's last word.
    let env_style = toks.len() > 1
        && key
            .bytes()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == b'_');
    let hit = extra
        || ((toks.len() == 1 || env_style) && is(Set::WholeOnly, last))
        || is(Set::LastWords, last)
        || is(Set::Joined, &joined)
        || joined.starts_with("aspsessionid")
        // Session cookies named `…SESSIONID` / `…SESSID` (`QSESSIONID`, `PHPSESSID`).
        || (last.len() > 9 && last.ends_with("sessionid"))
        || (last.len() > 6 && last.ends_with("sessid"))
        || is(Set::LastWords, &joined)
        || words(SUFFIXES).any(|s| last.ends_with(s) || joined.ends_with(s))
        // `管理者パスワード`: compounds without separators.
        || (!last.is_ascii() && words(LAST_WORDS).any(|w| !w.is_ascii() && last.ends_with(w)))
        || (last == "key"
            && early
                .iter()
                .any(|t| is(Set::KeyQualifiers, t) || is(Set::Strong, t)))
        // `community_rw`, `community_string`: an SNMP community.
        || (early.iter().any(|t| t == "community")
            && matches!(last.as_str(), "rw" | "ro" | "read" | "write" | "string" | "str" | "v1" | "v2c"))
        || (!is(Set::BenignLast, last)
            && early
                .iter()
                .any(|t| is(Set::Strong, t) || t.ends_with("password") || t.ends_with("passwd")));
    if !hit {
        // `key`, `routing_key`, `sort_key`: a secret only when the value looks generated.
        // `sid=…` (a session id, or an Oracle SID) too.
        return (last == "key" || joined == "sid").then_some(Class::Weak);
    }
    // `adminPasswordKey: postgres-password` (Helm): the name of the key that holds the
    // password; a value counts only when it looks generated.
    if last == "key" && early.iter().any(|t| t.ends_with("password")) {
        return Some(Class::Weak);
    }
    Some(
        if last == "cookie" || last == "cookies" || joined == "setcookie" {
            Class::Cookie
        } else if last == "authorization" {
            Class::Authz
        } else if last == "auth" {
            Class::Auth
        } else {
            Class::Plain
        },
    )
}

/// Last key tokens that mean "user" in `--user`, `-auth`, `--src-creds`: values of the
/// form `user:password`.
pub(super) fn user_style(last: &str) -> bool {
    matches!(last, "user" | "creds" | "credentials" | "auth")
}

/// Words that end the window: what follows describes the secret, it is not the secret.
pub(super) const DESCRIPTORS: &str =
    "fingerprint fingerprints digest hash hashes sha1 sha256 sha384 sha512 \
    md5 checksum crc commit id ids uuid guid serial request trace span version build \
    revision rev etag thumbprint nonce salt iv kid keyid keyids file path expires expired \
    expiry ttl length len status state code result error errno rc exit accessor peer";

/// Words that are never a value in a phrase position ("key 1 of 3").
const STOPWORDS: &[&str] = &[
    "a",
    "an",
    "the",
    "of",
    "for",
    "to",
    "from",
    "in",
    "on",
    "at",
    "by",
    "with",
    "and",
    "or",
    "is",
    "was",
    "be",
    "been",
    "are",
    "not",
    "has",
    "have",
    "set",
    "changed",
    "updated",
    "rotated",
    "reset",
    "expired",
    "required",
    "failed",
    "attempts",
    "times",
    "length",
    "policy",
    "mismatch",
    "must",
    "should",
    "will",
    "md5",
    "sha",
    "sha1",
    "sha256",
    "sha512",
    "address",
    "encryption",
    "level",
    "if",
    "as",
    "via",
    "plain",
    "login",
    "authentication",
    "requisite",
    "sufficient",
    "include",
    "substack",
    "when",
    "into",
    "over",
    "instead",
];

/// Whether `w` is one of the [`STOPWORDS`] (any case).
pub(super) fn is_stopword(w: &str) -> bool {
    STOPWORDS.iter().any(|s| s.eq_ignore_ascii_case(w))
}
