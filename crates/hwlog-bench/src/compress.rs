//! How much zstd (level 9, what the built-in profiles use for rotated files) saves on real logs: the loghub 2k samples, concatenated.
use std::path::{Path, PathBuf};
use std::time::Instant;

use serde_json::{json, Value};

/// zstd level used for rotated files.
pub const LEVEL: i32 = 9;

/// The loghub directory: `--loghub`, else `shared/data/loghub-2k` beside the repository.
pub fn locate(flag: Option<&Path>) -> PathBuf {
    if let Some(p) = flag {
        return p.to_path_buf();
    }
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
    let beside_repo = manifest.join("../../../shared/data/loghub-2k");
    if beside_repo.is_dir() {
        return beside_repo;
    }
    // A copy of the binary run from the repository root.
    PathBuf::from("../shared/data/loghub-2k")
}

/// The `*/*_2k.log` files under `dir`, sorted.
fn inputs(dir: &Path) -> std::io::Result<Vec<PathBuf>> {
    let mut files = Vec::new();
    for sub in std::fs::read_dir(dir)? {
        let sub = sub?.path();
        if !sub.is_dir() {
            continue;
        }
        for f in std::fs::read_dir(&sub)? {
            let f = f?.path();
            let is_2k = f
                .file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.ends_with("_2k.log"));
            if is_2k && f.is_file() {
                files.push(f);
            }
        }
    }
    files.sort();
    Ok(files)
}

/// Compresses the concatenated samples; `Err` carries a note when there is nothing to read.
pub fn run(dir: &Path) -> Result<Value, String> {
    let files = inputs(dir).map_err(|e| format!("loghub directory {}: {e}", dir.display()))?;
    if files.is_empty() {
        return Err(format!("no */*_2k.log files under {}", dir.display()));
    }
    let mut data = Vec::new();
    for f in &files {
        data.extend(std::fs::read(f).map_err(|e| format!("{}: {e}", f.display()))?);
    }
    let start = Instant::now();
    let packed = zstd::bulk::compress(&data, LEVEL).map_err(|e| format!("zstd: {e}"))?;
    let secs = start.elapsed().as_secs_f64();
    let back = zstd::bulk::decompress(&packed, data.len()).map_err(|e| format!("zstd: {e}"))?;
    if back != data {
        return Err("zstd round trip differs".into());
    }
    Ok(json!({
        "files": files.len(),
        "original_bytes": data.len(),
        "compressed_bytes": packed.len(),
        "saved": 1.0 - packed.len() as f64 / data.len() as f64,
        "mb_per_s": data.len() as f64 / 1e6 / secs,
    }))
}
