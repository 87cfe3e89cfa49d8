//! Helpers shared by the server tests.
#![allow(dead_code)]
use std::net::SocketAddr;
use std::time::Duration;

use serde_json::Value;

/// Starts a server on an ephemeral loopback port with its data in `dir`.
pub fn start(dir: &std::path::Path, max_body: usize) -> SocketAddr {
    start_with_syslog(dir, max_body, false).0
}

/// A server, and with `syslog` its UDP and TCP syslog listeners (ephemeral loopback ports).
pub fn start_with_syslog(
    dir: &std::path::Path,
    max_body: usize,
    syslog: bool,
) -> (SocketAddr, Option<SocketAddr>, Option<SocketAddr>) {
    start_opts(dir, max_body, syslog, Vec::new())
}

/// A server with API tokens.
pub fn start_opts(
    dir: &std::path::Path,
    max_body: usize,
    syslog: bool,
    tokens: Vec<hwlog_server::auth::Token>,
) -> (SocketAddr, Option<SocketAddr>, Option<SocketAddr>) {
    let opts = hwlog_server::ServeOptions {
        tokens,
        data_dir: dir.to_path_buf(),
        listen: "127.0.0.1:0".parse().unwrap(),
        demo: false,
        limits: {
            let mut l = hwlog_server::limits::Limits::default();
            l.max_body = max_body;
            l
        },
        // Tests send records with fixed dates: keep them whatever today's date.
        retention: hwlog_server::jobs::RetentionJob {
            retention: hwlog_store::Retention {
                max_age: None,
                max_rows: None,
            },
            ..Default::default()
        },
        ..Default::default()
    };
    start_with(opts, syslog)
}

/// A server with `opts` (its listen address is ignored: an ephemeral loopback port).
pub fn start_with(
    opts: hwlog_server::ServeOptions,
    syslog: bool,
) -> (SocketAddr, Option<SocketAddr>, Option<SocketAddr>) {
    let (router, state) = hwlog_server::app(&opts).unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .unwrap();
        rt.block_on(async move {
            hwlog_server::start_jobs(&state, &opts);
            let l = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
            let any: SocketAddr = "127.0.0.1:0".parse().unwrap();
            let (udp, tcp) = if syslog {
                hwlog_server::start_syslog(state, Some(any), Some(any))
                    .await
                    .unwrap()
            } else {
                (None, None)
            };
            tx.send((l.local_addr().unwrap(), udp, tcp)).unwrap();
            hwlog_server::serve_on(l, router, &opts.limits, std::future::pending::<()>()).await;
        });
    });
    rx.recv_timeout(Duration::from_secs(10)).unwrap()
}

pub fn agent() -> ureq::Agent {
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .timeout_global(Some(Duration::from_secs(10)))
        .build()
        .into()
}

pub fn post(addr: SocketAddr, body: &[u8], gzip: bool) -> (u16, Value) {
    let mut req = agent().post(format!("http://{addr}/api/v1/logs"));
    if gzip {
        req = req.header("content-encoding", "gzip");
    }
    let mut resp = req.send(body).unwrap();
    let status = resp.status().as_u16();
    let text = resp.body_mut().read_to_string().unwrap_or_default();
    (status, serde_json::from_str(&text).unwrap_or(Value::Null))
}

pub fn get(addr: SocketAddr, path: &str) -> (u16, String) {
    let mut resp = agent().get(format!("http://{addr}{path}")).call().unwrap();
    let status = resp.status().as_u16();
    (status, resp.body_mut().read_to_string().unwrap_or_default())
}

pub fn get_json(addr: SocketAddr, path: &str) -> Value {
    let (status, body) = get(addr, path);
    assert_eq!(status, 200, "{path}: {body}");
    serde_json::from_str(&body).unwrap()
}

/// `get`, or `None` while nothing listens yet.
pub fn try_get(addr: SocketAddr, path: &str) -> Option<(u16, String)> {
    let mut resp = agent().get(format!("http://{addr}{path}")).call().ok()?;
    let status = resp.status().as_u16();
    Some((status, resp.body_mut().read_to_string().unwrap_or_default()))
}

/// POSTs `body` as JSON to `path`: the status and the JSON reply (`Null` when it is not JSON).
pub fn send(addr: SocketAddr, path: &str, body: Value) -> (u16, Value) {
    let mut resp = agent()
        .post(format!("http://{addr}{path}"))
        .header("content-type", "application/json")
        .send(body.to_string().as_bytes())
        .unwrap();
    let status = resp.status().as_u16();
    let text = resp.body_mut().read_to_string().unwrap_or_default();
    (status, serde_json::from_str(&text).unwrap_or(Value::Null))
}
