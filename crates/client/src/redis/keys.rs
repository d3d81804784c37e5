//! The Redis key prefix. The layout is the store's (`store::keys`, every key with a Redis Cluster hash tag); in
//! Redis each key moves under the configured prefix (default `wechat-openapi:`).

pub const DEFAULT_PREFIX: &str = "wechat-openapi:";

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
    fn store_keys_move_under_the_configured_prefix() {
        assert_eq!(with_prefix("prod:", "wechat-openapi:{wxc}:component_verify_ticket"), "prod:{wxc}:component_verify_ticket");
        assert_eq!(with_prefix(DEFAULT_PREFIX, "wechat-openapi:{wxc}:x"), "wechat-openapi:{wxc}:x");
        assert_eq!(with_prefix("prod:", "other"), "prod:other");
    }
}
