//! The quota resets that need no token, only an AppSecret: `clear_quota/v2` (an account) and
//! `component/clear_quota/v2` (a platform, or an account that authorized it). They are the way out of the
//! quota deadlock: once the token call itself answers 45009 (`api_component_token` is metered too), the
//! token-based `clear_quota` cannot be called. They share the monthly allowance with `clear_quota` (48006).

use super::component::records::Platforms;
use crate::kit::context::Ctx;
use crate::kit::family::Family;
use crate::kit::route::Route;
use crate::stages::quota::{self, Usage};
use crate::wire::{fields, Reply, WxError};

pub const FAMILY: Family = Family::new("quotaBySecret").routes(ROUTES);

const ROUTES: &[Route] = &[
    Route::new("auth.clearQuotaByAppSecret", clear_account),
    Route::new("component.clearQuotaByAppSecret", clear_platform),
];

/// A field the caller must send, or `code` (41002 appid missing, 41004 appsecret missing).
fn required<'a>(ctx: &Ctx<'a>, key: &str, code: i64) -> Result<&'a str, WxError> {
    ctx.params.opt_str(key).filter(|v| !v.is_empty()).ok_or_else(|| ctx.fail(code))
}

/// `{appid, appsecret}`: 40013 for an unknown account, 40125 for a wrong secret.
fn clear_account(ctx: &mut Ctx<'_>) -> Reply {
    let appid = required(ctx, "appid", 41002)?;
    let secret = required(ctx, "appsecret", 41004)?;
    let known = ctx.state.credentials.get(appid).ok_or_else(|| ctx.fail(40013))?;
    if known.expose() != secret {
        return Err(WxError::common(40125));
    }
    quota::clear(ctx.state.app_mut(appid).record::<Usage>())?;
    Ok(fields! {})
}

/// `{component_appid, appsecret, appid?}`: the platform's own counts, or those of `appid`, which must have
/// authorized it (40013 otherwise, as for an unknown platform); 40125 for a wrong secret.
fn clear_platform(ctx: &mut Ctx<'_>) -> Reply {
    let component = required(ctx, "component_appid", 40013)?;
    let secret = required(ctx, "appsecret", 41004)?;
    let invalid = ctx.fail(40013);
    let platform = ctx.state.record::<Platforms>().0.get(component).ok_or_else(|| invalid.clone())?;
    if !platform.secret_is(secret) {
        return Err(WxError::common(40125));
    }
    let target = match ctx.params.opt_str("appid").filter(|a| !a.is_empty()) {
        Some(appid) if platform.has_authorized(appid) => appid,
        Some(_) => return Err(invalid),
        None => component,
    };
    quota::clear(ctx.state.app_mut(target).record::<Usage>())?;
    Ok(fields! {})
}

#[cfg(test)]
mod tests {
    use crate::test_support::{code, TestEmulator, APP, SECRET};
    use serde_json::json;

    const COMPONENT: &str = "wxcomponent0000001";
    const COMPONENT_SECRET: &str = "componentsecret00000000000000001";

    #[tokio::test]
    async fn the_quota_deadlock_and_the_way_out() {
        let emu = TestEmulator::start(json!({
            "apps": [{"appid": APP, "secret": SECRET}],
            "components": [{"appid": COMPONENT, "secret": COMPONENT_SECRET, "token": "tok", "encodingAesKey": "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG"}]
        }))
        .await;
        let ticket = emu.control("setTicket", json!({"componentAppid": COMPONENT})).await["ticket"].as_str().unwrap().to_owned();
        emu.control("setDailyLimit", json!({"appid": COMPONENT, "name": "component.getComponentAccessToken", "limit": 1})).await;
        let token_call = json!({"component_appid": COMPONENT, "component_appsecret": COMPONENT_SECRET, "component_verify_ticket": ticket});
        let ask = || emu.raw_post("/cgi-bin/component/api_component_token", token_call.clone());
        assert!(ask().await["component_access_token"].is_string());
        assert_eq!(code(&ask().await), 45009, "the token call itself is spent: no token for clear_quota");
        let v2 = |body| emu.raw_post("/cgi-bin/component/clear_quota/v2", body);
        assert_eq!(code(&v2(json!({"component_appid": COMPONENT, "appsecret": "wrong-secret"})).await), 40125);
        assert_eq!(code(&v2(json!({"component_appid": COMPONENT})).await), 41004);
        assert_eq!(code(&v2(json!({"component_appid": "wxnoplatform", "appsecret": COMPONENT_SECRET})).await), 40013);
        assert_eq!(code(&v2(json!({"component_appid": COMPONENT, "appsecret": COMPONENT_SECRET, "appid": "wxnotauthorized"})).await), 40013);
        assert_eq!(code(&v2(json!({"component_appid": COMPONENT, "appsecret": COMPONENT_SECRET})).await), 0);
        assert!(ask().await["component_access_token"].is_string(), "the way out needed no token");
        let own = |body| emu.raw_post("/cgi-bin/clear_quota/v2", body);
        assert_eq!(code(&own(json!({"appsecret": SECRET})).await), 41002);
        assert_eq!(code(&own(json!({"appid": APP})).await), 41004);
        assert_eq!(code(&own(json!({"appid": "wxnobody", "appsecret": SECRET})).await), 40013);
        assert_eq!(code(&own(json!({"appid": APP, "appsecret": "wrong-secret"})).await), 40125);
        for _ in 0..10 {
            assert_eq!(code(&own(json!({"appid": APP, "appsecret": SECRET})).await), 0);
        }
        assert_eq!(code(&own(json!({"appid": APP, "appsecret": SECRET})).await), 48006, "10 a month, shared with clear_quota");
        let journal = emu.control("journal", json!({})).await.to_string();
        assert!(!journal.contains(SECRET) && !journal.contains(COMPONENT_SECRET), "no secret in the journal: {journal}");
    }
}
