//! The flows JS calls directly: the pre-auth code, queryAuth and asking WeChat to resume ticket pushes. Each
//! is its table row through the exchange (so retried, timed and reported like `openapi.component.*`), plus
//! its domain step.

use super::{authorization, refresh_token, Component};
use crate::error::Error;
use crate::exchange::{expires_in, string_field, CallOptions, Request};
use crate::store::keys;
use crate::token::{record, FreshToken};
use serde_json::{json, Value};
use wechat_protocol::case::{convert_keys, Direction};

impl Component {
    /// `{ preAuthCode, expiresIn }` for the authorization page.
    pub async fn pre_auth_code(&self, options: &CallOptions) -> Result<Value, Error> {
        let body = json!({ "component_appid": self.core.appid });
        let request = Request::row("component.getPreAuthCode", body, Some(&self.tokens)).with_options(options);
        let answer = self.core.exchange.fields(request).await?;
        Ok(convert_keys(Value::Object(answer), Direction::ToCamel))
    }

    /// Exchanges an authorization code for the authorizer's tokens and stores them (the refresh token
    /// durably, with the hook told). Returns the authorization info without the tokens.
    pub async fn query_auth(&self, authorization_code: &str, options: &CallOptions) -> Result<Value, Error> {
        let api = "component.queryAuth";
        if authorization_code.trim().is_empty() {
            return Err(Error::invalid_argument(api, "authorizationCode must be a non-empty string"));
        }
        let body = json!({ "component_appid": self.core.appid, "authorization_code": authorization_code });
        let mut answer = self.core.exchange.fields(Request::row(api, body, Some(&self.tokens)).with_options(options)).await?;
        let Some(Value::Object(mut info)) = answer.remove("authorization_info") else {
            return Err(Error::invalid_response(api, "WeChat's answer has no authorization_info"));
        };
        let appid = string_field(&info, "authorizer_appid", api)?;
        let refresh = string_field(&info, "authorizer_refresh_token", api)?;
        // Saved first: it is the one credential that cannot be fetched again without the merchant. Stamped now,
        // so that a late push about an earlier authorization (an `unauthorized` retried) leaves it alone.
        refresh_token::save(&self.core, &appid, None, &refresh).await?;
        authorization::advance(&self.core, &appid, crate::push::replay::unix_now()).await?;
        if let Some(Value::String(access)) = info.get("authorizer_access_token").filter(|v| v.as_str() != Some("")) {
            let token = FreshToken::answered(api, "authorizer_access_token", access.clone(), expires_in(&info))?;
            record::save(self.core.store.as_ref(), &keys::authorizer_token(&self.core.appid, &appid), &token).await?;
        }
        // A re-authorization replaces the tokens: the next call must not use an older cached one.
        self.forget_authorizer(&appid);
        info.remove("authorizer_access_token");
        info.remove("authorizer_refresh_token");
        Ok(convert_keys(Value::Object(info), Direction::ToCamel))
    }

    /// Asks WeChat to push a component_verify_ticket now (it arrives at the authorization-event URL).
    pub async fn start_push_ticket(&self, options: &CallOptions) -> Result<(), Error> {
        let body = json!({ "component_appid": self.core.appid, "component_secret": self.core.secret.expose() });
        let request = Request::row("component.startPushTicket", body, None).with_options(options);
        self.core.exchange.fields(request).await.map(|_| ())
    }
}
