//! OTLP/HTTP logs: protobuf, JSON, and the OpenTelemetry Python SDK's exporter.
use std::process::Command;
use std::time::{Duration, Instant};

use hwlog_server::otlp::{
    any_value, AnyValue, ExportLogsServiceRequest, KeyValue, LogRecord, Resource, ResourceLogs,
    ScopeLogs,
};
use prost::Message;
use serde_json::Value;

mod common;
use common::{get_json, start};

fn text(s: &str) -> Option<AnyValue> {
    Some(AnyValue {
        value: Some(any_value::Value::StringValue(s.to_string())),
    })
}

fn wait_for(addr: std::net::SocketAddr, q: &str) -> Vec<Value> {
    let deadline = Instant::now() + Duration::from_secs(15);
    loop {
        let v = get_json(addr, &format!("/api/v1/logs?q={q}"));
        let recs = v["records"].as_array().unwrap().clone();
        if !recs.is_empty() {
            return recs;
        }
        assert!(Instant::now() < deadline, "no record for {q}");
        std::thread::sleep(Duration::from_millis(50));
    }
}

fn post(addr: std::net::SocketAddr, body: &[u8], json: bool) -> (u16, Vec<u8>) {
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .build()
        .into();
    let mut resp = agent
        .post(format!("http://{addr}/v1/logs"))
        .header(
            "content-type",
            if json {
                "application/json"
            } else {
                "application/x-protobuf"
            },
        )
        .send(body)
        .unwrap();
    let status = resp.status().as_u16();
    (status, resp.body_mut().read_to_vec().unwrap_or_default())
}

#[test]
fn protobuf_and_json() {
    let dir = tempfile::tempdir().unwrap();
    let addr = start(dir.path(), 1 << 20);
    let req = ExportLogsServiceRequest {
        resource_logs: vec![ResourceLogs {
            resource: Some(Resource {
                attributes: vec![KeyValue {
                    key: "service.name".into(),
                    value: text("provisioner"),
                }],
            }),
            scope_logs: vec![ScopeLogs {
                scope: None,
                log_records: vec![LogRecord {
                    time_unix_nano: 1_795_161_600_000_000_000,
                    observed_time_unix_nano: 0,
                    severity_number: 17,
                    severity_text: "ERROR".into(),
                    body: text("otlpproto BMC unreachable"),
                    attributes: vec![KeyValue {
                        key: "host".into(),
                        value: text("node-7"),
                    }],
                    trace_id: vec![0xab; 16],
                    span_id: vec![0x01; 8],
                    ..Default::default()
                }],
                ..Default::default()
            }],
            ..Default::default()
        }],
    };
    let (status, body) = post(addr, &req.encode_to_vec(), false);
    assert_eq!((status, body.len()), (200, 0));
    let r = wait_for(addr, "otlpproto");
    assert_eq!(r[0]["level"], "ERROR");
    assert_eq!(r[0]["component"], "provisioner");
    assert_eq!(r[0]["correlation_id"], "abababababababababababababababab");
    assert_eq!(r[0]["fields"]["host"], "node-7");
    assert_eq!(r[0]["fields"]["span_id"], "0101010101010101");
    assert_eq!(r[0]["timestamp"], "2026-11-20T08:00:00.000000Z");

    let json = r#"{"resourceLogs":[{"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"bios-svc"}}]},
        "scopeLogs":[{"scope":{"name":"bios.config"},"logRecords":[{"timeUnixNano":"1795161601000000000","severityNumber":13,
        "body":{"stringValue":"otlpjson setting rejected"},"attributes":[{"key":"attempt","value":{"intValue":"3"}}],
        "traceId":"0102030405060708090a0b0c0d0e0f10","spanId":"1112131415161718"}]}]}]}"#;
    let (status, body) = post(addr, json.as_bytes(), true);
    assert_eq!(
        (status, String::from_utf8_lossy(&body).as_ref()),
        (200, "{}")
    );
    let r = wait_for(addr, "otlpjson");
    assert_eq!(
        (r[0]["level"].as_str(), r[0]["component"].as_str()),
        (Some("WARNING"), Some("bios.config"))
    );
    assert_eq!(r[0]["fields"]["attempt"], 3);
    assert_eq!(r[0]["correlation_id"], "0102030405060708090a0b0c0d0e0f10");
    assert_eq!(post(addr, b"\xff\xff garbage", false).0, 400);
    assert_eq!(post(addr, b"{not json", true).0, 400);
}

/// The OpenTelemetry Python SDK's OTLP/HTTP log exporter (PyPI `opentelemetry-sdk`,
/// `opentelemetry-exporter-otlp-proto-http`).
#[test]
fn opentelemetry_python_sdk_exporter() {
    let ok = Command::new("python3")
        .args([
            "-c",
            "import opentelemetry.exporter.otlp.proto.http._log_exporter, opentelemetry.sdk._logs",
        ])
        .output()
        .is_ok_and(|o| o.status.success());
    if !ok {
        if std::env::var("HWLOG_REQUIRE_EXTERNAL").as_deref() == Ok("1") {
            panic!("the OpenTelemetry Python SDK is required (HWLOG_REQUIRE_EXTERNAL=1): pip install opentelemetry-sdk opentelemetry-exporter-otlp-proto-http");
        }
        println!("SKIPPED: OpenTelemetry Python SDK not installed");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let addr = start(dir.path(), 1 << 20);
    let script = format!(
        r#"
import logging
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk._logs import LoggerProvider, LoggingHandler
from opentelemetry.sdk._logs.export import SimpleLogRecordProcessor
from opentelemetry.exporter.otlp.proto.http._log_exporter import OTLPLogExporter
provider = LoggerProvider(resource=Resource.create({{"service.name": "otel-provisioner"}}))
provider.add_log_record_processor(SimpleLogRecordProcessor(OTLPLogExporter(endpoint="http://{addr}/v1/logs")))
log = logging.getLogger("fleet.firmware")
log.addHandler(LoggingHandler(logger_provider=provider))
log.setLevel(logging.INFO)
log.error("otelpython flash failed", extra={{"node": "node-12"}})
log.warning("otelpython retrying")
provider.shutdown()
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
    let deadline = Instant::now() + Duration::from_secs(15);
    let recs = loop {
        let v = get_json(addr, "/api/v1/logs?q=otelpython");
        let recs = v["records"].as_array().unwrap().clone();
        if recs.len() >= 2 {
            break recs;
        }
        assert!(Instant::now() < deadline, "{v}");
        std::thread::sleep(Duration::from_millis(50));
    };
    let err = recs
        .iter()
        .find(|r| r["message"] == "otelpython flash failed")
        .unwrap();
    assert_eq!(err["level"], "ERROR");
    assert_eq!(err["component"], "fleet.firmware");
    assert_eq!(err["fields"]["service"], "otel-provisioner");
    assert_eq!(err["fields"]["node"], "node-12");
    let warn = recs
        .iter()
        .find(|r| r["message"] == "otelpython retrying")
        .unwrap();
    assert_eq!(warn["level"], "WARNING");
}

/// OTLP's own example documents (opentelemetry-proto `examples/logs.json` and
/// `examples/events.json`, copied in `tests/data/otlp`), checked field by field.
#[test]
fn the_protocols_own_examples_keep_every_part() {
    let dir = tempfile::tempdir().unwrap();
    let addr = start(dir.path(), 1 << 20);
    let logs = include_bytes!("data/otlp/logs.json");
    let (status, body) = post(addr, logs, true);
    assert_eq!(
        (status, String::from_utf8_lossy(&body).as_ref()),
        (200, "{}")
    );
    let r = &wait_for(addr, "Example")[0];
    assert_eq!(r["message"], "Example log record");
    assert_eq!(r["level"], "INFO", "severityText Information");
    assert_eq!(r["component"], "my.library");
    assert_eq!(r["timestamp"], "2018-12-13T14:51:00.300000Z");
    assert_eq!(r["correlation_id"], "5b8efff798038103d269b633813fc60c");
    let f = &r["fields"];
    let want = serde_json::json!({
        "trace_id": "5b8efff798038103d269b633813fc60c",
        "span_id": "eee19b7ec3c1b174",
        "severity_text": "Information",
        "observed_time_unix_nano": 1544712660300000000u64,
        "string.attribute": "some string",
        "boolean.attribute": true,
        "int.attribute": 10,
        "double.attribute": 637.704,
        "array.attribute": "[\"many\",\"values\"]",
        "map.attribute.some.map.key": "some value",
        "service": "my.service",
        "scope.version": "1.0.0",
        "scope.my.scope.attribute": "some scope attribute",
    });
    assert_eq!(f, &want, "{f:#}");

    let events = include_bytes!("data/otlp/events.json");
    let (status, body) = post(addr, events, true);
    assert_eq!(
        (status, String::from_utf8_lossy(&body).as_ref()),
        (200, "{}")
    );
    let r = &wait_for(addr, "guidgenerator")[0];
    // A map body: its JSON text is the (searchable) message, its entries are fields.
    let msg: Value = serde_json::from_str(r["message"].as_str().unwrap()).unwrap();
    assert_eq!(
        msg,
        serde_json::json!({"type": 0, "url": "https://www.guidgenerator.com/online-guid-generator.aspx",
            "referrer": "https://wwww.google.com", "title": "Free Online GUID Generator"})
    );
    let f = &r["fields"];
    assert_eq!(f["body.type"], 0);
    assert_eq!(f["body.title"], "Free Online GUID Generator");
    assert_eq!(f["event.name"], "browser.page_view");
    assert_eq!(r["level"], "INFO");
    assert_eq!(r["timestamp"], "2018-12-13T14:51:00.300000Z");
}

/// The newer fields of a log record (`eventName`, flags, bytes, nested lists), and wrongly
/// typed entries refused per record with the reason instead of being stored empty.
#[test]
fn typed_values_are_kept_and_wrong_types_refused() {
    let dir = tempfile::tempdir().unwrap();
    let addr = start(dir.path(), 1 << 20);
    let json = r#"{"resourceLogs":[{"scopeLogs":[{"logRecords":[
        {"timeUnixNano":"1795161601000000000","eventName":"device.app.lifecycle","flags":1,
         "body":{"arrayValue":{"values":[{"intValue":"1"},{"kvlistValue":{"values":[{"key":"k","value":{"boolValue":false}}]}}]}},
         "attributes":[{"key":"raw","value":{"bytesValue":"aGVsbG8="}},
                       {"key":"nested","value":{"kvlistValue":{"values":[{"key":"a","value":{"kvlistValue":{"values":[{"key":"b","value":{"doubleValue":1.5}}]}}}]}}}]},
        {"body":{"stringValue":42}},
        {"body":{"stringValue":"typed-bad-int"},"attributes":[{"key":"n","value":{"intValue":"ten"}}]},
        {"body":{"stringValue":"typed-bad-trace"},"traceId":"xyz"},
        {"body":{"stringValue":"typed-good"}}
    ]}]}]}"#;
    let (status, body) = post(addr, json.as_bytes(), true);
    assert_eq!(status, 200);
    let answer: Value = serde_json::from_slice(&body).unwrap();
    let p = &answer["partialSuccess"];
    assert_eq!(p["rejectedLogRecords"], "3", "{answer}");
    let m = p["errorMessage"].as_str().unwrap();
    assert!(
        m.contains("record 1: body: stringValue must be a string"),
        "{m}"
    );
    assert!(
        m.contains("record 2: attribute \"n\": intValue \"ten\" is not an integer"),
        "{m}"
    );
    assert!(m.contains("record 3: traceId must be 32 hex digits"), "{m}");
    assert_eq!(wait_for(addr, "typed-good").len(), 1);
    assert!(get_json(addr, "/api/v1/logs?q=typed-bad-int")["records"]
        .as_array()
        .unwrap()
        .is_empty());
    let recs = get_json(addr, "/api/v1/logs?limit=10")["records"].clone();
    let r = recs
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["fields"]["event_name"] == "device.app.lifecycle")
        .expect("the event");
    assert_eq!(r["message"], r#"[1,{"k":false}]"#);
    assert_eq!(r["fields"]["body"], r#"[1,{"k":false}]"#);
    assert_eq!(r["fields"]["trace_flags"], 1);
    assert_eq!(r["fields"]["raw"], "hello");
    assert_eq!(r["fields"]["nested.a.b"], 1.5);
}
