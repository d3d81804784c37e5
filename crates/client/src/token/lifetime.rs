//! How long a token is trusted when its lifetime comes from outside: the caller's `getAccessToken` may give
//! `expiresIn` in seconds, or nothing, or a number too large for the clock.

use std::time::Duration;

/// A token handed over without a lifetime is reused this long (nine tenths of it, with the early-expiry rule).
pub const PLAIN_TOKEN_LIFE: Duration = Duration::from_secs(300);
/// A longer lifetime is taken as this: a bigger number would overflow the clock.
pub const LONGEST_TOKEN_LIFE: Duration = Duration::from_secs(366 * 24 * 3600);

/// A token WeChat answered with a shorter life (`expires_in: 0`, a negative or tiny number) is trusted this
/// long: otherwise every call would cost a token fetch.
pub const SHORTEST_ANSWERED_LIFE: Duration = Duration::from_secs(60);

/// The lifetime of a token from WeChat's `expires_in`, clamped to
/// [[`SHORTEST_ANSWERED_LIFE`], [`LONGEST_TOKEN_LIFE`]] so no clock arithmetic downstream can overflow.
pub fn answered(expires_in: Duration) -> Duration {
    expires_in.clamp(SHORTEST_ANSWERED_LIFE, LONGEST_TOKEN_LIFE)
}

/// The lifetime of a provided token from its `expiresIn` (seconds): none, zero, negative or not a number →
/// [`PLAIN_TOKEN_LIFE`]; anything beyond [`LONGEST_TOKEN_LIFE`] (infinity included) → that.
pub fn provided(expires_in_secs: Option<f64>) -> Duration {
    match expires_in_secs {
        Some(s) if s > 0.0 => Duration::try_from_secs_f64(s).map_or(LONGEST_TOKEN_LIFE, |d| d.min(LONGEST_TOKEN_LIFE)),
        _ => PLAIN_TOKEN_LIFE,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn provided_lifetimes_are_clamped() {
        assert_eq!(provided(None), PLAIN_TOKEN_LIFE);
        assert_eq!(provided(Some(0.0)), PLAIN_TOKEN_LIFE);
        assert_eq!(provided(Some(-5.0)), PLAIN_TOKEN_LIFE);
        assert_eq!(provided(Some(f64::NAN)), PLAIN_TOKEN_LIFE);
        assert_eq!(provided(Some(7200.0)), Duration::from_secs(7200));
        assert_eq!(provided(Some(1.5)), Duration::from_millis(1500));
        assert_eq!(provided(Some(1e300)), LONGEST_TOKEN_LIFE);
        assert_eq!(provided(Some(f64::INFINITY)), LONGEST_TOKEN_LIFE);
    }

    #[test]
    fn answered_lifetimes_have_a_floor_and_a_ceiling() {
        assert_eq!(answered(Duration::ZERO), SHORTEST_ANSWERED_LIFE);
        assert_eq!(answered(Duration::from_secs(7200)), Duration::from_secs(7200));
        assert_eq!(answered(Duration::from_secs(10_000_000_000_000_000_000)), LONGEST_TOKEN_LIFE);
        assert_eq!(answered(Duration::MAX), LONGEST_TOKEN_LIFE);
    }
}
