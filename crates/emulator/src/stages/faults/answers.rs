//! What a drawn fault (`rates`) does to one request: an error before the call runs, a revoked token,
//! or the call's answer replaced by a 5xx page, broken JSON, a cut-off body or a dropped connection.

use super::queue::Fault;
use super::rates::Drawn;
use crate::stages::token_store::TokenStore;
use crate::kit::params::query_value;
use crate::kit::state::State;
use crate::wire::common_errmsg;
use axum::body::{Body, Bytes};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};

/// The WeChat error a drawn fault answers before the call runs, as an injected fault.
pub fn refusal(drawn: Drawn, name: &str) -> Option<Fault> {
    let errcode = match drawn {
        Drawn::Busy => -1,
        Drawn::RateLimit => 45011,
        _ => return None,
    };
    let errmsg = common_errmsg(errcode).map(str::to_owned);
    Some(Fault { name: name.to_owned(), errcode: Some(errcode), errmsg, delay_ms: 0, after_execute: false, times: 1 })
}

/// Revokes every token of the account whose token this request carries, as if it were refreshed elsewhere.
pub fn revoke_callers_tokens(state: &mut State, query: &[(String, String)]) {
    let now = state.clock.now();
    let token = query_value(query, "access_token").or_else(|| query_value(query, "component_access_token"));
    let tokens = state.record::<TokenStore>();
    let holder = token.and_then(|t| tokens.resolve(t, now).ok()).map(|g| g.subject_appid().to_owned());
    if let Some(appid) = holder {
        tokens.revoke_for(&appid, now);
    }
}

/// A gateway's error page, without running the call (500) or after it ran (502).
pub fn error_page(status: StatusCode) -> Response {
    let page = format!("<html><body><h1>{status}</h1></body></html>");
    (status, [(header::CONTENT_TYPE, "text/html")], page).into_response()
}

/// The call ran; its answer `body` (JSON text) is spoiled on the way back, or None to send it as is.
pub fn spoil(drawn: Drawn, body: String) -> Option<Response> {
    let json = [(header::CONTENT_TYPE, "application/json; encoding=utf-8")];
    // Halves are cut by bytes: UTF-8 may split mid-character, as a real cut-off would.
    let half = Bytes::from(body.into_bytes());
    let (whole, half) = (half.len(), half.slice(..half.len() / 2));
    match drawn {
        Drawn::Http502 => Some(error_page(StatusCode::BAD_GATEWAY)),
        // Looks like JSON, is not: a proxy that mangled it.
        Drawn::MalformedJson => Some((StatusCode::OK, json, [&b"{\"errcode\":0,\"errmsg\":\"ok\","[..], &half].concat()).into_response()),
        // The length of the whole answer is promised, half arrives, then the connection drops.
        Drawn::Truncated => Some(broken_body(whole, half)),
        // Nothing arrives: the connection drops as soon as the answer would start.
        Drawn::Reset => Some(broken_body(whole, Bytes::new())),
        _ => None,
    }
}

fn broken_body(promised: usize, sent: Bytes) -> Response {
    let dropped = std::io::Error::new(std::io::ErrorKind::ConnectionReset, "injected connection reset");
    let chunks = futures::stream::iter([Ok(sent), Err(dropped)]);
    let mut response = Response::new(Body::from_stream(chunks));
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, header::HeaderValue::from_static("application/json; encoding=utf-8"));
    headers.insert(header::CONTENT_LENGTH, header::HeaderValue::from(promised));
    response
}
