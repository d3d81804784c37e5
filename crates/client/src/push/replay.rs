//! Replays, for every push intake (the platform's authorization events, an account's messages, the authorizers'
//! messages): a push or URL check stamped outside the freshness window is refused. Within it, a push already
//! handled is recognised by `ledger`.

use crate::error::Error;
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
    fn stamps_outside_the_window_are_refused() {
        assert!(check_fresh("a", "o", "CreateTime", 0, 1000, 300).unwrap_err().message.contains("stale push"));
        assert!(check_fresh("a", "o", "CreateTime", 1100, 1000, 300).unwrap_err().message.contains("future"));
        assert!(check_fresh("a", "o", "CreateTime", 990, 1000, 300).is_ok());
    }
}
