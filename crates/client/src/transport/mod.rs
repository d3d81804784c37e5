//! HTTP to WeChat: HTTP/1.1 on bare hyper over the current `host` (tokio, or a host program's own event loop),
//! one pool of kept-alive connections per SDK client, bounded answers, and transport failures classified by
//! whether the request could have reached WeChat (what decides if a retry is safe).
//!
//! No redirect is ever followed: WeChat never redirects, and following one would carry the token (query) or
//! the secret (body) to whatever host the answer names. A 3xx comes back as it is and the answer reader
//! refuses it.

mod answer;
mod classify;
mod connect;
mod pool;
mod proxy;
mod request;
mod tls;
#[cfg(test)]
mod tests;

use crate::form::Body;
use crate::host;
use bytes::Bytes;
use connect::Connector;
use pool::{Origin, Pool};
use std::borrow::Cow;
use std::sync::Mutex;
use std::time::{Duration, Instant};
use url::Url;
use wechat_protocol::catalogue::HttpVerb;

/// How long a host that refused connections is skipped before it is tried again.
const HOST_COOLDOWN: Duration = Duration::from_secs(30);

pub struct Transport {
    connector: Connector,
    pool: Pool,
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

    /// Proxies come from the environment (HTTP_PROXY, HTTPS_PROXY, ALL_PROXY, NO_PROXY, either case), read once here.
    pub fn with_settings(hosts: &[Url], max_body: usize, settings: &TransportSettings) -> Result<Transport, String> {
        Transport::with_proxies(hosts, max_body, settings, proxy::Proxies::from_env())
    }

    fn with_proxies(hosts: &[Url], max_body: usize, settings: &TransportSettings, proxies: proxy::Proxies) -> Result<Transport, String> {
        let tls = tls::connector(settings.ca_pem.as_deref())?;
        let connector = Connector { tls, proxies, connect_timeout: settings.connect_timeout };
        let hosts = hosts.to_vec();
        let down_until = Mutex::new(vec![None; hosts.len()]);
        Ok(Transport { connector, pool: Pool::default(), max_body, hosts, down_until })
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
        let mut last = None;
        for index in order {
            let target = self.on_host(&url, index);
            // Shared, not copied, when a refused host sends the request on to the next one.
            match self.send_to(verb, &target, body.clone(), attempt_timeout).await {
                Err(TransportError::Connect(m)) => {
                    if let Some(i) = index {
                        self.down_until.lock().expect("hosts lock")[i] = Some(Instant::now() + HOST_COOLDOWN);
                    }
                    last = Some(TransportError::Connect(m));
                }
                other => {
                    if let Some(i) = index {
                        let mut down = self.down_until.lock().expect("hosts lock");
                        if down[i].is_some() {
                            down[i] = None;
                        }
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

    /// The URL moved to host `index`; the first host's URL (what it was built with) is not copied.
    fn on_host<'u>(&self, url: &'u Url, index: Option<usize>) -> Cow<'u, Url> {
        let Some(i) = index.filter(|&i| i > 0) else { return Cow::Borrowed(url) };
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
        Cow::Owned(out)
    }

    /// One attempt on one host, bounded by the attempt's time (connecting, sending and reading the answer).
    async fn send_to(&self, verb: HttpVerb, url: &Url, body: Body, attempt_timeout: Duration) -> Result<HttpAnswer, TransportError> {
        match tokio::time::timeout(attempt_timeout, self.exchange(verb, url, body)).await {
            Ok(Ok(answer)) => Ok(answer),
            // Where a refused connection went: scheme, host, port and path; never the query (the token) nor userinfo.
            Ok(Err(TransportError::Connect(m))) => Err(TransportError::Connect(format!("{m} ({})", classify::shown(url)))),
            Ok(Err(other)) => Err(other),
            Err(_) => Err(TransportError::Timeout),
        }
    }

    /// The request on a pooled connection, or a new one; the connection goes back to the pool only when its
    /// answer was read to the end.
    async fn exchange(&self, verb: HttpVerb, url: &Url, body: Body) -> Result<HttpAnswer, TransportError> {
        let host = host::current();
        let origin = Origin::of(url, host.key()).ok_or_else(|| TransportError::Connect(format!("cannot send to a {} URL", url.scheme())))?;
        let mut outgoing = request::Outgoing::new(body)?;
        loop {
            let (mut conn, reused) = match self.pool.take(&origin) {
                Some(conn) => (conn, true),
                None => (self.connector.connect(&*host, url).await?, false),
            };
            if reused && conn.sender.ready().await.is_err() {
                // Closed while idle (the server's keep-alive ended): another one.
                continue;
            }
            let sent = conn.sender.try_send_request(outgoing.request(verb, url, &conn.route, &conn.host_header)?).await;
            let response = match sent {
                Ok(response) => response,
                Err(mut e) => match e.take_message() {
                    // Never written: a kept-alive connection the server closed at that moment. Another one.
                    Some(unsent) if reused => {
                        outgoing.restore(unsent);
                        continue;
                    }
                    Some(_) => return Err(TransportError::Connect(classify::describe(e.error()))),
                    None => return Err(TransportError::Broken(classify::describe(e.error()))),
                },
            };
            let answer = answer::read(response, self.max_body).await?;
            self.pool.put(&origin, conn);
            return Ok(answer);
        }
    }
}

fn same_origin(a: &Url, b: &Url) -> bool {
    a.scheme() == b.scheme() && a.host_str() == b.host_str() && a.port_or_known_default() == b.port_or_known_default()
}
