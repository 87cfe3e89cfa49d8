//! Live stream of records over WebSocket (cargo feature `websocket`).
//!
//! Clients connect to `ws://ADDR/?min_level=WARNING&component=hwautomation.*&correlation_id=req-1&after=SEQ`;
//! the query sets the client's filters and, with `after`, resumes from the last sequence
//! number it saw (recent records are kept in a ring). Each message is one record as JSON with
//! a `"seq"` key first. Every client has a bounded queue: a slow client misses records and is
//! told so with `{"dropped": N}` instead of slowing logging down.
use std::collections::VecDeque;
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use crossbeam_channel::{bounded, Receiver, RecvTimeoutError, Sender, TrySendError};
use hwlog_core::{Format, Level, Record, Sink, SinkError};
use tungstenite::handshake::server::{Request, Response};
use tungstenite::Message;

use crate::format::{Json, TimeZone};
use hwlog_core::ComponentPattern;

/// Settings of the WebSocket stream.
#[derive(Clone, Debug)]
pub struct WebSocketOptions {
    /// Messages queued per client before it starts missing records.
    pub client_queue: usize,
    /// Recent records kept for `after=SEQ` resumption.
    pub ring: usize,
}

impl Default for WebSocketOptions {
    fn default() -> Self {
        WebSocketOptions {
            client_queue: 1024,
            ring: 10_000,
        }
    }
}

/// A client's filters, from the connection's query string.
#[derive(Clone, Debug, Default)]
struct ClientFilter {
    min_level: Option<Level>,
    component: Option<ComponentPattern>,
    correlation_id: Option<String>,
    after: Option<u64>,
}

impl ClientFilter {
    fn parse(query: &str) -> ClientFilter {
        let mut f = ClientFilter::default();
        for pair in query.split('&') {
            let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
            let v = percent_decode(v);
            match k {
                "min_level" | "level" => f.min_level = v.parse().ok(),
                "component" => f.component = Some(ComponentPattern::new(&v)),
                "correlation_id" => f.correlation_id = Some(v),
                "after" => f.after = v.parse().ok(),
                _ => {}
            }
        }
        f
    }

    fn matches(&self, e: &Entry) -> bool {
        self.min_level.is_none_or(|l| e.level >= l)
            && self
                .component
                .as_ref()
                .is_none_or(|g| g.matches(&e.component))
            && self
                .correlation_id
                .as_ref()
                .is_none_or(|c| e.correlation_id.as_deref() == Some(c.as_str()))
    }
}

fn percent_decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < b.len() => {
                match std::str::from_utf8(&b[i + 1..i + 3])
                    .ok()
                    .and_then(|h| u8::from_str_radix(h, 16).ok())
                {
                    Some(v) => {
                        out.push(v);
                        i += 2;
                    }
                    None => out.push(b'%'),
                }
            }
            c => out.push(c),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

struct Entry {
    seq: u64,
    level: Level,
    component: String,
    correlation_id: Option<String>,
    json: Arc<str>,
}

struct Client {
    filter: ClientFilter,
    tx: Sender<Arc<str>>,
    dropped: AtomicU64,
    alive: AtomicBool,
}

struct State {
    ring: VecDeque<Entry>,
    clients: Vec<Arc<Client>>,
}

struct Shared {
    seq: AtomicU64,
    state: Mutex<State>,
    opts: WebSocketOptions,
    stop: AtomicBool,
}

/// Streams records to WebSocket clients. See the module documentation.
pub struct WebSocketSink {
    shared: Arc<Shared>,
    addr: SocketAddr,
    format: Json,
    accept: Mutex<Option<std::thread::JoinHandle<()>>>,
}

impl WebSocketSink {
    /// Listens on `addr` (`127.0.0.1:0` picks a free port; see [`WebSocketSink::local_addr`]).
    pub fn bind(addr: &str, opts: WebSocketOptions) -> std::io::Result<WebSocketSink> {
        let listener = TcpListener::bind(addr)?;
        listener.set_nonblocking(true)?;
        let local = listener.local_addr()?;
        let shared = Arc::new(Shared {
            seq: AtomicU64::new(0),
            state: Mutex::new(State {
                ring: VecDeque::new(),
                clients: Vec::new(),
            }),
            opts,
            stop: AtomicBool::new(false),
        });
        let sh = shared.clone();
        let accept = std::thread::Builder::new()
            .name("hwlog-websocket".into())
            .spawn(move || accept_loop(listener, sh))?;
        Ok(WebSocketSink {
            shared,
            addr: local,
            format: Json::new(TimeZone::Utc),
            accept: Mutex::new(Some(accept)),
        })
    }

    /// The address clients connect to.
    pub fn local_addr(&self) -> SocketAddr {
        self.addr
    }

    /// Connected clients.
    pub fn clients(&self) -> usize {
        let st = self.shared.state.lock().unwrap_or_else(|p| p.into_inner());
        st.clients
            .iter()
            .filter(|c| c.alive.load(Ordering::Relaxed))
            .count()
    }

    /// The sequence number of the last record streamed.
    pub fn last_seq(&self) -> u64 {
        self.shared.seq.load(Ordering::Relaxed)
    }
}

fn accept_loop(listener: TcpListener, shared: Arc<Shared>) {
    crate::internal::mark_internal_thread();
    while !shared.stop.load(Ordering::Relaxed) {
        match listener.accept() {
            Ok((stream, _)) => {
                let sh = shared.clone();
                let _ = std::thread::Builder::new()
                    .name("hwlog-websocket-client".into())
                    .spawn(move || serve_client(stream, sh));
            }
            Err(_) => std::thread::sleep(Duration::from_millis(20)),
        }
    }
}

fn serve_client(stream: TcpStream, shared: Arc<Shared>) {
    crate::internal::mark_internal_thread();
    let _ = stream.set_nonblocking(false);
    let _ = stream.set_write_timeout(Some(Duration::from_secs(5)));
    let mut query = String::new();
    // The callback's error type is tungstenite's; its size is not ours to choose.
    #[allow(clippy::result_large_err)]
    let ws = tungstenite::accept_hdr(stream, |req: &Request, resp: Response| {
        query = req.uri().query().unwrap_or("").to_string();
        Ok(resp)
    });
    let Ok(mut ws) = ws else { return };
    let filter = ClientFilter::parse(&query);
    let (tx, rx): (Sender<Arc<str>>, Receiver<Arc<str>>) = bounded(shared.opts.client_queue.max(1));
    let client = Arc::new(Client {
        filter,
        tx,
        dropped: AtomicU64::new(0),
        alive: AtomicBool::new(true),
    });
    // Backlog and registration under one lock: no record is missed or sent twice.
    let backlog: Vec<Arc<str>> = {
        let mut st = shared.state.lock().unwrap_or_else(|p| p.into_inner());
        let backlog = match client.filter.after {
            Some(after) => st
                .ring
                .iter()
                .filter(|e| e.seq > after && client.filter.matches(e))
                .map(|e| e.json.clone())
                .collect(),
            None => Vec::new(),
        };
        st.clients.push(client.clone());
        backlog
    };
    let mut send = |text: &str| ws.send(Message::text(text.to_string())).is_ok();
    let mut ok = backlog.iter().all(|m| send(m));
    while ok && !shared.stop.load(Ordering::Relaxed) {
        let n = client.dropped.swap(0, Ordering::Relaxed);
        if n > 0 && !send(&format!("{{\"dropped\":{n}}}")) {
            break;
        }
        match rx.recv_timeout(Duration::from_millis(200)) {
            Ok(m) => ok = send(&m),
            Err(RecvTimeoutError::Timeout) => {}
            Err(RecvTimeoutError::Disconnected) => break,
        }
    }
    client.alive.store(false, Ordering::Relaxed);
    let _ = ws.close(None);
}

impl Sink for WebSocketSink {
    fn name(&self) -> String {
        format!("websocket:{}", self.addr)
    }

    fn write(&self, rec: &Record, _line: &[u8]) -> Result<(), SinkError> {
        let seq = self.shared.seq.fetch_add(1, Ordering::Relaxed) + 1;
        let mut line = Vec::with_capacity(256);
        self.format.format(rec, &mut line);
        // `{"timestamp":…}\n` → `{"seq":N,"timestamp":…}`
        let mut text = String::with_capacity(line.len() + 24);
        text.push_str("{\"seq\":");
        text.push_str(itoa::Buffer::new().format(seq));
        text.push(',');
        text.push_str(&String::from_utf8_lossy(
            line.get(1..).unwrap_or_default().trim_ascii_end(),
        ));
        let text: Arc<str> = text.into();
        let entry = Entry {
            seq,
            level: rec.level,
            component: rec.component.to_string(),
            correlation_id: rec.correlation_id.as_ref().map(|c| c.to_string()),
            json: text,
        };
        let mut st = self.shared.state.lock().unwrap_or_else(|p| p.into_inner());
        st.clients.retain(|c| c.alive.load(Ordering::Relaxed));
        for c in &st.clients {
            if c.filter.matches(&entry) {
                if let Err(TrySendError::Full(_)) = c.tx.try_send(entry.json.clone()) {
                    c.dropped.fetch_add(1, Ordering::Relaxed);
                }
            }
        }
        st.ring.push_back(entry);
        while st.ring.len() > self.shared.opts.ring {
            st.ring.pop_front();
        }
        Ok(())
    }

    fn flush(&self) -> Result<(), SinkError> {
        Ok(())
    }

    fn close(&self) -> Result<(), SinkError> {
        self.shared.stop.store(true, Ordering::Relaxed);
        if let Some(t) = self.accept.lock().unwrap_or_else(|p| p.into_inner()).take() {
            let _ = t.join();
        }
        Ok(())
    }
}

impl Drop for WebSocketSink {
    fn drop(&mut self) {
        let _ = self.close();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn component_filter_is_the_shared_pattern() {
        for &(pattern, name, want) in hwlog_core::pattern::CASES {
            let mut q = String::from("component=");
            for b in pattern.bytes() {
                q.push_str(&format!("%{b:02X}"));
            }
            let f = ClientFilter::parse(&q);
            let e = Entry {
                seq: 1,
                level: Level::Info,
                component: name.to_string(),
                correlation_id: None,
                json: "{}".into(),
            };
            assert_eq!(f.matches(&e), want, "{pattern:?} vs {name:?}");
        }
    }
}
