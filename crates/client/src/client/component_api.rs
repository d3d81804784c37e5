//! The third-party platform flows as the client offers them: each names its API (for errMsg) and leaves
//! with this client's credentials scrubbed, like every `openapi` call.

use super::{CallOptions, Client};
use crate::component::auth_url::{authorization_url, emulated_page_base, AuthUrlOptions};
use crate::component::PushReport;
use wechat_protocol::crypto::PushQuery;
use crate::error::Error;
use serde_json::Value;
use std::future::Future;
use std::time::Duration;

/// How long after the client's `timeout` the backstop on a whole flow fires.
const FLOW_GRACE: Duration = Duration::from_millis(500);

impl Client {
    /// Runs a flow within the call's `timeout` (else the client's), like every call: a store or WeChat that
    /// never answers fails it as a timeout instead of leaving the caller waiting. The exchange's own deadline (and
    /// each store operation's bound) normally ends it first, with its events; this is the backstop, a little later.
    async fn flow<T>(&self, api: &str, options: &CallOptions, work: impl Future<Output = Result<T, Error>>) -> Result<T, Error> {
        let timeout = options.timeout.unwrap_or(self.config().timeout);
        let bounded = tokio::time::timeout(timeout + FLOW_GRACE, work).await;
        let result = bounded.unwrap_or_else(|_| Err(Error::timeout(api, format!("no answer within the timeout ({} ms)", timeout.as_millis()))));
        result.map_err(|e| self.scrubbed(Error { api: api.to_owned(), ..e }))
    }

    /// Verifies, decrypts and acts on a push to the authorization-event URL.
    pub async fn handle_push(&self, query: &PushQuery, body: &str, options: &CallOptions) -> Result<PushReport, Error> {
        let api = "component.handlePush";
        self.flow(api, options, async { self.component(api)?.handle_push(query, body).await }).await
    }

    /// Settles a push acted on once its listeners settled: handled when `ok`, else released for WeChat's retry.
    pub async fn settle_push(&self, push_key: &str, ok: bool) -> Result<(), Error> {
        let settled = async { self.component("component.handlePush")?.settle_push(push_key, ok).await };
        // Leaves scrubbed like every flow's error (a store's message could quote what it was given).
        settled.await.map_err(|e| self.scrubbed(e))
    }

    pub async fn start_push_ticket(&self, options: &CallOptions) -> Result<Value, Error> {
        let api = "component.startPushTicket";
        self.flow(api, options, async { self.component(api)?.start_push_ticket(options).await }).await?;
        Ok(serde_json::json!({ "errMsg": "openapi.component.startPushTicket:ok", "errCode": 0 }))
    }

    pub async fn pre_auth_code(&self, options: &CallOptions) -> Result<Value, Error> {
        let api = "component.getPreAuthCode";
        self.flow(api, options, async { self.component(api)?.pre_auth_code(options).await }).await
    }

    pub async fn query_auth(&self, authorization_code: &str, options: &CallOptions) -> Result<Value, Error> {
        let api = "component.queryAuth";
        self.flow(api, options, async { self.component(api)?.query_auth(authorization_code, options).await }).await
    }

    /// The authorization page URL for this platform; `options_json` is `{ preAuthCode, redirectUri, authType?, bizAppid?, mobile? }`.
    pub fn authorization_url(&self, options_json: &str) -> Result<String, Error> {
        let api = "component.authorizationUrl";
        let component = self.component(api)?;
        let options: AuthUrlOptions = serde_json::from_str(options_json).map_err(|e| {
            let text = e.to_string();
            Error::invalid_argument(api, format!("invalid options: {}", text.split(" at line").next().unwrap_or(&text)))
        })?;
        authorization_url(component.appid(), &options, emulated_page_base(&self.config().api_base)).map_err(|m| Error::invalid_argument(api, m))
    }
}
