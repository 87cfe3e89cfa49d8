//! HTTPS and WSS where the README promises them: `hwlog send|query|tail`, the library's
//! `remote` and `otlp` sinks, and the webhook and Alertmanager notifiers, each against a
//! server whose certificate a private CA (made here) signed; without `--ca`/`ca` they
//! refuse the certificate.
use std::io::{Read, Write};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use hwlog_core::{Level, Record};
use hwlog_monitor::notify::{AlertmanagerNotifier, Notifier, WebhookNotifier};

mod common;
use common::{free_port, hwlog, Server};

struct Pki {
    ca: PathBuf,
    cert: PathBuf,
    key: PathBuf,
}

/// A CA, and a certificate for 127.0.0.1 and localhost that it signed.
fn pki(dir: &Path) -> Pki {
    let ca_key = rcgen::KeyPair::generate().unwrap();
    let mut ca_params = rcgen::CertificateParams::new(Vec::<String>::new()).unwrap();
    ca_params.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
    ca_params
        .distinguished_name
        .push(rcgen::DnType::CommonName, "hwlog test CA");
    let ca = rcgen::CertifiedIssuer::self_signed(ca_params, ca_key).unwrap();
    let key = rcgen::KeyPair::generate().unwrap();
    let params =
        rcgen::CertificateParams::new(vec!["localhost".to_string(), "127.0.0.1".to_string()])
            .unwrap();
    let cert = params.signed_by(&key, &ca).unwrap();
    let p = Pki {
        ca: dir.join("ca.pem"),
        cert: dir.join("cert.pem"),
        key: dir.join("key.pem"),
    };
    std::fs::write(&p.ca, ca.pem()).unwrap();
    std::fs::write(&p.cert, cert.pem()).unwrap();
    std::fs::write(&p.key, key.serialize_pem()).unwrap();
    p
}

fn run(cmd: &mut Command, input: &str) -> (bool, String, String) {
    let mut child = cmd
        .env("HWLOG_TOKEN", "tls-test-token-0001")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(input.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn clients_and_sinks_speak_https_with_a_private_ca() {
    let dir = tempfile::tempdir().unwrap();
    let p = pki(dir.path());
    let port = free_port();
    let _server = Server(
        hwlog()
            .args(["serve", "--listen", &format!("127.0.0.1:{port}")])
            .arg("--data-dir")
            .arg(dir.path().join("data"))
            .arg("--tls-cert")
            .arg(&p.cert)
            .arg("--tls-key")
            .arg(&p.key)
            .env("HWLOG_TOKENS", "tls-test-token-0001:ingest,read")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap(),
    );
    let url = format!("https://127.0.0.1:{port}");
    let ca = p.ca.to_str().unwrap();
    // Wait for the listener.
    let deadline = Instant::now() + Duration::from_secs(20);
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(Instant::now() < deadline, "server did not start");
        std::thread::sleep(Duration::from_millis(50));
    }
    // Without the CA the certificate is refused.
    let (ok, _, err) = run(hwlog().args(["send", "--server", &url]), "untrusted\n");
    assert!(!ok, "sent without trusting the CA");
    assert!(err.to_lowercase().contains("certificate"), "{err}");
    // With it: send, query, tail (wss).
    let (ok, out, err) = run(
        hwlog().args(["send", "--server", &url, "--ca", ca]),
        "tlsline one\ntlsline two\n",
    );
    assert!(ok, "{out} {err}");
    let (ok, out, err) = run(
        hwlog().args(["query", "--server", &url, "--ca", ca, "--q", "tlsline"]),
        "",
    );
    assert!(
        ok && out.contains("tlsline one") && out.contains("tlsline two"),
        "{out} {err}"
    );
    let (ok, out, err) = run(
        hwlog().args([
            "tail", "--server", &url, "--ca", ca, "--after", "0", "--count", "2",
        ]),
        "",
    );
    assert!(ok && out.contains("tlsline two"), "{out} {err}");

    // The library's remote sink (hwlog's protocol) and otlp sink over https.
    for (protocol, word) in [
        (hwlog::sink::remote::Protocol::Hwlog, "remotesinkword"),
        (
            hwlog::sink::remote::Protocol::Otlp {
                service: "tls-test".into(),
            },
            "otlpsinkword",
        ),
    ] {
        let mut opts = hwlog::sink::remote::RemoteOptions::new(&url);
        opts.protocol = protocol;
        opts.token = Some("tls-test-token-0001".into());
        opts.ca = Some(p.ca.clone());
        let sink = hwlog::sink::remote::RemoteSink::new(opts).unwrap();
        let rec = Record::new(Level::Warning, "tls.sink", word);
        let line = format!(
            "{{\"level\":\"WARNING\",\"component\":\"tls.sink\",\"message\":\"{word}\"}}\n"
        );
        hwlog_core::Sink::write(&sink, &rec, line.as_bytes()).unwrap();
        hwlog_core::Sink::flush(&sink).unwrap();
        let (ok, out, err) = run(
            hwlog().args(["query", "--server", &url, "--ca", ca, "--q", word]),
            "",
        );
        assert!(ok && out.contains(word), "{word}: {out} {err}");
    }
    // Without the CA the sink cannot deliver (and says why).
    let mut opts = hwlog::sink::remote::RemoteOptions::new(&url);
    opts.attempts = 1;
    let sink = hwlog::sink::remote::RemoteSink::new(opts).unwrap();
    let e = hwlog_core::Sink::write(&sink, &Record::new(Level::Info, "x", "y"), b"{}\n");
    assert!(e.is_err());
}

/// An HTTPS receiver: answers 200 and keeps the request bodies.
fn https_receiver(p: &Pki) -> (u16, Arc<Mutex<Vec<String>>>) {
    let certs: Vec<_> = rustls_pki_types::CertificateDer::pem_file_iter(&p.cert)
        .unwrap()
        .map(Result::unwrap)
        .collect();
    use rustls_pki_types::pem::PemObject;
    let key = rustls_pki_types::PrivateKeyDer::from_pem_file(&p.key).unwrap();
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = Arc::new(
        rustls::ServerConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .unwrap()
            .with_no_client_auth()
            .with_single_cert(certs, key)
            .unwrap(),
    );
    let l = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = l.local_addr().unwrap().port();
    let got = Arc::new(Mutex::new(Vec::new()));
    let g = got.clone();
    std::thread::spawn(move || {
        for s in l.incoming().take(20) {
            let Ok(s) = s else { continue };
            s.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
            let conn = rustls::ServerConnection::new(config.clone()).unwrap();
            let mut tls = rustls::StreamOwned::new(conn, s);
            let mut buf = Vec::new();
            let mut chunk = [0u8; 4096];
            loop {
                let text = String::from_utf8_lossy(&buf).into_owned();
                if let Some((head, body)) = text.split_once("\r\n\r\n") {
                    let len = head
                        .lines()
                        .find_map(|l| {
                            l.to_ascii_lowercase()
                                .strip_prefix("content-length:")
                                .and_then(|v| v.trim().parse::<usize>().ok())
                        })
                        .unwrap_or(0);
                    if body.len() >= len {
                        g.lock().unwrap().push(text);
                        let _ = tls.write_all(
                            b"HTTP/1.1 200 OK\r\ncontent-length: 0\r\nconnection: close\r\n\r\n",
                        );
                        let _ = tls.flush();
                        break;
                    }
                }
                match tls.read(&mut chunk) {
                    Ok(0) | Err(_) => break,
                    Ok(n) => buf.extend_from_slice(&chunk[..n]),
                }
            }
        }
    });
    (port, got)
}

#[test]
fn webhook_and_alertmanager_notifiers_speak_https() {
    let dir = tempfile::tempdir().unwrap();
    let p = pki(dir.path());
    let (port, got) = https_receiver(&p);
    let mut am = hwlog_analysis::alerts::AlertManager::new();
    am.add_rule(hwlog_analysis::alerts::AlertRule::new(
        "tls-psu",
        r#"{message} contains "PSU""#,
        hwlog_analysis::alerts::Severity::Critical,
    ))
    .unwrap();
    let n = am
        .observe(&Record::new(Level::Error, "bmc", "PSU 2 failed"), 1)
        .remove(0);
    let hook = WebhookNotifier::new(&format!("https://127.0.0.1:{port}/hook"));
    let e = hook.notify(&n).unwrap_err();
    assert_eq!(e.kind(), hwlog_monitor::notify::NotifyErrorKind::Transport);
    assert!(e.to_string().to_lowercase().contains("certificate"), "{e}");
    let hook = WebhookNotifier::with_retry(
        &format!("https://127.0.0.1:{port}/hook"),
        1,
        Duration::from_millis(10),
    )
    .with_ca(&p.ca)
    .unwrap();
    hook.notify(&n).unwrap();
    let amgr = AlertmanagerNotifier::new(&format!("https://127.0.0.1:{port}"))
        .with_ca(&p.ca)
        .unwrap();
    amgr.notify(&n).unwrap();
    let reqs = got.lock().unwrap().clone();
    assert!(
        reqs.iter()
            .any(|r| r.starts_with("POST /hook") && r.contains("tls-psu")),
        "{reqs:?}"
    );
    assert!(
        reqs.iter()
            .any(|r| r.starts_with("POST /api/v2/alerts") && r.contains("tls-psu")),
        "{reqs:?}"
    );
}
