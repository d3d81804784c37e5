//! The Redis key layout. Every key starts with the configured prefix (default `wechat-openapi:`) and carries a
//! Redis Cluster hash tag (`{...}`) naming the account, so the keys that change together (a token and its
//! refresh lock) land on one slot and scripts touching both work on a cluster:
//!
//! | key | value | TTL |
//! | --- | --- | --- |
//! | `<prefix>{<appid>}:access_token` | `{"token":"…","expiresAt":<unix ms>,"refreshAt":<unix ms>}` | until `expiresAt` |
//! | `<prefix>{<appid>}:access_token:lock` | a random value owned by the one process refreshing | the lock's TTL |

pub const DEFAULT_PREFIX: &str = "wechat-openapi:";

/// Where one shared token and its refresh lock live.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TokenKeys {
    pub token: String,
    pub lock: String,
}

impl TokenKeys {
    /// `account` is what the hash tag names: an appid (or `component:authorizer` for an authorizer's token).
    pub fn new(prefix: &str, account: &str, name: &str) -> TokenKeys {
        let token = format!("{prefix}{{{account}}}:{name}");
        TokenKeys { lock: format!("{token}:lock"), token }
    }

    /// An app's own access token.
    pub fn access_token(prefix: &str, appid: &str) -> TokenKeys {
        TokenKeys::new(prefix, appid, "access_token")
    }
}

/// Rewrites a key laid out under the default prefix so it sits under `prefix` instead; other keys keep their name
/// with `prefix` in front. (Callers elsewhere in the crate build keys with the default prefix.)
pub fn with_prefix(prefix: &str, key: &str) -> String {
    match key.strip_prefix(DEFAULT_PREFIX) {
        Some(rest) => format!("{prefix}{rest}"),
        None => format!("{prefix}{key}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn layout_with_hash_tags() {
        let k = TokenKeys::access_token(DEFAULT_PREFIX, "wx123");
        assert_eq!(k.token, "wechat-openapi:{wx123}:access_token");
        assert_eq!(k.lock, "wechat-openapi:{wx123}:access_token:lock");
        let k = TokenKeys::access_token("prod:", "wx123");
        assert_eq!(k.token, "prod:{wx123}:access_token");
    }

    #[test]
    fn token_and_lock_share_a_cluster_slot() {
        // Redis Cluster hashes only what is inside the first {...}: both keys hash "wx123".
        let k = TokenKeys::access_token("p:", "wx123");
        let tag = |s: &str| s[s.find('{').unwrap() + 1..s.find('}').unwrap()].to_owned();
        assert_eq!(tag(&k.token), "wx123");
        assert_eq!(tag(&k.lock), "wx123");
    }

    #[test]
    fn store_keys_move_under_the_configured_prefix() {
        assert_eq!(with_prefix("prod:", "wechat-openapi:{wxc}:component_verify_ticket"), "prod:{wxc}:component_verify_ticket");
        assert_eq!(with_prefix(DEFAULT_PREFIX, "wechat-openapi:{wxc}:x"), "wechat-openapi:{wxc}:x");
        assert_eq!(with_prefix("prod:", "other"), "prod:other");
    }
}
