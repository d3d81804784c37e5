//! Where durable state lives: component_verify_tickets, access tokens and authorizer refresh tokens all go
//! through this one small async interface, so a deployment can keep them in memory (the default), in its own
//! database through a JS object (`store: { get, set, del }`), or later in Redis.
//!
//! Values are strings; a TTL is optional (refresh tokens have none, tickets 12 h, access tokens their
//! lifetime). Keys follow [`keys`]; their layout is public because users read them in their own stores.

pub mod keys;
mod memory;

pub use memory::MemoryStore;

use crate::error::Error;
use futures::future::{BoxFuture, FutureExt};
use std::sync::Arc;
use std::time::Duration;

/// How long a refresh lock outlives a holder that died (Redis's `lockTtl` default; a user's store always).
pub const DEFAULT_LOCK_TTL: Duration = Duration::from_secs(10);

pub trait Store: Send + Sync + 'static {
    /// The value, or None when absent or expired.
    fn get(&self, key: &str) -> BoxFuture<'static, Result<Option<String>, Error>>;
    /// Sets the value; `ttl` None keeps it until deleted.
    fn set(&self, key: &str, value: &str, ttl: Option<Duration>) -> BoxFuture<'static, Result<(), Error>>;
    fn del(&self, key: &str) -> BoxFuture<'static, Result<(), Error>>;

    /// Sets `value` (no TTL) only if the stored value is `expected` or absent; true if it was set. A rotated
    /// refresh token is written this way, so a stale process can never overwrite a newer one. Redis does it
    /// atomically (a Lua script); this default (get, compare, set) is for stores that cannot.
    fn compare_and_set<'a>(&'a self, key: &'a str, expected: &'a str, value: &'a str) -> BoxFuture<'a, Result<bool, Error>> {
        async move {
            match self.get(key).await? {
                Some(stored) if stored != expected => Ok(false),
                _ => self.set(key, value, None).await.map(|()| true),
            }
        }
        .boxed()
    }

    /// Whether [`Store::set_if_absent`] is atomic across every process that uses this store (Redis; a user's
    /// store with `setIfAbsent`): then tokens are refreshed under a lock, one process at a time.
    fn locks(&self) -> bool {
        false
    }

    /// Sets `value` with `ttl` only if `key` holds nothing; true if it was set. Called only when
    /// [`Store::locks`] says it is atomic.
    fn set_if_absent<'a>(&'a self, key: &'a str, _value: &'a str, _ttl: Duration) -> BoxFuture<'a, Result<bool, Error>> {
        async move { Err(store_error("setIfAbsent", key, "this store has no setIfAbsent")) }.boxed()
    }

    /// Sets `value` with `ttl` if `key` holds nothing (None), else leaves it and returns what it holds: a push's
    /// claim, which must tell "running elsewhere" from "done". Redis does it in one script; this default
    /// (set_if_absent, then get) is for stores that cannot. Called only when [`Store::locks`] says it is atomic.
    fn claim<'a>(&'a self, key: &'a str, value: &'a str, ttl: Duration) -> BoxFuture<'a, Result<Option<String>, Error>> {
        async move {
            if self.set_if_absent(key, value, ttl).await? {
                return Ok(None);
            }
            // Gone in between (expired, or released after a failure): held by nobody we can name.
            Ok(Some(self.get(key).await?.unwrap_or_default()))
        }
        .boxed()
    }

    /// Replaces `key`'s value with `value` and `ttl` only if it holds `expected` (a push's claim becoming "done");
    /// true if it did. Redis does it atomically; this default (get, compare, set) is for stores that cannot.
    fn replace_if<'a>(&'a self, key: &'a str, expected: &'a str, value: &'a str, ttl: Duration) -> BoxFuture<'a, Result<bool, Error>> {
        async move {
            match self.get(key).await? {
                Some(stored) if stored == expected => self.set(key, value, Some(ttl)).await.map(|()| true),
                _ => Ok(false),
            }
        }
        .boxed()
    }

    /// Deletes `key` only if it holds `expected` (a lock we hold, a token that was refused); true if it did.
    /// Redis does it atomically; this default (get, compare, del) is for stores that cannot.
    fn del_if<'a>(&'a self, key: &'a str, expected: &'a str) -> BoxFuture<'a, Result<bool, Error>> {
        async move {
            match self.get(key).await? {
                Some(stored) if stored == expected => self.del(key).await.map(|()| true),
                _ => Ok(false),
            }
        }
        .boxed()
    }

    /// Drops a lock at `key` left without an expiry by something else, which would stop every refresh; true if it
    /// did. Only Redis can tell (PTTL); other stores set every lock with a TTL.
    fn repair_lock<'a>(&'a self, _key: &'a str) -> BoxFuture<'a, Result<bool, Error>> {
        async { Ok(false) }.boxed()
    }

    /// False while the store is known to be unreachable (Redis's backoff after a failure): tokens are then
    /// fetched by each process on its own, without asking it.
    fn available(&self) -> bool {
        true
    }
}

/// A store failure as the SDK reports it: never the value, only the key and what the store said.
pub fn store_error(op: &str, key: &str, message: &str) -> Error {
    Error::system("", format!("store.{op}({key:?}) failed: {message}"))
}

/// Any store with every operation bounded: a `get`, `set` or `del` that does not settle within `timeout` fails
/// as a timeout (-604102) naming the operation and key, so one stuck operation never holds a token fetch (and
/// every call waiting for it) forever. The next operation asks the store again.
pub struct BoundedStore {
    inner: Arc<dyn Store>,
    timeout: Duration,
}

impl BoundedStore {
    pub fn new(inner: Arc<dyn Store>, timeout: Duration) -> BoundedStore {
        BoundedStore { inner, timeout }
    }

    fn bounded<'a, T: Send + 'a>(&self, op: &'static str, key: &str, work: BoxFuture<'a, Result<T, Error>>) -> BoxFuture<'a, Result<T, Error>> {
        let (timeout, key) = (self.timeout, key.to_owned());
        async move {
            tokio::time::timeout(timeout, work)
                .await
                .unwrap_or_else(|_| Err(Error::timeout("", format!("store.{op}({key:?}) did not settle within {} ms", timeout.as_millis()))))
        }
        .boxed()
    }
}

impl Store for BoundedStore {
    fn get(&self, key: &str) -> BoxFuture<'static, Result<Option<String>, Error>> {
        self.bounded("get", key, self.inner.get(key))
    }

    fn set(&self, key: &str, value: &str, ttl: Option<Duration>) -> BoxFuture<'static, Result<(), Error>> {
        self.bounded("set", key, self.inner.set(key, value, ttl))
    }

    fn del(&self, key: &str) -> BoxFuture<'static, Result<(), Error>> {
        self.bounded("del", key, self.inner.del(key))
    }

    fn compare_and_set<'a>(&'a self, key: &'a str, expected: &'a str, value: &'a str) -> BoxFuture<'a, Result<bool, Error>> {
        self.bounded("compareAndSet", key, self.inner.compare_and_set(key, expected, value))
    }

    fn locks(&self) -> bool {
        self.inner.locks()
    }

    fn set_if_absent<'a>(&'a self, key: &'a str, value: &'a str, ttl: Duration) -> BoxFuture<'a, Result<bool, Error>> {
        self.bounded("setIfAbsent", key, self.inner.set_if_absent(key, value, ttl))
    }

    fn claim<'a>(&'a self, key: &'a str, value: &'a str, ttl: Duration) -> BoxFuture<'a, Result<Option<String>, Error>> {
        self.bounded("claim", key, self.inner.claim(key, value, ttl))
    }

    fn replace_if<'a>(&'a self, key: &'a str, expected: &'a str, value: &'a str, ttl: Duration) -> BoxFuture<'a, Result<bool, Error>> {
        self.bounded("replaceIf", key, self.inner.replace_if(key, expected, value, ttl))
    }

    fn del_if<'a>(&'a self, key: &'a str, expected: &'a str) -> BoxFuture<'a, Result<bool, Error>> {
        self.bounded("delIf", key, self.inner.del_if(key, expected))
    }

    fn available(&self) -> bool {
        self.inner.available()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicBool, Ordering};

    /// A store whose operations never settle while `stuck`, then answer.
    struct Stuck(Arc<AtomicBool>, MemoryStore);

    impl Store for Stuck {
        fn get(&self, key: &str) -> BoxFuture<'static, Result<Option<String>, Error>> {
            if self.0.load(Ordering::SeqCst) {
                return futures::future::pending().boxed();
            }
            self.1.get(key)
        }
        fn set(&self, key: &str, value: &str, ttl: Option<Duration>) -> BoxFuture<'static, Result<(), Error>> {
            if self.0.load(Ordering::SeqCst) {
                return futures::future::pending().boxed();
            }
            self.1.set(key, value, ttl)
        }
        fn del(&self, key: &str) -> BoxFuture<'static, Result<(), Error>> {
            self.1.del(key)
        }
    }

    #[tokio::test]
    async fn a_store_operation_that_never_settles_times_out_and_the_next_one_asks_again() {
        let stuck = Arc::new(AtomicBool::new(true));
        let store = BoundedStore::new(Arc::new(Stuck(stuck.clone(), MemoryStore::new())), Duration::from_millis(50));
        let e = store.get("k").await.unwrap_err();
        assert_eq!(e.code, -604102);
        assert!(e.message.contains(r#"store.get("k")"#), "{}", e.message);
        assert_eq!(store.set("k", "v", None).await.unwrap_err().code, -604102);
        stuck.store(false, Ordering::SeqCst);
        store.set("k", "v", None).await.unwrap();
        assert_eq!(store.get("k").await.unwrap().as_deref(), Some("v"));
    }
}
