//! The client: config, the app's token, the third-party platform identity and the stores put together, and
//! the calls JS makes (`openapi.*`, `openapi.request`) handed to the exchange with the token they need.

mod cancel;
mod component_api;
pub mod config;

pub use crate::exchange::events;
pub use crate::exchange::{CallOptions, Outcome, Progress};
pub use cancel::Cancellations;

use bytes::Bytes;
use crate::component::{self, Component, RefreshTokenHook};
use crate::error::Error;
use crate::exchange::events::Observers;
use crate::exchange::{prepare, ConfigValues, Exchange, FileInput, Patience, Prepared, Reading, RenewableToken, Request, Target};
use crate::redis::{Redis, RedisStore};
use crate::store::keys::{self, TokenKeys};
use crate::store::{BoundedStore, MemoryStore, Store, DEFAULT_LOCK_TTL};
use crate::token::{FixedSource, LockTimes, ObservedSource, ProviderFn, ProviderSource, SharedTokenSource, StableOrClassicSource, TokenCache, TokenSource};
use crate::transport::{Transport, TransportSettings};
use config::{ClientConfig, TokenOrigin};
use std::sync::Arc;
use std::time::Duration;
use wechat_protocol::catalogue::{HttpVerb, TokenKind};
use wechat_protocol::secret::Secret;

pub struct Client {
    config: ClientConfig,
    /// What rows marked `fromConfig` send from the config (see `exchange::prepare`).
    config_values: ConfigValues,
    /// The one road to WeChat, shared with the token sources and the platform flows.
    exchange: Arc<Exchange>,
    app_tokens: Option<TokenCache>,
    /// The third-party platform identity, when configured.
    component: Option<Component>,
    /// The account's own message push, when configured.
    push: Option<crate::push::receiver::Receiver>,
}

/// What `tokens()` reports about one cached token: never its value.
#[derive(Clone, Debug, PartialEq)]
pub struct TokenReport {
    pub kind: &'static str,
    pub appid: Option<String>,
    pub cached: bool,
    pub expires_at: Option<std::time::SystemTime>,
}

/// What the caller's code provides besides the config (JS functions, bridged by the binding).
#[derive(Default)]
pub struct Bridges {
    /// The caller's `getAccessToken`, when the config says there is one.
    pub provider: Option<ProviderFn>,
    /// Where tickets, tokens and refresh tokens live (memory when None).
    pub store: Option<Arc<dyn Store>>,
    /// Told whenever an authorizer's refresh token changes.
    pub on_refresh_token: Option<RefreshTokenHook>,
}

impl Client {
    /// `provider` is the caller's `getAccessToken`, when the config says there is one.
    pub fn new(config: ClientConfig, provider: Option<ProviderFn>) -> Result<Client, String> {
        Client::with_bridges(config, Bridges { provider, ..Bridges::default() })
    }

    pub fn with_bridges(config: ClientConfig, bridges: Bridges) -> Result<Client, String> {
        let Bridges { provider, store, on_refresh_token } = bridges;
        let settings = TransportSettings { connect_timeout: config.connect_timeout, ca_pem: config.ca.clone() };
        let transport = Arc::new(Transport::with_settings(&config.api_bases, config.max_response_bytes, &settings)?);
        let exchange = Arc::new(Exchange::new(transport, config.api_base.clone(), patience(&config), known_secrets(&config)));
        // One Redis connection per client, shared by the app token and the platform's store.
        let redis = config.redis.as_ref().map(|r| Redis::new(r.clone()).map(Arc::new)).transpose()?;
        // Where tokens are shared between processes, with the lock's TTL: Redis, or the caller's own store when it
        // can setIfAbsent (bounded by the client's timeout: an operation that never settles must not wedge tokens).
        let (shared_store, lock_ttl): (Option<Arc<dyn Store>>, Duration) = match (store, &redis) {
            (Some(store), _) => (Some(Arc::new(BoundedStore::new(store, config.timeout)) as Arc<dyn Store>), DEFAULT_LOCK_TTL),
            (None, Some(redis)) => (Some(Arc::new(RedisStore::new(redis.clone())) as Arc<dyn Store>), redis.config().lock_ttl),
            (None, None) => (None, DEFAULT_LOCK_TTL),
        };
        let locking = shared_store.clone().filter(|s| s.locks());
        // A waiter's patience with the lock's holder comes from the calls' timeout: a stale lock is broken in time.
        let lock_times = LockTimes::new(lock_ttl, config.timeout);
        let source: Option<Arc<dyn TokenSource>> = match (&config.token, provider) {
            (Some(TokenOrigin::Credentials { secret, mode }), _) => {
                let appid = config.appid.clone().unwrap_or_default();
                let wechat: Arc<dyn TokenSource> =
                    Arc::new(StableOrClassicSource { exchange: exchange.clone(), appid: appid.clone(), secret: secret.clone(), mode: *mode });
                Some(match &locking {
                    // Only tokens fetched here are shared: a fixed token or the caller's own provider is theirs to manage.
                    Some(store) => Arc::new(SharedTokenSource::new(wechat, store.clone(), TokenKeys::of(keys::access_token(&appid)), lock_times)),
                    None => wechat,
                })
            }
            (Some(TokenOrigin::Fixed(token)), _) => Some(Arc::new(FixedSource(token.clone()))),
            (Some(TokenOrigin::Provider), Some(f)) => Some(Arc::new(ProviderSource { provider: f, timeout: config.timeout })),
            (Some(TokenOrigin::Provider), None) => return Err("getAccessToken must be a function".into()),
            (None, _) => None,
        };
        let component = config.component.as_ref().map(|c| {
            // The shared store (tickets and refresh tokens survive and are shared), else this process's memory.
            // With a store that locks, the platform's tokens are refreshed under the same lock-and-wait as app tokens.
            let store = shared_store.clone().unwrap_or_else(|| Arc::new(MemoryStore::new()));
            Component::new(c, exchange.clone(), store, locking.is_some().then_some(lock_times), on_refresh_token)
        });
        let source = source.map(|inner| {
            let observed = ObservedSource { inner, observers: exchange.observers().clone(), appid: config.appid.clone() };
            Arc::new(observed) as Arc<dyn TokenSource>
        });
        // With a store that locks, duplicates are caught fleet-wide.
        let push = config.push.as_ref().map(|p| p.receiver().sharing(locking.clone()));
        Ok(Client { app_tokens: source.map(TokenCache::new), component, push, config_values: config_values(&config), config, exchange })
    }

    /// The account's message-push intake, or an error saying how to configure it.
    pub fn push(&self, api: &str) -> Result<&crate::push::receiver::Receiver, Error> {
        self.push.as_ref().ok_or_else(|| {
            Error::invalid_argument(api, "this client has no message push configured: give push: { token, encodingAesKey } to init or createClient")
        })
    }

    pub fn config(&self) -> &ClientConfig {
        &self.config
    }

    pub fn app_tokens(&self) -> Option<&TokenCache> {
        self.app_tokens.as_ref()
    }

    /// The third-party platform identity, or the error `api` reports without one.
    pub fn component(&self, api: &str) -> Result<&Component, Error> {
        self.component.as_ref().ok_or_else(|| component::not_configured(api))
    }

    /// Scrubs this client's credentials from an error that leaves the core.
    pub fn scrubbed(&self, e: Error) -> Error {
        self.exchange.scrubbed(e)
    }

    /// Where `request`/`response`/`retry`/`token` events go; `set(None)` stops them.
    pub fn observers(&self) -> &Observers {
        self.exchange.observers()
    }

    /// Which tokens are cached and until when, without their values.
    pub fn token_reports(&self) -> Vec<TokenReport> {
        let app = self.app_tokens.iter().map(|cache| {
            let r = cache.report();
            TokenReport { kind: "app", appid: self.config.appid.clone(), cached: r.cached, expires_at: r.expires_at }
        });
        app.collect()
    }

    /// Fetches the app's token now (if not cached), so a health check or the CLI learns whether the credentials work.
    pub async fn warm_app_token(&self, options: &CallOptions) -> Result<(), Error> {
        let target = Target { api: "auth.getAccessToken".into(), verb: HttpVerb::Post, path: String::new(), token: TokenKind::App, idempotent: true, endpoint: None };
        let fetched = tokio::time::timeout(options.timeout.unwrap_or(self.config.timeout), async {
            match self.cache_for(&target, None)? {
                Some(cache) => cache.get().await.map(Some),
                None => Ok(None),
            }
        });
        let fetched = fetched.await;
        let result = fetched.unwrap_or_else(|_| Err(Error::timeout(&target.api, "no token within the timeout")));
        result.map(|_| ()).map_err(|e| self.scrubbed(Error { api: target.api.clone(), ..e }))
    }

    /// `openapi.<namespace>.<method>(params)`; `params_json` is what the facade serialized.
    pub async fn call(&self, api: &str, params_json: &str, options: CallOptions) -> Result<Outcome, Error> {
        let target = Target::row(api)?;
        self.run(target, params_json, FileInput::Field(None), options).await
    }

    /// An upload row (`security.imgSecCheck`, `ocr.printedText`, …) called with a file: `params_json` holds the
    /// facade's placeholder where the file's `value` was, `file` the bytes that crossed apart.
    pub async fn call_with_file(&self, api: &str, params_json: &str, file: Bytes, options: CallOptions) -> Result<Outcome, Error> {
        let target = Target::row(api)?;
        self.run(target, params_json, FileInput::Field(Some(file)), options).await
    }

    /// `openapi.request({ method, path, data })`: an endpoint outside the table, with the same tokens,
    /// conversion, errors and retries. Retries after an unknown outcome only for GET, unless the caller says it is safe.
    pub async fn request(&self, method: &str, path: &str, data_json: &str, options: CallOptions) -> Result<Outcome, Error> {
        let target = raw_target(method, path, &options)?;
        self.run(target, data_json, FileInput::Field(None), options).await
    }

    /// `openapi.request({ method: 'POST', path, data, file })`: a path the table lacks that takes a file
    /// (`/cgi-bin/media/uploadimg`), sent as a row's upload is: multipart/form-data, `data` in the query string
    /// (where WeChat's upload pages put `type` and the like). `file_json` describes the file (see
    /// `exchange::FileInput::Described`), `bytes` crossed apart. Not retried after an unknown outcome unless `idempotent`.
    pub async fn request_with_file(&self, method: &str, path: &str, data_json: &str, file_json: &str, bytes: Option<Bytes>, options: CallOptions) -> Result<Outcome, Error> {
        let target = raw_target(method, path, &options)?;
        if target.verb != HttpVerb::Post {
            return Err(Error::invalid_argument("request", "a file is sent by POST: method must be POST when file is given"));
        }
        self.run(target, data_json, FileInput::Described { json: file_json, bytes }, options).await
    }

    /// Hands a JS call to the exchange, prepared (`exchange::prepare`), with the token it carries; a call refused
    /// in preparation takes the exchange's walk too (no I/O then), so it is reported like any other.
    async fn run(&self, target: Target, json: &str, file: FileInput<'_>, options: CallOptions) -> Result<Outcome, Error> {
        let (params, file) = match prepare(&target, json, file, &self.config_values, options.convert_case) {
            Ok(Prepared { params, file }) => (Ok(params), file),
            Err(e) => (Err(e), None),
        };
        let cache = self.cache_for(&target, options.appid.as_deref());
        let token = cache.as_ref().map(|c| c.as_ref().map(|c| c as &dyn RenewableToken)).map_err(Clone::clone);
        let reading = Reading::Outcome { convert_case: options.convert_case };
        let request = Request { target, params, token, options, reading, token_fetch: false, secrets: Vec::new(), file };
        self.exchange.outcome(request).await
    }

    fn cache_for(&self, target: &Target, on_behalf: Option<&str>) -> Result<Option<TokenCache>, Error> {
        match target.token {
            TokenKind::None => Ok(None),
            TokenKind::Component => Ok(Some(self.component(&target.api)?.tokens().clone())),
            // `appid` equal to the client's own means the app's own token.
            TokenKind::App | TokenKind::Authorizer => match on_behalf.filter(|a| Some(*a) != self.config.appid.as_deref()) {
                Some(appid) => Ok(Some(self.component(&target.api)?.authorizer_tokens(appid))),
                None => self.app_tokens.clone().map(Some).ok_or_else(|| {
                    Error::invalid_argument(
                        &target.api,
                        "no credentials: give appid and secret (or WECHAT_APPID / WECHAT_SECRET), accessToken or getAccessToken to init; \
                         a third-party platform calls on behalf of a merchant with openapi({ appid })",
                    )
                }),
            },
        }
    }
}

/// The target of `openapi.request`: its method and path checked, the app's token, repeatable when a GET or
/// when the caller says it is safe.
fn raw_target(method: &str, path: &str, options: &CallOptions) -> Result<Target, Error> {
    let verb = match method.to_ascii_uppercase().as_str() {
        "GET" => HttpVerb::Get,
        "POST" => HttpVerb::Post,
        other => return Err(Error::invalid_argument("request", format!("method must be GET or POST, got {other:?}"))),
    };
    if !path.starts_with('/') || path.contains("://") || path.contains('?') {
        return Err(Error::invalid_argument("request", format!("path must be an absolute path without a query, like /cgi-bin/..., got {path:?}")));
    }
    let idempotent = options.idempotent.unwrap_or(verb == HttpVerb::Get);
    let token = options.token.unwrap_or(TokenKind::App);
    Ok(Target { api: "request".into(), verb, path: path.to_owned(), token, idempotent, endpoint: None })
}

/// The client's defaults for every request: `timeout`, `attemptTimeout`, `maxAttempts`.
fn patience(config: &ClientConfig) -> Patience {
    Patience { timeout: config.timeout, attempt_timeout: config.attempt_timeout, max_attempts: config.max_attempts }
}

/// The config's values for rows marked `fromConfig`: the app's secret only when its token comes from credentials.
fn config_values(config: &ClientConfig) -> ConfigValues {
    ConfigValues {
        appid: config.appid.clone(),
        app_secret: match &config.token {
            Some(TokenOrigin::Credentials { secret, .. }) => Some(secret.clone()),
            _ => None,
        },
        component_appid: config.component.as_ref().map(|c| c.appid.clone()),
        component_secret: config.component.as_ref().map(|c| c.secret.clone()),
    }
}

/// Credentials from the config, scrubbed from every message that leaves.
fn known_secrets(config: &ClientConfig) -> Vec<Secret> {
    let mut secrets = Vec::new();
    match &config.token {
        Some(TokenOrigin::Credentials { secret, .. }) => secrets.push(secret.clone()),
        Some(TokenOrigin::Fixed(token)) => secrets.push(token.clone()),
        _ => {}
    }
    if let Some(c) = &config.component {
        secrets.extend(c.credentials.iter().cloned());
    }
    if let Some(p) = &config.push {
        secrets.extend(p.credentials.iter().cloned());
    }
    secrets
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEY: &str = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG";

    fn client(json: &str) -> Client {
        Client::new(ClientConfig::from_json(json).unwrap(), None).unwrap()
    }

    fn refused(c: &Client, kind: TokenKind, on_behalf: Option<&str>) -> Error {
        c.cache_for(&target(kind), on_behalf).err().expect("refused before I/O")
    }

    fn target(token: TokenKind) -> Target {
        Target { api: "a.b".into(), verb: HttpVerb::Post, path: "/x".into(), token, idempotent: false, endpoint: None }
    }

    #[test]
    fn which_token_a_call_carries() {
        let both = client(&format!(
            r#"{{"appid":"wxown","secret":"s3cret","component":{{"appid":"wxc","secret":"cs3cret","token":"t0ken","encodingAesKey":"{KEY}"}}}}"#
        ));
        assert!(both.cache_for(&target(TokenKind::None), Some("wxa")).unwrap().is_none());
        for kind in [TokenKind::App, TokenKind::Authorizer, TokenKind::Component] {
            assert!(both.cache_for(&target(kind), None).unwrap().is_some());
            assert!(both.cache_for(&target(kind), Some("wxa")).unwrap().is_some());
        }
        let app_only = client(r#"{"appid":"wxown","secret":"s3cret"}"#);
        assert!(app_only.cache_for(&target(TokenKind::App), Some("wxown")).unwrap().is_some(), "own appid: own token");
        let e = refused(&app_only, TokenKind::App, Some("wxa"));
        assert!(e.message.contains("no third-party platform identity"), "{}", e.message);
        let e = refused(&app_only, TokenKind::Component, None);
        assert!(e.message.contains("component: {"), "{}", e.message);
        let component_only = client(&format!(r#"{{"component":{{"appid":"wxc","secret":"cs3cret","token":"t0ken","encodingAesKey":"{KEY}"}}}}"#));
        let e = refused(&component_only, TokenKind::App, None);
        assert!(e.message.contains("openapi({ appid })"), "{}", e.message);
        assert!(known_secrets(component_only.config()).iter().any(|s| s.expose() == KEY));
    }

    #[test]
    fn rows_marked_from_config_get_the_configs_values() {
        let both = client(&format!(
            r#"{{"appid":"wxown","secret":"s3cret","component":{{"appid":"wxc","secret":"cs3cret","token":"t0ken","encodingAesKey":"{KEY}"}}}}"#
        ));
        let values = &both.config_values;
        assert_eq!((values.appid.as_deref(), values.component_appid.as_deref()), (Some("wxown"), Some("wxc")));
        assert_eq!(values.app_secret.as_ref().map(Secret::expose), Some("s3cret"));
        assert_eq!(values.component_secret.as_ref().map(Secret::expose), Some("cs3cret"));
        // A fixed token is no app secret.
        let fixed = client(r#"{"appid":"wxown","accessToken":"a-fixed-token"}"#);
        assert_eq!((fixed.config_values.appid.as_deref(), fixed.config_values.app_secret.is_none()), (Some("wxown"), true));
        assert!(fixed.config_values.component_appid.is_none() && fixed.config_values.component_secret.is_none());
    }
}
