//! The call pipeline: name → table row → snake_case → checks → token → HTTP with the retry policy →
//! answer → camelCase. Every step lives in its own module; this file only strings them together.

mod answer;
#[cfg(test)]
mod answer_fuzz;
mod cancel;
mod component_api;
pub mod config;
pub mod events;
#[cfg(test)]
mod events_tests;
mod options;
mod progress;
mod retry;
mod transcode;

pub use cancel::Cancellations;
pub use options::CallOptions;
pub use progress::Progress;

use wechat_protocol::bigint;
use wechat_protocol::case::{convert_keys, Direction};
use wechat_protocol::catalogue::{catalogue, check, Endpoint, HttpVerb, TokenKind};
use crate::component::{self, Component, RefreshTokenHook};
use crate::error::Error;
use crate::redis::keys::TokenKeys;
use crate::redis::{Redis, RedisStore};
use wechat_protocol::secret::{scrub, Secret};
use crate::store::{MemoryStore, Store};
use crate::token::{FixedSource, ProviderFn, ProviderSource, SharedTokenSource, StableOrClassicSource, TokenCache, TokenSource};
use crate::transport::{Transport, TransportError, TransportSettings};
use bytes::Bytes;
use config::{ClientConfig, TokenOrigin};
use events::{CallEvent, EventKind, ObservedSource, Observers};
use retry::Failure;
use serde_json::Value;
use std::sync::Arc;
use std::time::Instant;
use url::Url;

/// A successful answer, ready to cross to JS.
#[derive(Debug)]
pub enum Outcome {
    /// JSON text of the converted result (errMsg/errCode included) and how many long integers it marks.
    Json { text: String, big_ints: usize },
    /// A non-JSON answer (an image), returned as wx-server-sdk does: `{ contentType, buffer }`.
    Binary { content_type: String, bytes: Bytes },
}

/// What one call targets: a table row, or a raw path through `openapi.request`.
struct Target {
    api: String,
    verb: HttpVerb,
    path: String,
    token: TokenKind,
    idempotent: bool,
    endpoint: Option<&'static Endpoint>,
}

pub struct Client {
    config: ClientConfig,
    transport: Arc<Transport>,
    app_tokens: Option<TokenCache>,
    /// The third-party platform identity, when configured.
    component: Option<Component>,
    /// Credentials from the config, scrubbed from every message that leaves.
    known_secrets: Vec<Secret>,
    /// Who hears about calls and token fetches (metrics, debug logs); usually nobody.
    observers: Arc<Observers>,
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
        let mut known_secrets = Vec::new();
        // One Redis connection per client, shared by the app token and the platform's store.
        let redis = config.redis.as_ref().map(|r| Redis::new(r.clone()).map(Arc::new)).transpose()?;
        let source: Option<Arc<dyn TokenSource>> = match (&config.token, provider) {
            (Some(TokenOrigin::Credentials { secret, mode }), _) => {
                known_secrets.push(secret.clone());
                let appid = config.appid.clone().unwrap_or_default();
                let wechat: Arc<dyn TokenSource> = Arc::new(StableOrClassicSource {
                    transport: transport.clone(),
                    api_base: config.api_base.clone(),
                    appid: appid.clone(),
                    secret: secret.clone(),
                    mode: *mode,
                });
                Some(match &redis {
                    // Only tokens fetched here are shared: a fixed token or the caller's own provider is theirs to manage.
                    Some(redis) => {
                        let keys = TokenKeys::access_token(&redis.config().prefix, &appid);
                        Arc::new(SharedTokenSource::new(wechat, redis.clone(), keys))
                    }
                    None => wechat,
                })
            }
            (Some(TokenOrigin::Fixed(token)), _) => {
                known_secrets.push(token.clone());
                Some(Arc::new(FixedSource(token.clone())))
            }
            (Some(TokenOrigin::Provider), Some(f)) => Some(Arc::new(ProviderSource(f))),
            (Some(TokenOrigin::Provider), None) => return Err("getAccessToken must be a function".into()),
            (None, _) => None,
        };
        let component = config.component.as_ref().map(|c| {
            known_secrets.extend(c.credentials.iter().cloned());
            // The caller's own store, else Redis when configured (tickets and refresh tokens survive and are shared),
            // else this process's memory.
            let store: Arc<dyn Store> = match (store, &redis) {
                (Some(store), _) => store,
                (None, Some(redis)) => Arc::new(RedisStore::new(redis.clone())),
                (None, None) => Arc::new(MemoryStore::new()),
            };
            Component::new(c, transport.clone(), config.api_base.clone(), store, on_refresh_token)
        });
        let observers = Arc::new(Observers::default());
        let source = source.map(|inner| {
            let observed = ObservedSource { inner, observers: observers.clone(), appid: config.appid.clone() };
            Arc::new(observed) as Arc<dyn TokenSource>
        });
        Ok(Client { app_tokens: source.map(TokenCache::new), component, config, transport, known_secrets, observers })
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
    pub fn scrubbed(&self, mut e: Error) -> Error {
        e.message = scrub(&e.message, &self.known_secrets);
        e
    }

    /// Where `request`/`response`/`retry`/`token` events go; `set(None)` stops them.
    pub fn observers(&self) -> &Observers {
        &self.observers
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
    pub async fn warm_app_token(&self) -> Result<(), Error> {
        let target = Target { api: "auth.getAccessToken".into(), verb: HttpVerb::Post, path: String::new(), token: TokenKind::App, idempotent: true, endpoint: None };
        let fetched = tokio::time::timeout(self.config.timeout, self.token_for(&target, None, None)).await;
        let result = fetched.unwrap_or_else(|_| Err(Error::timeout(&target.api, "no token within the timeout")));
        result.map(|_| ()).map_err(|e| self.scrubbed(Error { api: target.api.clone(), ..e }))
    }

    /// `openapi.<namespace>.<method>(params)`; `params_json` is what the facade serialized.
    pub async fn call(&self, api: &str, params_json: &str, options: CallOptions) -> Result<Outcome, Error> {
        let Some(endpoint) = catalogue().get(api) else {
            return Err(Error::unknown_api(api));
        };
        let target = Target {
            api: api.to_owned(),
            verb: endpoint.http,
            path: endpoint.path.clone(),
            token: endpoint.token,
            idempotent: endpoint.idempotent,
            endpoint: Some(endpoint),
        };
        self.run(target, params_json, options).await
    }

    /// `openapi.request({ method, path, data })`: an endpoint outside the table, with the same tokens,
    /// conversion, errors and retries. Retries after an unknown outcome only for GET, unless the caller says it is safe.
    pub async fn request(&self, method: &str, path: &str, data_json: &str, options: CallOptions) -> Result<Outcome, Error> {
        let verb = match method.to_ascii_uppercase().as_str() {
            "GET" => HttpVerb::Get,
            "POST" => HttpVerb::Post,
            other => return Err(Error::invalid_argument("request", format!("method must be GET or POST, got {other:?}"))),
        };
        if !path.starts_with('/') || path.contains("://") || path.contains('?') {
            return Err(Error::invalid_argument("request", format!("path must be an absolute path without a query, like /cgi-bin/..., got {path:?}")));
        }
        let idempotent = options.idempotent.unwrap_or(verb == HttpVerb::Get);
        let target = Target { api: "request".into(), verb, path: path.to_owned(), token: TokenKind::App, idempotent, endpoint: None };
        self.run(target, data_json, options).await
    }

    async fn run(&self, target: Target, params_json: &str, options: CallOptions) -> Result<Outcome, Error> {
        let started = Instant::now();
        let deadline = started + options.timeout.unwrap_or(self.config.timeout);
        let progress = options.progress.clone();
        progress.set_repeatable(target.idempotent || options.retry_unsafe);
        let result = match prepare_params(&target, params_json, options.convert_case) {
            Err(e) => Err(e),
            Ok(body) => match tokio::time::timeout_at(deadline.into(), self.attempts(&target, &body, &options, deadline)).await {
                Ok(r) => r,
                Err(_) => Err(progress.stamp(Error::timeout(&target.api, format!("no answer within {} ms", (deadline - started).as_millis())))),
            },
        };
        let result = result.map_err(|e| self.scrubbed(Error { api: target.api.clone(), ..e }));
        self.observers.emit(|| {
            let event = CallEvent::new(EventKind::Response, &target.api, progress.requests()).with_duration(started);
            let http_status = progress.http_status();
            match &result {
                Ok(_) => CallEvent { err_code: Some(0), http_status, ..event },
                Err(e) => CallEvent { http_status, ..event }.with_error(e),
            }
        });
        result
    }

    /// The attempt loop: token rejections get one fresh token; transient failures (including a failed token
    /// fetch, which means the call itself was never sent) follow the retry policy.
    async fn attempts(&self, target: &Target, params: &Value, options: &CallOptions, deadline: Instant) -> Result<Outcome, Error> {
        let max_attempts = options.max_attempts.unwrap_or(self.config.max_attempts);
        let repeatable = target.idempotent || options.retry_unsafe;
        let progress = &options.progress;
        let mut rejected: Option<Secret> = None;
        // WeChat's answer to the token it refused, kept for when no other token can be had.
        let mut rejection: Option<Error> = None;
        let mut token_renewed = false;
        loop {
            let attempt = progress.attempt_started();
            let (error, sent) = match self.token_for(target, options.appid.as_deref(), rejected.take().as_ref()).await {
                // A token that cannot be renewed (a fixed accessToken): WeChat's own answer is the error, with
                // its code (42001 stays 42001), errmsg and rid.
                Err(e) if e.is_token_rejection() && rejection.is_some() => (rejection.take().expect("checked"), true),
                Err(e) => (e, false),
                Ok(token) => {
                    progress.sending();
                    match self.send_once(target, params, options, token.as_ref(), deadline).await {
                        Ok(outcome) => return Ok(outcome),
                        Err((e, _)) if e.is_token_rejection() && token.is_some() => {
                            rejected = token;
                            if !token_renewed {
                                // A stale token is our fault, not an attempt at WeChat's patience: renew it once.
                                self.observers.emit(|| retry_event(target, attempt, &e, 0.0, "token-rejected"));
                                token_renewed = true;
                                rejection = Some(e);
                                progress.attempt_undone();
                                continue;
                            }
                            if attempt < max_attempts {
                                // Refused again (a revocation raced this call): WeChat ran nothing, so any call may try again.
                                self.observers.emit(|| retry_event(target, attempt, &e, 0.0, "token-rejected"));
                                rejection = Some(e);
                                continue;
                            }
                            (e, false)
                        }
                        Err(failure) => failure,
                    }
                }
            };
            let failure = if sent { Failure::MaybeSent(&error) } else { Failure::NotSent(&error) };
            let retryable = retry::retryable(&failure, repeatable);
            match retry::next_delay(failure, repeatable, attempt, max_attempts) {
                Some(delay) if Instant::now() + delay < deadline => {
                    let reason = if error.category == crate::error::Category::RateLimit { "rate-limit" } else { "transient" };
                    self.observers.emit(|| retry_event(target, attempt, &error, delay.as_secs_f64() * 1000.0, reason));
                    tokio::time::sleep(delay).await
                }
                _ => return Err(Error { attempts: attempt, retryable, ..error }),
            }
        }
    }

    /// One HTTP exchange; the error says whether the request may have reached WeChat.
    async fn send_once(
        &self,
        target: &Target,
        params: &Value,
        options: &CallOptions,
        token: Option<&Secret>,
        deadline: Instant,
    ) -> Result<Outcome, (Error, bool)> {
        let url = self.url_for(target, params, token);
        let body = (target.verb == HttpVerb::Post).then(|| serde_json::to_vec(params).expect("a Value always serializes"));
        let remaining = deadline.saturating_duration_since(Instant::now());
        let cap = options.attempt_timeout.or(self.config.attempt_timeout);
        let attempt_timeout = cap.map_or(remaining, |cap| cap.min(remaining));
        let progress = &options.progress;
        progress.set_http_status(None);
        let request = progress.request_sent();
        self.observers.emit(|| CallEvent::new(EventKind::Request, &target.api, request));
        let result = match self.transport.send(target.verb, url, body, attempt_timeout).await {
            Ok(answer) => {
                progress.set_http_status(Some(answer.status));
                answer::interpret(&target.api, target.endpoint, answer, options.convert_case).map_err(|e| (e, true))
            }
            Err(e) => Err(transport_error(&target.api, e)),
        };
        // A proxy or gateway may echo the request back: the token in use is scrubbed like the configured secrets.
        result.map_err(|(mut e, sent)| {
            e.message = scrub(&e.message, token);
            (e, sent)
        })
    }

    /// The token a target needs: none, the app's own, the component's, or an authorizer's (when called on
    /// behalf of another appid); with `rejected`, a replacement for a refused one.
    async fn token_for(&self, target: &Target, on_behalf: Option<&str>, rejected: Option<&Secret>) -> Result<Option<Secret>, Error> {
        let Some(cache) = self.cache_for(target, on_behalf)? else { return Ok(None) };
        let token = match rejected {
            Some(bad) => cache.replace_rejected(bad).await,
            None => cache.get().await,
        };
        token.map(Some)
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
                    .with_category(crate::error::Category::Auth)
                }),
            },
        }
    }

    fn url_for(&self, target: &Target, params: &Value, token: Option<&Secret>) -> Url {
        let mut url = self.config.api_base.clone();
        url.set_path(&target.path);
        {
            let mut query = url.query_pairs_mut();
            if let Some(token) = token {
                let name = if target.token == TokenKind::Component { "component_access_token" } else { "access_token" };
                query.append_pair(name, token.expose());
            }
            if target.verb == HttpVerb::Get {
                for (key, value) in params.as_object().into_iter().flatten() {
                    query.append_pair(key, &query_value(value));
                }
            }
        }
        if url.query() == Some("") {
            url.set_query(None);
        }
        url
    }
}

/// Parses the facade's JSON, restores long integers, converts keys and checks them against the table.
fn prepare_params(target: &Target, params_json: &str, convert_case: bool) -> Result<Value, Error> {
    let mut params: Value = if params_json.trim().is_empty() {
        Value::Object(Default::default())
    } else {
        serde_json::from_str(params_json).map_err(|e| Error::invalid_argument(&target.api, format!("params are not valid JSON: {e}")))?
    };
    if params.is_null() {
        params = Value::Object(Default::default());
    }
    bigint::unmark(&mut params);
    if convert_case {
        params = convert_keys(params, Direction::ToSnake);
    }
    match target.endpoint {
        Some(endpoint) => check::check(endpoint, &params, convert_case),
        None if !params.is_object() => Err("data must be an object".to_owned()),
        None => Ok(()),
    }
    .map_err(|m| Error::invalid_argument(&target.api, m))?;
    Ok(params)
}

fn query_value(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

fn retry_event(target: &Target, attempt: u32, error: &Error, delay_ms: f64, reason: &'static str) -> CallEvent {
    let event = CallEvent::new(EventKind::Retry, &target.api, attempt).with_error(error);
    CallEvent { delay_ms: Some(delay_ms), reason: Some(reason), ..event }
}

/// Transport failures as errors, and whether the request may have reached WeChat.
fn transport_error(api: &str, e: TransportError) -> (Error, bool) {
    match e {
        // A certificate that fails the checks will fail the same way on the next attempt.
        TransportError::Connect(m) if m.contains("certificate") => {
            (Error::network(api, format!("cannot connect to WeChat: {m}")).with_retryable(false), false)
        }
        TransportError::Connect(m) => (Error::network(api, format!("cannot connect to WeChat: {m}")), false),
        TransportError::Timeout => (Error::timeout(api, "the attempt timed out"), true),
        TransportError::Broken(m) => (Error::network(api, format!("the connection failed: {m}")), true),
        TransportError::TooLarge(cap) => (
            Error::invalid_response(api, format!("the answer exceeds maxResponseBytes ({cap} bytes)")).with_retryable(false),
            true,
        ),
    }
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
        assert!(component_only.known_secrets.iter().any(|s| s.expose() == KEY));
    }
}
