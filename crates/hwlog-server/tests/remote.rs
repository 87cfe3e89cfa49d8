//! The library's `remote` sink ships records to `hwlog serve`, and spools them while the
//! server is away.
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use hwlog::format::{Json, TimeZone};
use hwlog::nonblocking::NonBlockingOptions;
use hwlog::pipeline::Route;
use hwlog::sink::remote::{RemoteOptions, RemoteSink};
use hwlog::{Format, Level, Record, Sink};

mod common;
use common::{get_json, start};

/// A server on a given loopback address.
fn serve_at(dir: &std::path::Path, addr: SocketAddr) {
    let opts = hwlog_server::ServeOptions {
        data_dir: dir.to_path_buf(),
        listen: addr,
        no_auth: true,
        ..Default::default()
    };
    let (router, _) = hwlog_server::app(&opts).unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .unwrap();
        rt.block_on(async move {
            let l = tokio::net::TcpListener::bind(addr).await.unwrap();
            tx.send(()).unwrap();
            axum::serve(l, router).await.unwrap();
        });
    });
    rx.recv_timeout(Duration::from_secs(10)).unwrap();
}

#[test]
fn records_logged_through_the_remote_route_arrive_at_the_server() {
    let dir = tempfile::tempdir().unwrap();
    let addr = start(dir.path(), 1 << 20);
    let sink = RemoteSink::new(RemoteOptions::new(&format!("http://{addr}"))).unwrap();
    let route = Route::new(
        "remote",
        Level::Info,
        Vec::new(),
        Box::new(Json::new(TimeZone::Utc)),
        Arc::new(sink),
    )
    .non_blocking(NonBlockingOptions::default());
    let logger = hwlog::get_logger("provisioner.remote");
    logger.add_handler(route);
    hwlog::with_correlation("req-remote-1", || {
        logger.info("remote shipping works");
        logger
            .at(Level::Error)
            .field("host", "node-3")
            .log("remote error with a field");
    });
    logger.debug("below the route's level");
    hwlog::flush().unwrap();
    let v = get_json(addr, "/api/v1/correlation/req-remote-1");
    let recs = v["records"].as_array().unwrap();
    assert_eq!(recs.len(), 2, "{v}");
    assert_eq!(recs[0]["message"], "remote shipping works");
    assert_eq!(recs[1]["level"], "ERROR");
    assert_eq!(recs[1]["component"], "provisioner.remote");
    assert_eq!(recs[1]["fields"]["host"], "node-3");
}

#[test]
fn the_spool_keeps_records_until_the_server_is_back() {
    let dir = tempfile::tempdir().unwrap();
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let addr: SocketAddr = format!("127.0.0.1:{port}").parse().unwrap();
    let spool = dir.path().join("spool/remote.ndjson");
    let mut opts = RemoteOptions::new(&format!("http://{addr}"));
    opts.spool = Some(spool.clone());
    opts.attempts = 2;
    opts.backoff = Duration::from_millis(10);
    opts.max_spool_bytes = 4096;
    let sink = RemoteSink::new(opts).unwrap();
    let fmt = Json::new(TimeZone::Utc);
    let line = |msg: &str| {
        let mut out = Vec::new();
        fmt.format(
            &Record::new(Level::Warning, "spooled", msg.to_string()),
            &mut out,
        );
        out
    };
    // Nobody listens: the records go to the spool, not lost.
    for i in 0..3 {
        let l = line(&format!("spooled record {i}"));
        sink.write(&Record::new(Level::Warning, "spooled", "x"), &l)
            .unwrap();
    }
    let text = std::fs::read_to_string(&spool).unwrap();
    assert_eq!(text.lines().count(), 3);
    // A full spool refuses (and the route counts the loss).
    let big = vec![b'x'; 5000];
    let e = sink
        .write(&Record::new(Level::Info, "x", "x"), &big)
        .unwrap_err();
    assert!(e.to_string().contains("spool"), "{e}");
    // The server comes up: a flush sends the spool, in order, and empties it.
    let data = tempfile::tempdir().unwrap();
    serve_at(data.path(), addr);
    sink.flush().unwrap();
    assert_eq!(std::fs::read_to_string(&spool).unwrap(), "");
    let v = get_json(addr, "/api/v1/logs?component=spooled");
    let msgs: Vec<&str> = v["records"]
        .as_array()
        .unwrap()
        .iter()
        .rev()
        .map(|r| r["message"].as_str().unwrap())
        .collect();
    assert_eq!(
        msgs,
        ["spooled record 0", "spooled record 1", "spooled record 2"]
    );
    assert!(RemoteSink::new(RemoteOptions::new("https://example.org")).is_err());
}
