//! Access tokens kept in the store as `{"token":"…","expiresAt":<unix ms>}`: the expiry travels with the
//! value, so a token read back (by another process, or after a restart) is cached for its real remaining life.

use crate::error::Error;
use wechat_protocol::secret::Secret;
use crate::store::Store;
use crate::token::FreshToken;
use serde::{Deserialize, Serialize};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// A stored token with less life than this left is not worth reusing.
const MIN_REMAINING: Duration = Duration::from_secs(60);

#[derive(Serialize, Deserialize)]
struct StoredToken {
    token: String,
    #[serde(rename = "expiresAt")]
    expires_at: u64,
}

fn now_ms() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).unwrap_or_default().as_millis() as u64
}

/// The stored token at `key`, unless absent, unreadable, nearly expired or the one just rejected.
pub async fn load(store: &dyn Store, key: &str, rejected: Option<&Secret>) -> Result<Option<FreshToken>, Error> {
    let Some(text) = store.get(key).await? else { return Ok(None) };
    // Something else wrote there (or an older layout): fetch a fresh token rather than fail.
    let Ok(stored) = serde_json::from_str::<StoredToken>(&text) else { return Ok(None) };
    let remaining = Duration::from_millis(stored.expires_at.saturating_sub(now_ms()));
    if remaining < MIN_REMAINING || stored.token.is_empty() || rejected.is_some_and(|r| r.expose() == stored.token) {
        return Ok(None);
    }
    Ok(Some(FreshToken { value: Secret::new(stored.token), expires_in: Some(remaining) }))
}

pub async fn save(store: &dyn Store, key: &str, token: &FreshToken) -> Result<(), Error> {
    // Clamped and checked: a lifetime from outside must not overflow the clock (or ask the store for a TTL
    // beyond any store's range).
    let life = token.expires_in.unwrap_or(Duration::from_secs(7200)).min(crate::token::lifetime::LONGEST_TOKEN_LIFE);
    let expires_at = now_ms().saturating_add(u64::try_from(life.as_millis()).unwrap_or(u64::MAX));
    let text = serde_json::to_string(&StoredToken { token: token.value.expose().to_owned(), expires_at })
        .expect("plain JSON");
    store.set(key, &text, Some(life)).await
}

/// Deletes the stored token if it is still `rejected` (another process may have stored a fresher one).
pub async fn forget(store: &dyn Store, key: &str, rejected: &Secret) {
    if let Ok(Some(text)) = store.get(key).await {
        let same = serde_json::from_str::<StoredToken>(&text).is_ok_and(|s| s.token == rejected.expose());
        if same {
            // Best effort: a token left behind is rejected again and replaced then.
            let _ = store.del(key).await;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::MemoryStore;

    #[tokio::test]
    async fn round_trip_skip_rejected_and_forget_only_the_same() {
        let store = MemoryStore::new();
        let token = FreshToken { value: Secret::new("tok-1"), expires_in: Some(Duration::from_secs(7200)) };
        save(&store, "k", &token).await.unwrap();
        let back = load(&store, "k", None).await.unwrap().unwrap();
        assert_eq!(back.value.expose(), "tok-1");
        assert!(back.expires_in.unwrap() > Duration::from_secs(7100));
        assert!(load(&store, "k", Some(&Secret::new("tok-1"))).await.unwrap().is_none());
        forget(&store, "k", &Secret::new("tok-0")).await;
        assert!(load(&store, "k", None).await.unwrap().is_some(), "a different token is kept");
        forget(&store, "k", &Secret::new("tok-1")).await;
        assert!(load(&store, "k", None).await.unwrap().is_none());
    }

    #[tokio::test]
    async fn nearly_expired_or_foreign_values_are_ignored() {
        let store = MemoryStore::new();
        save(&store, "k", &FreshToken { value: Secret::new("t"), expires_in: Some(Duration::from_secs(30)) }).await.unwrap();
        assert!(load(&store, "k", None).await.unwrap().is_none());
        store.set("k", "not json", None).await.unwrap();
        assert!(load(&store, "k", None).await.unwrap().is_none());
    }

    #[tokio::test]
    async fn an_absurd_lifetime_is_stored_clamped_without_overflow() {
        let store = MemoryStore::new();
        let huge = FreshToken { value: Secret::new("t"), expires_in: Some(Duration::from_secs(10_000_000_000_000_000_000)) };
        save(&store, "k", &huge).await.unwrap();
        let back = load(&store, "k", None).await.unwrap().unwrap();
        assert!(back.expires_in.unwrap() <= crate::token::lifetime::LONGEST_TOKEN_LIFE);
        save(&store, "k", &FreshToken { expires_in: Some(Duration::MAX), ..huge }).await.unwrap();
    }
}
