//! `hwlog-bench query` and `hwlog-bench live`: full-text queries over a million stored
//! records, and the latency from ingest to live WebSocket clients.
use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use hwlog::{Level, Record};
use hwlog_store::{Query, SqliteOptions, SqliteStore, Store};
use serde_json::{json, Value};

fn pct(v: &mut [f64], p: f64) -> f64 {
    v.sort_by(f64::total_cmp);
    v[((p * v.len() as f64).ceil() as usize).clamp(1, v.len()) - 1]
}

/// Stores `n` records (ten message shapes, 100 hosts) and times `queries` full-text queries
/// for a word of one shape (a tenth of the records), newest 100 first, as the API runs them.
pub fn query(n: usize, queries: usize) -> Result<Value, String> {
    let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
    let store = SqliteStore::open(dir.path().join("q.db"), SqliteOptions::default())
        .map_err(|e| e.to_string())?;
    let words = [
        "timeout",
        "power",
        "firmware",
        "discovery",
        "bios",
        "redfish",
        "sensor",
        "fan",
        "psu",
        "raid",
    ];
    let t = Instant::now();
    let mut batch = Vec::with_capacity(10_000);
    for i in 0..n {
        let w = words[i % words.len()];
        batch.push(
            Record::new(
                Level::Info,
                "hwautomation.hardware",
                format!("{w} event on node-{} attempt {}", i % 100, i),
            )
            .with_field("host", format!("node-{}", i % 100)),
        );
        if batch.len() == 10_000 {
            store.insert_batch(&batch).map_err(|e| e.to_string())?;
            batch.clear();
        }
    }
    store.insert_batch(&batch).map_err(|e| e.to_string())?;
    let load_s = t.elapsed().as_secs_f64();
    let mut lat = Vec::with_capacity(queries);
    for q in 0..queries {
        let word = format!("{} node-{}", words[q % words.len()], q % 100);
        let t = Instant::now();
        let page = store
            .query(&Query {
                text: Some(word),
                limit: 100,
                ..Query::default()
            })
            .map_err(|e| e.to_string())?;
        lat.push(t.elapsed().as_secs_f64() * 1000.0);
        if page.records.is_empty() {
            return Err("a query found nothing".into());
        }
    }
    Ok(json!({
        "records": n,
        "load_records_per_s": n as f64 / load_s,
        "queries": queries,
        "p50_ms": pct(&mut lat, 0.5),
        "p99_ms": pct(&mut lat, 0.99),
    }))
}

/// `clients` WebSocket clients follow the stream while records are posted at `rate` per
/// second for `secs` seconds (batches of 100); each record carries its send time, and every
/// client measures arrival − send.
pub fn live(clients: usize, rate: usize, secs: u64) -> Result<Value, String> {
    let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
    let opts = hwlog_server::ServeOptions {
        data_dir: dir.path().to_path_buf(),
        no_auth: true,
        ..Default::default()
    };
    let addr: SocketAddr = crate::ingest::serve(&opts)?;
    let epoch = Instant::now();
    let stop = Arc::new(AtomicBool::new(false));
    let mut readers = Vec::new();
    for _ in 0..clients {
        let (mut ws, _) = tungstenite::connect(format!("ws://{addr}/api/v1/stream"))
            .map_err(|e| e.to_string())?;
        if let tungstenite::stream::MaybeTlsStream::Plain(s) = ws.get_ref() {
            let _ = s.set_read_timeout(Some(Duration::from_millis(200)));
        }
        let stop = stop.clone();
        readers.push(std::thread::spawn(move || {
            let mut lat = Vec::new();
            let mut dropped = 0u64;
            while !stop.load(Ordering::Relaxed) {
                match ws.read() {
                    Ok(tungstenite::Message::Text(t)) => {
                        let now = epoch.elapsed().as_secs_f64() * 1000.0;
                        // Cheap on purpose (50 clients share two cores): read the one
                        // number instead of parsing the record.
                        let num = |key: &str| -> Option<f64> {
                            let i = t.find(key)? + key.len();
                            let rest = &t[i..];
                            let end = rest.find([',', '}']).unwrap_or(rest.len());
                            rest[..end].parse().ok()
                        };
                        if let Some(d) = num("\"dropped\":") {
                            dropped += d as u64;
                        } else if let Some(sent) = num("\"sent_ms\":") {
                            lat.push(now - sent);
                        }
                    }
                    Ok(_) => {}
                    Err(_) => {}
                }
            }
            (lat, dropped)
        }));
    }
    std::thread::sleep(Duration::from_millis(200));
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .build()
        .into();
    let per_batch = 100;
    let interval = Duration::from_secs_f64(per_batch as f64 / rate.max(1) as f64);
    let end = Instant::now() + Duration::from_secs(secs);
    let mut sent = 0usize;
    let mut next = Instant::now();
    while Instant::now() < end {
        let sent_ms = epoch.elapsed().as_secs_f64() * 1000.0;
        let body: String = (0..per_batch)
            .map(|i| json!({"level": "INFO", "component": "live", "message": format!("m{i}"), "fields": {"sent_ms": sent_ms}}).to_string())
            .collect::<Vec<_>>()
            .join("\n");
        agent
            .post(format!("http://{addr}/api/v1/logs"))
            .send(body.as_bytes())
            .map_err(|e| e.to_string())?;
        sent += per_batch;
        next += interval;
        if let Some(d) = next.checked_duration_since(Instant::now()) {
            std::thread::sleep(d);
        }
    }
    std::thread::sleep(Duration::from_millis(500));
    stop.store(true, Ordering::Relaxed);
    let mut all = Vec::new();
    let mut dropped = 0;
    for r in readers {
        let (lat, d) = r.join().map_err(|_| "reader panicked".to_string())?;
        all.extend(lat);
        dropped += d;
    }
    if all.is_empty() {
        return Err("no client received anything".into());
    }
    let received = all.len();
    Ok(json!({
        "clients": clients,
        "records_sent": sent,
        "deliveries": received,
        "dropped": dropped,
        "p50_ms": pct(&mut all, 0.5),
        "p99_ms": pct(&mut all, 0.99),
        "max_ms": pct(&mut all, 1.0),
    }))
}
