//! The `remote` and `otlp` sinks: ship records to `hwlog serve` (`POST /api/v1/logs`,
//! NDJSON) or to any OpenTelemetry collector (`POST /v1/logs`, OTLP/HTTP JSON, see
//! [`super::otlp`]) in batches, retrying with backoff, and keep what cannot be sent in a
//! spool file that is sent first once the server answers again. Use it on a non-blocking
//! route; for `hwlog serve` with the `json` formatter (its lines are the server's input
//! format); the OTLP encoding is made from the records themselves.
//!
//! Records are lost only when the spool is full (or there is none): those are counted as
//! errors of the route.
use std::fs::OpenOptions;
use std::io::{Read, Write};
use std::path::PathBuf;
use std::sync::Mutex;
use std::time::Duration;

use hwlog_core::{Batch, Record, Sink, SinkError, SinkErrorKind};

/// What a [`RemoteSink`] speaks.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Protocol {
    /// `hwlog serve`'s NDJSON ingest (`/api/v1/logs`), the formatted lines as they are.
    Hwlog,
    /// OTLP/HTTP JSON (`/v1/logs`) to any OpenTelemetry collector (hwlog serve included);
    /// `service` is the resource's `service.name`.
    Otlp {
        /// `service.name`.
        service: String,
    },
}

/// Settings of a [`RemoteSink`].
#[derive(Clone, Debug, PartialEq)]
pub struct RemoteOptions {
    /// The server's base URL (`http://host:7700`, or a collector's `http://host:4318`).
    pub url: String,
    /// What to speak.
    pub protocol: Protocol,
    /// API token with the `ingest` scope.
    pub token: Option<String>,
    /// Where unsent records wait (NDJSON); `None` keeps nothing.
    pub spool: Option<PathBuf>,
    /// Largest spool, in bytes.
    pub max_spool_bytes: u64,
    /// Attempts per batch before spooling.
    pub attempts: u32,
    /// Wait before the second attempt (doubling after).
    pub backoff: Duration,
    /// Timeout of one request.
    pub timeout: Duration,
    /// A PEM file of the CA(s) trusted for `https://` (default: the system's roots).
    pub ca: Option<PathBuf>,
}

impl RemoteOptions {
    /// Defaults for `url`: 3 attempts 100 ms apart (doubling), 10 s timeout, no spool,
    /// 100 MB spool limit when one is set.
    pub fn new(url: &str) -> Self {
        Self {
            url: url.trim_end_matches('/').to_string(),
            protocol: Protocol::Hwlog,
            token: None,
            spool: None,
            max_spool_bytes: 100 << 20,
            attempts: 3,
            backoff: Duration::from_millis(100),
            timeout: Duration::from_secs(10),
            ca: None,
        }
    }
}

/// See the [module documentation](self).
pub struct RemoteSink {
    opts: RemoteOptions,
    agent: ureq::Agent,
    /// Serialises sends and spool access.
    lock: Mutex<()>,
}

impl RemoteSink {
    /// A sink for `opts`; fails on a URL that is not `http://` or `https://`, or a CA file
    /// that cannot be read. A token sent over plain `http://` to another host is warned
    /// about once on stderr.
    pub fn new(opts: RemoteOptions) -> Result<RemoteSink, crate::http::HttpError> {
        crate::http::check_url(&opts.url)?;
        if opts.token.is_some() && crate::http::token_in_clear(&opts.url) {
            eprintln!(
                "hwlog: warning: the remote sink sends its token in clear to {} (use https://)",
                opts.url
            );
        }
        let agent = crate::http::agent(opts.timeout, opts.ca.as_deref())?;
        Ok(RemoteSink {
            opts,
            agent,
            lock: Mutex::new(()),
        })
    }

    /// One POST; `Err` with the reason when it was not accepted whole.
    fn post(&self, body: &[u8]) -> Result<(), String> {
        let (path, content_type) = match self.opts.protocol {
            Protocol::Hwlog => ("/api/v1/logs", "application/x-ndjson"),
            Protocol::Otlp { .. } => ("/v1/logs", "application/json"),
        };
        let mut req = self
            .agent
            .post(format!("{}{path}", self.opts.url))
            .header("content-type", content_type);
        if let Some(t) = &self.opts.token {
            req = req.header("authorization", &format!("Bearer {t}"));
        }
        match req.send(body) {
            Ok(mut resp) => {
                let status = resp.status().as_u16();
                let text = resp.body_mut().read_to_string().unwrap_or_default();
                match status {
                    200 => Ok(()),
                    // Invalid records will not become valid: accept the loss of those.
                    400 if text.contains("\"accepted\"") => Ok(()),
                    _ => Err(format!(
                        "HTTP {status}: {}",
                        text.chars().take(200).collect::<String>()
                    )),
                }
            }
            Err(e) => Err(e.to_string()),
        }
    }

    fn post_with_retry(&self, body: &[u8]) -> Result<(), String> {
        let mut wait = self.opts.backoff;
        let mut last = String::new();
        for attempt in 1..=self.opts.attempts.max(1) {
            match self.post(body) {
                Ok(()) => return Ok(()),
                Err(e) => last = e,
            }
            if attempt < self.opts.attempts {
                std::thread::sleep(wait);
                wait = wait.saturating_mul(2);
            }
        }
        Err(last)
    }

    /// Sends the spool, if any; empties it on success.
    fn drain_spool(&self) -> Result<(), String> {
        let Some(path) = &self.opts.spool else {
            return Ok(());
        };
        let mut data = Vec::new();
        match std::fs::File::open(path) {
            Ok(mut f) => {
                f.read_to_end(&mut data).map_err(|e| e.to_string())?;
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
            Err(e) => return Err(e.to_string()),
        }
        if data.is_empty() {
            return Ok(());
        }
        // In chunks of whole lines of at most 1 MB (a longer line goes alone). What was
        // accepted leaves the spool even when a later chunk fails, so nothing is sent twice.
        let mut start = 0;
        // An OTLP request is one line of the spool and goes alone.
        let chunk = match self.opts.protocol {
            Protocol::Hwlog => 1 << 20,
            Protocol::Otlp { .. } => 1,
        };
        while start < data.len() {
            let limit = (start + chunk).min(data.len());
            let end = if limit == data.len() {
                limit
            } else {
                match data[start..limit].iter().rposition(|&c| c == b'\n') {
                    Some(p) => start + p + 1,
                    None => data[limit..]
                        .iter()
                        .position(|&c| c == b'\n')
                        .map_or(data.len(), |p| limit + p + 1),
                }
            };
            if let Err(e) = self.post(&data[start..end]) {
                if start > 0 {
                    std::fs::write(path, &data[start..]).map_err(|e| e.to_string())?;
                }
                return Err(e);
            }
            start = end;
        }
        std::fs::write(path, b"").map_err(|e| e.to_string())
    }

    /// Keeps `body` in the spool; `Err` when there is no room.
    fn spool(&self, body: &[u8]) -> Result<(), String> {
        let Some(path) = &self.opts.spool else {
            return Err("no spool configured".into());
        };
        let size = std::fs::metadata(path).map(|m| m.len()).unwrap_or(0);
        if size + body.len() as u64 > self.opts.max_spool_bytes {
            return Err(format!("spool {} is full", path.display()));
        }
        if let Some(dir) = path.parent() {
            let _ = std::fs::create_dir_all(dir);
        }
        let mut f = OpenOptions::new()
            .create(true)
            .append(true)
            .open(path)
            .map_err(|e| e.to_string())?;
        f.write_all(body).map_err(|e| e.to_string())?;
        if !body.ends_with(b"\n") {
            f.write_all(b"\n").map_err(|e| e.to_string())?;
        }
        Ok(())
    }

    fn send(&self, body: &[u8], records: u64) -> Result<(), SinkError> {
        let _g = self.lock.lock().unwrap_or_else(|e| e.into_inner());
        let sent = self.drain_spool().and_then(|()| self.post_with_retry(body));
        match sent {
            Ok(()) => Ok(()),
            Err(reason) => match self.spool(body) {
                Ok(()) => Ok(()),
                Err(e) => Err(SinkError::new(
                    SinkErrorKind::Other,
                    format!("{records} records lost: {reason}; {e}"),
                )),
            },
        }
    }
}

impl Sink for RemoteSink {
    fn name(&self) -> String {
        match self.opts.protocol {
            Protocol::Hwlog => format!("remote {}", self.opts.url),
            Protocol::Otlp { .. } => format!("otlp {}", self.opts.url),
        }
    }

    fn write(&self, record: &Record, line: &[u8]) -> Result<(), SinkError> {
        match &self.opts.protocol {
            Protocol::Hwlog => self.send(line, 1),
            Protocol::Otlp { service } => self.send(
                &super::otlp::encode(std::slice::from_ref(record), service),
                1,
            ),
        }
    }

    fn write_batch(&self, batch: &Batch) -> Result<(), SinkError> {
        if batch.is_empty() {
            return Ok(());
        }
        match &self.opts.protocol {
            Protocol::Hwlog => self.send(batch.bytes(), batch.len() as u64),
            Protocol::Otlp { service } => self.send(
                &super::otlp::encode(batch.records(), service),
                batch.len() as u64,
            ),
        }
    }

    fn flush(&self) -> Result<(), SinkError> {
        let _g = self.lock.lock().unwrap_or_else(|e| e.into_inner());
        // A reachable server gets what is waiting; an unreachable one is no error here.
        let _ = self.drain_spool();
        Ok(())
    }
}
