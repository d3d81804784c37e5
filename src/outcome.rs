//! What a call returns to the facade: data as JSON text (parsed in JS, cheaper than N-API objects), bytes,
//! or the error's fields, which the facade wraps in an `OpenApiError` as they are. Every error the facade
//! shows is a `NativeError`: returned by calls, thrown (as the object itself) by synchronous functions, or
//! made by `makeError` for misuse the facade finds before calling in.

use wechat_client::client::Outcome;
use wechat_client::error::Error;
use super::ascii_text::AsciiText;
use napi::bindgen_prelude::{Buffer, Either};
use napi::{Env, Status};
use napi_derive::napi;
use serde::Serialize;

#[napi(object, object_from_js = false)]
pub struct NativeOutcome {
    /// ASCII text (what the transcoder writes) crosses as Latin-1, which V8 copies without decoding UTF-8.
    #[napi(ts_type = "string")]
    pub json: Option<Either<AsciiText, String>>,
    /// How many long integers `json` carries as marked strings (0: plain `JSON.parse` is enough).
    pub big_ints: u32,
    pub content_type: Option<String>,
    pub buffer: Option<Buffer>,
    pub error: Option<NativeError>,
}

#[napi(object)]
pub struct NativeError {
    pub err_code: i64,
    pub err_msg: String,
    pub message: String,
    pub api: String,
    pub rid: Option<String>,
    pub category: String,
    pub retryable: bool,
    pub attempts: u32,
    pub http_status: Option<u32>,
    pub meaning: Option<String>,
    /// An unreadable answer's text (scrubbed, cut short): what came back instead of success or WeChat's error.
    pub raw: Option<String>,
    /// WeChat's other answer fields beside errcode and errmsg, as JSON text (the facade parses it).
    pub details: Option<String>,
}

/// A result the core gives as a Rust value (a platform flow's report, a push, nothing at all) as a call's JSON
/// outcome: `()` crosses as `null`.
pub fn json<T: Serialize>(result: Result<T, Error>) -> Result<Outcome, Error> {
    result.map(|v| Outcome::Json { text: serde_json::to_string(&v).expect("plain JSON"), big_ints: 0 })
}

impl From<Result<Outcome, Error>> for NativeOutcome {
    fn from(result: Result<Outcome, Error>) -> Self {
        let empty = NativeOutcome { json: None, big_ints: 0, content_type: None, buffer: None, error: None };
        match result {
            Ok(Outcome::Json { text, big_ints }) => {
                let json = if text.is_ascii() { Either::A(AsciiText(text.into_bytes())) } else { Either::B(text) };
                NativeOutcome { json: Some(json), big_ints: big_ints as u32, ..empty }
            }
            Ok(Outcome::Binary { content_type, bytes }) => {
                NativeOutcome { content_type: Some(content_type), buffer: Some(bytes.to_vec().into()), ..empty }
            }
            Err(e) => NativeOutcome { error: Some(NativeError::from(&e)), ..empty },
        }
    }
}

/// What a call's promise resolves to: the common answer (JSON text without long integers) as the string itself,
/// anything else as a `NativeOutcome`. An object with five fields to make and read back per call was a
/// measurable share of a small call's work on the JS thread.
///
/// # Safety
/// `env` is the current env, on its JS thread, inside a handle scope.
pub unsafe fn to_js(env: napi::sys::napi_env, outcome: NativeOutcome) -> napi::Result<napi::sys::napi_value> {
    use napi::bindgen_prelude::ToNapiValue;
    match outcome {
        NativeOutcome { json: Some(json), big_ints: 0, error: None, buffer: None, .. } => unsafe { Either::to_napi_value(env, json) },
        other => unsafe { NativeOutcome::to_napi_value(env, other) },
    }
}

impl From<&Error> for NativeError {
    fn from(e: &Error) -> Self {
        NativeError {
            err_code: e.code,
            err_msg: e.err_msg(),
            message: e.to_string(),
            api: e.api.clone(),
            rid: e.rid.clone(),
            category: e.category.as_str().to_owned(),
            retryable: e.retryable,
            attempts: e.attempts,
            http_status: e.http_status.map(u32::from),
            meaning: e.meaning.clone(),
            raw: e.raw.clone(),
            details: e.details.as_ref().map(|d| d.to_string()),
        }
    }
}

/// A synchronous function's failure: the `NativeError` object is thrown as it is, so the facade wraps its
/// fields instead of reading a text.
pub fn thrown(env: &Env, e: &Error) -> napi::Error {
    match env.throw(NativeError::from(e)) {
        Ok(()) => napi::Error::new(Status::PendingException, e.to_string()),
        Err(failed) => failed,
    }
}

/// An error for misuse the facade found itself (`kind`: `invalid-argument`, `aborted` or `internal`), with
/// the fields and message a native call's error would have.
#[napi]
pub fn make_error(api: String, kind: String, text: String) -> NativeError {
    NativeError::from(&Error::facade(&api, &kind, &text))
}

/// One of wx-server-sdk's SDK codes, from the code table.
#[napi(object)]
pub struct NativeSdkCode {
    pub name: String,
    pub code: i64,
}

/// The table's SDK codes, for the facade's `SDK_CODES`.
#[napi]
pub fn sdk_codes() -> Vec<NativeSdkCode> {
    let rows = wechat_protocol::codes::table().sdk().iter();
    rows.map(|r| NativeSdkCode { name: r.name.clone().unwrap_or_default(), code: r.code }).collect()
}

/// The mark long integers cross the boundary with, this process's own (random: data cannot forge it; see
/// `wechat_protocol::bigint`). `lib/json.js` reads it once, for answers and for BigInt arguments.
#[napi]
pub fn big_int_marker() -> String {
    wechat_protocol::bigint::marker().to_owned()
}
