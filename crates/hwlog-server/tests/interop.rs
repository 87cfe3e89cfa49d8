//! Clients nobody here wrote: syslog over UDP and TCP from raw sockets, util-linux `logger`
//! and Python's `logging.handlers.SysLogHandler`; curl; Python's `HTTPHandler`. The records
//! come back from the query API.
use std::io::Write;
use std::net::{SocketAddr, TcpStream, UdpSocket};
use std::process::Command;
use std::time::{Duration, Instant};

use serde_json::Value;

mod common;
use common::{get_json, start_with_syslog};

/// Waits until a query for `q` finds `n` records; returns them.
fn wait_for(addr: SocketAddr, q: &str, n: usize) -> Vec<Value> {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let v = get_json(addr, &format!("/api/v1/logs?q={q}"));
        let recs = v["records"].as_array().unwrap().clone();
        if recs.len() >= n {
            return recs;
        }
        assert!(
            Instant::now() < deadline,
            "only {} of {n} records for {q}; all: {}",
            recs.len(),
            get_json(addr, "/api/v1/logs")
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[test]
fn raw_udp_and_tcp_framings() {
    let dir = tempfile::tempdir().unwrap();
    let (http, udp, tcp) = start_with_syslog(dir.path(), 1 << 20, true);
    let (udp, tcp) = (udp.unwrap(), tcp.unwrap());
    let s = UdpSocket::bind("127.0.0.1:0").unwrap();
    s.send_to(
        b"<11>1 2026-11-20T08:00:00Z node-7 ipmid 4242 ID47 - udpfive power lost",
        udp,
    )
    .unwrap();
    s.send_to(
        b"<12>Nov 20 08:00:01 node-8 sshd[77]: udpthree invalid user",
        udp,
    )
    .unwrap();
    let r = wait_for(http, "udpfive", 1);
    assert_eq!(r[0]["level"], "ERROR");
    assert_eq!(r[0]["component"], "ipmid");
    assert_eq!(r[0]["fields"]["host"], "node-7");
    assert_eq!(r[0]["timestamp"], "2026-11-20T08:00:00.000000Z");
    let r = wait_for(http, "udpthree", 1);
    assert_eq!(r[0]["level"], "WARNING");
    assert_eq!(r[0]["component"], "sshd");

    // TCP: octet counting and newline framing on one connection.
    let msg1 = "<14>1 2026-11-20T08:00:02Z node-9 bmcd - - - tcpoctet first";
    let msg2 =
        "<14>1 2026-11-20T08:00:03Z node-9 bmcd - - - tcpoctet second\nwith a newline inside";
    let mut c = TcpStream::connect(tcp).unwrap();
    write!(c, "{} {msg1}{} {msg2}", msg1.len(), msg2.len()).unwrap();
    c.write_all(b"<13>1 2026-11-20T08:00:04Z node-9 bmcd - - - tcpline one\n<13>1 2026-11-20T08:00:05Z node-9 bmcd - - - tcpline two\n")
        .unwrap();
    drop(c);
    let r = wait_for(http, "tcpoctet", 2);
    let msgs: Vec<&str> = r.iter().map(|x| x["message"].as_str().unwrap()).collect();
    assert!(
        msgs.contains(&"tcpoctet second\nwith a newline inside"),
        "{msgs:?}"
    );
    assert_eq!(wait_for(http, "tcpline", 2).len(), 2);
}

#[test]
fn util_linux_logger_and_python_sysloghandler() {
    let dir = tempfile::tempdir().unwrap();
    let (http, udp, tcp) = start_with_syslog(dir.path(), 1 << 20, true);
    let (udp, tcp) = (udp.unwrap(), tcp.unwrap());
    let require = std::env::var("HWLOG_REQUIRE_EXTERNAL").as_deref() == Ok("1");
    let have = |bin: &str| {
        Command::new("sh")
            .args(["-c", &format!("command -v {bin}")])
            .output()
            .is_ok_and(|o| o.status.success())
    };
    if have("logger") {
        for (args, word) in [
            (vec!["--rfc5424", "-d"], "loggerudpfivetwofour"),
            (vec!["--rfc3164", "-d"], "loggerudponesixfour"),
        ] {
            let out = Command::new("logger")
                .args(&args)
                .args([
                    "-n",
                    "127.0.0.1",
                    "-P",
                    &udp.port().to_string(),
                    "-t",
                    "provisioner",
                    "-p",
                    "user.err",
                ])
                .arg(format!("{word} disk failure"))
                .output()
                .unwrap();
            assert!(
                out.status.success(),
                "{}",
                String::from_utf8_lossy(&out.stderr)
            );
            let r = wait_for(http, word, 1);
            assert_eq!(r[0]["level"], "ERROR", "{word}");
            assert_eq!(r[0]["component"], "provisioner", "{word}");
        }
        let out = Command::new("logger")
            .args([
                "--rfc5424",
                "-T",
                "--octet-count",
                "-n",
                "127.0.0.1",
                "-P",
                &tcp.port().to_string(),
                "-t",
                "bmc",
                "-p",
                "daemon.warning",
            ])
            .arg("loggertcpoctet fan slow")
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let r = wait_for(http, "loggertcpoctet", 1);
        assert_eq!(
            (r[0]["level"].as_str(), r[0]["component"].as_str()),
            (Some("WARNING"), Some("bmc"))
        );
    } else if require {
        panic!("util-linux logger is required (HWLOG_REQUIRE_EXTERNAL=1)");
    } else {
        println!("SKIPPED: logger (util-linux) not installed");
    }
    if have("python3") {
        let script = format!(
            r#"
import logging, logging.handlers, socket
for name, kind, port in (("udp", socket.SOCK_DGRAM, {u}), ("tcp", socket.SOCK_STREAM, {t})):
    log = logging.getLogger("hw." + name)
    h = logging.handlers.SysLogHandler(address=("127.0.0.1", port), socktype=kind)
    h.append_nul = False
    h.setFormatter(logging.Formatter("pyapp: %(message)s\n" if name == "tcp" else "pyapp: %(message)s"))
    log.addHandler(h)
    log.setLevel(logging.INFO)
    log.error("python%s firmware flash failed", name)
    log.warning("python%s retrying", name)
    h.close()
"#,
            u = udp.port(),
            t = tcp.port()
        );
        let out = Command::new("python3")
            .args(["-c", &script])
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        for proto in ["udp", "tcp"] {
            let r = wait_for(http, &format!("python{proto}"), 2);
            let levels: Vec<&str> = r.iter().map(|x| x["level"].as_str().unwrap()).collect();
            assert!(
                levels.contains(&"ERROR") && levels.contains(&"WARNING"),
                "{proto}: {r:?}"
            );
            assert!(
                r.iter().all(|x| x["component"] == "pyapp"),
                "{proto}: {r:?}"
            );
        }
    } else if require {
        panic!("python3 is required (HWLOG_REQUIRE_EXTERNAL=1)");
    } else {
        println!("SKIPPED: python3 not installed");
    }
}

/// curl with NDJSON, and Python's `logging.handlers.HTTPHandler` (form-encoded POST).
#[test]
fn curl_and_python_httphandler() {
    let dir = tempfile::tempdir().unwrap();
    let (http, _, _) = start_with_syslog(dir.path(), 1 << 20, false);
    let require = std::env::var("HWLOG_REQUIRE_EXTERNAL").as_deref() == Ok("1");
    let have = |bin: &str| {
        Command::new("sh")
            .args(["-c", &format!("command -v {bin}")])
            .output()
            .is_ok_and(|o| o.status.success())
    };
    if have("curl") {
        let out = Command::new("curl")
            .args(["-s", "-X", "POST", "-H", "content-type: application/x-ndjson", "--data-binary"])
            .arg("{\"level\":\"ERROR\",\"component\":\"curlsvc\",\"message\":\"curlerror disk full\",\"correlation_id\":\"req-curl\",\"fields\":{\"disk\":\"sda\"}}\n")
            .arg(format!("http://{http}/api/v1/logs"))
            .output()
            .unwrap();
        assert_eq!(
            String::from_utf8_lossy(&out.stdout),
            "{\"accepted\":1,\"rejected\":[],\"rejected_count\":0,\"truncated\":0}"
        );
        let r = wait_for(http, "curlerror", 1);
        assert_eq!(
            (r[0]["level"].as_str(), r[0]["correlation_id"].as_str()),
            (Some("ERROR"), Some("req-curl"))
        );
        assert_eq!(r[0]["fields"]["disk"], "sda");
    } else if require {
        panic!("curl is required (HWLOG_REQUIRE_EXTERNAL=1)");
    } else {
        println!("SKIPPED: curl not installed");
    }
    if have("python3") {
        let script = format!(
            r#"
import logging, logging.handlers
log = logging.getLogger("provisioner.bios")
log.addHandler(logging.handlers.HTTPHandler("{http}", "/api/v1/logs", method="POST"))
log.setLevel(logging.INFO)
log.warning("pythonhttp setting %s rejected", "VT-x")
"#
        );
        let out = Command::new("python3")
            .args(["-c", &script])
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let r = wait_for(http, "pythonhttp", 1);
        assert_eq!(r[0]["level"], "WARNING");
        assert_eq!(r[0]["component"], "provisioner.bios");
        assert!(
            r[0]["message"]
                .as_str()
                .unwrap()
                .starts_with("pythonhttp setting"),
            "{r:?}"
        );
    } else if require {
        panic!("python3 is required (HWLOG_REQUIRE_EXTERNAL=1)");
    } else {
        println!("SKIPPED: python3 not installed");
    }
}

/// RFC 5424's own examples (section 6.5) and RFC 3164's (section 5.4), sent over UDP and TCP,
/// checked field by field.
#[test]
fn the_rfcs_own_examples_keep_every_part() {
    let dir = tempfile::tempdir().unwrap();
    let (http, udp, tcp) = start_with_syslog(dir.path(), 1 << 20, true);
    let sock = std::net::UdpSocket::bind("127.0.0.1:0").unwrap();
    let rfc5424 = include_bytes!("data/syslog/rfc5424_examples.txt");
    for line in rfc5424.split(|&b| b == b'\n').filter(|l| !l.is_empty()) {
        sock.send_to(line, udp.unwrap()).unwrap();
    }
    let mut t = std::net::TcpStream::connect(tcp.unwrap()).unwrap();
    let rfc3164 = include_bytes!("data/syslog/rfc3164_examples.txt");
    std::io::Write::write_all(&mut t, rfc3164).unwrap();
    drop(t);
    let all = |n: usize| {
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            let v = get_json(http, "/api/v1/logs?limit=100");
            let recs = v["records"].as_array().unwrap().clone();
            if recs.len() >= n {
                return recs;
            }
            assert!(Instant::now() < deadline, "{} of {n} records", recs.len());
            std::thread::sleep(Duration::from_millis(50));
        }
    };
    let recs = all(8);
    let find = |s: &str| {
        recs.iter()
            .find(|r| r["message"].as_str().unwrap().contains(s))
            .unwrap_or_else(|| panic!("no record with {s:?}"))
            .clone()
    };
    let su = find("'su root' failed for lonvick on /dev/pts/8");
    // Example 1: BOM dropped, MSGID kept, severity 2 → CRITICAL, facility auth.
    assert_eq!(su["message"], "'su root' failed for lonvick on /dev/pts/8");
    assert_eq!(su["level"], "CRITICAL");
    assert_eq!(su["component"], "su");
    let example1 = recs
        .iter()
        .find(|r| r["fields"]["msgid"] == "ID47" && r["component"] == "su")
        .expect("example 1");
    assert_eq!(example1["timestamp"], "2003-10-11T22:14:15.003000Z");
    assert_eq!(example1["fields"]["host"], "mymachine.example.com");
    assert_eq!(example1["fields"]["facility"], "auth");
    // Example 2: PROCID, an offset time, no MSGID.
    let donuts = recs
        .iter()
        .find(|r| r["component"] == "myproc" && r["fields"]["host"] == "192.0.2.1")
        .expect("example 2");
    assert_eq!(donuts["message"], "%% It's time to make the do-nuts.");
    assert_eq!(donuts["timestamp"], "2003-08-24T12:14:15.000003Z");
    assert_eq!(donuts["fields"]["facility"], "local4");
    assert!(donuts["fields"].get("msgid").is_none());
    // Examples 3 and 4: every structured-data parameter, and a message of structured data
    // only.
    let ev: Vec<&Value> = recs
        .iter()
        .filter(|r| r["component"] == "evntslog")
        .collect();
    assert_eq!(ev.len(), 2);
    for r in &ev {
        let f = &r["fields"];
        assert_eq!(f["exampleSDID@32473.iut"], "3");
        assert_eq!(f["exampleSDID@32473.eventSource"], "Application");
        assert_eq!(f["exampleSDID@32473.eventID"], "1011");
        assert_eq!(f["msgid"], "ID47");
    }
    let with_msg = ev.iter().find(|r| r["message"] != "").unwrap();
    assert_eq!(with_msg["message"], "An application event log entry...");
    let only_sd = ev.iter().find(|r| r["message"] == "").unwrap();
    assert_eq!(only_sd["fields"]["examplePriority@32473.class"], "high");
    // RFC 3164: tag and host; a message without a tag; one with no header at all.
    let bfg = find("Use the BFG!");
    assert_eq!(bfg["message"], "Use the BFG!");
    assert_eq!(bfg["fields"]["host"], "10.0.0.99");
    assert_eq!(bfg["fields"]["facility"], "user");
    let folks = find("That's All Folks!");
    assert_eq!(folks["level"], "CRITICAL");
    assert_eq!(folks["fields"]["facility"], "kern");
    assert!(folks["message"]
        .as_str()
        .unwrap()
        .starts_with("1990 Oct 22"));
    let su3164 = recs
        .iter()
        .find(|r| r["component"] == "su" && r["fields"].get("msgid").is_none())
        .expect("3164 example 1");
    assert_eq!(su3164["fields"]["host"], "mymachine");
}
