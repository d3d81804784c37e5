//! The refresh lock of a shared token (`<token key>:lock`): set-if-absent with a TTL by the one process that
//! fetches, released after. A waiter trusts a holder for `patience`, derived from the calls' timeout: a holder
//! that published nothing by then died, and a store that never expires locks (a user's store ignoring TTLs, a
//! Redis key set without one or with a huge one) would otherwise keep its lock for ever and fail every call.
//! Then the lock is stale: the waiter breaks it (if it is still the one seen) and refreshes itself.

use crate::error::Error;
use crate::store::Store;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// How long a lock outlives a holder that died (the store's TTL), and how long a waiter trusts a holder.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LockTimes {
    pub ttl: Duration,
    pub patience: Duration,
}

impl LockTimes {
    /// For calls that give up after `timeout`: a third of it (a token request takes tens of milliseconds), so
    /// the rest is left for the waiter's own fetch; no longer than twice the TTL and a second, past which a lock
    /// the store expires is gone anyway.
    pub fn new(ttl: Duration, timeout: Duration) -> LockTimes {
        LockTimes { ttl, patience: (timeout / 3).min(ttl * 2 + Duration::from_secs(1)) }
    }
}

/// The lock we hold: our random value, so only we release it.
pub struct Held {
    value: String,
}

/// What breaking a stale lock came to.
pub enum Broken {
    /// We hold it now: refresh, then release.
    Ours(Held),
    /// Another waiter broke it first and holds it: wait for its token.
    Another,
    /// The store refuses it still, showing the same lock or none: refresh without it.
    Unbreakable,
}

/// A holder's lock as a waiter saw it (None: the store shows no value, yet refused the lock) and since when.
struct Sighting {
    value: Option<String>,
    since: Instant,
}

pub struct RefreshLock {
    store: Arc<dyn Store>,
    key: String,
    times: LockTimes,
    /// Kept across fetches: when every caller gave up before the patience ran out, the next one goes on
    /// counting from the first sighting instead of waiting it out anew, and so calls with short deadlines recover.
    seen: Mutex<Option<Sighting>>,
}

impl RefreshLock {
    pub fn new(store: Arc<dyn Store>, key: String, times: LockTimes) -> RefreshLock {
        RefreshLock { store, key, times, seen: Mutex::new(None) }
    }

    /// Takes the lock if nobody holds it; always with a TTL, so a holder that dies cannot block the others.
    pub async fn take(&self) -> Result<Option<Held>, Error> {
        let value = hex::encode(rand::random::<[u8; 16]>());
        let ttl = self.times.ttl.max(Duration::from_millis(1));
        Ok(self.store.set_if_absent(&self.key, &value, ttl).await?.then_some(Held { value }))
    }

    /// Best effort: a lock we cannot release expires by itself (or is broken as stale).
    pub async fn release(&self, held: Held) {
        let _ = self.store.del_if(&self.key, &held.value).await;
    }

    /// When the current holder's patience ends: the same lock as last seen keeps its first sighting's time.
    pub async fn patience_ends(&self) -> Result<Instant, Error> {
        let value = self.store.get(&self.key).await?;
        let mut seen = self.seen.lock().expect("lock sighting");
        let since = match seen.as_ref() {
            Some(s) if s.value == value => s.since,
            _ => seen.insert(Sighting { value, since: Instant::now() }).since,
        };
        Ok(since + self.times.patience)
    }

    /// The holder published nothing all its patience: drops its lock (only if it is still the one seen) and
    /// takes it.
    pub async fn break_stale(&self) -> Result<Broken, Error> {
        let stale = self.seen.lock().expect("lock sighting").as_ref().and_then(|s| s.value.clone());
        if let Some(value) = &stale {
            self.store.del_if(&self.key, value).await?;
        }
        if let Some(held) = self.take().await? {
            return Ok(Broken::Ours(held));
        }
        let now = self.store.get(&self.key).await?;
        Ok(if now.is_some() && now != stale { Broken::Another } else { Broken::Unbreakable })
    }

    /// A token was had: whatever lock was seen is no longer a suspect.
    pub fn forget(&self) {
        self.seen.lock().expect("lock sighting").take();
    }
}
