//! A token as it sits in a store, under its key (see `store::keys`):
//! `{"token":"…","expiresAt":<unix ms>,"refreshAt":<unix ms>}`. The one codec of every stored token: an app's
//! (shared through a store that locks), the platform's component token and its authorizers' tokens. Absolute
//! times, so every process computes the same freshness: all agree the token is due at `refreshAt`, the writer's
//! early-expiry point. Records without `refreshAt` (the component and authorizer tokens' layout before there
//! was one codec, or another writer's) are read too: due one minute before expiry.

use super::lifetime::LONGEST_TOKEN_LIFE;
use super::shape;
use super::{early_margin, FreshToken};
use crate::error::Error;
use crate::store::Store;
use serde::{Deserialize, Serialize};
use std::time::{Duration, SystemTime, UNIX_EPOCH};
use wechat_protocol::secret::Secret;

#[derive(Serialize, Deserialize)]
struct Record {
    token: String,
    #[serde(rename = "expiresAt")]
    expires_at: u64,
    /// Missing in records written before there was one codec (or by other code): then due one minute before expiry.
    #[serde(rename = "refreshAt", default, skip_serializing_if = "Option::is_none")]
    refresh_at: Option<u64>,
}

pub fn now_ms() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).unwrap_or_default().as_millis() as u64
}

/// The JSON to store and its TTL, or None for a token of unknown lifetime (nothing to agree on). A lifetime
/// beyond [`LONGEST_TOKEN_LIFE`] is stored as that: no clock arithmetic, here or in a store's TTL, can overflow.
pub fn encode(token: &FreshToken, now: u64) -> Option<(String, Duration)> {
    let life = token.expires_in.filter(|l| !l.is_zero())?.min(LONGEST_TOKEN_LIFE);
    let life_ms = u64::try_from(life.as_millis()).ok()?;
    let expires_at = now.checked_add(life_ms)?;
    let refresh_at = expires_at.saturating_sub(u64::try_from(early_margin(life).as_millis()).ok()?);
    let value = Record { token: token.value.expose().to_owned(), expires_at, refresh_at: Some(refresh_at) };
    Some((serde_json::to_string(&value).expect("plain JSON"), life))
}

/// The token a stored value holds, fresh or not (to compare with one WeChat refused).
pub fn token_of(stored: &str) -> Option<String> {
    serde_json::from_str::<Record>(stored).ok().map(|s| s.token)
}

/// The stored token if it is still fresh at `now` and is not the one just rejected.
pub fn usable(stored: Option<&str>, rejected: Option<&Secret>, now: u64) -> Option<FreshToken> {
    // Anything unreadable is treated as absent: it will be overwritten by the next refresh.
    let stored: Record = serde_json::from_str(stored?).ok()?;
    let refresh_at = stored.refresh_at.unwrap_or(stored.expires_at.saturating_sub(60_000));
    // `expiresAt` too: a record whose `refreshAt` lies beyond its expiry (another writer's) is not trusted past it.
    // A value no token could be (huge, or breaking a query string) is absent too: never sent, never shown.
    if shape::flaw(&stored.token).is_some() || now >= refresh_at || now >= stored.expires_at || rejected.is_some_and(|r| r.expose() == stored.token) {
        return None;
    }
    Some(FreshToken { value: Secret::new(stored.token), expires_in: Some(Duration::from_millis(stored.expires_at - now)) })
}

/// Stores `token` at `key` for its lifetime (nothing for a token of unknown lifetime).
pub async fn save(store: &dyn Store, key: &str, token: &FreshToken) -> Result<(), Error> {
    let Some((value, ttl)) = encode(token, now_ms()) else { return Ok(()) };
    store.set(key, &value, Some(ttl)).await
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
        // Not a token, whatever its freshness: too large for a URI, or breaking the query string it goes in.
        for bad in ["X".repeat(70 * 1024), "a&b".into(), "a b".into(), "a#b".into(), "a\nb".into(), String::new()] {
            let (json, _) = encode(&fresh(&bad, 7200), 0).unwrap();
            assert!(usable(Some(&json), None, 0).is_none(), "{}", bad.len());
        }
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

    #[test]
    fn an_absurd_lifetime_is_stored_clamped_without_overflow() {
        for life in [Duration::from_secs(10_000_000_000_000_000_000), Duration::MAX] {
            let (json, ttl) = encode(&FreshToken { value: Secret::new("t"), expires_in: Some(life) }, now_ms()).unwrap();
            assert_eq!(ttl, LONGEST_TOKEN_LIFE);
            assert!(usable(Some(&json), None, now_ms()).unwrap().expires_in.unwrap() <= LONGEST_TOKEN_LIFE);
        }
        // Another writer's record due after its expiry is not used past that expiry (nor does it underflow).
        assert!(usable(Some(r#"{"token":"C","expiresAt":100,"refreshAt":500}"#), None, 200).is_none());
    }

    #[tokio::test]
    async fn saved_records_are_read_back_and_records_without_refresh_at_still_count() {
        let store = crate::store::MemoryStore::new();
        save(&store, "k", &fresh("tok-1", 7200)).await.unwrap();
        let back = usable(store.get("k").await.unwrap().as_deref(), None, now_ms()).unwrap();
        assert_eq!(back.value.expose(), "tok-1");
        assert!(back.expires_in.unwrap() > Duration::from_secs(7100));
        // Written by the component tokens' former codec: `{"token","expiresAt"}`.
        let old = format!(r#"{{"token":"tok-0","expiresAt":{}}}"#, now_ms() + 3_600_000);
        assert_eq!(usable(Some(&old), None, now_ms()).unwrap().value.expose(), "tok-0");
        assert_eq!(token_of(&old).as_deref(), Some("tok-0"));
    }
}
