//! Calls to the `component.*` endpoints that need the component token (with one renewal when WeChat rejects
//! it), and the flows built on them: pre-auth code, queryAuth, and asking WeChat to resume ticket pushes.

use super::{authorizer_token, stored, Component, Core};
use wechat_protocol::case::{convert_keys, Direction};
use wechat_protocol::catalogue::{catalogue, HttpVerb};
use crate::error::Error;
use wechat_protocol::secret::Secret;
use crate::store::keys;
use crate::token::{wire, FreshToken, TokenCache};
use serde_json::{json, Map, Value};

/// POSTs `body` to the table row `api` with the component token; a rejected token is renewed once.
pub(super) async fn post(core: &Core, tokens: &TokenCache, api: &str, body: Value) -> Result<Map<String, Value>, Error> {
    let endpoint = catalogue().get(api).expect("component rows are in the table");
    let what = format!("{} request", endpoint.path.rsplit('/').next().unwrap_or(api));
    let mut token = tokens.get().await?;
    let mut renewed = false;
    loop {
        let mut url = core.url(&endpoint.path);
        url.query_pairs_mut().append_pair("component_access_token", token.expose());
        match wire::exchange(&core.transport, HttpVerb::Post, url, Some(&body), &what, Some(api), &core.credentials).await {
            Err(e) if e.is_token_rejection() && !renewed => {
                renewed = true;
                token = tokens.replace_rejected(&token).await?;
            }
            result => return result,
        }
    }
}

impl Component {
    /// `{ preAuthCode, expiresIn }` for the authorization page.
    pub async fn pre_auth_code(&self) -> Result<Value, Error> {
        let body = json!({ "component_appid": self.core.appid });
        let answer = post(&self.core, &self.tokens, "component.getPreAuthCode", body).await?;
        Ok(convert_keys(Value::Object(answer), Direction::ToCamel))
    }

    /// Exchanges an authorization code for the authorizer's tokens and stores them (the refresh token
    /// durably, with the hook told). Returns the authorization info without the tokens.
    pub async fn query_auth(&self, authorization_code: &str) -> Result<Value, Error> {
        if authorization_code.trim().is_empty() {
            return Err(Error::invalid_argument("component.queryAuth", "authorizationCode must be a non-empty string"));
        }
        let body = json!({ "component_appid": self.core.appid, "authorization_code": authorization_code });
        let mut answer = post(&self.core, &self.tokens, "component.queryAuth", body).await?;
        let Some(Value::Object(mut info)) = answer.remove("authorization_info") else {
            return Err(Error::invalid_response("", "the api_query_auth answer has no authorization_info"));
        };
        let what = "api_query_auth request";
        let appid = wire::string_field(&info, "authorizer_appid", what)?;
        let refresh = wire::string_field(&info, "authorizer_refresh_token", what)?;
        // Saved first: it is the one credential that cannot be fetched again without the merchant.
        authorizer_token::save_refresh_token(&self.core, &appid, None, &refresh).await?;
        if let Some(Value::String(access)) = info.get("authorizer_access_token").filter(|v| v.as_str() != Some("")) {
            let token = FreshToken { value: Secret::new(access.clone()), expires_in: Some(wire::expires_in(&info)) };
            stored::save(self.core.store.as_ref(), &keys::authorizer_token(&self.core.appid, &appid), &token).await?;
        }
        // A re-authorization replaces the tokens: the next call must not use an older cached one.
        self.forget_authorizer(&appid);
        info.remove("authorizer_access_token");
        info.remove("authorizer_refresh_token");
        Ok(convert_keys(Value::Object(info), Direction::ToCamel))
    }

    /// Asks WeChat to push a component_verify_ticket now (it arrives at the authorization-event URL).
    pub async fn start_push_ticket(&self) -> Result<(), Error> {
        let body = json!({ "component_appid": self.core.appid, "component_secret": self.core.secret.expose() });
        let url = self.core.url("/cgi-bin/component/api_start_push_ticket");
        let what = "api_start_push_ticket request";
        wire::exchange(&self.core.transport, HttpVerb::Post, url, Some(&body), what, Some("component.startPushTicket"), &self.core.credentials)
            .await
            .map(|_| ())
    }
}
