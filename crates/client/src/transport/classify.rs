//! Failure messages: readable, and never holding the URL's query (the access_token) or userinfo. What kind of
//! failure it is (`Connect`, `Timeout`, `Broken`) is decided where it happens: before the request was
//! written everything is `Connect`; after, `Broken`.

use std::io;
use url::Url;

/// Where a request went, for a message: scheme, host, port and path.
pub(super) fn shown(url: &Url) -> String {
    let port = url.port().map(|p| format!(":{p}")).unwrap_or_default();
    format!("{}://{}{port}{}", url.scheme(), url.host_str().unwrap_or_default(), url.path())
}

/// A socket error in a few words ("connection refused"), the OS's own text for the rarer ones.
pub(super) fn io(e: &io::Error) -> String {
    match e.kind() {
        io::ErrorKind::ConnectionRefused => "connection refused".into(),
        io::ErrorKind::ConnectionReset => "connection reset".into(),
        io::ErrorKind::ConnectionAborted => "connection aborted".into(),
        io::ErrorKind::TimedOut => "timed out".into(),
        io::ErrorKind::UnexpectedEof => "the connection closed unexpectedly".into(),
        _ => e.to_string(),
    }
}

/// An error and its causes, `outer: inner: …` (hyper's errors hold no URL).
pub(super) fn describe(e: &(dyn std::error::Error + 'static)) -> String {
    let mut text = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        let next = match s.downcast_ref::<io::Error>() {
            Some(io_error) => io(io_error),
            None => s.to_string(),
        };
        text.push_str(": ");
        text.push_str(&next);
        source = s.source();
    }
    text
}
