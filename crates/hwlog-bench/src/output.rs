//! What a contender wrote: the lines and bytes of the files under its directory.
use std::io::Read;
use std::path::Path;

/// Newlines in every file under `dir` (recursively); `.zst` files are decompressed.
pub fn count_lines(dir: &Path) -> std::io::Result<u64> {
    let mut n = 0;
    for entry in std::fs::read_dir(dir)? {
        let entry = entry?;
        let path = entry.path();
        if entry.file_type()?.is_dir() {
            n += count_lines(&path)?;
            continue;
        }
        let file = std::fs::File::open(&path)?;
        n += match path.extension().and_then(|e| e.to_str()) {
            Some("zst") => newlines(zstd::Decoder::new(file)?)?,
            _ => newlines(file)?,
        };
    }
    Ok(n)
}

/// Newlines in a stream, read in 256 KiB chunks.
pub fn newlines(mut r: impl Read) -> std::io::Result<u64> {
    let mut buf = vec![0u8; 256 * 1024];
    let mut n = 0;
    loop {
        match r.read(&mut buf) {
            Ok(0) => return Ok(n),
            Ok(k) => n += buf[..k].iter().filter(|&&b| b == b'\n').count() as u64,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
}

/// Total size of the files under `dir`.
pub fn dir_bytes(dir: &Path) -> u64 {
    let Ok(rd) = std::fs::read_dir(dir) else {
        return 0;
    };
    rd.flatten()
        .map(|e| match e.file_type() {
            Ok(t) if t.is_dir() => dir_bytes(&e.path()),
            _ => e.metadata().map(|m| m.len()).unwrap_or(0),
        })
        .sum()
}
