//! `hwlog serve` as a process, with `hwlog send`, `hwlog query` and `hwlog tail` against
//! it, and a graceful stop on SIGTERM.
use std::io::{Read, Write};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

mod common;
use common::{free_port, healthy, http, hwlog, Server};

#[test]
fn send_query_tail_and_graceful_stop() {
    let dir = tempfile::tempdir().unwrap();
    let port = free_port();
    let server = Server(
        hwlog()
            .args([
                "serve",
                "--no-auth",
                "--listen",
                &format!("127.0.0.1:{port}"),
                "--data-dir",
            ])
            .arg(dir.path().join("data"))
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap(),
    );
    let deadline = Instant::now() + Duration::from_secs(20);
    while !healthy(port) {
        assert!(Instant::now() < deadline, "server did not start");
        std::thread::sleep(Duration::from_millis(50));
    }
    let url = format!("http://127.0.0.1:{port}");

    // tail first, waiting for two ERROR records.
    let tail = hwlog()
        .args([
            "tail",
            "--server",
            &url,
            "--min-level",
            "ERROR",
            "--count",
            "2",
        ])
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    std::thread::sleep(Duration::from_millis(300));

    let mut send = hwlog()
        .args([
            "send",
            "--server",
            &url,
            "--component",
            "shell",
            "--batch",
            "2",
        ])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    send.stdin
        .take()
        .unwrap()
        .write_all(b"first plain line\nsecond plain line\n\nthird plain line\n")
        .unwrap();
    let out = send.wait_with_output().unwrap();
    assert!(out.status.success());
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        "3 accepted, 0 rejected\n"
    );

    let mut send = hwlog()
        .args(["send", "--server", &url, "--json"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    send.stdin
        .take()
        .unwrap()
        .write_all(
            b"{\"level\":\"ERROR\",\"component\":\"bmc\",\"message\":\"fan 2 failed\",\"correlation_id\":\"req-7\"}\n\
              {\"level\":\"LOUD\",\"component\":\"bmc\",\"message\":\"x\"}\n\
              {\"level\":\"CRITICAL\",\"component\":\"bmc\",\"message\":\"PSU failed\"}\n",
        )
        .unwrap();
    let out = send.wait_with_output().unwrap();
    assert!(!out.status.success(), "a rejected line makes send fail");
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        "2 accepted, 1 rejected\n"
    );
    assert_eq!(
        String::from_utf8_lossy(&out.stderr),
        "line 2: unknown level \"LOUD\"\n"
    );

    let out = tail.wait_with_output().unwrap();
    assert!(out.status.success());
    let lines: Vec<String> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(str::to_string)
        .collect();
    assert_eq!(lines.len(), 2, "{lines:?}");
    assert!(
        lines[0].contains("ERROR") && lines[0].ends_with("bmc [req-7] fan 2 failed"),
        "{}",
        lines[0]
    );
    assert!(
        lines[1].contains("CRITICAL") && lines[1].ends_with("bmc [-] PSU failed"),
        "{}",
        lines[1]
    );

    let out = hwlog()
        .args(["query", "--server", &url, "--component", "shell"])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    let got: Vec<&str> = text.lines().collect();
    assert_eq!(got.len(), 3, "{text}");
    assert!(got[0].ends_with("shell [-] first plain line"), "{text}");
    assert!(got[2].ends_with("shell [-] third plain line"), "{text}");
    let out = hwlog()
        .args(["query", "--server", &url, "--q", "PSU", "--json"])
        .output()
        .unwrap();
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["records"][0]["message"], "PSU failed");
    let out = hwlog()
        .args(["query", "--server", &url, "--since", "yesterday"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("invalid time"));

    // SIGTERM: a clean stop.
    let mut server = server;
    kill_term(server.0.id());
    let deadline = Instant::now() + Duration::from_secs(10);
    let status = loop {
        if let Some(s) = server.0.try_wait().unwrap() {
            break s;
        }
        assert!(Instant::now() < deadline, "server did not stop on SIGTERM");
        std::thread::sleep(Duration::from_millis(20));
    };
    assert!(status.success());
    let mut out = String::new();
    server
        .0
        .stdout
        .take()
        .unwrap()
        .read_to_string(&mut out)
        .unwrap();
    assert!(
        out.contains(&format!("dashboard at http://127.0.0.1:{port}/")),
        "{out}"
    );
    assert!(out.trim_end().ends_with("hwlog serve: stopped"), "{out}");

    // Without tokens: only on loopback, and only when asked for.
    let out = hwlog()
        .args(["serve", "--no-auth", "--listen", "0.0.0.0:0", "--data-dir"])
        .arg(dir.path().join("data2"))
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("without API tokens"));
    let out = hwlog()
        .args(["serve", "--listen", "127.0.0.1:0", "--data-dir"])
        .arg(dir.path().join("data2"))
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("no API tokens"));
    let out = hwlog()
        .args(["serve", "--token", "short:read", "--data-dir"])
        .arg(dir.path().join("data2"))
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&out.stderr).contains("at least 16 characters"));
}

fn kill_term(pid: u32) {
    let status = Command::new("kill")
        .args(["-TERM", &pid.to_string()])
        .status()
        .unwrap();
    assert!(status.success());
}

/// SIGKILL while clients ingest: after a restart, every batch that was acknowledged is
/// there, whole.
#[test]
fn sigkill_during_ingest_loses_no_acknowledged_record() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let port = free_port();
    let start = || {
        let s = Server(
            hwlog()
                .args([
                    "serve",
                    "--no-auth",
                    "--listen",
                    &format!("127.0.0.1:{port}"),
                    "--data-dir",
                ])
                .arg(&data)
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()
                .unwrap(),
        );
        let deadline = Instant::now() + Duration::from_secs(20);
        while !healthy(port) {
            assert!(Instant::now() < deadline, "server did not start");
            std::thread::sleep(Duration::from_millis(20));
        }
        s
    };
    let mut server = start();
    let writers: Vec<_> = (0..2)
        .map(|w| {
            std::thread::spawn(move || {
                let mut acked = Vec::new();
                for b in 0..100_000 {
                    let id = format!("w{w}-b{b}");
                    let body: String = (0..100)
                        .map(|i| format!("{{\"level\":\"INFO\",\"component\":\"load\",\"message\":\"record {i}\",\"correlation_id\":\"{id}\"}}\n"))
                        .collect();
                    match http(port, "POST", "/api/v1/logs", &body) {
                        Some((200, text)) if text.contains("\"accepted\":100") => acked.push(id),
                        _ => break,
                    }
                }
                acked
            })
        })
        .collect();
    std::thread::sleep(Duration::from_millis(700));
    server.0.kill().unwrap(); // SIGKILL
    server.0.wait().unwrap();
    let acked: Vec<String> = writers
        .into_iter()
        .flat_map(|w| w.join().unwrap())
        .collect();
    assert!(acked.len() >= 5, "the load ran: {} batches", acked.len());
    drop(server);
    let _server = start();
    for id in &acked {
        let (status, body) = http(port, "GET", &format!("/api/v1/correlation/{id}"), "").unwrap();
        assert_eq!(status, 200);
        let v: serde_json::Value = serde_json::from_str(&body).unwrap();
        assert_eq!(
            v["records"].as_array().unwrap().len(),
            100,
            "batch {id} after the restart"
        );
    }
}

/// With API tokens the clients authenticate with `--token` or `HWLOG_TOKEN`.
#[test]
fn clients_with_tokens() {
    let dir = tempfile::tempdir().unwrap();
    let port = free_port();
    let _server = Server(
        hwlog()
            .args([
                "serve",
                "--listen",
                &format!("127.0.0.1:{port}"),
                "--data-dir",
            ])
            .arg(dir.path().join("data"))
            .env(
                "HWLOG_TOKENS",
                "writer-0123456789abcdef:ingest;reader-0123456789abcdef:read",
            )
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap(),
    );
    let deadline = Instant::now() + Duration::from_secs(20);
    while !healthy(port) {
        assert!(Instant::now() < deadline, "server did not start");
        std::thread::sleep(Duration::from_millis(50));
    }
    let url = format!("http://127.0.0.1:{port}");
    let send = |token: &str| {
        let mut c = hwlog()
            .args(["send", "--server", &url])
            .env("HWLOG_TOKEN", token)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        c.stdin
            .take()
            .unwrap()
            .write_all(b"hello with a token\n")
            .unwrap();
        c.wait_with_output().unwrap()
    };
    let out = send("reader-0123456789abcdef");
    assert!(!out.status.success());
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("403"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(send("writer-0123456789abcdef").status.success());
    let q = |token: &[&str]| {
        hwlog()
            .args(["query", "--server", &url])
            .args(token)
            .env_remove("HWLOG_TOKEN")
            .output()
            .unwrap()
    };
    let out = q(&[]);
    assert!(String::from_utf8_lossy(&out.stderr).contains("401"));
    let out = q(&["--token", "reader-0123456789abcdef"]);
    assert!(String::from_utf8_lossy(&out.stdout).contains("hello with a token"));
}

/// `hwlog serve --config FILE`: listen address, data directory, tokens (one from the
/// environment) and alert rules from files; bad files list every problem with its place.
#[test]
fn serve_from_a_config_file() {
    let dir = tempfile::tempdir().unwrap();
    let port = free_port();
    // A webhook receiver for the rule's second channel.
    let hook = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let hook_addr = hook.local_addr().unwrap();
    let received = std::thread::spawn(move || {
        let (mut s, _) = hook.accept().unwrap();
        s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
        let mut buf = Vec::new();
        let mut chunk = [0u8; 4096];
        while !String::from_utf8_lossy(&buf).contains("\"example\"") {
            match s.read(&mut chunk) {
                Ok(0) | Err(_) => break,
                Ok(n) => buf.extend_from_slice(&chunk[..n]),
            }
        }
        let _ = s.write_all(b"HTTP/1.1 200 OK\r\ncontent-length: 0\r\nconnection: close\r\n\r\n");
        String::from_utf8_lossy(&buf).into_owned()
    });
    let rules = dir.path().join("alerts.toml");
    std::fs::write(
        &rules,
        format!(
            "[[rules]]\nname = \"psu\"\ncondition = '{{message}} contains \"PSU\"'\nseverity = \"critical\"\nchannels = [\"hook\"]\n\n[channels.hook]\ntype = \"webhook\"\nurl = \"http://{hook_addr}/alerts\"\n"
        ),
    )
    .unwrap();
    let cfg = dir.path().join("serve.toml");
    std::fs::write(
        &cfg,
        format!(
            "listen = \"127.0.0.1:{port}\"\ndata_dir = \"{}\"\ntokens = [\"$TEST_HWLOG_SECRET:ingest,read\"]\nrules = \"{}\"\n",
            dir.path().join("data").display(),
            rules.display()
        ),
    )
    .unwrap();
    let _server = Server(
        hwlog()
            .args(["serve", "--config"])
            .arg(&cfg)
            .env("TEST_HWLOG_SECRET", "from-the-environment-0001")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap(),
    );
    let deadline = Instant::now() + Duration::from_secs(20);
    while !healthy(port) {
        assert!(Instant::now() < deadline, "server did not start");
        std::thread::sleep(Duration::from_millis(50));
    }
    let body = "{\"level\":\"ERROR\",\"component\":\"bmc\",\"message\":\"PSU 1 failed\"}\n";
    let (status, _) = http(port, "POST", "/api/v1/logs", body).unwrap();
    assert_eq!(status, 401, "tokens from the file are enforced");
    let (status, _) = http(
        port,
        "POST",
        "/api/v1/logs?token=from-the-environment-0001",
        body,
    )
    .unwrap();
    assert_eq!(status, 200);
    let (_, alerts) = http(
        port,
        "GET",
        "/api/v1/alerts?token=from-the-environment-0001",
        "",
    )
    .unwrap();
    assert!(alerts.contains("\"rule\":\"psu\""), "{alerts}");
    let hooked = received.join().unwrap();
    assert!(hooked.starts_with("POST /alerts HTTP/1.1"), "{hooked}");
    assert!(hooked.contains("\"example\":\"PSU 1 failed\""), "{hooked}");
    assert!(dir.path().join("data/logs.db").exists());

    let bad = dir.path().join("bad.toml");
    std::fs::write(&bad, "listen = \"somewhere\"\nmax_db_mb = 0\ncolour = 1\n").unwrap();
    let out = hwlog()
        .args(["serve", "--config"])
        .arg(&bad)
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("bad.toml:1:") && err.contains("is not an address"),
        "{err}"
    );
    assert!(
        err.contains("bad.toml:2:") && err.contains("whole number of MB"),
        "{err}"
    );
    assert!(
        err.contains("bad.toml:3:") && err.contains("unknown setting"),
        "{err}"
    );
}
