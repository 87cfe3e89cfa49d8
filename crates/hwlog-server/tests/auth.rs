//! API tokens and scopes over real HTTP and WebSocket.
use std::net::SocketAddr;

use hwlog_server::auth::Token;

mod common;
use common::start_opts;

const INGEST: &str = "ingest-0123456789abcdef";
const READ: &str = "read-0123456789abcdef";
const ADMIN: &str = "admin-0123456789abcdef";
/// A secret with characters that URLs encode.
const ODD: &str = "odd+/=~secret0123456789";

fn call(addr: SocketAddr, method: &str, path: &str, token: Option<&str>, body: &str) -> u16 {
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .build()
        .into();
    let url = format!("http://{addr}{path}");
    let auth = token.map(|t| format!("Bearer {t}"));
    let resp = match method {
        "GET" => {
            let mut r = agent.get(&url);
            if let Some(a) = &auth {
                r = r.header("authorization", a);
            }
            r.call()
        }
        _ => {
            let mut r = agent.post(&url).header("content-type", "application/json");
            if let Some(a) = &auth {
                r = r.header("authorization", a);
            }
            r.send(body.as_bytes())
        }
    };
    resp.unwrap().status().as_u16()
}

#[test]
fn tokens_and_scopes() {
    let dir = tempfile::tempdir().unwrap();
    let tokens = Token::parse_list(&format!(
        "{INGEST}:ingest;{READ}:read;{ADMIN}:admin;{ODD}:read"
    ))
    .unwrap();
    let (addr, _, _) = start_opts(dir.path(), 1 << 20, false, tokens);
    let rec = r#"[{"level":"INFO","component":"a","message":"m"}]"#;
    assert_eq!(call(addr, "POST", "/api/v1/logs", None, rec), 401);
    assert_eq!(
        call(
            addr,
            "POST",
            "/api/v1/logs",
            Some("wrong-0123456789abcdef"),
            rec
        ),
        401
    );
    assert_eq!(call(addr, "POST", "/api/v1/logs", Some(READ), rec), 403);
    assert_eq!(call(addr, "POST", "/api/v1/logs", Some(INGEST), rec), 200);
    assert_eq!(call(addr, "POST", "/api/v1/logs", Some(ADMIN), rec), 200);
    assert_eq!(call(addr, "GET", "/api/v1/logs", Some(INGEST), ""), 403);
    assert_eq!(call(addr, "GET", "/api/v1/logs", Some(READ), ""), 200);
    assert_eq!(
        call(addr, "GET", &format!("/api/v1/logs?token={READ}"), None, ""),
        200
    );
    assert_eq!(
        call(
            addr,
            "GET",
            "/api/v1/logs?token=odd%2B%2F%3D~secret0123456789",
            None,
            ""
        ),
        200
    );
    assert_eq!(call(addr, "GET", "/api/v1/logs", Some(ODD), ""), 200);
    assert_eq!(call(addr, "GET", "/metrics", None, ""), 401);
    assert_eq!(call(addr, "GET", "/metrics", Some(READ), ""), 200);
    // The dashboard's files and the health check are public.
    assert_eq!(call(addr, "GET", "/", None, ""), 200);
    assert_eq!(call(addr, "GET", "/app.js", None, ""), 200);
    assert_eq!(call(addr, "GET", "/healthz", None, ""), 200);
    // Rules need admin; validating only read.
    let rule = r#"{"name":"r","condition":"{level} == \"ERROR\""}"#;
    assert_eq!(
        call(addr, "POST", "/api/v1/alerts/rules", Some(READ), rule),
        403
    );
    assert_eq!(
        call(addr, "POST", "/api/v1/alerts/rules", Some(ADMIN), rule),
        201
    );
    assert_eq!(
        call(
            addr,
            "POST",
            "/api/v1/alerts/rules/validate",
            Some(READ),
            r#"{"condition":"{level}"}"#
        ),
        200
    );
    // The live stream takes the token as a parameter.
    assert!(tungstenite::connect(format!("ws://{addr}/api/v1/stream")).is_err());
    assert!(tungstenite::connect(format!("ws://{addr}/api/v1/stream?token={READ}")).is_ok());
}

#[test]
fn starting_rules() {
    let opts =
        |listen: &str, tokens: Vec<Token>, no_auth: bool, demo: bool| hwlog_server::ServeOptions {
            listen: listen.parse().unwrap(),
            tokens,
            no_auth,
            demo,
            ..Default::default()
        };
    let t = Token::parse_list(&format!("{READ}:read")).unwrap();
    let ok = |o: &hwlog_server::ServeOptions| hwlog_server::check_auth(o).is_ok();
    assert!(ok(&opts("0.0.0.0:7700", t.clone(), false, false)));
    assert!(!ok(&opts("0.0.0.0:7700", vec![], true, false)));
    assert!(!ok(&opts("0.0.0.0:7700", vec![], false, true)));
    assert!(ok(&opts("127.0.0.1:7700", vec![], true, false)));
    assert!(ok(&opts("[::1]:7700", vec![], false, true)));
    assert!(!ok(&opts("127.0.0.1:7700", vec![], false, false)));
    assert!(!ok(&opts("127.0.0.1:7700", t, true, false)));
    assert!(Token::parse("0123456789abcdef:root").is_err());
}
