//! Cancelling calls in flight: the caller's AbortSignal reaches the core as "abort call N", and the call's
//! future is dropped where it stands (an HTTP request in flight is closed; nothing is retried afterwards).
//!
//! The abort may arrive before the call registered its id (the signal fired in the same tick as the call, while
//! the native call was still on its way to the runtime): it is remembered, and the call stops as it registers.

use super::Progress;
use crate::error::Error;
use futures::future::{AbortHandle, Abortable};
use std::collections::{HashMap, VecDeque};
use std::future::Future;
use std::sync::Mutex;

/// How many aborts of not-yet-registered ids are remembered (the oldest is forgotten first): an abort for a
/// call that already finished is remembered too, and must not grow without end.
const EARLY_ABORTS: usize = 4096;

#[derive(Default)]
struct Registry {
    running: HashMap<u32, AbortHandle>,
    /// Aborted before they registered.
    early: VecDeque<u32>,
}

#[derive(Default)]
pub struct Cancellations {
    registry: Mutex<Registry>,
}

impl Cancellations {
    /// Runs `call` under id `id`, so that `cancel(id)` can stop it; `progress` is the call's, for the abort error.
    pub async fn run<T>(&self, id: u32, api: &str, progress: &Progress, call: impl Future<Output = Result<T, Error>>) -> Result<T, Error> {
        let (handle, registration) = AbortHandle::new_pair();
        {
            let mut registry = self.registry();
            match registry.early.iter().position(|&early| early == id) {
                Some(at) => {
                    registry.early.remove(at);
                    handle.abort();
                }
                None => {
                    registry.running.insert(id, handle);
                }
            }
        }
        let result = Abortable::new(call, registration).await;
        self.registry().running.remove(&id);
        result.unwrap_or_else(|_| Err(progress.stamp(Error::timeout(api, "aborted by the caller's AbortSignal"))))
    }

    /// Stops call `id` if it is running; true if it was. An id not running yet is remembered, so the call
    /// stops as soon as it registers.
    pub fn cancel(&self, id: u32) -> bool {
        let mut registry = self.registry();
        match registry.running.remove(&id) {
            Some(handle) => {
                handle.abort();
                true
            }
            None => {
                if registry.early.len() == EARLY_ABORTS {
                    registry.early.pop_front();
                }
                registry.early.push_back(id);
                false
            }
        }
    }

    fn registry(&self) -> std::sync::MutexGuard<'_, Registry> {
        self.registry.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;
    use std::time::Duration;

    #[tokio::test]
    async fn cancel_stops_a_running_call_with_a_typed_error() {
        let c = Arc::new(Cancellations::default());
        let slow = async {
            tokio::time::sleep(Duration::from_secs(30)).await;
            Ok::<_, Error>(1)
        };
        let runner = c.clone();
        let task = tokio::spawn(async move { runner.run(7, "a.b", &Progress::default(), slow).await });
        tokio::time::sleep(Duration::from_millis(20)).await;
        assert!(c.cancel(7));
        let err = task.await.unwrap().unwrap_err();
        assert_eq!((err.code, err.message.as_str()), (-604102, "aborted by the caller's AbortSignal"));
        assert!(!c.cancel(7), "a finished call is forgotten");
    }

    #[tokio::test]
    async fn an_abort_before_the_call_registered_still_stops_it() {
        let c = Cancellations::default();
        assert!(!c.cancel(9), "not running yet");
        let slow = async {
            tokio::time::sleep(Duration::from_secs(30)).await;
            Ok::<_, Error>(1)
        };
        let err = tokio::time::timeout(Duration::from_secs(1), c.run(9, "a.b", &Progress::default(), slow)).await.unwrap().unwrap_err();
        assert_eq!(err.code, -604102);
        // The remembered abort was used up: the next call with another id runs.
        assert_eq!(c.run(10, "a.b", &Progress::default(), async { Ok::<_, Error>(2) }).await.unwrap(), 2);
        // Remembered aborts are bounded.
        for id in 100..(100 + EARLY_ABORTS as u32 * 2) {
            c.cancel(id);
        }
        assert_eq!(c.registry().early.len(), EARLY_ABORTS);
    }
}
