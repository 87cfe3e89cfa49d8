//! Command-line flags. Short flags are only a password for the tools whose
//! documentation says so (`-P` is a password for ipmitool but a port for scp, a
//! prefix for wget, Perl regexes for grep).

use super::keys::{tokens, user_style};
use super::values::{not_secret, parse_value};
use super::{count_while, is_blank, span, Class, Redactor};

/// The tools whose flags are understood, as one pattern over a line.
pub(super) const TOOLS: &str = r#"(?i)(?:^|[\s/"'(;|&\[=`])(racadm|idracadm7?|sshpass|mysql|mysqldump|mysqladmin|mysqlsh|mysqlimport|mariadb|mariadb-dump|redis-cli|ldapsearch|ldapmodify|ldapadd|ldapdelete|ldapwhoami|ldappasswd|ldapcompare|ldapexop|snmpwalk|snmpget|snmpset|snmpbulkwalk|snmpbulkget|snmpgetnext|snmptrap|snmptable|snmpdelta|snmpdf|check_snmp[a-z_]*|check_http|check_curl|ipmitool|ipmiutil|ssh-keygen|sqlcmd|bcp|osql|isql|zip|unzip|zipcloak|7z|7za|7zr|rar|unrar|esxcli|openssl|doctl|vmrun|lftp|mosquitto_pub|mosquitto_sub|mosquitto_rr|knife|redfishtool|ipmi-sensors|ipmi-power|ipmipower|ipmi-chassis|ipmi-sel|ipmi-config|ipmi-fru|ipmi-raw|ipmi-oem|ipmi-dcmi|ipmi-pet|ipmiconsole|bmc-info|bmc-device|bmc-watchdog|ipmi-sensors-config|ipmi-pef-config|bmc-config|fence_[a-z0-9_]+|kadmin|kadmin\.local|kdb5_util)(?:\.exe)?(?:$|[\s"';|&)\]])"#;

const T_RACADM: u32 = 1;
const T_SSHPASS: u32 = 1 << 1;
const T_MYSQL: u32 = 1 << 2;
const T_REDIS: u32 = 1 << 3;
const T_LDAP: u32 = 1 << 4;
const T_SNMP: u32 = 1 << 5;
const T_IPMITOOL: u32 = 1 << 6;
const T_USERFLAG: u32 = 1 << 7;
const T_SSHKEYGEN: u32 = 1 << 8;
const T_CHECKSNMP: u32 = 1 << 9;
const T_SQLCMD: u32 = 1 << 10;
const T_ZIP: u32 = 1 << 11;
const T_7Z: u32 = 1 << 12;
const T_ESXCLI: u32 = 1 << 13;
const T_OPENSSL: u32 = 1 << 14;
const T_DOCTL: u32 = 1 << 15;
const T_VMRUN: u32 = 1 << 16;
const T_LFTP: u32 = 1 << 17;
const T_LDAPPASSWD: u32 = 1 << 18;
/// Tools whose `-P` is a password (besides ipmitool and the others named in `scan_flags`).
const T_MOSQUITTO: u32 = 1 << 19;
const T_REDFISHTOOL: u32 = 1 << 20;
/// FreeIPMI (`ipmi-sensors -h H -u U -p PASSWORD -k KG`).
const T_FREEIPMI: u32 = 1 << 21;
/// Nagios plugins taking `-a USER:PASSWORD`.
const T_CHECKHTTP: u32 = 1 << 22;

fn tool_bit(t: &str) -> u32 {
    match t {
        "racadm" | "idracadm" | "idracadm7" => T_RACADM,
        "sshpass" => T_SSHPASS,
        "redis-cli" => T_REDIS,
        "ipmitool" | "ipmiutil" => T_IPMITOOL,
        "ssh-keygen" => T_SSHKEYGEN,
        "sqlcmd" | "bcp" | "osql" | "isql" => T_SQLCMD,
        "zip" | "unzip" | "zipcloak" => T_ZIP,
        "7z" | "7za" | "7zr" | "rar" | "unrar" => T_7Z,
        "esxcli" => T_ESXCLI,
        "openssl" => T_OPENSSL,
        "doctl" => T_DOCTL,
        "vmrun" => T_VMRUN,
        "lftp" => T_LFTP,
        "ldappasswd" => T_LDAP | T_LDAPPASSWD,
        t if t.starts_with("mosquitto_") => T_MOSQUITTO,
        "knife" => T_MOSQUITTO,
        "redfishtool" => T_REDFISHTOOL,
        // Kerberos: `kadmin -p PRINC -w PW`, `kdb5_util create -s -P PW`
        "kadmin" | "kadmin.local" => T_LDAP,
        "kdb5_util" => T_MOSQUITTO,
        t if t.starts_with("ipmi-")
            || t.starts_with("bmc-")
            || t == "ipmipower"
            || t == "ipmiconsole" =>
        {
            T_FREEIPMI
        }
        t if t.starts_with("check_snmp") => T_CHECKSNMP,
        "check_http" | "check_curl" => T_CHECKHTTP,
        t if t.starts_with("ldap") => T_LDAP,
        t if t.starts_with("snmp") => T_SNMP,
        _ => T_MYSQL,
    }
}

/// Single-dash long flags that take a password even though the name alone is not a
/// sensitive key (keytool, vmrun).
fn single_dash_secret(name: &str, ctx: u32) -> bool {
    name.ends_with("storepass")
        || name.ends_with("keypass")
        || (ctx & T_VMRUN != 0 && matches!(name, "gp" | "vp"))
}

impl Redactor {
    pub(super) fn scan_flags(&self, text: &str, spans: &mut Vec<(usize, usize)>) {
        let b = text.as_bytes();
        // (start, end, user-flag bit, tools of the line with where each ends)
        let mut line = (usize::MAX, 0usize, 0u32, Vec::new());
        // The tools seen so far on the line (flags come in order: linear).
        let (mut seen, mut ctx) = (0, 0u32);
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
                let last = tokens(long).pop().unwrap_or_default();
                let class = self.classify(long);
                if last == "user" || (user_style(&last) && class.is_some()) {
                    covered = user_pass(text, v, b":%", spans);
                } else if class.is_some_and(|c| c != Class::Weak)
                    && !flag_like(b, v)
                    && !prose_word(b, v)
                {
                    covered = push_value(text, v, spans);
                }
                continue;
            }
            if line.0 == usize::MAX || f_start >= line.1 {
                line = self.line_context(text, f_start, line.1);
                (seen, ctx) = (0, line.2);
            }
            // A tool's flags follow its name: `apt-get install -y ipmitool` is not
            // ipmitool's `-y`.
            while let Some(&(_, bit)) = line.3.get(seen).filter(|t| t.0 <= f_start) {
                ctx |= bit;
                seen += 1;
            }
            let letter = name.as_bytes()[1];
            let word = &name[1..];
            if name.len() > 2 {
                // Attached value: mysql -pSECRET, sshpass -pSECRET, ipmitool -PSECRET, 7z -pX.
                let attached = (letter == b'p' && ctx & (T_MYSQL | T_SSHPASS | T_7Z) != 0)
                    || (letter == b'P' && ctx & T_IPMITOOL != 0);
                if attached {
                    covered = push_value(text, f_start + 2, spans);
                    continue;
                }
                // Single-dash long flags: -password X, -pw X, -storepass X, -pass pass:X.
                let Some(v) = flag_value_start(b, f_start, after) else {
                    continue;
                };
                if flag_like(b, v) {
                    continue;
                }
                let lower = word.to_ascii_lowercase();
                if matches!(lower.as_str(), "pass" | "passin" | "passout") {
                    if b[v..].starts_with(b"pass:") {
                        covered = push_value(text, v + 5, spans);
                    }
                    continue;
                }
                // `curl -su user:token`: short flags run together, the last one `-u`.
                if name.len() <= 5
                    && word.ends_with('u')
                    && word.bytes().all(|c| c.is_ascii_lowercase())
                    && b[v..]
                        .iter()
                        .take(256)
                        .take_while(|c| !c.is_ascii_whitespace() || **c == b' ')
                        .any(|&c| c == b':')
                {
                    covered = user_pass(text, v, b":", spans);
                    continue;
                }
                let class = self.classify(word);
                let last = tokens(word).pop().unwrap_or_default();
                if class.is_some() && user_style(&last) {
                    covered = user_pass(text, v, b":%", spans);
                } else if class.is_some_and(|c| c != Class::Weak) || single_dash_secret(&lower, ctx)
                {
                    covered = push_value(text, v, spans);
                }
                continue;
            }
            if (matches!(letter, b'p' | b'P') || (letter == b'w' && ctx & T_LDAP != 0))
                && matches!(b.get(after), Some(b'"' | b'\''))
            {
                // mysql -p"secret" (attached, quoted)
                let before_quote = f_start == 0 || b[f_start - 1] != b[after];
                if before_quote && ctx & (T_MYSQL | T_SSHPASS | T_7Z | T_IPMITOOL | T_LDAP) != 0 {
                    covered = push_value(text, after, spans);
                    continue;
                }
            }
            let Some(v) = flag_value_start(b, f_start, after) else {
                continue;
            };
            let redact = match letter {
                b'P' => ctx & (T_IPMITOOL | T_SSHKEYGEN | T_SQLCMD | T_ZIP | T_MOSQUITTO) != 0,
                b'N' => ctx & T_SSHKEYGEN != 0,
                b'p' if flag_like(b, v) => false,
                b'p' if ctx & (T_RACADM | T_SSHPASS | T_ESXCLI | T_FREEIPMI) != 0 => true,
                // mysql -p takes no separate value: `mysql -u root -p app` prompts.
                b'p' if ctx & T_MYSQL != 0 => false,
                b'p' => ctx & T_USERFLAG != 0 && !port_like(b, v),
                b'u' | b'U' => {
                    let seps: &[u8] = match (letter, ctx & T_LFTP != 0) {
                        (_, true) => b",",
                        (b'u', _) => b":%",
                        _ => b"%",
                    };
                    covered = user_pass(text, v, seps, spans);
                    false
                }
                b'a' if ctx & T_CHECKHTTP != 0 => {
                    covered = user_pass(text, v, b":", spans);
                    false
                }
                b'a' => ctx & (T_REDIS | T_LDAPPASSWD) != 0,
                b's' => ctx & T_LDAPPASSWD != 0,
                b'w' => ctx & T_LDAP != 0,
                b'A' | b'X' => ctx & (T_SNMP | T_CHECKSNMP) != 0,
                b'c' => ctx & (T_SNMP | T_ESXCLI) != 0,
                b'C' => ctx & T_CHECKSNMP != 0,
                b'k' => ctx & (T_OPENSSL | T_IPMITOOL | T_FREEIPMI) != 0,
                b't' => ctx & (T_DOCTL | T_REDFISHTOOL) != 0,
                // ipmitool -y <hex Kg key> (and -k <Kg key> above)
                b'y' => ctx & T_IPMITOOL != 0,
                _ => false,
            };
            if redact {
                covered = push_value(text, v, spans);
            }
        }
    }

    /// Bounds of the line holding `pos`, its `-u` bit and its tools (where each name ends). `from` (<= `pos`) is the
    /// end of the previous line looked at, so repeated calls stay linear.
    fn line_context(
        &self,
        text: &str,
        pos: usize,
        from: usize,
    ) -> (usize, usize, u32, Vec<(usize, u32)>) {
        let b = text.as_bytes();
        let from = from.min(pos);
        let start = b[from..pos]
            .iter()
            .rposition(|&c| c == b'\n')
            .map_or(from, |i| from + i + 1);
        let end = pos + count_while(b, pos, |c| c != b'\n');
        let line = &text[start..end];
        let mut tools = Vec::new();
        for c in self.tools.captures_iter(line) {
            if let Some(t) = c.get(1) {
                tools.push((start + t.end(), tool_bit(&t.as_str().to_ascii_lowercase())));
            }
        }
        let user = if self.user_flag.is_match(line) {
            T_USERFLAG
        } else {
            0
        };
        (start, end, user, tools)
    }
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
    let w = &b[v..super::values::token_end(b, v)];
    !w.is_empty()
        && w.split(|&c| c == b':')
            .all(|p| (1..=5).contains(&p.len()) && p.iter().all(u8::is_ascii_digit))
}

pub(super) fn push_value(text: &str, v: usize, spans: &mut Vec<(usize, usize)>) -> usize {
    let (s, resume) = parse_value(text, v, None);
    spans.extend(s);
    resume
}

/// Whether the word at `v` is a prose word (`Using --password via the CLI is insecure`),
/// which no password is.
fn prose_word(b: &[u8], v: usize) -> bool {
    let e = v + count_while(b, v, |c| c.is_ascii_alphabetic());
    let next = b.get(e).copied();
    e > v
        && next.is_none_or(|c| is_blank(c) || c == b'\n' || c == b'.' || c == b',')
        && super::keys::is_stopword(std::str::from_utf8(&b[v..e]).unwrap_or(""))
}

/// `user:pass` after `-u`/`--user` (`user%pass` for samba tools, `user,pass` for
/// lftp): redact `pass` (not numeric `uid:gid`). Returns how far later flags count
/// as consumed: a plain `-u admin` consumes nothing, so `-u -P x` still sees `-P`.
fn user_pass(text: &str, v: usize, seps: &[u8], spans: &mut Vec<(usize, usize)>) -> usize {
    let b = text.as_bytes();
    let quoted = matches!(b[v], b'"' | b'\'' | b'\\');
    let (s, resume) = if quoted {
        parse_value(text, v, None)
    } else {
        let e = v + count_while(b, v, |c| {
            !c.is_ascii_whitespace() && !b"\"';&|".contains(&c)
        });
        (span(v, e), e)
    };
    let Some((s, e)) = s else {
        return if quoted { resume } else { v };
    };
    let val = &text.as_bytes()[s..e];
    // `-u "https://user@host/sdk"`: a URL (its userinfo is the URL rule's).
    if val.windows(3).any(|x| x == b"://") {
        return resume;
    }
    let digits = |x: &[u8]| !x.is_empty() && x.iter().all(u8::is_ascii_digit);
    match val.iter().position(|c| seps.contains(c)) {
        Some(c) if !(digits(&val[..c]) && digits(&val[c + 1..])) => {
            // `-u "$BMC_USER:$BMC_PASS"`: references, not the password.
            spans.extend(span(s + c + 1, e).filter(|&(s, e)| !not_secret(&text[s..e], b"")));
            resume
        }
        _ if quoted => resume,
        _ => v,
    }
}
