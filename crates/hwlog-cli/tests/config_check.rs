//! `hwlog config check FILE` prints every error with its location and exits non-zero.
use std::process::Command;

fn hwlog() -> Command {
    Command::new(env!("CARGO_BIN_EXE_hwlog"))
}

#[test]
fn check_lists_every_error_with_location() {
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("bad.toml");
    std::fs::write(
        &bad,
        "profile = \"ops\"\n[profiles.ops]\nlevel = \"LOUD\"\n[[profiles.ops.routes]]\nname = \"c\"\nsink = { type = \"tape\" }\nformat = \"jsn\"\n",
    )
    .unwrap();
    let out = hwlog()
        .args(["config", "check"])
        .arg(&bad)
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("3 configuration errors"), "{err}");
    assert!(
        err.contains("bad.toml:3:1: profiles.ops.level: unknown level \"LOUD\""),
        "{err}"
    );
    assert!(
        err.contains("bad.toml:6:") && err.contains("unknown sink \"tape\""),
        "{err}"
    );
    assert!(
        err.contains("bad.toml:7:") && err.contains("unknown formatter \"jsn\""),
        "{err}"
    );
}

#[test]
fn check_accepts_the_builtin_profiles_and_yaml() {
    let dir = tempfile::tempdir().unwrap();
    let builtin = hwlog().args(["config", "profiles"]).output().unwrap();
    assert!(builtin.status.success());
    let copy = dir.path().join("copy.toml");
    std::fs::write(&copy, &builtin.stdout).unwrap();
    let out = hwlog()
        .args(["config", "check"])
        .arg(&copy)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains(": ok (profiles: "));
    let yaml = dir.path().join("ops.yaml");
    std::fs::write(
        &yaml,
        "profile: production\noverrides:\n  features:\n    compresion: true\n",
    )
    .unwrap();
    let out = hwlog()
        .args(["config", "check"])
        .arg(&yaml)
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("unknown feature \"compresion\""));
}
