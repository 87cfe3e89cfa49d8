//! `hwlog analyze errors|trends|anomalies` over log files or an hwlog database.
use std::io::Read;
use std::path::PathBuf;

use anyhow::{bail, Context, Result};
use clap::Args;
use hwlog::{Record, Timestamp};
use hwlog_analysis::anomaly::{detect_anomalies, AnomalyConfig, Metric};
use hwlog_analysis::duration::duration_of;
use hwlog_analysis::errors::analyze_error_patterns;
use hwlog_analysis::miner::TemplateMiner;
use hwlog_analysis::trends::{least_squares, performance_trends, TrendConfig};
use hwlog_analysis::window::{Window, HOUR_NS};
use hwlog_decode::lines::{parse_line, LineFormat};

use crate::svg;

/// Where the records come from.
#[derive(Args)]
pub struct Input {
    /// Log files: hwlog JSON or structured lines, syslog, or plain text (detected from the
    /// first line unless `--format` is given). Repeatable.
    #[arg(long = "input", value_name = "FILE")]
    inputs: Vec<PathBuf>,
    /// An hwlog SQLite database (read-only).
    #[arg(long, value_name = "FILE")]
    db: Option<PathBuf>,
    /// The database's log table.
    #[arg(long, default_value = "logs")]
    table: String,
    /// Line format: json, structured, syslog or plain.
    #[arg(long, value_name = "FORMAT")]
    format: Option<String>,
    /// For plain lines: a header pattern with named groups ts, level, component, message.
    #[arg(long, value_name = "REGEX")]
    header: Option<String>,
    /// Only the last HOURS before the newest record (default: all records).
    #[arg(long)]
    hours: Option<f64>,
    /// Print JSON instead of text.
    #[arg(long)]
    json: bool,
}

/// `analyze errors`.
#[derive(Args)]
pub struct ErrorsArgs {
    #[command(flatten)]
    input: Input,
    /// Patterns listed.
    #[arg(long, default_value_t = 10)]
    top: usize,
}

/// `analyze trends`.
#[derive(Args)]
pub struct TrendsArgs {
    #[command(flatten)]
    input: Input,
    /// Component pattern (`hwautomation.*.ipmi`; a plain name covers its children).
    #[arg(long)]
    component: Option<String>,
    /// Write the durations and their trend line of the largest series as SVG.
    #[arg(long, value_name = "FILE.svg")]
    plot: Option<PathBuf>,
}

/// `analyze anomalies`.
#[derive(Args)]
pub struct AnomaliesArgs {
    #[command(flatten)]
    input: Input,
    /// Bucket width (`5m`, `1h`, `30s`).
    #[arg(long, default_value = "5m")]
    bucket: String,
    /// Write the record volume per bucket, anomalies in red, as SVG.
    #[arg(long, value_name = "FILE.svg")]
    plot: Option<PathBuf>,
}

fn line_format(i: &Input) -> Result<Option<LineFormat>> {
    Ok(match i.format.as_deref() {
        None => None,
        Some("json") => Some(LineFormat::Json),
        Some("structured") => Some(LineFormat::Structured),
        Some("syslog") => Some(LineFormat::Syslog),
        Some("plain") => {
            let re = i.header.as_deref().unwrap_or("^$");
            Some(LineFormat::Plain(
                regex::Regex::new(re).with_context(|| format!("invalid --header {re:?}"))?,
            ))
        }
        Some(other) => bail!("unknown --format {other:?}: use json, structured, syslog or plain"),
    })
}

/// The records, oldest first, and the window to analyse.
fn load(i: &Input) -> Result<(Vec<Record>, Window)> {
    if i.inputs.is_empty() && i.db.is_none() {
        bail!("give --input FILE (repeatable) or --db FILE");
    }
    let mut recs = Vec::new();
    if let Some(db) = &i.db {
        let mut last = 0;
        loop {
            let page =
                hwlog_store::SqliteStore::read_after(db, &i.table, last, hwlog_store::MAX_LIMIT)
                    .with_context(|| format!("cannot read {}", db.display()))?;
            let Some(end) = page.last().map(|r| r.id) else {
                break;
            };
            recs.extend(page.into_iter().map(|r| r.record));
            last = end;
        }
    }
    let fixed = line_format(i)?;
    let now = Timestamp::now().as_nanos();
    for path in &i.inputs {
        let mut f =
            std::fs::File::open(path).with_context(|| format!("cannot open {}", path.display()))?;
        let size = f.metadata().map(|m| m.len()).unwrap_or(0);
        let bar = crate::progress(size, path);
        let mut bytes = Vec::with_capacity(size as usize);
        let mut chunk = vec![0u8; 1 << 20];
        loop {
            let n = f
                .read(&mut chunk)
                .with_context(|| format!("cannot read {}", path.display()))?;
            if n == 0 {
                break;
            }
            bytes.extend_from_slice(&chunk[..n]);
            bar.inc(n as u64);
        }
        bar.finish_and_clear();
        let text = String::from_utf8_lossy(&bytes);
        let component = path
            .file_stem()
            .map_or("log".into(), |s| s.to_string_lossy().into_owned());
        let mut fmt = fixed.clone();
        for line in text.lines() {
            let f = fmt.get_or_insert_with(|| LineFormat::detect(line));
            recs.extend(parse_line(f, line, &component, now));
        }
    }
    recs.sort_by_key(|r| r.timestamp.as_nanos());
    let end = recs.last().map_or(now, |r| r.timestamp.as_nanos()) + 1;
    let start = match i.hours {
        Some(h) => end - (h * HOUR_NS as f64) as i64,
        None => recs.first().map_or(end - 1, |r| r.timestamp.as_nanos()),
    };
    Ok((recs, Window::new(start, end)))
}

fn time(ns: i64) -> String {
    Timestamp::from_nanos(ns).to_rfc3339_micros()
}

/// Runs `analyze errors`.
pub fn errors(a: &ErrorsArgs) -> Result<()> {
    let (recs, w) = load(&a.input)?;
    let report = analyze_error_patterns(&recs, w, &mut TemplateMiner::new());
    if a.input.json {
        println!("{}", serde_json::to_string_pretty(&report)?);
        return Ok(());
    }
    println!(
        "{} errors from {} to {}",
        report.total_errors,
        time(w.start),
        time(w.end)
    );
    if report.total_errors == 0 {
        return Ok(());
    }
    let k = report.patterns_covering(0.9);
    println!(
        "{k} pattern{} make up 90% of the errors",
        if k == 1 { "" } else { "s" }
    );
    println!(
        "{:>7} {:>6} {:>9}  {:<28} template",
        "count", "share", "per hour", "components"
    );
    for p in report.patterns.iter().take(a.top) {
        let comps: Vec<String> = p
            .components
            .iter()
            .take(2)
            .map(|(c, n)| format!("{c}({n})"))
            .collect();
        println!(
            "{:>7} {:>5.1}% {:>9.2}  {:<28} {}",
            p.count,
            p.share * 100.0,
            p.rate_per_hour,
            comps.join(","),
            p.template
        );
    }
    Ok(())
}

/// Runs `analyze trends`.
pub fn trends(a: &TrendsArgs) -> Result<()> {
    let (recs, w) = load(&a.input)?;
    let comp = a.component.as_deref();
    let trends = performance_trends(&recs, comp, w, &TrendConfig::default());
    if let Some(path) = &a.plot {
        let pat = comp.map(hwlog::ComponentPattern::new);
        let Some(t) = trends.iter().max_by_key(|t| t.count) else {
            bail!("no durations to plot (fields duration_ms/duration/elapsed, or \"took 250ms\" in messages)");
        };
        let pts: Vec<(f64, f64)> = recs
            .iter()
            .filter(|r| w.contains(r.timestamp.as_nanos()) && r.component.as_str() == t.component)
            .filter(|r| pat.as_ref().is_none_or(|c| c.matches(&r.component)))
            .filter_map(|r| {
                let op = r
                    .field("operation")
                    .and_then(|v| v.as_str())
                    .map(str::to_string);
                (op == t.operation).then_some(())?;
                Some((
                    (r.timestamp.as_nanos() - w.start) as f64 / HOUR_NS as f64,
                    duration_of(r)? * 1000.0,
                ))
            })
            .collect();
        let fit = least_squares(&pts);
        let title = format!(
            "{}{}: {:+.1} ms/h, r² {:.2}, {:?}",
            t.component,
            t.operation
                .as_deref()
                .map(|o| format!(" / {o}"))
                .unwrap_or_default(),
            fit.slope,
            fit.r2,
            t.label
        );
        std::fs::write(
            path,
            svg::scatter(
                &title,
                "hours since start",
                "duration (ms)",
                &pts,
                fit.slope,
                fit.intercept,
            ),
        )
        .with_context(|| format!("cannot write {}", path.display()))?;
        eprintln!("wrote {}", path.display());
    }
    if a.input.json {
        println!("{}", serde_json::to_string_pretty(&trends)?);
        return Ok(());
    }
    println!(
        "{:<30} {:>6} {:>9} {:>9} {:>9} {:>10} {:>5}  trend",
        "component / operation", "count", "avg ms", "p95 ms", "max ms", "ms/hour", "r²"
    );
    for t in &trends {
        let name = match &t.operation {
            Some(o) => format!("{} / {o}", t.component),
            None => t.component.clone(),
        };
        println!(
            "{:<30} {:>6} {:>9.1} {:>9.1} {:>9.1} {:>+10.2} {:>5.2}  {}",
            name,
            t.count,
            t.avg_ms,
            t.p95_ms,
            t.max_ms,
            t.slope_ms_per_hour,
            t.r_squared,
            serde_json::to_value(t.label)?.as_str().unwrap_or("")
        );
    }
    Ok(())
}

/// Runs `analyze anomalies`.
pub fn anomalies(a: &AnomaliesArgs) -> Result<()> {
    let secs = hwlog::units::parse_duration(&a.bucket)
        .map_err(anyhow::Error::from)
        .and_then(|d| match d.as_secs() {
            1..=31_622_400 => Ok(d.as_secs()),
            _ => bail!("a bucket must be between 1s and 366d"),
        })
        .with_context(|| format!("invalid --bucket {:?}", a.bucket))?;
    let cfg = AnomalyConfig {
        bucket_secs: secs as i64,
        ..AnomalyConfig::default()
    };
    let (recs, w) = load(&a.input)?;
    let found = detect_anomalies(&recs, w, &mut TemplateMiner::new(), &cfg);
    if let Some(path) = &a.plot {
        let width = cfg.bucket_secs * 1_000_000_000;
        // The newest MAX_BUCKETS buckets, as the detector looks at.
        let span = (w.end - w.start)
            .min(width.saturating_mul(hwlog_analysis::anomaly::MAX_BUCKETS as i64));
        let w = Window::new(w.end - span, w.end);
        let n = ((span + width - 1) / width).max(1) as usize;
        let mut volume = vec![0.0; n];
        for r in &recs {
            let ts = r.timestamp.as_nanos();
            if w.contains(ts) {
                volume[((ts - w.start) / width) as usize] += 1.0;
            }
        }
        let marked: Vec<usize> = found
            .iter()
            .filter(|x| x.metric != Metric::NewTemplate)
            .map(|x| ((x.bucket_start - w.start) / width) as usize)
            .collect();
        let title = format!("records per {} ({} anomalies)", a.bucket, found.len());
        let bucket_h = cfg.bucket_secs as f64 / 3600.0;
        std::fs::write(
            path,
            svg::bars(
                &title,
                "hours since start",
                "records",
                0.0,
                bucket_h,
                &volume,
                &marked,
            ),
        )
        .with_context(|| format!("cannot write {}", path.display()))?;
        eprintln!("wrote {}", path.display());
    }
    if a.input.json {
        println!("{}", serde_json::to_string_pretty(&found)?);
        return Ok(());
    }
    println!(
        "{} anomalies from {} to {}",
        found.len(),
        time(w.start),
        time(w.end)
    );
    for x in &found {
        println!(
            "{}  {:<8?} {:>7.1}  {}",
            time(x.bucket_start),
            x.severity,
            x.score,
            x.description
        );
    }
    Ok(())
}
