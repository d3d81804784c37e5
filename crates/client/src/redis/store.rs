//! Durable state in Redis (tickets, authorizer tokens, refresh tokens) behind the store interface: keys moved under
//! the configured prefix, a TTL when given and none otherwise (so a refresh token outlives a restart of a Redis with
//! persistence on), every operation bounded.
//!
//! A process-local mirror keeps what this process last read or wrote: while Redis is away, reads fall back to it,
//! so a process that has the ticket or a refresh token keeps refreshing its tokens. A value without a TTL must
//! reach Redis, though: losing a refresh token means the merchant authorizes again, so that write fails loudly.

use super::conn::Redis;
use super::keys::with_prefix;
use super::scripts::{CLAIM, DEL_IF_EQUAL, DROP_LOCK_WITHOUT_TTL, REPLACE_IF_EQUAL, SET_IF_UNCHANGED};
use crate::error::Error;
use futures::future::{BoxFuture, FutureExt};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

pub struct RedisStore {
    redis: Arc<Redis>,
    mirror: Arc<Mutex<HashMap<String, (String, Option<Instant>)>>>,
}

impl RedisStore {
    pub fn new(redis: Arc<Redis>) -> RedisStore {
        RedisStore { redis, mirror: Arc::default() }
    }

    pub fn get(&self, key: &str) -> BoxFuture<'static, Result<Option<String>, Error>> {
        let (redis, mirror, key) = (self.redis.clone(), self.mirror.clone(), self.key(key));
        async move {
            let mut cmd = redis::cmd("GET");
            cmd.arg(&key);
            match redis.query::<Option<String>>("store get", cmd).await {
                Ok(value) => {
                    let mut mirror = mirror.lock().expect("store mirror lock");
                    match &value {
                        // The TTL is not read back: the mirror is only a fallback, Redis keeps the real expiry.
                        Some(v) => mirror.insert(key, (v.clone(), None)),
                        None => mirror.remove(&key),
                    };
                    Ok(value)
                }
                Err(e) => mirrored(&mirror, &key).map(Some).ok_or(e),
            }
        }
        .boxed()
    }

    pub fn set(&self, key: &str, value: &str, ttl: Option<Duration>) -> BoxFuture<'static, Result<(), Error>> {
        let (redis, key, value) = (self.redis.clone(), self.key(key), value.to_owned());
        self.mirror.lock().expect("store mirror lock").insert(key.clone(), (value.clone(), ttl.and_then(|t| Instant::now().checked_add(t))));
        async move {
            let mut cmd = redis::cmd("SET");
            cmd.arg(&key).arg(&value);
            if let Some(ttl) = ttl {
                cmd.arg("PX").arg(ttl.as_millis().max(1) as u64);
            }
            match redis.query::<()>("store set", cmd).await {
                // A value with a TTL is a cache entry: the mirror holds it for this process meanwhile.
                Err(_) if ttl.is_some() => Ok(()),
                other => other,
            }
        }
        .boxed()
    }

    pub fn del(&self, key: &str) -> BoxFuture<'static, Result<(), Error>> {
        let (redis, key) = (self.redis.clone(), self.key(key));
        self.mirror.lock().expect("store mirror lock").remove(&key);
        async move {
            let mut cmd = redis::cmd("DEL");
            cmd.arg(&key);
            redis.query::<i64>("store del", cmd).await.map(|_| ())
        }
        .boxed()
    }

    /// Atomic in Redis (see [`SET_IF_UNCHANGED`]); fails loudly when Redis cannot be reached, like any write
    /// without a TTL.
    pub fn compare_and_set(&self, key: &str, expected: &str, value: &str) -> BoxFuture<'static, Result<bool, Error>> {
        let (redis, mirror, key, expected, value) = (self.redis.clone(), self.mirror.clone(), self.key(key), expected.to_owned(), value.to_owned());
        async move {
            let set: i64 = redis
                .run("store compare-and-set", |mut conn| {
                    let (key, expected, value) = (key.clone(), expected.clone(), value.clone());
                    async move { SET_IF_UNCHANGED.key(key).arg(expected).arg(value).invoke_async(&mut conn).await }
                })
                .await?;
            if set == 1 {
                mirror.lock().expect("store mirror lock").insert(key, (value, None));
            }
            Ok(set == 1)
        }
        .boxed()
    }

    fn key(&self, key: &str) -> String {
        with_prefix(&self.redis.config().prefix, key)
    }
}

/// A TTL as Redis's PX takes it: whole milliseconds, at least 1 (0 would be an error, not "now").
fn millis(ttl: Duration) -> u64 {
    u64::try_from(ttl.as_millis()).unwrap_or(u64::MAX).max(1)
}

fn mirrored(mirror: &Mutex<HashMap<String, (String, Option<Instant>)>>, key: &str) -> Option<String> {
    let mirror = mirror.lock().expect("store mirror lock");
    let (value, until) = mirror.get(key)?;
    until.is_none_or(|u| u > Instant::now()).then(|| value.clone())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::redis::test_server::{redis_at, TestRedis};

    const REFRESH: &str = "wechat-openapi:{wxc:wxa}:authorizer_refresh_token";
    const TICKET: &str = "wechat-openapi:{wxc}:component_verify_ticket";

    fn store(url: &str, prefix: Option<&str>) -> RedisStore {
        let (mut redis, _) = redis_at(url, 2000.0);
        if let Some(p) = prefix {
            redis = Redis::new(crate::redis::RedisConfig { prefix: p.into(), ..redis.config().clone() }).unwrap();
        }
        RedisStore::new(Arc::new(redis))
    }

    async fn pttl(store: &RedisStore, key: &str) -> i64 {
        let mut cmd = redis::cmd("PTTL");
        cmd.arg(key);
        store.redis.query("pttl", cmd).await.unwrap()
    }

    #[tokio::test]
    async fn refresh_tokens_have_no_ttl_and_survive_a_restart_with_persistence() {
        let Some(mut server) = TestRedis::start_persistent("refresh_tokens_survive_a_restart") else { return };
        let s = store(&server.url(), None);
        s.set(REFRESH, "refresh-token-1", None).await.unwrap();
        s.set(TICKET, "ticket-1", Some(Duration::from_secs(12 * 3600))).await.unwrap();
        assert_eq!(pttl(&s, REFRESH).await, -1, "no TTL");
        let ticket_ttl = pttl(&s, TICKET).await;
        assert!(ticket_ttl > 12 * 3600 * 1000 - 5000 && ticket_ttl <= 12 * 3600 * 1000, "{ticket_ttl}");
        server.shutdown();
        server.resume();
        // A new process (nothing mirrored) reads them back from the restarted Redis.
        let fresh = store(&server.url(), None);
        assert_eq!(fresh.get(REFRESH).await.unwrap().as_deref(), Some("refresh-token-1"));
        assert_eq!(fresh.get(TICKET).await.unwrap().as_deref(), Some("ticket-1"));
        fresh.del(REFRESH).await.unwrap();
        assert_eq!(fresh.get(REFRESH).await.unwrap(), None);
    }

    #[tokio::test]
    async fn a_rotated_refresh_token_never_overwrites_a_newer_one() {
        let Some(server) = TestRedis::start("a_rotated_refresh_token_never_overwrites_a_newer_one") else { return };
        let (a, b) = (store(&server.url(), None), store(&server.url(), None));
        assert!(a.compare_and_set(REFRESH, "rt-0", "rt-1").await.unwrap(), "absent: written");
        // B rotated rt-1 → rt-2; A, still holding rt-0 (stale), tries rt-0 → rt-x: refused.
        assert!(b.compare_and_set(REFRESH, "rt-1", "rt-2").await.unwrap());
        assert!(!a.compare_and_set(REFRESH, "rt-0", "rt-x").await.unwrap());
        assert!(!a.compare_and_set(REFRESH, "rt-1", "rt-y").await.unwrap(), "rotated from a token no longer stored");
        assert_eq!(a.get(REFRESH).await.unwrap().as_deref(), Some("rt-2"));
        assert_eq!(pttl(&a, REFRESH).await, -1, "no TTL");
    }

    #[tokio::test]
    async fn a_push_claim_is_one_step_becomes_done_only_while_ours_and_is_never_mirrored() {
        use crate::store::Store;
        let Some(server) = TestRedis::start("a_push_claim_is_one_step") else { return };
        let s = store(&server.url(), None);
        let key = "wechat-openapi:push:{ab12}";
        let minute = Duration::from_secs(60);
        assert_eq!(Store::claim(&s, key, "running:a", minute).await.unwrap(), None);
        assert_eq!(Store::claim(&s, key, "running:b", minute).await.unwrap().as_deref(), Some("running:a"));
        assert!(!Store::replace_if(&s, key, "running:b", "done", Duration::from_secs(30)).await.unwrap());
        assert!(Store::replace_if(&s, key, "running:a", "done", Duration::from_secs(30)).await.unwrap());
        let ttl = pttl(&s, key).await;
        assert!(ttl > 25_000 && ttl <= 30_000, "{ttl}");
        assert_eq!(Store::claim(&s, key, "running:b", minute).await.unwrap().as_deref(), Some("done"));
        assert!(s.mirror.lock().unwrap().is_empty(), "push claims are many and short-lived: not mirrored");
    }

    #[tokio::test]
    async fn keys_move_under_the_configured_prefix() {
        let Some(server) = TestRedis::start("keys_move_under_the_configured_prefix") else { return };
        let s = store(&server.url(), Some("shop:"));
        s.set(TICKET, "ticket-1", None).await.unwrap();
        let mut cmd = redis::cmd("GET");
        cmd.arg("shop:{wxc}:component_verify_ticket");
        assert_eq!(s.redis.query::<Option<String>>("get", cmd).await.unwrap().as_deref(), Some("ticket-1"));
    }

    #[tokio::test]
    async fn while_redis_is_away_reads_use_what_this_process_saw_and_durable_writes_fail() {
        let Some(mut server) = TestRedis::start("while_redis_is_away") else { return };
        let s = store(&server.url(), None);
        s.set(TICKET, "ticket-1", Some(Duration::from_secs(60))).await.unwrap();
        s.set(REFRESH, "refresh-token-1", None).await.unwrap();
        server.stop();
        assert_eq!(s.get(TICKET).await.unwrap().as_deref(), Some("ticket-1"));
        assert_eq!(s.get(REFRESH).await.unwrap().as_deref(), Some("refresh-token-1"));
        assert!(s.get("wechat-openapi:{wxc}:never_seen").await.is_err(), "nothing to fall back on: an error, not a false None");
        assert!(s.set(TICKET, "ticket-2", Some(Duration::from_secs(60))).await.is_ok(), "cache entries need not reach Redis");
        let err = s.set(REFRESH, "refresh-token-2", None).await.unwrap_err();
        assert!(err.message.starts_with("Redis store set failed"), "{}", err.message);
    }
}

/// The store interface the third-party platform writes through (tickets, authorizer tokens, refresh tokens).
impl crate::store::Store for RedisStore {
    fn get(&self, key: &str) -> BoxFuture<'static, Result<Option<String>, Error>> {
        RedisStore::get(self, key)
    }

    fn set(&self, key: &str, value: &str, ttl: Option<Duration>) -> BoxFuture<'static, Result<(), Error>> {
        RedisStore::set(self, key, value, ttl)
    }

    fn del(&self, key: &str) -> BoxFuture<'static, Result<(), Error>> {
        RedisStore::del(self, key)
    }

    fn compare_and_set<'a>(&'a self, key: &'a str, expected: &'a str, value: &'a str) -> BoxFuture<'a, Result<bool, Error>> {
        RedisStore::compare_and_set(self, key, expected, value)
    }

    /// `SET NX PX` is atomic for every process on this Redis.
    fn locks(&self) -> bool {
        true
    }

    fn set_if_absent<'a>(&'a self, key: &'a str, value: &'a str, ttl: Duration) -> BoxFuture<'a, Result<bool, Error>> {
        let mut cmd = redis::cmd("SET");
        // Always with PX (at least 1 ms): a value without a TTL would outlive a lock holder that dies.
        cmd.arg(self.key(key)).arg(value).arg("NX").arg("PX").arg(millis(ttl));
        async move { Ok(self.redis.query::<Option<String>>("lock", cmd).await?.is_some()) }.boxed()
    }

    /// Atomic (see [`DEL_IF_EQUAL`]): a holder whose lock expired cannot release the next holder's.
    fn del_if<'a>(&'a self, key: &'a str, expected: &'a str) -> BoxFuture<'a, Result<bool, Error>> {
        let (key, expected) = (self.key(key), expected.to_owned());
        self.mirror.lock().expect("store mirror lock").remove(&key);
        async move {
            let deleted: i64 = self
                .redis
                .run("delete if equal", |mut conn| {
                    let (key, expected) = (key.clone(), expected.clone());
                    async move { DEL_IF_EQUAL.key(key).arg(expected).invoke_async(&mut conn).await }
                })
                .await?;
            Ok(deleted == 1)
        }
        .boxed()
    }

    /// One script (see [`CLAIM`]), and never mirrored: push claims are many and short-lived, and a claim
    /// must not be answered from this process's memory while Redis is away.
    fn claim<'a>(&'a self, key: &'a str, value: &'a str, ttl: Duration) -> BoxFuture<'a, Result<Option<String>, Error>> {
        let (key, value, ttl) = (self.key(key), value.to_owned(), millis(ttl));
        async move {
            self.redis
                .run("push claim", |mut conn| {
                    let (key, value) = (key.clone(), value.clone());
                    async move { CLAIM.key(key).arg(value).arg(ttl).invoke_async(&mut conn).await }
                })
                .await
        }
        .boxed()
    }

    /// Atomic (see [`REPLACE_IF_EQUAL`]), and not mirrored, like `claim`.
    fn replace_if<'a>(&'a self, key: &'a str, expected: &'a str, value: &'a str, ttl: Duration) -> BoxFuture<'a, Result<bool, Error>> {
        let (key, expected, value, ttl) = (self.key(key), expected.to_owned(), value.to_owned(), millis(ttl));
        async move {
            let replaced: i64 = self
                .redis
                .run("push claim done", |mut conn| {
                    let (key, expected, value) = (key.clone(), expected.clone(), value.clone());
                    async move { REPLACE_IF_EQUAL.key(key).arg(expected).arg(value).arg(ttl).invoke_async(&mut conn).await }
                })
                .await?;
            Ok(replaced == 1)
        }
        .boxed()
    }

    fn repair_lock<'a>(&'a self, key: &'a str) -> BoxFuture<'a, Result<bool, Error>> {
        let key = self.key(key);
        async move {
            let deleted: i64 = self
                .redis
                .run("repair lock", |mut conn| {
                    let key = key.clone();
                    async move { DROP_LOCK_WITHOUT_TTL.key(key).invoke_async(&mut conn).await }
                })
                .await?;
            Ok(deleted == 1)
        }
        .boxed()
    }

    fn available(&self) -> bool {
        self.redis.available()
    }
}
