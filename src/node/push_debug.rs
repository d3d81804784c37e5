//! `wechat-openapi decrypt`: opens one third-party push for debugging. A stopgap binding over
//! `crypto::MsgCrypt` until `cloud.crypto` lands; the CLI prefers `cloud.crypto` when it exists.

use crate::crypto::{MsgCrypt, PushQuery};
use napi::{Error, Result, Status};
use napi_derive::napi;

/// Verifies msg_signature and returns the inner XML; `query` is the raw query string.
// Registered with Node by the napi macro; a `cargo test` build has no Node to register it with.
#[cfg_attr(test, allow(dead_code))]
#[napi]
pub fn debug_decrypt_push(token: String, encoding_aes_key: String, appid: String, query: String, body: String) -> Result<String> {
    let crypt = MsgCrypt::new(&token, &encoding_aes_key, &appid).map_err(|e| Error::new(Status::InvalidArg, e.to_string()))?;
    let pairs = url::form_urlencoded::parse(query.trim_start_matches('?').as_bytes()).into_owned();
    let query = PushQuery::from_pairs(pairs);
    crypt.decrypt_push(&query, &body).map_err(|e| Error::new(Status::InvalidArg, e.to_string()))
}
