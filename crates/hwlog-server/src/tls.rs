//! HTTPS (and WSS) with rustls when a certificate and key are given.
use std::net::SocketAddr;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use rustls_pki_types::pem::PemObject;
use rustls_pki_types::{CertificateDer, PrivateKeyDer};
use tokio::net::{TcpListener, TcpStream};
use tokio_rustls::server::TlsStream;
use tokio_rustls::TlsAcceptor;

use crate::{ServeError, ServeErrorKind};

/// How long a client may take for the TLS handshake.
const HANDSHAKE: Duration = Duration::from_secs(10);
/// TLS handshakes in progress at most.
pub const HANDSHAKES: usize = 256;

/// A TLS configuration from PEM files: the certificate chain and the private key.
pub fn acceptor(cert: &Path, key: &Path) -> Result<TlsAcceptor, ServeError> {
    let certs: Vec<CertificateDer<'static>> = CertificateDer::pem_file_iter(cert)
        .map_err(|e| {
            ServeError::new(
                ServeErrorKind::Tls,
                format!("cannot read certificates from {}: {e}", cert.display()),
            )
        })?
        .collect::<Result<_, _>>()
        .map_err(|e| {
            ServeError::new(
                ServeErrorKind::Tls,
                format!("invalid certificate in {}: {e}", cert.display()),
            )
        })?;
    if certs.is_empty() {
        return Err(ServeError::new(
            ServeErrorKind::Tls,
            format!("no certificate in {}", cert.display()),
        ));
    }
    let key = PrivateKeyDer::from_pem_file(key).map_err(|e| {
        ServeError::new(
            ServeErrorKind::Tls,
            format!("cannot read the private key from {}: {e}", key.display()),
        )
    })?;
    let provider = Arc::new(tokio_rustls::rustls::crypto::ring::default_provider());
    let config = tokio_rustls::rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| ServeError::new(ServeErrorKind::Tls, e.to_string()))?
        .with_no_client_auth()
        .with_single_cert(certs, key)
        .map_err(|e| {
            ServeError::new(
                ServeErrorKind::Tls,
                format!("certificate and key do not fit: {e}"),
            )
        })?;
    Ok(TlsAcceptor::from(Arc::new(config)))
}

/// A TCP listener whose connections are TLS. Handshakes run in their own tasks, so a slow
/// client never holds up the others; at most [`HANDSHAKES`] run at once (further
/// connections wait in the kernel's backlog), each has 10 s; failed ones are dropped.
pub struct TlsListener {
    rx: tokio::sync::mpsc::Receiver<(TlsStream<TcpStream>, SocketAddr)>,
    local: SocketAddr,
}

impl TlsListener {
    /// Starts accepting on `tcp`.
    pub fn new(tcp: TcpListener, acceptor: TlsAcceptor) -> std::io::Result<TlsListener> {
        let local = tcp.local_addr()?;
        let (tx, rx) = tokio::sync::mpsc::channel(128);
        let slots = Arc::new(tokio::sync::Semaphore::new(HANDSHAKES));
        tokio::spawn(async move {
            loop {
                let Ok(slot) = slots.clone().acquire_owned().await else {
                    return;
                };
                let Ok((stream, addr)) = tcp.accept().await else {
                    tokio::time::sleep(Duration::from_millis(10)).await;
                    continue;
                };
                let acceptor = acceptor.clone();
                let tx = tx.clone();
                tokio::spawn(async move {
                    let done = tokio::time::timeout(HANDSHAKE, acceptor.accept(stream)).await;
                    drop(slot);
                    if let Ok(Ok(tls)) = done {
                        let _ = tx.send((tls, addr)).await;
                    }
                });
            }
        });
        Ok(TlsListener { rx, local })
    }
}

impl axum::serve::Listener for TlsListener {
    type Io = TlsStream<TcpStream>;
    type Addr = SocketAddr;

    async fn accept(&mut self) -> (Self::Io, Self::Addr) {
        match self.rx.recv().await {
            Some(c) => c,
            None => std::future::pending().await,
        }
    }

    fn local_addr(&self) -> std::io::Result<Self::Addr> {
        Ok(self.local)
    }
}
