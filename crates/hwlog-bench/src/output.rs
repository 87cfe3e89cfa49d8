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

/// Newlines of one growing file, counted incrementally: each [`Tail::lines`] reads only what
/// was appended since the last call.
pub struct Tail {
    path: std::path::PathBuf,
    offset: u64,
    lines: u64,
}

impl Tail {
    /// A counter for `path` (which may not exist yet).
    pub fn new(path: std::path::PathBuf) -> Tail {
        Tail {
            path,
            offset: 0,
            lines: 0,
        }
    }

    /// Newlines in the file now.
    pub fn lines(&mut self) -> std::io::Result<u64> {
        use std::io::{Seek, SeekFrom};
        let mut f = match std::fs::File::open(&self.path) {
            Ok(f) => f,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(0),
            Err(e) => return Err(e),
        };
        f.seek(SeekFrom::Start(self.offset))?;
        let mut buf = vec![0u8; 256 * 1024];
        loop {
            match f.read(&mut buf) {
                Ok(0) => return Ok(self.lines),
                Ok(k) => {
                    self.offset += k as u64;
                    self.lines += buf[..k].iter().filter(|&&b| b == b'\n').count() as u64;
                }
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                Err(e) => return Err(e),
            }
        }
    }

    /// Waits (polling every millisecond, at most `timeout`) until the file holds `want`
    /// lines; `Err` with what it holds when it does not.
    pub fn wait_for(&mut self, want: u64, timeout: std::time::Duration) -> Result<(), String> {
        let deadline = std::time::Instant::now() + timeout;
        loop {
            let have = self
                .lines()
                .map_err(|e| format!("{}: {e}", self.path.display()))?;
            if have >= want {
                return Ok(());
            }
            if std::time::Instant::now() >= deadline {
                return Err(format!(
                    "{} holds {have} of {want} records after {timeout:?}",
                    self.path.display()
                ));
            }
            std::thread::sleep(std::time::Duration::from_millis(1));
        }
    }
}

/// CPU time (user + system) this process has used, in nanoseconds.
pub fn process_cpu_ns() -> u64 {
    rusage_ns(libc::RUSAGE_SELF)
}

/// CPU time (user + system) the calling thread has used, in nanoseconds.
pub fn thread_cpu_ns() -> u64 {
    rusage_ns(libc::RUSAGE_THREAD)
}

fn rusage_ns(who: libc::c_int) -> u64 {
    // SAFETY: `getrusage` writes a `rusage` into the zeroed struct we own; `who` is one of
    // the constants it accepts.
    let mut u: libc::rusage = unsafe { std::mem::zeroed() };
    if unsafe { libc::getrusage(who, &mut u) } != 0 {
        return 0;
    }
    let tv = |t: libc::timeval| t.tv_sec as u64 * 1_000_000_000 + t.tv_usec as u64 * 1_000;
    tv(u.ru_utime) + tv(u.ru_stime)
}
