//! This process's window of pushes: those whose listeners are running and those handled, each until its push
//! would be refused as stale anyway. A map for lookups beside a queue of (expiry, key) in arrival order, so a
//! push sweeps only what expired (O(1) amortised), never the whole window.

use super::key::PushKey;
use futures::channel::oneshot;
use std::collections::{HashMap, VecDeque};
use std::sync::Mutex;

/// How a push's first run ended, for the deliveries that waited on it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Settled {
    /// Its listeners succeeded; `answer` is what WeChat was answered ('success' or the passive reply).
    Handled { answer: String },
    Failed,
}

/// What a delivery of a push finds.
pub enum Claim {
    /// Nobody has it: this delivery runs the listeners and settles it.
    First,
    /// Already handled.
    Done,
    /// Its listeners are running: the first run's outcome (Canceled if the entry expired unsettled).
    Running(oneshot::Receiver<Settled>),
}

enum State {
    Running(Vec<oneshot::Sender<Settled>>),
    Done,
}

struct Entry {
    /// Unix second after which the push is stale anyway.
    until: i64,
    /// Tells this entry from a later one under the same key (a failed push claimed again).
    generation: u64,
    state: State,
}

#[derive(Default)]
struct Inner {
    entries: HashMap<PushKey, Entry>,
    /// Arrival order; expiries are nearly ordered (a push's stamps vary by seconds), and one that expires
    /// before an entry ahead of it waits for that one: entries outlive their window by at most that skew.
    queue: VecDeque<(i64, u64, PushKey)>,
    next_generation: u64,
}

impl Inner {
    fn sweep(&mut self, now: i64) {
        while let Some(&(until, generation, key)) = self.queue.front() {
            if until >= now {
                break;
            }
            self.queue.pop_front();
            // Dropping a running entry's senders tells its waiters it never settled.
            if self.entries.get(&key).is_some_and(|e| e.generation == generation) {
                self.entries.remove(&key);
            }
        }
    }
}

#[derive(Default)]
pub struct Window {
    inner: Mutex<Inner>,
}

impl Window {
    /// Claims `key` (stale after `until`) for this delivery, unless a live entry has it.
    pub fn claim(&self, key: PushKey, until: i64, now: i64) -> Claim {
        let mut inner = self.inner.lock().unwrap_or_else(|p| p.into_inner());
        inner.sweep(now);
        if let Some(entry) = inner.entries.get_mut(&key).filter(|e| e.until >= now) {
            return match &mut entry.state {
                State::Done => Claim::Done,
                State::Running(waiters) => {
                    let (tx, rx) = oneshot::channel();
                    waiters.push(tx);
                    Claim::Running(rx)
                }
            };
        }
        let generation = inner.next_generation;
        inner.next_generation += 1;
        inner.entries.insert(key, Entry { until, generation, state: State::Running(Vec::new()) });
        inner.queue.push_back((until, generation, key));
        Claim::First
    }

    /// Ends a claim: handled pushes stay until stale, failed ones leave (WeChat's retry runs them again).
    /// Waiters hear the outcome. Returns the push's expiry when it was in the window.
    pub fn settle(&self, key: PushKey, outcome: Settled) -> Option<i64> {
        let mut inner = self.inner.lock().unwrap_or_else(|p| p.into_inner());
        let waiters = match outcome {
            Settled::Handled { .. } => {
                let entry = inner.entries.get_mut(&key)?;
                match std::mem::replace(&mut entry.state, State::Done) {
                    State::Running(waiters) => (entry.until, waiters),
                    State::Done => (entry.until, Vec::new()),
                }
            }
            Settled::Failed => match inner.entries.remove(&key)? {
                Entry { until, state: State::Running(waiters), .. } => (until, waiters),
                Entry { until, .. } => (until, Vec::new()),
            },
        };
        drop(inner);
        let (until, waiters) = waiters;
        for waiter in waiters {
            let _ = waiter.send(outcome.clone());
        }
        Some(until)
    }

    #[cfg(test)]
    fn sizes(&self) -> (usize, usize) {
        let inner = self.inner.lock().unwrap();
        (inner.entries.len(), inner.queue.len())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use wechat_protocol::secret::Secret;

    fn key(n: u32) -> PushKey {
        PushKey::of(&Secret::new("t".to_owned()), "wxa", &n.to_string())
    }

    fn handled() -> Settled {
        Settled::Handled { answer: "success".into() }
    }

    #[test]
    fn first_then_running_then_done_and_failed_ones_leave() {
        let w = Window::default();
        assert!(matches!(w.claim(key(1), 100, 50), Claim::First));
        let Claim::Running(mut waiter) = w.claim(key(1), 100, 51) else { panic!("running") };
        assert_eq!(w.settle(key(1), handled()), Some(100));
        assert_eq!(waiter.try_recv().unwrap(), Some(handled()));
        assert!(matches!(w.claim(key(1), 100, 52), Claim::Done));

        assert!(matches!(w.claim(key(2), 100, 50), Claim::First));
        let Claim::Running(mut waiter) = w.claim(key(2), 100, 51) else { panic!("running") };
        w.settle(key(2), Settled::Failed);
        assert_eq!(waiter.try_recv().unwrap(), Some(Settled::Failed));
        assert!(matches!(w.claim(key(2), 100, 52), Claim::First), "WeChat's retry runs it again");
        assert_eq!(w.settle(key(9), Settled::Failed), None);
    }

    #[test]
    fn expired_entries_leave_from_the_front_and_a_reclaimed_key_survives_its_old_queue_slot() {
        let w = Window::default();
        assert!(matches!(w.claim(key(1), 100, 50), Claim::First));
        w.settle(key(1), Settled::Failed);
        assert!(matches!(w.claim(key(1), 200, 60), Claim::First));
        w.settle(key(1), handled());
        // The first claim's slot expires at 100: it must not take the second claim's entry with it.
        assert!(matches!(w.claim(key(2), 300, 150), Claim::First));
        assert!(matches!(w.claim(key(1), 200, 151), Claim::Done));
        assert_eq!(w.sizes(), (2, 2));
        // A running entry that expires unsettled tells its waiter so.
        let Claim::Running(mut waiter) = w.claim(key(2), 300, 152) else { panic!("running") };
        assert!(matches!(w.claim(key(3), 400, 301), Claim::First));
        assert!(waiter.try_recv().is_err(), "canceled");
        assert_eq!(w.sizes(), (1, 1));
    }

    #[test]
    fn each_push_sweeps_only_what_expired() {
        let w = Window::default();
        for n in 0..10_000 {
            assert!(matches!(w.claim(key(n), 1000 + i64::from(n / 100), 0), Claim::First));
            w.settle(key(n), handled());
        }
        assert!(matches!(w.claim(key(10_000), 5000, 1050), Claim::First));
        assert_eq!(w.sizes(), (5_001, 5_001), "pushes 0..5000 expired before 1050");
    }
}
