//! The exchange: the one road every request to WeChat takes — table rows (`openapi.*`), `openapi.request`,
//! token fetches (app, component, authorizer) and the third-party platform flows alike. It owns the checks
//! before I/O (`prepare`: a JS call's params and file, the one preparation of every call), the token a request
//! carries (with the renew-once rule when WeChat rejects it), transport and the mapping of its failures, reading
//! the answer (once, for JS text or for a domain step's fields), the retry policy (the row's idempotent mark),
//! the deadline (the client's `timeout`/`attemptTimeout`) and the `request`/`retry`/`response` events. Callers
//! add only their domain step.
//!
//! It depends on nothing of the client, the token caches or the platform: a renewable token is anything that
//! implements [`RenewableToken`].

mod answer;
#[cfg(test)]
mod answer_fuzz;
pub mod events;
mod options;
mod prepare;
mod progress;
mod reconcile;
mod retry;
mod transcode;
mod upload;

pub use answer::{expires_in, string_field};
pub use options::CallOptions;
pub use prepare::{prepare, ConfigValues, FileInput, Prepared};
pub use progress::Progress;

use prepare::check_params;

use crate::error::{Category, Error};
use crate::form::{Body, FilePart};
use crate::transport::{HttpAnswer, Transport, TransportError};
use bytes::Bytes;
use events::{CallEvent, EventKind, Observers};
use futures::future::BoxFuture;
use reconcile::Verdict;
use retry::Failure;
use serde_json::{Map, Value};
use std::sync::Arc;
use std::time::{Duration, Instant};
use url::Url;
use wechat_protocol::catalogue::{catalogue, Endpoint, HttpVerb, TokenKind};
use wechat_protocol::secret::{credentials_in, Secret};

/// A successful answer, ready to cross to JS.
#[derive(Debug)]
pub enum Outcome {
    /// JSON text of the converted result (errMsg/errCode included) and how many long integers it marks.
    Json { text: String, big_ints: usize },
    /// A non-JSON answer (an image), returned as wx-server-sdk does: `{ contentType, buffer }`.
    Binary { content_type: String, bytes: Bytes },
}

/// What one request targets: a table row, or a raw path through `openapi.request`.
#[derive(Clone, Debug)]
pub struct Target {
    pub api: String,
    pub verb: HttpVerb,
    pub path: String,
    pub token: TokenKind,
    pub idempotent: bool,
    pub endpoint: Option<&'static Endpoint>,
}

impl Target {
    /// A row of the endpoint table, by its public name.
    pub fn row(api: &str) -> Result<Target, Error> {
        let endpoint = catalogue().get(api).ok_or_else(|| Error::unknown_api(api))?;
        Ok(Target {
            api: api.to_owned(),
            verb: endpoint.http,
            path: endpoint.path.clone(),
            token: endpoint.token,
            idempotent: endpoint.idempotent,
            endpoint: Some(endpoint),
        })
    }
}

/// A token that can be replaced when WeChat rejects it (40001/40014/42001). `token::TokenCache` is one.
pub trait RenewableToken: Send + Sync {
    /// The current token (fetched when there is none).
    fn current(&self) -> BoxFuture<'_, Result<Secret, Error>>;
    /// A token that is not `rejected`.
    fn renew<'a>(&'a self, rejected: &'a Secret) -> BoxFuture<'a, Result<Secret, Error>>;
}

/// How patient the exchange is unless a call says otherwise: the client's `timeout`, `attemptTimeout`, `maxAttempts`.
#[derive(Clone, Copy, Debug)]
pub struct Patience {
    /// Deadline of one call, retries included.
    pub timeout: Duration,
    /// Cap on one attempt; None: the rest of the deadline.
    pub attempt_timeout: Option<Duration>,
    /// Attempts for a call that meets a transient failure it may repeat (1 = no retry).
    pub max_attempts: u32,
}

/// How the answer is handed back.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Reading {
    /// JSON text for JS, keys converted to camelCase or not.
    Outcome { convert_case: bool },
    /// The answer's fields as WeChat named them, for a domain step (storing a token, a refresh token).
    Fields,
}

pub enum Reply {
    Outcome(Outcome),
    Fields(Map<String, Value>),
}

/// One request through the exchange.
pub struct Request<'a> {
    pub target: Target,
    /// The parameters (snake_case, checked), or why they were refused before any I/O.
    pub params: Result<Value, Error>,
    /// The token the request carries: none, a renewable one, or why there is none.
    pub token: Result<Option<&'a dyn RenewableToken>, Error>,
    pub options: CallOptions,
    pub reading: Reading,
    /// A token fetch: reported as a `token` event by its source, not as a call (no request/retry/response),
    /// and its failure is judged by the call that waits for the token, which was never sent (the error keeps
    /// its own `retryable` rather than this request's "may have run" verdict).
    pub token_fetch: bool,
    /// Credentials in this request beyond the client's own (a ticket), scrubbed from its errors.
    pub secrets: Vec<Secret>,
    /// An upload row's file (see `prepare`), sent as multipart/form-data with the parameters in the query.
    pub file: Option<Arc<FilePart>>,
}

impl<'a> Request<'a> {
    /// A table row called by a domain step with the client's defaults: `params` are snake_case already.
    pub fn row(api: &str, params: Value, token: Option<&'a dyn RenewableToken>) -> Request<'a> {
        let (target, params) = match Target::row(api) {
            Ok(target) => {
                let params = check_params(&target, params, false);
                (target, params)
            }
            // Never for the rows the core names itself (the tests walk each one); failed before I/O like any unknown API.
            Err(e) => {
                let nowhere = Target { api: api.to_owned(), verb: HttpVerb::Post, path: String::new(), token: TokenKind::None, idempotent: false, endpoint: None };
                (nowhere, Err(e))
            }
        };
        Request { target, params, token: Ok(token), options: CallOptions::default(), reading: Reading::Fields, token_fetch: false, secrets: Vec::new(), file: None }
    }

    /// The caller's deadline, attempts and progress for a flow's request (`cloud.component.*({ timeout, signal })`).
    pub fn with_options(self, options: &CallOptions) -> Request<'a> {
        Request { options: options.clone(), ..self }
    }

    /// A token fetch (see `token_fetch`), answered as fields, with the token its row needs (the component
    /// token for an authorizer's). One attempt: the call waiting for the token retries it (a failed fetch means
    /// that call was never sent), so a retry here would multiply with that one.
    pub fn token_fetch(api: &str, params: Value, token: Option<&'a dyn RenewableToken>) -> Request<'a> {
        let options = CallOptions { max_attempts: Some(1), ..CallOptions::default() };
        Request { token_fetch: true, options, ..Request::row(api, params, token) }
    }

    pub fn with_secret(mut self, secret: Secret) -> Request<'a> {
        self.secrets.push(secret);
        self
    }
}

pub struct Exchange {
    transport: Arc<Transport>,
    /// URLs are built with it; the transport moves them to another host on failover.
    api_base: Url,
    patience: Patience,
    /// The client's credentials, scrubbed from every message that leaves.
    secrets: Vec<Secret>,
    observers: Arc<Observers>,
}

/// What the attempt loop needs besides the parameters.
struct Call<'r, 'a> {
    target: &'r Target,
    token: &'r Result<Option<&'a dyn RenewableToken>, Error>,
    options: &'r CallOptions,
    reading: Reading,
    token_fetch: bool,
    deadline: Instant,
    /// Credentials the request adds to the client's own.
    secrets: &'r [Secret],
    file: Option<&'r Arc<FilePart>>,
}

impl Exchange {
    pub fn new(transport: Arc<Transport>, api_base: Url, patience: Patience, secrets: Vec<Secret>) -> Exchange {
        Exchange { transport, api_base, patience, secrets, observers: Arc::default() }
    }

    /// Where `request`/`response`/`retry`/`token` events go.
    pub fn observers(&self) -> &Arc<Observers> {
        &self.observers
    }

    /// Scrubs the client's credentials from an error that leaves the core.
    pub fn scrubbed(&self, e: Error) -> Error {
        e.scrubbed(&self.secrets)
    }

    /// What to scrub from everything a request's answer or failure says: the one list. The client's own
    /// credentials (secret, fixed token, component secret/keys), those the request adds (a ticket), the token
    /// it carries (app, component or authorizer), and every credential its parameters hold by key name
    /// (`component_verify_ticket`, `authorizer_refresh_token`, `component_appsecret`, `secret`…), since an
    /// answer may echo any of them back.
    fn held(&self, extra: &[Secret], params: Option<&Value>, token: Option<&Secret>) -> Vec<Secret> {
        let mut held: Vec<Secret> = self.secrets.iter().chain(extra).chain(token).cloned().collect();
        held.extend(params.map(credentials_in).unwrap_or_default());
        held
    }

    /// A request answered as JSON text for JS.
    pub async fn outcome(&self, request: Request<'_>) -> Result<Outcome, Error> {
        let reading = match request.reading {
            Reading::Fields => Reading::Outcome { convert_case: request.options.convert_case },
            outcome => outcome,
        };
        match self.run(Request { reading, ..request }).await? {
            Reply::Outcome(outcome) => Ok(outcome),
            Reply::Fields(_) => unreachable!("asked for an outcome"),
        }
    }

    /// A request answered as the answer's fields.
    pub async fn fields(&self, request: Request<'_>) -> Result<Map<String, Value>, Error> {
        let request = Request { reading: Reading::Fields, ..request };
        match self.run(request).await? {
            Reply::Fields(map) => Ok(map),
            Reply::Outcome(_) => unreachable!("asked for fields"),
        }
    }

    /// The whole walk: checks, token, attempts under the deadline, one `response` event.
    pub async fn run(&self, request: Request<'_>) -> Result<Reply, Error> {
        let Request { target, params, token, options, reading, token_fetch, secrets, file } = request;
        let started = Instant::now();
        let deadline = started + options.timeout.unwrap_or(self.patience.timeout);
        let progress = options.progress.clone();
        progress.set_repeatable(target.idempotent || options.retry_unsafe);
        let call = Call { target: &target, token: &token, options: &options, reading, token_fetch, deadline, secrets: &secrets, file: file.as_ref() };
        let result = match &params {
            Err(e) => Err(e.clone()),
            // Boxed: a future awaited inline is moved into its caller's state, and this one holds the transport's
            // (kilobytes): copied at every level above, it was a third of a call's instructions (callgrind).
            Ok(body) => match tokio::time::timeout_at(deadline.into(), Box::pin(self.attempts(&call, body))).await {
                Ok(r) => r,
                Err(_) => {
                    let e = Error::timeout(&target.api, format!("no answer within {} ms", (deadline - started).as_millis()));
                    Err(if token_fetch { Error { attempts: progress.attempts(), ..e } } else { progress.stamp(e) })
                }
            },
        };
        let result = result.map_err(|e| Error { api: target.api.clone(), ..e }.scrubbed(&self.held(&secrets, params.as_ref().ok(), None)));
        self.emit(token_fetch, || {
            let event = CallEvent::new(EventKind::Response, &target.api, progress.requests()).at(&target.path).with_duration(started);
            let http_status = progress.http_status();
            match &result {
                Ok(_) => CallEvent { err_code: Some(0), http_status, ..event },
                Err(e) => CallEvent { http_status, ..event }.with_error(e),
            }
        });
        result
    }

    /// Events of calls; a token fetch is reported by its source instead.
    fn emit(&self, token_fetch: bool, build: impl FnOnce() -> CallEvent) {
        if !token_fetch {
            self.observers.emit(build);
        }
    }

    /// The attempt loop: token rejections get one fresh token; transient failures (including a failed token
    /// fetch, which means the call itself was never sent) follow the retry policy.
    async fn attempts(&self, call: &Call<'_, '_>, params: &Value) -> Result<Reply, Error> {
        let Call { target, options, token_fetch, deadline, .. } = *call;
        let max_attempts = options.max_attempts.unwrap_or(self.patience.max_attempts);
        let repeatable = target.idempotent || options.retry_unsafe;
        let progress = &options.progress;
        let mut rejected: Option<Secret> = None;
        // WeChat's answer to the token it refused, kept for when no other token can be had.
        let mut rejection: Option<Error> = None;
        let mut token_renewed = false;
        // No token source at all (no credentials, no platform): refused before anything is sent, 0 attempts.
        if let Err(e) = call.token {
            return Err(Error { attempts: 0, ..e.clone() });
        }
        loop {
            let attempt = progress.attempt_started();
            let (error, sent) = match self.token(call.token, rejected.take().as_ref()).await {
                // A token that cannot be renewed (a fixed accessToken): WeChat's own answer is the error, with
                // its code (42001 stays 42001), errmsg and rid.
                Err(e) if e.is_token_rejection() && rejection.is_some() => (rejection.take().expect("checked"), true),
                Err(e) => (e, false),
                Ok(token) => {
                    progress.sending();
                    match self.send_once(call, params, token.as_ref()).await {
                        Ok(reply) => return Ok(reply),
                        Err((e, _)) if e.is_token_rejection() && token.is_some() => {
                            rejected = token;
                            if !token_renewed {
                                // A stale token is our fault, not an attempt at WeChat's patience: renew it once.
                                self.emit(token_fetch, || retry_event(target, attempt, &e, 0.0, "token-rejected"));
                                token_renewed = true;
                                rejection = Some(e);
                                progress.attempt_undone();
                                continue;
                            }
                            if attempt < max_attempts {
                                // Refused again (a revocation raced this call): WeChat ran nothing, so any call may try again.
                                self.emit(token_fetch, || retry_event(target, attempt, &e, 0.0, "token-rejected"));
                                rejection = Some(e);
                                continue;
                            }
                            (e, false)
                        }
                        Err(failure) => failure,
                    }
                }
            };
            let mut failure = if sent { Failure::MaybeSent(&error) } else { Failure::NotSent(&error) };
            // It may have run and may not be repeated: when its row names a lookup, ask before answering.
            if !token_fetch && retry::ambiguous(&failure, repeatable) {
                if let Some(rule) = target.endpoint.and_then(|e| e.reconcile.as_ref()) {
                    match self.reconcile(call, rule, params, attempt, &error).await {
                        Verdict::Found(reply) => return Ok(reply),
                        // Provably never ran: as safe to send again as a request that never left.
                        Verdict::Absent => failure = Failure::NotSent(&error),
                        Verdict::Unknown => {}
                    }
                }
            }
            let retryable = retry::retryable(&failure, repeatable);
            match retry::next_delay(failure, repeatable, attempt, max_attempts) {
                Some(delay) if Instant::now() + delay < deadline => {
                    let reason = if error.category == Category::RateLimit { "rate-limit" } else { "transient" };
                    self.emit(token_fetch, || retry_event(target, attempt, &error, delay.as_secs_f64() * 1000.0, reason));
                    tokio::time::sleep(delay).await
                }
                _ if token_fetch => return Err(Error { attempts: attempt, ..error }),
                _ => return Err(Error { attempts: attempt, retryable, ..error }),
            }
        }
    }

    /// The token the request carries, or with `rejected` a replacement for a refused one.
    async fn token(&self, token: &Result<Option<&dyn RenewableToken>, Error>, rejected: Option<&Secret>) -> Result<Option<Secret>, Error> {
        let Some(tokens) = token.as_ref().map_err(Clone::clone)? else { return Ok(None) };
        let token = match rejected {
            Some(bad) => tokens.renew(bad).await,
            None => tokens.current().await,
        };
        token.map(Some)
    }

    /// One HTTP exchange; the error says whether the request may have reached WeChat.
    async fn send_once(&self, call: &Call<'_, '_>, params: &Value, token: Option<&Secret>) -> Result<Reply, (Error, bool)> {
        let Call { target, options, reading, token_fetch, deadline, .. } = *call;
        let url = self.url_for(target, params, token, call.file.is_some());
        let body = match (call.file, target.verb) {
            (Some(file), _) => Body::Form(file.clone()),
            (None, HttpVerb::Post) if !is_upload(target) => Body::Json(serde_json::to_vec(params).expect("a Value always serializes").into()),
            (None, _) => Body::Empty,
        };
        let remaining = deadline.saturating_duration_since(Instant::now());
        let cap = options.attempt_timeout.or(self.patience.attempt_timeout);
        let attempt_timeout = cap.map_or(remaining, |cap| cap.min(remaining));
        let progress = &options.progress;
        // Scrubbed before anything is read from WeChat's text (the rid), and before any event sees the error.
        let held = self.held(call.secrets, Some(params), token);
        progress.set_http_status(None);
        let request = progress.request_sent();
        self.emit(token_fetch, || CallEvent::new(EventKind::Request, &target.api, request).at(&target.path));
        let result = match Box::pin(self.transport.send(target.verb, url, body, attempt_timeout)).await {
            Ok(answer) => {
                progress.set_http_status(Some(answer.status));
                read(target, reading, answer, &held).await.map_err(|e| (e, true))
            }
            Err(e) => Err(transport_error(&target.api, e)),
        };
        // A proxy or gateway may echo the request back: everything the request held is scrubbed.
        result.map_err(|(e, sent)| (e.scrubbed(&held), sent))
    }

    /// The request's URL; `file`: the body is a file, so the parameters go in the query string.
    fn url_for(&self, target: &Target, params: &Value, token: Option<&Secret>, file: bool) -> Url {
        let mut url = self.api_base.clone();
        // A gateway's path prefix (`https://gw.example/wechat`) is kept: `…/wechat/cgi-bin/…`.
        let prefix = self.api_base.path().trim_end_matches('/');
        // A row may fix part of the query (`fastregisterweapp?action=create`): it comes first, as WeChat writes it.
        let (path, fixed) = target.path.split_once('?').unwrap_or((&target.path, ""));
        url.set_path(&format!("{prefix}{path}"));
        {
            let mut query = url.query_pairs_mut();
            query.extend_pairs(url::form_urlencoded::parse(fixed.as_bytes()));
            if let Some(token) = token {
                let name = if target.token == TokenKind::Component { "component_access_token" } else { "access_token" };
                query.append_pair(name, token.expose());
            }
            // An upload's body is the file: its other fields go in the query string, as WeChat's pages say (a row
            // called with a URL instead of a file sends that URL in the query too, and no body).
            if target.verb == HttpVerb::Get || file || is_upload(target) {
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

/// Answers at least this large are read off a host's thread that wants heavy work elsewhere (an event loop).
const HEAVY_ANSWER: usize = 64 * 1024;

/// Reads an answer: at once, or, when it is large and the host is an event loop that must stay free, on
/// tokio's blocking pool (a panic there is resumed here, where the call's guard turns it into its error).
async fn read(target: &Target, reading: Reading, answer: HttpAnswer, held: &[Secret]) -> Result<Reply, Error> {
    if answer.body.len() < HEAVY_ANSWER || !crate::host::offloads_heavy_work() {
        return read_now(&target.api, target.endpoint, reading, answer, held);
    }
    let (api, endpoint, held) = (target.api.clone(), target.endpoint, held.to_vec());
    match tokio::task::spawn_blocking(move || read_now(&api, endpoint, reading, answer, &held)).await {
        Ok(read) => read,
        Err(e) if e.is_panic() => std::panic::resume_unwind(e.into_panic()),
        Err(_) => Err(Error::internal(&target.api, "the answer reader was stopped")),
    }
}

fn read_now(api: &str, endpoint: Option<&'static Endpoint>, reading: Reading, answer: HttpAnswer, held: &[Secret]) -> Result<Reply, Error> {
    match reading {
        Reading::Outcome { convert_case } => answer::interpret(api, endpoint, answer, convert_case, held).map(Reply::Outcome),
        Reading::Fields => answer::fields(api, endpoint, answer, held).map(Reply::Fields),
    }
}

/// The answer reader as every request uses it, for the coverage-guided fuzz targets (`fuzz/`): answers as JS
/// text (`convert_case` or not), then as a domain step's fields. Not an API.
#[doc(hidden)]
pub fn fuzz_read_answer(endpoint: Option<&'static Endpoint>, answer: crate::transport::HttpAnswer, convert_case: bool) -> Result<(), Error> {
    let copy = crate::transport::HttpAnswer { status: answer.status, content_type: answer.content_type.clone(), body: answer.body.clone() };
    let outcome = answer::interpret("fuzz.answer", endpoint, answer, convert_case, &[]);
    if let Ok(Outcome::Json { text, .. }) = &outcome {
        // What crosses to JS must parse as JSON, whatever came in.
        assert!(serde_json::from_str::<Value>(text).is_ok(), "answers cross as JSON text: {text:?}");
    }
    let fields = answer::fields("fuzz.answer", endpoint, copy, &[]);
    match &outcome {
        Ok(Outcome::Json { .. }) => assert!(fields.is_ok(), "read as text but not as fields: {fields:?}"),
        Ok(Outcome::Binary { .. }) => assert!(fields.is_err(), "fields of a binary answer"),
        Err(e) => assert_eq!(fields.map(drop).map_err(|f| f.code), Err(e.code), "both readings judge errors alike"),
    }
    outcome.map(drop)
}

fn is_upload(target: &Target) -> bool {
    target.endpoint.is_some_and(|e| e.upload.is_some())
}

fn query_value(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

fn retry_event(target: &Target, attempt: u32, error: &Error, delay_ms: f64, reason: &'static str) -> CallEvent {
    let event = CallEvent::new(EventKind::Retry, &target.api, attempt).at(&target.path).with_error(error);
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
