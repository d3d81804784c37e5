//! TLS with rustls: Mozilla's roots (webpki-roots, what reqwest's `rustls-tls` trusted) plus the caller's own
//! CA certificates. Certificate checks are always on; there is deliberately no switch to turn them off.

use crate::host::BoxSocket;
use std::net::IpAddr;
use std::sync::Arc;
use tokio_rustls::rustls::pki_types::pem::PemObject;
use tokio_rustls::rustls::pki_types::{CertificateDer, ServerName};
use tokio_rustls::rustls::{self, ClientConfig, RootCertStore};
use tokio_rustls::TlsConnector;

/// One per transport: the configuration (roots, session cache) is shared by all its connections.
pub(super) fn connector(ca_pem: Option<&str>) -> Result<TlsConnector, String> {
    let mut roots = RootCertStore { roots: webpki_roots::TLS_SERVER_ROOTS.to_vec() };
    if let Some(pem) = ca_pem {
        let certs = CertificateDer::pem_slice_iter(pem.as_bytes())
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| format!("ca: cannot read the PEM certificates: {e}"))?;
        if certs.is_empty() {
            return Err("ca must be PEM text holding at least one certificate".into());
        }
        for cert in certs {
            roots.add(cert).map_err(|e| format!("ca: cannot read the PEM certificates: {e}"))?;
        }
    }
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut config = ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| format!("cannot set up TLS: {e}"))?
        .with_root_certificates(roots)
        .with_no_client_auth();
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(TlsConnector::from(Arc::new(config)))
}

/// TLS over `socket` to `host` (a name or an IP literal, as the URL writes it), its certificate checked.
pub(super) async fn handshake(tls: &TlsConnector, host: &str, socket: BoxSocket) -> Result<BoxSocket, String> {
    let literal = host.strip_prefix('[').and_then(|h| h.strip_suffix(']')).unwrap_or(host);
    let name = match literal.parse::<IpAddr>() {
        Ok(ip) => ServerName::IpAddress(ip.into()),
        Err(_) => ServerName::try_from(literal.to_owned()).map_err(|e| format!("tls: {host}: {e}"))?,
    };
    let stream = tls.connect(name, socket).await.map_err(|e| format!("tls: {e}"))?;
    Ok(Box::pin(stream))
}
