//! The message-push methods of `NativeClient`: conversions only. `authorizer` is None for the account's own
//! pushes (`client.push`) and the authorizer's appid for those reaching the platform's `$APPID$` URL
//! (`client.component.messages`). Results cross as JSON text in a `NativeOutcome`, failures as its `error`;
//! receiving and settling a push may wait (for a run in progress, for a shared store), so they cross through
//! `start` like every call.

use super::client::NativeClient;
use super::outcome::{json, NativeOutcome};
use napi::bindgen_prelude::Unknown;
use napi::Env;
use napi_derive::napi;
use std::collections::HashMap;
use wechat_client::client::{Client, Outcome};
use wechat_client::error::Error;
use wechat_client::push::receiver::Receiver;
use wechat_protocol::crypto::PushQuery;

fn text_outcome(result: Result<String, Error>) -> NativeOutcome {
    NativeOutcome::from(result.map(|v| Outcome::Json { text: v, big_ints: 0 }))
}

fn api_of(authorizer: &Option<String>) -> &'static str {
    if authorizer.is_some() { "component.handleMessage" } else { "push.handlePush" }
}

/// The intake, and the appid its pushes are about.
fn receiver<'a>(core: &'a Client, authorizer: &Option<String>) -> Result<(&'a Receiver, String), Error> {
    match authorizer {
        None => Ok((core.push(api_of(authorizer))?, core.config().appid.clone().unwrap_or_default())),
        Some(appid) => Ok((core.component(api_of(authorizer))?.messages(), appid.clone())),
    }
}

#[napi]
impl NativeClient {
    /// A POSTed push: `query` decoded, `body` as received. Resolves to the verified message (or an error).
    #[napi(ts_return_type = "Promise<NativeOutcome | string>")]
    pub fn push_receive<'env>(
        &self,
        env: &'env Env,
        authorizer: Option<String>,
        query: HashMap<String, String>,
        body: String,
        options_json: String,
        call_id: Option<u32>,
    ) -> napi::Result<Unknown<'env>> {
        self.start(env, "push", api_of(&authorizer).to_owned(), options_json, call_id, move |core, _| async move {
            let (r, appid) = receiver(&core, &authorizer)?;
            json(r.receive(&appid, &PushQuery::from_pairs(query), &body).await.map_err(|e| core.scrubbed(e)))
        })
    }

    /// Settles the push named by `push_key` once its listeners settled: `answer` is what WeChat is answered when
    /// they succeeded, null when they failed (its retry runs them again). Resolves to null.
    #[napi(ts_return_type = "Promise<NativeOutcome | string>")]
    pub fn push_settle<'env>(
        &self,
        env: &'env Env,
        authorizer: Option<String>,
        push_key: String,
        answer: Option<String>,
        options_json: String,
        call_id: Option<u32>,
    ) -> napi::Result<Unknown<'env>> {
        self.start(env, "push", api_of(&authorizer).to_owned(), options_json, call_id, move |core, _| async move {
            let (r, _) = receiver(&core, &authorizer)?;
            json(r.settle(&push_key, answer).await.map_err(|e| core.scrubbed(e)))
        })
    }

    /// URL verification: the echostr to answer, as a JSON string.
    #[napi]
    pub fn push_verify_url(&self, authorizer: Option<String>, query: HashMap<String, String>) -> NativeOutcome {
        text_outcome(receiver(&self.core, &authorizer).and_then(|(r, _)| {
            let echostr = r.verify_url(&PushQuery::from_pairs(query)).map_err(|e| self.core.scrubbed(e))?;
            Ok(serde_json::Value::String(echostr).to_string())
        }))
    }

    /// A passive reply (`message_json`: WeChat's fields) in the push's format, encrypted when it was; a JSON string.
    #[napi]
    pub fn push_reply(&self, authorizer: Option<String>, format: String, encrypted: bool, message_json: String) -> NativeOutcome {
        text_outcome(receiver(&self.core, &authorizer).and_then(|(r, _)| {
            Ok(serde_json::Value::String(r.reply(&format, encrypted, &message_json)?).to_string())
        }))
    }
}
