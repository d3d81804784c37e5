//! What every WeChat answer looks like: `errcode`, an `errmsg` that ends in ` rid: …` when it is a failure,
//! and the data beside them in snake_case.

use rand::Rng;
use serde_json::{Map, Value};
use std::time::{SystemTime, UNIX_EPOCH};

/// A failure as WeChat answers it: the code, WeChat's short errmsg (the rid is added on the way out)
/// and any extra fields the endpoint documents beside them (e.g. `delivery_resultcode`).
#[derive(Clone, Debug, PartialEq)]
pub struct WxError {
    pub code: i64,
    pub message: String,
    pub extra: Map<String, Value>,
}

impl WxError {
    pub fn new(code: i64, message: impl Into<String>) -> WxError {
        WxError { code, message: message.into(), extra: Map::new() }
    }

    /// A code shared by every endpoint, with WeChat's own wording.
    pub fn common(code: i64) -> WxError {
        WxError::new(code, common_errmsg(code).unwrap_or("error"))
    }

    /// 47001 with a hint naming the field, the way WeChat hints at what it could not read.
    pub fn data_format(hint: impl std::fmt::Display) -> WxError {
        WxError::new(47001, format!("{} hint: [{hint}]", common_errmsg(47001).unwrap_or("data format error")))
    }

    pub fn with(mut self, key: &str, value: impl Into<Value>) -> WxError {
        self.extra.insert(key.to_owned(), value.into());
        self
    }
}

/// What a handler answers: the data fields of a success, or a failure.
pub type Reply = Result<Map<String, Value>, WxError>;

/// WeChat's errmsg for the codes every endpoint can answer (the emulator's pipeline answers these itself), and
/// for the few logistics codes WeChat's pages list apart from any endpoint. Every errmsg the emulator writes
/// for such a code comes from here.
pub fn common_errmsg(code: i64) -> Option<&'static str> {
    wechat_protocol::codes::errmsg(code)
}

/// A request id like WeChat's: the unix time in hex, then two random hex words.
pub fn new_rid() -> String {
    let secs = SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs());
    let mut rng = rand::thread_rng();
    format!("{:08x}-{:08x}-{:08x}", secs as u32, rng.gen::<u32>(), rng.gen::<u32>())
}

/// How a success is written: most endpoints add `errcode: 0, errmsg: "ok"`; the endpoints that hand out
/// tokens and codes answer with the bare data, as WeChat's do.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SuccessShape {
    WithErrcode,
    Bare,
    /// An image row: the handler's success names `content_type` and the bytes as `image_base64`; the server
    /// answers those bytes (failures are JSON as everywhere).
    Image,
}

/// The bytes of an image success (`SuccessShape::Image`): content type and bytes, when the reply carries them.
pub fn image_of(data: &Map<String, Value>) -> Option<(String, Vec<u8>)> {
    use base64::Engine;
    let content_type = data.get("content_type")?.as_str()?.to_owned();
    let bytes = base64::engine::general_purpose::STANDARD.decode(data.get("image_base64")?.as_str()?).ok()?;
    Some((content_type, bytes))
}

/// The JSON body of an answer.
pub fn answer_body(reply: Reply, shape: SuccessShape) -> Value {
    let mut out = Map::new();
    match reply {
        Ok(data) => {
            if shape == SuccessShape::WithErrcode {
                out.insert("errcode".into(), 0.into());
                out.insert("errmsg".into(), "ok".into());
            }
            out.extend(data);
        }
        Err(e) => {
            out.insert("errcode".into(), e.code.into());
            out.insert("errmsg".into(), format!("{} rid: {}", e.message, new_rid()).into());
            out.extend(e.extra);
        }
    }
    Value::Object(out)
}

/// Builds a `Map` from `key => value` pairs: `fields! { "count" => 1, "list" => list }`.
macro_rules! fields {
    ($($key:expr => $value:expr),* $(,)?) => {{
        #[allow(unused_mut)]
        let mut map = serde_json::Map::new();
        $(map.insert(String::from($key), serde_json::Value::from($value));)*
        map
    }};
}
pub(crate) use fields;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn failures_carry_a_rid_and_successes_ok() {
        let body = answer_body(Err(WxError::common(40001).with("x", 1)), SuccessShape::WithErrcode);
        let msg = body["errmsg"].as_str().unwrap();
        assert!(msg.starts_with("invalid credential, access_token is invalid or not latest rid: "), "{msg}");
        let rid = msg.rsplit("rid: ").next().unwrap();
        assert_eq!(rid.len(), 26);
        assert!(rid.split('-').all(|part| part.len() == 8 && part.chars().all(|c| c.is_ascii_hexdigit())));
        assert_eq!(body["x"], 1);
        let ok = answer_body(Ok(fields! {"count" => 2}), SuccessShape::WithErrcode);
        assert_eq!(ok, serde_json::json!({"errcode": 0, "errmsg": "ok", "count": 2}));
        let bare = answer_body(Ok(fields! {"access_token" => "t"}), SuccessShape::Bare);
        assert_eq!(bare, serde_json::json!({"access_token": "t"}));
    }
}
