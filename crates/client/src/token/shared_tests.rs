//! Several "processes" (each its own TokenCache, SharedTokenSource and Redis connection) against one real
//! redis-server, sharing one counting source that stands in for WeChat; and the same lock-and-wait over another
//! store that locks (a shared in-memory store standing in for a user's database).

use super::*;
use crate::redis::test_server::{free_port, redis_at, TestRedis};
use crate::redis::{Redis, RedisStore};
use crate::store::keys::access_token;
use crate::store::{MemoryStore, DEFAULT_LOCK_TTL};
use crate::token::TokenCache;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;

/// The client's default `timeout`, which bounds the wait for a refresh lock's holder.
const CALL_TIMEOUT: Duration = Duration::from_secs(15);

/// WeChat's token endpoint: counts requests, answers `token-<n>` after `delay`.
struct Wechat {
    requests: AtomicUsize,
    delay: Duration,
}

impl TokenSource for Wechat {
    fn fetch(&self, _rejected: Option<Secret>) -> BoxFuture<'static, Result<FreshToken, Error>> {
        let n = self.requests.fetch_add(1, Ordering::SeqCst) + 1;
        let delay = self.delay;
        async move {
            tokio::time::sleep(delay).await;
            Ok(FreshToken { value: Secret::new(format!("token-{n}")), expires_in: Some(Duration::from_secs(7200)) })
        }
        .boxed()
    }
}

fn wechat(delay_ms: u64) -> Arc<Wechat> {
    Arc::new(Wechat { requests: AtomicUsize::new(0), delay: Duration::from_millis(delay_ms) })
}

struct Process {
    cache: TokenCache,
    redis: Arc<Redis>,
    log: Arc<Mutex<Vec<String>>>,
}

/// The source as the client makes it with Redis: through the Redis store, on the app's key.
fn over_redis(wechat: Arc<dyn TokenSource>, redis: &Arc<Redis>, appid: &str) -> SharedTokenSource {
    over_redis_with(wechat, redis, appid, CALL_TIMEOUT)
}

/// The same for calls that time out after `timeout` (which bounds the wait for a lock's holder).
fn over_redis_with(wechat: Arc<dyn TokenSource>, redis: &Arc<Redis>, appid: &str, timeout: Duration) -> SharedTokenSource {
    let times = LockTimes::new(redis.config().lock_ttl, timeout);
    SharedTokenSource::new(wechat, Arc::new(RedisStore::new(redis.clone())), TokenKeys::of(access_token(appid)), times)
}

fn process(url: &str, wechat: &Arc<Wechat>) -> Process {
    let (redis, log) = redis_at(url, 2000.0); // roomy: a loaded machine is not a Redis outage
    let redis = Arc::new(redis);
    let source = over_redis(wechat.clone(), &redis, "wx1");
    Process { cache: TokenCache::new(Arc::new(source)), redis, log }
}

async fn stored(p: &Process) -> Option<String> {
    let mut get = redis::cmd("GET");
    get.arg("wechat-openapi:{wx1}:access_token");
    p.redis.query("get", get).await.unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn four_processes_on_a_cold_cache_make_one_token_request() {
    let Some(server) = TestRedis::start("four_processes_on_a_cold_cache_make_one_token_request") else { return };
    let wechat = wechat(50);
    let processes: Vec<Process> = (0..4).map(|_| process(&server.url(), &wechat)).collect();
    let calls = processes.iter().flat_map(|p| (0..250).map(|_| p.cache.get()));
    let tokens = futures::future::join_all(calls).await;
    assert!(tokens.iter().all(|t| t.as_ref().unwrap().expose() == "token-1"));
    assert_eq!(wechat.requests.load(Ordering::SeqCst), 1);
    let value = stored(&processes[0]).await.unwrap();
    assert!(value.starts_with(r#"{"token":"token-1","expiresAt":"#), "{value}");
    // Warm: no Redis round trip either (stop the server, the caches still answer).
    drop(server);
    assert_eq!(processes[3].cache.get().await.unwrap().expose(), "token-1");
    assert!(processes[3].log.lock().unwrap().is_empty(), "a cache hit never touched Redis");
}

#[tokio::test]
async fn a_stale_rejection_does_not_evict_a_fresher_token() {
    let Some(server) = TestRedis::start("a_stale_rejection_does_not_evict_a_fresher_token") else { return };
    let wechat = wechat(5);
    let (a, b) = (process(&server.url(), &wechat), process(&server.url(), &wechat));
    let first = a.cache.get().await.unwrap();
    assert_eq!(b.cache.get().await.unwrap(), first);
    // B meets 40001 first: token-1 leaves Redis and B stores token-2.
    assert_eq!(b.cache.replace_rejected(&first).await.unwrap().expose(), "token-2");
    // A reports token-1 late: Redis keeps token-2, and A takes it without asking WeChat.
    assert_eq!(a.cache.replace_rejected(&first).await.unwrap().expose(), "token-2");
    assert_eq!(wechat.requests.load(Ordering::SeqCst), 2);
    assert!(stored(&a).await.unwrap().contains(r#""token":"token-2""#));
}

#[tokio::test]
async fn a_lock_left_without_a_ttl_is_dropped_and_the_refresh_goes_ahead() {
    let Some(server) = TestRedis::start("a_lock_left_without_a_ttl_is_dropped_and_the_refresh_goes_ahead") else { return };
    let wechat = wechat(5);
    let p = process(&server.url(), &wechat);
    let mut take = redis::cmd("SET");
    take.arg("wechat-openapi:{wx1}:access_token:lock").arg("no-ttl");
    p.redis.query::<()>("lock", take).await.unwrap();
    let started = Instant::now();
    assert_eq!(p.cache.get().await.unwrap().expose(), "token-1");
    assert!(started.elapsed() < Duration::from_millis(500), "waited {:?}", started.elapsed());
    // Our own lock is released after the refresh; a lock we take always has a TTL.
    let mut exists = redis::cmd("EXISTS");
    exists.arg("wechat-openapi:{wx1}:access_token:lock");
    assert_eq!(p.redis.query::<i64>("exists", exists).await.unwrap(), 0);
}

#[tokio::test]
async fn a_dead_holders_lock_expires_and_another_process_refreshes() {
    let Some(server) = TestRedis::start("a_dead_holders_lock_expires_and_another_process_refreshes") else { return };
    let wechat = wechat(5);
    let p = process(&server.url(), &wechat);
    // A holder that died mid-refresh: its lock stays until its TTL.
    let mut take = redis::cmd("SET");
    take.arg("wechat-openapi:{wx1}:access_token:lock").arg("dead-holder").arg("NX").arg("PX").arg(600);
    p.redis.query::<()>("lock", take).await.unwrap();
    let started = Instant::now();
    assert_eq!(p.cache.get().await.unwrap().expose(), "token-1");
    let waited = started.elapsed();
    assert!(waited >= Duration::from_millis(550) && waited < Duration::from_millis(1500), "waited {waited:?}");
    assert_eq!(wechat.requests.load(Ordering::SeqCst), 1);
}

#[tokio::test]
async fn a_lock_that_outlives_every_deadline_is_broken_within_the_patience_with_one_request() {
    let Some(server) = TestRedis::start("a_lock_that_outlives_every_deadline_is_broken") else { return };
    let wechat = wechat(5);
    let timeout = Duration::from_millis(900);
    let (redis, _) = redis_at(&server.url(), 2000.0);
    let redis = Arc::new(redis);
    // A crashed holder's lock with an hour to live (or a store that ignores TTLs): the old wait ran 21 s.
    let mut take = redis::cmd("SET");
    take.arg("wechat-openapi:{wx1}:access_token:lock").arg("crashed").arg("PX").arg(3_600_000);
    redis.query::<()>("lock", take).await.unwrap();
    let caches: Vec<TokenCache> = (0..2).map(|_| TokenCache::new(Arc::new(over_redis_with(wechat.clone(), &redis, "wx1", timeout)))).collect();
    let started = Instant::now();
    let tokens = futures::future::join_all(caches.iter().map(|c| c.get())).await;
    let waited = started.elapsed();
    assert!(tokens.iter().all(|t| t.as_ref().unwrap().expose() == "token-1"));
    assert!(waited >= timeout / 3 && waited < timeout, "waited {waited:?}");
    assert_eq!(wechat.requests.load(Ordering::SeqCst), 1, "one waiter broke the lock, the other took its token");
    let mut exists = redis::cmd("EXISTS");
    exists.arg("wechat-openapi:{wx1}:access_token:lock");
    assert_eq!(redis.query::<i64>("exists", exists).await.unwrap(), 0, "the stale lock is gone");
}

#[tokio::test]
async fn a_lock_never_given_is_taken_over_and_calls_shorter_than_the_patience_add_up_to_it() {
    let store: Arc<dyn crate::store::Store> = Arc::new(SlowStore { refuses_locks: true, ..SlowStore::new(0) });
    let wechat = wechat(5);
    let times = LockTimes::new(DEFAULT_LOCK_TTL, Duration::from_millis(1500));
    assert_eq!(times.patience, Duration::from_millis(500));
    let cache = TokenCache::new(Arc::new(SharedTokenSource::new(wechat.clone(), store.clone(), TokenKeys::of(access_token("wx1")), times)));
    // Each caller gives up after 200 ms, before the patience runs out; the third goes past it and takes over.
    let started = Instant::now();
    for _ in 0..2 {
        assert!(tokio::time::timeout(Duration::from_millis(200), cache.get()).await.is_err());
    }
    assert_eq!(cache.get().await.unwrap().expose(), "token-1");
    assert!(started.elapsed() < Duration::from_millis(900), "took {:?}", started.elapsed());
    assert_eq!(wechat.requests.load(Ordering::SeqCst), 1);
    // Published: another process takes it from the store without a request.
    let other = SharedTokenSource::new(wechat.clone(), store.clone(), TokenKeys::of(access_token("wx1")), times);
    assert_eq!(TokenCache::new(Arc::new(other)).get().await.unwrap().expose(), "token-1");
    assert_eq!(wechat.requests.load(Ordering::SeqCst), 1);
}

#[test]
fn the_patience_is_a_third_of_the_timeout_and_never_past_the_old_bound() {
    assert_eq!(LockTimes::new(DEFAULT_LOCK_TTL, CALL_TIMEOUT).patience, Duration::from_secs(5));
    assert_eq!(LockTimes::new(DEFAULT_LOCK_TTL, Duration::from_secs(600)).patience, Duration::from_secs(21));
}

#[tokio::test]
async fn without_redis_tokens_are_fetched_locally_and_the_outage_is_logged_once() {
    let wechat = wechat(5);
    let p = process(&format!("redis://127.0.0.1:{}/0", free_port()), &wechat);
    let first = p.cache.get().await.unwrap();
    assert_eq!(first.expose(), "token-1");
    assert_eq!(p.cache.replace_rejected(&first).await.unwrap().expose(), "token-2");
    assert_eq!(p.log.lock().unwrap().len(), 1);
    assert!(p.log.lock().unwrap()[0].contains("is unavailable"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sharing_resumes_when_redis_is_back() {
    let Some(mut server) = TestRedis::start("sharing_resumes_when_redis_is_back") else { return };
    let wechat = wechat(20);
    let (a, b) = (process(&server.url(), &wechat), process(&server.url(), &wechat));
    let first = a.cache.get().await.unwrap();
    assert_eq!(b.cache.get().await.unwrap(), first);
    server.stop();
    // Redis is down: both refresh on their own, and calls keep working.
    let (ra, rb) = futures::join!(a.cache.replace_rejected(&first), b.cache.replace_rejected(&first));
    let (ra, rb) = (ra.unwrap(), rb.unwrap());
    assert_eq!(wechat.requests.load(Ordering::SeqCst), 3);
    server.resume();
    tokio::time::sleep(Duration::from_millis(600)).await; // past the first backoff
    // Both reject their token at once: shared again, one request between them.
    let (na, nb) = futures::join!(a.cache.replace_rejected(&ra), b.cache.replace_rejected(&rb));
    let (na, nb) = (na.unwrap(), nb.unwrap());
    assert_eq!(na, nb);
    assert_eq!(wechat.requests.load(Ordering::SeqCst), 4);
    for p in [&a, &b] {
        let log = p.log.lock().unwrap();
        assert_eq!(log.len(), 2, "{log:?}");
        assert!(log[0].contains("is unavailable") && log[1].contains("reachable again"));
    }
}

#[tokio::test]
async fn a_token_refused_here_is_not_read_back_before_redis_forgets_it() {
    let Some(server) = TestRedis::start("a_token_refused_here_is_not_read_back_before_redis_forgets_it") else { return };
    let wechat = wechat(5);
    let (redis, _) = redis_at(&server.url(), 2000.0);
    let source = over_redis(wechat.clone(), &Arc::new(redis), "wx1");
    let first = source.fetch(None).await.unwrap();
    // The cache dropped token-1 and told the source, whose compare-and-delete has not reached Redis yet; a call
    // that now finds the cache empty asks without naming a rejected token.
    let forget_later = source.rejected(&first.value);
    assert_eq!(source.fetch(None).await.unwrap().value.expose(), "token-2");
    forget_later.await;
    assert_eq!(wechat.requests.load(Ordering::SeqCst), 2);
}

/// WeChat's token endpoint for the steady-state measurement: `life`-long tokens after 50 ms (a real round trip).
struct Timed {
    requests: AtomicUsize,
    life: Duration,
}

impl TokenSource for Timed {
    fn fetch(&self, _rejected: Option<Secret>) -> BoxFuture<'static, Result<FreshToken, Error>> {
        let n = self.requests.fetch_add(1, Ordering::SeqCst) + 1;
        let life = self.life;
        async move {
            tokio::time::sleep(Duration::from_millis(50)).await;
            Ok(FreshToken { value: Secret::new(format!("token-{n}")), expires_in: Some(life) })
        }
        .boxed()
    }
}

struct SteadyState {
    requests: usize,
    distinct_tokens: usize,
    calls: usize,
    p50: Duration,
    p99: Duration,
    max: Duration,
}

/// 4 processes sharing one Redis, each starting a call every 2 ms (without waiting for the previous one) for
/// three token lifetimes after a cold start.
async fn steady_state(url: &str, ahead: bool, life: Duration) -> SteadyState {
    let wechat = Arc::new(Timed { requests: AtomicUsize::new(0), life });
    let account = if ahead { "wxahead" } else { "wxplain" };
    let caches: Vec<TokenCache> = (0..4)
        .map(|_| {
            let (redis, _) = redis_at(url, 2000.0);
            let source = over_redis(wechat.clone(), &Arc::new(redis), account);
            TokenCache::with_refresh_ahead(Arc::new(source), ahead)
        })
        .collect();
    for c in &caches {
        c.get().await.unwrap();
    }
    let until = Instant::now() + life * 3;
    let mut handles = Vec::new();
    while Instant::now() < until {
        for c in &caches {
            let c = c.clone();
            handles.push(tokio::spawn(async move {
                let started = Instant::now();
                let token = c.get().await.unwrap();
                (started.elapsed(), token)
            }));
        }
        tokio::time::sleep(Duration::from_millis(2)).await;
    }
    let mut latencies = Vec::new();
    let mut tokens = std::collections::HashSet::new();
    for h in handles {
        let (took, token) = h.await.unwrap();
        latencies.push(took);
        tokens.insert(token.expose().to_owned());
    }
    latencies.sort();
    let at = |q: f64| latencies[((latencies.len() as f64 * q) as usize).min(latencies.len() - 1)];
    SteadyState {
        requests: wechat.requests.load(Ordering::SeqCst),
        distinct_tokens: tokens.len(),
        calls: latencies.len(),
        p50: at(0.50),
        p99: at(0.99),
        max: *latencies.last().unwrap(),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn refresh_ahead_keeps_every_call_at_cache_hit_latency_across_token_lifetimes() {
    let Some(server) = TestRedis::start("refresh_ahead_keeps_every_call_at_cache_hit_latency") else { return };
    // A 1.2 s token is fresh for 1.08 s (nine tenths) and renewed ahead from 0.96 s.
    let life = Duration::from_millis(1200);
    let with = steady_state(&server.url(), true, life).await;
    let without = steady_state(&server.url(), false, life).await;
    for (name, s) in [("refresh-ahead", &with), ("no refresh-ahead", &without)] {
        eprintln!(
            "{name}: 4 processes, {} calls over 3 lifetimes of a {} ms token: {} token requests, {} distinct tokens, p50 {:?}, p99 {:?}, max {:?}",
            s.calls,
            life.as_millis(),
            s.requests,
            s.distinct_tokens,
            s.p50,
            s.p99,
            s.max
        );
    }
    // One request per renewal across the 4 processes: every token fetched was used by the calls, none twice.
    assert!(with.requests <= with.distinct_tokens + 1, "{} requests, {} tokens", with.requests, with.distinct_tokens);
    assert!(without.requests <= without.distinct_tokens + 1, "{} requests, {} tokens", without.requests, without.distinct_tokens);
    // The cold fetch, then one per lifetime: 3 lifetimes, 3 renewals, with refresh-ahead or without.
    assert_eq!(with.requests, 1 + 3, "refresh-ahead: {} requests", with.requests);
    assert_eq!(without.requests, 1 + 3, "no refresh-ahead: {} requests", without.requests);
    // With refresh-ahead no call waited on WeChat (50 ms); without it, the calls at each renewal did.
    // (p99, not max: on a loaded machine a spawned call may itself wait for a thread.)
    assert!(with.p99 < Duration::from_millis(5), "p99 {:?}, max {:?}", with.p99, with.max);
    assert!(without.p99 >= Duration::from_millis(45), "without refresh-ahead, calls wait at each renewal: p99 {:?}", without.p99);
}

/// A store that locks but is not Redis (a user's database with setIfAbsent): each operation takes a while, as a
/// network round trip would. `refuses_locks`: its set-if-absent always answers false (a lock it never expires and
/// does not show).
struct SlowStore {
    data: MemoryStore,
    delay: Duration,
    refuses_locks: bool,
}

impl SlowStore {
    fn new(delay_ms: u64) -> SlowStore {
        SlowStore { data: MemoryStore::new(), delay: Duration::from_millis(delay_ms), refuses_locks: false }
    }
}

impl crate::store::Store for SlowStore {
    fn get(&self, key: &str) -> BoxFuture<'static, Result<Option<String>, Error>> {
        let (get, delay) = (self.data.get(key), self.delay);
        async move {
            tokio::time::sleep(delay).await;
            get.await
        }
        .boxed()
    }
    fn set(&self, key: &str, value: &str, ttl: Option<Duration>) -> BoxFuture<'static, Result<(), Error>> {
        self.data.set(key, value, ttl)
    }
    fn del(&self, key: &str) -> BoxFuture<'static, Result<(), Error>> {
        self.data.del(key)
    }
    fn locks(&self) -> bool {
        true
    }
    fn set_if_absent<'a>(&'a self, key: &'a str, value: &'a str, ttl: Duration) -> BoxFuture<'a, Result<bool, Error>> {
        async move {
            tokio::time::sleep(self.delay).await;
            Ok(!self.refuses_locks && self.data.set_if_absent(key, value, ttl).await?)
        }
        .boxed()
    }
    fn del_if<'a>(&'a self, key: &'a str, expected: &'a str) -> BoxFuture<'a, Result<bool, Error>> {
        self.data.del_if(key, expected)
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn any_store_that_locks_shares_one_refresh_between_processes() {
    let store: Arc<dyn crate::store::Store> = Arc::new(SlowStore::new(2));
    let wechat = wechat(50);
    let caches: Vec<TokenCache> = (0..4)
        .map(|_| TokenCache::new(Arc::new(SharedTokenSource::new(wechat.clone(), store.clone(), TokenKeys::of(access_token("wx1")), LockTimes::new(DEFAULT_LOCK_TTL, CALL_TIMEOUT)))))
        .collect();
    let calls = caches.iter().flat_map(|c| (0..250).map(|_| c.get()));
    let tokens = futures::future::join_all(calls).await;
    assert!(tokens.iter().all(|t| t.as_ref().unwrap().expose() == "token-1"));
    assert_eq!(wechat.requests.load(Ordering::SeqCst), 1, "one request for 4 processes");
    // The lock is released after the refresh; WeChat then refuses token-1 to every process: one more request.
    assert_eq!(store.get("wechat-openapi:{wx1}:access_token:lock").await.unwrap(), None);
    let first = tokens[0].as_ref().unwrap().clone();
    let renewed = futures::future::join_all(caches.iter().map(|c| c.replace_rejected(&first))).await;
    assert!(renewed.iter().all(|t| t.as_ref().unwrap().expose() == "token-2"));
    assert_eq!(wechat.requests.load(Ordering::SeqCst), 2);
}
