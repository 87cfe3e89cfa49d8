//! syslog over UDP (one message per datagram) and TCP (octet counting, RFC 6587, or one
//! message per line), RFC 5424 and RFC 3164, into the store.
use std::net::SocketAddr;
use std::sync::atomic::Ordering;
use std::sync::Arc;

use hwlog_core::Record;
use hwlog_decode::lines::{parse_line, LineFormat};
use tokio::io::AsyncReadExt;
use tokio::net::{TcpListener, UdpSocket};

use crate::limits::Window;
use crate::state::AppState;

/// Records per store job at most.
const BATCH: usize = 1000;
/// Index of the UDP path in [`crate::state::LOST_PATHS`].
const UDP: usize = 0;
/// Index of the TCP path.
const TCP: usize = 1;

/// The longest frame taken whole: a message at the limit and room for its header and
/// structured data.
fn max_frame(state: &AppState) -> usize {
    state.limits.max_message.saturating_add(8 << 10)
}

/// A received line as a record, checked against the limits and the time window; a refused
/// one is counted as lost on `path`.
fn parse(state: &AppState, text: &str, window: &Window, path: usize) -> Option<Record> {
    let r = parse_line(&LineFormat::Syslog, text, "syslog", window.now)
        .ok_or_else(|| hwlog_decode::DecodeError::from("not a syslog line"))
        .and_then(|mut r| {
            window.check(r.timestamp.as_nanos())?;
            state.limits.fit(&mut r).map(|cut| (r, cut))
        });
    match r {
        Ok((r, cut)) => {
            if cut {
                state.counters.truncated.fetch_add(1, Ordering::Relaxed);
            }
            Some(r)
        }
        Err(_) => {
            state.counters.rejected.fetch_add(1, Ordering::Relaxed);
            state.lose(path, 1);
            None
        }
    }
}

/// Receives datagrams on `sock` until the runtime stops.
pub(crate) async fn udp(state: Arc<AppState>, sock: UdpSocket) {
    let mut buf = vec![0u8; 65_536];
    loop {
        let Ok((n, _)) = sock.recv_from(&mut buf).await else {
            continue;
        };
        let window = state.window();
        let text = String::from_utf8_lossy(&buf[..n]);
        let recs: Vec<Record> = text
            .split('\n')
            .filter(|l| !l.trim().is_empty())
            .filter_map(|l| parse(&state, l, &window, UDP))
            .collect();
        state.store_detached(recs, UDP).await;
    }
}

/// Binds the UDP listener.
pub(crate) async fn bind_udp(addr: SocketAddr) -> std::io::Result<UdpSocket> {
    UdpSocket::bind(addr).await
}

/// Accepts TCP connections on `l` until the runtime stops: at most
/// [`Limits::max_connections`](crate::limits::Limits) at once (more wait in the backlog).
pub(crate) async fn tcp(state: Arc<AppState>, l: TcpListener) {
    let slots = Arc::new(tokio::sync::Semaphore::new(
        state.limits.max_connections.max(1),
    ));
    loop {
        let Ok(slot) = slots.clone().acquire_owned().await else {
            return;
        };
        let Ok((conn, _)) = l.accept().await else {
            continue;
        };
        let state = state.clone();
        tokio::spawn(async move {
            connection(state, conn).await;
            drop(slot);
        });
    }
}

/// The next frame of `buf`: `(frame, bytes used)`, or `None` when more bytes are needed.
/// A frame is octet-counted (`LEN SP MSG`, RFC 6587) when it starts with digits and a space,
/// otherwise it ends at a newline. At the end of the stream (`eof`) whatever is left is a
/// frame. A frame longer than `max` is cut at `max` (the rest is treated as further text),
/// so no more than `max` bytes are ever buffered for one.
pub fn next_frame(buf: &[u8], eof: bool, max: usize) -> Option<(&[u8], usize)> {
    if buf.is_empty() {
        return None;
    }
    let digits = buf.iter().take_while(|c| c.is_ascii_digit()).count();
    if digits > 0 && digits <= 10 {
        if digits == buf.len() {
            return eof.then_some((buf, buf.len()));
        }
        if buf[digits] == b' ' {
            let len: usize = std::str::from_utf8(&buf[..digits]).ok()?.parse().ok()?;
            let end = digits + 1 + len;
            if buf.len() >= end && len <= max {
                return Some((&buf[digits + 1..end], end));
            }
            if eof || buf.len() - digits > max {
                let take = (buf.len() - digits - 1).min(max).min(len);
                return Some((&buf[digits + 1..digits + 1 + take], digits + 1 + take));
            }
            return None;
        }
    }
    match buf.iter().position(|&c| c == b'\n') {
        Some(p) if p <= max => Some((&buf[..p], p + 1)),
        _ if eof || buf.len() >= max => {
            let take = buf.len().min(max);
            Some((&buf[..take], take))
        }
        _ => None,
    }
}

/// One TCP connection. Records are stored whenever the sender pauses (nothing more is
/// buffered) or a batch is full; a connection silent for
/// [`Limits::idle_timeout`](crate::limits::Limits) is closed.
async fn connection(state: Arc<AppState>, mut conn: tokio::net::TcpStream) {
    let max = max_frame(&state);
    let idle = state.limits.idle_timeout;
    let mut pending: Vec<u8> = Vec::new();
    let mut chunk = vec![0u8; 64 * 1024];
    let mut batch = Vec::new();
    let mut eof = false;
    loop {
        // Frames are taken from an offset; the consumed bytes are dropped once per read.
        let mut at = 0;
        let window = state.window();
        while let Some((frame, used)) = next_frame(&pending[at..], eof, max) {
            let text = String::from_utf8_lossy(frame).into_owned();
            at += used;
            if let Some(rec) = parse(&state, text.trim_end_matches(['\r', '\n']), &window, TCP) {
                batch.push(rec);
            }
            if batch.len() >= BATCH {
                state.store_detached(std::mem::take(&mut batch), TCP).await;
            }
        }
        pending.drain(..at);
        if eof {
            break;
        }
        if pending.is_empty() && !batch.is_empty() {
            state.store_detached(std::mem::take(&mut batch), TCP).await;
        }
        match tokio::time::timeout(idle, conn.read(&mut chunk)).await {
            Ok(Ok(0)) | Ok(Err(_)) | Err(_) => eof = true,
            Ok(Ok(n)) => pending.extend_from_slice(&chunk[..n]),
        }
    }
    state.store_detached(batch, TCP).await;
}

#[cfg(test)]
mod tests {
    use super::next_frame;

    /// Frames of `stream` when it arrives in two pieces split at `at`.
    const MAX: usize = 64 << 10;

    fn frames(stream: &[u8], at: usize) -> Vec<String> {
        let mut out = Vec::new();
        let mut pending = Vec::new();
        for (piece, eof) in [
            (&stream[..at], false),
            (&stream[at..], false),
            (&[][..], true),
        ] {
            pending.extend_from_slice(piece);
            while let Some((f, used)) = next_frame(&pending, eof, MAX) {
                out.push(String::from_utf8_lossy(f).into_owned());
                pending.drain(..used);
            }
        }
        out
    }

    #[test]
    fn an_oversized_octet_frame_is_cut_not_buffered() {
        let mut stream = b"9999999999 ".to_vec();
        stream.extend(std::iter::repeat_n(b'a', MAX + 10));
        let (frame, used) = next_frame(&stream, false, MAX).expect("a frame without the rest");
        assert_eq!(frame.len(), MAX);
        assert_eq!(used, 11 + MAX);
        let long_line = vec![b'x'; MAX + 5];
        let (frame, used) = next_frame(&long_line, false, MAX).expect("cut");
        assert_eq!((frame.len(), used), (MAX, MAX));
        assert_eq!(
            next_frame(b"12 short", false, MAX),
            None,
            "waits for the rest of a short frame"
        );
    }

    #[test]
    fn frames_do_not_depend_on_how_the_bytes_arrive() {
        let stream = b"5 hello11 two\nlines!!one line\nlast";
        let want = ["hello", "two\nlines!!", "one line", "last"];
        for at in 0..=stream.len() {
            assert_eq!(frames(stream, at), want, "split at {at}");
        }
    }
}
