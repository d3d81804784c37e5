//! `NativeClient`: the core `Client` behind a JS handle. The facade (index.js) owns the public shape.

use super::delivery;
use super::hooks::{refresh_token_hook, HookFn};
use super::js_callback::{JsCallback, JsFn};
use super::outcome::{thrown, NativeOutcome};
use super::store::{JsStore, StoreFn};
use wechat_client::client::config::ClientConfig;
use wechat_client::client::{Bridges, CallOptions, Cancellations, Client, Outcome, Progress};
use wechat_client::error::Error;
use wechat_protocol::secret::Secret;
use wechat_client::token::{lifetime, FreshToken, ProviderFn};
use futures::FutureExt;
use napi::bindgen_prelude::{Buffer, Unknown};
use napi::Env;
use napi_derive::napi;
use serde::Deserialize;
use std::sync::Arc;

/// A hidden API name that panics inside the core, so tests can prove a panic never reaches Node.
const PANIC_PROBE: &str = "__probe.panic";

/// The facade's wrapper around the user's `getAccessToken`: `(forceRefresh) => Promise<JSON string>`.
type GetAccessTokenFn = JsFn<bool, String>;

#[napi]
pub struct NativeClient {
    pub(super) core: Arc<Client>,
    cancellations: Arc<Cancellations>,
    /// Someone listens to this client's events (`observe`): its calls settle on a lane of their own.
    pub(super) observed: std::sync::atomic::AtomicBool,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct ProvidedToken {
    access_token: String,
    expires_in: Option<f64>,
}

fn provider_fn(f: GetAccessTokenFn) -> ProviderFn {
    let provider = Arc::new(JsCallback::new(f));
    Arc::new(move |force: bool| {
        let provider = provider.clone();
        async move {
            let json = provider.invoke(force).await?;
            let token: ProvidedToken = serde_json::from_str(&json).map_err(|e| e.to_string())?;
            let expires_in = lifetime::provided(token.expires_in);
            Ok(FreshToken { value: Secret::new(token.access_token), expires_in: Some(expires_in) })
        }
        .boxed()
    })
}

#[napi]
impl NativeClient {
    /// `api`: where the config was given (`init`, `createClient`), for the error; `hint`: what to do about a
    /// refused config, added to its error. `store` and `on_refresh_token` are the facade's wrappers
    /// (lib/store.js, lib/component.js); `store_locks`: the store has setIfAbsent. A refused config throws a `NativeError`.
    #[napi(constructor)]
    pub fn new(
        env: Env,
        api: String,
        hint: Option<String>,
        config_json: String,
        get_access_token: Option<GetAccessTokenFn>,
        store: Option<StoreFn>,
        store_locks: bool,
        on_refresh_token: Option<HookFn>,
    ) -> napi::Result<Self> {
        let refused = |m: String| thrown(&env, &Error::config(&api, &m, &config_json, hint.as_deref()));
        let config = ClientConfig::from_json(&config_json).map_err(refused)?;
        let bridges = Bridges {
            provider: get_access_token.map(provider_fn),
            store: store.map(|s| Arc::new(JsStore::new(s, store_locks)) as Arc<dyn wechat_client::store::Store>),
            on_refresh_token: on_refresh_token.map(refresh_token_hook),
        };
        let core = Client::with_bridges(config, bridges).map_err(refused)?;
        Ok(NativeClient { core: Arc::new(core), cancellations: Arc::default(), observed: Default::default() })
    }

    /// `openapi.<api>(params)`; never rejects: failures come back as `outcome.error`.
    /// `call_id` is given when the caller passed an AbortSignal (see `abort`).
    #[napi(ts_return_type = "Promise<NativeOutcome | string>")]
    pub fn call<'env>(&self, env: &'env Env, api: String, params_json: String, options_json: String, call_id: Option<u32>) -> napi::Result<Unknown<'env>> {
        self.start(env, "openapi", api.clone(), options_json, call_id, move |core, options| async move {
            if api == PANIC_PROBE {
                panic!("internal fault probe: a deliberate panic inside the core");
            }
            core.call(&api, &params_json, options).await
        })
    }

    /// An upload row called with a file (`openapi.security.imgSecCheck({ media: { contentType, value } })`): the
    /// facade took the Buffer out of the params (see `uploadFields`) and hands it here; same outcome as `call`.
    #[napi(ts_return_type = "Promise<NativeOutcome | string>")]
    pub fn upload<'env>(&self, env: &'env Env, api: String, params_json: String, file: Buffer, options_json: String, call_id: Option<u32>) -> napi::Result<Unknown<'env>> {
        // One copy, out of the JS heap: the bytes are then shared by every attempt's form body.
        let bytes = bytes::Bytes::copy_from_slice(&file);
        self.start(env, "openapi", api.clone(), options_json, call_id, move |core, options| async move {
            core.call_with_file(&api, &params_json, bytes, options).await
        })
    }

    /// `openapi.request({ method, path, data })`.
    #[napi(ts_return_type = "Promise<NativeOutcome | string>")]
    pub fn request<'env>(&self, env: &'env Env, method: String, path: String, data_json: String, options_json: String, call_id: Option<u32>) -> napi::Result<Unknown<'env>> {
        self.start(env, "request", "request".to_owned(), options_json, call_id, move |core, options| async move {
            core.request(&method, &path, &data_json, options).await
        })
    }

    /// `openapi.request({ method, path, data, file })`: `file_json` describes the file with the facade's
    /// placeholder where its `value` was; `file` is its bytes (None when that value was not bytes: the core names
    /// the field). Same outcome as `request`.
    #[napi(ts_return_type = "Promise<NativeOutcome | string>")]
    #[allow(clippy::too_many_arguments)]
    pub fn request_with_file<'env>(
        &self,
        env: &'env Env,
        method: String,
        path: String,
        data_json: String,
        file_json: String,
        options_json: String,
        file: Option<Buffer>,
        call_id: Option<u32>,
    ) -> napi::Result<Unknown<'env>> {
        let bytes = file.map(|file| bytes::Bytes::copy_from_slice(&file));
        self.start(env, "request", "request".to_owned(), options_json, call_id, move |core, options| async move {
            core.request_with_file(&method, &path, &data_json, &file_json, bytes, options).await
        })
    }

    /// The one crossing: every promise this binding returns is made here. What every call shares: its options
    /// read (a bad one is the call's error), the core's work under the caller's AbortSignal and the panic guard,
    /// the outcome settled through `delivery`. `api` names the call in its errors; `kind` names a call lost mid-way.
    pub(super) fn start<'env, Work>(
        &self,
        env: &'env Env,
        kind: &'static str,
        api: String,
        options_json: String,
        call_id: Option<u32>,
        work: impl FnOnce(Arc<Client>, CallOptions) -> Work + Send + 'static,
    ) -> napi::Result<Unknown<'env>>
    where
        Work: std::future::Future<Output = Result<Outcome, Error>> + Send,
    {
        let core = self.core.clone();
        let cancellations = self.cancellations.clone();
        delivery::start(env, kind, self.is_observed(), Box::pin(async move {
            let options = CallOptions::from_json(&options_json);
            let progress = options.as_ref().map(|o| o.progress.clone()).unwrap_or_default();
            // Boxed: each wrapper below (cancellable, guarded) would otherwise hold it twice, as an argument and
            // inside the future it awaits; 2.6 kB became 17.7 kB, copied whole when the call starts (callgrind).
            let call = Box::pin(async {
                let options = options.map_err(|m| Error::invalid_argument(&api, m))?;
                work(core, options).await
            });
            NativeOutcome::from(guarded(&api, cancellable(&cancellations, call_id, &api, &progress, call)).await)
        }))
    }

    fn is_observed(&self) -> bool {
        self.observed.load(std::sync::atomic::Ordering::Relaxed)
    }

    /// Fetches the app token unless cached (a health check, the CLI's `token`); resolves to null.
    #[napi(ts_return_type = "Promise<NativeOutcome | string>")]
    pub fn warm_token<'env>(&self, env: &'env Env, options_json: String, call_id: Option<u32>) -> napi::Result<Unknown<'env>> {
        self.start(env, "token", "auth.getAccessToken".to_owned(), options_json, call_id, |core, options| async move {
            super::outcome::json(core.warm_app_token(&options).await)
        })
    }

    /// Stops call `call_id` (its AbortSignal fired).
    #[napi]
    pub fn abort(&self, call_id: u32) -> bool {
        self.cancellations.cancel(call_id)
    }
}

async fn cancellable<T>(
    cancellations: &Cancellations,
    call_id: Option<u32>,
    api: &str,
    progress: &Progress,
    call: impl std::future::Future<Output = Result<T, Error>>,
) -> Result<T, Error> {
    match call_id {
        Some(id) => cancellations.run(id, api, progress, call).await,
        None => call.await,
    }
}

/// Runs a call so that a panic inside the core becomes a typed error (-604103) instead of crossing into Node.
async fn guarded<T>(api: &str, call: impl std::future::Future<Output = Result<T, Error>>) -> Result<T, Error> {
    match std::panic::AssertUnwindSafe(call).catch_unwind().await {
        Ok(result) => result,
        Err(panic) => {
            let what = panic.downcast_ref::<&str>().map(|s| s.to_string()).or_else(|| panic.downcast_ref::<String>().cloned());
            Err(Error::internal(api, &what.unwrap_or_else(|| "unknown panic".into())))
        }
    }
}

/// One row of the endpoint table as the facade and the CLI read it (the runtime's own reader, not the JSON file).
#[napi(object)]
pub struct NativeEndpoint {
    /// The public name, dotted at any depth: `logistics.getAllAccount`, `wxa.sec.order.uploadShippingInfo`.
    pub name: String,
    /// `GET` or `POST`.
    pub http: String,
    pub path: String,
    pub summary: String,
    /// `app`, `authorizer`, `component` or `none`.
    pub token: String,
    /// An upload row's file field (`security.imgSecCheck` → `media`): the facade hands its Buffer over apart.
    pub upload_field: Option<String>,
    /// wx-server-sdk has the same cloud call.
    pub wx_server_sdk: bool,
}

/// The endpoint table, in table order: `Object.keys(openapi.logistics)`, `cloud.catalogue`, the CLI's `list`.
// Registered with Node by the napi macro; a `cargo test` build has no Node to register it with.
#[napi]
pub fn endpoints() -> Vec<NativeEndpoint> {
    use wechat_protocol::catalogue::{HttpVerb, TokenKind};
    let rows = wechat_protocol::catalogue::catalogue().all().iter();
    rows.map(|e| NativeEndpoint {
        name: e.name.clone(),
        http: match e.http {
            HttpVerb::Get => "GET",
            HttpVerb::Post => "POST",
        }
        .to_owned(),
        path: e.path.clone(),
        summary: e.summary.clone(),
        token: match e.token {
            TokenKind::App => "app",
            TokenKind::Authorizer => "authorizer",
            TokenKind::Component => "component",
            TokenKind::None => "none",
        }
        .to_owned(),
        upload_field: e.upload.as_ref().map(|u| u.field.clone()),
        wx_server_sdk: e.wx_server_sdk,
    })
    .collect()
}

/// The content type a file name's extension says (`a.jpg` → `image/jpeg`), for the CLI's `--file`.
#[napi]
pub fn content_type_of(filename: String) -> Option<String> {
    wechat_protocol::catalogue::upload::content_type_of(&filename).map(str::to_owned)
}

/// The nearest of `candidates` to a misspelt `word` ("did you mean"), for the facade's options and the CLI.
#[napi]
pub fn suggest(word: String, candidates: Vec<String>) -> Option<String> {
    wechat_protocol::suggest::nearest(&word, candidates.iter().map(String::as_str)).map(str::to_owned)
}
