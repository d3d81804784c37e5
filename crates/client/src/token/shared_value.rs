//! A shared access token as it sits in the shared store (Redis, or the user's): `{"token":"…","expiresAt":<unix ms>,"refreshAt":<unix ms>}`
//! (the component tokens' layout, plus `refreshAt`). Absolute times, so every process computes the same
//! freshness: all agree the token is due at `refreshAt`, the writer's early-expiry point.

use wechat_protocol::secret::Secret;
use super::{early_margin, FreshToken};
use serde::{Deserialize, Serialize};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

#[derive(Serialize, Deserialize, Debug, PartialEq)]
pub struct SharedToken {
    token: String,
    #[serde(rename = "expiresAt")]
    expires_at: u64,
    /// Missing in values written by other code: then due one minute before expiry.
    #[serde(rename = "refreshAt", default, skip_serializing_if = "Option::is_none")]
    refresh_at: Option<u64>,
}

pub fn now_ms() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).unwrap_or_default().as_millis() as u64
}

/// The JSON to store and its TTL, or None for a token of unknown lifetime (nothing to agree on).
pub fn encode(token: &FreshToken, now: u64) -> Option<(String, Duration)> {
    let life = token.expires_in.filter(|l| !l.is_zero())?;
    let life_ms = u64::try_from(life.as_millis()).ok()?;
    let expires_at = now.checked_add(life_ms)?;
    let refresh_at = expires_at.saturating_sub(u64::try_from(early_margin(life).as_millis()).ok()?);
    let value = SharedToken { token: token.value.expose().to_owned(), expires_at, refresh_at: Some(refresh_at) };
    Some((serde_json::to_string(&value).expect("plain JSON"), life))
}

/// The token a stored value holds, fresh or not (to compare with one WeChat refused).
pub fn token_of(stored: &str) -> Option<String> {
    serde_json::from_str::<SharedToken>(stored).ok().map(|s| s.token)
}

/// The stored token if it is still fresh at `now` and is not the one just rejected.
pub fn usable(stored: Option<&str>, rejected: Option<&Secret>, now: u64) -> Option<FreshToken> {
    // Anything unreadable is treated as absent: it will be overwritten by the next refresh.
    let stored: SharedToken = serde_json::from_str(stored?).ok()?;
    let refresh_at = stored.refresh_at.unwrap_or(stored.expires_at.saturating_sub(60_000));
    if stored.token.is_empty() || now >= refresh_at || rejected.is_some_and(|r| r.expose() == stored.token) {
        return None;
    }
    Some(FreshToken { value: Secret::new(stored.token), expires_in: Some(Duration::from_millis(stored.expires_at - now)) })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fresh(value: &str, secs: u64) -> FreshToken {
        FreshToken { value: Secret::new(value), expires_in: Some(Duration::from_secs(secs)) }
    }

    #[test]
    fn round_trip_with_absolute_times() {
        let (json, ttl) = encode(&fresh("TOKEN-A", 7200), 1_000_000).unwrap();
        assert_eq!(json, r#"{"token":"TOKEN-A","expiresAt":8200000,"refreshAt":7900000}"#);
        assert_eq!(ttl, Duration::from_secs(7200));
        // Another process reading it 1000 s later sees the real remaining life.
        let got = usable(Some(&json), None, 2_000_000).unwrap();
        assert_eq!((got.value.expose(), got.expires_in), ("TOKEN-A", Some(Duration::from_secs(6200))));
    }

    #[test]
    fn due_rejected_or_unreadable_values_are_not_used() {
        let (json, _) = encode(&fresh("TOKEN-A", 7200), 0).unwrap();
        assert!(usable(Some(&json), None, 6_899_999).is_some());
        assert!(usable(Some(&json), None, 6_900_000).is_none(), "due at expiry - 5 min");
        assert!(usable(Some(&json), Some(&Secret::new("TOKEN-A")), 0).is_none());
        assert!(usable(Some(&json), Some(&Secret::new("TOKEN-B")), 0).is_some());
        assert!(usable(Some("not json"), None, 0).is_none());
        assert!(usable(None, None, 0).is_none());
        // Short stable tokens: due a tenth of their life before expiry.
        let (json, _) = encode(&fresh("S", 300), 0).unwrap();
        assert!(usable(Some(&json), None, 269_000).is_some() && usable(Some(&json), None, 270_000).is_none());
        // The component tokens' layout (no refreshAt): due a minute before expiry.
        assert!(usable(Some(r#"{"token":"C","expiresAt":100000}"#), None, 39_999).is_some());
        assert!(usable(Some(r#"{"token":"C","expiresAt":100000}"#), None, 40_000).is_none());
    }

    #[test]
    fn tokens_without_a_lifetime_are_not_shared() {
        assert!(encode(&FreshToken { value: Secret::new("F"), expires_in: None }, 0).is_none());
    }
}
