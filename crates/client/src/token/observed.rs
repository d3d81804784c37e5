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
        let observers = self.observers.clone();
        let appid = self.appid.clone();
        let reason = if rejected.is_some() { "refresh" } else { "fetch" };
        let fetch = self.inner.fetch(rejected);
        async move {
            let started = Instant::now();
            let result = fetch.await;
            observers.emit(|| {
                let mut e = CallEvent::new(EventKind::Token, "auth.getAccessToken", 1).with_duration(started);
                e.reason = Some(reason);
                e.appid = appid;
                match &result {
                    Ok(token) => {
                        e.err_code = Some(0);
                        // Clamped: an absurd lifetime is reported as the longest one, never dropped or overflowed.
                        let life = token.expires_in.map(|life| life.min(super::lifetime::LONGEST_TOKEN_LIFE));
                        e.expires_at_ms = life.and_then(|life| SystemTime::now().checked_add(life)).map(epoch_ms);
                    }
                    Err(err) => e = e.with_error(err),
                }
                e
            });
            result
        }
        .boxed()
    }

    fn rejected(&self, token: &Secret) -> BoxFuture<'static, ()> {
        self.inner.rejected(token)
    }

    fn renew_ahead(&self, current: &Secret) -> BoxFuture<'static, Result<Option<FreshToken>, Error>> {
        self.inner.renew_ahead(current)
    }
}

