//! The redaction engine on infrastructure log lines nobody here wrote the rules for
//! (`tests/data/secrets`: shapes from public secret-scanner documentation and fixtures and
//! from the tools' own documentation, values invented): how many secret lines leak at least
//! 4 characters of their secret, how many clean near-misses change, and whether a second
//! pass changes anything. `cargo test -p hwlog --test redaction_infra -- --nocapture`
//! prints the rates and every miss.
use hwlog::redact::Redactor;

/// `(secret, line, family)` cases.
fn secret_cases() -> Vec<(String, String, String)> {
    include_str!("data/secrets/secret_lines.tsv")
        .lines()
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

fn clean_lines() -> Vec<&'static str> {
    include_str!("data/secrets/clean_lines.txt")
        .lines()
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

fn measure(r: &Redactor) -> Rates {
    let cases = secret_cases();
    let clean = clean_lines();
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
    let r = Redactor::new();
    let m = measure(&r);
    let leak = m.leaked.len() as f64 / m.secrets as f64;
    let changed = m.changed.len() as f64 / m.clean as f64;
    println!(
        "secret lines leaking: {}/{} = {:.1}%; clean lines changed: {}/{} = {:.1}%; unstable: {}",
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
        leak <= LEAK_MAX,
        "{:.1}% of secret lines leak",
        100.0 * leak
    );
    assert!(
        changed <= CHANGED_MAX,
        "{:.1}% of clean lines changed",
        100.0 * changed
    );
}

/// The goal is 2% and 3%; these are the bounds the engine holds on this corpus (measured:
/// 4/562 = 0.7% leak, 0/194 changed).
const LEAK_MAX: f64 = 0.01;
const CHANGED_MAX: f64 = 0.01;
