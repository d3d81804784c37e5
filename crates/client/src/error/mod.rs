//! The one error type of the core: what JS receives as an `OpenApiError`.
//! Messages are built from already-scrubbed text; nothing here ever holds a credential.



pub use wechat_protocol::codes::{category_of, common_meaning, is_token_rejection, Category};

use std::fmt;

/// wx-server-sdk's SDK-side codes (REFERENCE §1).
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
}

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
        }
    }

    /// A failure WeChat answered with (`errcode` != 0).
    pub fn wechat(api: &str, code: i64, errmsg: &str, endpoint_meaning: Option<&str>) -> Error {
        let mut e = Error::build(api, code, errmsg.to_owned());
        if let Some(m) = endpoint_meaning {
            e.meaning = Some(m.to_owned());
        }
        e
    }

    pub fn invalid_argument(api: &str, message: impl Into<String>) -> Error {
        Error::build(api, sdk_code::BAD_ARGUMENTS, message.into())
    }

    pub fn unknown_api(api: &str) -> Error {
        Error::build(api, sdk_code::UNKNOWN_API, format!("unknown API openapi.{api}"))
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
        write!(f, "errCode: {} {} | errMsg: {}", self.code, self.meaning.as_deref().unwrap_or(""), self.err_msg())
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
        assert_eq!(Error::timeout("a.b", "deadline").category, Category::Timeout);
        assert!(Error::timeout("a.b", "deadline").retryable);
        assert!(!Error::invalid_argument("a.b", "x").retryable);
        assert_eq!(Error::wechat("a.b", -1, "system error", None).category, Category::Busy);
        assert_eq!(parse_rid("no request id here"), None);
    }
}
