//! The one HTTP client of hwlog's network outputs (the `remote` and `otlp` sinks, the webhook
//! and Alertmanager notifiers, and the `hwlog send|query|tail` clients): `http://` and
//! `https://` (rustls), the operating system's trusted roots by default, or only the
//! certificates of a PEM file (`ca = "…"`, `--ca FILE`) for a private CA.
//!
//! ```
//! use std::time::Duration;
//! use hwlog::http::{agent, check_url};
//!
//! assert!(check_url("https://logs.example:7700").is_ok());
//! assert!(check_url("ftp://logs.example").is_err());
//! let _agent = agent(Duration::from_secs(5), None).unwrap();
//! let e = agent(Duration::from_secs(5), Some("/no/such/ca.pem".as_ref())).unwrap_err();
//! assert_eq!(e.kind(), hwlog::http::HttpErrorKind::CaFile);
//! assert!(e.to_string().contains("/no/such/ca.pem"));
//! ```
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use ureq::tls::{Certificate, RootCerts, TlsConfig, TlsProvider};

/// An HTTP client that could not be set up.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HttpError {
    kind: HttpErrorKind,
    message: String,
}

/// What kind of [`HttpError`] it is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum HttpErrorKind {
    /// Not an `http://` or `https://` URL.
    InvalidUrl,
    /// The CA file cannot be read or holds no usable certificate.
    CaFile,
    /// The TLS configuration could not be built (the system's certificates, protocol
    /// versions).
    Tls,
}

impl HttpError {
    fn new(kind: HttpErrorKind, message: String) -> HttpError {
        HttpError { kind, message }
    }

    /// What kind of error this is.
    pub fn kind(&self) -> HttpErrorKind {
        self.kind
    }
}

impl std::fmt::Display for HttpError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for HttpError {}

/// An agent with `timeout` per request that answers every status (no error for 4xx/5xx),
/// trusting the system's roots, or only the certificates in `ca` (PEM).
pub fn agent(timeout: Duration, ca: Option<&Path>) -> Result<ureq::Agent, HttpError> {
    let roots = match ca {
        None => RootCerts::PlatformVerifier,
        Some(path) => RootCerts::Specific(Arc::new(read_ca(path)?)),
    };
    let tls = TlsConfig::builder()
        .provider(TlsProvider::Rustls)
        .root_certs(roots)
        .build();
    Ok(ureq::Agent::config_builder()
        .timeout_global(Some(timeout))
        .http_status_as_error(false)
        .tls_config(tls)
        .build()
        .into())
}

/// The certificates of a PEM file.
fn read_ca(path: &Path) -> Result<Vec<Certificate<'static>>, HttpError> {
    let ca_err = |m: String| HttpError::new(HttpErrorKind::CaFile, m);
    let pem =
        std::fs::read(path).map_err(|e| ca_err(format!("CA file {}: {e}", path.display())))?;
    let certs: Vec<Certificate<'static>> = ureq::tls::parse_pem(&pem)
        .filter_map(|item| match item {
            Ok(ureq::tls::PemItem::Certificate(c)) => Some(Ok(c)),
            Ok(_) => None,
            Err(e) => Some(Err(e)),
        })
        .collect::<Result<_, _>>()
        .map_err(|e| ca_err(format!("CA file {}: {e}", path.display())))?;
    if certs.is_empty() {
        return Err(ca_err(format!(
            "CA file {}: no certificate in it",
            path.display()
        )));
    }
    Ok(certs)
}

/// A rustls client configuration with the same trust as [`agent`] (for WebSocket clients:
/// `wss://`).
pub fn rustls_config(ca: Option<&Path>) -> Result<Arc<rustls::ClientConfig>, HttpError> {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let builder = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| HttpError::new(HttpErrorKind::Tls, e.to_string()))?;
    let config = match ca {
        None => {
            use rustls_platform_verifier::BuilderVerifierExt;
            builder
                .with_platform_verifier()
                .map_err(|e| {
                    HttpError::new(HttpErrorKind::Tls, format!("system certificates: {e}"))
                })?
                .with_no_client_auth()
        }
        Some(path) => {
            let mut roots = rustls::RootCertStore::empty();
            for c in read_ca(path)? {
                roots
                    .add(rustls::pki_types::CertificateDer::from(c.der().to_vec()))
                    .map_err(|e| {
                        HttpError::new(
                            HttpErrorKind::CaFile,
                            format!("CA file {}: {e}", path.display()),
                        )
                    })?;
            }
            builder.with_root_certificates(roots).with_no_client_auth()
        }
    };
    Ok(Arc::new(config))
}

/// `Ok` for an `http://` or `https://` URL, else the reason.
pub fn check_url(url: &str) -> Result<(), HttpError> {
    let lower = url.to_ascii_lowercase();
    if lower.starts_with("http://") || lower.starts_with("https://") {
        Ok(())
    } else {
        Err(HttpError::new(
            HttpErrorKind::InvalidUrl,
            format!("{url:?}: expected an http:// or https:// URL"),
        ))
    }
}

/// Whether a token sent to `url` would cross the network in clear: plain `http://` to a
/// host that is not loopback.
pub fn token_in_clear(url: &str) -> bool {
    let Some(rest) = url.strip_prefix("http://") else {
        return false;
    };
    let host = rest.split(['/', '?']).next().unwrap_or("");
    let host = match host.rsplit_once(':') {
        Some((h, p)) if p.bytes().all(|b| b.is_ascii_digit()) => h,
        _ => host,
    };
    let host = host.trim_start_matches('[').trim_end_matches(']');
    !(host == "localhost"
        || host
            .parse::<std::net::IpAddr>()
            .is_ok_and(|a| a.is_loopback()))
}

#[cfg(test)]
mod tests {
    use super::token_in_clear;

    #[test]
    fn tokens_in_clear_are_told_apart() {
        assert!(token_in_clear("http://logs.example:7700"));
        assert!(token_in_clear("http://10.0.0.5/api"));
        assert!(!token_in_clear("https://logs.example"));
        assert!(!token_in_clear("http://127.0.0.1:7700"));
        assert!(!token_in_clear("http://[::1]:7700/x"));
        assert!(!token_in_clear("http://localhost"));
    }
}
