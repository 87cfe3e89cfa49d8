//! `hwlog-bench syslog`: RFC 5424 over TCP (newline framing) into `hwlog serve` (stored in
//! SQLite with FTS), side by side with rsyslog (Debian `rsyslogd`, `imtcp` into a file) fed
//! the same stream. Each figure is records over the time from the first byte sent until the
//! last record is stored (hwlog: counted in the store; rsyslog: lines in its file).
use std::io::Write;
use std::net::{SocketAddr, TcpStream};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{json, Value};

fn stream(n: usize) -> Vec<u8> {
    let mut out = Vec::with_capacity(n * 120);
    for i in 0..n {
        let _ = writeln!(
            out,
            "<14>1 2026-11-24T08:00:00.000Z node-{} ipmid {} - - - IPMI power status of node-{} is on, attempt {i}",
            i % 100,
            1000 + i % 50,
            i % 100
        );
    }
    out
}

fn send(addr: SocketAddr, data: &[u8]) -> Result<(), String> {
    let mut s = TcpStream::connect(addr).map_err(|e| e.to_string())?;
    s.write_all(data).map_err(|e| e.to_string())
}

fn hwlog(n: usize, data: &[u8]) -> Result<f64, String> {
    let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
    let opts = hwlog_server::ServeOptions {
        data_dir: dir.path().to_path_buf(),
        no_auth: true,
        ..Default::default()
    };
    let (_router, state) = hwlog_server::app(&opts).map_err(|e| e.to_string())?;
    let (tx, rx) = std::sync::mpsc::channel();
    let st = state.clone();
    std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .expect("rt");
        rt.block_on(async move {
            let any: SocketAddr = "127.0.0.1:0".parse().expect("addr");
            let (_, tcp) = hwlog_server::start_syslog(st, None, Some(any))
                .await
                .expect("syslog");
            let _ = tx.send(tcp.expect("tcp"));
            std::future::pending::<()>().await;
        });
    });
    let addr = rx
        .recv_timeout(Duration::from_secs(10))
        .map_err(|e| e.to_string())?;
    let start = Instant::now();
    send(addr, data)?;
    let deadline = start + Duration::from_secs(120);
    loop {
        let stored = hwlog_store::Store::count(&*state.store).map_err(|e| e.to_string())? as usize;
        if stored >= n {
            return Ok(n as f64 / start.elapsed().as_secs_f64());
        }
        if Instant::now() > deadline {
            return Err(format!("hwlog stored only {stored} of {n}"));
        }
        std::thread::sleep(Duration::from_millis(5));
    }
}

fn rsyslog(n: usize, data: &[u8]) -> Result<Option<f64>, String> {
    let Some(bin) = ["/usr/sbin/rsyslogd"]
        .into_iter()
        .find(|p| std::path::Path::new(p).exists())
    else {
        return Ok(None);
    };
    let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .map_err(|e| e.to_string())?
        .local_addr()
        .map_err(|e| e.to_string())?
        .port();
    let out = dir.path().join("out.log");
    let conf = dir.path().join("rsyslog.conf");
    std::fs::write(
        &conf,
        format!(
            "global(workDirectory=\"{d}\")\nmodule(load=\"imtcp\")\ninput(type=\"imtcp\" address=\"127.0.0.1\" port=\"{port}\")\n*.* action(type=\"omfile\" file=\"{o}\" asyncWriting=\"on\" ioBufferSize=\"256k\")\n",
            d = dir.path().display(),
            o = out.display()
        ),
    )
    .map_err(|e| e.to_string())?;
    let mut child = Command::new(bin)
        .args(["-n", "-f"])
        .arg(&conf)
        .arg("-i")
        .arg(dir.path().join("pid"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|e| e.to_string())?;
    let addr: SocketAddr = format!("127.0.0.1:{port}")
        .parse()
        .map_err(|_| "addr".to_string())?;
    let ready = Instant::now() + Duration::from_secs(10);
    while TcpStream::connect(addr).is_err() {
        if Instant::now() > ready {
            let _ = child.kill();
            return Err("rsyslogd did not listen".into());
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let start = Instant::now();
    send(addr, data)?;
    let deadline = start + Duration::from_secs(120);
    let result = loop {
        let lines = std::fs::read(&out)
            .map(|b| b.iter().filter(|&&c| c == b'\n').count())
            .unwrap_or(0);
        if lines >= n {
            break Ok(Some(n as f64 / start.elapsed().as_secs_f64()));
        }
        if Instant::now() > deadline {
            break Err(format!("rsyslog wrote only {lines} of {n}"));
        }
        std::thread::sleep(Duration::from_millis(5));
    };
    let _ = child.kill();
    let _ = child.wait();
    result
}

/// Runs both with `n` records.
pub fn run(n: usize) -> Result<Value, String> {
    let data = stream(n);
    let h = hwlog(n, &data)?;
    let r = rsyslog(n, &data)?;
    Ok(json!({
        "records": n,
        "hwlog_records_per_s": h,
        "rsyslog_records_per_s": r,
        "hwlog_over_rsyslog": r.map(|r| h / r),
    }))
}
