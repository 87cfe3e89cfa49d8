//! The dashboard end to end in headless Chromium (Debian package `chromium`), driven over
//! the DevTools protocol: the page loads, streamed records arrive in the live tail, a level
//! filter leaves only errors, a correlation id opens the whole request, and a screenshot is
//! saved as `docs/dashboard.png`.
use std::io::{BufRead, BufReader};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use base64::Engine as _;
use serde_json::{json, Value};
use tungstenite::stream::MaybeTlsStream;
use tungstenite::{Message, WebSocket};

mod common;
use common::{post, start};

struct Kill(Child);

impl Drop for Kill {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// A DevTools session on one page (flattened mode: commands carry the session id).
struct Cdp {
    ws: WebSocket<MaybeTlsStream<TcpStream>>,
    next: u64,
    session: Option<String>,
}

impl Cdp {
    fn call(&mut self, method: &str, params: Value) -> Value {
        self.next += 1;
        let id = self.next;
        let mut msg = json!({"id": id, "method": method, "params": params});
        if let Some(s) = &self.session {
            msg["sessionId"] = json!(s);
        }
        self.ws.send(Message::Text(msg.to_string().into())).unwrap();
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            assert!(Instant::now() < deadline, "no answer to {method}");
            if let Message::Text(t) = self.ws.read().unwrap() {
                let v: Value = serde_json::from_str(&t).unwrap();
                if v["id"] == id {
                    assert!(v.get("error").is_none(), "{method}: {v}");
                    return v["result"].clone();
                }
            }
        }
    }

    fn eval(&mut self, expr: &str) -> Value {
        let r = self.call(
            "Runtime.evaluate",
            json!({"expression": expr, "returnByValue": true, "awaitPromise": true}),
        );
        r["result"]["value"].clone()
    }

    /// Evaluates `expr` until it is true (at most 20 s).
    fn wait_for(&mut self, expr: &str) {
        let deadline = Instant::now() + Duration::from_secs(20);
        while self.eval(expr) != json!(true) {
            assert!(Instant::now() < deadline, "timed out waiting for {expr}");
            std::thread::sleep(Duration::from_millis(100));
        }
    }
}

fn records(specs: &[(&str, &str, &str, &str)]) -> Vec<u8> {
    let v: Vec<Value> = specs
        .iter()
        .map(|(level, comp, msg, corr)| {
            json!({"level": level, "component": comp, "message": msg, "correlation_id": corr})
        })
        .collect();
    Value::Array(v).to_string().into_bytes()
}

#[test]
fn dashboard_streams_filters_and_shows_a_request() {
    let Some(bin) = ["/usr/bin/chromium", "/usr/bin/chromium-browser"]
        .into_iter()
        .find(|p| std::path::Path::new(p).exists())
    else {
        if std::env::var("HWLOG_REQUIRE_EXTERNAL").as_deref() == Ok("1") {
            panic!("chromium is required (HWLOG_REQUIRE_EXTERNAL=1) but not installed");
        }
        println!("SKIPPED: chromium not installed (apt-get install chromium)");
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let addr = start(dir.path(), 1 << 20);
    let profile = tempfile::tempdir().unwrap();
    let mut child = Command::new(bin)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--remote-debugging-port=0",
            "--window-size=1280,900",
        ])
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .arg("about:blank")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let stderr = child.stderr.take().unwrap();
    let _chromium = Kill(child);
    let mut url = None;
    for line in BufReader::new(stderr).lines() {
        let line = line.unwrap();
        if let Some(u) = line.split("DevTools listening on ").nth(1) {
            url = Some(u.trim().to_string());
            break;
        }
    }
    let url = url.expect("chromium printed its DevTools address");
    let (ws, _) = tungstenite::connect(url).unwrap();
    let mut cdp = Cdp {
        ws,
        next: 0,
        session: None,
    };
    let target = cdp.call("Target.createTarget", json!({"url": "about:blank"}))["targetId"].clone();
    let session = cdp.call(
        "Target.attachToTarget",
        json!({"targetId": target, "flatten": true}),
    )["sessionId"]
        .as_str()
        .unwrap()
        .to_string();
    cdp.session = Some(session);
    cdp.call("Page.enable", json!({}));
    cdp.call("Page.navigate", json!({"url": format!("http://{addr}/")}));
    cdp.wait_for("document.readyState === 'complete' && document.getElementById('status').textContent.startsWith('live')");

    // Streamed records arrive.
    let first = records(&[
        (
            "INFO",
            "hwautomation.hardware.discovery",
            "scan of node-07 took 212ms",
            "req-a1",
        ),
        (
            "ERROR",
            "hwautomation.hardware.ipmi",
            "IPMI timeout talking to 10.20.0.7",
            "req-a1",
        ),
        (
            "WARNING",
            "hwautomation.bios.config",
            "BIOS setting SR-IOV needs a reboot: racadm -r 10.20.0.8 -u root -p Calvin-42x serveraction powercycle",
            "req-b2",
        ),
        (
            "CRITICAL",
            "hwautomation.firmware.update",
            "firmware image checksum mismatch",
            "req-c3",
        ),
    ]);
    assert_eq!(post(addr, &first, false).1["accepted"], 4);
    cdp.wait_for("document.querySelectorAll('#rows tr').length === 4");
    let levels =
        cdp.eval("[...document.querySelectorAll('#rows tr')].map(r => r.className).join(',')");
    assert_eq!(levels, "CRITICAL,WARNING,ERROR,INFO");
    // The server redacted the password at ingest: the page shows the redaction.
    let text = cdp.eval("document.getElementById('rows').textContent");
    let text = text.as_str().unwrap();
    assert!(!text.contains("Calvin-42x"), "{text}");
    assert!(text.contains("-p [REDACTED] serveraction"), "{text}");

    // Filter to ERROR and above: the tail restarts and shows only those.
    cdp.eval("(() => { const s = document.getElementById('level'); s.value = 'ERROR'; s.onchange(); return true; })()");
    cdp.wait_for("document.getElementById('status').textContent.startsWith('live') && document.querySelectorAll('#rows tr').length === 0");
    std::thread::sleep(Duration::from_millis(300));
    let second = records(&[
        (
            "INFO",
            "hwautomation.maas.api",
            "discovery requested for node-09",
            "req-d4",
        ),
        (
            "ERROR",
            "hwautomation.hardware.redfish",
            "Redfish session to 10.20.0.9 refused: 401 (curl -u root:Calvin-42y https://10.20.0.9/redfish/v1/SessionService)",
            "req-d4",
        ),
        ("DEBUG", "hwautomation.maas.api", "polling", "req-d4"),
        (
            "CRITICAL",
            "hwautomation.firmware.update",
            "BMC did not come back after flashing",
            "req-e5",
        ),
    ]);
    assert_eq!(post(addr, &second, false).1["accepted"], 4);
    cdp.wait_for("document.querySelectorAll('#rows tr').length === 2");
    let levels =
        cdp.eval("[...document.querySelectorAll('#rows tr')].map(r => r.className).join(',')");
    assert_eq!(levels, "CRITICAL,ERROR");

    // Clicking a correlation id shows the whole request, INFO and DEBUG included.
    cdp.eval("(() => { [...document.querySelectorAll('#rows a.corr')].find(a => a.textContent === 'req-d4').click(); return true; })()");
    cdp.wait_for("!document.getElementById('request').hidden && document.querySelectorAll('#request-rows tr').length === 3");
    let msgs = cdp.eval(
        "[...document.querySelectorAll('#request-rows td.msg')].map(t => t.textContent).join('|')",
    );
    assert_eq!(
        msgs,
        "discovery requested for node-09|Redfish session to 10.20.0.9 refused: 401 (curl -u root:[REDACTED] https://10.20.0.9/redfish/v1/SessionService)|polling"
    );

    // Alerts: a rule created through the API fires on ingest; the dashboard lists the alert
    // and acknowledges it; error patterns are listed by template.
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .build()
        .into();
    let resp = agent
        .post(format!("http://{addr}/api/v1/alerts/rules"))
        .header("content-type", "application/json")
        .send(
            json!({"name": "firmware-critical", "condition": "{level} == \"CRITICAL\" and {component} =~ \"firmware\"", "severity": "critical"})
                .to_string()
                .as_bytes(),
        )
        .unwrap();
    assert_eq!(resp.status().as_u16(), 201);
    let third = records(&[(
        "CRITICAL",
        "hwautomation.firmware.update",
        "flash of node-11 failed",
        "req-f6",
    )]);
    assert_eq!(post(addr, &third, false).1["accepted"], 1);
    cdp.eval("analysis().then(() => true)");
    cdp.wait_for("document.querySelectorAll('#alerts tr.sev-critical').length === 1");
    cdp.eval("(() => { document.querySelector('#alerts button.ack').click(); return true; })()");
    cdp.wait_for(
        "(document.querySelector('#alerts button.ack') || {}).textContent === 'ack: dashboard'",
    );
    cdp.wait_for("document.getElementById('alert-history').textContent.includes('acknowledged')");
    let patterns = cdp.eval("[...document.querySelectorAll('#patterns tr')].map(r => r.lastChild.textContent).join('|')");
    assert!(
        patterns
            .as_str()
            .unwrap()
            .contains("IPMI timeout talking to <*>"),
        "{patterns}"
    );

    // A screenshot for the docs.
    cdp.eval("volume().then(() => true)");
    cdp.wait_for("document.querySelectorAll('#volume rect').length > 0");
    let shot = cdp.call("Page.captureScreenshot", json!({"format": "png"}));
    let png = base64::engine::general_purpose::STANDARD
        .decode(shot["data"].as_str().unwrap())
        .unwrap();
    assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n");
    let out = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/dashboard.png");
    std::fs::write(&out, &png).unwrap();
}
