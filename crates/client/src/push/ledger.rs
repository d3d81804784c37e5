//! Whether a delivery of a push runs its listeners: a push is handled only once they settled successfully.
//! Per process (the window): a delivery that finds the push running waits for that run and is answered as it
//! was. Fleet-wide, with a shared store that locks: the push's key is claimed atomically ("running", with the
//! freshness window as TTL), made "done" when it succeeded and released when it failed, so WeChat's retry that
//! reaches another process is answered without running the listeners again, or refused while they still run.

use super::key::PushKey;
use super::window::{Claim, Settled, Window};
use crate::error::Error;
use crate::store::{keys, Store};
use std::sync::Arc;
use std::time::Duration;

/// A handled push's value in the shared store.
const DONE: &str = "done";

/// What a delivery found, when it may answer at once.
#[derive(Debug)]
pub enum Begun {
    /// This delivery runs the listeners, then calls [`Ledger::settle`].
    First,
    /// Handled already; `answer` is the first run's when this delivery waited for it.
    Duplicate { answer: Option<String> },
}

pub struct Ledger {
    window: Window,
    /// The fleet's store when it locks; None: duplicates are caught in this process only.
    shared: Option<Arc<dyn Store>>,
    /// This process's claims in the shared store: made "done" or released only while still ours.
    running: String,
}

impl Ledger {
    pub fn new(shared: Option<Arc<dyn Store>>) -> Ledger {
        Ledger { window: Window::default(), shared, running: format!("running:{:016x}", rand::random::<u64>()) }
    }

    /// Claims the push `key` (stale after `until`) for this delivery, or says why it must not run.
    pub async fn begin(&self, api: &str, key: PushKey, until: i64, now: i64) -> Result<Begun, Error> {
        match self.window.claim(key, until, now) {
            Claim::Done => Ok(Begun::Duplicate { answer: None }),
            // Bounded by the push's window: a run that never settles must not hold its retries forever.
            Claim::Running(first_run) => match tokio::time::timeout(ttl(until, now), first_run).await {
                Ok(Ok(Settled::Handled { answer })) => Ok(Begun::Duplicate { answer: Some(answer) }),
                _ => Err(Error::system(api, "this push's first delivery failed (or outlived its window) while this one waited for it; WeChat's next retry runs its listeners again")),
            },
            Claim::First => self.claim_shared(api, key, until, now).await,
        }
    }

    async fn claim_shared(&self, api: &str, key: PushKey, until: i64, now: i64) -> Result<Begun, Error> {
        let Some(store) = &self.shared else { return Ok(Begun::First) };
        let held = store.claim(&keys::push(&key.to_text()), &self.running, ttl(until, now)).await;
        match held {
            Ok(None) => Ok(Begun::First),
            Ok(Some(done)) if done == DONE => {
                // Deliveries here that waited on this claim are duplicates too.
                self.window.settle(key, Settled::Handled { answer: "success".into() });
                Ok(Begun::Duplicate { answer: None })
            }
            Ok(Some(_)) => {
                self.window.settle(key, Settled::Failed);
                Err(Error::system(api, "this push is being handled by another process; answered with a failure so WeChat delivers it again later"))
            }
            Err(e) => {
                self.window.settle(key, Settled::Failed);
                Err(Error { api: api.to_owned(), ..e })
            }
        }
    }

    /// Ends this delivery's claim: `Handled` keeps the push as done for its window; `Failed` releases it, so
    /// WeChat's retry runs the listeners again. Deliveries waiting here hear the outcome first.
    pub async fn settle(&self, api: &str, key: PushKey, outcome: Settled, now: i64) -> Result<(), Error> {
        let until = self.window.settle(key, outcome.clone());
        let Some(store) = &self.shared else { return Ok(()) };
        let store_key = keys::push(&key.to_text());
        let done = match (outcome, until) {
            (Settled::Handled { .. }, Some(until)) => store.replace_if(&store_key, &self.running, DONE, ttl(until, now)).await.map(drop),
            // Expired here meanwhile: its store key expires too.
            (Settled::Handled { .. }, None) => Ok(()),
            (Settled::Failed, _) => store.del_if(&store_key, &self.running).await.map(drop),
        };
        done.map_err(|e| Error { api: api.to_owned(), ..e })
    }
}

/// The rest of a push's freshness window, and a second for the clocks between processes.
fn ttl(until: i64, now: i64) -> Duration {
    Duration::from_secs(until.saturating_sub(now).max(0) as u64 + 1)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::MemoryStore;
    use wechat_protocol::secret::Secret;

    fn key(n: u32) -> PushKey {
        PushKey::of(&Secret::new("t".to_owned()), "wxa", &n.to_string())
    }

    fn handled(answer: &str) -> Settled {
        Settled::Handled { answer: answer.into() }
    }

    #[tokio::test]
    async fn a_delivery_while_running_waits_and_is_answered_as_the_first_was() {
        let ledger = Arc::new(Ledger::new(None));
        assert!(matches!(ledger.begin("a", key(1), 400, 100).await.unwrap(), Begun::First));
        let waiting = tokio::spawn({
            let ledger = ledger.clone();
            async move { ledger.begin("a", key(1), 400, 101).await.map(|b| matches!(b, Begun::Duplicate { answer: Some(a) } if a == "<xml>reply</xml>")) }
        });
        tokio::task::yield_now().await;
        assert!(!waiting.is_finished(), "waits for the first run");
        ledger.settle("a", key(1), handled("<xml>reply</xml>"), 102).await.unwrap();
        assert!(waiting.await.unwrap().unwrap());

        assert!(matches!(ledger.begin("a", key(2), 400, 100).await.unwrap(), Begun::First));
        let waiting = tokio::spawn({
            let ledger = ledger.clone();
            async move { ledger.begin("a", key(2), 400, 101).await.map(|_| ()) }
        });
        tokio::task::yield_now().await;
        ledger.settle("a", key(2), Settled::Failed, 102).await.unwrap();
        assert!(waiting.await.unwrap().unwrap_err().message.contains("first delivery failed"));
        assert!(matches!(ledger.begin("a", key(2), 400, 103).await.unwrap(), Begun::First), "the retry runs");
    }

    #[tokio::test]
    async fn with_a_shared_store_another_process_sees_running_then_done_and_a_failure_releases() {
        let store: Arc<dyn Store> = Arc::new(MemoryStore::new());
        let (a, b) = (Ledger::new(Some(store.clone())), Ledger::new(Some(store.clone())));
        let stored = || store.get(&keys::push(&key(1).to_text()));
        assert!(matches!(a.begin("a", key(1), 400, 100).await.unwrap(), Begun::First));
        assert!(stored().await.unwrap().unwrap().starts_with("running:"));
        let e = b.begin("b", key(1), 400, 101).await.unwrap_err();
        assert!(e.message.contains("another process") && e.api == "b", "{}", e.message);
        a.settle("a", key(1), Settled::Failed, 102).await.unwrap();
        assert_eq!(stored().await.unwrap(), None, "released");
        assert!(matches!(b.begin("b", key(1), 400, 103).await.unwrap(), Begun::First));
        b.settle("b", key(1), handled("success"), 104).await.unwrap();
        assert_eq!(stored().await.unwrap().as_deref(), Some(DONE));
        assert!(matches!(a.begin("a", key(1), 400, 105).await.unwrap(), Begun::Duplicate { answer: None }));
        assert!(matches!(a.begin("a", key(1), 400, 106).await.unwrap(), Begun::Duplicate { answer: None }), "now known here");
    }
}
