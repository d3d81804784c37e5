//! Replays and duplicates, for every push intake (the platform's authorization events, an account's messages,
//! the authorizers' messages): a push stamped outside the freshness window is refused, and one already handled
//! within it (same authenticated content) is recognised so its listeners do not run twice.

use crate::error::Error;
use std::collections::hash_map::RandomState;
use std::collections::HashMap;
use std::hash::BuildHasher;
use std::sync::Mutex;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// How far ahead of our clock a push may be stamped (WeChat's clock and ours drift a little).
pub const MAX_PUSH_AHEAD_SECONDS: i64 = 60;

/// How old a push may be and still be acted on: WeChat retries a push for a few minutes, and clocks drift.
pub const DEFAULT_MAX_AGE_SECONDS: u64 = 300;
/// The widest window an option may set (a ticket lives 12 hours).
const MAX_MAX_AGE_SECONDS: u64 = 12 * 3600;

/// The freshness window an option sets (`push.maxAgeSeconds`, `component.pushMaxAgeSeconds`, named by `option`):
/// a whole number of seconds from 1 to 12 hours, [`DEFAULT_MAX_AGE_SECONDS`] when absent.
pub fn max_age(option: &str, value: Option<serde_json::Value>) -> Result<Duration, String> {
    let seconds = match value {
        None => DEFAULT_MAX_AGE_SECONDS,
        Some(v) => match v.as_f64() {
            Some(n) if n.fract() == 0.0 && (1.0..=MAX_MAX_AGE_SECONDS as f64).contains(&n) => n as u64,
            _ => return Err(format!("{option} must be a whole number from 1 to {MAX_MAX_AGE_SECONDS}")),
        },
    };
    Ok(Duration::from_secs(seconds))
}

/// The pushes handled within the freshness window, by a keyed hash of their authenticated content.
/// Entries leave once their push would be refused as stale anyway.
#[derive(Default)]
pub struct SeenPushes {
    hasher: RandomState,
    /// content hash → unix second after which the push is stale anyway.
    until: Mutex<HashMap<u64, i64>>,
}

impl SeenPushes {
    pub fn key(&self, content: &str) -> u64 {
        self.hasher.hash_one(content)
    }

    /// Records `key`; false when it was already there (a duplicate).
    pub fn first_time(&self, key: u64, until: i64, now: i64) -> bool {
        let mut seen = self.until.lock().unwrap_or_else(|p| p.into_inner());
        seen.retain(|_, forget_at| *forget_at >= now);
        seen.insert(key, until).is_none()
    }

    /// Forgets a push, so WeChat's retry of a push we failed to act on is acted on.
    pub fn forget(&self, key: u64) {
        self.until.lock().unwrap_or_else(|p| p.into_inner()).remove(&key);
    }

    /// `forget` by the key's text (as JS holds it).
    pub fn forget_text(&self, key: &str) {
        if let Ok(key) = key.parse() {
            self.forget(key);
        }
    }
}

pub fn unix_now() -> i64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs() as i64)
}

/// Refuses a stamp outside [now - max_age, now + MAX_PUSH_AHEAD_SECONDS]; `what` names the stamp and
/// `option` the setting that widens the window.
pub fn check_fresh(api: &str, option: &str, what: &str, stamp: i64, now: i64, max_age: i64) -> Result<(), Error> {
    if stamp < now - max_age {
        return Err(rejected(api, format!("stale push: its {what} is {} s old, more than the {max_age} s allowed ({option})", now - stamp)));
    }
    if stamp > now + MAX_PUSH_AHEAD_SECONDS {
        return Err(rejected(api, format!("push from the future: its {what} is {} s ahead of this clock", stamp - now)));
    }
    Ok(())
}

/// Every rejection is the sender's fault (or a misconfigured token/key): invalid-argument, naming what failed
/// and never echoing the push.
pub fn rejected(api: &str, why: impl std::fmt::Display) -> Error {
    Error::invalid_argument(api, format!("push rejected: {why}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn duplicates_are_seen_until_stale_and_forgotten_on_request() {
        let seen = SeenPushes::default();
        let key = seen.key("<xml/>");
        assert!(seen.first_time(key, 100, 50));
        assert!(!seen.first_time(key, 100, 60));
        seen.forget_text(&key.to_string());
        assert!(seen.first_time(key, 100, 60));
        // Past its window it is dropped, and a later copy would be refused as stale by check_fresh anyway.
        assert!(seen.first_time(key, 200, 101));
        assert!(check_fresh("a", "o", "CreateTime", 0, 1000, 300).unwrap_err().message.contains("stale push"));
        assert!(check_fresh("a", "o", "CreateTime", 1100, 1000, 300).unwrap_err().message.contains("future"));
        assert!(check_fresh("a", "o", "CreateTime", 990, 1000, 300).is_ok());
    }
}
