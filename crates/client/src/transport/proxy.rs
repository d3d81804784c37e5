//! Proxies, as reqwest honoured them: HTTP_PROXY / HTTPS_PROXY / ALL_PROXY / NO_PROXY (either case) from the
//! environment, decided by hyper-util's matcher. An http target goes to the proxy in absolute-form; an https
//! one through a CONNECT tunnel. Credentials in the proxy URL become Basic Proxy-Authorization and never
//! appear in a message: errors name the proxy by host and port only, and never quote what it answered.

use crate::host::BoxSocket;
use hyper::header::HeaderValue;
use hyper::Uri;
use hyper_util::client::proxy::matcher::Matcher;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use url::Url;

/// The most a proxy's answer to CONNECT may take before the tunnel starts.
const MAX_CONNECT_ANSWER: usize = 8 * 1024;

/// Looked at only when a new connection is made, never per request.
pub(super) struct Proxies(Matcher);

/// The proxy one origin is reached through.
pub(super) struct Via {
    pub https: bool,
    pub host: String,
    pub port: u16,
    pub auth: Option<HeaderValue>,
}

impl Proxies {
    pub fn from_env() -> Proxies {
        Proxies::from_matcher(Matcher::from_env())
    }

    pub fn from_matcher(matcher: Matcher) -> Proxies {
        Proxies(matcher)
    }

    /// The proxy for `url`'s origin, if one is configured and NO_PROXY does not exempt it. A proxy of another
    /// kind than HTTP (socks) is not supported and is not used.
    pub fn for_url(&self, url: &Url) -> Option<Via> {
        let origin: Uri = format!("{}://{}", url.scheme(), &url[url::Position::BeforeHost..url::Position::AfterPort]).parse().ok()?;
        let intercept = self.0.intercept(&origin)?;
        let proxy = intercept.uri();
        let https = match proxy.scheme_str() {
            Some("https") => true,
            Some("http") => false,
            _ => return None,
        };
        let host = proxy.host()?.to_owned();
        let port = proxy.port_u16().unwrap_or(if https { 443 } else { 80 });
        Some(Via { https, host, port, auth: intercept.basic_auth().cloned() })
    }
}

/// Asks the proxy on `socket` for a tunnel to `host:port`; the socket then carries the tunnel.
pub(super) async fn tunnel(socket: &mut BoxSocket, host: &str, port: u16, auth: Option<&HeaderValue>) -> Result<(), String> {
    let mut ask = format!("CONNECT {host}:{port} HTTP/1.1\r\nHost: {host}:{port}\r\n").into_bytes();
    if let Some(auth) = auth {
        ask.extend_from_slice(b"Proxy-Authorization: ");
        ask.extend_from_slice(auth.as_bytes());
        ask.extend_from_slice(b"\r\n");
    }
    ask.extend_from_slice(b"\r\n");
    socket.write_all(&ask).await.map_err(|e| super::classify::io(&e))?;
    // The server speaks only after our TLS hello, so nothing of the tunnel can be read past the answer's end.
    let mut answer = Vec::with_capacity(256);
    while memchr::memmem::find(&answer, b"\r\n\r\n").is_none() {
        if answer.len() > MAX_CONNECT_ANSWER {
            return Err("the proxy's answer to CONNECT is too long".into());
        }
        if socket.read_buf(&mut answer).await.map_err(|e| super::classify::io(&e))? == 0 {
            return Err("the proxy closed the connection before answering CONNECT".into());
        }
    }
    // `HTTP/1.1 200 Connection established`: only the status is read (and shown), never the reason.
    let status = answer.split(|&b| b == b' ').nth(1).and_then(|s| std::str::from_utf8(s).ok()).and_then(|s| s.parse::<u16>().ok());
    match status {
        Some(200..=299) if answer.starts_with(b"HTTP/1.") => Ok(()),
        Some(status) => Err(format!("the proxy refused the tunnel (HTTP {status})")),
        None => Err("the proxy's answer to CONNECT is not HTTP".into()),
    }
}
