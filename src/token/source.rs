//! Where access tokens come from: WeChat (stable or classic endpoint), a fixed value, or the caller's function.

use crate::catalogue::HttpVerb;
use crate::client::config::TokenMode;
use crate::error::Error;
use crate::secret::{scrub, Secret};
use crate::transport::{Transport, TransportError};
use futures::future::{BoxFuture, FutureExt};
use serde::Deserialize;
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

/// How long one token request may take; the caller's own deadline still bounds the wait.
const FETCH_TIMEOUT: Duration = Duration::from_secs(10);

/// `POST /cgi-bin/stable_token` or `GET /cgi-bin/token` with the app's credentials.
pub struct StableOrClassicSource {
    pub transport: Arc<Transport>,
    pub api_base: Url,
    pub appid: String,
    pub secret: Secret,
    pub mode: TokenMode,
}

#[derive(Deserialize)]
struct TokenAnswer {
    access_token: Option<String>,
    expires_in: Option<u64>,
    errcode: Option<i64>,
    errmsg: Option<String>,
}

impl StableOrClassicSource {
    async fn request(transport: Arc<Transport>, url: Url, verb: HttpVerb, body: Option<Vec<u8>>, secret: Secret) -> Result<FreshToken, Error> {
        let answer = transport.send(verb, url, body, FETCH_TIMEOUT).await.map_err(|e| match e {
            TransportError::Timeout => Error::timeout("", "the access_token request timed out"),
            TransportError::Connect(m) | TransportError::Broken(m) => {
                Error::network("", format!("the access_token request failed: {}", scrub(&m, [&secret])))
            }
            TransportError::TooLarge(cap) => Error::invalid_response("", format!("the access_token answer exceeds {cap} bytes")),
        })?;
        let parsed: TokenAnswer = serde_json::from_slice(&answer.body).map_err(|_| {
            Error::invalid_response("", format!("the access_token answer is not JSON (HTTP {})", answer.status))
                .with_http_status(answer.status)
        })?;
        match (parsed.errcode.unwrap_or(0), parsed.access_token) {
            (0, Some(token)) if !token.is_empty() => Ok(FreshToken {
                value: Secret::new(token),
                expires_in: Some(Duration::from_secs(parsed.expires_in.unwrap_or(7200))),
            }),
            (0, _) => Err(Error::invalid_response("", "the access_token answer has no access_token")),
            (code, _) => {
                let msg = scrub(parsed.errmsg.as_deref().unwrap_or("unknown error"), [&secret]);
                Err(Error::wechat("", code, &format!("access_token request failed: {msg}"), None).with_http_status(answer.status))
            }
        }
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
                (HttpVerb::Post, Some(serde_json::to_vec(&body).expect("plain JSON")))
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
