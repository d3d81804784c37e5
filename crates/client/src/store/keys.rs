//! The store's key layout. Every key starts with `wechat-openapi:` and carries a Redis Cluster hash tag
//! (`{...}`), so the keys that change together land on one slot:
//!
//! | key | value | TTL |
//! | --- | --- | --- |
//! | `wechat-openapi:{<appid>}:access_token` | `{"token":"…","expiresAt":<unix ms>,"refreshAt":<unix ms>}` | its lifetime |
//! | `<a token's key>:lock` | a random value owned by the one process refreshing that token | the lock's TTL |
//! | `wechat-openapi:{<component_appid>}:component_verify_ticket` | the last ticket WeChat pushed | 12 h |
//! | `wechat-openapi:{<component_appid>}:component_verify_ticket_time` | that ticket's `CreateTime` (unix s) | 12 h |
//! | `wechat-openapi:{<component_appid>}:component_access_token` | `{"token":"…","expiresAt":<unix ms>,"refreshAt":<unix ms>}` | its lifetime |
//! | `wechat-openapi:{<component_appid>:<authorizer_appid>}:authorizer_access_token` | `{"token":"…","expiresAt":<unix ms>,"refreshAt":<unix ms>}` | its lifetime |
//! | `wechat-openapi:{<component_appid>:<authorizer_appid>}:authorizer_refresh_token` | the refresh token | none |
//! | `wechat-openapi:push:{<push key>}` | `running:<process>` while its listeners run, then `done` | its freshness window |
//!
//! Every token record is read and written by `token::record`, which also reads records without `refreshAt`.
//!
//! An authorizer's keys are tagged with both appids: the same merchant may authorize several platforms, and
//! one platform's thousands of merchants should not all hash to one slot.

use std::time::Duration;

const PREFIX: &str = "wechat-openapi";

/// WeChat keeps a ticket valid 12 hours (REFERENCE §4).
pub const TICKET_TTL: Duration = Duration::from_secs(12 * 3600);

/// The longest appid accepted: WeChat's are 18 characters.
pub const MAX_APPID_LEN: usize = 32;

/// `value` must look like a WeChat appid (ASCII letters and digits, `_` and `-`, at most [`MAX_APPID_LEN`]):
/// it becomes part of store keys, Redis keys and request bodies. The error names `field` and never echoes
/// more than the start of the value.
pub fn check_appid(field: &str, value: &str) -> Result<(), String> {
    if value.is_empty() || value.len() > MAX_APPID_LEN || !value.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-') {
        let shown: String = value.chars().take(40).collect();
        let more = if value.chars().count() > 40 { format!("… ({} bytes)", value.len()) } else { String::new() };
        return Err(format!("{field} must be a WeChat appid (letters and digits, at most {MAX_APPID_LEN}), got {shown:?}{more}"));
    }
    Ok(())
}

/// Where one shared token and its refresh lock live: the lock is the token's key with `:lock`, so both carry
/// the same hash tag (one Redis Cluster slot).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TokenKeys {
    pub token: String,
    pub lock: String,
}

impl TokenKeys {
    pub fn of(token: String) -> TokenKeys {
        TokenKeys { lock: format!("{token}:lock"), token }
    }
}

/// An app's own access token (shared only through Redis or a store that locks).
pub fn access_token(appid: &str) -> String {
    format!("{PREFIX}:{{{appid}}}:access_token")
}

pub fn ticket(component_appid: &str) -> String {
    format!("{PREFIX}:{{{component_appid}}}:component_verify_ticket")
}

/// The `CreateTime` of the stored ticket: a push of an older ticket never replaces it.
pub fn ticket_time(component_appid: &str) -> String {
    format!("{PREFIX}:{{{component_appid}}}:component_verify_ticket_time")
}

pub fn component_token(component_appid: &str) -> String {
    format!("{PREFIX}:{{{component_appid}}}:component_access_token")
}

pub fn authorizer_token(component_appid: &str, authorizer_appid: &str) -> String {
    format!("{PREFIX}:{{{component_appid}:{authorizer_appid}}}:authorizer_access_token")
}

pub fn refresh_token(component_appid: &str, authorizer_appid: &str) -> String {
    format!("{PREFIX}:{{{component_appid}:{authorizer_appid}}}:authorizer_refresh_token")
}

/// The Unix second of the authorizer's latest authorization change (an authorization push's `CreateTime`, or when
/// queryAuth stored its tokens): a push stamped earlier changes nothing (WeChat retries pushes late).
pub fn authorization_time(component_appid: &str, authorizer_appid: &str) -> String {
    format!("{PREFIX}:{{{component_appid}:{authorizer_appid}}}:authorization_time")
}

/// A push being handled or handled, by its key (a keyed digest: [`crate::push::key::PushKey`]); only with a
/// store that locks. Each push is its own slot: nothing else changes with it.
pub fn push(push_key: &str) -> String {
    format!("{PREFIX}:push:{{{push_key}}}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn layout() {
        assert_eq!(ticket("wxc"), "wechat-openapi:{wxc}:component_verify_ticket");
        assert_eq!(component_token("wxc"), "wechat-openapi:{wxc}:component_access_token");
        assert_eq!(authorizer_token("wxc", "wxa"), "wechat-openapi:{wxc:wxa}:authorizer_access_token");
        assert_eq!(refresh_token("wxc", "wxa"), "wechat-openapi:{wxc:wxa}:authorizer_refresh_token");
        assert_eq!(access_token("wx1"), "wechat-openapi:{wx1}:access_token");
        assert_eq!(TokenKeys::of(access_token("wx1")).lock, "wechat-openapi:{wx1}:access_token:lock");
        assert_eq!(push("ab12"), "wechat-openapi:push:{ab12}");
    }

    #[test]
    fn a_token_and_its_lock_share_a_cluster_slot() {
        // Redis Cluster hashes only what is inside the first {...}.
        let tag = |s: &str| s[s.find('{').unwrap() + 1..s.find('}').unwrap()].to_owned();
        for token in [access_token("wx1"), component_token("wxc"), authorizer_token("wxc", "wxa")] {
            let keys = TokenKeys::of(token);
            assert_eq!(tag(&keys.token), tag(&keys.lock));
        }
    }
}
