//! Every ingest decoder on arbitrary bytes: NDJSON records, OTLP protobuf and JSON, Python
//! HTTPHandler forms, syslog framing and syslog lines. None may panic, and framing always
//! advances.
#![no_main]
use hwlog::monitoring::parse::{parse_line, LineFormat};
use hwlog_server::json::{record_from_form, record_from_json};
use hwlog_server::otlp::{decode_json, decode_protobuf, records};
use hwlog_server::syslog::next_frame;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    for line in data.split(|&c| c == b'\n') {
        if let Ok(v) = serde_json::from_slice::<serde_json::Value>(line) {
            let _ = record_from_json(&v, 0);
        }
    }
    if let Ok(req) = decode_protobuf(data) {
        let _ = records(&req, 0);
    }
    if let Ok(req) = decode_json(data) {
        let _ = records(&req, 0);
    }
    let _ = record_from_form(data, 0);
    let mut rest = data;
    while let Some((frame, used)) = next_frame(rest, true) {
        assert!(used > 0 && used <= rest.len(), "framing must advance");
        let _ = parse_line(&LineFormat::Syslog, &String::from_utf8_lossy(frame), "x", 0);
        rest = &rest[used..];
    }
});
