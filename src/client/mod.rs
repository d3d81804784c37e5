//! The call pipeline: name → table row → snake_case → checks → token → HTTP with the retry policy →
//! answer → camelCase. Every step lives in its own module; this file only strings them together.

mod answer;
mod cancel;
pub mod config;
mod options;
mod retry;
mod transcode;

pub use cancel::Cancellations;
pub use options::CallOptions;

use crate::bigint;
use crate::case::{convert_keys, Direction};
use crate::catalogue::{catalogue, check, Endpoint, HttpVerb, TokenKind};
use crate::error::Error;
use crate::secret::{scrub, Secret};
use crate::token::{FixedSource, ProviderFn, ProviderSource, StableOrClassicSource, TokenCache, TokenSource};
use crate::transport::{Transport, TransportError};
use bytes::Bytes;
use config::{ClientConfig, TokenOrigin};
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
    /// Credentials from the config, scrubbed from every message that leaves.
    known_secrets: Vec<Secret>,
}

impl Client {
    /// `provider` is the caller's `getAccessToken`, when the config says there is one.
    pub fn new(config: ClientConfig, provider: Option<ProviderFn>) -> Result<Client, String> {
        let transport = Arc::new(Transport::new(&config.api_bases, config.max_response_bytes)?);
        let mut known_secrets = Vec::new();
        let source: Option<Arc<dyn TokenSource>> = match (&config.token, provider) {
            (Some(TokenOrigin::Credentials { secret, mode }), _) => {
                known_secrets.push(secret.clone());
                Some(Arc::new(StableOrClassicSource {
                    transport: transport.clone(),
                    api_base: config.api_base.clone(),
                    appid: config.appid.clone().unwrap_or_default(),
                    secret: secret.clone(),
                    mode: *mode,
                }))
            }
            (Some(TokenOrigin::Fixed(token)), _) => {
                known_secrets.push(token.clone());
                Some(Arc::new(FixedSource(token.clone())))
            }
            (Some(TokenOrigin::Provider), Some(f)) => Some(Arc::new(ProviderSource(f))),
            (Some(TokenOrigin::Provider), None) => return Err("getAccessToken must be a function".into()),
            (None, _) => None,
        };
        Ok(Client { app_tokens: source.map(TokenCache::new), config, transport, known_secrets })
    }

    pub fn config(&self) -> &ClientConfig {
        &self.config
    }

    pub fn app_tokens(&self) -> Option<&TokenCache> {
        self.app_tokens.as_ref()
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
        let body = prepare_params(&target, params_json, options.convert_case)?;
        let attempt = self.attempts(&target, &body, &options, deadline);
        let result = match tokio::time::timeout_at(deadline.into(), attempt).await {
            Ok(r) => r,
            Err(_) => Err(Error::timeout(&target.api, format!("no answer within {} ms", (deadline - started).as_millis()))),
        };
        result.map_err(|mut e| {
            e.api = target.api.clone();
            e.message = scrub(&e.message, &self.known_secrets);
            e
        })
    }

    /// The attempt loop: token rejections get one fresh token; transient failures (including a failed token
    /// fetch, which means the call itself was never sent) follow the retry policy.
    async fn attempts(&self, target: &Target, params: &Value, options: &CallOptions, deadline: Instant) -> Result<Outcome, Error> {
        let max_attempts = options.max_attempts.unwrap_or(self.config.max_attempts);
        let mut attempt = 0;
        let mut rejected: Option<Secret> = None;
        let mut token_renewed = false;
        loop {
            attempt += 1;
            let (error, sent) = match self.token_for(target, rejected.take().as_ref()).await {
                Err(e) => (e, false),
                Ok(token) => match self.send_once(target, params, options, token.as_ref(), deadline).await {
                    Ok(outcome) => return Ok(outcome),
                    Err((e, _)) if e.is_token_rejection() && token.is_some() && !token_renewed => {
                        // A stale token is our fault, not an attempt at WeChat's patience: renew it once.
                        token_renewed = true;
                        rejected = token;
                        attempt -= 1;
                        continue;
                    }
                    Err(failure) => failure,
                },
            };
            let error = Error { attempts: attempt, ..error };
            let failure = if sent { Failure::MaybeSent(&error) } else { Failure::NotSent(&error) };
            match retry::next_delay(failure, target.idempotent || options.retry_unsafe, attempt, max_attempts) {
                Some(delay) if Instant::now() + delay < deadline => tokio::time::sleep(delay).await,
                _ => return Err(error),
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
        match self.transport.send(target.verb, url, body, remaining).await {
            Ok(answer) => answer::interpret(&target.api, target.endpoint, answer, options.convert_case).map_err(|e| (e, true)),
            Err(e) => Err(transport_error(&target.api, e)),
        }
    }

    /// The token a target needs: none, the app's own, or (with `rejected`) a replacement for a refused one.
    async fn token_for(&self, target: &Target, rejected: Option<&Secret>) -> Result<Option<Secret>, Error> {
        if target.token == TokenKind::None {
            return Ok(None);
        }
        if target.token == TokenKind::Component {
            return Err(Error::invalid_argument(&target.api, "this API needs a third-party platform (component) configuration"));
        }
        let Some(cache) = &self.app_tokens else {
            return Err(Error::invalid_argument(
                &target.api,
                "no credentials: give appid and secret (or WECHAT_APPID / WECHAT_SECRET), accessToken or getAccessToken to init",
            )
            .with_category(crate::error::Category::Auth));
        };
        let token = match rejected {
            Some(bad) => cache.replace_rejected(bad).await,
            None => cache.get().await,
        };
        token.map(Some)
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

/// Transport failures as errors, and whether the request may have reached WeChat.
fn transport_error(api: &str, e: TransportError) -> (Error, bool) {
    match e {
        TransportError::Connect(m) => (Error::network(api, format!("cannot connect to WeChat: {m}")), false),
        TransportError::Timeout => (Error::timeout(api, "the attempt timed out"), true),
        TransportError::Broken(m) => (Error::network(api, format!("the connection failed: {m}")), true),
        TransportError::TooLarge(cap) => (
            Error::invalid_response(api, format!("the answer exceeds maxResponseBytes ({cap} bytes)")).with_retryable(false),
            true,
        ),
    }
}
