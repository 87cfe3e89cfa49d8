//! Corpus and robustness tests for `hwlog::redact`.
//!
//! `tests/data/redaction_corpus.tsv` holds one case per line:
//! `<kind>\t<input line>\t<secrets>` where `kind` is `secret` (every
//! `|`-separated secret substring must be gone and `[REDACTED]` must appear) or
//! `clean` (the output must be byte-identical to the input; third column empty).

use hwlog::redact::{Redactor, REDACTED};
use std::time::{Duration, Instant};

const CORPUS: &str = include_str!(concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/data/redaction_corpus.tsv"
));

struct Case<'a> {
    line_no: usize,
    secret: bool,
    input: &'a str,
    secrets: Vec<&'a str>,
}

fn corpus() -> Vec<Case<'static>> {
    CORPUS
        .lines()
        .enumerate()
        .filter(|(_, l)| !l.is_empty())
        .map(|(i, l)| {
            let cols: Vec<&str> = l.split('\t').collect();
            assert_eq!(
                cols.len(),
                3,
                "line {}: expected 3 tab-separated columns: {l:?}",
                i + 1
            );
            let secret = match cols[0] {
                "secret" => true,
                "clean" => false,
                k => panic!("line {}: unknown kind {k:?}", i + 1),
            };
            let secrets: Vec<&str> = cols[2].split('|').filter(|s| !s.is_empty()).collect();
            if secret {
                assert!(
                    !secrets.is_empty(),
                    "line {}: secret line without secrets",
                    i + 1
                );
                for s in &secrets {
                    assert!(
                        s.len() >= 4,
                        "line {}: secret {s:?} shorter than 4 bytes",
                        i + 1
                    );
                    assert!(
                        cols[1].contains(s),
                        "line {}: secret {s:?} not in input",
                        i + 1
                    );
                }
            } else {
                assert!(
                    secrets.is_empty(),
                    "line {}: clean line with secrets column",
                    i + 1
                );
            }
            Case {
                line_no: i + 1,
                secret,
                input: cols[1],
                secrets,
            }
        })
        .collect()
}

#[test]
fn corpus_has_enough_cases() {
    let cases = corpus();
    let secret = cases.iter().filter(|c| c.secret).count();
    let clean = cases.len() - secret;
    assert!(cases.len() >= 200, "corpus has only {} lines", cases.len());
    assert!(secret >= 140, "corpus has only {secret} secret lines");
    assert!(clean >= 60, "corpus has only {clean} clean lines");
}

#[test]
fn corpus_secrets_are_redacted_and_clean_lines_untouched() {
    let r = Redactor::new();
    let mut failures = Vec::new();
    for c in corpus() {
        let out = r.redact(c.input);
        if c.secret {
            let leaked: Vec<&&str> = c.secrets.iter().filter(|s| out.contains(**s)).collect();
            if !leaked.is_empty() || !out.contains(REDACTED) {
                failures.push(format!(
                    "line {}: leaked {leaked:?}\n  in:  {}\n  out: {out}",
                    c.line_no, c.input
                ));
            }
        } else if out != c.input {
            failures.push(format!(
                "line {}: clean line changed\n  in:  {}\n  out: {out}",
                c.line_no, c.input
            ));
        }
        // Redacting twice changes nothing more.
        let again = r.redact(&out);
        if again != out {
            failures.push(format!(
                "line {}: not idempotent\n  once:  {out}\n  twice: {again}",
                c.line_no
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} failures:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn corpus_lines_embedded_in_larger_text() {
    // The same secrets must go when lines are joined into one multi-line message.
    let r = Redactor::new();
    let cases = corpus();
    let joined: String = cases.iter().map(|c| format!("{}\n", c.input)).collect();
    let out = r.redact(&joined);
    for c in cases.iter().filter(|c| c.secret) {
        for s in &c.secrets {
            assert!(
                !out.contains(s),
                "line {}: secret {s:?} survived in multi-line text",
                c.line_no
            );
        }
    }
    let out_lines: Vec<&str> = out.lines().collect();
    assert_eq!(out_lines.len(), cases.len(), "line structure changed");
    for (c, o) in cases.iter().zip(&out_lines) {
        if !c.secret {
            assert_eq!(
                *o, c.input,
                "line {}: clean line changed in multi-line text",
                c.line_no
            );
        }
    }
}

/// Small deterministic xorshift64* generator.
struct XorShift(u64);

impl XorShift {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
}

fn check_sane(r: &Redactor, input: &str) {
    let out = r.redact(input);
    // Only values are replaced, so the output keeps its shape: either identical
    // or containing the marker, and never absurdly larger than the input.
    assert!(
        out == input || out.contains(REDACTED),
        "changed without marker: {input:?}"
    );
    assert!(out.len() <= input.len() + REDACTED.len() * (input.len() / 2 + 1));
}

#[test]
fn robustness_prefixes_of_corpus_lines() {
    let r = Redactor::new();
    for c in corpus() {
        for (i, _) in c.input.char_indices() {
            check_sane(&r, &c.input[..i]);
            check_sane(&r, &c.input[i..]);
        }
    }
}

#[test]
fn robustness_random_bytes() {
    let r = Redactor::new();
    let mut rng = XorShift(0x9E37_79B9_7F4A_7C15);
    // Bias towards bytes that matter to the rules.
    let interesting = b"=:\"'\\&;, \t\n\r-@/?#{}[]()<>|pPuaAXcwN$";
    let words: [&[u8]; 12] = [
        b"password",
        b"token",
        b"Bearer ",
        b"Authorization: ",
        b"://",
        b" -P ",
        b" -p ",
        b"racadm ",
        b"mysql ",
        b"\"pass\":\"",
        b"cookie=",
        b"eyJabcdefghij.eyJabcdefghij.",
    ];
    for round in 0..3000 {
        let len = (rng.next() % 200) as usize;
        let mut bytes = Vec::with_capacity(len + 64);
        while bytes.len() < len {
            let x = rng.next();
            match x % 8 {
                0 => bytes.extend_from_slice(words[(x >> 8) as usize % words.len()]),
                1 | 2 => bytes.push(interesting[(x >> 8) as usize % interesting.len()]),
                3 => bytes.push((x >> 8) as u8), // arbitrary byte, possibly invalid UTF-8
                _ => bytes.push(b'a' + ((x >> 8) % 26) as u8),
            }
        }
        let text = String::from_utf8_lossy(&bytes);
        check_sane(&r, &text);
        if round % 100 == 0 {
            check_sane(&r, &text.repeat(50));
        }
    }
}

#[test]
fn robustness_degenerate_inputs() {
    let r = Redactor::new();
    let fixed = [
        "",
        "=",
        ":",
        "\"",
        "'",
        "\\",
        "key=",
        "password=",
        "password:",
        "password=\"",
        "'password':'",
        "\"password\":\"\\",
        "-P",
        "-P ",
        "-p",
        "racadm -p",
        "curl -u",
        "curl -u :",
        "Bearer",
        "Bearer ",
        "Authorization: Bearer",
        "Authorization: OAuth",
        "https://:@",
        "x://a:@b",
        "<password></password>",
        "password=[",
        "password=[[[",
        "password={",
        "token=\u{0}\u{1}\u{7f}",
        "pässwörd=ü",
        "密码=秘密 token=秘密",
        "password=\u{1F600}\u{1F600}",
        "\u{FEFF}password=x",
        "password\u{0}=x",
        "maas login a b",
        "user set password 1",
        "IDENTIFIED BY",
        "set iDRAC.Users.2.Password",
        "\r\n\r\n",
        "password=\r\nx",
    ];
    for s in fixed {
        check_sane(&r, s);
    }
    // 1 MB strings of one repeated pattern. Patterns that produce a match every
    // few bytes are slow in unoptimised builds, so under debug they use 256 KB.
    let budget = Duration::from_secs(if cfg!(debug_assertions) { 20 } else { 2 });
    let cheap = [
        "x",
        "\"",
        "'",
        "=",
        "\"=",
        "==",
        "\\",
        "\\\"",
        "é=ü\"",
        "password=",
        "key: [",
        "Cookie: a",
    ];
    let dense = [
        "\"password\":\"",
        "password: ",
        "token ",
        "a://b:c@",
        "-P -p ",
        "-u a:b ",
        "Bearer ",
        "password '",
        "<password>",
        "eyJabcdefghij.eyJabcdefghij.",
        "racadm -p x\n",
        "Authorization: OAuth ",
        "<p><Value>a</",
        ">b:",
        "u:p@h.",
        "echo x > ",
        "PWD={",
        "pw=(a ",
        // base64 words are decoded and redacted again: a line of them stays linear
        "dXNlcjpwYXNzd29yZDEyMw== ",
        "Basic dXNlcjpwYXNz ",
        "{SSHA}ab ",
        "login('a', ",
        "recovery code: 12345678 ",
        "passphrase is a-b-c-d ",
        "creds a / ",
        "('r1', 'admin', 'x', ",
        "x:1:aad3b435b51404eeaad3b435b51404ee:",
        "create_user('a', ",
        "set_password' args=['a', ",
        "curl -su a:",
        "1> AUTH a ",
        "login <<< a ",
        "secret_id 5e6cb090-5794-4281-a9b4-792ce5010c1b ",
        "%^%#ab",
    ];
    let dense_len = if cfg!(debug_assertions) {
        1 << 18
    } else {
        1 << 20
    };
    let sized = (cheap.iter().map(|p| (*p, 1 << 20))).chain(dense.iter().map(|p| (*p, dense_len)));
    for (p, len) in sized {
        let big = p.repeat(len / p.len() + 1);
        let start = Instant::now();
        check_sane(&r, &big);
        let took = start.elapsed();
        assert!(took < budget, "{} bytes of {p:?} took {took:?}", big.len());
    }
    let quotes_equals: String = (0..(1 << 20))
        .map(|i| if i % 3 == 0 { '"' } else { '=' })
        .collect();
    check_sane(&r, &quotes_equals);
}

#[test]
fn extra_keys_are_honoured() {
    let r = Redactor::with_extra_keys(["pin_code", "X-Tenant-Sig"]);
    assert_eq!(
        r.redact("PIN-CODE=4321 x-tenant-sig: abcd"),
        "PIN-CODE=[REDACTED] x-tenant-sig: [REDACTED]"
    );
    assert_eq!(r.redact("password=hunter2"), "password=[REDACTED]");
    assert!(r.is_sensitive_key("user_pin_code"));
    assert!(!Redactor::new().is_sensitive_key("pin_code"));
}
