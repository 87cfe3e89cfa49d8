//! syslog over UDP (one message per datagram) and TCP (octet counting, RFC 6587, or one
//! message per line), RFC 5424 and RFC 3164, into the store.
use std::net::SocketAddr;
use std::sync::atomic::Ordering;
use std::sync::Arc;

use hwlog::monitoring::parse::{parse_line, LineFormat};
use hwlog_core::{Record, Timestamp};
use tokio::io::AsyncReadExt;
use tokio::net::{TcpListener, UdpSocket};

use crate::state::AppState;

/// Records per store job at most.
const BATCH: usize = 1000;
/// The longest message accepted over TCP (longer frames are cut).
const MAX_FRAME: usize = 64 * 1024;

fn parse(state: &AppState, text: &str) -> Option<Record> {
    let now = Timestamp::now().as_nanos();
    let r = parse_line(&LineFormat::Syslog, text, "syslog", now);
    if r.is_none() {
        state.counters.rejected.fetch_add(1, Ordering::Relaxed);
    }
    r
}

/// Receives datagrams on `sock` until the runtime stops.
pub(crate) async fn udp(state: Arc<AppState>, sock: UdpSocket) {
    let mut buf = vec![0u8; 65_536];
    loop {
        let Ok((n, _)) = sock.recv_from(&mut buf).await else {
            continue;
        };
        let text = String::from_utf8_lossy(&buf[..n]);
        let recs: Vec<Record> = text
            .split('\n')
            .filter(|l| !l.trim().is_empty())
            .filter_map(|l| parse(&state, l))
            .collect();
        state.store_detached(recs).await;
    }
}

/// Binds the UDP listener.
pub(crate) async fn bind_udp(addr: SocketAddr) -> std::io::Result<UdpSocket> {
    UdpSocket::bind(addr).await
}

/// Accepts TCP connections on `l` until the runtime stops.
pub(crate) async fn tcp(state: Arc<AppState>, l: TcpListener) {
    loop {
        let Ok((conn, _)) = l.accept().await else {
            continue;
        };
        tokio::spawn(connection(state.clone(), conn));
    }
}

/// The next frame of `buf`: `(frame, bytes used)`, or `None` when more bytes are needed.
/// A frame is octet-counted (`LEN SP MSG`, RFC 6587) when it starts with digits and a space,
/// otherwise it ends at a newline. At the end of the stream (`eof`) whatever is left is a
/// frame.
pub fn next_frame(buf: &[u8], eof: bool) -> Option<(&[u8], usize)> {
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
            if buf.len() >= end {
                return Some((&buf[digits + 1..end], end));
            }
            // A frame longer than MAX_FRAME is not buffered whole: what arrived is the
            // frame (cut), and the rest of it is treated as further text.
            if eof || buf.len() - digits > MAX_FRAME {
                let take = (buf.len() - digits - 1).min(MAX_FRAME);
                return Some((&buf[digits + 1..digits + 1 + take], digits + 1 + take));
            }
            return None;
        }
    }
    match buf.iter().position(|&c| c == b'\n') {
        Some(p) => Some((&buf[..p], p + 1)),
        None if eof || buf.len() >= MAX_FRAME => Some((buf, buf.len())),
        None => None,
    }
}

/// One TCP connection. Records are stored whenever the sender pauses (nothing more is
/// buffered) or a batch is full.
async fn connection(state: Arc<AppState>, mut conn: tokio::net::TcpStream) {
    let mut pending: Vec<u8> = Vec::new();
    let mut chunk = vec![0u8; 64 * 1024];
    let mut batch = Vec::new();
    let mut eof = false;
    loop {
        // Frames are taken from an offset; the consumed bytes are dropped once per read.
        let mut at = 0;
        while let Some((frame, used)) = next_frame(&pending[at..], eof) {
            let text = String::from_utf8_lossy(&frame[..frame.len().min(MAX_FRAME)]).into_owned();
            at += used;
            if let Some(rec) = parse(&state, text.trim_end_matches(['\r', '\n'])) {
                batch.push(rec);
            }
            if batch.len() >= BATCH {
                state.store_detached(std::mem::take(&mut batch)).await;
            }
        }
        pending.drain(..at);
        if eof {
            break;
        }
        if pending.is_empty() && !batch.is_empty() {
            state.store_detached(std::mem::take(&mut batch)).await;
        }
        match conn.read(&mut chunk).await {
            Ok(0) | Err(_) => eof = true,
            Ok(n) => pending.extend_from_slice(&chunk[..n]),
        }
    }
    state.store_detached(batch).await;
}

#[cfg(test)]
mod tests {
    use super::next_frame;

    /// Frames of `stream` when it arrives in two pieces split at `at`.
    fn frames(stream: &[u8], at: usize) -> Vec<String> {
        let mut out = Vec::new();
        let mut pending = Vec::new();
        for (piece, eof) in [
            (&stream[..at], false),
            (&stream[at..], false),
            (&[][..], true),
        ] {
            pending.extend_from_slice(piece);
            while let Some((f, used)) = next_frame(&pending, eof) {
                out.push(String::from_utf8_lossy(f).into_owned());
                pending.drain(..used);
            }
        }
        out
    }

    #[test]
    fn an_oversized_octet_frame_is_cut_not_buffered() {
        let mut stream = b"9999999999 ".to_vec();
        stream.extend(std::iter::repeat_n(b'a', super::MAX_FRAME + 10));
        let (frame, used) = next_frame(&stream, false).expect("a frame without the rest");
        assert_eq!(frame.len(), super::MAX_FRAME);
        assert_eq!(used, 11 + super::MAX_FRAME);
        assert_eq!(
            next_frame(b"12 short", false),
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
