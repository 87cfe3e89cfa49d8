//! Runs `examples/seed_usage.rs` in a temporary directory and checks what it promises:
//! `req-12345` reaches its output, `hunter2` reaches nothing it wrote, `[REDACTED]` does.
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::Command;

fn example_binary() -> PathBuf {
    // target/<profile>/deps/seed_example-<hash> → target/<profile>/examples/seed_usage
    let exe = std::env::current_exe().unwrap();
    let dir = exe.parent().unwrap().parent().unwrap();
    let bin = dir.join("examples").join("seed_usage");
    // `cargo test` builds examples with the tests; a lone `--test seed_example` does not.
    assert!(
        bin.exists(),
        "{} is missing: run `cargo test -p hwlog`, which builds the examples",
        bin.display()
    );
    bin
}

/// The text of the file whose path ends with `name`.
fn file_text<'a>(files: &'a [(PathBuf, String)], name: &str) -> &'a str {
    &files
        .iter()
        .find(|(p, _)| p.ends_with(name))
        .unwrap_or_else(|| panic!("{name} was not written"))
        .1
}

fn read_all(dir: &Path, out: &mut Vec<(PathBuf, String)>) {
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            read_all(&p, out);
            continue;
        }
        let bytes = std::fs::read(&p).unwrap();
        let text = if p.extension().is_some_and(|x| x == "gz") {
            let mut s = String::new();
            flate2::read::MultiGzDecoder::new(&bytes[..])
                .read_to_string(&mut s)
                .unwrap();
            s
        } else {
            String::from_utf8_lossy(&bytes).into_owned()
        };
        out.push((p, text));
    }
}

#[test]
fn seed_example_keeps_correlation_and_never_leaks_the_password() {
    let bin = example_binary();
    let dir = tempfile::tempdir().unwrap();
    let out = Command::new(&bin)
        .current_dir(dir.path())
        .env_remove("HWLOG_PROFILE")
        .env_remove("HWLOG_CONFIG")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    let mut files = Vec::new();
    read_all(dir.path(), &mut files);
    let names: Vec<String> = files
        .iter()
        .map(|(p, _)| p.strip_prefix(dir.path()).unwrap().display().to_string())
        .collect();
    for want in [
        "logs/development.log",
        "logs/production.jsonl",
        "logs/errors.jsonl",
        "logs/staging.jsonl",
        "logs/custom.jsonl",
    ] {
        assert!(
            names.iter().any(|n| n == want),
            "{want} missing from {names:?}"
        );
    }
    let everything = format!(
        "{stdout}\n{stderr}\n{}",
        files
            .iter()
            .map(|(_, t)| t.as_str())
            .collect::<Vec<_>>()
            .join("\n")
    );
    assert!(
        !everything.contains("hunter2"),
        "the password leaked:\n{everything}"
    );
    assert!(everything.contains("-P [REDACTED]"));
    let errors = file_text(&files, "logs/errors.jsonl");
    let line: serde_json::Value = serde_json::from_str(errors.lines().next().unwrap()).unwrap();
    assert_eq!(line["correlation_id"], "req-12345");
    assert_eq!(line["level"], "ERROR");
    // Development output has the first record; staging has the DEBUG record (level override).
    let dev = file_text(&files, "logs/development.log");
    assert!(dev.contains("Existing code continues to work"));
    assert!(dev.contains("hwautomation.discovery - INFO - MaaS discovery finished hosts=12"));
    let staging = file_text(&files, "logs/staging.jsonl");
    assert!(staging.contains("\"level\":\"DEBUG\""));
    let custom = file_text(&files, "logs/custom.jsonl");
    assert!(custom.contains("custom handler attached"));
    // Production writes WARNING and up: its INFO record is not written anywhere.
    assert!(
        !everything.contains("This log will include correlation ID\""),
        "{everything}"
    );
    assert!(
        stdout.contains("profile: staging (level DEBUG)"),
        "{stdout}"
    );
}

#[test]
fn environment_selects_config_file_profile_and_overrides() {
    let bin = example_binary();
    let dir = tempfile::tempdir().unwrap();
    let cfg = dir.path().join("hwlog.yaml");
    std::fs::write(
        &cfg,
        "profile: ops\nprofiles:\n  ops:\n    extends: development\n    routes:\n      - name: file\n        sink: { type: file, path: ops.log }\n        format: structured\n",
    )
    .unwrap();
    let out = Command::new(&bin)
        .current_dir(dir.path())
        .env("HWLOG_CONFIG", &cfg)
        .env("HWLOG_LEVEL", "INFO")
        .env("HWLOG_LOG_DIR", "var/log")
        .env_remove("HWLOG_PROFILE")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let ops = std::fs::read_to_string(dir.path().join("var/log/ops.log")).unwrap();
    assert!(ops.contains("hwautomation.seed_usage - INFO - Existing code continues to work"));
    assert!(!dir.path().join("logs/development.log").exists());

    // A bad override in the environment is reported, with every problem, and setup fails.
    let out = Command::new(&bin)
        .current_dir(dir.path())
        .env("HWLOG_FEATURES", "bogus=on,rate_limiting=maybe")
        .env("HWLOG_PROFILE", "staging")
        .env_remove("HWLOG_CONFIG")
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("2 configuration errors"), "{err}");
    assert!(
        err.contains("<environment>: features.rate_limiting: expected on/off"),
        "{err}"
    );
    assert!(
        err.contains("unknown feature \"bogus\" for profile \"staging\""),
        "{err}"
    );
}
