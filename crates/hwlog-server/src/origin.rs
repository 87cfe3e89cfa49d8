//! Pages of other sites cannot use the API: a request a browser marks as coming from another
//! origin (`Origin`, or `Sec-Fetch-Site: cross-site`) is refused with 403 unless the origin
//! is in the allow-list (`allowed_origins`) — for every method and for WebSocket upgrades.
//! Without tokens (`--no-auth`, `--demo`) the `Host` must also be a loopback name or
//! address, so a site that points its own name at 127.0.0.1 (DNS rebinding) is refused too.
use std::sync::Arc;

use axum::extract::{Request, State};
use axum::http::{header, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::Json;

/// Which origins may call.
#[derive(Debug)]
pub struct Policy {
    allowed: Vec<String>,
    loopback_only: bool,
}

impl Policy {
    /// `allowed` origins (`scheme://host[:port]`) besides the server's own; with
    /// `loopback_only`, the `Host` must be loopback.
    pub fn new(allowed: &[String], loopback_only: bool) -> Policy {
        Policy {
            allowed: allowed
                .iter()
                .map(|o| o.trim_end_matches('/').to_ascii_lowercase())
                .collect(),
            loopback_only,
        }
    }

    /// `Err(reason)` when the request must be refused.
    pub fn check(
        &self,
        origin: Option<&str>,
        host: Option<&str>,
        fetch_site: Option<&str>,
    ) -> Result<(), String> {
        let host = host.map(str::to_ascii_lowercase);
        if self.loopback_only {
            let h = host.as_deref().unwrap_or("");
            if !is_loopback_host(h) && !self.allowed.iter().any(|o| authority(o) == h) {
                return Err(format!(
                    "Host {h:?} refused: without API tokens the server answers only to \
                     loopback names (127.0.0.1, localhost, [::1])"
                ));
            }
        }
        match origin {
            Some(o) => {
                let o = o.trim_end_matches('/').to_ascii_lowercase();
                let own = host.as_deref().is_some_and(|h| authority(&o) == h);
                if own || self.allowed.contains(&o) {
                    Ok(())
                } else {
                    Err(format!(
                        "cross-origin request from {o:?} refused (list it in allowed_origins to \
                         allow it)"
                    ))
                }
            }
            None if fetch_site == Some("cross-site") => {
                Err("cross-site request refused".to_string())
            }
            None => Ok(()),
        }
    }
}

/// `host[:port]` of `scheme://host[:port]`.
fn authority(origin: &str) -> &str {
    origin.split_once("://").map_or(origin, |(_, a)| a)
}

fn is_loopback_host(h: &str) -> bool {
    let name = if let Some(rest) = h.strip_prefix('[') {
        // [::1]:port
        return rest.split_once(']').is_some_and(|(ip, _)| {
            ip.parse::<std::net::Ipv6Addr>()
                .is_ok_and(|a| a.is_loopback())
        });
    } else {
        h.rsplit_once(':').map_or(h, |(n, port)| {
            if port.bytes().all(|b| b.is_ascii_digit()) {
                n
            } else {
                h
            }
        })
    };
    name == "localhost"
        || name.ends_with(".localhost")
        || name
            .parse::<std::net::Ipv4Addr>()
            .is_ok_and(|a| a.is_loopback())
}

/// The middleware.
pub async fn check(State(p): State<Arc<Policy>>, req: Request, next: Next) -> Response {
    let h = req.headers();
    let get = |k: &header::HeaderName| h.get(k).and_then(|v| v.to_str().ok());
    let verdict = p.check(
        get(&header::ORIGIN),
        get(&header::HOST),
        h.get("sec-fetch-site").and_then(|v| v.to_str().ok()),
    );
    match verdict {
        Ok(()) => next.run(req).await,
        Err(e) => (
            StatusCode::FORBIDDEN,
            Json(serde_json::json!({ "error": e })),
        )
            .into_response(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn own_and_listed_origins_pass_others_do_not() {
        let p = Policy::new(&["https://grafana.example:3000/".into()], true);
        let host = Some("127.0.0.1:7700");
        assert!(p.check(None, host, None).is_ok(), "curl, SDKs: no Origin");
        assert!(p.check(Some("http://127.0.0.1:7700"), host, None).is_ok());
        assert!(p
            .check(Some("https://grafana.example:3000"), host, None)
            .is_ok());
        assert!(p.check(Some("http://evil.example"), host, None).is_err());
        assert!(p.check(Some("null"), host, None).is_err());
        assert!(p.check(None, host, Some("cross-site")).is_err());
        // DNS rebinding: own origin, but a foreign name.
        assert!(p
            .check(
                Some("http://evil.example:7700"),
                Some("evil.example:7700"),
                None
            )
            .is_err());
        for h in ["localhost:7700", "[::1]:7700", "127.0.0.2", "LOCALHOST"] {
            assert!(p.check(None, Some(h), None).is_ok(), "{h}");
        }
        let with_tokens = Policy::new(&[], false);
        assert!(with_tokens
            .check(Some("https://logs.example"), Some("logs.example"), None)
            .is_ok());
        assert!(with_tokens
            .check(Some("https://evil.example"), Some("logs.example"), None)
            .is_err());
    }
}
