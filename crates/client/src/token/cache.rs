//! A single-flight token cache: any number of concurrent callers on a cold or rejected cache share one fetch,
//! and a token is dropped only if it is still the one that was rejected (a slower caller holding an older
//! token must not throw away a fresher one).

use super::source::{FreshToken, TokenSource};
use crate::error::Error;
use crate::exchange::RenewableToken;
use wechat_protocol::secret::Secret;
use futures::future::{BoxFuture, FutureExt, Shared};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime};

/// Refresh this long before WeChat's expiry, so a token never expires in flight.
const EARLY_EXPIRY: Duration = Duration::from_secs(300);

type Inflight = Shared<BoxFuture<'static, Result<Cached, Error>>>;

#[derive(Clone)]
struct Cached {
    value: Secret,
    fresh_until: Instant,
    /// Wall-clock expiry as WeChat gave it, for reports (`token` CLI, hooks).
    expires_at: Option<SystemTime>,
}

struct State {
    current: Option<Cached>,
    inflight: Option<Inflight>,
}

struct Inner {
    source: Arc<dyn TokenSource>,
    state: Mutex<State>,
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
        TokenCache { inner: Arc::new(Inner { source, state: Mutex::new(State { current: None, inflight: None }) }) }
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
        let mut state = self.inner.state.lock().expect("token cache lock");
        if state.current.as_ref().is_some_and(|c| &c.value == value) {
            state.current = None;
            return true;
        }
        false
    }

    pub fn report(&self) -> CacheReport {
        let state = self.inner.state.lock().expect("token cache lock");
        CacheReport {
            cached: state.current.as_ref().is_some_and(|c| c.fresh_until > Instant::now()),
            expires_at: state.current.as_ref().and_then(|c| c.expires_at),
        }
    }

    async fn get_with(&self, rejected: Option<Secret>) -> Result<Secret, Error> {
        let fetch = {
            let mut state = self.inner.state.lock().expect("token cache lock");
            if let Some(c) = &state.current {
                let usable = c.fresh_until > Instant::now() && rejected.as_ref() != Some(&c.value);
                if usable {
                    return Ok(c.value.clone());
                }
            }
            match &state.inflight {
                Some(f) => f.clone(),
                None => {
                    let f = self.start_fetch(rejected);
                    state.inflight = Some(f.clone());
                    f
                }
            }
        };
        fetch.await.map(|c| c.value)
    }

    fn start_fetch(&self, rejected: Option<Secret>) -> Inflight {
        let inner = self.inner.clone();
        async move {
            // The source runs on its own task, so a caller that gives up (timeout, abort) does not cancel the
            // fetch that other callers are waiting for.
            let source = inner.source.clone();
            let joined = tokio::spawn(async move { source.fetch(rejected).await }).await;
            let result = match joined {
                Ok(r) => r.map(cached_from),
                Err(_) => Err(Error::system("", "the token fetch stopped unexpectedly")),
            };
            let mut state = inner.state.lock().expect("token cache lock");
            state.inflight = None;
            if let Ok(c) = &result {
                state.current = Some(c.clone());
            }
            result
        }
        .boxed()
        .shared()
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

/// How long before expiry a token counts as due: 5 minutes, or half the lifetime when it is short (stable
/// tokens near renewal report as little as 300 s). Shared tokens use the same rule, so processes agree.
pub(crate) fn early_margin(life: Duration) -> Duration {
    EARLY_EXPIRY.min(life / 2)
}

/// Far enough ahead to mean "no known expiry", near enough that the clock can always add it.
const NO_EXPIRY: Duration = Duration::from_secs(365 * 24 * 3600);

fn cached_from(token: FreshToken) -> Cached {
    let now = Instant::now();
    // Checked: a lifetime the clock cannot add is treated as having no known expiry.
    let far = now.checked_add(NO_EXPIRY).unwrap_or(now);
    match token.expires_in {
        Some(life) => {
            let fresh_for = life.saturating_sub(early_margin(life));
            Cached {
                value: token.value,
                fresh_until: now.checked_add(fresh_for).unwrap_or(far),
                expires_at: SystemTime::now().checked_add(life),
            }
        }
        None => Cached { value: token.value, fresh_until: far, expires_at: None },
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
    async fn short_lived_tokens_are_refreshed_at_half_life() {
        let (cache, source) = cache(Duration::from_millis(200));
        cache.get().await.unwrap();
        tokio::time::sleep(Duration::from_millis(120)).await;
        assert_eq!(cache.get().await.unwrap().expose(), "token-2");
        assert_eq!(source.fetches.load(Ordering::SeqCst), 2);
    }
}
