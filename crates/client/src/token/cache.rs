//! A single-flight token cache: any number of concurrent callers on a cold or rejected cache share one fetch,
//! and a token is dropped only if it is still the one that was rejected (a slower caller holding an older
//! token must not throw away a fresher one).
//!
//! Refresh-ahead: once a cached token passes its renewal point (a little before it stops counting as fresh),
//! the call that notices starts one background renewal (`TokenSource::renew_ahead`) and still returns the cached
//! token at once; when the renewal lands, it replaces the token. So in steady state no call waits on a token
//! fetch. With Redis the renewal is the same lock-and-wait as any shared fetch (one process renews, the others
//! take its token). A token rejected early is still replaced on demand (`replace_rejected`).
//!
//! A shared fetch always ends by clearing itself, whether it succeeded, failed or panicked, so the next call
//! starts a fresh one. The cache keeps only a weak handle on it: when every caller waiting for it gave up, the
//! fetch is dropped and its work (paging, store reads, retries) stops.

use super::source::{FreshToken, TokenSource};
use crate::error::Error;
use crate::exchange::RenewableToken;
use wechat_protocol::secret::Secret;
use futures::future::{BoxFuture, FutureExt, Shared, WeakShared};
use std::panic::AssertUnwindSafe;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant, SystemTime};

/// Refresh this long before WeChat's expiry, so a token never expires in flight.
const EARLY_EXPIRY: Duration = Duration::from_secs(300);

type Inflight = Shared<BoxFuture<'static, Result<Cached, Error>>>;

/// Which fetch is in flight: its number (so only that fetch clears itself) and a weak handle on it.
struct Running {
    id: u64,
    fetch: WeakShared<BoxFuture<'static, Result<Cached, Error>>>,
}

#[derive(Clone)]
struct Cached {
    value: Secret,
    fresh_until: Instant,
    /// From here until `fresh_until`, a call starts a background renewal (refresh-ahead).
    renew_at: Instant,
    /// Wall-clock expiry as WeChat gave it, for reports (`token` CLI, hooks).
    expires_at: Option<SystemTime>,
}

struct State {
    current: Option<Cached>,
    inflight: Option<Running>,
    fetches: u64,
    /// A background renewal is running.
    renewing: bool,
}

impl Inner {
    /// The state, even after a panic elsewhere held the lock: the state is always left consistent.
    fn state(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

/// Ends a fetch however its future ends (finished, panicked, or dropped because nobody waits any more):
/// stops the source's task and clears the in-flight slot if it still holds this fetch.
struct FetchGuard {
    inner: Arc<Inner>,
    id: u64,
    task: Option<futures::future::AbortHandle>,
}

impl Drop for FetchGuard {
    fn drop(&mut self) {
        if let Some(task) = self.task.take() {
            task.abort();
        }
        let mut state = self.inner.state();
        if state.inflight.as_ref().is_some_and(|r| r.id == self.id) {
            state.inflight = None;
        }
    }
}

struct Inner {
    source: Arc<dyn TokenSource>,
    state: Mutex<State>,
    /// Refresh-ahead on (always, except to measure without it).
    ahead: bool,
}

#[derive(Clone)]
pub struct TokenCache {
    inner: Arc<Inner>,
}

/// What is cached, without the value.
#[derive(Clone, Debug, PartialEq)]
pub struct CacheReport {
    pub cached: bool,
    pub expires_at: Option<SystemTime>,
}

impl TokenCache {
    pub fn new(source: Arc<dyn TokenSource>) -> TokenCache {
        TokenCache::with_refresh_ahead(source, true)
    }

    /// `ahead: false` only to measure what refresh-ahead saves (calls then wait on a fetch at each renewal).
    pub fn with_refresh_ahead(source: Arc<dyn TokenSource>, ahead: bool) -> TokenCache {
        let state = State { current: None, inflight: None, fetches: 0, renewing: false };
        TokenCache { inner: Arc::new(Inner { source, state: Mutex::new(state), ahead }) }
    }

    /// The cached token, or one fresh fetch shared with every concurrent caller.
    pub async fn get(&self) -> Result<Secret, Error> {
        self.get_with(None).await
    }

    /// Called after WeChat rejected `rejected` (40001/40014/42001): drop it if it is still the cached one,
    /// then get a token that is not it.
    pub async fn replace_rejected(&self, rejected: &Secret) -> Result<Secret, Error> {
        if self.drop_if_current(rejected) {
            self.inner.source.rejected(rejected).await;
        }
        self.get_with(Some(rejected.clone())).await
    }

    /// Drops the cached token if it is `value`; true if it was dropped.
    pub fn drop_if_current(&self, value: &Secret) -> bool {
        let mut state = self.inner.state();
        if state.current.as_ref().is_some_and(|c| &c.value == value) {
            state.current = None;
            return true;
        }
        false
    }

    pub fn report(&self) -> CacheReport {
        let state = self.inner.state();
        CacheReport {
            cached: state.current.as_ref().is_some_and(|c| c.fresh_until > Instant::now()),
            expires_at: state.current.as_ref().and_then(|c| c.expires_at),
        }
    }

    async fn get_with(&self, rejected: Option<Secret>) -> Result<Secret, Error> {
        let fetch = {
            let mut state = self.inner.state();
            if let Some(c) = &state.current {
                let now = Instant::now();
                let usable = c.fresh_until > now && rejected.as_ref() != Some(&c.value);
                if usable {
                    let value = c.value.clone();
                    if self.inner.ahead && now >= c.renew_at && !state.renewing && state.inflight.is_none() {
                        state.renewing = true;
                        drop(crate::host::spawn_here(renew(self.inner.clone(), value.clone())));
                    }
                    return Ok(value);
                }
            }
            match state.inflight.as_ref().and_then(|r| r.fetch.upgrade()) {
                Some(f) => f,
                None => {
                    state.fetches += 1;
                    let id = state.fetches;
                    let f = self.start_fetch(id, rejected);
                    // Weak: when every waiter has dropped it, the fetch is dropped too.
                    state.inflight = Some(Running { id, fetch: f.downgrade().expect("a fresh shared future") });
                    f
                }
            }
        };
        fetch.await.map(|c| c.value)
    }

    fn start_fetch(&self, id: u64, rejected: Option<Secret>) -> Inflight {
        let inner = self.inner.clone();
        async move {
            let mut guard = FetchGuard { inner: inner.clone(), id, task: None };
            // The source runs on its own task, so a caller that gives up (timeout, abort) does not cancel the
            // fetch that other callers are waiting for; the guard stops it once nobody waits. The task runs where
            // the caller runs (the JS thread's loop, for the binding), so the fetch shares the calls' connections.
            let source = inner.source.clone();
            let (task, stop) = crate::host::spawn_here(async move { source.fetch(rejected).await });
            guard.task = Some(stop);
            let result = task.await.unwrap_or_else(|| Err(Error::internal("", "the token fetch panicked")));
            let result = AssertUnwindSafe(move || result.map(cached_from)).catch_unwind_sync();
            let mut state = inner.state();
            if let Ok(c) = &result {
                if state.inflight.as_ref().is_some_and(|r| r.id == id) {
                    state.current = Some(c.clone());
                }
            }
            drop(state);
            drop(guard);
            result
        }
        .boxed()
        .shared()
    }
}

/// Waits before asking again when a renewal found another process renewing (or failed).
const RENEW_RETRY: Duration = Duration::from_millis(100);
/// A renewal that handed back the same token (a stable token still valid) is not retried sooner than this.
const SAME_TOKEN_RETRY: Duration = Duration::from_secs(1);

/// One background renewal of `current`: its result replaces the cached token only if that is still `current`
/// (a rejection may have replaced it meanwhile).
async fn renew(inner: Arc<Inner>, current: Secret) {
    let source = inner.source.clone();
    let renewal = AssertUnwindSafe(source.renew_ahead(&current)).catch_unwind().await;
    let mut state = inner.state();
    state.renewing = false;
    let now = Instant::now();
    let Some(c) = state.current.as_mut().filter(|c| c.value == current) else { return };
    match renewal {
        Ok(Ok(Some(token))) => {
            let same = token.value == current;
            let mut renewed = cached_from(token);
            if same {
                renewed.renew_at = renewed.renew_at.max(now + SAME_TOKEN_RETRY).min(renewed.fresh_until);
            }
            *c = renewed;
        }
        // Another process is renewing, or the renewal failed: look again shortly (calls still use `current`).
        _ => {
            let left = c.fresh_until.saturating_duration_since(now);
            c.renew_at = now + RENEW_RETRY.min(left / 4).max(Duration::from_millis(5));
        }
    }
}

/// The exchange asks for the token a request carries, and for another when WeChat rejects it.
impl RenewableToken for TokenCache {
    fn current(&self) -> BoxFuture<'_, Result<Secret, Error>> {
        self.get().boxed()
    }

    fn renew<'a>(&'a self, rejected: &'a Secret) -> BoxFuture<'a, Result<Secret, Error>> {
        self.replace_rejected(rejected).boxed()
    }
}

/// A panic turned into the error every waiter receives.
trait CatchSync<T> {
    fn catch_unwind_sync(self) -> Result<T, Error>;
}

impl<T, F: FnOnce() -> Result<T, Error>> CatchSync<T> for AssertUnwindSafe<F> {
    fn catch_unwind_sync(self) -> Result<T, Error> {
        std::panic::catch_unwind(self).unwrap_or_else(|_| Err(Error::internal("", "the token answer could not be cached")))
    }
}

/// How long before expiry a token counts as due: 5 minutes, or a tenth of the lifetime when it is short (a
/// stable token near its renewal reports as little as 300 s; an emulator may hand out 1-second tokens), so a
/// token is used for nine tenths of its life whatever its length and a run of n lifetimes costs n fetches.
/// Shared tokens use the same rule, so processes agree.
pub(crate) fn early_margin(life: Duration) -> Duration {
    EARLY_EXPIRY.min(life / 10)
}

/// How long before a token stops counting as fresh its background renewal starts: the early-expiry margin
/// again (5 minutes for a 2-hour token, so it is renewed 10 minutes before WeChat's expiry), at most a quarter
/// of its fresh time (short-lived tokens).
pub(crate) fn renew_ahead_by(margin: Duration, fresh_for: Duration) -> Duration {
    margin.min(fresh_for / 4)
}

/// Far enough ahead to mean "no known expiry", near enough that the clock can always add it.
const NO_EXPIRY: Duration = Duration::from_secs(365 * 24 * 3600);

fn cached_from(token: FreshToken) -> Cached {
    let now = Instant::now();
    // Checked: a lifetime the clock cannot add is treated as having no known expiry.
    let far = now.checked_add(NO_EXPIRY).unwrap_or(now);
    match token.expires_in {
        Some(life) => {
            let margin = early_margin(life);
            let fresh_for = life.saturating_sub(margin);
            let fresh_until = now.checked_add(fresh_for).unwrap_or(far);
            Cached {
                value: token.value,
                fresh_until,
                renew_at: fresh_until.checked_sub(renew_ahead_by(margin, fresh_for)).unwrap_or(now),
                expires_at: SystemTime::now().checked_add(life),
            }
        }
        None => Cached { value: token.value, fresh_until: far, renew_at: far, expires_at: None },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};

    struct Counting {
        fetches: AtomicUsize,
        life: Duration,
    }

    impl TokenSource for Counting {
        fn fetch(&self, _rejected: Option<Secret>) -> BoxFuture<'static, Result<FreshToken, Error>> {
            let n = self.fetches.fetch_add(1, Ordering::SeqCst) + 1;
            let life = self.life;
            async move {
                tokio::time::sleep(Duration::from_millis(20)).await;
                Ok(FreshToken { value: Secret::new(format!("token-{n}")), expires_in: Some(life) })
            }
            .boxed()
        }
    }

    fn cache(life: Duration) -> (TokenCache, Arc<Counting>) {
        let source = Arc::new(Counting { fetches: AtomicUsize::new(0), life });
        (TokenCache::new(source.clone()), source)
    }

    #[tokio::test]
    async fn concurrent_cold_callers_share_one_fetch() {
        let (cache, source) = cache(Duration::from_secs(7200));
        let all = futures::future::join_all((0..500).map(|_| cache.get())).await;
        assert!(all.iter().all(|t| t.as_ref().unwrap().expose() == "token-1"));
        assert_eq!(source.fetches.load(Ordering::SeqCst), 1);
        assert!(cache.report().cached);
    }

    #[tokio::test]
    async fn a_rejected_token_is_replaced_once_and_a_stale_rejection_keeps_the_fresh_one() {
        let (cache, source) = cache(Duration::from_secs(7200));
        let first = cache.get().await.unwrap();
        let replaced = futures::future::join_all((0..50).map(|_| cache.replace_rejected(&first))).await;
        assert!(replaced.iter().all(|t| t.as_ref().unwrap().expose() == "token-2"));
        assert_eq!(source.fetches.load(Ordering::SeqCst), 2);
        // A caller that still held token-1 reports it late: token-2 stays.
        assert!(!cache.drop_if_current(&first));
        assert_eq!(cache.get().await.unwrap().expose(), "token-2");
        assert_eq!(source.fetches.load(Ordering::SeqCst), 2);
    }

    #[tokio::test]
    async fn short_lived_tokens_are_used_for_nine_tenths_of_their_life() {
        let source = Arc::new(Counting { fetches: AtomicUsize::new(0), life: Duration::from_millis(400) });
        let cache = TokenCache::with_refresh_ahead(source.clone(), false);
        cache.get().await.unwrap();
        tokio::time::sleep(Duration::from_millis(300)).await;
        assert_eq!(cache.get().await.unwrap().expose(), "token-1", "fresh until 360 ms");
        tokio::time::sleep(Duration::from_millis(80)).await;
        assert_eq!(cache.get().await.unwrap().expose(), "token-2");
        assert_eq!(source.fetches.load(Ordering::SeqCst), 2);
    }

    #[tokio::test]
    async fn a_token_is_renewed_ahead_in_the_background_and_no_call_waits() {
        // 2 s life: fresh for 1.8 s, renewed from 1.6 s.
        let (cache, source) = cache(Duration::from_millis(2000));
        assert_eq!(cache.get().await.unwrap().expose(), "token-1");
        tokio::time::sleep(Duration::from_millis(1650)).await;
        // Answered from the cache while the renewal (20 ms) runs: had they waited for it, they would hold token-2.
        let calls = futures::future::join_all((0..100).map(|_| cache.get())).await;
        assert!(calls.iter().all(|t| t.as_ref().unwrap().expose() == "token-1"), "the current token meanwhile");
        let until = Instant::now() + Duration::from_millis(150);
        while cache.get().await.unwrap().expose() != "token-2" && Instant::now() < until {
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        assert_eq!(cache.get().await.unwrap().expose(), "token-2", "the renewal landed");
        assert_eq!(source.fetches.load(Ordering::SeqCst), 2, "one renewal for 100 calls");
        // A token rejected early is still replaced on demand.
        let t2 = cache.get().await.unwrap();
        assert_eq!(cache.replace_rejected(&t2).await.unwrap().expose(), "token-3");
    }

    /// Panics on the first `panics` fetches (in the source, or by handing over a lifetime the clock cannot add),
    /// then hands out tokens; counts fetches started and fetches that ran to the end.
    struct Flaky {
        panics: usize,
        started: AtomicUsize,
        finished: Arc<AtomicUsize>,
        delay: Duration,
        huge: bool,
    }

    impl TokenSource for Flaky {
        fn fetch(&self, _rejected: Option<Secret>) -> BoxFuture<'static, Result<FreshToken, Error>> {
            let n = self.started.fetch_add(1, Ordering::SeqCst) + 1;
            let (panics, delay, huge) = (self.panics, self.delay, self.huge);
            let finished = self.finished.clone();
            async move {
                tokio::time::sleep(delay).await;
                if n <= panics && !huge {
                    panic!("source panicked");
                }
                finished.fetch_add(1, Ordering::SeqCst);
                let life = if n <= panics { Duration::MAX } else { Duration::from_secs(7200) };
                Ok(FreshToken { value: Secret::new(format!("token-{n}")), expires_in: Some(life) })
            }
            .boxed()
        }
    }

    fn flaky(panics: usize, delay: Duration, huge: bool) -> (TokenCache, Arc<Flaky>) {
        let source = Arc::new(Flaky { panics, started: AtomicUsize::new(0), finished: Arc::default(), delay, huge });
        (TokenCache::new(source.clone()), source)
    }

    #[tokio::test]
    async fn a_panicking_fetch_fails_its_waiters_and_the_next_call_fetches_afresh() {
        let (cache, source) = flaky(1, Duration::from_millis(10), false);
        let failed = futures::future::join_all((0..20).map(|_| cache.get())).await;
        assert!(failed.iter().all(|r| r.as_ref().unwrap_err().code == -604103));
        assert_eq!(cache.get().await.unwrap().expose(), "token-2");
        assert_eq!(source.started.load(Ordering::SeqCst), 2);
        assert_eq!(cache.get().await.unwrap().expose(), "token-2", "and it is cached");
    }

    #[tokio::test]
    async fn a_lifetime_beyond_the_clock_is_cached_without_panicking() {
        let (cache, source) = flaky(1, Duration::from_millis(1), true);
        assert_eq!(cache.get().await.unwrap().expose(), "token-1");
        assert_eq!(cache.get().await.unwrap().expose(), "token-1");
        assert_eq!(source.started.load(Ordering::SeqCst), 1);
        assert!(cache.report().expires_at.is_none() || cache.report().cached);
    }

    #[tokio::test]
    async fn a_fetch_nobody_waits_for_is_cancelled_and_the_next_call_starts_a_fresh_one() {
        let (cache, source) = flaky(0, Duration::from_millis(200), false);
        let gave_up = tokio::time::timeout(Duration::from_millis(30), cache.get()).await;
        assert!(gave_up.is_err());
        tokio::time::sleep(Duration::from_millis(300)).await;
        assert_eq!(source.finished.load(Ordering::SeqCst), 0, "the abandoned fetch was stopped");
        // One waiter giving up does not cancel the fetch another still waits for.
        let (a, b) = (cache.clone(), cache.clone());
        let patient = tokio::spawn(async move { a.get().await });
        let _ = tokio::time::timeout(Duration::from_millis(30), b.get()).await;
        assert_eq!(patient.await.unwrap().unwrap().expose(), "token-2");
        assert_eq!(source.started.load(Ordering::SeqCst), 2);
    }
}
