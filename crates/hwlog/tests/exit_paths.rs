//! Records in non-blocking queues reach the file when the process panics or gets SIGTERM.
//! The test binary plays the child itself (selected by an environment variable).
use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use hwlog::{get_logger, Level};

const ROLE: &str = "HWLOG_EXIT_TEST_ROLE";
const DIR: &str = "HWLOG_EXIT_TEST_DIR";

fn child_setup(dir: &str) -> hwlog::LoggingGuard {
    let cfg = format!(
        r#"
[profiles.exit]
level = "INFO"
log_dir = "{dir}"
features = {{}}
[[profiles.exit.routes]]
name = "file"
sink = {{ type = "file", path = "exit.log" }}
format = "structured"
buffer = {{ overflow = "block", flush_interval_ms = 3600000 }}
"#
    );
    let path = format!("{dir}/exit.toml");
    std::fs::write(&path, cfg).unwrap();
    hwlog::Builder::new()
        .config_file(path)
        .profile("exit")
        .flush_on_signals(true)
        .init()
        .unwrap()
}

/// Runs in the child: log 1,000 records, then panic or wait for a signal.
#[test]
fn child_role() {
    let Ok(role) = std::env::var(ROLE) else {
        return;
    };
    let dir = std::env::var(DIR).unwrap();
    let guard = child_setup(&dir);
    let log = get_logger("exit");
    for i in 0..1000 {
        log.at(Level::Info).field("i", i).log("queued");
    }
    std::mem::forget(guard); // no flush from the guard: only the exit path may save them
    match role.as_str() {
        "panic" => panic!("simulated crash"),
        "hup" => {
            hwlog::flush().unwrap();
            println!("ready");
            // The parent moves exit.log away and sends SIGHUP; then we log again.
            let moved = std::path::Path::new(&dir).join("exit.log.1");
            let t = Instant::now();
            while !moved.exists() && t.elapsed() < Duration::from_secs(20) {
                std::thread::sleep(Duration::from_millis(10));
            }
            std::thread::sleep(Duration::from_millis(300));
            log.info("after hup");
            hwlog::flush().unwrap();
        }
        _ => {
            println!("ready");
            std::thread::sleep(Duration::from_secs(30));
            panic!("no signal arrived");
        }
    }
}

fn spawn(role: &str, dir: &std::path::Path) -> std::process::Child {
    Command::new(std::env::current_exe().unwrap())
        .args(["--exact", "child_role", "--nocapture", "--test-threads=1"])
        .env(ROLE, role)
        .env(DIR, dir)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap()
}

/// Waits until the child prints "ready", then keeps draining its stdout.
fn wait_ready(child: &mut std::process::Child) {
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    let t = Instant::now();
    let mut line = String::new();
    while !line.contains("ready") {
        line.clear();
        assert!(
            stdout.read_line(&mut line).unwrap() > 0,
            "child exited early"
        );
        assert!(t.elapsed() < Duration::from_secs(20));
    }
    std::thread::spawn(move || std::io::copy(&mut stdout, &mut std::io::sink()));
}

fn count_lines(dir: &std::path::Path) -> usize {
    std::fs::read_to_string(dir.join("exit.log"))
        .unwrap_or_default()
        .lines()
        .filter(|l| l.contains(" - INFO - queued i="))
        .count()
}

#[test]
fn a_panic_flushes_the_queue() {
    let dir = tempfile::tempdir().unwrap();
    let out = spawn("panic", dir.path()).wait_with_output().unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("simulated crash"));
    assert_eq!(count_lines(dir.path()), 1000);
}

#[test]
fn sigterm_flushes_the_queue_then_terminates() {
    let dir = tempfile::tempdir().unwrap();
    let mut child = spawn("signal", dir.path());
    wait_ready(&mut child);
    let kill = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(kill.success());
    let status = child.wait().unwrap();
    use std::os::unix::process::ExitStatusExt;
    assert_eq!(
        status.signal(),
        Some(15),
        "terminated by SIGTERM: {status:?}"
    );
    assert_eq!(count_lines(dir.path()), 1000);
}

#[test]
fn sighup_reopens_a_file_moved_away() {
    let dir = tempfile::tempdir().unwrap();
    let mut child = spawn("hup", dir.path());
    wait_ready(&mut child);
    // logrotate's "move, then HUP".
    std::fs::rename(dir.path().join("exit.log"), dir.path().join("exit.log.tmp")).unwrap();
    let pid = child.id().to_string();
    assert!(Command::new("kill")
        .args(["-HUP", &pid])
        .status()
        .unwrap()
        .success());
    std::thread::sleep(Duration::from_millis(100));
    std::fs::rename(
        dir.path().join("exit.log.tmp"),
        dir.path().join("exit.log.1"),
    )
    .unwrap();
    assert!(child.wait().unwrap().success());
    let old = std::fs::read_to_string(dir.path().join("exit.log.1")).unwrap();
    assert_eq!(old.lines().filter(|l| l.contains("queued")).count(), 1000);
    let new = std::fs::read_to_string(dir.path().join("exit.log")).unwrap();
    assert!(new.contains(" - INFO - after hup"), "{new}");
    assert!(!old.contains("after hup"));
}
