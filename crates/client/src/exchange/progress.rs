//! What a call has done so far, readable after it was cut short (deadline or AbortSignal), so that even those
//! errors report the attempts made and an honest `retryable`.

use crate::error::Error;
use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};

#[derive(Debug, Default)]
pub struct Progress {
    attempts: AtomicU32,
    /// Some attempt may have reached WeChat (so a non-idempotent call may have run).
    maybe_sent: AtomicBool,
    /// The call may be repeated: idempotent, or the caller opted in with `retryUnsafe`.
    repeatable: AtomicBool,
    /// HTTP status of the last answer (0: none yet), for the `response` event.
    http_status: AtomicU32,
    /// HTTP requests sent, counting the one a renewed token repeats (what the events report).
    requests: AtomicU32,
}

impl Progress {
    pub fn set_repeatable(&self, repeatable: bool) {
        self.repeatable.store(repeatable, Ordering::Relaxed);
    }

    pub fn attempt_started(&self) -> u32 {
        self.attempts.fetch_add(1, Ordering::Relaxed) + 1
    }

    /// The renewed-token retry is not an attempt of its own.
    pub fn attempt_undone(&self) {
        self.attempts.fetch_sub(1, Ordering::Relaxed);
    }

    pub fn attempts(&self) -> u32 {
        self.attempts.load(Ordering::Relaxed)
    }

    /// One more HTTP request is going out; returns its number.
    pub fn request_sent(&self) -> u32 {
        self.requests.fetch_add(1, Ordering::Relaxed) + 1
    }

    pub fn requests(&self) -> u32 {
        self.requests.load(Ordering::Relaxed)
    }

    pub fn set_http_status(&self, status: Option<u16>) {
        self.http_status.store(status.map_or(0, u32::from), Ordering::Relaxed);
    }

    pub fn http_status(&self) -> Option<u16> {
        match self.http_status.load(Ordering::Relaxed) {
            0 => None,
            s => Some(s as u16),
        }
    }

    pub fn sending(&self) {
        self.maybe_sent.store(true, Ordering::Relaxed);
    }

    /// An error for a call stopped from outside: attempts so far; not retryable when a non-repeatable call
    /// may already have run (its outcome is unknown, and repeating it could do it twice).
    pub fn stamp(&self, mut error: Error) -> Error {
        error.attempts = self.attempts.load(Ordering::Relaxed);
        if self.maybe_sent.load(Ordering::Relaxed) && !self.repeatable.load(Ordering::Relaxed) {
            error.retryable = false;
        }
        error
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stamps_attempts_and_an_honest_retryable() {
        let p = Progress::default();
        p.attempt_started();
        p.attempt_started();
        p.attempt_undone();
        p.attempt_started();
        let e = p.stamp(Error::timeout("a.b", "deadline"));
        assert_eq!((e.attempts, e.retryable), (2, true), "nothing was sent yet");
        p.sending();
        assert!(!p.stamp(Error::timeout("a.b", "deadline")).retryable, "an order may have been placed");
        p.set_repeatable(true);
        assert!(p.stamp(Error::timeout("a.b", "deadline")).retryable);
    }
}
