//! The answer read into one buffer, cut off at the cap: a Content-Length above it is refused before reading,
//! an endless or oversized body as soon as it passes it. A body that arrives in one piece is kept as it came.

use super::{classify, HttpAnswer, TransportError};
use bytes::Bytes;
use hyper::body::{Body as _, Incoming};
use hyper::header::CONTENT_TYPE;
use hyper::Response;
use std::pin::Pin;

pub(super) async fn read(response: Response<Incoming>, max_body: usize) -> Result<HttpAnswer, TransportError> {
    let (head, mut body) = response.into_parts();
    let content_type = head.headers.get(CONTENT_TYPE).and_then(|v| v.to_str().ok()).map(str::to_owned);
    let known = body.size_hint().exact();
    if known.is_some_and(|len| len > max_body as u64) {
        return Err(TransportError::TooLarge(max_body));
    }
    let mut first: Option<Bytes> = None;
    let mut joined: Vec<u8> = Vec::new();
    while let Some(frame) = std::future::poll_fn(|cx| Pin::new(&mut body).poll_frame(cx)).await {
        let frame = frame.map_err(|e| TransportError::Broken(classify::describe(&e)))?;
        let Ok(chunk) = frame.into_data() else { continue };
        let so_far = first.as_ref().map_or(joined.len(), Bytes::len);
        if so_far + chunk.len() > max_body {
            return Err(TransportError::TooLarge(max_body));
        }
        match first.take() {
            None if joined.is_empty() => first = Some(chunk),
            None => joined.extend_from_slice(&chunk),
            Some(before) => {
                // One allocation when the length is known.
                joined = Vec::with_capacity(known.map_or(before.len() + chunk.len(), |len| len as usize));
                joined.extend_from_slice(&before);
                joined.extend_from_slice(&chunk);
            }
        }
    }
    let body = first.unwrap_or_else(|| Bytes::from(joined));
    Ok(HttpAnswer { status: head.status.as_u16(), content_type, body })
}
