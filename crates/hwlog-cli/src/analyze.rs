//! `hwlog analyze patterns`: template mining over a file of raw messages.
use std::collections::HashMap;
use std::fs::File;
use std::io::{self, BufWriter, Read, Write};
use std::path::PathBuf;
use std::time::Instant;

use anyhow::{Context, Result};
use clap::{Args, ValueEnum};
use hwlog_analysis::miner::TemplateMiner;

/// Output formats of `analyze patterns`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum PatternFormat {
    /// `line,template_id,template`, one row per input line.
    Csv,
    /// One JSON object: `templates` (id, template, count) and `lines` (line, template_id).
    Json,
}

/// `hwlog analyze patterns`.
#[derive(Args)]
pub struct PatternsArgs {
    /// One raw message per line (`-` for standard input). Invalid UTF-8 is replaced.
    #[arg(long)]
    input: PathBuf,
    /// Where to write one row per input line; without it a summary of the top templates is
    /// printed.
    #[arg(long)]
    output: Option<PathBuf>,
    /// Format of `--output`.
    #[arg(long, value_enum, default_value_t = PatternFormat::Csv)]
    format: PatternFormat,
    /// Templates listed in the summary.
    #[arg(long, default_value_t = 20)]
    top: usize,
}

fn open_input(path: &PathBuf) -> Result<Box<dyn Read>> {
    if path.as_os_str() == "-" {
        return Ok(Box::new(io::stdin()));
    }
    let f = File::open(path).with_context(|| format!("cannot open {}", path.display()))?;
    Ok(Box::new(f))
}

/// Quotes a CSV field when it needs it (RFC 4180).
fn csv_field(s: &str, out: &mut String) {
    if s.contains([',', '"', '\n', '\r']) {
        out.push('"');
        out.push_str(&s.replace('"', "\"\""));
        out.push('"');
    } else {
        out.push_str(s);
    }
}

/// Runs `analyze patterns`.
pub fn patterns(a: &PatternsArgs) -> Result<()> {
    let mut input = open_input(&a.input)?;
    let size = std::fs::metadata(&a.input).map(|m| m.len()).unwrap_or(0);
    let bar = crate::progress(size, &a.input);
    let mut miner = TemplateMiner::new();
    let mut ids: Vec<u64> = Vec::new();
    let mut chunk = Vec::with_capacity(1 << 22);
    let mut carry = Vec::new();
    let start = Instant::now();
    loop {
        // Read in large chunks; a line that crosses a chunk boundary is carried over.
        chunk.clear();
        chunk.extend_from_slice(&carry);
        carry.clear();
        let n = (&mut input)
            .take(1 << 22)
            .read_to_end(&mut chunk)
            .with_context(|| format!("cannot read {}", a.input.display()))?;
        let eof = n == 0;
        bar.inc(n as u64);
        let body = if eof {
            &chunk[..]
        } else {
            match chunk.iter().rposition(|&c| c == b'\n') {
                Some(p) => {
                    carry.extend_from_slice(&chunk[p + 1..]);
                    &chunk[..=p]
                }
                None => {
                    carry.extend_from_slice(&chunk);
                    continue;
                }
            }
        };
        // Valid UTF-8 is checked once per chunk; a chunk with invalid bytes is decoded line
        // by line, replacing them.
        match std::str::from_utf8(body) {
            Ok(text) => {
                for line in text.split_inclusive('\n') {
                    ids.push(miner.add(line.trim_end_matches(['\n', '\r'])).template_id);
                }
            }
            Err(_) => {
                for line in body.split_inclusive(|&c| c == b'\n') {
                    let mut line = line;
                    while let [rest @ .., b'\n' | b'\r'] = line {
                        line = rest;
                    }
                    ids.push(miner.add(&String::from_utf8_lossy(line)).template_id);
                }
            }
        }
        if eof {
            break;
        }
    }
    bar.finish_and_clear();
    let secs = start.elapsed().as_secs_f64();
    for id in &mut ids {
        *id = miner.resolve(*id);
    }
    match &a.output {
        Some(path) => write_output(path, a.format, &miner, &ids)?,
        None => summary(&miner, ids.len(), a.top),
    }
    eprintln!(
        "{} lines, {} templates, {:.0} lines/s",
        ids.len(),
        miner.len(),
        ids.len() as f64 / secs.max(1e-9)
    );
    Ok(())
}

fn write_output(
    path: &PathBuf,
    format: PatternFormat,
    m: &TemplateMiner,
    ids: &[u64],
) -> Result<()> {
    let f = File::create(path).with_context(|| format!("cannot create {}", path.display()))?;
    let mut w = BufWriter::with_capacity(1 << 20, f);
    let text = |id: u64| m.template(id).map_or("", |t| t.text());
    match format {
        PatternFormat::Csv => {
            writeln!(w, "line,template_id,template")?;
            // `,id,template\n` once per template.
            let mut tails: HashMap<u64, String> = HashMap::new();
            let mut num = itoa::Buffer::new();
            for (i, &id) in ids.iter().enumerate() {
                let tail = tails.entry(id).or_insert_with(|| {
                    let mut t = format!(",{id},");
                    csv_field(text(id), &mut t);
                    t.push('\n');
                    t
                });
                w.write_all(num.format(i + 1).as_bytes())?;
                w.write_all(tail.as_bytes())?;
            }
        }
        PatternFormat::Json => {
            let templates: Vec<serde_json::Value> = m
                .templates()
                .iter()
                .map(
                    |t| serde_json::json!({"id": t.id(), "template": t.text(), "count": t.count()}),
                )
                .collect();
            let lines: Vec<serde_json::Value> = ids
                .iter()
                .enumerate()
                .map(|(i, &id)| serde_json::json!({"line": i + 1, "template_id": id}))
                .collect();
            serde_json::to_writer(
                &mut w,
                &serde_json::json!({"templates": templates, "lines": lines}),
            )?;
            writeln!(w)?;
        }
    }
    w.flush()
        .with_context(|| format!("cannot write {}", path.display()))?;
    Ok(())
}

fn summary(m: &TemplateMiner, lines: usize, top: usize) {
    println!("{lines} lines, {} templates", m.len());
    println!("{:>8} {:>6}  {:>5}  template", "count", "share", "id");
    for t in m.templates().iter().take(top) {
        println!(
            "{:>8} {:>5.1}%  {:>5}  {}",
            t.count(),
            100.0 * t.count() as f64 / lines.max(1) as f64,
            t.id(),
            t.text()
        );
    }
}
