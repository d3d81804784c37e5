//! `NativeClient`: the core `Client` behind a JS handle. The facade (index.js) owns the public shape.

use super::outcome::NativeOutcome;
use crate::client::config::ClientConfig;
use crate::client::{CallOptions, Cancellations, Client};
use crate::error::Error;
use crate::secret::Secret;
use crate::token::{FreshToken, ProviderFn};
use futures::FutureExt;
use napi::bindgen_prelude::Promise;
use napi::threadsafe_function::ThreadsafeFunction;
use napi::{Status, Status::InvalidArg};
use napi_derive::napi;
use serde::Deserialize;
use std::sync::Arc;
use std::time::Duration;

/// The facade's wrapper around the user's `getAccessToken`: `(forceRefresh) => Promise<JSON string>`.
/// Weak, so a client kept in a global does not keep Node alive; not callee-handled, so a throw becomes an Err.
/// How long a token from `getAccessToken` without `expiresIn` is trusted (half of it, with the early-expiry rule).
const PLAIN_TOKEN_LIFE: Duration = Duration::from_secs(300);

type ProviderTsfn = ThreadsafeFunction<bool, Promise<String>, bool, Status, false, true>;

#[napi]
pub struct NativeClient {
    pub(super) core: Arc<Client>,
    cancellations: Arc<Cancellations>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct ProvidedToken {
    access_token: String,
    expires_in: Option<f64>,
}

fn provider_fn(tsfn: ProviderTsfn) -> ProviderFn {
    let tsfn = Arc::new(tsfn);
    Arc::new(move |force: bool| {
        let tsfn = tsfn.clone();
        async move {
            let promise = tsfn.call_async_catch(force).await.map_err(|e| e.reason.clone())?;
            let json = promise.await.map_err(|e| e.reason.clone())?;
            let token: ProvidedToken = serde_json::from_str(&json).map_err(|e| e.to_string())?;
            // A bare string carries no lifetime: reuse it for a while, then ask again.
            let expires_in = token.expires_in.filter(|s| *s > 0.0).map_or(PLAIN_TOKEN_LIFE, Duration::from_secs_f64);
            Ok(FreshToken { value: Secret::new(token.access_token), expires_in: Some(expires_in) })
        }
        .boxed()
    })
}

#[napi]
impl NativeClient {
    #[napi(constructor)]
    pub fn new(config_json: String, get_access_token: Option<ProviderTsfn>) -> napi::Result<Self> {
        let config = ClientConfig::from_json(&config_json).map_err(|m| napi::Error::new(InvalidArg, m))?;
        let core = Client::new(config, get_access_token.map(provider_fn)).map_err(|m| napi::Error::new(InvalidArg, m))?;
        Ok(NativeClient { core: Arc::new(core), cancellations: Arc::default() })
    }

    /// `openapi.<api>(params)`; never rejects: failures come back as `outcome.error`.
    /// `call_id` is given when the caller passed an AbortSignal (see `abort`).
    #[napi]
    pub async fn call(&self, api: String, params_json: String, options_json: String, call_id: Option<u32>) -> NativeOutcome {
        let core = self.core.clone();
        let call = async {
            let options = CallOptions::from_json(&options_json).map_err(|m| Error::invalid_argument(&api, m))?;
            core.call(&api, &params_json, options).await
        };
        let result = match call_id {
            Some(id) => self.cancellations.run(id, &api, call).await,
            None => call.await,
        };
        NativeOutcome::from(result)
    }

    /// `openapi.request({ method, path, data })`.
    #[napi]
    pub async fn request(&self, method: String, path: String, data_json: String, options_json: String, call_id: Option<u32>) -> NativeOutcome {
        let core = self.core.clone();
        let call = async {
            let options = CallOptions::from_json(&options_json).map_err(|m| Error::invalid_argument("request", m))?;
            core.request(&method, &path, &data_json, options).await
        };
        let result = match call_id {
            Some(id) => self.cancellations.run(id, "request", call).await,
            None => call.await,
        };
        NativeOutcome::from(result)
    }

    /// Stops call `call_id` (its AbortSignal fired).
    #[napi]
    pub fn abort(&self, call_id: u32) -> bool {
        self.cancellations.cancel(call_id)
    }
}

/// The names in the endpoint table, for `Object.keys(openapi.logistics)` and friends.
#[napi]
pub fn endpoint_names() -> Vec<String> {
    crate::catalogue::catalogue().all().iter().map(|e| e.name.clone()).collect()
}
