//! The third-party platform methods of `NativeClient`: conversions only. Each flow crosses like `call` (through
//! `start`: the JS thread's loop, the client's one connection pool, the AbortSignal, the panic guard), and its
//! result crosses as JSON text, its failure as the outcome's `error`.

use super::client::NativeClient;
use super::outcome::{json, NativeOutcome};
use napi::bindgen_prelude::Unknown;
use napi::Env;
use napi_derive::napi;
use std::collections::HashMap;
use wechat_protocol::crypto::PushQuery;

#[napi]
impl NativeClient {
    /// `query`: the push's query parameters, already decoded; `body`: the raw XML.
    #[napi(ts_return_type = "Promise<NativeOutcome | string>")]
    pub fn component_handle_push<'env>(
        &self,
        env: &'env Env,
        query: HashMap<String, String>,
        body: String,
        options_json: String,
        call_id: Option<u32>,
    ) -> napi::Result<Unknown<'env>> {
        self.start(env, "component", "component.handlePush".to_owned(), options_json, call_id, move |core, options| async move {
            json(core.handle_push(&PushQuery::from_pairs(query), &body, &options).await)
        })
    }

    /// Settles the push named by a report's `pushKey` once its listeners settled: handled when `ok`, else
    /// released, so its retry acts again. Resolves to null.
    #[napi(ts_return_type = "Promise<NativeOutcome | string>")]
    pub fn component_settle_push<'env>(&self, env: &'env Env, push_key: String, ok: bool, options_json: String, call_id: Option<u32>) -> napi::Result<Unknown<'env>> {
        self.start(env, "component", "component.handlePush".to_owned(), options_json, call_id, move |core, _| async move {
            json(core.settle_push(&push_key, ok).await)
        })
    }

    #[napi(ts_return_type = "Promise<NativeOutcome | string>")]
    pub fn component_start_push_ticket<'env>(&self, env: &'env Env, options_json: String, call_id: Option<u32>) -> napi::Result<Unknown<'env>> {
        self.start(env, "component", "component.startPushTicket".to_owned(), options_json, call_id, |core, options| async move {
            json(core.start_push_ticket(&options).await)
        })
    }

    #[napi(ts_return_type = "Promise<NativeOutcome | string>")]
    pub fn component_pre_auth_code<'env>(&self, env: &'env Env, options_json: String, call_id: Option<u32>) -> napi::Result<Unknown<'env>> {
        self.start(env, "component", "component.getPreAuthCode".to_owned(), options_json, call_id, |core, options| async move {
            json(core.pre_auth_code(&options).await)
        })
    }

    #[napi(ts_return_type = "Promise<NativeOutcome | string>")]
    pub fn component_query_auth<'env>(
        &self,
        env: &'env Env,
        authorization_code: String,
        options_json: String,
        call_id: Option<u32>,
    ) -> napi::Result<Unknown<'env>> {
        self.start(env, "component", "component.queryAuth".to_owned(), options_json, call_id, move |core, options| async move {
            json(core.query_auth(&authorization_code, &options).await)
        })
    }

    /// Synchronous: a pure function of the options and this client's component appid.
    #[napi]
    pub fn component_authorization_url(&self, options_json: String) -> NativeOutcome {
        NativeOutcome::from(json(self.core.authorization_url(&options_json)))
    }
}
