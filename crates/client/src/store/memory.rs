//! The default store: a map in this process, with expiry checked on read (and swept on write, so a
//! long-lived process that sees many short-lived keys does not grow without bound).

use super::Store;
use crate::error::Error;
use futures::future::{BoxFuture, FutureExt};
use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

#[derive(Default)]
pub struct MemoryStore {
    entries: Mutex<HashMap<String, (String, Option<Instant>)>>,
}

impl MemoryStore {
    pub fn new() -> MemoryStore {
        MemoryStore::default()
    }
}

fn live(expiry: &Option<Instant>, now: Instant) -> bool {
    expiry.is_none_or(|at| at > now)
}

impl Store for MemoryStore {
    fn get(&self, key: &str) -> BoxFuture<'static, Result<Option<String>, Error>> {
        let now = Instant::now();
        let entries = self.entries.lock().expect("memory store lock");
        let value = entries.get(key).filter(|(_, expiry)| live(expiry, now)).map(|(v, _)| v.clone());
        async move { Ok(value) }.boxed()
    }

    fn set(&self, key: &str, value: &str, ttl: Option<Duration>) -> BoxFuture<'static, Result<(), Error>> {
        let now = Instant::now();
        let mut entries = self.entries.lock().expect("memory store lock");
        entries.retain(|_, (_, expiry)| live(expiry, now));
        // Checked: a TTL the clock cannot add means no expiry.
        entries.insert(key.to_owned(), (value.to_owned(), ttl.and_then(|t| now.checked_add(t))));
        async { Ok(()) }.boxed()
    }

    fn del(&self, key: &str) -> BoxFuture<'static, Result<(), Error>> {
        self.entries.lock().expect("memory store lock").remove(key);
        async { Ok(()) }.boxed()
    }

    /// One map under one mutex: atomic for everything that shares this store.
    fn locks(&self) -> bool {
        true
    }

    fn set_if_absent<'a>(&'a self, key: &'a str, value: &'a str, ttl: Duration) -> BoxFuture<'a, Result<bool, Error>> {
        let now = Instant::now();
        let mut entries = self.entries.lock().expect("memory store lock");
        let taken = entries.get(key).is_some_and(|(_, expiry)| live(expiry, now));
        if !taken {
            entries.insert(key.to_owned(), (value.to_owned(), now.checked_add(ttl)));
        }
        async move { Ok(!taken) }.boxed()
    }

    fn del_if<'a>(&'a self, key: &'a str, expected: &'a str) -> BoxFuture<'a, Result<bool, Error>> {
        let mut entries = self.entries.lock().expect("memory store lock");
        let matches = entries.get(key).is_some_and(|(v, expiry)| v == expected && live(expiry, Instant::now()));
        if matches {
            entries.remove(key);
        }
        async move { Ok(matches) }.boxed()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn get_set_del_and_expiry() {
        let store = MemoryStore::new();
        assert_eq!(store.get("k").await.unwrap(), None);
        store.set("k", "v", None).await.unwrap();
        store.set("short", "x", Some(Duration::from_millis(30))).await.unwrap();
        assert_eq!(store.get("k").await.unwrap().as_deref(), Some("v"));
        assert_eq!(store.get("short").await.unwrap().as_deref(), Some("x"));
        tokio::time::sleep(Duration::from_millis(50)).await;
        assert_eq!(store.get("short").await.unwrap(), None, "expired");
        store.set("other", "y", None).await.unwrap();
        assert_eq!(store.entries.lock().unwrap().len(), 2, "the expired key was swept");
        store.del("k").await.unwrap();
        assert_eq!(store.get("k").await.unwrap(), None);
    }
}
