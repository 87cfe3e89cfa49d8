//! `hwlog send`, `hwlog query`, `hwlog tail`: clients of `hwlog serve`.
use std::io::{BufRead, IsTerminal, Write};
use std::time::Duration;

use anyhow::{bail, Context, Result};
use clap::Args;
use serde_json::{json, Value};

/// The server.
#[derive(Args)]
pub struct Server {
    /// The server's base URL.
    #[arg(long, default_value = "http://127.0.0.1:7700")]
    server: String,
    /// API token (default: the environment variable HWLOG_TOKEN).
    #[arg(long)]
    token: Option<String>,
    /// A PEM file of the CA(s) to trust for https:// and wss:// instead of the system's
    /// roots (a server with a private or self-signed certificate).
    #[arg(long, value_name = "FILE")]
    ca: Option<std::path::PathBuf>,
}

impl Server {
    fn token(&self) -> Option<String> {
        if self.token.is_some() {
            static WARNED: std::sync::Once = std::sync::Once::new();
            WARNED.call_once(|| {
                eprintln!(
                    "hwlog: warning: --token is readable by every local user in \
                     /proc/PID/cmdline; set HWLOG_TOKEN instead"
                )
            });
        }
        self.token
            .clone()
            .or_else(|| std::env::var("HWLOG_TOKEN").ok())
            .filter(|t| !t.is_empty())
    }

    fn auth(&self) -> Option<String> {
        self.token().map(|t| format!("Bearer {t}"))
    }

    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.server.trim_end_matches('/'))
    }

    /// An HTTP client for this server (https with the system's roots or `--ca`).
    fn agent(&self) -> Result<ureq::Agent> {
        hwlog::http::check_url(&self.server).map_err(anyhow::Error::msg)?;
        if self.token().is_some() && hwlog::http::token_in_clear(&self.server) {
            eprintln!(
                "hwlog: warning: the token goes in clear to {} (use https://)",
                self.server
            );
        }
        hwlog::http::agent(Duration::from_secs(30), self.ca.as_deref()).map_err(anyhow::Error::msg)
    }
}

/// `hwlog send`.
#[derive(Args)]
pub struct SendArgs {
    #[command(flatten)]
    server: Server,
    /// Each input line is a JSON record (`{level, component, message, …}`); otherwise each
    /// line is a message.
    #[arg(long)]
    json: bool,
    /// Component of plain lines.
    #[arg(long, default_value = "cli")]
    component: String,
    /// Level of plain lines.
    #[arg(long, default_value = "INFO")]
    level: String,
    /// Records per request.
    #[arg(long, default_value_t = 1000)]
    batch: usize,
}

/// Reads standard input and sends it in batches; prints the totals.
pub fn send(a: &SendArgs) -> Result<bool> {
    let stdin = std::io::stdin();
    let mut batch: Vec<String> = Vec::new();
    let (mut accepted, mut rejected) = (0u64, 0u64);
    let mut line_no = 0usize;
    let agent = a.server.agent()?;
    let mut flush = |batch: &mut Vec<String>, first_line: usize| -> Result<()> {
        if batch.is_empty() {
            return Ok(());
        }
        let body = batch.join("\n");
        let mut req = agent
            .post(a.server.url("/api/v1/logs"))
            .header("content-type", "application/x-ndjson");
        if let Some(h) = a.server.auth() {
            req = req.header("authorization", &h);
        }
        let mut resp = req
            .send(body.as_bytes())
            .with_context(|| format!("cannot reach {}", a.server.server))?;
        let status = resp.status().as_u16();
        let text = resp.body_mut().read_to_string().unwrap_or_default();
        let v: Value = serde_json::from_str(&text).unwrap_or(Value::Null);
        if status != 200 && v.get("accepted").is_none() {
            bail!("server answered {status}: {text}");
        }
        accepted += v["accepted"].as_u64().unwrap_or(0);
        for r in v["rejected"].as_array().into_iter().flatten() {
            rejected += 1;
            let i = r["index"].as_u64().unwrap_or(0) as usize;
            eprintln!(
                "line {}: {}",
                first_line + i,
                r["error"].as_str().unwrap_or("?")
            );
        }
        batch.clear();
        Ok(())
    };
    let mut first = 1;
    for line in stdin.lock().lines() {
        let line = line.context("cannot read standard input")?;
        line_no += 1;
        if line.trim().is_empty() {
            continue;
        }
        if batch.is_empty() {
            first = line_no;
        }
        batch.push(if a.json {
            line
        } else {
            json!({"level": a.level, "component": a.component, "message": line}).to_string()
        });
        if batch.len() >= a.batch.max(1) {
            flush(&mut batch, first)?;
        }
    }
    flush(&mut batch, first)?;
    println!("{accepted} accepted, {rejected} rejected");
    Ok(rejected == 0)
}

/// Filters shared by `query` and `tail`.
#[derive(Args)]
pub struct Filters {
    /// Only this level and above.
    #[arg(long)]
    min_level: Option<String>,
    /// Component pattern (`hwautomation.*.ipmi`; a plain name covers its children).
    #[arg(long)]
    component: Option<String>,
    /// One request.
    #[arg(long)]
    correlation_id: Option<String>,
    /// Text in the message.
    #[arg(long)]
    q: Option<String>,
}

impl Filters {
    fn params(&self) -> Vec<(&'static str, String)> {
        let mut p = Vec::new();
        for (k, v) in [
            ("min_level", &self.min_level),
            ("component", &self.component),
            ("correlation_id", &self.correlation_id),
            ("q", &self.q),
        ] {
            if let Some(v) = v {
                p.push((k, v.clone()));
            }
        }
        p
    }
}

fn encode(params: &[(&str, String)]) -> String {
    let enc = |s: &str| -> String {
        s.bytes()
            .map(|b| match b {
                b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                    (b as char).to_string()
                }
                _ => format!("%{b:02X}"),
            })
            .collect()
    };
    params
        .iter()
        .map(|(k, v)| format!("{k}={}", enc(v)))
        .collect::<Vec<_>>()
        .join("&")
}

/// `hwlog query`.
#[derive(Args)]
pub struct QueryArgs {
    #[command(flatten)]
    server: Server,
    #[command(flatten)]
    filters: Filters,
    /// Only this level.
    #[arg(long)]
    level: Option<String>,
    /// From (RFC 3339 or `-1h`).
    #[arg(long)]
    since: Option<String>,
    /// Until (RFC 3339 or `-1h`).
    #[arg(long)]
    until: Option<String>,
    /// Records.
    #[arg(long, default_value_t = 50)]
    limit: usize,
    /// Print the server's JSON.
    #[arg(long)]
    json: bool,
}

fn line(r: &Value, color: bool) -> String {
    let level = r["level"].as_str().unwrap_or("?");
    let paint = match (color, level) {
        (false, _) => "",
        (_, "CRITICAL") => "\x1b[1;41;37m",
        (_, "ERROR") => "\x1b[1;31m",
        (_, "WARNING") => "\x1b[33m",
        (_, "DEBUG" | "TRACE") => "\x1b[2m",
        _ => "\x1b[34m",
    };
    let reset = if color { "\x1b[0m" } else { "" };
    format!(
        "{} {paint}{:<8}{reset} {} [{}] {}",
        r["timestamp"].as_str().unwrap_or(""),
        level,
        r["component"].as_str().unwrap_or(""),
        r["correlation_id"].as_str().unwrap_or("-"),
        r["message"].as_str().unwrap_or("")
    )
}

/// Prints one page of records, oldest of the page first.
pub fn query(a: &QueryArgs) -> Result<()> {
    let mut p = a.filters.params();
    for (k, v) in [
        ("level", &a.level),
        ("since", &a.since),
        ("until", &a.until),
    ] {
        if let Some(v) = v {
            p.push((k, v.clone()));
        }
    }
    p.push(("limit", a.limit.to_string()));
    let url = a.server.url(&format!("/api/v1/logs?{}", encode(&p)));
    let mut req = a.server.agent()?.get(&url);
    if let Some(h) = a.server.auth() {
        req = req.header("authorization", &h);
    }
    let mut resp = req
        .call()
        .with_context(|| format!("cannot reach {}", a.server.server))?;
    let status = resp.status().as_u16();
    let text = resp.body_mut().read_to_string().unwrap_or_default();
    if status != 200 {
        bail!("server answered {status}: {text}");
    }
    if a.json {
        println!("{text}");
        return Ok(());
    }
    let v: Value = serde_json::from_str(&text).context("the server's answer is not JSON")?;
    let color = std::io::stdout().is_terminal();
    let recs = v["records"].as_array().cloned().unwrap_or_default();
    for r in recs.iter().rev() {
        println!("{}", line(r, color));
    }
    Ok(())
}

/// `hwlog tail`.
#[derive(Args)]
pub struct TailArgs {
    #[command(flatten)]
    server: Server,
    #[command(flatten)]
    filters: Filters,
    /// Start after this sequence number (what the server still holds).
    #[arg(long)]
    after: Option<u64>,
    /// Stop after this many records (default: run until interrupted).
    #[arg(long)]
    count: Option<usize>,
}

type Ws = tungstenite::WebSocket<tungstenite::stream::MaybeTlsStream<std::net::TcpStream>>;

/// Opens a WebSocket: `ws://`, or `wss://` with the same trust as the HTTP client.
fn connect_ws(url: &str, ca: Option<&std::path::Path>) -> Result<Ws> {
    let request = tungstenite::client::IntoClientRequest::into_client_request(url)?;
    let uri = request.uri();
    let host = uri.host().context("no host in the server URL")?.to_string();
    let tls = uri.scheme_str() == Some("wss");
    let port = uri.port_u16().unwrap_or(if tls { 443 } else { 80 });
    let stream = std::net::TcpStream::connect((host.trim_matches(['[', ']']), port))?;
    let connector = if tls {
        Some(tungstenite::Connector::Rustls(
            hwlog::http::rustls_config(ca).map_err(anyhow::Error::msg)?,
        ))
    } else {
        None
    };
    let (ws, _) = tungstenite::client_tls_with_config(request, stream, None, connector)
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    Ok(ws)
}

/// Prints the live stream.
pub fn tail(a: &TailArgs) -> Result<()> {
    let mut p = a.filters.params();
    if let Some(after) = a.after {
        p.push(("after", after.to_string()));
    }
    if let Some(t) = a.server.token() {
        p.push(("token", t));
    }
    let base = a.server.server.trim_end_matches('/');
    let ws_base = base
        .strip_prefix("http://")
        .map(|r| format!("ws://{r}"))
        .or_else(|| base.strip_prefix("https://").map(|r| format!("wss://{r}")))
        .unwrap_or_else(|| base.to_string());
    let url = format!("{ws_base}/api/v1/stream?{}", encode(&p));
    let mut ws = connect_ws(&url, a.server.ca.as_deref())
        .with_context(|| format!("cannot open {}", ws_base))?;
    let color = std::io::stdout().is_terminal();
    let mut out = std::io::stdout().lock();
    let mut n = 0usize;
    loop {
        let msg = ws.read().context("the stream ended")?;
        let tungstenite::Message::Text(t) = msg else {
            continue;
        };
        let v: Value =
            serde_json::from_str(&t).context("the server sent something else than JSON")?;
        if let Some(d) = v.get("dropped") {
            writeln!(out, "… {d} records dropped (this client was too slow)")?;
            continue;
        }
        writeln!(out, "{}", line(&v, color))?;
        out.flush()?;
        n += 1;
        if a.count.is_some_and(|c| n >= c) {
            return Ok(());
        }
    }
}
