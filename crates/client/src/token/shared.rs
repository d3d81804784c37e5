//! `SharedTokenSource`: one token per account for every process that uses the same store — Redis, or the user's
//! own store when it can `setIfAbsent`. It wraps the source that really fetches (WeChat's endpoint) and sits
//! behind each process's `TokenCache`, so it only runs when the process has no fresh token of its own: a cache hit
//! never touches the store. It is the only code that reads or writes a token's key, in the one codec (`record`):
//! the sources it wraps only fetch.
//!
//! On a miss: read the store; a fresh token there is used as is. Otherwise take the refresh lock (set-if-absent
//! with a TTL), read once more (another process may have stored one meanwhile), fetch, store the token with its
//! absolute expiry, release the lock; or, when another process holds the lock, poll until its token appears (or
//! its lock expires, and then refresh ourselves; or it outstays the waiter's patience, a bound well inside a
//! call's timeout, and then it is stale: see `lock`). Any store failure falls back to fetching in this process: store
//! trouble is never an outage. Over a store that cannot lock ([`SharedTokenSource::unlocked`]: the platform's
//! tokens in memory, or in a user's store without setIfAbsent) the same read, fetch and write, without the lock.

use super::lock::{Broken, Held, LockTimes, RefreshLock};
use super::record::{self, now_ms, token_of, usable};
use super::source::{FreshToken, TokenSource};
use crate::error::Error;
use crate::store::keys::TokenKeys;
use crate::store::Store;
use futures::future::{BoxFuture, FutureExt};
use std::collections::VecDeque;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use wechat_protocol::secret::Secret;

/// How often a waiting process looks for the holder's token: a token request takes tens of milliseconds.
const POLL: Duration = Duration::from_millis(20);

pub struct SharedTokenSource(Arc<Parts>);

/// How many of this process's rejected tokens are remembered (see `Parts::recently_rejected`).
const REMEMBERED: usize = 4;

struct Parts {
    inner: Arc<dyn TokenSource>,
    store: Arc<dyn Store>,
    keys: TokenKeys,
    /// None: the store cannot lock, each process refreshes alone.
    lock: Option<RefreshLock>,
    /// Tokens WeChat refused to this process. Until the compare-and-delete reaches the store, a call that finds
    /// the local cache empty would read the refused token back; this stops it.
    recently_rejected: Mutex<VecDeque<Secret>>,
}

impl SharedTokenSource {
    /// `store` must lock ([`Store::locks`]): its set-if-absent is what makes one process refresh at a time.
    pub fn new(inner: Arc<dyn TokenSource>, store: Arc<dyn Store>, keys: TokenKeys, times: LockTimes) -> SharedTokenSource {
        let lock = RefreshLock::new(store.clone(), keys.lock.clone(), times);
        SharedTokenSource::with(inner, store, keys, Some(lock))
    }

    /// Over a store that cannot lock: the token is kept at `key` all the same (for the next process, or a
    /// restart), but each process that finds none there fetches its own.
    pub fn unlocked(inner: Arc<dyn TokenSource>, store: Arc<dyn Store>, key: String) -> SharedTokenSource {
        SharedTokenSource::with(inner, store, TokenKeys::of(key), None)
    }

    fn with(inner: Arc<dyn TokenSource>, store: Arc<dyn Store>, keys: TokenKeys, lock: Option<RefreshLock>) -> SharedTokenSource {
        SharedTokenSource(Arc::new(Parts { inner, store, keys, lock, recently_rejected: Mutex::new(VecDeque::new()) }))
    }
}

impl TokenSource for SharedTokenSource {
    fn fetch(&self, rejected: Option<Secret>) -> BoxFuture<'static, Result<FreshToken, Error>> {
        let parts = self.0.clone();
        async move {
            if parts.store.available() {
                if let Ok(decided) = parts.shared(rejected.as_ref()).await {
                    return decided;
                }
                // The store failed: refresh here, as a process on its own would.
            }
            parts.inner.fetch(rejected).await
        }
        .boxed()
    }

    fn renew_ahead(&self, current: &Secret) -> BoxFuture<'static, Result<Option<FreshToken>, Error>> {
        let (parts, current) = (self.0.clone(), current.clone());
        async move {
            if parts.store.available() {
                if let Ok(decided) = parts.ahead(&current).await {
                    return decided;
                }
            }
            parts.inner.renew_ahead(&current).await
        }
        .boxed()
    }

    /// Removes the rejected token from the store, but only if the store still holds that very token. The inner
    /// source's own hook is not called: the copy every process reads is the shared one, and this drops it.
    fn rejected(&self, token: &Secret) -> BoxFuture<'static, ()> {
        self.0.remember_rejected(token);
        let (parts, token) = (self.0.clone(), token.clone());
        async move {
            if !parts.store.available() {
                return;
            }
            let key = &parts.keys.token;
            // A failure is harmless: the fetch that follows notices the token is the rejected one anyway.
            if let Ok(Some(stored)) = parts.store.get(key).await {
                if token_of(&stored).as_deref() == Some(token.expose()) {
                    // A store that cannot lock cannot compare-and-delete at once either: a plain delete then.
                    let _ = match parts.lock {
                        Some(_) => parts.store.del_if(key, &stored).await.map(drop),
                        None => parts.store.del(key).await,
                    };
                }
            }
        }
        .boxed()
    }
}

impl Parts {
    /// Refresh-ahead across processes: a token another process already renewed is taken; otherwise the one
    /// process that takes the lock renews and stores it, and the others (`Ok(None)`) look again shortly, still
    /// using `current` meanwhile. `Err` when the store failed.
    async fn ahead(&self, current: &Secret) -> Result<Result<Option<FreshToken>, Error>, Error> {
        if let Some(token) = self.read(Some(current)).await? {
            return Ok(Ok(Some(token)));
        }
        let Some(lock) = &self.lock else { return Ok(self.renew_and_publish(current).await) };
        let Some(held) = lock.take().await? else { return Ok(Ok(None)) };
        let renewed = match self.read(Some(current)).await.unwrap_or(None) {
            Some(token) => Ok(Some(token)),
            None => self.renew_and_publish(current).await,
        };
        lock.release(held).await;
        Ok(renewed)
    }

    async fn renew_and_publish(&self, current: &Secret) -> Result<Option<FreshToken>, Error> {
        let renewed = self.inner.renew_ahead(current).await;
        if let Ok(Some(token)) = &renewed {
            self.publish(token).await;
        }
        renewed
    }

    fn remember_rejected(&self, token: &Secret) {
        let mut remembered = self.recently_rejected.lock().expect("rejected tokens lock");
        if remembered.len() == REMEMBERED {
            remembered.pop_front();
        }
        remembered.push_back(token.clone());
    }

    /// The stored token, if fresh and refused neither to the caller nor recently to this process. `Err` also when
    /// the read just found the store unreachable (a store may answer from its own copy then): nothing more is
    /// asked of it, so one refresh costs it one failure, not one per step.
    async fn read(&self, rejected: Option<&Secret>) -> Result<Option<FreshToken>, Error> {
        let stored = self.store.get(&self.keys.token).await?;
        if !self.store.available() {
            return Err(Error::system("", "the shared store became unavailable"));
        }
        let Some(token) = usable(stored.as_deref(), rejected, now_ms()) else { return Ok(None) };
        let refused = self.recently_rejected.lock().expect("rejected tokens lock").contains(&token.value);
        Ok((!refused).then_some(token))
    }

    /// `Ok(decision)` once shared mode decided (a token, or the fetch's own failure); `Err` when the store failed.
    async fn shared(&self, rejected: Option<&Secret>) -> Result<Result<FreshToken, Error>, Error> {
        let Some(lock) = &self.lock else {
            return Ok(match self.read(rejected).await? {
                Some(token) => Ok(token),
                None => self.fetch_and_publish(rejected).await,
            });
        };
        let decided = self.wait_or_refresh(lock, rejected).await;
        // Only once decided: a fetch dropped because every caller gave up keeps the sighting for the next one.
        lock.forget();
        decided
    }

    /// The holder's token, or ours: fetched under the lock once it is free, or once its holder is stale.
    async fn wait_or_refresh(&self, lock: &RefreshLock, rejected: Option<&Secret>) -> Result<Result<FreshToken, Error>, Error> {
        let mut repaired = false;
        let mut patience_ends: Option<Instant> = None;
        loop {
            if let Some(token) = self.read(rejected).await? {
                return Ok(Ok(token));
            }
            if let Some(held) = lock.take().await? {
                return Ok(self.refresh_holding(lock, Some(held), rejected).await);
            }
            // A lock someone left without a TTL never expires: drop it (once per fetch) and try again at once.
            if !repaired {
                repaired = true;
                if self.store.repair_lock(&self.keys.lock).await? {
                    continue;
                }
            }
            // Asked at the start and whenever the patience ran out: a new holder meanwhile gets its own.
            if patience_ends.is_none_or(|at| Instant::now() >= at) {
                let at = lock.patience_ends().await?;
                patience_ends = Some(at);
                if Instant::now() >= at {
                    match lock.break_stale().await? {
                        Broken::Ours(held) => return Ok(self.refresh_holding(lock, Some(held), rejected).await),
                        Broken::Unbreakable => return Ok(self.refresh_holding(lock, None, rejected).await),
                        Broken::Another => patience_ends = None,
                    }
                }
            }
            if !self.store.available() {
                return Err(Error::system("", "the shared store became unavailable while waiting for another process's token"));
            }
            tokio::time::sleep(POLL).await;
        }
    }

    /// Fetches and publishes, under the lock when we hold it (without, when a store refuses even to let a stale
    /// lock be broken), then releases it.
    async fn refresh_holding(&self, lock: &RefreshLock, held: Option<Held>, rejected: Option<&Secret>) -> Result<FreshToken, Error> {
        // Another process may have stored its token between our read and our lock: then nothing to fetch.
        let result = match self.read(rejected).await.unwrap_or(None) {
            Some(token) => Ok(token),
            None => self.fetch_and_publish(rejected).await,
        };
        if let Some(held) = held {
            lock.release(held).await;
        }
        result
    }

    async fn fetch_and_publish(&self, rejected: Option<&Secret>) -> Result<FreshToken, Error> {
        let fetched = self.inner.fetch(rejected.cloned()).await;
        if let Ok(token) = &fetched {
            self.publish(token).await;
        }
        fetched
    }

    /// Stores the token for the other processes; if the store fails now, this process still has its token.
    async fn publish(&self, token: &FreshToken) {
        let _ = record::save(self.store.as_ref(), &self.keys.token, token).await;
    }
}

#[cfg(test)]
#[path = "shared_tests.rs"]
mod tests;
