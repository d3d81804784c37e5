//! A new connection: DNS (none for an IP literal), TCP through the current host, a CONNECT tunnel when an
//! HTTPS target is reached through a proxy, TLS, then hyper's HTTP/1.1 handshake, its connection task run by
//! the host. Everything here happens before the request is written: every failure is a `Connect` one.

use super::proxy::{self, Proxies};
use super::request::{OutBody, Route};
use super::{classify, tls, TransportError};
use crate::host::{BoxSocket, Host};
use hyper::client::conn::http1;
use hyper::header::HeaderValue;
use hyper_util::rt::TokioIo;
use std::net::{IpAddr, SocketAddr};
use std::time::Duration;
use tokio_rustls::TlsConnector;
use url::Url;

/// An HTTP/1.1 connection ready for requests.
pub(super) struct Conn {
    pub sender: http1::SendRequest<OutBody>,
    pub route: Route,
    /// The `Host` header of every request on it (one origin per connection): made once, not per request.
    pub host_header: HeaderValue,
}

pub(super) struct Connector {
    pub tls: TlsConnector,
    pub proxies: Proxies,
    pub connect_timeout: Duration,
}

impl Connector {
    /// A connection to `url`'s origin within the connect timeout (DNS, TCP, proxy, TLS). The attempt's own
    /// deadline bounds it too, from outside: running out of that is a `Timeout`, as it was before.
    pub async fn connect(&self, host: &dyn Host, url: &Url) -> Result<Conn, TransportError> {
        match tokio::time::timeout(self.connect_timeout, self.open(host, url)).await {
            Ok(conn) => conn.map_err(TransportError::Connect),
            Err(_) => Err(TransportError::Connect(format!("connect timed out after {} ms", self.connect_timeout.as_millis()))),
        }
    }

    async fn open(&self, host: &dyn Host, url: &Url) -> Result<Conn, String> {
        let host_header = HeaderValue::from_str(&url[url::Position::BeforeHost..url::Position::AfterPort]).map_err(|e| format!("the URL's host cannot be sent: {e}"))?;
        let (target, port) = (url.host_str().unwrap_or_default(), url.port_or_known_default().unwrap_or(80));
        let https = url.scheme() == "https";
        let (socket, route) = match self.proxies.for_url(url) {
            None => {
                let socket = tcp(host, target, port).await?;
                (if https { tls::handshake(&self.tls, target, socket).await? } else { socket }, Route::Direct)
            }
            Some(via) => {
                let shown = format!("proxy {}:{}", via.host, via.port);
                let mut socket = tcp(host, &via.host, via.port).await.map_err(|e| format!("{shown}: {e}"))?;
                if via.https {
                    socket = tls::handshake(&self.tls, &via.host, socket).await.map_err(|e| format!("{shown}: {e}"))?;
                }
                if https {
                    proxy::tunnel(&mut socket, target, port, via.auth.as_ref()).await.map_err(|e| format!("{shown}: {e}"))?;
                    (tls::handshake(&self.tls, target, socket).await?, Route::Direct)
                } else {
                    (socket, Route::Forward(via.auth))
                }
            }
        };
        let (sender, connection) = http1::handshake(TokioIo::new(socket)).await.map_err(|e| classify::describe(&e))?;
        host.spawn(Box::pin(async move {
            // Its end (closed by either side, or an error already reported to the request) needs no action.
            let _ = connection.await;
        }));
        Ok(Conn { sender, route, host_header })
    }
}

/// A TCP connection to `name` (an IP literal, or a name looked up), trying each address in turn.
async fn tcp(host: &dyn Host, name: &str, port: u16) -> Result<BoxSocket, String> {
    let literal = name.strip_prefix('[').and_then(|n| n.strip_suffix(']')).unwrap_or(name);
    let addresses: Vec<SocketAddr> = match literal.parse::<IpAddr>() {
        Ok(ip) => vec![SocketAddr::new(ip, port)],
        Err(_) => tokio::net::lookup_host((literal, port)).await.map_err(|e| format!("dns: {name}: {e}"))?.collect(),
    };
    let mut last = format!("dns: {name}: no address");
    for address in addresses {
        match host.connect(address).await {
            Ok(socket) => return Ok(socket),
            Err(e) => last = classify::io(&e),
        }
    }
    Err(last)
}
