//! The component_access_token source: the last component_verify_ticket (pushed by WeChat every 10 minutes,
//! kept in the store) plus the platform's secret → a token. It only fetches: the `SharedTokenSource` around it
//! reads and writes the token's own key (`component/mod.rs`).

use super::Core;
use crate::error::Error;
use crate::exchange::{expires_in, string_field, Request};
use wechat_protocol::secret::Secret;
use crate::store::keys;
use crate::token::{FreshToken, TokenSource};
use futures::future::{BoxFuture, FutureExt};
use serde_json::json;
use std::sync::Arc;

pub struct ComponentSource {
    pub core: Arc<Core>,
}

const HINT: &str = "WeChat pushes a ticket every 10 minutes to your authorization-event URL (serve it with \
cloud.component.pushHandler()); call cloud.component.startPushTicket() to ask for one now";

/// No usable ticket: reported like WeChat's own 61005 so callers handle both the same way.
fn no_ticket() -> Error {
    Error::wechat("", 61005, &format!("no component_verify_ticket has been received in the last 12 hours: {HINT}"), None)
}

/// The quota deadlock: the token call's own daily quota is spent, so no component token can be had to call
/// the token-based clear_quota; the AppSecret-based reset needs none.
const QUOTA_HINT: &str = "the component token call's daily quota is used up; call openapi.component.clearQuotaByAppSecret() \
(or cloud.component.clearQuotaByAppSecret()), which needs no token: it sends the platform's AppSecret from the config";

/// WeChat refused the ticket (61005 expired / 61006 invalid) or the quota is spent (45009): say what to do.
fn with_hint(e: Error) -> Error {
    match e.code {
        61005 | 61006 => Error { message: format!("{}; {HINT}", e.message), ..e },
        45009 => Error { message: format!("{}; {QUOTA_HINT}", e.message), ..e },
        _ => e,
    }
}

async fn fetch(core: Arc<Core>) -> Result<FreshToken, Error> {
    let ticket = core.store.get(&keys::ticket(&core.appid)).await?.ok_or_else(no_ticket)?;
    let body = json!({
        "component_appid": core.appid,
        "component_appsecret": core.secret.expose(),
        "component_verify_ticket": ticket,
    });
    let api = "component.getComponentAccessToken";
    let request = Request::token_fetch(api, body, None).with_secret(Secret::new(ticket));
    let answer = core.exchange.fields(request).await.map_err(with_hint)?;
    FreshToken::answered(api, "component_access_token", string_field(&answer, "component_access_token", api)?, expires_in(&answer))
}

impl TokenSource for ComponentSource {
    /// WeChat has no forced refresh for this token: a rejected one is simply fetched again.
    fn fetch(&self, _rejected: Option<Secret>) -> BoxFuture<'static, Result<FreshToken, Error>> {
        fetch(self.core.clone()).boxed()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::Category;

    #[test]
    fn ticket_errors_name_start_push_ticket() {
        let e = no_ticket();
        assert_eq!((e.code, e.category), (61005, Category::Auth));
        assert!(e.message.contains("startPushTicket"));
        let e = with_hint(Error::wechat("", 61006, "component ticket is invalid", None));
        assert!(e.message.starts_with("component ticket is invalid; ") && e.message.contains("startPushTicket()"));
        assert_eq!(with_hint(Error::wechat("", 40125, "invalid appsecret", None)).message, "invalid appsecret");
        let e = with_hint(Error::wechat("", 45009, "reach max api daily quota limit rid: 1-2-3", None));
        assert!(e.message.contains("clearQuotaByAppSecret()") && e.rid.as_deref() == Some("1-2-3"), "{} {:?}", e.message, e.rid);
    }
}
