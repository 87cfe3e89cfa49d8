//! `GET /api/v1/stream`: the live tail over WebSocket.
//!
//! Filters come as query parameters: `min_level`, `component` (a
//! [`hwlog_core::ComponentPattern`], as in history queries), `correlation_id`, `q` (text the message contains); `after=SEQ` first sends what the
//! server still holds after that sequence number. Each message is one record as JSON with
//! its `seq`. A client that cannot keep up gets `{"dropped": N}` in place of the N records it
//! missed: the server keeps a bounded backlog per client and never waits for one.
use std::collections::HashMap;
use std::sync::atomic::Ordering;
use std::sync::Arc;

use axum::extract::ws::{Message, WebSocket, WebSocketUpgrade};
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use futures_util::SinkExt;
use hwlog_core::{ComponentPattern, Level};
use tokio::sync::broadcast::error::{RecvError, TryRecvError};

use crate::state::{AppState, LiveRecord};

/// A client's filters.
#[derive(Clone, Debug, Default)]
pub struct Filter {
    min_level: Option<Level>,
    component: Option<ComponentPattern>,
    correlation_id: Option<String>,
    text: Option<String>,
}

impl Filter {
    fn from_params(p: &HashMap<String, String>) -> Result<Filter, String> {
        let nonempty = |k: &str| p.get(k).filter(|v| !v.is_empty()).cloned();
        Ok(Filter {
            min_level: nonempty("min_level")
                .map(|l| {
                    l.parse::<Level>()
                        .map_err(|_| format!("unknown min_level {l:?}"))
                })
                .transpose()?,
            component: nonempty("component").map(|c| ComponentPattern::new(&c)),
            correlation_id: nonempty("correlation_id"),
            text: nonempty("q"),
        })
    }

    fn matches(&self, r: &LiveRecord) -> bool {
        self.accepts(
            r.level,
            &r.component,
            r.correlation_id.as_deref(),
            &r.message,
        )
    }

    fn accepts(&self, level: Level, component: &str, cid: Option<&str>, message: &str) -> bool {
        self.min_level.is_none_or(|l| level >= l)
            && self.component.as_ref().is_none_or(|c| c.matches(component))
            && self
                .correlation_id
                .as_deref()
                .is_none_or(|id| cid == Some(id))
            && self.text.as_deref().is_none_or(|t| message.contains(t))
    }
}

/// Upgrades to a WebSocket after checking the filters (400 on a bad one).
pub async fn handler(
    State(s): State<Arc<AppState>>,
    Query(p): Query<HashMap<String, String>>,
    ws: WebSocketUpgrade,
) -> Response {
    let filter = match Filter::from_params(&p) {
        Ok(f) => f,
        Err(e) => return (StatusCode::BAD_REQUEST, e).into_response(),
    };
    let after = match p.get("after").filter(|v| !v.is_empty()) {
        None => None,
        Some(a) => match a.parse::<u64>() {
            Ok(n) => Some(n),
            Err(_) => {
                return (StatusCode::BAD_REQUEST, "after must be a sequence number").into_response()
            }
        },
    };
    ws.on_upgrade(move |socket| client(s, socket, filter, after))
}

async fn send(socket: &mut WebSocket, text: String) -> bool {
    socket.send(Message::Text(text.into())).await.is_ok()
}

async fn send_bytes(socket: &mut WebSocket, text: axum::extract::ws::Utf8Bytes) -> bool {
    socket.send(Message::Text(text)).await.is_ok()
}

async fn client(s: Arc<AppState>, mut socket: WebSocket, f: Filter, after: Option<u64>) {
    s.counters.stream_clients.fetch_add(1, Ordering::Relaxed);
    // Subscribe before reading the backlog, so nothing falls between the two.
    let mut rx = s.live.subscribe();
    let mut last = 0u64;
    if let Some(after) = after {
        let (recs, missed) = s.since(after);
        if missed > 0 && !send(&mut socket, format!("{{\"dropped\":{missed}}}")).await {
            return gone(&s);
        }
        for r in recs {
            last = r.seq;
            if f.matches(&r) && !send_bytes(&mut socket, r.json()).await {
                return gone(&s);
            }
        }
    }
    loop {
        tokio::select! {
            msg = rx.recv() => {
                // Take everything already waiting, write it with one flush.
                let mut next = Some(msg);
                let mut queued = 0;
                while let Some(m) = next.take() {
                    match m {
                        Ok(r) => {
                            if r.seq > last {
                                last = r.seq;
                                if f.matches(&r) {
                                    if socket.feed(Message::Text(r.json())).await.is_err() {
                                        return gone(&s);
                                    }
                                    queued += 1;
                                }
                            }
                        }
                        Err(RecvError::Lagged(n)) => {
                            s.counters.stream_dropped.fetch_add(n, Ordering::Relaxed);
                            if socket.feed(Message::Text(format!("{{\"dropped\":{n}}}").into())).await.is_err() {
                                return gone(&s);
                            }
                            queued += 1;
                        }
                        Err(RecvError::Closed) => return gone(&s),
                    }
                    if queued < 256 {
                        next = match rx.try_recv() {
                            Ok(r) => Some(Ok(r)),
                            Err(TryRecvError::Lagged(n)) => Some(Err(RecvError::Lagged(n))),
                            Err(TryRecvError::Closed) => Some(Err(RecvError::Closed)),
                            Err(TryRecvError::Empty) => None,
                        };
                    }
                }
                if queued > 0 && socket.flush().await.is_err() {
                    break;
                }
            },
            incoming = socket.recv() => match incoming {
                None | Some(Err(_)) | Some(Ok(Message::Close(_))) => break,
                Some(Ok(_)) => {}
            },
        }
    }
    gone(&s);
}

fn gone(s: &AppState) {
    s.counters.stream_clients.fetch_sub(1, Ordering::Relaxed);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn component_filter_is_the_shared_pattern() {
        for &(pattern, name, want) in hwlog_core::pattern::CASES {
            let p = HashMap::from([("component".to_string(), pattern.to_string())]);
            let f = Filter::from_params(&p).unwrap();
            assert_eq!(
                f.accepts(Level::Info, name, None, "m"),
                want,
                "{pattern} vs {name}"
            );
        }
    }
}
