//! Is Redis usable right now? After a failure the process stops asking Redis for a while (backoff, doubling up
//! to a cap), refreshes tokens on its own, and tries Redis again when the backoff is over: shared mode resumes
//! by itself. Each change of state is written to stderr once, with the redacted URL and never a value.

use std::sync::Mutex;
use std::time::{Duration, Instant};

const FIRST_BACKOFF: Duration = Duration::from_millis(250);
const MAX_BACKOFF: Duration = Duration::from_secs(5);

#[derive(Debug, PartialEq)]
enum State {
    Up,
    Down { retry_at: Instant, backoff: Duration },
}

/// A change worth one log line.
#[derive(Debug, PartialEq, Eq)]
pub enum Change {
    WentDown,
    CameBack,
}

pub struct Health {
    label: String,
    state: Mutex<State>,
    /// Where log lines go (stderr; tests collect them).
    log: Box<dyn Fn(&str) + Send + Sync>,
}

impl Health {
    pub fn new(label: String) -> Health {
        Health::with_log(label, Box::new(|line| eprintln!("{line}")))
    }

    pub fn with_log(label: String, log: Box<dyn Fn(&str) + Send + Sync>) -> Health {
        Health { label, state: Mutex::new(State::Up), log }
    }

    /// Whether to try Redis now: always when up, and once the backoff has passed when down.
    pub fn allows(&self) -> bool {
        match *self.state.lock().expect("redis health lock") {
            State::Up => true,
            State::Down { retry_at, .. } => Instant::now() >= retry_at,
        }
    }

    pub fn is_up(&self) -> bool {
        *self.state.lock().expect("redis health lock") == State::Up
    }

    pub fn succeeded(&self) -> Option<Change> {
        let mut state = self.state.lock().expect("redis health lock");
        if *state == State::Up {
            return None;
        }
        *state = State::Up;
        drop(state);
        (self.log)(&format!("wechat-openapi: Redis at {} is reachable again; access tokens are shared again", self.label));
        Some(Change::CameBack)
    }

    /// `reason` must already be scrubbed.
    pub fn failed(&self, reason: &str) -> Option<Change> {
        let mut state = self.state.lock().expect("redis health lock");
        let now = Instant::now();
        match *state {
            State::Up => {
                *state = State::Down { retry_at: now + FIRST_BACKOFF, backoff: FIRST_BACKOFF };
                drop(state);
                (self.log)(&format!(
                    "wechat-openapi: Redis at {} is unavailable ({reason}); this process refreshes its own tokens until Redis is back",
                    self.label
                ));
                Some(Change::WentDown)
            }
            State::Down { backoff, .. } => {
                let backoff = (backoff * 2).min(MAX_BACKOFF);
                *state = State::Down { retry_at: now + backoff, backoff };
                None
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::{Arc, Mutex as StdMutex};

    fn health() -> (Health, Arc<StdMutex<Vec<String>>>) {
        let lines = Arc::new(StdMutex::new(Vec::new()));
        let sink = lines.clone();
        (Health::with_log("redis://h:1/0".into(), Box::new(move |l| sink.lock().unwrap().push(l.to_owned()))), lines)
    }

    #[test]
    fn logs_each_outage_once_and_backs_off() {
        let (h, lines) = health();
        assert!(h.allows());
        assert_eq!(h.failed("connection refused"), Some(Change::WentDown));
        assert!(!h.allows(), "inside the backoff Redis is not tried");
        assert_eq!(h.failed("connection refused"), None);
        assert_eq!(h.failed("timed out"), None);
        assert_eq!(lines.lock().unwrap().len(), 1);
        assert!(lines.lock().unwrap()[0].contains("Redis at redis://h:1/0 is unavailable (connection refused)"));
        assert_eq!(h.succeeded(), Some(Change::CameBack));
        assert_eq!(h.succeeded(), None);
        assert!(h.is_up() && h.allows());
        assert_eq!(lines.lock().unwrap().len(), 2);
    }

    #[test]
    fn backoff_doubles_to_a_cap_then_allows_a_probe() {
        let (h, _) = health();
        h.failed("x");
        for _ in 0..10 {
            h.failed("x");
        }
        match *h.state.lock().unwrap() {
            State::Down { backoff, .. } => assert_eq!(backoff, MAX_BACKOFF),
            State::Up => panic!("should be down"),
        }
        *h.state.lock().unwrap() = State::Down { retry_at: Instant::now(), backoff: MAX_BACKOFF };
        assert!(h.allows(), "after the backoff, one probe goes to Redis");
    }
}
