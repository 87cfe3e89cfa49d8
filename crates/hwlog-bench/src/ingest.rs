//! `hwlog-bench ingest`: records per second into `hwlog serve` over HTTP, NDJSON batches,
//! each acknowledged only after its commit to SQLite (with FTS and indexes).
//!
//! The server runs in this process on 127.0.0.1 (its own Tokio runtime); `clients` threads
//! post pre-built bodies of `batch` records over keep-alive connections until `records`
//! were acknowledged. The figure is records over the wall time of the whole run.
use std::time::{Duration, Instant};

use serde_json::{json, Value};

/// Runs the benchmark against one server on a SQLite store in a temp dir.
pub fn run(records: usize, batch: usize, clients: usize) -> Result<Value, String> {
    let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
    let opts = hwlog_server::ServeOptions {
        data_dir: dir.path().to_path_buf(),
        listen: "127.0.0.1:0".parse().expect("address"),
        ..Default::default()
    };
    run_on(&[opts], records, batch, clients)
}

/// Starts a server for `opts` in this process (its own Tokio runtime) and returns its
/// address.
pub(crate) fn serve(opts: &hwlog_server::ServeOptions) -> Result<std::net::SocketAddr, String> {
    let (router, _state) = hwlog_server::app(opts).map_err(|e| e.to_string())?;
    let limits = opts.limits.clone();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .expect("runtime");
        rt.block_on(async move {
            let l = tokio::net::TcpListener::bind("127.0.0.1:0")
                .await
                .expect("bind");
            let _ = tx.send(l.local_addr().expect("addr"));
            hwlog_server::serve_on(l, router, &limits, std::future::pending::<()>()).await;
        });
    });
    rx.recv_timeout(Duration::from_secs(30))
        .map_err(|e| e.to_string())
}

/// Runs the benchmark against one server per entry of `servers` (clients spread over them).
pub fn run_on(
    servers: &[hwlog_server::ServeOptions],
    records: usize,
    batch: usize,
    clients: usize,
) -> Result<Value, String> {
    let addrs = servers.iter().map(serve).collect::<Result<Vec<_>, _>>()?;
    let body: String = (0..batch)
        .map(|i| {
            json!({"level": if i % 10 == 0 { "ERROR" } else { "INFO" },
                   "component": "hwautomation.hardware.ipmi",
                   "message": format!("IPMI power status query completed for BMC 10.20.30.{}", i % 250),
                   "correlation_id": "req-7f3a9c2e",
                   "fields": {"host": "10.20.30.40", "port": 623, "attempt": i}})
            .to_string()
        })
        .collect::<Vec<_>>()
        .join("\n");
    let per_client = records.div_ceil(batch * clients.max(1));
    let start = Instant::now();
    let handles: Vec<_> = (0..clients.max(1))
        .map(|c| {
            let body = body.clone();
            let addr = addrs[c % addrs.len()];
            std::thread::spawn(move || -> Result<u64, String> {
                let agent: ureq::Agent = ureq::Agent::config_builder()
                    .http_status_as_error(false)
                    .build()
                    .into();
                let mut acked = 0u64;
                for _ in 0..per_client {
                    let mut resp = agent
                        .post(format!("http://{addr}/api/v1/logs"))
                        .send(body.as_bytes())
                        .map_err(|e| e.to_string())?;
                    let text = resp
                        .body_mut()
                        .read_to_string()
                        .map_err(|e| e.to_string())?;
                    let v: Value = serde_json::from_str(&text).map_err(|e| e.to_string())?;
                    acked += v["accepted"].as_u64().ok_or(text)?;
                }
                Ok(acked)
            })
        })
        .collect();
    let mut acked = 0;
    for h in handles {
        acked += h.join().map_err(|_| "client panicked".to_string())??;
    }
    let secs = start.elapsed().as_secs_f64();
    Ok(json!({
        "records": acked,
        "batch": batch,
        "clients": clients,
        "servers": servers.len(),
        "seconds": secs,
        "records_per_s": acked as f64 / secs,
    }))
}
