//! `hwlog analyze patterns`: one CSV row per input line, in order, with the final template.
use std::process::Command;

fn hwlog() -> Command {
    Command::new(env!("CARGO_BIN_EXE_hwlog"))
}

const INPUT: &str = "\
Connection from 10.0.0.1 closed after 250ms
disk \"sda\" is full, remounting read-only
Connection from 10.0.0.7 closed after 3s
VM Started (Lifecycle Event)
VM Paused (Lifecycle Event)
\u{fffd}binary\u{0}line
Connection from 192.168.1.20 closed after 12 ms
";

#[test]
fn csv_has_one_row_per_line_in_order_with_final_templates() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("in.log");
    let output = dir.path().join("out.csv");
    // Line 6 also carries an invalid UTF-8 byte and a CRLF ending.
    let mut bytes = INPUT.replace("binary", "bin\u{1}ary").into_bytes();
    let pos = bytes.windows(4).position(|w| w == b"line").unwrap();
    bytes.insert(pos, 0xff);
    let pos = bytes.windows(5).position(|w| w == b"line\n").unwrap();
    bytes.insert(pos + 4, b'\r');
    std::fs::write(&input, &bytes).unwrap();
    let out = hwlog()
        .args(["analyze", "patterns", "--input"])
        .arg(&input)
        .arg("--output")
        .arg(&output)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let csv = std::fs::read_to_string(&output).unwrap();
    let rows: Vec<&str> = csv.lines().collect();
    assert_eq!(rows.len(), 8, "{csv}");
    assert_eq!(rows[0], "line,template_id,template");
    assert_eq!(rows[1], "1,1,Connection from <*> closed after <*>");
    assert_eq!(
        rows[2],
        r#"2,2,"disk ""sda"" is full, remounting read-only""#
    );
    assert_eq!(rows[3], "3,1,Connection from <*> closed after <*>");
    assert_eq!(rows[4], "4,3,VM Started (Lifecycle Event)");
    assert_eq!(rows[5], "5,4,VM Paused (Lifecycle Event)");
    assert!(rows[6].starts_with("6,5,"), "{}", rows[6]);
    assert_eq!(rows[7], "7,1,Connection from <*> closed after <*>");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("7 lines, 5 templates"), "{err}");
}

#[test]
fn json_and_summary() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("in.log");
    std::fs::write(&input, INPUT).unwrap();
    let output = dir.path().join("out.json");
    let out = hwlog()
        .args(["analyze", "patterns", "--format", "json", "--input"])
        .arg(&input)
        .arg("--output")
        .arg(&output)
        .output()
        .unwrap();
    assert!(out.status.success());
    let v: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&output).unwrap()).unwrap();
    assert_eq!(v["lines"].as_array().unwrap().len(), 7);
    assert_eq!(
        v["lines"][6],
        serde_json::json!({"line": 7, "template_id": 1})
    );
    assert_eq!(
        v["templates"][0],
        serde_json::json!({"id": 1, "template": "Connection from <*> closed after <*>", "count": 3})
    );

    let out = hwlog()
        .args(["analyze", "patterns", "--top", "2", "--input"])
        .arg(&input)
        .output()
        .unwrap();
    assert!(out.status.success());
    let text = String::from_utf8_lossy(&out.stdout);
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines[0], "7 lines, 5 templates");
    assert_eq!(lines.len(), 4, "{text}");
    assert!(
        lines[2].contains("3") && lines[2].ends_with("Connection from <*> closed after <*>"),
        "{text}"
    );

    let out = hwlog()
        .args(["analyze", "patterns", "--input", "/nonexistent/x.log"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("cannot open /nonexistent/x.log"));
}
