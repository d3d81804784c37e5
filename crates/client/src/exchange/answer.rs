//! Turning WeChat's HTTP answer into a result, read once for every request: JSON with errcode 0 → the data,
//! errcode ≠ 0 → Error, anything not JSON (images) → bytes, as wx-server-sdk does. The data is shaped two ways:
//! JSON text for JS (`interpret` → `Outcome`), or the answer's fields for a domain step (`fields`); errcode,
//! HTTP status and malformed bodies are judged in `check` for both.

use super::{transcode, Outcome};
use wechat_protocol::bigint;
use wechat_protocol::case::{convert_keys, Direction};
use wechat_protocol::catalogue::Endpoint;
use crate::error::{Category, Error};
use crate::transport::HttpAnswer;
use bytes::Bytes;
use serde_json::{Map, Value};
use std::time::Duration;

/// An answer that passed every check, before it is shaped.
enum Checked {
    Binary { content_type: String, bytes: Bytes },
    Json { out: transcode::Transcoded, body: Bytes },
}

fn busy(api: &str, status: u16) -> Error {
    Error::network(api, format!("WeChat answered HTTP {status}")).with_category(Category::Busy).with_http_status(status)
}

/// The one reader of errcode and of the answer's soundness.
fn check(api: &str, endpoint: Option<&Endpoint>, answer: HttpAnswer, convert_case: bool) -> Result<Checked, Error> {
    let status = answer.status;
    if !looks_like_json(&answer) {
        if status >= 500 {
            return Err(busy(api, status));
        }
        if status != 200 {
            return Err(Error::invalid_response(api, format!("WeChat answered HTTP {status}")).with_http_status(status));
        }
        let content_type = answer.content_type.unwrap_or_else(|| "application/octet-stream".into());
        return Ok(Checked::Binary { content_type, bytes: answer.body });
    }
    if !transcode::is_valid_json(&answer.body) {
        // The full parse only to word the error exactly as serde_json does.
        let e = serde_json::from_slice::<Value>(&answer.body).expect_err("the checks agree");
        if status >= 500 {
            return Err(busy(api, status));
        }
        return Err(Error::invalid_response(api, format!("WeChat's answer is not valid JSON ({} bytes): {e}", answer.body.len()))
            .with_http_status(status));
    }
    if answer.body.iter().find(|b| !b.is_ascii_whitespace()) != Some(&b'{') {
        return Err(Error::invalid_response(api, "WeChat's answer is not a JSON object").with_http_status(status));
    }
    // Straight from bytes to the text JS parses; a tree, conversion and re-serialization cost far more.
    let out = transcode::transcode(&answer.body, convert_case);
    let code = out.errcode.as_ref().and_then(errcode_of).unwrap_or(0);
    if code != 0 {
        let errmsg = out.errmsg.as_ref().and_then(Value::as_str).unwrap_or("");
        let meaning = endpoint.and_then(|e| e.error_meaning(code));
        return Err(Error::wechat(api, code, errmsg, meaning).with_http_status(status));
    }
    if status >= 500 {
        return Err(busy(api, status));
    }
    Ok(Checked::Json { out, body: answer.body })
}

/// The answer as JS receives it: JSON text of the converted data (errMsg/errCode appended), or bytes.
pub fn interpret(api: &str, endpoint: Option<&Endpoint>, answer: HttpAnswer, convert_case: bool) -> Result<Outcome, Error> {
    match check(api, endpoint, answer, convert_case)? {
        Checked::Binary { content_type, bytes } => Ok(Outcome::Binary { content_type, bytes }),
        Checked::Json { out, body } if out.repeated_key => {
            let (text, big_ints) = through_tree(api, &body, convert_case);
            Ok(Outcome::Json { text, big_ints })
        }
        Checked::Json { out, .. } => Ok(Outcome::Json { text: transcode::finish(out.text, api), big_ints: out.big_ints }),
    }
}

/// The answer's fields as WeChat named them (snake_case, errcode/errmsg included), for a domain step.
pub fn fields(api: &str, endpoint: Option<&Endpoint>, answer: HttpAnswer) -> Result<Map<String, Value>, Error> {
    let status = answer.status;
    match check(api, endpoint, answer, false)? {
        Checked::Binary { .. } => Err(Error::invalid_response(api, format!("WeChat's answer is not JSON (HTTP {status})")).with_http_status(status)),
        Checked::Json { body, .. } => match serde_json::from_slice(&body) {
            Ok(Value::Object(map)) => Ok(map),
            _ => unreachable!("a validated JSON object"),
        },
    }
}

/// A non-empty string field of an answer, or an invalid-response error naming it.
pub fn string_field(map: &Map<String, Value>, field: &str, api: &str) -> Result<String, Error> {
    match map.get(field).and_then(Value::as_str) {
        Some(s) if !s.is_empty() => Ok(s.to_owned()),
        _ => Err(Error::invalid_response(api, format!("WeChat's answer has no {field}"))),
    }
}

/// `expires_in` of an answer (WeChat's default lifetime when absent).
pub fn expires_in(map: &Map<String, Value>) -> Duration {
    Duration::from_secs(map.get("expires_in").and_then(Value::as_u64).unwrap_or(7200))
}

/// The tree path: parse, drop the error fields, convert, mark, append, serialize. Only for answers that
/// repeat a key, where the ordered map settles the repeat before keys are converted.
pub(super) fn through_tree(api: &str, body: &[u8], convert_case: bool) -> (String, usize) {
    let Ok(Value::Object(mut map)) = serde_json::from_slice(body) else { unreachable!("a validated JSON object") };
    map.shift_remove("errcode");
    map.shift_remove("errmsg");
    let mut data = Value::Object(map);
    if convert_case {
        data = convert_keys(data, Direction::ToCamel);
    }
    let big_ints = bigint::mark(&mut data);
    let Value::Object(map) = &mut data else { unreachable!("still an object") };
    map.insert("errMsg".into(), Value::String(format!("openapi.{api}:ok")));
    map.insert("errCode".into(), Value::from(0));
    (serde_json::to_string(&data).expect("a Value always serializes"), big_ints)
}

/// WeChat labels JSON as text/plain on some endpoints, so the body decides, not only the header.
fn looks_like_json(answer: &HttpAnswer) -> bool {
    let declared = answer.content_type.as_deref().is_some_and(|c| c.contains("json"));
    let first = answer.body.iter().find(|b| !b.is_ascii_whitespace());
    declared || matches!(first, Some(b'{') | Some(b'['))
}

/// errcode is a number, but some gateways send it as a string.
fn errcode_of(v: &Value) -> Option<i64> {
    v.as_i64().or_else(|| v.as_str().and_then(|s| s.parse().ok()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use bytes::Bytes;

    fn answer(status: u16, ct: &str, body: &str) -> HttpAnswer {
        HttpAnswer { status, content_type: Some(ct.into()), body: Bytes::from(body.to_owned()) }
    }

    #[test]
    fn success_is_converted_with_err_fields_last() {
        let a = answer(200, "application/json", r#"{"errcode":0,"errmsg":"ok","count":1,"list":[{"biz_id":"b","service_type":[{"service_name":"x"}]}],"order_id":12345678901234567890}"#);
        let Outcome::Json { text, big_ints } = interpret("logistics.getAllAccount", None, a, true).unwrap() else { panic!() };
        assert_eq!(big_ints, 1);
        assert_eq!(
            text,
            format!(
                r#"{{"count":1,"list":[{{"bizId":"b","serviceType":[{{"serviceName":"x"}}]}}],"orderId":"{}12345678901234567890","errMsg":"openapi.logistics.getAllAccount:ok","errCode":0}}"#,
                "\\u0000wxbig:"
            )
        );
    }

    #[test]
    fn errcode_becomes_an_error() {
        let a = answer(200, "text/plain", r#"{"errcode":89000,"errmsg":"account has bound open rid: 1-2-3"}"#);
        let e = interpret("openPlatform.createOpenAccount", None, a, true).unwrap_err();
        assert_eq!((e.code, e.rid.as_deref(), e.http_status), (89000, Some("1-2-3"), Some(200)));
    }

    #[test]
    fn binary_and_broken_answers() {
        let img = answer(200, "image/jpeg", "\u{FF}\u{D8}jpeg");
        assert!(matches!(interpret("a.b", None, img, true).unwrap(), Outcome::Binary { content_type, .. } if content_type == "image/jpeg"));
        let e = interpret("a.b", None, answer(200, "application/json", "{\"errcode\":0,"), true).unwrap_err();
        assert_eq!(e.code, -601001);
        let e = interpret("a.b", None, answer(502, "text/html", "<html>bad gateway</html>"), true).unwrap_err();
        assert_eq!((e.category, e.http_status), (Category::Busy, Some(502)));
    }

    #[test]
    fn fields_are_read_by_the_same_checks() {
        let a = answer(200, "text/plain", r#"{"errcode":0,"errmsg":"ok","access_token":"T","expires_in":300}"#);
        let map = fields("auth.getStableAccessToken", None, a).unwrap();
        assert_eq!((string_field(&map, "access_token", "x").unwrap().as_str(), expires_in(&map)), ("T", Duration::from_secs(300)));
        assert_eq!(string_field(&map, "nope", "x").unwrap_err().code, -601001);
        let e = fields("a.b", None, answer(200, "application/json", r#"{"errcode":"40013","errmsg":"invalid appid"}"#)).unwrap_err();
        assert_eq!(e.code, 40013, "a string errcode is read the same way for both shapes");
        assert_eq!(fields("a.b", None, answer(200, "image/jpeg", "\u{FF}\u{D8}")).unwrap_err().code, -601001);
        assert_eq!(fields("a.b", None, answer(502, "text/html", "<html/>")).unwrap_err().category, Category::Busy);
    }

    #[test]
    fn without_case_conversion_keys_stay() {
        let a = answer(200, "application/json", r#"{"biz_id":"x"}"#);
        let Outcome::Json { text, .. } = interpret("a.b", None, a, false).unwrap() else { panic!() };
        assert_eq!(text, r#"{"biz_id":"x","errMsg":"openapi.a.b:ok","errCode":0}"#);
    }
}
