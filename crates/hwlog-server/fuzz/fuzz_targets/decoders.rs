//! Every ingest decoder on arbitrary bytes: JSON/NDJSON bodies under the limits, OTLP
//! protobuf and JSON, Python HTTPHandler forms, gzip bodies, syslog framing and syslog
//! lines. None may panic, framing always advances, and what a decoder keeps stays within the
//! limits.
#![no_main]
use hwlog_decode::lines::{parse_line, LineFormat};
use hwlog_server::json::{decode_records, record_from_form};
use hwlog_server::limits::{Limits, Window};
use hwlog_server::otlp::{decode_json, decode_protobuf};
use hwlog_server::syslog::next_frame;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let mut limits = Limits::default();
    limits.max_records = 64;
    limits.max_fields = 16;
    limits.max_message = 256;
    let window = Window::new(1_800_000_000_000_000_000, None);
    let check = |d: &hwlog_server::json::Decoded| {
        assert!(d.records.len() <= limits.max_records);
        assert!(d.errors.len() <= limits.max_errors);
        for r in &d.records {
            assert!(r.message.len() <= limits.max_message);
            assert!(r.fields.len() <= limits.max_fields);
        }
    };
    if let Ok(d) = decode_records(data, &limits, &window) {
        check(&d);
    }
    if let Ok(d) = decode_protobuf(data, &limits, &window) {
        check(&d);
    }
    if let Ok(d) = decode_json(data, &limits, &window) {
        check(&d);
    }
    let _ = record_from_form(data, &window);
    let mut rest = data;
    while let Some((frame, used)) = next_frame(rest, true, 512) {
        assert!(used > 0 && used <= rest.len(), "framing must advance");
        assert!(frame.len() <= 512);
        let _ = parse_line(&LineFormat::Syslog, &String::from_utf8_lossy(frame), "x", 0);
        rest = &rest[used..];
    }
});
