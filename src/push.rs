//! The message-push methods of `NativeClient`: conversions only. `authorizer` is None for the account's own
//! pushes (`client.push`) and the authorizer's appid for those reaching the platform's `$APPID$` URL
//! (`client.component.messages`). Results cross as JSON text in a `NativeOutcome`, failures as its `error`.

use super::client::NativeClient;
use super::outcome::NativeOutcome;
use napi_derive::napi;
use std::collections::HashMap;
use wechat_client::client::{Client, Outcome};
use wechat_client::error::Error;
use wechat_client::push::receiver::Receiver;
use wechat_protocol::crypto::PushQuery;

fn text_outcome(result: Result<String, Error>) -> NativeOutcome {
    NativeOutcome::from(result.map(|v| Outcome::Json { text: v, big_ints: 0 }))
}

/// The intake, and the appid its pushes are about.
fn receiver<'a>(core: &'a Client, authorizer: &Option<String>) -> Result<(&'a Receiver, String), Error> {
    match authorizer {
        None => Ok((core.push("push.handlePush")?, core.config().appid.clone().unwrap_or_default())),
        Some(appid) => Ok((core.component("component.handleMessage")?.messages(), appid.clone())),
    }
}

#[napi]
impl NativeClient {
    /// A POSTed push: `query` decoded, `body` as received. Resolves to the verified message (or an error).
    #[napi]
    pub fn push_receive(&self, authorizer: Option<String>, query: HashMap<String, String>, body: String) -> NativeOutcome {
        text_outcome(receiver(&self.core, &authorizer).and_then(|(r, appid)| {
            let received = r.receive(&appid, &PushQuery::from_pairs(query), &body).map_err(|e| self.core.scrubbed(e))?;
            Ok(serde_json::to_string(&received).expect("plain JSON"))
        }))
    }

    /// The push named by `push_key` is forgotten: its listeners failed, so its retry runs them again.
    #[napi]
    pub fn push_forget(&self, authorizer: Option<String>, push_key: String) {
        if let Ok((r, _)) = receiver(&self.core, &authorizer) {
            r.forget(&push_key);
        }
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
