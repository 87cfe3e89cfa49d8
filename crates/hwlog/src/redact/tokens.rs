//! Secrets recognisable by their shape alone: tokens with a documented prefix, JWTs,
//! bearer tokens, PEM private keys, crypt(3) hashes and webhook URLs; and piped
//! passwords (`echo PW | passwd --stdin`).

use super::kind::Kind;
use super::values::{find_close, not_secret};
use super::{count_while, is_blank, span};

/// Token shapes (from the issuers' documentation) and webhook URLs.
pub(super) const TOKENS: &[(&str, Kind)] = &[
    (
        r"(?-u:\b)(?:gh[pousr]_[A-Za-z0-9]{30,}|github_pat_[A-Za-z0-9_]{30,}|gl(?:pat|dt|rt|ptt|cbt|imt|soat|ft|agent)-[A-Za-z0-9_-]{20,}|xox[abposre]-[A-Za-z0-9-]{10,}|xapp-[0-9]-[A-Za-z0-9-]{10,}|[sr]k_(?:live|test)_[A-Za-z0-9]{16,}|whsec_[A-Za-z0-9]{20,}|SG\.[A-Za-z0-9_-]{16,}\.[A-Za-z0-9_-]{16,}|npm_[A-Za-z0-9]{36}|pypi-AgE[A-Za-z0-9_-]{40,}|AIza[0-9A-Za-z_-]{35}|ya29\.[0-9A-Za-z_-]{20,}|hv[sbr]\.[A-Za-z0-9_-]{20,}|do[por]_v1_[a-f0-9]{64}|shp(?:at|ss|ca|pa)_[a-fA-F0-9]{32}|dapi[a-f0-9]{32}|hf_[A-Za-z]{30,}|sk-(?:proj-|ant-(?:api|admin)[0-9]{2}-)?[A-Za-z0-9_-]{32,}|AGE-SECRET-KEY-1[0-9A-Z]{50,}|glsa_[A-Za-z0-9]{32}_[A-Fa-f0-9]{8}|glc_[A-Za-z0-9+/=]{32,}|PMAK-[a-f0-9]{24}-[a-f0-9]{34}|lin_api_[A-Za-z0-9]{40}|sq0(?:atp|csp)-[0-9A-Za-z_-]{22,}|AKCp[A-Za-z0-9]{60,}|grub\.pbkdf2\.sha512\.[0-9]+\.[A-F0-9]{32,}\.[A-F0-9]{32,}|gAAAAA[A-Za-z0-9_-]{80,}={0,2}|sq[pua]_[0-9a-f]{40})",
        Kind::Whole,
    ),
    // Twilio API key SIDs; AWS access key ids (not the unique ids of users, roles, groups,
    // policies: AIDA, AROA, AGPA, ANPA, ...), with the secret key when written `ID:SECRET`;
    // the Twilio auth token that follows an account SID (`AC…:token`, only the token).
    // (one pattern: it has no needle and runs on every line)
    (
        r#"(?-u:\b)(?:SK[0-9a-f]{32}(?-u:\b)|(?:AKIA|ASIA|ABIA|ACCA)[A-Z0-9]{16}(?::[A-Za-z0-9/+=]{40})?|AC[0-9a-f]{32}\\?['"]?[ \t]*[,:][ \t]*\\?['"]?[0-9a-f]{32}(?-u:\b))"#,
        Kind::CloudKey,
    ),
    // JWTs anywhere.
    (
        r"(?-u:\b)eyJ[A-Za-z0-9_\-]{8,}\.eyJ[A-Za-z0-9_\-]{8,}\.[A-Za-z0-9_\-]*",
        Kind::Whole,
    ),
    // `Bearer <token>`: 20+ characters, or 8+ with a digit (not "Bearer tokens expire").
    (
        r"(?i-u:\bbearer)[ \t]+(?:[A-Za-z0-9._~+/=-]{20,}|[A-Za-z0-9._~+/=-]*[0-9][A-Za-z0-9._~+/=-]*)",
        Kind::Bearer,
    ),
    // crypt(3) hashes: $1$ $5$ $6$ $y$ $2b$ $apr1$, Cisco type 8/9, Junos $9$.
    (
        r"\$(?:1|2[abxy]?|5|6|7|8|9|y|gy|apr1|sha1|md5|argon2(?:id|i|d))\$[A-Za-z0-9./+=,$-]{8,}",
        Kind::Whole,
    ),
    // PEM private keys (RSA, EC, OPENSSH, ENCRYPTED, PGP ... BLOCK).
    (
        r"-----BEGIN (?:(?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?|OpenVPN Static key V1)-----",
        Kind::Pem,
    ),
    // Webhook URLs: the whole URL is the credential.
    (
        r"(?i)hooks\.slack\.com/(?:services|workflows|triggers)/[A-Za-z0-9_/-]+",
        Kind::Url,
    ),
    (
        r"(?i)discord(?:app)?\.com/api/webhooks/[0-9]+/[A-Za-z0-9_-]+",
        Kind::Url,
    ),
    (
        r#"(?i)\.office(?:365)?\.com/webhook(?:b2)?/[^\s"'<>\\]+"#,
        Kind::Url,
    ),
    (r"/hooks/[A-Za-z0-9]{20,}", Kind::Url),
    // DER private keys in base64 without their PEM lines, by their structure: PKCS#1 RSA
    // (`MIIEowIBAAKCAQEA…`), PKCS#8 RSA and EC, SEC1 EC, Ed25519.
    (
        r"(?-u:\b)(?:MII[A-Za-z0-9+/]{2}[AQgw]IBAAK[BC]|MII[A-Za-z0-9+/]{2}[AQgw]IBADANBgkqhkiG9w0BAQEFAAS|MIGHAgEAMBMGByqGSM49|MHcCAQEEI|MC4CAQAwBQYDK2VwBCIEI)[A-Za-z0-9+/]*(?:\\n[A-Za-z0-9+/]+)*=*",
        Kind::Whole,
    ),
    // Google Chat webhooks: the URL with its key and token.
    (
        r#"(?i)chat\.googleapis\.com/v1/spaces/[A-Za-z0-9_-]+/messages\?[^\s"'<>\\]+"#,
        Kind::Url,
    ),
    // Huawei `cipher %^%#…%^%#` values; Atlassian API tokens (with their `=` checksum);
    // Docker Hub PATs; Mailchimp keys (`…-us14`); Django password hashes; MySQL's `*` +
    // 40 hex password hashes.
    (r"%\^%#\S{8,}?%\^%#", Kind::Whole),
    (r"(?-u:\b)ATATT3[A-Za-z0-9_=-]{60,}", Kind::Whole),
    (r"(?-u:\b)dckr_pat_[A-Za-z0-9_-]{20,}", Kind::Whole),
    (r"(?-u:\b)[0-9a-f]{32}-us[0-9]{1,2}(?-u:\b)", Kind::Whole),
    (
        r"(?-u:\b)(?:pbkdf2_sha256|pbkdf2_sha1|bcrypt_sha256|argon2|scrypt)\$[A-Za-z0-9$=+/.:_-]{20,}",
        Kind::Whole,
    ),
    (r"\*[0-9A-F]{40}(?-u:\b)", Kind::Whole),
    // Buildkite user tokens, Alibaba Cloud access key ids, kubeadm bootstrap tokens, k3s
    // join tokens.
    (r"(?-u:\b)bkua_[a-f0-9]{40}(?-u:\b)", Kind::Whole),
    (r"(?-u:\b)LTAI[A-Za-z0-9]{12,20}(?-u:\b)", Kind::Whole),
    (
        r"(?-u:\b)[a-z0-9]{6}\.[a-z0-9]{16}(?-u:\b)",
        Kind::Bootstrap,
    ),
    (
        r"(?-u:\b)K10[0-9a-f]{64}::[a-z]+:[0-9a-f]{32}(?-u:\b)",
        Kind::Whole,
    ),
    // PagerDuty integration URLs: the key is in the path.
    (
        r"(?i)events\.pagerduty\.com/integration/[0-9a-f]{32}",
        Kind::Url,
    ),
    // Mailgun keys, New Relic user keys, Sentry org and user tokens, GitLab runner
    // registration tokens.
    (r"(?-u:\b)GR1348941[A-Za-z0-9_-]{20}(?-u:\b)", Kind::Whole),
    (r"(?-u:\b)key-[0-9a-f]{32}(?-u:\b)", Kind::Whole),
    (r"(?-u:\b)NRAK-[A-Z0-9]{27}(?-u:\b)", Kind::Whole),
    (r"(?-u:\b)sntry[su]_[A-Za-z0-9_=+/-]{32,}", Kind::Whole),
    // pwdump and smbpasswd lines: `user:RID:LM:NT:::` (the NT hash; an empty LM hash).
    (
        r#"(?:^|[\s"'])[A-Za-z0-9_.$\\-]+:[0-9]+:(?:[0-9A-Fa-f]{32}|X{32}):[0-9A-Fa-f]{32}(?-u:\b)"#,
        Kind::Last(32),
    ),
    // Password verifiers: PostgreSQL SCRAM (`SCRAM-SHA-256$4096:salt$stored:server`), md5.
    (
        r"(?-u:\b)SCRAM-SHA-(?:1|256)\$[0-9]+:[A-Za-z0-9+/=]+\$[A-Za-z0-9+/=]+:[A-Za-z0-9+/=]+|(?-u:\b)md5[0-9a-f]{32}(?-u:\b)",
        Kind::Whole,
    ),
];

/// Needles per token rule (see `rules::PHRASE_NEEDLES`); empty: the pattern has its
/// own literal prefix.
pub(super) const TOKEN_NEEDLES: &[&str] = &[
    "ghp_|gho_|ghu_|ghs_|ghr_|github_pat_|glpat-|gldt-|glrt-|glptt-|glcbt-|glimt-|glsoat-|glft-|glagent-|xox|xapp-|sk_|rk_|whsec_|sg.|npm_|pypi-|aiza|ya29.|hvs.|hvb.|hvr.|_v1_|shp|dapi|hf_|sk-|age-secret|glsa_|glc_|pmak-|lin_api_|sq0|akcp|grub.pbkdf2|gaaaaa|sqp_|squ_|sqa_",
    "",
    "eyj",
    "bearer",
    "$",
    "private key|static key",
    "hooks.slack",
    "discord",
    "webhook",
    "/hooks/",
    "ibaak|ibadan|mighagea|mhccaqeei|mc4caqaw",
    "chat.googleapis.com",
    "%^%#",
    "atatt3",
    "dckr_pat_",
    "-us",
    "pbkdf2_|bcrypt_sha256$|argon2$|scrypt$",
    "identified|authentication_string|password",
    "bkua_",
    "ltai",
    "kubeadm|bootstrap|--token",
    "k10",
    "pagerduty",
    "gr1348941",
    "key-",
    "nrak-",
    "sntry",
    "aad3b435b51404ee|xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",
    "scram-sha-|md5",
];

/// A PEM private-key block whose BEGIN line is `ms..p`: through its END line, or to the
/// end of the line / closing quote when it has none.
pub(super) fn pem(text: &str, ms: usize, p: usize, spans: &mut Vec<(usize, usize)>) -> usize {
    let b = text.as_bytes();
    let stop = p + count_while(b, p, |c| !matches!(c, b'"' | b'\'' | b'<'));
    let (body_end, end) = match text[p..stop].find("-----END") {
        // Through the END line's closing dashes.
        Some(i) => {
            let e = p + i + 8;
            let close = b[e..stop.min(e + 64)]
                .windows(5)
                .position(|w| w == b"-----")
                .map_or(e, |j| e + j + 5);
            (p + i, close)
        }
        None => {
            let e = p + count_while(b, p, |c| !matches!(c, b'"' | b'\'' | b'<' | b'\n' | b'\r'));
            (e, e)
        }
    };
    let body = text[p..body_end].trim();
    if body.is_empty() || !not_secret(body, b"") {
        // The whole block, BEGIN and END lines included (alone, the BEGIN line still says
        // a private key was here): `[REDACTED]`.
        spans.extend(span(ms, end));
    }
    end
}

/// Tools that read a password from standard input.
const STDIN_READERS: &[&str] = &[
    "passwd",
    "chpasswd",
    "wg",
    "chgpasswd",
    "smbpasswd",
    "vncpasswd",
    "saslpasswd2",
    "htpasswd",
    "docker",
    "podman",
    "nerdctl",
    "buildah",
    "helm",
    "oras",
    "gh",
    "glab",
    "kinit",
    "cryptsetup",
    "pdbedit",
];

/// `echo [-e] VALUE | passwd --stdin`, `(echo A; echo A) | smbpasswd -s`,
/// `echo 'user:PW' | chpasswd`: the echoed value. `p` is after `echo `.
pub(super) fn echo(text: &str, p: usize, spans: &mut Vec<(usize, usize)>) -> usize {
    let b = text.as_bytes();
    let mut found = Vec::new();
    let mut i = echo_args(b, p, &mut found);
    // Chained echos in a subshell, then the pipe.
    loop {
        i += count_while(b, i, |c| is_blank(c) || c == b')');
        match b.get(i) {
            Some(b';') => {
                let j = i + 1 + count_while(b, i + 1, is_blank);
                let w = count_while(b, j, |c| c.is_ascii_alphabetic());
                if matches!(&b[j..j + w], b"echo" | b"printf") {
                    i = echo_args(b, j + w, &mut found);
                } else {
                    return i;
                }
            }
            Some(b'|') if b.get(i + 1) != Some(&b'|') => break,
            // `echo VALUE > ~/.vault_pass`: written to a file named for a secret.
            Some(b'>') => {
                let t = i + count_while(b, i, |c| c == b'>');
                let t = t + count_while(b, t, is_blank);
                let e = t + count_while(b, t, |c| {
                    !c.is_ascii_whitespace() && !b";|&)\"'".contains(&c)
                });
                if secret_file(&text[t..e]) {
                    for (s, e) in found {
                        spans.extend(span(s, e));
                    }
                }
                return e;
            }
            _ => return i,
        }
    }
    // The reader: [sudo [-S]] [/path/]tool
    let mut j = i + 1;
    loop {
        j += count_while(b, j, is_blank);
        let e = j + count_while(b, j, |c| {
            !c.is_ascii_whitespace() && !b";|&)\"'".contains(&c)
        });
        let word = &text[j..e];
        let tool = word.rsplit(['/', '\\']).next().unwrap_or(word);
        let tool = tool.strip_suffix(".exe").unwrap_or(tool);
        // `| sudo -S cmd`: sudo itself reads the password.
        if tool == "-S" && text[..j].trim_end().ends_with("sudo") {
            break;
        }
        if tool == "sudo" || (word.starts_with('-') && word.len() > 1) {
            j = e;
            continue;
        }
        if !STDIN_READERS.contains(&tool) {
            return i;
        }
        return take(
            text,
            found,
            matches!(tool, "chpasswd" | "chgpasswd"),
            spans,
            e,
        );
    }
    take(text, found, false, spans, j)
}

/// Adds the echoed values (after `user:` for `chpasswd`); returns `end`.
fn take(
    text: &str,
    found: Vec<(usize, usize)>,
    colon: bool,
    spans: &mut Vec<(usize, usize)>,
    end: usize,
) -> usize {
    let b = text.as_bytes();
    for (s, e) in found {
        let s = if colon {
            match b[s..e].iter().position(|&c| c == b':') {
                Some(c) => s + c + 1,
                None => continue,
            }
        } else {
            s
        };
        spans.extend(span(s, e));
    }
    end
}

/// Whether a file name says it holds a secret (`.vault_pass`, `db.password`,
/// `token.txt`, `id_rsa`; not `id_rsa.pub`).
fn secret_file(path: &str) -> bool {
    let name = path
        .rsplit(['/', '\\'])
        .next()
        .unwrap_or(path)
        .to_ascii_lowercase();
    // `.ipmipw`, `bmc.pw`, `root_pwd`: `pw` ends a part of the name.
    let pw = name
        .split(['.', '_', '-'])
        .any(|p| p.ends_with("pw") || p.ends_with("pwd"));
    !name.ends_with(".pub")
        && (pw
            || [
                "pass",
                "secret",
                "token",
                "cred",
                "psk",
                "apikey",
                "api_key",
                "id_rsa",
                "id_ed25519",
            ]
            .iter()
            .any(|w| name.contains(w)))
}

/// The arguments of one `echo`/`printf`, skipping its flags and `printf` formats.
fn echo_args(b: &[u8], mut i: usize, found: &mut Vec<(usize, usize)>) -> usize {
    loop {
        i += count_while(b, i, is_blank);
        match b.get(i) {
            None | Some(b'\n' | b'\r' | b'|' | b';' | b')' | b'&' | b'>' | b'<') => return i,
            Some(&q @ (b'"' | b'\'')) => {
                let (ce, after) = find_close(b, i + 1, q, 0);
                if !b[i + 1..ce].starts_with(b"$") && !b[i + 1..ce].starts_with(b"%") {
                    found.extend(span(i + 1, ce));
                }
                i = after;
            }
            Some(b'\\') if matches!(b.get(i + 1), Some(b'"' | b'\'')) => {
                let q = b[i + 1];
                let (ce, after) = find_close(b, i + 2, q, 1);
                found.extend(span(i + 2, ce));
                i = after;
            }
            Some(_) => {
                let e = i + count_while(b, i, |c| {
                    !c.is_ascii_whitespace() && !b"|;)&><\"'".contains(&c)
                });
                let w = &b[i..e];
                let flag = w.first() == Some(&b'-') && w.len() <= 3;
                if !flag && !w.starts_with(b"$") && !w.starts_with(b"%") {
                    found.extend(span(i, e));
                }
                i = e.max(i + 1);
            }
        }
    }
}
