//! Where access tokens come from: WeChat (stable or classic endpoint, through the exchange), a fixed value, or
//! the caller's function.

use super::shape;
use crate::error::{Category, Error};
use crate::exchange::{expires_in, string_field, Exchange, Request};
use futures::future::{BoxFuture, FutureExt};
use serde_json::json;
use std::sync::Arc;
use std::time::Duration;
use wechat_protocol::secret::Secret;

/// A token as a source hands it over.
#[derive(Clone, Debug)]
pub struct FreshToken {
    pub value: Secret,
    /// None: the source does not know (a fixed token).
    pub expires_in: Option<Duration>,
}

impl FreshToken {
    /// A token as WeChat answered it (`field` of `api`'s answer): refused as an invalid answer when it is not
    /// shaped like one (see [`shape::flaw`]); its lifetime clamped (see [`super::lifetime::answered`]).
    pub fn answered(api: &str, field: &str, value: String, expires_in: Duration) -> Result<FreshToken, Error> {
        if let Some(flaw) = shape::flaw(&value) {
            return Err(Error::invalid_response(api, format!("WeChat's {field} is {flaw}: not a token")).with_retryable(false));
        }
        Ok(FreshToken { value: Secret::new(value), expires_in: Some(super::lifetime::answered(expires_in)) })
    }
}

pub trait TokenSource: Send + Sync + 'static {
    /// Fetches a token; `rejected` is the token WeChat just refused, if that is why we are here.
    fn fetch(&self, rejected: Option<Secret>) -> BoxFuture<'static, Result<FreshToken, Error>>;

    /// Told when a token was dropped after WeChat rejected it (a shared store removes it there too).
    fn rejected(&self, _token: &Secret) -> BoxFuture<'static, ()> {
        async {}.boxed()
    }

    /// Renews `current` ahead of its expiry, in the background while calls keep using it (the cache's
    /// refresh-ahead). `Ok(None)`: not now (another process holds the refresh lock and is renewing it); the cache
    /// asks again shortly. By default a plain fetch; sources that read a store first skip `current` there.
    fn renew_ahead(&self, _current: &Secret) -> BoxFuture<'static, Result<Option<FreshToken>, Error>> {
        self.fetch(None).map(|r| r.map(Some)).boxed()
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TokenMode {
    /// `POST /cgi-bin/stable_token`: the same token while valid, so independent fetchers do not clash.
    Stable,
    /// `GET /cgi-bin/token`: each fetch knocks out the previous token after 5 minutes.
    Classic,
}

/// `auth.getStableAccessToken` or `auth.getAccessToken` with the app's credentials.
pub struct StableOrClassicSource {
    pub exchange: Arc<Exchange>,
    pub appid: String,
    pub secret: Secret,
    pub mode: TokenMode,
}

impl StableOrClassicSource {
    fn fetch_once(&self, force: bool) -> BoxFuture<'static, Result<FreshToken, Error>> {
        let (api, params) = match self.mode {
            TokenMode::Stable => (
                "auth.getStableAccessToken",
                json!({ "grant_type": "client_credential", "appid": self.appid, "secret": self.secret.expose(), "force_refresh": force }),
            ),
            TokenMode::Classic => ("auth.getAccessToken", json!({ "grant_type": "client_credential", "appid": self.appid, "secret": self.secret.expose() })),
        };
        let exchange = self.exchange.clone();
        async move {
            let answer = exchange.fields(Request::token_fetch(api, params, None)).await?;
            FreshToken::answered(api, "access_token", string_field(&answer, "access_token", api)?, expires_in(&answer))
        }
        .boxed()
    }
}

impl TokenSource for StableOrClassicSource {
    fn fetch(&self, rejected: Option<Secret>) -> BoxFuture<'static, Result<FreshToken, Error>> {
        let first = self.fetch_once(false);
        let forced = (self.mode == TokenMode::Stable).then(|| self.fetch_once(true));
        async move {
            let token = first.await?;
            // The stable endpoint hands back the same token while WeChat thinks it valid; if that is the one
            // just rejected, only a forced refresh gets a working one.
            match (rejected, forced) {
                (Some(bad), Some(forced)) if bad == token.value => forced.await,
                _ => Ok(token),
            }
        }
        .boxed()
    }
}

/// A token given in the config; it cannot be renewed here.
pub struct FixedSource(pub Secret);

impl TokenSource for FixedSource {
    fn fetch(&self, rejected: Option<Secret>) -> BoxFuture<'static, Result<FreshToken, Error>> {
        let value = self.0.clone();
        async move {
            if rejected.as_ref() == Some(&value) {
                return Err(Error::wechat("", 40001, "the fixed accessToken was rejected by WeChat and cannot be renewed here", None));
            }
            Ok(FreshToken { value, expires_in: None })
        }
        .boxed()
    }
}

/// The caller's `getAccessToken({ appid, forceRefresh })`, bridged by the binding layer.
pub type ProviderFn = Arc<dyn Fn(bool) -> BoxFuture<'static, Result<FreshToken, String>> + Send + Sync>;

pub struct ProviderSource {
    pub provider: ProviderFn,
    /// The client's `timeout`: a provider that never settles would hold every caller behind the shared fetch.
    pub timeout: Duration,
}

impl TokenSource for ProviderSource {
    fn fetch(&self, rejected: Option<Secret>) -> BoxFuture<'static, Result<FreshToken, Error>> {
        let call = (self.provider)(rejected.is_some());
        let timeout = self.timeout;
        async move {
            let settled = tokio::time::timeout(timeout, call)
                .await
                .map_err(|_| Error::timeout("", format!("getAccessToken did not settle within {} ms", timeout.as_millis())))?;
            let token = settled.map_err(|m| Error::system("", format!("getAccessToken failed: {m}")).with_category(Category::Auth))?;
            if token.value.is_empty() {
                return Err(Error::system("", "getAccessToken returned an empty token").with_category(Category::Auth));
            }
            if let Some(flaw) = shape::flaw(token.value.expose()) {
                return Err(Error::system("", format!("getAccessToken returned {flaw}: not a token")).with_category(Category::Auth).with_retryable(false));
            }
            Ok(token)
        }
        .boxed()
    }
}
