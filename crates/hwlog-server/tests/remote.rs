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
    // https is spoken (rustls); a scheme that is neither http nor https is refused.
    assert!(RemoteSink::new(RemoteOptions::new("https://example.org")).is_ok());
    assert!(RemoteSink::new(RemoteOptions::new("ftp://example.org")).is_err());
}

/// The `otlp` sink speaks OTLP/HTTP JSON; hwlog's own receiver (`/v1/logs`) takes it like
/// any collector would: level, message, component (the scope), typed fields, correlation
/// ids (a trace id when it is one, else an attribute), service name. While the collector
/// is away, requests wait in the spool, one per line, and go out whole afterwards.
#[test]
fn the_otlp_sink_exports_to_an_otlp_receiver() {
    use hwlog::sink::remote::Protocol;
    let dir = tempfile::tempdir().unwrap();
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let addr: SocketAddr = format!("127.0.0.1:{port}").parse().unwrap();
    let mut opts = RemoteOptions::new(&format!("http://{addr}"));
    opts.protocol = Protocol::Otlp {
        service: "provisioner".into(),
    };
    opts.spool = Some(dir.path().join("otlp.spool"));
    opts.attempts = 1;
    let sink = RemoteSink::new(opts).unwrap();
    let fmt = Json::new(TimeZone::Utc);
    let mut batch = hwlog::Batch::new();
    let trace = "4bf92f3577b34da6a3ce929d0e0e4736";
    let mut a = Record::new(Level::Error, "bmc.ipmi", "power on failed")
        .with_field("host", "node-7")
        .with_field("attempt", 3u64)
        .with_field("ratio", 0.5)
        .with_field("ok", false);
    a.correlation_id = Some(trace.into());
    let mut b = Record::new(Level::Warning, "bios", "setting drifted");
    b.correlation_id = Some("req-otlp-1".into());
    batch.push(a, &fmt);
    batch.push(b, &fmt);
    // Nobody listens yet: the request is spooled, not lost.
    sink.write_batch(&batch).unwrap();
    let spooled = std::fs::read_to_string(dir.path().join("otlp.spool")).unwrap();
    assert_eq!(spooled.lines().count(), 1);
    assert!(spooled.contains("\"resourceLogs\""));
    serve_at(dir.path(), addr);
    let mut batch = hwlog::Batch::new();
    batch.push(Record::new(Level::Info, "bios", "third"), &fmt);
    sink.write_batch(&batch).unwrap();
    let v = get_json(addr, "/api/v1/logs?limit=10");
    let recs = v["records"].as_array().unwrap();
    assert_eq!(recs.len(), 3, "{v}");
    let by = |m: &str| recs.iter().find(|r| r["message"] == m).unwrap().clone();
    let a = by("power on failed");
    assert_eq!(a["level"], "ERROR");
    assert_eq!(a["component"], "bmc.ipmi");
    assert_eq!(a["correlation_id"], trace);
    assert_eq!(a["fields"]["host"], "node-7");
    assert_eq!(a["fields"]["attempt"], 3);
    assert_eq!(a["fields"]["ratio"], 0.5);
    assert_eq!(a["fields"]["ok"], false);
    assert_eq!(a["fields"]["service"], "provisioner");
    let b = by("setting drifted");
    assert_eq!(
        (b["level"].as_str(), b["component"].as_str()),
        (Some("WARNING"), Some("bios"))
    );
    assert_eq!(b["correlation_id"], "req-otlp-1");
    assert_eq!(by("third")["level"], "INFO");
}
