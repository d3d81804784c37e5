//! The emulator's clock: real time plus a skew that tests can advance (`advanceTime`), so token
//! expiry, the 5-minute overlap of old tokens and ticket lifetimes can be tested without sleeping.

use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

#[derive(Debug, Default)]
pub struct Clock {
    skew: Duration,
}

impl Clock {
    pub fn now(&self) -> Instant {
        Instant::now() + self.skew
    }

    /// Unix seconds, as WeChat writes times (`create_time`, `action_time`, …).
    pub fn unix(&self) -> i64 {
        let now = SystemTime::now() + self.skew;
        now.duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs() as i64)
    }

    pub fn advance(&mut self, by: Duration) {
        self.skew += by;
    }

    pub fn skew(&self) -> Duration {
        self.skew
    }
}

/// Seconds left until `deadline`, rounded up, never negative.
pub fn seconds_until(now: Instant, deadline: Instant) -> u64 {
    let left = deadline.saturating_duration_since(now);
    left.as_secs() + u64::from(left.subsec_nanos() > 0)
}
