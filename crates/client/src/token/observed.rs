//! A token source that reports each fetch (not each cache hit) as a `token` event.

use super::source::{FreshToken, TokenSource};
use crate::error::Error;
use crate::exchange::events::{epoch_ms, CallEvent, EventKind, Observers};
use futures::future::{BoxFuture, FutureExt};
use std::sync::Arc;
use std::time::{Instant, SystemTime};
use wechat_protocol::secret::Secret;

/// Wraps a token source so each fetch (not each cache hit) reports a `token` event.
pub struct ObservedSource {
    pub inner: Arc<dyn TokenSource>,
    pub observers: Arc<Observers>,
    pub appid: Option<String>,
}

impl TokenSource for ObservedSource {
    fn fetch(&self, rejected: Option<Secret>) -> BoxFuture<'static, Result<FreshToken, Error>> {
        let (observers, appid) = (self.observers.clone(), self.appid.clone());
        let reason = if rejected.is_some() { "refresh" } else { "fetch" };
        let fetch = self.inner.fetch(rejected);
        async move {
            let started = Instant::now();
            let result = fetch.await;
            report(&observers, appid, reason, started, result.as_ref().map(Some));
            result
        }
        .boxed()
    }

    fn rejected(&self, token: &Secret) -> BoxFuture<'static, ()> {
        self.inner.rejected(token)
    }

    /// A background renewal is reported as `reason: 'renew'`; one that found another process renewing is not.
    fn renew_ahead(&self, current: &Secret) -> BoxFuture<'static, Result<Option<FreshToken>, Error>> {
        let (observers, appid) = (self.observers.clone(), self.appid.clone());
        let renewal = self.inner.renew_ahead(current);
        async move {
            let started = Instant::now();
            let result = renewal.await;
            if !matches!(result, Ok(None)) {
                report(&observers, appid, "renew", started, result.as_ref().map(Option::as_ref));
            }
            result
        }
        .boxed()
    }
}

/// One `token` event for a fetch that ended (`Ok(None)` is not reported).
fn report(observers: &Observers, appid: Option<String>, reason: &'static str, started: Instant, result: Result<Option<&FreshToken>, &Error>) {
    observers.emit(|| {
        let mut e = CallEvent::new(EventKind::Token, "auth.getAccessToken", 1).with_duration(started);
        e.reason = Some(reason);
        e.appid = appid;
        match result {
            Ok(token) => {
                e.err_code = Some(0);
                // Clamped: an absurd lifetime is reported as the longest one, never dropped or overflowed.
                let life = token.and_then(|t| t.expires_in).map(|life| life.min(super::lifetime::LONGEST_TOKEN_LIFE));
                e.expires_at_ms = life.and_then(|life| SystemTime::now().checked_add(life)).map(epoch_ms);
            }
            Err(err) => e = e.with_error(err),
        }
        e
    });
}

