//! A real PostgreSQL server for tests: `initdb` into a temp dir, `pg_ctl start` on a free
//! loopback port, stopped when dropped. Shared by the store and the server tests.
#![allow(dead_code)]
use std::path::{Path, PathBuf};
use std::process::Command;

/// A running PostgreSQL.
pub struct PgServer {
    bin: PathBuf,
    dir: tempfile::TempDir,
    /// The TCP port on 127.0.0.1.
    pub port: u16,
    as_postgres: bool,
    /// Server settings (`-c name=value …`).
    settings: String,
}

/// The directory of `initdb` and `pg_ctl`: on the PATH, or Debian's versioned directory.
fn bin_dir() -> Option<PathBuf> {
    if let Ok(path) = std::env::var("PATH") {
        for d in std::env::split_paths(&path) {
            // Follow a symlink to the directory that has the other tools too.
            if let Ok(initdb) = d.join("initdb").canonicalize() {
                let dir = initdb.parent()?.to_path_buf();
                if dir.join("pg_ctl").is_file() && dir.join("createdb").is_file() {
                    return Some(dir);
                }
            }
        }
    }
    let mut versions: Vec<PathBuf> = std::fs::read_dir("/usr/lib/postgresql")
        .ok()?
        .filter_map(|e| e.ok().map(|e| e.path().join("bin")))
        .filter(|d| d.join("initdb").is_file())
        .collect();
    versions.sort();
    versions.pop()
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

impl PgServer {
    /// Starts a server, or prints a SKIPPED line and returns `None` when PostgreSQL is not
    /// installed (a failure instead when `HWLOG_REQUIRE_EXTERNAL=1`).
    pub fn start(test: &str) -> Option<PgServer> {
        // Tests do not need durability across a power cut.
        Self::start_with(test, "-c fsync=off")
    }

    /// [`start`](Self::start) with server settings of one's own (`-c name=value …`).
    pub fn start_with(test: &str, settings: &str) -> Option<PgServer> {
        let Some(bin) = bin_dir() else {
            let msg = format!(
                "SKIPPED {test}: PostgreSQL (initdb, pg_ctl) is not installed \
                 (apt-get install postgresql)"
            );
            if std::env::var("HWLOG_REQUIRE_EXTERNAL").as_deref() == Ok("1") {
                panic!("{msg}, and HWLOG_REQUIRE_EXTERNAL=1");
            }
            println!("{msg}");
            return None;
        };
        let dir = tempfile::Builder::new()
            .prefix("hwlog-pg")
            .tempdir()
            .expect("temp dir");
        // initdb refuses to run as root: run the server as the `postgres` user then.
        let as_postgres = is_root();
        if as_postgres {
            let ok = Command::new("chown")
                .args(["-R", "postgres:"])
                .arg(dir.path())
                .status()
                .is_ok_and(|s| s.success());
            assert!(ok, "chown of the PostgreSQL temp dir failed");
        }
        let mut pg = PgServer {
            bin,
            dir,
            port: 0,
            as_postgres,
            settings: settings.to_string(),
        };
        let data = pg.data();
        pg.run(
            "initdb",
            &[
                "-D",
                data.to_str().unwrap(),
                "-U",
                "hwlog",
                "--auth=trust",
                "--no-sync",
                "-E",
                "UTF8",
            ],
        );
        pg.start_again();
        pg.run(
            "createdb",
            &[
                "-h",
                "127.0.0.1",
                "-p",
                &pg.port.to_string(),
                "-U",
                "hwlog",
                "hwlog",
            ],
        );
        Some(pg)
    }

    fn data(&self) -> PathBuf {
        self.dir.path().join("data")
    }

    /// A PostgreSQL tool, run as the `postgres` user when the tests run as root.
    fn command(&self, tool: &str) -> Command {
        let exe = self.bin.join(tool);
        if self.as_postgres {
            let mut c = Command::new("runuser");
            c.args(["-u", "postgres", "--"]).arg(&exe);
            c
        } else {
            Command::new(&exe)
        }
    }

    fn run(&self, tool: &str, args: &[&str]) {
        let out = self
            .command(tool)
            .args(args)
            .output()
            .expect("run a PostgreSQL tool");
        assert!(
            out.status.success(),
            "{tool} {args:?} failed: {}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
    }

    /// Starts the server (again, after [`stop`](Self::stop)), on a new port the first time.
    pub fn start_again(&mut self) {
        if self.port == 0 {
            self.port = free_port();
        }
        let opts = format!(
            "-c listen_addresses=127.0.0.1 -p {} -k {} -c max_connections=200 {}",
            self.port,
            self.dir.path().display(),
            self.settings
        );
        let data = self.data();
        let log = self.dir.path().join("server.log");
        self.run(
            "pg_ctl",
            &[
                "start",
                "-w",
                "-t",
                "60",
                "-D",
                data.to_str().unwrap(),
                "-l",
                log.to_str().unwrap(),
                "-o",
                &opts,
            ],
        );
    }

    /// Stops the server (fast shutdown: connections are cut).
    pub fn stop(&self) {
        let data = self.data();
        self.run(
            "pg_ctl",
            &["stop", "-w", "-m", "fast", "-D", data.to_str().unwrap()],
        );
    }

    /// `postgres://hwlog@127.0.0.1:PORT/DB`.
    pub fn url(&self, db: &str) -> String {
        format!("postgres://hwlog@127.0.0.1:{}/{db}", self.port)
    }

    /// Creates database `name` and returns its URL.
    pub fn new_db(&self, name: &str) -> String {
        self.run(
            "createdb",
            &[
                "-h",
                "127.0.0.1",
                "-p",
                &self.port.to_string(),
                "-U",
                "hwlog",
                name,
            ],
        );
        self.url(name)
    }

    /// The directory of the server's files.
    pub fn dir(&self) -> &Path {
        self.dir.path()
    }
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
        .unwrap_or(false)
}

impl Drop for PgServer {
    fn drop(&mut self) {
        let data = self.data();
        let _ = self
            .command("pg_ctl")
            .args(["stop", "-w", "-m", "immediate", "-D"])
            .arg(&data)
            .output();
    }
}
