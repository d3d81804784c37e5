//! Kept-alive HTTP/1.1 connections waiting for their next request, per origin and per host (a connection made
//! on one event loop is only used by calls on that loop). The most recently used goes out first: it is the
//! least likely to have been closed by the server. No timer runs for idle ones: expired ones are dropped when
//! their origin is next used, and one the server closes meanwhile is closed at once by its connection task
//! (only its handle waits here, and is skipped).

use super::connect::Conn;
use std::sync::Mutex;
use std::time::{Duration, Instant};
use url::Url;

/// How long a connection may wait for its next request.
const IDLE_TIMEOUT: Duration = Duration::from_secs(60);
/// How many connections may wait, per origin.
const MAX_IDLE_PER_ORIGIN: usize = 256;

/// Where a connection goes: which host's loop it lives on, and the URL's scheme, host and port.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) struct Origin<'u> {
    host_key: usize,
    https: bool,
    host: &'u str,
    port: u16,
}

impl<'u> Origin<'u> {
    /// None for a URL that is neither http nor https.
    pub fn of(url: &'u Url, host_key: usize) -> Option<Origin<'u>> {
        let https = match url.scheme() {
            "https" => true,
            "http" => false,
            _ => return None,
        };
        Some(Origin { host_key, https, host: url.host_str()?, port: url.port_or_known_default()? })
    }
}

#[derive(Default)]
pub(super) struct Pool {
    /// A few origins at most (WeChat's hosts): a list is quicker to search than a map and needs no owned key.
    origins: Mutex<Vec<Waiting>>,
}

struct Waiting {
    host_key: usize,
    https: bool,
    host: Box<str>,
    port: u16,
    /// Oldest first.
    idle: Vec<(Instant, Conn)>,
}

impl Waiting {
    fn is(&self, o: &Origin) -> bool {
        self.host_key == o.host_key && self.port == o.port && self.https == o.https && *self.host == *o.host
    }
}

impl Pool {
    /// The most recently used open connection to `origin`, if one waits; closed and expired ones are dropped.
    pub fn take(&self, origin: &Origin) -> Option<Conn> {
        let now = Instant::now();
        let mut origins = self.origins.lock().expect("pool lock");
        let at = origins.iter().position(|w| w.is(origin))?;
        let idle = &mut origins[at].idle;
        let mut found = None;
        while let Some((since, conn)) = idle.pop() {
            if now.duration_since(since) >= IDLE_TIMEOUT {
                // The rest are older still.
                idle.clear();
                break;
            }
            if !conn.sender.is_closed() {
                found = Some(conn);
                break;
            }
        }
        found
    }

    /// Keeps a connection whose answer was read to the end for the next request, unless it is closed or the
    /// origin already has its fill.
    pub fn put(&self, origin: &Origin, conn: Conn) {
        if conn.sender.is_closed() {
            return;
        }
        let now = Instant::now();
        let mut origins = self.origins.lock().expect("pool lock");
        let at = match origins.iter().position(|w| w.is(origin)) {
            Some(at) => at,
            None => {
                // An origin's entry outlives its last idle connection (no allocation per request), until a new
                // origin comes.
                origins.retain(|w| !w.idle.is_empty());
                let Origin { host_key, https, host, port } = *origin;
                origins.push(Waiting { host_key, https, host: host.into(), port, idle: Vec::new() });
                origins.len() - 1
            }
        };
        let idle = &mut origins[at].idle;
        let expired = idle.partition_point(|(since, _)| now.duration_since(*since) >= IDLE_TIMEOUT);
        idle.drain(..expired);
        if idle.len() < MAX_IDLE_PER_ORIGIN {
            idle.push((now, conn));
        }
    }
}
