//! Turning WeChat's HTTP answer into a result, read once for every request: JSON with errcode 0 → the data,
//! errcode ≠ 0 → Error, anything not JSON (images) → bytes, as wx-server-sdk does. The data is shaped two ways:
//! JSON text for JS (`interpret` → `Outcome`), or the answer's fields for a domain step (`fields`); errcode,
//! HTTP status and malformed bodies are judged in `check` for both.

use super::{transcode, Outcome};
use wechat_protocol::bigint;
use wechat_protocol::case::{convert_keys, Direction};
use wechat_protocol::secret::{scrub, scrub_value, Secret};
use wechat_protocol::catalogue::{AnswerKind, Endpoint};
use crate::error::{Category, Error};
#[cfg(test)]
use crate::error::RAW_LIMIT;
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

/// An answer that is neither a success nor WeChat's error: -601001 with (the start of) its text.
fn unreadable(api: &str, status: u16, why: String, body: &[u8], held: &[Secret]) -> Error {
    Error::invalid_response(api, why).with_http_status(status).with_raw(body, held)
}

/// The one reader of errcode and of the answer's soundness. `held`: every credential the request held (the
/// exchange's one list), scrubbed from WeChat's text before anything (the rid) is read from it.
fn check(api: &str, endpoint: Option<&Endpoint>, answer: HttpAnswer, convert_case: bool, held: &[Secret]) -> Result<Checked, Error> {
    let status = answer.status;
    if (300..400).contains(&status) {
        // Never followed (the transport's policy); the Location is not quoted: it may carry credentials.
        return Err(Error::invalid_response(api, format!("WeChat answered HTTP {status}, a redirect, which is never followed"))
            .with_retryable(false)
            .with_http_status(status));
    }
    if !looks_like_json(&answer) {
        if status >= 500 {
            return Err(busy(api, status));
        }
        if status != 200 {
            return Err(unreadable(api, status, format!("WeChat answered HTTP {status}"), &answer.body, held));
        }
        // Bytes come from a raw path (`openapi.request`) or, as an image only, from a row that answers images.
        match endpoint.map(|e| e.answer) {
            None => {}
            Some(AnswerKind::Image) if is_image(&answer) => {}
            Some(AnswerKind::Image) => {
                let declared = answer.content_type.as_deref().unwrap_or("no content type");
                return Err(unreadable(api, status, format!("WeChat's answer is neither an image nor JSON ({declared})"), &answer.body, held));
            }
            Some(AnswerKind::Json) => return Err(unreadable(api, status, "WeChat's answer is not JSON".into(), &answer.body, held)),
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
        return Err(unreadable(api, status, format!("WeChat's answer is not valid JSON ({} bytes): {e}", answer.body.len()), &answer.body, held));
    }
    if answer.body.iter().find(|b| !b.is_ascii_whitespace()) != Some(&b'{') {
        return Err(unreadable(api, status, "WeChat's answer is not a JSON object".into(), &answer.body, held));
    }
    // WeChat's record of other requests carries their credentials: scrubbed on the tree, before case conversion
    // (which would change a credential quoted as a key) and before anyone reads it.
    let answer = match endpoint.filter(|e| e.echoes_requests) {
        Some(_) => scrubbed_answer(answer, held),
        None => answer,
    };
    // Straight from bytes to the text JS parses; a tree, conversion and re-serialization cost far more.
    let out = transcode::transcode(&answer.body, convert_case);
    let code = match out.errcode.as_ref().map(errcode_of) {
        None => 0,
        Some(Some(code)) => code,
        Some(None) => {
            let raw = out.errcode.as_ref().map(Value::to_string).unwrap_or_default();
            // Scrubbed before it is cut: a credential cut in two would escape the scrubber.
            let why = format!("WeChat's answer has an errcode that is not an integer: {}", truncate(&scrub(&raw, held), 40));
            return Err(unreadable(api, status, why, &answer.body, held));
        }
    };
    if code != 0 {
        let errmsg = match out.errmsg.as_ref() {
            Some(Value::String(s)) => scrub(s, held),
            _ => String::new(),
        };
        let meaning = endpoint.and_then(|e| e.error_meaning(code));
        let details = error_details(&answer.body, convert_case, held);
        return Err(Error::wechat(api, code, &errmsg, meaning).with_http_status(status).with_details(details));
    }
    if status >= 500 {
        return Err(busy(api, status));
    }
    if endpoint.is_some_and(|e| e.answer == AnswerKind::Image) {
        // JSON is how an image row fails; JSON that says success carries no image.
        return Err(unreadable(api, status, "WeChat answered JSON without an error but no image".into(), &answer.body, held));
    }
    Ok(Checked::Json { out, body: answer.body })
}

/// An error answer larger than this keeps no `details`: WeChat's are a few fields, a larger one is not its.
const DETAILS_LIMIT: usize = 16 * 1024;

/// The fields of an error answer beside errcode and errmsg (addOrder's `delivery_resultcode` and
/// `delivery_resultmsg` say why the courier refused), converted as a success answer would be, and scrubbed.
fn error_details(body: &[u8], convert_case: bool, held: &[Secret]) -> Map<String, Value> {
    if body.len() > DETAILS_LIMIT {
        return Map::new();
    }
    let Ok(Value::Object(mut map)) = serde_json::from_slice::<Value>(body) else { return Map::new() };
    map.shift_remove("errcode");
    map.shift_remove("errmsg");
    // Scrubbed before conversion: camelCase rewrites keys, and a credential echoed as a key would no longer match.
    let value = scrub_value(&Value::Object(map), held);
    match if convert_case { convert_keys(value, Direction::ToCamel) } else { value } {
        Value::Object(map) => map,
        _ => Map::new(),
    }
}

/// The answer with every credential scrubbed from its keys and strings (a row that `echoesRequests`).
fn scrubbed_answer(answer: HttpAnswer, held: &[Secret]) -> HttpAnswer {
    let Ok(value) = serde_json::from_slice::<Value>(&answer.body) else { return answer };
    let body = serde_json::to_vec(&scrub_value(&value, held)).expect("a tree serializes");
    HttpAnswer { body: Bytes::from(body), ..answer }
}

fn truncate(text: &str, max: usize) -> &str {
    match text.char_indices().nth(max) {
        Some((at, _)) => &text[..at],
        None => text,
    }
}

/// The answer as JS receives it: JSON text of the converted data (errMsg/errCode appended), or bytes.
pub fn interpret(api: &str, endpoint: Option<&Endpoint>, answer: HttpAnswer, convert_case: bool, held: &[Secret]) -> Result<Outcome, Error> {
    match check(api, endpoint, answer, convert_case, held)? {
        Checked::Binary { content_type, bytes } => Ok(Outcome::Binary { content_type, bytes }),
        Checked::Json { out, body } if out.repeated_key => {
            let (text, big_ints) = through_tree(api, &body, convert_case);
            Ok(Outcome::Json { text, big_ints })
        }
        Checked::Json { out, .. } => Ok(Outcome::Json { text: transcode::finish(out.text, api), big_ints: out.big_ints }),
    }
}

/// The answer's fields as WeChat named them (snake_case, errcode/errmsg included), for a domain step.
pub fn fields(api: &str, endpoint: Option<&Endpoint>, answer: HttpAnswer, held: &[Secret]) -> Result<Map<String, Value>, Error> {
    let status = answer.status;
    match check(api, endpoint, answer, false, held)? {
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
/// An image as WeChat labels it (`image/jpeg`, `image/png`), or, unlabelled, bytes that start like a PNG, JPEG or GIF.
fn is_image(answer: &HttpAnswer) -> bool {
    match answer.content_type.as_deref() {
        Some(declared) => declared.trim_start().to_ascii_lowercase().starts_with("image/"),
        None => [&b"\x89PNG"[..], b"\xff\xd8\xff", b"GIF8"].iter().any(|magic| answer.body.starts_with(magic)),
    }
}

fn looks_like_json(answer: &HttpAnswer) -> bool {
    let declared = answer.content_type.as_deref().is_some_and(|c| c.contains("json"));
    let first = answer.body.iter().find(|b| !b.is_ascii_whitespace());
    declared || matches!(first, Some(b'{') | Some(b'['))
}

/// errcode is an integer, but some gateways send it as a string of digits; anything else (a float, `true`,
/// `null`, an object, an integer beyond i64, "E40001") is not a code and never means success.
fn errcode_of(v: &Value) -> Option<i64> {
    match v {
        Value::Number(n) => n.as_i64(),
        Value::String(s) if !s.is_empty() && s.strip_prefix('-').unwrap_or(s).bytes().all(|b| b.is_ascii_digit()) => s.parse().ok(),
        _ => None,
    }
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
        let Outcome::Json { text, big_ints } = interpret("logistics.getAllAccount", None, a, true, &[]).unwrap() else { panic!() };
        assert_eq!(big_ints, 1);
        assert_eq!(
            text,
            format!(
                r#"{{"count":1,"list":[{{"bizId":"b","serviceType":[{{"serviceName":"x"}}]}}],"orderId":"{}12345678901234567890","errMsg":"openapi.logistics.getAllAccount:ok","errCode":0}}"#,
                format!("\\u0000{}", &bigint::marker()[1..])
            )
        );
    }

    #[test]
    fn an_error_keeps_the_answers_other_fields_converted_and_scrubbed() {
        let held = [Secret::new("TOKEN-abcdef-123")];
        let body = r#"{"errcode":9300501,"errmsg":"delivery logic fail","delivery_resultcode":10002,"delivery_resultmsg":"bad TOKEN-abcdef-123","access_token":"x"}"#;
        let e = interpret("logistics.addOrder", None, answer(200, "application/json", body), true, &held).unwrap_err();
        let details = e.details.expect("the other fields");
        assert_eq!(details["deliveryResultcode"], 10002);
        assert_eq!(details["deliveryResultmsg"], "bad [redacted]");
        assert_eq!(details["accessToken"], "[redacted]");
        assert!(details.get("errcode").is_none() && details.get("errmsg").is_none());
        let plain = interpret("a.b", None, answer(200, "application/json", body), false, &held).unwrap_err();
        assert_eq!(plain.details.unwrap()["delivery_resultcode"], 10002, "keys as WeChat wrote them without conversion");
        let bare = interpret("a.b", None, answer(200, "application/json", r#"{"errcode":40013,"errmsg":"invalid appid"}"#), true, &[]).unwrap_err();
        assert!(bare.details.is_none(), "none when WeChat said nothing else");
        let huge = format!(r#"{{"errcode":1,"errmsg":"x","pad":"{}"}}"#, "y".repeat(DETAILS_LIMIT));
        assert!(interpret("a.b", None, answer(200, "application/json", &huge), true, &[]).unwrap_err().details.is_none());
    }

    #[test]
    fn errcode_becomes_an_error() {
        let a = answer(200, "text/plain", r#"{"errcode":89000,"errmsg":"account has bound open rid: 1-2-3"}"#);
        let e = interpret("openPlatform.createOpenAccount", None, a, true, &[]).unwrap_err();
        assert_eq!((e.code, e.rid.as_deref(), e.http_status), (89000, Some("1-2-3"), Some(200)));
    }

    #[test]
    fn binary_and_broken_answers() {
        let img = answer(200, "image/jpeg", "\u{FF}\u{D8}jpeg");
        assert!(matches!(interpret("a.b", None, img, true, &[]).unwrap(), Outcome::Binary { content_type, .. } if content_type == "image/jpeg"));
        let e = interpret("a.b", None, answer(200, "application/json", "{\"errcode\":0,"), true, &[]).unwrap_err();
        assert_eq!(e.code, -601001);
        let e = interpret("a.b", None, answer(502, "text/html", "<html>bad gateway</html>"), true, &[]).unwrap_err();
        assert_eq!((e.category, e.http_status), (Category::Busy, Some(502)));
    }

    #[test]
    fn image_rows_answer_images_and_fail_with_json() {
        let row = wechat_protocol::catalogue::catalogue().get("wxacode.getUnlimited");
        let png = HttpAnswer { status: 200, content_type: Some("image/png".into()), body: Bytes::from_static(b"\x89PNG\r\n\x1a\n....") };
        let Outcome::Binary { content_type, bytes } = interpret("wxacode.getUnlimited", row, png, true, &[]).unwrap() else { panic!() };
        assert_eq!((content_type.as_str(), &bytes[..4]), ("image/png", &b"\x89PNG"[..]));
        let unlabelled = HttpAnswer { status: 200, content_type: None, body: Bytes::from_static(b"\xff\xd8\xffjpeg") };
        assert!(matches!(interpret("wxacode.get", row, unlabelled, true, &[]).unwrap(), Outcome::Binary { .. }));
        let failed = answer(200, "application/json", r#"{"errcode":41030,"errmsg":"invalid page rid: 1-2-3"}"#);
        let e = interpret("wxacode.getUnlimited", row, failed, true, &[]).unwrap_err();
        assert_eq!(e.code, 41030);
        let text = answer(200, "text/plain", "not an image");
        assert_eq!(interpret("wxacode.getUnlimited", row, text, true, &[]).unwrap_err().code, -601001);
        let json_ok = answer(200, "application/json", r#"{"errcode":0,"errmsg":"ok"}"#);
        assert_eq!(interpret("wxacode.getUnlimited", row, json_ok, true, &[]).unwrap_err().code, -601001);
        // A JSON row still refuses an image.
        let json_row = wechat_protocol::catalogue::catalogue().get("logistics.getAllAccount");
        let img = answer(200, "image/jpeg", "\u{FF}\u{D8}jpeg");
        assert_eq!(interpret("logistics.getAllAccount", json_row, img, true, &[]).unwrap_err().code, -601001);
    }

    #[test]
    fn fields_are_read_by_the_same_checks() {
        let a = answer(200, "text/plain", r#"{"errcode":0,"errmsg":"ok","access_token":"T","expires_in":300}"#);
        let map = fields("auth.getStableAccessToken", None, a, &[]).unwrap();
        assert_eq!((string_field(&map, "access_token", "x").unwrap().as_str(), expires_in(&map)), ("T", Duration::from_secs(300)));
        assert_eq!(string_field(&map, "nope", "x").unwrap_err().code, -601001);
        let e = fields("a.b", None, answer(200, "application/json", r#"{"errcode":"40013","errmsg":"invalid appid"}"#), &[]).unwrap_err();
        assert_eq!(e.code, 40013, "a string errcode is read the same way for both shapes");
        assert_eq!(fields("a.b", None, answer(200, "image/jpeg", "\u{FF}\u{D8}"), &[]).unwrap_err().code, -601001);
        assert_eq!(fields("a.b", None, answer(502, "text/html", "<html/>"), &[]).unwrap_err().category, Category::Busy);
    }

    #[test]
    fn without_case_conversion_keys_stay() {
        let a = answer(200, "application/json", r#"{"biz_id":"x"}"#);
        let Outcome::Json { text, .. } = interpret("a.b", None, a, false, &[]).unwrap() else { panic!() };
        assert_eq!(text, r#"{"biz_id":"x","errMsg":"openapi.a.b:ok","errCode":0}"#);
    }

    /// Hardening class 9: only an integer 0, a digit string WeChat meant as its code, or no errcode at all is read
    /// as a code; anything else is -601001 with the answer's text kept (scrubbed, cut short).
    #[test]
    fn an_errcode_that_is_not_an_integer_is_never_success() {
        for raw in ["\"E40001\"", "4.0001e4", "true", "12345678901234567890", "null", "{\"code\":40001}", "\"\"", "\" 1\"", "[0]"] {
            let body = format!(r#"{{"errcode":{raw},"errmsg":"something is wrong","access_token":"TOKEN-IN-ANSWER"}}"#);
            let e = interpret("a.b", None, answer(200, "application/json", &body), true, &[]).unwrap_err();
            assert_eq!((e.code, e.http_status), (-601001, Some(200)), "{raw}");
            let kept = e.raw.as_deref().unwrap();
            assert!(kept.contains("something is wrong") && kept.contains("[redacted]") && !kept.contains("TOKEN-IN-ANSWER"), "{kept}");
            assert_eq!(fields("a.b", None, answer(200, "application/json", &body), &[]).unwrap_err().code, -601001, "{raw}");
        }
        for (raw, code) in [("0", 0), ("\"0\"", 0), ("\"40001\"", 40001), ("-1", -1), ("\"-1\"", -1)] {
            let body = format!(r#"{{"errcode":{raw},"errmsg":"x"}}"#);
            let got = interpret("a.b", None, answer(200, "application/json", &body), true, &[]).map_or_else(|e| e.code, |_| 0);
            assert_eq!(got, code, "{raw}");
        }
        let long = format!(r#"{{"errcode":"x","errmsg":"{}"}}"#, "中".repeat(500));
        let kept = interpret("a.b", None, answer(200, "application/json", &long), true, &[]).unwrap_err().raw.unwrap();
        assert!(kept.len() <= RAW_LIMIT + 3 && kept.ends_with('…') && !kept.contains('\u{FFFD}'), "{kept}");
        // A held credential across the cut is scrubbed before the cut, so no half of it stays.
        let held = [Secret::new("HELD-CREDENTIAL-0123456789")];
        for pad in 250..300 {
            let body = format!(r#"{{"errcode":"E{0}","errmsg":"{1}{0}"}}"#, held[0].expose(), "x".repeat(pad));
            let e = interpret("a.b", None, answer(200, "application/json", &body), true, &held).unwrap_err();
            let all = format!("{} {}", e.message, e.raw.unwrap());
            assert!(!all.contains("HELD-CRED") && !all.contains("0123456789"), "{pad}: {all}");
        }
    }

    /// Hardening class 9: a row of the table never answers bytes (none is marked binary), so an HTML page is
    /// not a success there; a raw path (`openapi.request`) still may answer an image.
    #[test]
    fn a_row_never_takes_html_for_binary() {
        let row = wechat_protocol::catalogue::catalogue().get("logistics.getAllAccount");
        let page = answer(200, "text/html", "<html><body>Login to the captive portal</body></html>");
        let e = interpret("logistics.getAllAccount", row, page, true, &[]).unwrap_err();
        assert_eq!((e.code, e.raw.as_deref()), (-601001, Some("<html><body>Login to the captive portal</body></html>")));
        let e = interpret("a.b", None, answer(404, "text/html", "<html>404</html>"), true, &[]).unwrap_err();
        assert_eq!((e.code, e.raw.as_deref()), (-601001, Some("<html>404</html>")));
        assert!(matches!(interpret("request", None, answer(200, "image/png", "\u{89}PNG"), true, &[]), Ok(Outcome::Binary { .. })));
    }

    /// Hardening class 7: a 3xx is an invalid answer naming its status, never retried, never quoting a body or Location.
    #[test]
    fn a_redirect_is_an_invalid_answer() {
        for status in [301, 302, 303, 307, 308] {
            let a = answer(status, "application/json", r#"{"errcode":0,"see":"http://u:pw@evil/x?access_token=T"}"#);
            let e = interpret("a.b", None, a, true, &[]).unwrap_err();
            assert_eq!((e.code, e.retryable, e.http_status), (-601001, false, Some(status)));
            assert!(e.message.contains(&status.to_string()) && !e.message.contains("evil") && e.raw.is_none(), "{e:?}");
        }
    }

    /// Hardening class 8: held credentials are scrubbed from WeChat's errmsg before the rid is read from it.
    #[test]
    fn an_echoed_credential_never_becomes_the_rid() {
        let held = [Secret::new("echoed-token-0123456789")];
        let a = answer(200, "application/json", r#"{"errcode":40001,"errmsg":"bad echoed-token-0123456789 rid: echoed-token-0123456789"}"#);
        let e = interpret("a.b", None, a, true, &held).unwrap_err();
        assert_eq!((e.code, e.rid.as_deref(), e.message.as_str()), (40001, None, "bad [redacted] rid: [redacted]"));
        let e = Error::wechat("a.b", 40001, "x rid: secret-value-1", None).scrubbed(&[Secret::new("secret-value-1")]);
        assert_eq!((e.rid, e.message.as_str()), (None, "x rid: [redacted]"));
    }

    /// Hardening class 10: a string in an answer that looks like a mark (the old fixed one, or ours without its
    /// nonce) stays a string beside a long integer; only the long integer carries this process's mark.
    #[test]
    fn strings_that_look_marked_are_not_marked() {
        for repeated in ["", r#","n":1"#] {
            let body = format!(r#"{{"errcode":0,"s":"\u0000wxbig:42","t":"\u0000wxbig:x","n":12345678901234567890{repeated}}}"#);
            let Outcome::Json { text, big_ints } = interpret("a.b", None, answer(200, "application/json", &body), true, &[]).unwrap() else { panic!() };
            let v: Value = serde_json::from_str(&text).unwrap();
            assert_eq!((v["s"].as_str(), v["t"].as_str()), (Some("\u{0}wxbig:42"), Some("\u{0}wxbig:x")), "{text}");
            if repeated.is_empty() {
                assert_eq!((big_ints, v["n"].as_str()), (1, Some(bigint::marked("12345678901234567890").as_str())), "{text}");
            }
            let marked = text.matches(&bigint::marker()[1..]).count();
            assert_eq!(marked, big_ints, "{text}");
        }
    }
}
