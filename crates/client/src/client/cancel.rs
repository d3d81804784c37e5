//! Cancelling calls in flight: the caller's AbortSignal reaches the core as "abort call N", and the call's
//! future is dropped where it stands (an HTTP request in flight is closed; nothing is retried afterwards).

use super::Progress;
use crate::error::Error;
use futures::future::{AbortHandle, Abortable};
use std::collections::HashMap;
use std::future::Future;
use std::sync::Mutex;

#[derive(Default)]
pub struct Cancellations {
    running: Mutex<HashMap<u32, AbortHandle>>,
}

impl Cancellations {
    /// Runs `call` under id `id`, so that `cancel(id)` can stop it; `progress` is the call's, for the abort error.
    pub async fn run<T>(&self, id: u32, api: &str, progress: &Progress, call: impl Future<Output = Result<T, Error>>) -> Result<T, Error> {
        let (handle, registration) = AbortHandle::new_pair();
        self.running.lock().expect("cancellations lock").insert(id, handle);
        let result = Abortable::new(call, registration).await;
        self.running.lock().expect("cancellations lock").remove(&id);
        result.unwrap_or_else(|_| Err(progress.stamp(Error::timeout(api, "aborted by the caller's AbortSignal"))))
    }

    /// Stops call `id` if it is still running; true if it was.
    pub fn cancel(&self, id: u32) -> bool {
        match self.running.lock().expect("cancellations lock").remove(&id) {
            Some(handle) => {
                handle.abort();
                true
            }
            None => false,
        }
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
}
