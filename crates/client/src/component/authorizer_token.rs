//! Authorizer access tokens, from the refresh token kept in the store. WeChat may rotate the refresh token on
//! every refresh and the old one then dies, so the new one is saved (and the hook told) before the new access
//! token is used. A 61023 (refresh token invalid) is recovered once through `api_get_authorizer_list`, which
//! holds the current refresh token of every authorizer (another process, or a lost write, may have rotated it).
//! It only fetches: the `SharedTokenSource` around it reads and writes the access token's key (`component/mod.rs`).

use super::{refresh_token, Core};
use crate::error::{Category, Error};
use crate::exchange::{expires_in, string_field, Request};
use wechat_protocol::secret::Secret;
use crate::store::keys;
use crate::token::{FreshToken, TokenCache, TokenSource};
use futures::future::{BoxFuture, FutureExt};
use serde_json::{json, Map, Value};
use std::sync::Arc;

pub struct AuthorizerSource {
    pub core: Arc<Core>,
    pub component_tokens: TokenCache,
    pub authorizer_appid: String,
}

/// WeChat's page size limit for the authorizer list.
const LIST_PAGE: u64 = 500;

fn never_authorized(appid: &str) -> Error {
    Error::wechat("", 61023, &format!("no refresh token is stored for authorizer {appid}: the merchant must authorize this platform first (then call component.queryAuth with the code)"), None)
        .with_category(Category::Auth)
}

fn must_authorize_again(appid: &str) -> Error {
    Error::wechat("", 61023, &format!("the refresh token of authorizer {appid} is invalid and WeChat's authorizer list has no newer one: the merchant must authorize again"), None)
        .with_category(Category::Auth)
}

/// A `component.*` row with the component token, through the exchange as part of a token fetch.
async fn component_row(core: &Core, tokens: &TokenCache, api: &str, body: Value) -> Result<Map<String, Value>, Error> {
    core.exchange.fields(Request::token_fetch(api, body, Some(tokens))).await
}

/// One `api_authorizer_token` exchange.
async fn refresh(core: &Core, tokens: &TokenCache, appid: &str, presented: &str) -> Result<FreshToken, Error> {
    let body = json!({ "component_appid": core.appid, "authorizer_appid": appid, "authorizer_refresh_token": presented });
    let api = "component.getAuthorizerAccessToken";
    let answer = component_row(core, tokens, api, body).await?;
    let token = FreshToken::answered(api, "authorizer_access_token", string_field(&answer, "authorizer_access_token", api)?, expires_in(&answer));
    let rotated = answer.get("authorizer_refresh_token").and_then(Value::as_str).filter(|s| !s.is_empty()).unwrap_or(presented);
    // Every time, before the access token is used: once rotated, only the new refresh token works.
    refresh_token::save(core, appid, Some(presented), rotated).await?;
    token
}

/// At most this many pages of the authorizer list are read to recover one refresh token (500 each: 50 000
/// authorizers), whatever `total_count` claims.
const MAX_LIST_PAGES: u64 = 100;

/// The authorizer's current refresh token according to WeChat's authorizer list, if it is listed. Paging stops
/// at an empty or short page, at `total_count`, or after [`MAX_LIST_PAGES`]; and since it runs inside the token
/// fetch, it stops as soon as nobody waits for that fetch.
async fn listed_refresh_token(core: &Core, tokens: &TokenCache, appid: &str) -> Result<Option<String>, Error> {
    let mut offset: u64 = 0;
    for _ in 0..MAX_LIST_PAGES {
        let body = json!({ "component_appid": core.appid, "offset": offset, "count": LIST_PAGE });
        let answer = component_row(core, tokens, "component.getAuthorizerList", body).await?;
        let list = answer.get("list").and_then(Value::as_array).cloned().unwrap_or_default();
        for item in &list {
            if item.get("authorizer_appid").and_then(Value::as_str) == Some(appid) {
                return Ok(item.get("refresh_token").and_then(Value::as_str).filter(|s| !s.is_empty()).map(str::to_owned));
            }
        }
        offset = offset.saturating_add(list.len() as u64);
        let total = answer.get("total_count").and_then(Value::as_u64).unwrap_or(0);
        if (list.len() as u64) < LIST_PAGE || offset >= total {
            return Ok(None);
        }
    }
    Ok(None)
}

async fn fetch(source: (Arc<Core>, TokenCache, String)) -> Result<FreshToken, Error> {
    let (core, tokens, appid) = source;
    let stored_refresh = core.store.get(&keys::refresh_token(&core.appid, &appid)).await?.ok_or_else(|| never_authorized(&appid))?;
    match refresh(&core, &tokens, &appid, &stored_refresh).await {
        Err(e) if e.code == 61023 => {}
        other => return other,
    }
    match listed_refresh_token(&core, &tokens, &appid).await? {
        Some(current) if current != stored_refresh => {
            refresh_token::save(&core, &appid, Some(&stored_refresh), &current).await?;
            refresh(&core, &tokens, &appid, &current).await.map_err(|e| if e.code == 61023 { must_authorize_again(&appid) } else { e })
        }
        _ => Err(must_authorize_again(&appid)),
    }
}

impl TokenSource for AuthorizerSource {
    /// WeChat has no forced refresh for this token: a rejected one is simply refreshed again.
    fn fetch(&self, _rejected: Option<Secret>) -> BoxFuture<'static, Result<FreshToken, Error>> {
        fetch((self.core.clone(), self.component_tokens.clone(), self.authorizer_appid.clone())).boxed()
    }
}
