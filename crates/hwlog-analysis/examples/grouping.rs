//! Grouping accuracy of the template miner on labelled logs.
//!
//! `cargo run --release -p hwlog-analysis --example grouping -- DIR...` reads every `*.tsv`
//! in each DIR (one `true-group<TAB>message` per line, as in `tests/data/loghub-2k`), mines
//! each file with a fresh default miner and prints the grouping accuracy per file, the
//! average and the lines per second. `-v` also lists the wrongly grouped true groups.
use std::time::Instant;

use hwlog_analysis::miner::{grouping_accuracy, TemplateMiner};

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let verbose = args.iter().any(|a| a == "-v");
    let mut total = 0.0;
    let mut n = 0;
    let mut lines_all = 0usize;
    let mut secs_all = 0.0;
    for dir in args.iter().filter(|a| !a.starts_with('-')) {
        let mut files: Vec<_> = std::fs::read_dir(dir)
            .expect("read dir")
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|x| x == "tsv"))
            .collect();
        files.sort();
        for f in files {
            let text = std::fs::read_to_string(&f).expect("read");
            let (truth, msgs): (Vec<&str>, Vec<&str>) = text
                .lines()
                .map(|l| l.split_once('\t').expect("tab"))
                .unzip();
            let mut m = TemplateMiner::new();
            let start = Instant::now();
            let ids: Vec<u64> = msgs.iter().map(|l| m.add(l).template_id).collect();
            secs_all += start.elapsed().as_secs_f64();
            lines_all += msgs.len();
            let ids: Vec<u64> = ids.iter().map(|&i| m.resolve(i)).collect();
            let ga = grouping_accuracy(&truth, &ids);
            println!(
                "{:<14} GA {:.4}  templates {:>4}",
                f.file_stem().unwrap().to_string_lossy(),
                ga,
                m.len()
            );
            if verbose {
                report(&truth, &ids, &msgs, &m);
            }
            total += ga;
            n += 1;
        }
    }
    println!(
        "average GA {:.4} over {n} sets; {:.0} lines/s",
        total / n.max(1) as f64,
        lines_all as f64 / secs_all
    );
}

/// Lists true groups that were split or merged, with an example.
fn report(truth: &[&str], ids: &[u64], msgs: &[&str], m: &TemplateMiner) {
    use std::collections::{BTreeMap, BTreeSet};
    let mut by_truth: BTreeMap<&str, BTreeSet<u64>> = BTreeMap::new();
    let mut by_pred: BTreeMap<u64, BTreeSet<&str>> = BTreeMap::new();
    for (t, p) in truth.iter().zip(ids) {
        by_truth.entry(t).or_default().insert(*p);
        by_pred.entry(*p).or_default().insert(t);
    }
    for (t, preds) in &by_truth {
        let n = truth.iter().filter(|x| *x == t).count();
        if preds.len() > 1 {
            println!("  SPLIT {t} ({n} lines) into {} templates:", preds.len());
            for p in preds.iter().take(4) {
                let i = ids.iter().position(|x| x == p).unwrap();
                println!(
                    "      [{}] {}",
                    m.template(*p).map_or("?", |x| x.text()),
                    msgs[i]
                );
            }
        }
    }
    for (p, ts) in &by_pred {
        if ts.len() > 1 {
            let n = ids.iter().filter(|x| *x == p).count();
            println!(
                "  MERGED {:?} ({n} lines) as [{}]",
                ts,
                m.template(*p).map_or("?", |x| x.text())
            );
            for t in ts.iter().take(4) {
                let i = truth.iter().position(|x| x == t).unwrap();
                println!("      {t}: {}", msgs[i]);
            }
        }
    }
}
