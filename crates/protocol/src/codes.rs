//! Error classes: which codes mean what kind of trouble, and the meaning of codes that every endpoint can answer.

use serde::Serialize;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Category {
    /// Credentials or tokens: bad appid/secret, invalid or expired tokens, tickets, refresh tokens.
    Auth,
    /// A daily quota is used up (45009): retrying today is pointless.
    Quota,
    /// A per-minute limit (45011): retry after the minute.
    RateLimit,
    /// WeChat is busy (-1) or answered 5xx: retry later.
    Busy,
    /// The request or its answer was lost on the way.
    Network,
    Timeout,
    /// The call was wrong: rejected before I/O, or by WeChat as malformed.
    InvalidArgument,
    /// The account or platform may not make this call.
    Permission,
    /// WeChat understood and said no for a business reason.
    Business,
}

impl Category {
    pub fn as_str(self) -> &'static str {
        match self {
            Category::Auth => "auth",
            Category::Quota => "quota",
            Category::RateLimit => "rate-limit",
            Category::Busy => "busy",
            Category::Network => "network",
            Category::Timeout => "timeout",
            Category::InvalidArgument => "invalid-argument",
            Category::Permission => "permission",
            Category::Business => "business",
        }
    }

    /// Whether trying again later could succeed, before idempotency is taken into account.
    pub fn retryable_by_default(self) -> bool {
        matches!(self, Category::RateLimit | Category::Busy | Category::Network | Category::Timeout)
    }
}

pub fn is_token_rejection(code: i64) -> bool {
    matches!(code, 40001 | 40014 | 42001)
}

pub fn category_of(code: i64) -> Category {
    match code {
        -1 | -604103 => Category::Busy,
        -601003 | -601001 => Category::Network,
        -604102 => Category::Timeout,
        -601002 | -604100 | 40003 | 41001..=41099 | 44001..=44099 | 47001 | 40097 | 9300501..=9300599 if code != 41004 => {
            Category::InvalidArgument
        }
        40001 | 40002 | 40013 | 40014 | 40125 | 40164 | 41004 | 42001 | 42002 | 61004 | 61005 | 61006 | 61023 => Category::Auth,
        45009 | 76021 => Category::Quota,
        45011 => Category::RateLimit,
        -604101 | 48001 | 61003 | 61007 | 61011 | 933004 | 89503 => Category::Permission,
        _ => Category::Business,
    }
}

/// Meanings of codes any endpoint may answer (REFERENCE §3); an endpoint's own table entry wins over these.
pub fn common_meaning(code: i64) -> Option<&'static str> {
    Some(match code {
        -1 => "system error, WeChat is busy; retry later",
        -601001 => "invalid response from WeChat",
        -601002 => "invalid arguments",
        -601003 => "network error",
        -604100 => "API not found",
        -604101 => "no permission to call this API",
        -604102 => "call timed out",
        -604103 => "open API system error",
        40001 => "invalid credential, access_token is invalid or not latest",
        40002 => "invalid grant_type",
        40003 => "invalid openid",
        40013 => "invalid appid",
        40014 => "invalid access_token",
        40125 => "invalid appsecret",
        40164 => "caller IP is not in the IP whitelist",
        41001 => "access_token missing",
        41004 => "appsecret missing",
        42001 => "access_token expired",
        42002 => "refresh_token expired",
        44002 => "empty POST body",
        45009 => "daily API quota reached; reset it with auth.clearQuota",
        45011 => "API minute-quota reached; retry after the minute",
        47001 => "data format error",
        48001 => "API not authorized for this account",
        61003 => "component is not authorized by this account",
        61004 => "caller IP is not in the third-party platform's whitelist",
        61005 => "component_verify_ticket expired",
        61006 => "component_verify_ticket invalid",
        61007 => "the authorizer has not granted this permission set to the platform",
        61023 => "authorizer refresh_token is invalid; the merchant must authorize again",
        933004 => "only a third-party platform may call this API, on behalf of an authorizer",
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn categories() {
        assert_eq!(category_of(45011), Category::RateLimit);
        assert_eq!(category_of(45009), Category::Quota);
        assert_eq!(category_of(41004), Category::Auth);
        assert_eq!(category_of(41001), Category::InvalidArgument);
        assert_eq!(category_of(89000), Category::Business);
        assert_eq!(category_of(61007), Category::Permission);
        assert_eq!(Category::RateLimit.as_str(), "rate-limit");
    }
}
