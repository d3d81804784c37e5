//! `SharedTokenSource`: one token per account for every process that uses the same Redis. It wraps the source
//! that really fetches (WeChat's endpoint) and sits behind each process's `TokenCache`, so it only runs when the
//! process has no fresh token of its own: a cache hit never touches Redis.
//!
//! On a miss: read Redis; a fresh token there is used as is. Otherwise take the refresh lock (`SET NX PX`) and
//! fetch, store the token with its absolute expiry, release the lock; or, when another process holds the lock,
//! poll until its token appears (or its lock expires, and then refresh ourselves). Any Redis failure falls back
//! to fetching in this process: Redis trouble is never an outage.

use super::source::{FreshToken, TokenSource};
use crate::error::Error;
use crate::redis::keys::TokenKeys;
use super::shared_value::{encode, now_ms, usable};
use crate::redis::{Lock, Redis, FORGET_TOKEN};
use wechat_protocol::secret::Secret;
use futures::future::{BoxFuture, FutureExt};
use std::collections::VecDeque;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// How often a waiting process looks for the holder's token: a token request takes tens of milliseconds.
const POLL: Duration = Duration::from_millis(20);

pub struct SharedTokenSource(Arc<Parts>);

/// How many of this process's rejected tokens are remembered (see `Parts::recently_rejected`).
const REMEMBERED: usize = 4;

struct Parts {
    inner: Arc<dyn TokenSource>,
    redis: Arc<Redis>,
    keys: TokenKeys,
    /// Tokens WeChat refused to this process. Until the compare-and-delete reaches Redis, a call that finds the
    /// local cache empty would read the refused token back from Redis; this stops it.
    recently_rejected: Mutex<VecDeque<Secret>>,
}

impl SharedTokenSource {
    pub fn new(inner: Arc<dyn TokenSource>, redis: Arc<Redis>, keys: TokenKeys) -> SharedTokenSource {
        SharedTokenSource(Arc::new(Parts { inner, redis, keys, recently_rejected: Mutex::new(VecDeque::new()) }))
    }
}

impl TokenSource for SharedTokenSource {
    fn fetch(&self, rejected: Option<Secret>) -> BoxFuture<'static, Result<FreshToken, Error>> {
        let parts = self.0.clone();
        async move {
            if parts.redis.available() {
                if let Ok(decided) = parts.shared(rejected.as_ref()).await {
                    return decided;
                }
                // Redis failed (Health has logged it): refresh here, as a process on its own would.
            }
            parts.inner.fetch(rejected).await
        }
        .boxed()
    }

    fn renew_ahead(&self, current: &Secret) -> BoxFuture<'static, Result<Option<FreshToken>, Error>> {
        let (parts, current) = (self.0.clone(), current.clone());
        async move {
            if parts.redis.available() {
                if let Ok(decided) = parts.ahead(&current).await {
                    return decided;
                }
            }
            parts.inner.renew_ahead(&current).await
        }
        .boxed()
    }

    /// Removes the rejected token from Redis, but only if Redis still holds that very token. The inner source's own
    /// hook is not called: the copy every process reads is the one in Redis, and this drops it atomically.
    fn rejected(&self, token: &Secret) -> BoxFuture<'static, ()> {
        self.0.remember_rejected(token);
        let parts = self.0.clone();
        let token = token.clone();
        async move {
            if !parts.redis.available() {
                return;
            }
            let key = &parts.keys.token;
            let forget = |mut conn| {
                let (key, token) = (key.clone(), token.clone());
                async move { FORGET_TOKEN.key(key).arg(token.expose()).invoke_async::<i64>(&mut conn).await }
            };
            // A failure is recorded by Health; the fetch that follows notices the token is the rejected one anyway.
            let _ = parts.redis.run("forget token", forget).await;
        }
        .boxed()
    }
}

impl Parts {
    /// Refresh-ahead across processes: a token another process already renewed is taken; otherwise the one
    /// process that takes the lock renews and stores it, and the others (`Ok(None)`) look again shortly, still
    /// using `current` meanwhile. `Err` when Redis failed.
    async fn ahead(&self, current: &Secret) -> Result<Result<Option<FreshToken>, Error>, Error> {
        let mut read = redis::cmd("MGET");
        read.arg(&self.keys.token).arg(&self.keys.lock);
        let (stored, lock): (Option<String>, Option<String>) = self.redis.query("read token", read).await?;
        if let Some(token) = self.fresh(stored.as_deref(), Some(current)) {
            return Ok(Ok(Some(token)));
        }
        if lock.is_some() {
            return Ok(Ok(None));
        }
        let Some(lock) = Lock::try_acquire(&self.redis, &self.keys.lock, self.redis.config().lock_ttl).await? else { return Ok(Ok(None)) };
        let mut read = redis::cmd("GET");
        read.arg(&self.keys.token);
        let stored: Option<String> = self.redis.query("read token", read).await.unwrap_or(None);
        let renewed = match self.fresh(stored.as_deref(), Some(current)) {
            Some(token) => Ok(Some(token)),
            None => {
                let renewed = self.inner.renew_ahead(current).await;
                if let Ok(Some(token)) = &renewed {
                    self.publish(token).await;
                }
                renewed
            }
        };
        let _ = lock.release(&self.redis).await;
        Ok(renewed)
    }

    fn remember_rejected(&self, token: &Secret) {
        let mut remembered = self.recently_rejected.lock().expect("rejected tokens lock");
        if remembered.len() == REMEMBERED {
            remembered.pop_front();
        }
        remembered.push_back(token.clone());
    }

    /// The stored token, if fresh and refused neither to the caller nor recently to this process.
    fn fresh(&self, stored: Option<&str>, rejected: Option<&Secret>) -> Option<FreshToken> {
        let token = usable(stored, rejected, now_ms())?;
        let refused = self.recently_rejected.lock().expect("rejected tokens lock").contains(&token.value);
        (!refused).then_some(token)
    }

    /// `Ok(decision)` once shared mode decided (a token, or the fetch's own failure); `Err` when Redis failed.
    async fn shared(&self, rejected: Option<&Secret>) -> Result<Result<FreshToken, Error>, Error> {
        let lock_ttl = self.redis.config().lock_ttl;
        // A lock always expires, so this is only reached if Redis misbehaves; then refresh here.
        let give_up = Instant::now() + lock_ttl * 2 + Duration::from_secs(1);
        let mut repaired = false;
        loop {
            let mut read = redis::cmd("MGET");
            read.arg(&self.keys.token).arg(&self.keys.lock);
            let (stored, lock): (Option<String>, Option<String>) = self.redis.query("read token", read).await?;
            if let Some(token) = self.fresh(stored.as_deref(), rejected) {
                return Ok(Ok(token));
            }
            // A lock someone left without a TTL never expires: drop it (once per fetch) and take our own.
            let lock_free = match lock {
                None => true,
                Some(_) if !repaired => {
                    repaired = true;
                    Lock::drop_if_without_ttl(&self.redis, &self.keys.lock).await?
                }
                Some(_) => false,
            };
            if lock_free {
                if let Some(lock) = Lock::try_acquire(&self.redis, &self.keys.lock, lock_ttl).await? {
                    return Ok(self.refresh_holding(lock, rejected).await);
                }
            }
            if Instant::now() >= give_up {
                return Err(Error::timeout("", "waited too long for another process to refresh the token"));
            }
            tokio::time::sleep(POLL).await;
        }
    }

    async fn refresh_holding(&self, lock: Lock, rejected: Option<&Secret>) -> Result<FreshToken, Error> {
        // Another process may have stored its token between our read and our lock: then nothing to fetch.
        let mut read = redis::cmd("GET");
        read.arg(&self.keys.token);
        let stored: Option<String> = self.redis.query("read token", read).await.unwrap_or(None);
        let result = match self.fresh(stored.as_deref(), rejected) {
            Some(token) => Ok(token),
            None => {
                let fetched = self.inner.fetch(rejected.cloned()).await;
                if let Ok(token) = &fetched {
                    self.publish(token).await;
                }
                fetched
            }
        };
        // Best effort: a lock we cannot release expires by itself.
        let _ = lock.release(&self.redis).await;
        result
    }

    /// Stores the token for the other processes; if Redis fails now, this process still has its token.
    async fn publish(&self, token: &FreshToken) {
        let Some((value, ttl)) = encode(token, now_ms()) else { return };
        let mut set = redis::cmd("SET");
        set.arg(&self.keys.token).arg(value).arg("PX").arg(ttl.as_millis() as u64);
        let _ = self.redis.query::<()>("store token", set).await;
    }
}

#[cfg(test)]
#[path = "shared_tests.rs"]
mod tests;
