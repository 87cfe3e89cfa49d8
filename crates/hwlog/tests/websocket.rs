//! The WebSocket stream: filtered records reach clients, slow clients get a drop notice,
//! `after=SEQ` resumes.
#![cfg(feature = "websocket")]
use std::net::TcpStream;
use std::time::{Duration, Instant};

use hwlog::sink::websocket::{WebSocketOptions, WebSocketSink};
use hwlog::{Level, Record, Sink};
use tungstenite::stream::MaybeTlsStream;
use tungstenite::{Message, WebSocket};

type Ws = WebSocket<MaybeTlsStream<TcpStream>>;

fn connect(sink: &WebSocketSink, query: &str) -> Ws {
    let url = format!("ws://{}/{query}", sink.local_addr());
    let (ws, _) = tungstenite::connect(url).expect("connect");
    if let MaybeTlsStream::Plain(s) = ws.get_ref() {
        s.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
    }
    ws
}

fn wait_clients(sink: &WebSocketSink, n: usize) {
    let t = Instant::now();
    while sink.clients() < n {
        assert!(
            t.elapsed() < Duration::from_secs(10),
            "client did not register"
        );
        std::thread::sleep(Duration::from_millis(5));
    }
}

fn next_json(ws: &mut Ws) -> serde_json::Value {
    loop {
        match ws.read().expect("a message") {
            Message::Text(t) => return serde_json::from_str(t.as_str()).unwrap(),
            Message::Ping(_) | Message::Pong(_) => continue,
            other => panic!("unexpected {other:?}"),
        }
    }
}

fn emit(
    sink: &WebSocketSink,
    level: Level,
    comp: &'static str,
    msg: &'static str,
    cid: Option<&'static str>,
) {
    let mut r = Record::new(level, comp, msg);
    r.correlation_id = cid.map(Into::into);
    sink.write(&r, b"").unwrap();
}

#[test]
fn clients_receive_only_what_their_filters_ask_for() {
    let sink = WebSocketSink::bind("127.0.0.1:0", WebSocketOptions::default()).unwrap();
    let mut warn = connect(&sink, "?min_level=WARNING");
    let mut ipmi = connect(&sink, "?component=hwautomation.*.ipmi");
    let mut req = connect(&sink, "?correlation_id=req-7");
    wait_clients(&sink, 3);
    emit(
        &sink,
        Level::Info,
        "hwautomation.hardware.ipmi",
        "power on",
        None,
    );
    emit(
        &sink,
        Level::Error,
        "hwautomation.bios",
        "apply failed",
        Some("req-7"),
    );
    emit(
        &sink,
        Level::Warning,
        "hwautomation.hardware.ipmi",
        "retry",
        Some("req-8"),
    );

    let a = next_json(&mut warn);
    assert_eq!(
        (a["seq"].as_u64(), a["message"].as_str()),
        (Some(2), Some("apply failed"))
    );
    let b = next_json(&mut warn);
    assert_eq!(b["message"], "retry");
    let c = next_json(&mut ipmi);
    assert_eq!(
        (c["seq"].as_u64(), c["level"].as_str()),
        (Some(1), Some("INFO"))
    );
    assert_eq!(next_json(&mut ipmi)["message"], "retry");
    let d = next_json(&mut req);
    assert_eq!(d["correlation_id"], "req-7");
    assert_eq!(d["fields"], serde_json::json!({}));
    // Nothing else arrives for req-7.
    emit(&sink, Level::Info, "x", "end", Some("req-7"));
    assert_eq!(next_json(&mut req)["message"], "end");
}

#[test]
fn slow_client_gets_a_drop_notice_and_logging_never_waits() {
    let opts = WebSocketOptions {
        client_queue: 4,
        ring: 100,
    };
    let sink = WebSocketSink::bind("127.0.0.1:0", opts).unwrap();
    let mut ws = connect(&sink, "?");
    wait_clients(&sink, 1);
    // The client reads nothing while 5,000 records are written: writes never block.
    let t = Instant::now();
    for _ in 0..5_000 {
        emit(&sink, Level::Info, "flood", "x", None);
    }
    assert!(t.elapsed() < Duration::from_secs(5));
    let mut seen = 0u64;
    let mut dropped = 0u64;
    let mut last_seq = 0;
    while seen + dropped < 5_000 {
        let v = next_json(&mut ws);
        if let Some(n) = v.get("dropped") {
            dropped += n.as_u64().unwrap();
        } else {
            seen += 1;
            let seq = v["seq"].as_u64().unwrap();
            assert!(seq > last_seq, "in order");
            last_seq = seq;
        }
    }
    assert!(dropped > 0, "a 4-deep queue must have overflowed");
    assert_eq!(
        seen + dropped,
        5_000,
        "every record was either delivered or counted"
    );
}

#[test]
fn resume_after_a_sequence_number() {
    let sink = WebSocketSink::bind("127.0.0.1:0", WebSocketOptions::default()).unwrap();
    for m in ["one", "two", "three", "four"] {
        emit(&sink, Level::Info, "c", m, None);
    }
    let mut ws = connect(&sink, "?after=2");
    wait_clients(&sink, 1);
    emit(&sink, Level::Info, "c", "five", None);
    let got: Vec<String> = (0..3)
        .map(|_| next_json(&mut ws)["message"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(got, ["three", "four", "five"]);
    assert_eq!(sink.last_seq(), 5);
}

#[test]
fn reconfiguration_keeps_the_stream_and_its_clients() {
    let _serial = hwlog::testing::lock();
    // A fixed port: a second listener on it would fail, so the new pipeline must reuse the sink.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let dir = tempfile::tempdir().unwrap();
    let cfg = dir.path().join("ws.toml");
    std::fs::write(
        &cfg,
        format!(
            r#"
[profiles.live]
level = "INFO"
features = {{}}
[[profiles.live.routes]]
name = "ws"
sink = {{ type = "websocket", listen = "127.0.0.1:{port}" }}
format = "json"
"#
        ),
    )
    .unwrap();
    let _g = hwlog::Builder::new()
        .config_file(&cfg)
        .profile("live")
        .init()
        .unwrap();
    let url = format!("ws://127.0.0.1:{port}/?component=live");
    let (mut ws, _) = tungstenite::connect(url).unwrap();
    if let MaybeTlsStream::Plain(s) = ws.get_ref() {
        s.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
    }
    let log = hwlog::get_logger("live");
    // Wait until the client is registered (first record may race the handshake).
    let t = Instant::now();
    let first = loop {
        log.info("before");
        if let Ok(Message::Text(t)) = ws.read() {
            break serde_json::from_str::<serde_json::Value>(t.as_str()).unwrap();
        }
        assert!(t.elapsed() < Duration::from_secs(10));
    };
    assert_eq!(first["message"], "before");
    hwlog::reconfigure_logging("live").unwrap();
    hwlog::reconfigure_logging("live").unwrap();
    let st = hwlog::logging_status();
    assert!(
        !st.routes[0].sink.contains("unavailable"),
        "{}",
        st.routes[0].sink
    );
    log.info("after");
    loop {
        let v = next_json(&mut ws);
        if v["message"] == "after" {
            break;
        }
    }
    hwlog::reconfigure_logging("testing").unwrap();
}
