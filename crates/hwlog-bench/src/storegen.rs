//! Realistic records for the store benchmark, generated from the LogHub-2k samples.
//!
//! Each of the twelve sets (`*/*_2k.log_structured_corrected.csv`) gives its lines with their
//! level, component and labelled template. A generated record picks a set (each with the same
//! share), then a line of it (so templates keep the frequencies they have in the source), and
//! re-draws the template's parameters in the same shape: every digit becomes a random digit,
//! and a long hexadecimal parameter gets random hex digits, so lines do not repeat while the
//! constant text and the value shapes stay those of the real logs. Around it: 64 hosts (a few
//! busier than the rest), a process id per host and set, correlation ids shared by runs of
//! 1–20 consecutive records of one set, timestamps spread evenly over `span` before `end`.
//! A "needle" word ([`NEEDLE`]) is put into one record in every 100,000 (at least 10), for
//! the full-text needle query; [`Generator::correlation_probe`] names one correlation id to
//! look up.
use std::path::Path;

use hwlog_core::Level;

/// The word the needle records carry (no LogHub line has it).
pub const NEEDLE: &str = "quuxneedle";

/// One line of a source: its level, component and template split at its parameters.
struct Line {
    level: Level,
    component: String,
    /// Constant pieces; parameters go between them (`pieces.len() == params.len() + 1`).
    pieces: Vec<String>,
    params: Vec<String>,
}

struct Source {
    name: String,
    lines: Vec<Line>,
}

/// Loads the twelve sets from `dir` (`<dir>/<Set>/<Set>_2k.log_structured_corrected.csv`).
fn load(dir: &Path) -> Result<Vec<Source>, String> {
    let mut sets: Vec<_> = std::fs::read_dir(dir)
        .map_err(|e| format!("{}: {e}", dir.display()))?
        .filter_map(|e| e.ok())
        .filter(|e| e.path().is_dir())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    sets.sort();
    let mut out = Vec::new();
    for set in sets {
        let path = dir
            .join(&set)
            .join(format!("{set}_2k.log_structured_corrected.csv"));
        if !path.exists() {
            continue;
        }
        let mut rd =
            csv::Reader::from_path(&path).map_err(|e| format!("{}: {e}", path.display()))?;
        let head = rd.headers().map_err(|e| e.to_string())?.clone();
        let col = |name: &str| head.iter().position(|h| h.eq_ignore_ascii_case(name));
        let (content, template) = match (col("Content"), col("EventTemplate")) {
            (Some(c), Some(t)) => (c, t),
            _ => {
                return Err(format!(
                    "{}: no Content/EventTemplate column",
                    path.display()
                ))
            }
        };
        let (level, component) = (col("Level"), col("Component"));
        let mut lines = Vec::new();
        for row in rd.records() {
            let row = row.map_err(|e| format!("{}: {e}", path.display()))?;
            let level = level
                .and_then(|i| row.get(i))
                .and_then(|l| l.parse::<Level>().ok())
                .unwrap_or(Level::Info);
            let comp = component.and_then(|i| row.get(i)).unwrap_or("main");
            let comp = comp
                .chars()
                .map(|c| {
                    if c.is_alphanumeric() || c == '.' {
                        c
                    } else {
                        '_'
                    }
                })
                .collect::<String>();
            let (pieces, params) = align(&row[template], &row[content]);
            lines.push(Line {
                level,
                component: format!("{}.{}", set.to_lowercase(), comp.trim_matches('_')),
                pieces,
                params,
            });
        }
        out.push(Source { name: set, lines });
    }
    if out.is_empty() {
        return Err(format!("{}: no LogHub sets found", dir.display()));
    }
    Ok(out)
}

/// Splits `content` along `template` (`<*>` marks a parameter): the constant pieces and the
/// parameter values between them. A line that does not follow its template is one piece.
fn align(template: &str, content: &str) -> (Vec<String>, Vec<String>) {
    let lits: Vec<&str> = template.split("<*>").collect();
    let whole = || (vec![content.to_string()], Vec::new());
    if lits.len() == 1 || !content.starts_with(lits[0]) {
        return whole();
    }
    let mut pos = lits[0].len();
    let mut params = Vec::new();
    for (j, lit) in lits.iter().enumerate().skip(1) {
        let rest = &content[pos..];
        let at = if j == lits.len() - 1 {
            if !rest.ends_with(lit) {
                return whole();
            }
            Some(rest.len() - lit.len())
        } else if lit.is_empty() {
            Some(0)
        } else {
            rest.find(lit)
        };
        let Some(at) = at else { return whole() };
        params.push(rest[..at].to_string());
        pos += at + lit.len();
    }
    (lits.iter().map(|s| s.to_string()).collect(), params)
}

/// xorshift64*: fast, and the same records for the same seed.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

/// Writes `value` with its digits (and, in a long hex value, its hex letters) re-drawn.
fn redraw(value: &str, rng: &mut Rng, out: &mut String) {
    let hex = value.len() >= 8 && value.bytes().all(|b| b.is_ascii_hexdigit());
    for c in value.chars() {
        match c {
            '0'..='9' if !hex => out.push((b'0' + rng.below(10) as u8) as char),
            c if hex && c.is_ascii_hexdigit() => {
                out.push(b"0123456789abcdef"[rng.below(16)] as char)
            }
            c => out.push(c),
        }
    }
}

/// One generated record, as the fields of an ingest line.
pub struct GenRecord {
    /// Nanoseconds since the Unix epoch.
    pub ts: i64,
    /// Its level.
    pub level: Level,
    /// `<set>.<component>`.
    pub component: String,
    /// The message.
    pub message: String,
    /// The request it belongs to.
    pub correlation_id: String,
    /// `node-00` … `node-63`.
    pub host: String,
    /// The process id.
    pub pid: u32,
}

impl GenRecord {
    /// The record as one NDJSON line of `POST /api/v1/logs` (with its newline).
    pub fn write_ndjson(&self, out: &mut Vec<u8>) {
        use std::io::Write;
        let _ = write!(out, "{{\"timestamp\":{},\"level\":", self.ts);
        hwlog_core::json::write_str(self.level.as_str(), out);
        out.extend_from_slice(b",\"component\":");
        hwlog_core::json::write_str(&self.component, out);
        out.extend_from_slice(b",\"message\":");
        hwlog_core::json::write_str(&self.message, out);
        out.extend_from_slice(b",\"correlation_id\":");
        hwlog_core::json::write_str(&self.correlation_id, out);
        let _ = writeln!(
            out,
            ",\"fields\":{{\"host\":\"{}\",\"pid\":{}}}}}",
            self.host, self.pid
        );
    }
}

/// Generates `n` records, oldest first.
pub struct Generator {
    sources: Vec<Source>,
    rng: Rng,
    n: usize,
    i: usize,
    start: i64,
    step: f64,
    needle_every: usize,
    /// The set, correlation id and records left of the current run.
    run: (usize, String, usize),
    probe: Option<String>,
}

impl Generator {
    /// `n` records from the LogHub sets in `dir`, spread over `span_ns` ending at `end_ns`.
    pub fn new(dir: &Path, n: usize, end_ns: i64, span_ns: i64) -> Result<Generator, String> {
        let sources = load(dir)?;
        Ok(Generator {
            sources,
            rng: Rng(0x9e37_79b9_7f4a_7c15),
            n,
            i: 0,
            start: end_ns - span_ns,
            step: span_ns as f64 / n.max(1) as f64,
            needle_every: (n / 10).clamp(1, 100_000),
            run: (0, String::new(), 0),
            probe: None,
        })
    }

    /// How many records carry [`NEEDLE`].
    pub fn needles(&self) -> usize {
        self.n.div_ceil(self.needle_every)
    }

    /// A correlation id of a run in the middle of the records (known once they were made).
    pub fn correlation_probe(&self) -> Option<&str> {
        self.probe.as_deref()
    }

    /// The names of the sets read.
    pub fn sets(&self) -> Vec<&str> {
        self.sources.iter().map(|s| s.name.as_str()).collect()
    }
}

impl Iterator for Generator {
    type Item = GenRecord;

    fn next(&mut self) -> Option<GenRecord> {
        if self.i >= self.n {
            return None;
        }
        let i = self.i;
        self.i += 1;
        if self.run.2 == 0 {
            let set = self.rng.below(self.sources.len());
            let id = format!("req-{:016x}", self.rng.next());
            self.run = (set, id, 1 + self.rng.below(20));
            if i >= self.n / 2 && self.probe.is_none() {
                self.probe = Some(self.run.1.clone());
            }
        }
        self.run.2 -= 1;
        let src = &self.sources[self.run.0];
        let line = &src.lines[self.rng.below(src.lines.len())];
        let mut message = String::with_capacity(128);
        for (j, piece) in line.pieces.iter().enumerate() {
            message.push_str(piece);
            if let Some(p) = line.params.get(j) {
                redraw(p, &mut self.rng, &mut message);
            }
        }
        if i % self.needle_every == self.needle_every / 2 {
            message.push(' ');
            message.push_str(NEEDLE);
        }
        // A few hosts are busier than the rest: half the records come from 8 of the 64.
        let host = if self.rng.below(2) == 0 {
            self.rng.below(8)
        } else {
            self.rng.below(64)
        };
        Some(GenRecord {
            ts: self.start + (i as f64 * self.step) as i64,
            level: line.level,
            component: line.component.clone(),
            message,
            correlation_id: self.run.1.clone(),
            host: format!("node-{host:02}"),
            pid: 1000 + (host as u32 * 37 + self.run.0 as u32 * 101) % 30_000,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn aligns_lines_to_their_templates() {
        let (p, v) = align(
            "PacketResponder <*> for block <*> terminating",
            "PacketResponder 1 for block blk_3886 terminating",
        );
        assert_eq!(p, ["PacketResponder ", " for block ", " terminating"]);
        assert_eq!(v, ["1", "blk_3886"]);
        let (p, v) = align(
            "<*> Served block <*> to <*>",
            "10.0.0.1 Served block b to /x",
        );
        assert_eq!(
            (p.len(), v),
            (4, vec!["10.0.0.1".into(), "b".into(), "/x".into()])
        );
        let (p, v) = align("a <*> b", "does not fit");
        assert_eq!((p, v.len()), (vec!["does not fit".to_string()], 0));
    }

    #[test]
    fn redraws_digits_and_long_hex_only() {
        let mut rng = Rng(7);
        let mut s = String::new();
        redraw("blk_-6952295868487656571", &mut rng, &mut s);
        assert!(s.starts_with("blk_-") && s.len() == 24 && s != "blk_-6952295868487656571");
        s.clear();
        redraw("deadbeef00", &mut rng, &mut s);
        assert!(s.len() == 10 && s.bytes().all(|b| b.is_ascii_hexdigit()));
        s.clear();
        redraw("user", &mut rng, &mut s);
        assert_eq!(s, "user");
    }
}
