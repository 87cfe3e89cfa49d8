//! The redaction engine on infrastructure log lines nobody here wrote the rules for
//! (`tests/data/secrets`: shapes from public secret-scanner documentation and fixtures and
//! from the tools' own documentation, values invented): how many secret lines leak at least
//! 4 characters of their secret, how many clean near-misses change, and whether a second
//! pass changes anything. Seventeen corpora, each written by an author who had not seen the rules
//! (nor, from the second on, the other corpora); each test says how the corpus measured
//! before the rules were changed for it (docs/redaction.md has the table).
//! `cargo test -p hwlog --test redaction_infra -- --nocapture` prints the rates and every
//! miss.
use hwlog::redact::Redactor;

/// `(secret, line, family)` cases.
fn secret_cases(tsv: &str) -> Vec<(String, String, String)> {
    tsv.lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .map(|l| {
            let mut p = l.splitn(3, '\t');
            let secret = p.next().unwrap().to_string();
            let line = p.next().expect("a line").to_string();
            let family = p.next().unwrap_or("").to_string();
            assert!(line.contains(&secret), "{line}");
            (secret, line, family)
        })
        .collect()
}

fn clean_lines(text: &str) -> Vec<&str> {
    text.lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .collect()
}

/// Whether `out` still shows 4 or more consecutive characters of `secret` that the line
/// does not also hold elsewhere.
fn leaks(secret: &str, line: &str, out: &str) -> bool {
    let rest = line.replace(secret, "\u{0}");
    let chars: Vec<char> = secret.chars().collect();
    if chars.len() < 4 {
        return out.contains(secret);
    }
    chars.windows(4).any(|w| {
        let gram: String = w.iter().collect();
        out.contains(&gram) && !rest.contains(&gram)
    })
}

pub struct Rates {
    pub leaked: Vec<(String, String, String)>,
    pub changed: Vec<(String, String)>,
    pub unstable: Vec<String>,
    pub secrets: usize,
    pub clean: usize,
}

fn measure(r: &Redactor, tsv: &str, clean: &str) -> Rates {
    let cases = secret_cases(tsv);
    let clean = clean_lines(clean);
    let mut rates = Rates {
        leaked: Vec::new(),
        changed: Vec::new(),
        unstable: Vec::new(),
        secrets: cases.len(),
        clean: clean.len(),
    };
    for (secret, line, family) in &cases {
        let out = r.redact(line);
        if leaks(secret, line, &out) {
            rates
                .leaked
                .push((family.clone(), line.clone(), out.to_string()));
        }
        if r.redact(&out) != out {
            rates.unstable.push(line.clone());
        }
    }
    for line in &clean {
        let out = r.redact(line);
        if out != *line {
            rates.changed.push((line.to_string(), out.to_string()));
        }
    }
    rates
}

#[test]
fn infrastructure_secrets_are_found_and_clean_lines_left_alone() {
    check(
        "first corpus",
        include_str!("data/secrets/secret_lines.tsv"),
        include_str!("data/secrets/clean_lines.txt"),
    );
}

#[test]
fn second_corpus() {
    check(
        "second corpus",
        include_str!("data/secrets/second_secret_lines.tsv"),
        include_str!("data/secrets/second_clean_lines.txt"),
    );
}

/// A third corpus, written last; its first half (the `secret_lines_extra` part, appended
/// after the main part) and half of its clean lines were used to widen the rules, the rest
/// was not looked at. Its bounds are today's rates, not the goal: see docs/redaction.md.
#[test]
fn third_corpus() {
    check_within(
        "third corpus",
        include_str!("data/secrets/third_secret_lines.tsv"),
        include_str!("data/secrets/third_clean_lines.txt"),
        0.01,
        0.01,
    );
}

/// A fourth corpus, written after all the rules above; first measured at 23/264 = 8.7% leak
/// and 11/154 = 7.1% changed. Half of it (random) was used to widen the rules; the other
/// half stayed at 11/132 = 8.3% and 2/77 = 2.6%, until the generic rules (words shaped like
/// secrets near a secret word, and anywhere) took it to 1/264 and 2/154.
#[test]
fn fourth_corpus() {
    check_within(
        "fourth corpus",
        include_str!("data/secrets/fourth_secret_lines.tsv"),
        include_str!("data/secrets/fourth_clean_lines.txt"),
        0.01,
        0.01,
    );
}

/// Fifth and sixth corpora, written (by two authors who had not seen the rules or the other
/// corpora) before the generic rules. First measured at 50/436 = 11.5% leak, 7/155 = 4.5%
/// changed and 70/460 = 15.2%, 11/160 = 6.9%. Alternate lines (the odd ones) were used to
/// develop the generic rules; the even lines, looked at only as rates, went from
/// 16/218 = 7.3%, 2/77 = 2.6% (fifth) and 27/230 = 11.7%, 8/80 = 10.0% (sixth) to
/// 8/218 = 3.7%, 1/77 and 17/230 = 7.4%, 6/80. Bounds are today's rates, not the goal.
#[test]
fn fifth_corpus() {
    check_within(
        "fifth corpus",
        include_str!("data/secrets/fifth_secret_lines.tsv"),
        include_str!("data/secrets/fifth_clean_lines.txt"),
        0.02,
        0.01,
    );
}

#[test]
fn sixth_corpus() {
    check_within(
        "sixth corpus",
        include_str!("data/secrets/sixth_secret_lines.tsv"),
        include_str!("data/secrets/sixth_clean_lines.txt"),
        0.03,
        0.01,
    );
}

fn check(name: &str, tsv: &str, clean: &str) {
    check_within(name, tsv, clean, LEAK_MAX, CHANGED_MAX);
}

fn check_within(name: &str, tsv: &str, clean: &str, leak_max: f64, changed_max: f64) {
    let r = Redactor::new();
    let m = measure(&r, tsv, clean);
    let leak = m.leaked.len() as f64 / m.secrets as f64;
    let changed = m.changed.len() as f64 / m.clean as f64;
    println!(
        "{name}: secret lines leaking: {}/{} = {:.1}%; clean lines changed: {}/{} = {:.1}%; unstable: {}",
        m.leaked.len(),
        m.secrets,
        100.0 * leak,
        m.changed.len(),
        m.clean,
        100.0 * changed,
        m.unstable.len()
    );
    for (f, line, out) in &m.leaked {
        println!("LEAK [{f}]\n  in:  {line}\n  out: {out}");
    }
    for (line, out) in &m.changed {
        println!("CHANGED\n  in:  {line}\n  out: {out}");
    }
    for line in &m.unstable {
        println!("UNSTABLE {line}");
    }
    assert!(
        m.unstable.is_empty(),
        "a second pass changed {:?}",
        m.unstable
    );
    assert!(
        leak <= leak_max,
        "{:.1}% of secret lines leak",
        100.0 * leak
    );
    assert!(
        changed <= changed_max,
        "{:.1}% of clean lines changed",
        100.0 * changed
    );
}

/// The goal is 2% and 3%; these are the bounds the engine holds on both corpora (measured:
/// 4/562 = 0.7% leak and 0/194 changed; 0/333 and 0/114).
const LEAK_MAX: f64 = 0.01;
const CHANGED_MAX: f64 = 0.01;

/// A seventh corpus, written last by an author asked for the forms a redactor would miss;
/// it counts password hashes as clean (the engine redacts them: two of its clean lines).
/// First measured at 79/358 = 22.1% leak and 11/138 = 8.0% changed with the rules before
/// the generic ones, 50/358 = 14.0% and 13/138 = 9.4% with them. Its odd lines were then
/// used to widen the rules; its even lines went from 22/179 = 12.3%, 7/69 = 10.1% to
/// 18/179 = 10.1%, 6/69 = 8.7% (measured once, before they were looked at; their clean
/// lines were looked at afterwards).
#[test]
fn seventh_corpus() {
    check_within(
        "seventh corpus",
        include_str!("data/secrets/seventh_secret_lines.tsv"),
        include_str!("data/secrets/seventh_clean_lines.txt"),
        0.065,
        0.025,
    );
}

/// An eighth corpus, written last (a realistic mix of common and less common forms, no
/// password hashes) and measured once before anyone read it: 9/313 = 2.9% leak and
/// 4/122 = 3.3% changed; the rules as they were before the generic ones gave 33/313 = 10.5%
/// and 5/122 = 4.1% on it. Nothing was changed for it; the rules written for the ninth and
/// tenth corpora took it to 7/313 = 2.2% and 3/122 = 2.5%.
#[test]
fn eighth_corpus() {
    check_within(
        "eighth corpus",
        include_str!("data/secrets/eighth_secret_lines.tsv"),
        include_str!("data/secrets/eighth_clean_lines.txt"),
        0.025,
        0.03,
    );
}

/// Ninth and tenth corpora, written by two authors who had not seen the rules or the other
/// corpora (the ninth: a provisioning platform's logs; the tenth: a company's general
/// infrastructure). First measured, before anyone read them, at 20/419 = 4.8% leak and
/// 4/142 = 2.8% changed, and 17/428 = 4.0% and 11/144 = 7.6%. The ninth's odd lines were
/// then used to widen the rules; the tenth, still unread, went to 15/428 = 3.5% and
/// 10/144 = 6.9% (its even half: 5/214 and 5/72). Both corpora were then used whole.
#[test]
fn ninth_corpus() {
    check_within(
        "ninth corpus",
        include_str!("data/secrets/ninth_secret_lines.tsv"),
        include_str!("data/secrets/ninth_clean_lines.txt"),
        0.01,
        0.01,
    );
}

#[test]
fn tenth_corpus() {
    check_within(
        "tenth corpus",
        include_str!("data/secrets/tenth_secret_lines.tsv"),
        include_str!("data/secrets/tenth_clean_lines.txt"),
        0.01,
        0.01,
    );
}

/// Eleventh and twelfth corpora, written by two more authors who had seen neither the rules
/// nor the other corpora (the eleventh from the list of what a reviewer finds, a
/// fifth of it network-device configuration; the twelfth a provisioning platform's logs).
/// First measured, before anyone read them, with the rules of the session's start at
/// 32/517 = 6.2% leak, 5/133 = 3.8% changed and 15/504 = 3.0%, 4/135 = 3.0%; with the rules
/// written for the ninth and tenth corpora at 28/517 = 5.4%, 2/133 = 1.5% and
/// 11/504 = 2.2%, 2/135 = 1.5%. The eleventh's odd lines were then used to widen the rules
/// (its even half, measured once before it was read: 14/259 = 5.4% to 12/259 = 4.6%); then
/// both corpora were used whole.
#[test]
fn eleventh_corpus() {
    check_within(
        "eleventh corpus",
        include_str!("data/secrets/eleventh_secret_lines.tsv"),
        include_str!("data/secrets/eleventh_clean_lines.txt"),
        0.015,
        0.01,
    );
}

#[test]
fn twelfth_corpus() {
    check_within(
        "twelfth corpus",
        include_str!("data/secrets/twelfth_secret_lines.tsv"),
        include_str!("data/secrets/twelfth_clean_lines.txt"),
        0.01,
        0.01,
    );
}

/// Thirteenth and fourteenth corpora, written by two more authors who had seen neither the
/// rules nor the other corpora (the thirteenth from the list; the fourteenth a
/// Python provisioning platform's logs), measured once before anyone read them, with the
/// rules of the session's start and with the rules written for corpora nine to twelve:
/// 17/527 = 3.2% leak, 3/134 = 2.2% changed to **10/527 = 1.9%, 2/134 = 1.5%**;
/// 21/561 = 3.7%, 4/143 = 2.8% to **21/561 = 3.7%, 3/143 = 2.1%**. Then both were used to
/// widen the rules.
#[test]
fn thirteenth_corpus() {
    check_within(
        "thirteenth corpus",
        include_str!("data/secrets/thirteenth_secret_lines.tsv"),
        include_str!("data/secrets/thirteenth_clean_lines.txt"),
        0.01,
        0.01,
    );
}

#[test]
fn fourteenth_corpus() {
    check_within(
        "fourteenth corpus",
        include_str!("data/secrets/fourteenth_secret_lines.tsv"),
        include_str!("data/secrets/fourteenth_clean_lines.txt"),
        0.015,
        0.01,
    );
}

/// The fifteenth corpus, written last by another author who had seen neither the rules nor
/// the other corpora, measured once before anyone read it: 33/527 = 6.3% leak and
/// 3/131 = 2.3% changed with the rules of the session's start, **22/527 = 4.2% and
/// 3/131 = 2.3%** with the rules written for corpora nine to fourteen (and one line a
/// second pass changed). Then it was used to widen the rules: dotted passphrases
/// (`spruce.copper.otter.lemon`) had been read as attribute paths.
#[test]
fn fifteenth_corpus() {
    check_within(
        "fifteenth corpus",
        include_str!("data/secrets/fifteenth_secret_lines.tsv"),
        include_str!("data/secrets/fifteenth_clean_lines.txt"),
        0.015,
        0.01,
    );
}

/// The sixteenth corpus, written last, measured once with the final rules of the session
/// before anyone read it: **28/552 = 5.1% leak, 1/139 = 0.7% changed** (58/552 = 10.5% and
/// 1/139 with the rules of the session's start). What it found (passphrases in device
/// configuration, here-strings into more tools, `-w'…'`) was then added.
#[test]
fn sixteenth_corpus() {
    check_within(
        "sixteenth corpus",
        include_str!("data/secrets/sixteenth_secret_lines.tsv"),
        include_str!("data/secrets/sixteenth_clean_lines.txt"),
        0.03,
        0.01,
    );
}

/// The seventeenth corpus, written after the session's last rule change by an author who had
/// seen neither the rules nor the other corpora, measured once with the final rules: 13/408 =
/// 3.2% leak and 2/138 = 1.4% changed (24/408 = 5.9% and 5/138 = 3.6% with the rules of the
/// session's start). Nothing was changed for it; the bounds are those rates.
#[test]
fn seventeenth_corpus() {
    check_within(
        "seventeenth corpus",
        include_str!("data/secrets/seventeenth_secret_lines.tsv"),
        include_str!("data/secrets/seventeenth_clean_lines.txt"),
        0.035,
        0.015,
    );
}
