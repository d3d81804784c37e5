//! The one error type of the core: what JS receives as an `OpenApiError`, every field and the message filled
//! here (the facade only wraps them), including for the misuse the facade finds itself (`Error::facade`).
//! Codes, categories and meanings come from the code table (`api/error-codes.json`, `wechat_protocol::codes`).
//! Messages are built from already-scrubbed text (or scrubbed here); nothing here ever holds a credential.

pub use wechat_protocol::codes::{category_of, common_meaning, is_token_rejection, Category};

use std::fmt;
use wechat_protocol::secret::{credentials_in, scrub, scrub_value, Secret};

#[cfg(test)]
mod table_tests;

/// wx-server-sdk's SDK-side codes (REFERENCE §1), named as in the code table (a test holds them equal).
pub mod sdk_code {
    pub const INVALID_RESPONSE: i64 = -601001;
    pub const BAD_ARGUMENTS: i64 = -601002;
    pub const NETWORK: i64 = -601003;
    pub const UNKNOWN_API: i64 = -604100;
    pub const NO_PERMISSION: i64 = -604101;
    pub const TIMEOUT: i64 = -604102;
    pub const SYSTEM: i64 = -604103;
}

#[derive(Clone, Debug, PartialEq)]
pub struct Error {
    /// WeChat's errcode, or one of the SDK codes above.
    pub code: i64,
    /// `logistics.getAllAccount`, or what the caller asked for when it is unknown.
    pub api: String,
    /// WeChat's errmsg (rid included, as WeChat wrote it) or the SDK's description.
    pub message: String,
    pub rid: Option<String>,
    pub category: Category,
    pub retryable: bool,
    pub attempts: u32,
    pub http_status: Option<u16>,
    /// The documented meaning of the code, from the endpoint table or the common codes.
    pub meaning: Option<String>,
    /// An answer that could not be read as success or as WeChat's error: its text, scrubbed and cut to
    /// [`RAW_LIMIT`] bytes, so support can see what came back.
    pub raw: Option<String>,
    /// The rest of WeChat's error answer beside errcode and errmsg (addOrder's `delivery_resultcode`, …),
    /// shaped as a success answer would be (camelCase unless the call said otherwise) and scrubbed.
    pub details: Option<serde_json::Value>,
}

/// How much of an unreadable answer an error keeps.
pub const RAW_LIMIT: usize = 300;

impl Error {
    fn build(api: &str, code: i64, message: String) -> Error {
        let category = category_of(code);
        Error {
            code,
            api: api.to_owned(),
            rid: parse_rid(&message),
            retryable: category.retryable_by_default(),
            meaning: common_meaning(code).map(str::to_owned),
            message,
            category,
            attempts: 0,
            http_status: None,
            raw: None,
            details: None,
        }
    }

    /// Keeps the start of an answer's text, scrubbed of `held` and of URL and key-named credentials before it
    /// is cut (a credential cut in two would escape the scrubber).
    pub fn with_raw<'a>(mut self, body: &[u8], held: impl IntoIterator<Item = &'a Secret>) -> Error {
        let text = scrub(&String::from_utf8_lossy(body), held);
        self.raw = Some(match text.char_indices().map(|(i, c)| i + c.len_utf8()).take_while(|&end| end <= RAW_LIMIT).last() {
            Some(end) if end < text.len() => format!("{}…", &text[..end]),
            None if !text.is_empty() => "…".to_owned(),
            _ => text,
        });
        self
    }

    /// The error with every credential in `secrets` (and every URL or key-named credential) scrubbed from
    /// each text it carries; the rid is read again from the scrubbed message, so a credential echoed as the
    /// rid never becomes one. Every error leaving the core passes here (the exchange, config errors).
    pub fn scrubbed<'a>(mut self, secrets: impl IntoIterator<Item = &'a Secret> + Clone) -> Error {
        self.message = scrub(&self.message, secrets.clone());
        self.rid = self.rid.as_ref().and_then(|_| parse_rid(&self.message));
        self.raw = self.raw.map(|raw| scrub(&raw, secrets.clone()));
        self.details = self.details.map(|details| scrub_value(&details, secrets));
        self
    }

    /// WeChat's other answer fields (`details`): kept only when there are some.
    pub fn with_details(mut self, details: serde_json::Map<String, serde_json::Value>) -> Error {
        self.details = (!details.is_empty()).then_some(serde_json::Value::Object(details));
        self
    }

    /// A failure WeChat answered with (`errcode` != 0). `errmsg` must be scrubbed already (the answer reader
    /// does it): the rid is read from it.
    pub fn wechat(api: &str, code: i64, errmsg: &str, endpoint_meaning: Option<&str>) -> Error {
        let mut e = Error::build(api, code, errmsg.to_owned());
        if let Some(m) = endpoint_meaning {
            e.meaning = Some(m.to_owned());
        }
        // A code this endpoint's row does not list but a sibling's does (9300525 "biz_id not bound" is listed
        // on addOrder and answered by getQuota too): the sibling's meaning beats none.
        if e.meaning.is_none() {
            e.meaning = wechat_protocol::catalogue::catalogue().all().iter().find_map(|r| r.error_meaning(code)).map(str::to_owned);
        }
        e
    }

    pub fn invalid_argument(api: &str, message: impl Into<String>) -> Error {
        Error::build(api, sdk_code::BAD_ARGUMENTS, message.into())
    }

    /// -604100: no row of the table. A name on `api/not-cloud.json` (not a cloud call, retired, CloudBase only)
    /// says which, why and what instead; any other names the nearest API and the way to call a path the table
    /// does not have.
    pub fn unknown_api(api: &str) -> Error {
        if let Some(n) = wechat_protocol::catalogue::not_cloud::not_cloud(api) {
            return Error::build(api, sdk_code::UNKNOWN_API, n.explain());
        }
        let names = wechat_protocol::catalogue::catalogue().all();
        let near = wechat_protocol::suggest::nearest(api, names.iter().map(|e| e.name.as_str()));
        let hint = near.map(|n| format!(" (did you mean openapi.{n}?)")).unwrap_or_default();
        Error::build(
            api,
            sdk_code::UNKNOWN_API,
            format!("unknown API openapi.{api}{hint}; for a path the table does not have, call openapi.request({{ method, path, data }})"),
        )
    }

    pub fn network(api: &str, message: impl Into<String>) -> Error {
        Error::build(api, sdk_code::NETWORK, message.into())
    }

    pub fn timeout(api: &str, message: impl Into<String>) -> Error {
        Error::build(api, sdk_code::TIMEOUT, message.into())
    }

    pub fn invalid_response(api: &str, message: impl Into<String>) -> Error {
        Error::build(api, sdk_code::INVALID_RESPONSE, message.into())
    }

    /// A failure inside the SDK that is not the caller's or WeChat's (a bug, a provider that threw).
    pub fn system(api: &str, message: impl Into<String>) -> Error {
        Error::build(api, sdk_code::SYSTEM, message.into())
    }

    /// A bug in wechat-openapi itself (a panic, a native call that failed unexpectedly): the same call would
    /// fail the same way, so it is not retryable.
    pub fn internal(api: &str, what: &str) -> Error {
        Error::system(api, format!("internal error in wechat-openapi: {}", scrub(what, []))).with_retryable(false)
    }

    /// The call was stopped by the caller's AbortSignal before it reached the core (nothing was sent).
    pub fn aborted(api: &str, reason: Option<&str>) -> Error {
        let reason = reason.filter(|r| !r.is_empty()).map(|r| format!(": {}", scrub(r, []))).unwrap_or_default();
        Error::timeout(api, format!("aborted by the caller's AbortSignal{reason}"))
    }

    /// Misuse the facade found before calling the core (an unknown option, a wrong argument type, a signal that
    /// had already fired), so that it has a native error's fields and message. `kind`: `invalid-argument`,
    /// `aborted` (`text`: the signal's reason, may be empty) or `internal`; the text is scrubbed.
    pub fn facade(api: &str, kind: &str, text: &str) -> Error {
        match kind {
            "invalid-argument" => Error::invalid_argument(api, scrub(text, [])),
            "aborted" => Error::aborted(api, Some(text)),
            "internal" => Error::internal(api, text),
            other => Error::internal(api, &format!("unknown error kind {other:?} for: {text}")),
        }
    }

    /// A client configuration the core refused (`text`: why), scrubbed of every credential the configuration
    /// (JSON) holds and of URL passwords; `hint` (what to do about it) follows the reason.
    pub fn config(api: &str, text: &str, config_json: &str, hint: Option<&str>) -> Error {
        let secrets = serde_json::from_str(config_json).map(|v| credentials_in(&v)).unwrap_or_default();
        let text = scrub(text, &secrets);
        Error::invalid_argument(api, match hint {
            Some(hint) => format!("{text}; {hint}"),
            None => text,
        })
    }

    pub fn with_http_status(mut self, status: u16) -> Error {
        self.http_status = Some(status);
        self
    }

    pub fn with_category(mut self, category: Category) -> Error {
        self.category = category;
        self.retryable = category.retryable_by_default();
        self
    }

    pub fn with_retryable(mut self, retryable: bool) -> Error {
        self.retryable = retryable;
        self
    }

    /// wx-server-sdk's `errMsg`: `openapi.<api>:fail <message>`.
    pub fn err_msg(&self) -> String {
        format!("openapi.{}:fail {}", self.api, self.message)
    }

    /// Whether this is WeChat saying the access token is bad (so: drop it and retry once).
    pub fn is_token_rejection(&self) -> bool {
        is_token_rejection(self.code)
    }
}

/// wx-server-sdk's `message`: `errCode: <n> <meaning> | errMsg: <errMsg>`.
impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.meaning.as_deref().filter(|m| !m.is_empty()) {
            Some(meaning) => write!(f, "errCode: {} {meaning} | errMsg: {}", self.code, self.err_msg()),
            None => write!(f, "errCode: {} | errMsg: {}", self.code, self.err_msg()),
        }
    }
}

impl std::error::Error for Error {}

/// WeChat ends many errmsgs with `rid: <request id>`; support asks for it.
fn parse_rid(message: &str) -> Option<String> {
    let at = message.rfind("rid: ")?;
    let rid: String = message[at + 5..]
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '-')
        .collect();
    (!rid.is_empty()).then_some(rid)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wechat_errors_carry_rid_meaning_and_sdk_shapes() {
        let e = Error::wechat(
            "logistics.getAllAccount",
            40001,
            "invalid credential, access_token is invalid or not latest rid: 6566c8e4-5c8d1d4e-1f2c3b4a",
            Some("invalid credential, access_token is invalid or not latest"),
        );
        assert_eq!(e.rid.as_deref(), Some("6566c8e4-5c8d1d4e-1f2c3b4a"));
        assert_eq!(e.category, Category::Auth);
        assert!(e.is_token_rejection());
        assert_eq!(
            e.err_msg(),
            "openapi.logistics.getAllAccount:fail invalid credential, access_token is invalid or not latest rid: 6566c8e4-5c8d1d4e-1f2c3b4a"
        );
        assert!(e.to_string().starts_with("errCode: 40001 invalid credential"));
        assert!(e.to_string().contains(" | errMsg: openapi.logistics.getAllAccount:fail "));
    }

    #[test]
    fn sdk_errors_use_wx_server_sdk_codes() {
        assert_eq!(Error::unknown_api("logistics.nope").code, -604100);
        assert_eq!(Error::unknown_api("logistics.nope").category, Category::InvalidArgument);
        let retired = Error::unknown_api("templateMessage.send");
        assert!(retired.message.starts_with("openapi.templateMessage.send was retired by WeChat (2020-01-10): "), "{}", retired.message);
        assert!(retired.message.contains("subscribeMessage.send"), "{}", retired.message);
        assert_eq!(Error::timeout("a.b", "deadline").category, Category::Timeout);
        assert!(Error::timeout("a.b", "deadline").retryable);
        assert!(!Error::invalid_argument("a.b", "x").retryable);
        assert_eq!(Error::wechat("a.b", -1, "system error", None).category, Category::Busy);
        assert_eq!(Error::wechat("logistics.getQuota", 9300525, "biz_id not bound", None).meaning.as_deref(), Some("biz_id not bound"));
        assert_eq!(parse_rid("no request id here"), None);
    }

    /// Every error made for the facade has the fields and message format of one made by a call.
    #[test]
    fn facade_errors_are_native_errors() {
        let bad = Error::facade("crypto.decrypt", "invalid-argument", "encrypt must be a non-empty string");
        assert_eq!((bad.code, bad.category, bad.retryable, bad.attempts), (-601002, Category::InvalidArgument, false, 0));
        assert_eq!(bad.to_string(), "errCode: -601002 invalid arguments | errMsg: openapi.crypto.decrypt:fail encrypt must be a non-empty string");
        assert_eq!(bad.to_string(), Error::invalid_argument("crypto.decrypt", "encrypt must be a non-empty string").to_string());
        let aborted = Error::facade("a.b", "aborted", "");
        assert_eq!((aborted.code, aborted.category, aborted.attempts), (-604102, Category::Timeout, 0));
        assert_eq!(aborted.err_msg(), "openapi.a.b:fail aborted by the caller's AbortSignal");
        assert_eq!(Error::facade("a.b", "aborted", "user left").err_msg(), "openapi.a.b:fail aborted by the caller's AbortSignal: user left");
        let internal = Error::facade("a.b", "internal", "boom access_token=abc");
        assert_eq!((internal.code, internal.category, internal.retryable), (-604103, Category::Busy, false));
        assert_eq!(internal.message, "internal error in wechat-openapi: boom access_token=[redacted]");
        assert!(Error::facade("a.b", "nope", "x").message.contains("unknown error kind \"nope\""));
        for e in [bad, aborted, internal] {
            assert_eq!(e.meaning.as_deref(), common_meaning(e.code), "{e}");
            assert!(e.meaning.is_some(), "{e}");
        }
    }

    #[test]
    fn config_errors_never_quote_a_credential() {
        let json = r#"{"appid":"wx1","secret":"topsecret-123","apiBase":"http://u:pw@h"}"#;
        let e = Error::config("init", "secret topsecret-123 refused for http://u:pw@h", json, Some("call cloud.init({ appid, secret }) first"));
        assert_eq!(e.err_msg(), "openapi.init:fail secret [redacted] refused for http://[redacted]@h; call cloud.init({ appid, secret }) first");
        assert_eq!((e.code, e.attempts), (-601002, 0));
        assert_eq!(Error::config("createClient", "bad", "not json", None).message, "bad");
    }

    /// Hardening class 8: a config error scrubs every URL credential of the config, whatever its characters
    /// and however the text quotes it.
    #[test]
    fn config_errors_scrub_url_credentials_of_any_characters() {
        for url in ["http://proxy:pa\"ssword-1@h:1/x y", "http://proxy:pa\tssword-2@h", "ftp://proxy:pa ssword-3@h"] {
            let json = serde_json::json!({ "apiBase": url }).to_string();
            let e = Error::config("createClient", &format!("apiBase must be an http(s) URL, got {url:?}"), &json, None);
            assert!(!e.message.contains("ssword-"), "{}", e.message);
            let e = Error::config("createClient", &format!("apiBase {url} is wrong"), &json, None);
            assert!(!e.message.contains("ssword-"), "{}", e.message);
        }
    }

    /// The constants above are the table's SDK rows, by name.
    #[test]
    fn sdk_code_constants_are_the_tables() {
        let consts = [
            ("INVALID_RESPONSE", sdk_code::INVALID_RESPONSE),
            ("BAD_ARGUMENTS", sdk_code::BAD_ARGUMENTS),
            ("NETWORK", sdk_code::NETWORK),
            ("UNKNOWN_API", sdk_code::UNKNOWN_API),
            ("NO_PERMISSION", sdk_code::NO_PERMISSION),
            ("TIMEOUT", sdk_code::TIMEOUT),
            ("SYSTEM", sdk_code::SYSTEM),
        ];
        let table = wechat_protocol::codes::table().sdk();
        assert_eq!(table.len(), consts.len());
        for (name, code) in consts {
            assert_eq!(wechat_protocol::codes::sdk_code(name), Some(code), "{name}");
        }
    }
}
