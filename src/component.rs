//! The third-party platform methods of `NativeClient`: conversions only. Results cross as JSON text in a
//! `NativeOutcome`, failures as its `error`, exactly like `call`.

use super::client::NativeClient;
use super::outcome::NativeOutcome;
use wechat_client::client::Outcome;
use wechat_protocol::crypto::PushQuery;
use wechat_client::error::Error;
use napi_derive::napi;
use serde::Serialize;
use std::collections::HashMap;

fn json_outcome<T: Serialize>(result: Result<T, Error>) -> NativeOutcome {
    NativeOutcome::from(result.map(|v| Outcome::Json { text: serde_json::to_string(&v).expect("plain JSON"), big_ints: 0 }))
}

#[napi]
impl NativeClient {
    /// `query`: the push's query parameters, already decoded; `body`: the raw XML.
    #[napi]
    pub async fn component_handle_push(&self, query: HashMap<String, String>, body: String) -> NativeOutcome {
        let core = self.core.clone();
        json_outcome(core.handle_push(&PushQuery::from_pairs(query), &body).await)
    }

    /// The push named by a report's `pushKey` is forgotten: its listeners failed, so its retry acts again.
    #[napi]
    pub fn component_forget_push(&self, push_key: String) {
        self.core.forget_push(&push_key);
    }

    #[napi]
    pub async fn component_start_push_ticket(&self) -> NativeOutcome {
        let core = self.core.clone();
        json_outcome(core.start_push_ticket().await)
    }

    #[napi]
    pub async fn component_pre_auth_code(&self) -> NativeOutcome {
        let core = self.core.clone();
        json_outcome(core.pre_auth_code().await)
    }

    #[napi]
    pub async fn component_query_auth(&self, authorization_code: String) -> NativeOutcome {
        let core = self.core.clone();
        json_outcome(core.query_auth(&authorization_code).await)
    }

    /// Synchronous: a pure function of the options and this client's component appid.
    #[napi]
    pub fn component_authorization_url(&self, options_json: String) -> NativeOutcome {
        json_outcome(self.core.authorization_url(&options_json))
    }
}
