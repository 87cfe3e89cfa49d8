//! API tokens with scopes: `ingest` (send records), `read` (query, stream, analysis,
//! metrics), `admin` (everything, including alert rules and acknowledgement).
//!
//! A request carries its token as `Authorization: Bearer TOKEN`, or as `?token=TOKEN` (for
//! browsers' WebSockets and the dashboard). Tokens are compared in constant time. The
//! dashboard's own files and `/healthz` need no token.
use std::sync::Arc;

use axum::extract::{Request, State};
use axum::http::{header, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::json;

/// What a token may do.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Scope {
    /// Send records.
    Ingest,
    /// Read records, stream, analysis, alerts, metrics.
    Read,
    /// Everything.
    Admin,
}

impl Scope {
    fn parse(s: &str) -> Option<Scope> {
        match s.trim() {
            "ingest" => Some(Scope::Ingest),
            "read" => Some(Scope::Read),
            "admin" => Some(Scope::Admin),
            _ => None,
        }
    }
}

/// One API token.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Token {
    /// The secret.
    pub secret: String,
    /// Its scopes.
    pub scopes: Vec<Scope>,
}

impl Token {
    /// Parses `SECRET:SCOPE[,SCOPE…]` (`--token`, one entry of `HWLOG_TOKENS`).
    ///
    /// ```
    /// use hwlog_server::auth::{Scope, Token};
    /// let t = Token::parse("s3cret-0123456789:ingest,read").unwrap();
    /// assert_eq!(t.scopes, [Scope::Ingest, Scope::Read]);
    /// assert!(Token::parse("short:read").is_err());
    /// ```
    pub fn parse(spec: &str) -> Result<Token, crate::ServeError> {
        Token::parse_text(spec)
            .map_err(|m| crate::ServeError::new(crate::ServeErrorKind::Config, m))
    }

    fn parse_text(spec: &str) -> Result<Token, String> {
        let (secret, scopes) = spec
            .rsplit_once(':')
            .ok_or_else(|| "a token is SECRET:SCOPES (scopes: ingest, read, admin)".to_string())?;
        if secret.len() < 16 {
            return Err("a token's secret needs at least 16 characters".into());
        }
        let scopes = scopes
            .split(',')
            .map(|s| {
                Scope::parse(s)
                    .ok_or_else(|| format!("unknown scope {s:?}: use ingest, read or admin"))
            })
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Token {
            secret: secret.to_string(),
            scopes,
        })
    }

    /// Parses `HWLOG_TOKENS`: entries separated by `;`.
    pub fn parse_list(list: &str) -> Result<Vec<Token>, crate::ServeError> {
        list.split(';')
            .filter(|s| !s.trim().is_empty())
            .map(|s| Token::parse(s.trim()))
            .collect()
    }

    fn allows(&self, need: Scope) -> bool {
        self.scopes.iter().any(|&s| s == need || s == Scope::Admin)
    }
}

/// Equal in time independent of where they differ (the length is not secret).
fn same(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// The scope a request needs, or `None` for public files.
fn needed(method: &Method, path: &str) -> Option<Scope> {
    if matches!(path, "/" | "/app.js" | "/style.css" | "/healthz") {
        return None;
    }
    if (path == "/api/v1/logs" || path == "/v1/logs") && method == Method::POST {
        return Some(Scope::Ingest);
    }
    if path == "/api/v1/alerts/rules/validate" {
        return Some(Scope::Read);
    }
    if path.starts_with("/api/v1/alerts") && (method == Method::POST || method == Method::DELETE) {
        return Some(Scope::Admin);
    }
    Some(Scope::Read)
}

/// The token a request carries.
fn presented(req: &Request) -> Option<String> {
    if let Some(v) = req
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
    {
        if let Some(t) = v.strip_prefix("Bearer ") {
            return Some(t.trim().to_string());
        }
    }
    let pairs: Vec<(String, String)> = serde_urlencoded::from_str(req.uri().query()?).ok()?;
    pairs
        .into_iter()
        .find(|(k, _)| k == "token")
        .map(|(_, v)| v)
}

/// The middleware: 401 without a known token, 403 without the scope.
pub async fn check(State(tokens): State<Arc<Vec<Token>>>, req: Request, next: Next) -> Response {
    let Some(need) = needed(req.method(), req.uri().path()) else {
        return next.run(req).await;
    };
    let Some(given) = presented(&req) else {
        return (
            StatusCode::UNAUTHORIZED,
            Json(json!({"error": "an API token is required (Authorization: Bearer …)"})),
        )
            .into_response();
    };
    // Compare with every token, so the time does not tell which one is near.
    let mut found: Option<&Token> = None;
    for t in tokens.iter() {
        if same(t.secret.as_bytes(), given.as_bytes()) {
            found = Some(t);
        }
    }
    match found {
        None => (
            StatusCode::UNAUTHORIZED,
            Json(json!({"error": "unknown API token"})),
        )
            .into_response(),
        Some(t) if !t.allows(need) => (
            StatusCode::FORBIDDEN,
            Json(json!({"error": format!("this token lacks the {need:?} scope").to_lowercase()})),
        )
            .into_response(),
        Some(_) => next.run(req).await,
    }
}
