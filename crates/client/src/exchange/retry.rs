//! When a failed attempt is tried again, decided in one place from the endpoint's idempotency mark and the
//! kind of failure: a call that creates something is repeated only when it provably never reached WeChat.

use crate::error::{Category, Error};
use rand::Rng;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

const BACKOFF_BASE: Duration = Duration::from_millis(100);
const BACKOFF_CAP: Duration = Duration::from_secs(2);

/// What happened to one attempt, as far as retrying is concerned.
pub enum Failure<'a> {
    /// The request never left (connection refused, DNS): safe to send again, whatever the endpoint.
    NotSent(&'a Error),
    /// It may have been executed.
    MaybeSent(&'a Error),
}

/// Whether repeating the call could succeed without risking a second execution: what `retryable` says on the
/// error the caller gets, and what decides a retry here. `repeatable`: idempotent, or `retryUnsafe` given.
pub fn retryable(failure: &Failure<'_>, repeatable: bool) -> bool {
    let (error, sent) = match failure {
        Failure::NotSent(e) => (e, false),
        Failure::MaybeSent(e) => (e, true),
    };
    if !error.retryable {
        // Already judged final where it was made (an oversized answer, a certificate WeChat's host failed).
        return false;
    }
    match error.category {
        // 45011 is refused before execution: waiting for the next minute is safe for any call.
        Category::RateLimit => true,
        Category::Busy | Category::Network | Category::Timeout => repeatable || !sent,
        _ => false,
    }
}

/// A failure that leaves a non-repeatable call's outcome unknown: it may have run, and it is refused a retry
/// only for that reason (a transient failure after sending). Such a call is reconciled when its row says how.
pub fn ambiguous(failure: &Failure<'_>, repeatable: bool) -> bool {
    match failure {
        Failure::MaybeSent(e) => !repeatable && e.retryable && matches!(e.category, Category::Busy | Category::Network | Category::Timeout),
        Failure::NotSent(_) => false,
    }
}

/// How long to wait before the next attempt, or None to give up now.
pub fn next_delay(failure: Failure<'_>, repeatable: bool, attempt: u32, max_attempts: u32) -> Option<Duration> {
    if attempt >= max_attempts || !retryable(&failure, repeatable) {
        return None;
    }
    let (Failure::NotSent(error) | Failure::MaybeSent(error)) = failure;
    Some(match error.category {
        Category::RateLimit => until_next_minute(),
        _ => full_jitter(attempt),
    })
}

/// Exponential backoff with full jitter: a random wait up to base·2^(attempt-1), capped.
fn full_jitter(attempt: u32) -> Duration {
    let ceiling = BACKOFF_BASE.saturating_mul(1 << attempt.saturating_sub(1).min(10)).min(BACKOFF_CAP);
    let millis = rand::thread_rng().gen_range(0..=ceiling.as_millis() as u64);
    Duration::from_millis(millis)
}

fn until_next_minute() -> Duration {
    let now = SystemTime::now().duration_since(UNIX_EPOCH).unwrap_or_default();
    Duration::from_millis(60_000 - (now.as_millis() % 60_000) as u64 + 50)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_safe_retries() {
        let busy = Error::wechat("a.b", -1, "system error", None);
        let biz = Error::wechat("a.b", 89000, "bound", None);
        let refused = Error::network("a.b", "connection refused");
        assert!(next_delay(Failure::MaybeSent(&busy), true, 1, 3).is_some());
        assert!(next_delay(Failure::MaybeSent(&busy), false, 1, 3).is_none(), "an order is not placed twice");
        assert!(next_delay(Failure::NotSent(&refused), false, 1, 3).is_some());
        assert!(next_delay(Failure::MaybeSent(&busy), true, 3, 3).is_none());
        assert!(next_delay(Failure::MaybeSent(&biz), true, 1, 3).is_none());
        assert!(full_jitter(20) <= BACKOFF_CAP);
        let too_large = Error::invalid_response("a.b", "too large").with_retryable(false);
        assert!(next_delay(Failure::MaybeSent(&too_large), true, 1, 3).is_none(), "the same answer would come back");
        let timeout = Error::timeout("a.b", "attempt");
        assert!(!retryable(&Failure::MaybeSent(&timeout), false), "a timed-out order may have been placed");
        assert!(retryable(&Failure::MaybeSent(&timeout), true));
        assert!(retryable(&Failure::NotSent(&timeout), false));
        assert!(retryable(&Failure::MaybeSent(&Error::wechat("a.b", 45011, "minute quota", None)), false));
        assert!(!retryable(&Failure::MaybeSent(&Error::wechat("a.b", 45009, "daily quota", None)), true));
    }

    #[test]
    fn ambiguous_is_exactly_the_may_have_run_refusal() {
        let timeout = Error::timeout("a.b", "attempt");
        let busy = Error::wechat("a.b", -1, "system error", None);
        assert!(ambiguous(&Failure::MaybeSent(&timeout), false));
        assert!(ambiguous(&Failure::MaybeSent(&busy), false));
        assert!(!ambiguous(&Failure::MaybeSent(&timeout), true), "a repeatable call is simply retried");
        assert!(!ambiguous(&Failure::NotSent(&timeout), false), "never sent: nothing ran");
        assert!(!ambiguous(&Failure::MaybeSent(&Error::wechat("a.b", 45011, "minute quota", None)), false), "refused before running");
        assert!(!ambiguous(&Failure::MaybeSent(&Error::wechat("a.b", 9300501, "logic", None)), false), "WeChat's verdict");
        let too_large = Error::invalid_response("a.b", "too large").with_retryable(false);
        assert!(!ambiguous(&Failure::MaybeSent(&too_large), false));
        for f in [Failure::MaybeSent(&timeout), Failure::MaybeSent(&busy), Failure::NotSent(&timeout)] {
            for repeatable in [false, true] {
                if ambiguous(&f, repeatable) {
                    assert!(!retryable(&f, repeatable), "ambiguous only where the retry is refused");
                }
            }
        }
    }
}
