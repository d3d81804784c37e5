//! Where access tokens come from: WeChat (stable or classic endpoint), a fixed value, or the caller's function.

use wechat_protocol::catalogue::HttpVerb;
use crate::client::config::TokenMode;
use crate::error::Error;
use super::wire::{self, FETCH_TIMEOUT};
use wechat_protocol::secret::Secret;
use crate::transport::Transport;
use futures::future::{BoxFuture, FutureExt};
use serde_json::Value;
use std::sync::Arc;
use std::time::Duration;
use url::Url;

/// A token as a source hands it over.
#[derive(Clone, Debug)]
pub struct FreshToken {
    pub value: Secret,
    /// None: the source does not know (a fixed token).
    pub expires_in: Option<Duration>,
}

pub trait TokenSource: Send + Sync + 'static {
    /// Fetches a token; `rejected` is the token WeChat just refused, if that is why we are here.
    fn fetch(&self, rejected: Option<Secret>) -> BoxFuture<'static, Result<FreshToken, Error>>;

    /// Told when a token was dropped after WeChat rejected it (a shared store removes it there too).
    fn rejected(&self, _token: &Secret) -> BoxFuture<'static, ()> {
        async {}.boxed()
    }
}

/// `POST /cgi-bin/stable_token` or `GET /cgi-bin/token` with the app's credentials.
pub struct StableOrClassicSource {
    pub transport: Arc<Transport>,
    pub api_base: Url,
    pub appid: String,
    pub secret: Secret,
    pub mode: TokenMode,
}

impl StableOrClassicSource {
    async fn request(transport: Arc<Transport>, url: Url, verb: HttpVerb, body: Option<Value>, secret: Secret) -> Result<FreshToken, Error> {
        let what = "access_token request";
        let answer = wire::exchange(&transport, verb, url, body.as_ref(), what, None, &[secret]).await?;
        Ok(FreshToken { value: Secret::new(wire::string_field(&answer, "access_token", what)?), expires_in: Some(wire::expires_in(&answer)) })
    }

    fn fetch_once(&self, force: bool) -> BoxFuture<'static, Result<FreshToken, Error>> {
        let mut url = self.api_base.clone();
        let (verb, body) = match self.mode {
            TokenMode::Stable => {
                url.set_path("/cgi-bin/stable_token");
                let body = serde_json::json!({
                    "grant_type": "client_credential",
                    "appid": self.appid,
                    "secret": self.secret.expose(),
                    "force_refresh": force,
                });
                (HttpVerb::Post, Some(body))
            }
            TokenMode::Classic => {
                url.set_path("/cgi-bin/token");
                url.query_pairs_mut()
                    .append_pair("grant_type", "client_credential")
                    .append_pair("appid", &self.appid)
                    .append_pair("secret", self.secret.expose());
                (HttpVerb::Get, None)
            }
        };
        Self::request(self.transport.clone(), url, verb, body, self.secret.clone()).boxed()
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

pub struct ProviderSource(pub ProviderFn);

impl TokenSource for ProviderSource {
    fn fetch(&self, rejected: Option<Secret>) -> BoxFuture<'static, Result<FreshToken, Error>> {
        let call = (self.0)(rejected.is_some());
        async move {
            // A provider that never settles would hold every caller of this client behind the shared fetch.
            let settled = tokio::time::timeout(FETCH_TIMEOUT, call)
                .await
                .map_err(|_| Error::timeout("", format!("getAccessToken did not settle within {} s", FETCH_TIMEOUT.as_secs())))?;
            let token = settled.map_err(|m| Error::system("", format!("getAccessToken failed: {m}")).with_category(crate::error::Category::Auth))?;
            if token.value.is_empty() {
                return Err(Error::system("", "getAccessToken returned an empty token").with_category(crate::error::Category::Auth));
            }
            Ok(token)
        }
        .boxed()
    }
}
