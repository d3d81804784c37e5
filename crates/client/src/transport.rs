//! HTTP to WeChat: one reqwest client (one connection pool) per SDK client, bounded answers, and transport
//! failures classified by whether the request could have reached WeChat (what decides if a retry is safe).

use crate::form::Body;
use wechat_protocol::catalogue::HttpVerb;
use bytes::Bytes;
use std::sync::Mutex;
use std::time::{Duration, Instant};
use url::Url;

/// How long a host that refused connections is skipped before it is tried again.
const HOST_COOLDOWN: Duration = Duration::from_secs(30);

pub struct Transport {
    http: reqwest::Client,
    max_body: usize,
    /// WeChat's hosts in order of preference (api, then api2 by default); the first is the one URLs are built with.
    hosts: Vec<Url>,
    /// Until when each host is skipped after a connection failure.
    down_until: Mutex<Vec<Option<Instant>>>,
}

/// What came back, before any interpretation.
#[derive(Debug)]
pub struct HttpAnswer {
    pub status: u16,
    pub content_type: Option<String>,
    pub body: Bytes,
}

#[derive(Debug, Clone, PartialEq)]
pub enum TransportError {
    /// No connection was made: the request provably never reached WeChat.
    Connect(String),
    /// The attempt ran out of time; the request may have been executed.
    Timeout,
    /// Lost after the request may have been sent (reset, broken body, protocol error).
    Broken(String),
    /// The answer is larger than the configured cap.
    TooLarge(usize),
}

/// Connection settings beyond the hosts and the body cap.
#[derive(Clone, Debug)]
pub struct TransportSettings {
    pub connect_timeout: Duration,
    /// Extra trusted roots (PEM bundle). Certificate checks are always on; this only adds trust.
    pub ca_pem: Option<String>,
}

impl Default for TransportSettings {
    fn default() -> Self {
        TransportSettings { connect_timeout: Duration::from_secs(5), ca_pem: None }
    }
}

impl Transport {
    pub fn new(hosts: &[Url], max_body: usize) -> Result<Transport, String> {
        Transport::with_settings(hosts, max_body, &TransportSettings::default())
    }

    pub fn with_settings(hosts: &[Url], max_body: usize, settings: &TransportSettings) -> Result<Transport, String> {
        let mut builder = reqwest::Client::builder();
        if let Some(pem) = &settings.ca_pem {
            let certs = reqwest::Certificate::from_pem_bundle(pem.as_bytes()).map_err(|e| format!("ca: cannot read the PEM certificates: {}", e.without_url()))?;
            if certs.is_empty() {
                return Err("ca must be PEM text holding at least one certificate".into());
            }
            for cert in certs {
                builder = builder.add_root_certificate(cert);
            }
        }
        let http = builder
            .connect_timeout(settings.connect_timeout)
            .pool_idle_timeout(Duration::from_secs(60))
            .pool_max_idle_per_host(256)
            .tcp_nodelay(true)
            // WeChat never redirects: following one would carry the token (query) or the secret (body) to whatever
            // host the answer names. A 3xx comes back as it is and the answer reader refuses it.
            .redirect(reqwest::redirect::Policy::none())
            .user_agent(concat!("wechat-openapi/", env!("CARGO_PKG_VERSION")))
            // TLS certificate checks are always on; there is deliberately no switch to turn them off.
            .https_only(false)
            .build()
            .map_err(|e| format!("cannot build the HTTP client: {}", e.without_url()))?;
        let hosts = hosts.to_vec();
        let down_until = Mutex::new(vec![None; hosts.len()]);
        Ok(Transport { http, max_body, hosts, down_until })
    }

    /// Sends to the first healthy host; a connection failure (the request provably never left) moves on to the
    /// next host at once and benches the failed one for a while. URLs are built against the first host.
    pub async fn send(
        &self,
        verb: HttpVerb,
        url: Url,
        body: Body,
        attempt_timeout: Duration,
    ) -> Result<HttpAnswer, TransportError> {
        let order = self.host_order(&url);
        // Shared, not copied, when a refused host sends the request on to the next one.
        let mut last = None;
        for index in order {
            let target = self.on_host(&url, index);
            match self.send_to(verb, target, body.clone(), attempt_timeout).await {
                Err(TransportError::Connect(m)) => {
                    if let Some(i) = index {
                        self.down_until.lock().expect("hosts lock")[i] = Some(Instant::now() + HOST_COOLDOWN);
                    }
                    last = Some(TransportError::Connect(m));
                }
                other => {
                    if let Some(i) = index {
                        self.down_until.lock().expect("hosts lock")[i] = None;
                    }
                    return other;
                }
            }
        }
        Err(last.unwrap_or_else(|| TransportError::Connect("no host to send to".into())))
    }

    /// Host indexes to try: healthy ones first in configured order, then benched ones; `None` for a URL that
    /// is not on our hosts (sent as is).
    fn host_order(&self, url: &Url) -> Vec<Option<usize>> {
        let ours = self.hosts.first().is_some_and(|h| same_origin(h, url));
        if !ours {
            return vec![None];
        }
        let now = Instant::now();
        let down = self.down_until.lock().expect("hosts lock");
        let (healthy, benched): (Vec<usize>, Vec<usize>) = (0..self.hosts.len()).partition(|&i| down[i].is_none_or(|t| t <= now));
        healthy.into_iter().chain(benched).map(Some).collect()
    }

    fn on_host(&self, url: &Url, index: Option<usize>) -> Url {
        let Some(i) = index else { return url.clone() };
        let host = &self.hosts[i];
        let mut out = url.clone();
        // set_scheme/set_host/set_port cannot fail for http(s) URLs built from parsed hosts.
        let _ = out.set_scheme(host.scheme());
        let _ = out.set_host(host.host_str());
        let _ = out.set_port(host.port());
        // Each host keeps its own path prefix: `/a/cgi-bin/x` on the first host is `/b/cgi-bin/x` on a host at `/b`.
        let (from, to) = (self.hosts[0].path().trim_end_matches('/'), host.path().trim_end_matches('/'));
        if from != to {
            if let Some(rest) = url.path().strip_prefix(from) {
                out.set_path(&format!("{to}{rest}"));
            }
        }
        out
    }

    async fn send_to(
        &self,
        verb: HttpVerb,
        url: Url,
        body: Body,
        attempt_timeout: Duration,
    ) -> Result<HttpAnswer, TransportError> {
        // Where a refused connection went, for its message: scheme, host, port and path; never the query (the
        // token) nor userinfo.
        let shown = format!("{}://{}{}", url.scheme(), url.host_str().unwrap_or_default(), url.port().map(|p| format!(":{p}")).unwrap_or_default()) + url.path();
        let located = |e: TransportError| match e {
            TransportError::Connect(m) => TransportError::Connect(format!("{m} ({shown})")),
            other => other,
        };
        let request = match verb {
            HttpVerb::Get => self.http.get(url),
            HttpVerb::Post => self.http.post(url),
        };
        let request = match body {
            Body::Empty => request,
            Body::Json(bytes) => request.header("content-type", "application/json").body(bytes),
            // Built again for every attempt from the shared bytes: a form is consumed by sending it.
            Body::Form(file) => request.multipart(file.form().map_err(TransportError::Broken)?),
        };
        let mut response = request.timeout(attempt_timeout).send().await.map_err(|e| located(classify(e)))?;
        let status = response.status().as_u16();
        let content_type = response
            .headers()
            .get(reqwest::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        if let Some(len) = response.content_length() {
            if len as usize > self.max_body {
                return Err(TransportError::TooLarge(self.max_body));
            }
        }
        // Read chunk by chunk so an endless or oversized body is cut off at the cap, not buffered whole.
        let mut body = Vec::with_capacity(response.content_length().unwrap_or(0) as usize);
        while let Some(chunk) = response.chunk().await.map_err(classify)? {
            if body.len() + chunk.len() > self.max_body {
                return Err(TransportError::TooLarge(self.max_body));
            }
            if body.is_empty() && body.capacity() < chunk.len() {
                body.reserve(chunk.len());
            }
            body.extend_from_slice(&chunk);
        }
        Ok(HttpAnswer { status, content_type, body: Bytes::from(body) })
    }
}

fn same_origin(a: &Url, b: &Url) -> bool {
    a.scheme() == b.scheme() && a.host_str() == b.host_str() && a.port_or_known_default() == b.port_or_known_default()
}

/// The URL (with its access_token) is dropped from every message here.
/// A connect error comes first: a connection that timed out while opening never carried the request.
fn classify(e: reqwest::Error) -> TransportError {
    if e.is_connect() {
        return TransportError::Connect(describe(e));
    }
    if e.is_timeout() {
        return TransportError::Timeout;
    }
    TransportError::Broken(describe(e))
}

fn describe(e: reqwest::Error) -> String {
    let e = e.without_url();
    let mut text = e.to_string();
    let mut source = std::error::Error::source(&e);
    while let Some(s) = source {
        text.push_str(": ");
        text.push_str(&s.to_string());
        source = s.source();
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    fn urls(list: &[&str]) -> Vec<Url> {
        list.iter().map(|u| Url::parse(u).unwrap()).collect()
    }

    #[tokio::test]
    async fn a_refused_host_fails_over_to_the_next_and_is_benched() {
        // Port 9 (discard) refuses on loopback; the second host is a real listener.
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        tokio::spawn(async move {
            loop {
                let (mut sock, _) = listener.accept().await.unwrap();
                tokio::spawn(async move {
                    use tokio::io::{AsyncReadExt, AsyncWriteExt};
                    let mut buf = [0u8; 4096];
                    let _ = sock.read(&mut buf).await;
                    let body = "{\"errcode\":0}";
                    let answer = format!("HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\r\n{}", body.len(), body);
                    let _ = sock.write_all(answer.as_bytes()).await;
                });
            }
        });
        let hosts = urls(&["http://127.0.0.1:9", &format!("http://127.0.0.1:{port}")]);
        let t = Transport::new(&hosts, 1 << 20).unwrap();
        let url = Url::parse("http://127.0.0.1:9/cgi-bin/x?access_token=a").unwrap();
        let answer = t.send(HttpVerb::Get, url.clone(), Body::Empty, Duration::from_secs(5)).await.unwrap();
        assert_eq!((answer.status, &answer.body[..]), (200, &b"{\"errcode\":0}"[..]));
        assert_eq!(t.host_order(&url), vec![Some(1), Some(0)], "the refused host is tried last for a while");
        let foreign = Url::parse("http://example.invalid/x").unwrap();
        assert_eq!(t.host_order(&foreign), vec![None]);
    }

    #[tokio::test]
    async fn oversized_answers_are_cut_off() {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        tokio::spawn(async move {
            let (mut sock, _) = listener.accept().await.unwrap();
            use tokio::io::{AsyncReadExt, AsyncWriteExt};
            let mut buf = [0u8; 4096];
            let _ = sock.read(&mut buf).await;
            let body = "x".repeat(5000);
            let answer = format!("HTTP/1.1 200 OK\r\ncontent-length: {}\r\n\r\n{}", body.len(), body);
            let _ = sock.write_all(answer.as_bytes()).await;
        });
        let hosts = urls(&[&format!("http://127.0.0.1:{port}")]);
        let t = Transport::new(&hosts, 4096).unwrap();
        let err = t.send(HttpVerb::Get, hosts[0].clone(), Body::Empty, Duration::from_secs(5)).await.unwrap_err();
        assert_eq!(err, TransportError::TooLarge(4096));
    }
}
