//! One token-style exchange with WeChat: send, read JSON, turn a non-zero errcode into an Error. Shared by
//! every token source (app, component, authorizer) so they fail the same way and never echo a credential.

use wechat_protocol::catalogue::{catalogue, HttpVerb};
use crate::error::Error;
use wechat_protocol::secret::{scrub, Secret};
use crate::transport::{Transport, TransportError};
use serde_json::{Map, Value};
use std::time::Duration;
use url::Url;

/// How long one token request may take; the caller's own deadline still bounds the wait.
pub const FETCH_TIMEOUT: Duration = Duration::from_secs(10);

/// Sends one request; `what` names it in messages (`access_token request`), `api` is its table name
/// (for the documented meaning of an errcode), `secrets` are scrubbed from every message.
pub async fn exchange(
    transport: &Transport,
    verb: HttpVerb,
    url: Url,
    body: Option<&Value>,
    what: &str,
    api: Option<&str>,
    secrets: &[Secret],
) -> Result<Map<String, Value>, Error> {
    let body = body.map(|b| serde_json::to_vec(b).expect("plain JSON"));
    let answer = transport.send(verb, url, body, FETCH_TIMEOUT).await.map_err(|e| match e {
        TransportError::Timeout => Error::timeout("", format!("the {what} timed out")),
        TransportError::Connect(m) | TransportError::Broken(m) => {
            Error::network("", format!("the {what} failed: {}", scrub(&m, secrets)))
        }
        TransportError::TooLarge(cap) => Error::invalid_response("", format!("the {what}'s answer exceeds {cap} bytes")),
    })?;
    let parsed: Value = serde_json::from_slice(&answer.body).map_err(|_| {
        Error::invalid_response("", format!("the {what}'s answer is not JSON (HTTP {})", answer.status)).with_http_status(answer.status)
    })?;
    let Value::Object(map) = parsed else {
        return Err(Error::invalid_response("", format!("the {what}'s answer is not a JSON object")).with_http_status(answer.status));
    };
    let code = map.get("errcode").and_then(Value::as_i64).unwrap_or(0);
    if code != 0 {
        let msg = scrub(map.get("errmsg").and_then(Value::as_str).unwrap_or("unknown error"), secrets);
        let meaning = api.and_then(|a| catalogue().get(a)).and_then(|e| e.error_meaning(code));
        return Err(Error::wechat("", code, &format!("{what} failed: {msg}"), meaning).with_http_status(answer.status));
    }
    Ok(map)
}

/// A non-empty string field of an answer, or an invalid-response error naming it.
pub fn string_field(map: &Map<String, Value>, field: &str, what: &str) -> Result<String, Error> {
    match map.get(field).and_then(Value::as_str) {
        Some(s) if !s.is_empty() => Ok(s.to_owned()),
        _ => Err(Error::invalid_response("", format!("the {what}'s answer has no {field}"))),
    }
}

/// `expires_in` of an answer (WeChat's default lifetime when absent).
pub fn expires_in(map: &Map<String, Value>) -> Duration {
    Duration::from_secs(map.get("expires_in").and_then(Value::as_u64).unwrap_or(7200))
}
