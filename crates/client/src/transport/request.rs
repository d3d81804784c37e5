//! The request as hyper writes it: method, target (origin-form, or absolute-form to a forwarding proxy),
//! the few headers WeChat needs, and a body of at most three shared pieces with its length known (hyper
//! writes the Content-Length). Nothing here copies the body.

use super::TransportError;
use crate::form::Body;
use bytes::Bytes;
use hyper::body::{Frame, SizeHint};
use hyper::header::{HeaderValue, CONTENT_TYPE, HOST, PROXY_AUTHORIZATION, USER_AGENT};
use hyper::{Method, Request, Uri};
use std::convert::Infallible;
use std::pin::Pin;
use std::task::{Context, Poll};
use url::{Position, Url};
use wechat_protocol::catalogue::HttpVerb;

const AGENT: HeaderValue = HeaderValue::from_static(concat!("wechat-openapi/", env!("CARGO_PKG_VERSION")));
const JSON: HeaderValue = HeaderValue::from_static("application/json");

/// How requests on a connection are written.
pub(super) enum Route {
    /// To the origin itself (perhaps through a CONNECT tunnel): `GET /path?query`.
    Direct,
    /// To an HTTP proxy that forwards them: `GET http://host/path?query`, with the proxy's credentials if any.
    Forward(Option<HeaderValue>),
}

/// One attempt's body and its content type, kept so that a request a closing connection never wrote can be
/// sent again on another.
pub(super) struct Outgoing {
    body: Option<OutBody>,
    content_type: Option<HeaderValue>,
}

impl Outgoing {
    pub fn new(body: Body) -> Result<Outgoing, TransportError> {
        let (parts, content_type) = match body {
            Body::Empty => ([Bytes::new(), Bytes::new(), Bytes::new()], None),
            Body::Json(json) => ([json, Bytes::new(), Bytes::new()], Some(JSON)),
            // Built again for every attempt from the shared bytes: a new boundary, the file not copied.
            Body::Form(file) => {
                let form = file.multipart().map_err(TransportError::Broken)?;
                let content_type = HeaderValue::try_from(form.content_type).map_err(|e| TransportError::Broken(e.to_string()))?;
                ([form.head, form.file, form.tail], Some(content_type))
            }
        };
        Ok(Outgoing { body: Some(OutBody { parts, next: 0 }), content_type })
    }

    /// The request for `url` on a connection of `route` to `url`'s origin, whose `Host` header is `host`.
    pub fn request(&mut self, verb: HttpVerb, url: &Url, route: &Route, host: &HeaderValue) -> Result<Request<OutBody>, TransportError> {
        // The URL was parsed once; the target is a slice of it (no fragment), checked as hyper needs it.
        let target = match route {
            Route::Direct => &url[Position::BeforePath..Position::AfterQuery],
            Route::Forward(_) => &url[..Position::AfterQuery],
        };
        let uri = Uri::try_from(target).map_err(|e| TransportError::Broken(format!("the URL cannot be sent: {e}")))?;
        let mut request = Request::new(self.body.take().expect("the body is back after an unsent attempt"));
        *request.method_mut() = match verb {
            HttpVerb::Get => Method::GET,
            HttpVerb::Post => Method::POST,
        };
        *request.uri_mut() = uri;
        let headers = request.headers_mut();
        headers.reserve(4);
        headers.insert(HOST, host.clone());
        headers.insert(USER_AGENT, AGENT);
        if let Some(content_type) = &self.content_type {
            headers.insert(CONTENT_TYPE, content_type.clone());
        }
        if let Route::Forward(Some(auth)) = route {
            headers.insert(PROXY_AUTHORIZATION, auth.clone());
        }
        Ok(request)
    }

    /// Takes back the body of a request that was never written.
    pub fn restore(&mut self, unsent: Request<OutBody>) {
        self.body = Some(unsent.into_body());
    }
}

/// A request body: up to three shared pieces (JSON: one; a form: head, file, tail), sent in order.
pub(super) struct OutBody {
    parts: [Bytes; 3],
    next: usize,
}

impl hyper::body::Body for OutBody {
    type Data = Bytes;
    type Error = Infallible;

    fn poll_frame(mut self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<Option<Result<Frame<Bytes>, Infallible>>> {
        while self.next < self.parts.len() {
            let next = self.next;
            self.next += 1;
            let part = std::mem::take(&mut self.parts[next]);
            if !part.is_empty() {
                return Poll::Ready(Some(Ok(Frame::data(part))));
            }
        }
        Poll::Ready(None)
    }

    fn is_end_stream(&self) -> bool {
        self.parts[self.next..].iter().all(Bytes::is_empty)
    }

    fn size_hint(&self) -> SizeHint {
        SizeHint::with_exact(self.parts[self.next..].iter().map(|p| p.len() as u64).sum())
    }
}
