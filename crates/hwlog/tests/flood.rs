//! `examples/flood.rs`: 1,000,000 records from 4 threads through the production-style file
//! route; afterwards every record is in the files (active + rotated zstd), exactly once, and
//! no line is split.
use std::collections::HashSet;
use std::io::Read;
use std::path::PathBuf;
use std::process::Command;

fn example(name: &str) -> PathBuf {
    let exe = std::env::current_exe().unwrap();
    let bin = exe
        .parent()
        .unwrap()
        .parent()
        .unwrap()
        .join("examples")
        .join(name);
    assert!(
        bin.exists(),
        "{} is missing: run `cargo test -p hwlog`, which builds the examples",
        bin.display()
    );
    bin
}

#[test]
fn flood_writes_every_record_into_rotated_compressed_files() {
    let dir = tempfile::tempdir().unwrap();
    let out = Command::new(example("flood"))
        .args([
            "--threads",
            "4",
            "--records",
            "250000",
            "--rotate-mb",
            "16",
            "--dir",
        ])
        .arg(dir.path())
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        stdout.contains("flood: 1000000 records from 4 threads"),
        "{stdout}"
    );
    let mut seen = HashSet::new();
    let (mut zst, mut total) = (0, 0u64);
    for e in std::fs::read_dir(dir.path()).unwrap() {
        let p = e.unwrap().path();
        let name = p.file_name().unwrap().to_string_lossy().to_string();
        if !name.starts_with("flood.jsonl") {
            continue;
        }
        assert!(!name.ends_with(".tmp"), "leftover {name}");
        let text = if name.ends_with(".zst") {
            zst += 1;
            let mut s = String::new();
            zstd::stream::read::Decoder::new(std::fs::File::open(&p).unwrap())
                .unwrap()
                .read_to_string(&mut s)
                .unwrap();
            s
        } else {
            std::fs::read_to_string(&p).unwrap()
        };
        assert!(
            text.is_empty() || text.ends_with('\n'),
            "{name} ends mid-line"
        );
        for line in text.lines() {
            let v: serde_json::Value =
                serde_json::from_str(line).unwrap_or_else(|e| panic!("{name}: {e}: {line}"));
            if v["message"] != "flood record" {
                continue;
            }
            let key = (
                v["fields"]["thread"].as_u64().unwrap(),
                v["fields"]["i"].as_u64().unwrap(),
            );
            assert!(seen.insert(key), "{key:?} twice");
            total += 1;
        }
    }
    assert_eq!(total, 1_000_000);
    assert!(zst >= 3, "expected several rotated zstd files, found {zst}");
    assert!(stdout.contains("dropped=0"), "{stdout}");
}
