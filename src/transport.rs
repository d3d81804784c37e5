//! HTTP to WeChat: one reqwest client (one connection pool) per SDK client, bounded answers, and transport
//! failures classified by whether the request could have reached WeChat (what decides if a retry is safe).

use crate::catalogue::HttpVerb;
use bytes::Bytes;
use std::time::Duration;
use url::Url;

pub struct Transport {
    http: reqwest::Client,
    max_body: usize,
}

/// What came back, before any interpretation.
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

impl Transport {
    pub fn new(max_body: usize) -> Result<Transport, String> {
        let http = reqwest::Client::builder()
            .connect_timeout(Duration::from_secs(5))
            .pool_idle_timeout(Duration::from_secs(60))
            .pool_max_idle_per_host(256)
            .tcp_nodelay(true)
            .user_agent(concat!("wechat-openapi/", env!("CARGO_PKG_VERSION")))
            // TLS certificate checks are always on; there is deliberately no switch to turn them off.
            .https_only(false)
            .build()
            .map_err(|e| format!("cannot build the HTTP client: {}", e.without_url()))?;
        Ok(Transport { http, max_body })
    }

    pub async fn send(
        &self,
        verb: HttpVerb,
        url: Url,
        body: Option<Vec<u8>>,
        attempt_timeout: Duration,
    ) -> Result<HttpAnswer, TransportError> {
        let mut request = match verb {
            HttpVerb::Get => self.http.get(url),
            HttpVerb::Post => self.http.post(url).header("content-type", "application/json"),
        };
        if let Some(body) = body {
            request = request.body(body);
        }
        let mut response = request.timeout(attempt_timeout).send().await.map_err(classify)?;
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

/// The URL (with its access_token) is dropped from every message here.
fn classify(e: reqwest::Error) -> TransportError {
    if e.is_timeout() {
        return TransportError::Timeout;
    }
    let connect = e.is_connect();
    let text = describe(e);
    if connect {
        TransportError::Connect(text)
    } else {
        TransportError::Broken(text)
    }
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
