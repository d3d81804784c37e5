//! Third-party platform rows: the component token (with the current verify ticket), pre-auth codes,
//! authorizations turned into tokens by `queryAuth`, authorizer tokens with refresh tokens that rotate on every
//! use, the list of authorizers, and `api_start_push_ticket`.

use super::pushes;
use super::records::{Authorization, ComponentState, Platforms, LIST_PAGE_MAX, PRE_AUTH_CODE_LIFETIME, TICKET_LIFETIME};
use crate::kit::context::Ctx;
use crate::kit::failure::fail;
use crate::kit::ids::random_token;
use crate::kit::route::Route;
use crate::stages::quota;
use crate::stages::token_store::{Grant, TokenStore};
use crate::wire::{fields, Reply, WxError};
use serde_json::{json, Value};
use wechat_protocol::secret::Secret;

pub const ROUTES: &[Route] = &[
    Route::new("component.getComponentAccessToken", get_component_access_token).bare(),
    Route::new("component.getPreAuthCode", get_pre_auth_code).bare(),
    Route::new("component.queryAuth", query_auth).bare(),
    Route::new("component.getAuthorizerAccessToken", get_authorizer_access_token).bare(),
    Route::new("component.getAuthorizerList", get_authorizer_list).bare(),
    Route::new("component.startPushTicket", start_push_ticket),
];

/// The component named by `component_appid`, which must be the caller's own (40013 otherwise).
fn own_component<'c>(ctx: &'c mut Ctx<'_>) -> Result<&'c mut ComponentState, WxError> {
    let named = ctx.params.str("component_appid");
    if named != ctx.appid() {
        return Err(ctx.fail(40013));
    }
    let missing = ctx.fail(40013);
    ctx.state.record::<Platforms>().0.get_mut(named).ok_or(missing)
}

/// `{component_appid, component_appsecret, component_verify_ticket}`: 61011 unknown platform, 40125 wrong secret,
/// 61006 no or another ticket, 61005 a ticket older than 12 hours.
fn get_component_access_token(ctx: &mut Ctx<'_>) -> Reply {
    let p = ctx.params;
    let appid = p.str("component_appid");
    let now = ctx.state.clock.now();
    let endpoint = ctx.endpoint;
    let fail = |code| fail(endpoint, code);
    let component = ctx.state.record::<Platforms>().0.get(appid).ok_or_else(|| fail(61011))?;
    if component.secret.expose() != p.str("component_appsecret") {
        return Err(fail(40125));
    }
    let ticket = component.ticket.clone();
    // Metered like any call: once the day's token calls are spent, 45009 (the quota deadlock, see quota_by_secret).
    quota::charge(ctx.state.app_mut(appid), endpoint)?;
    let (ticket, set_at) = ticket.as_ref().ok_or_else(|| fail(61006))?;
    if ticket.expose() != p.str("component_verify_ticket") {
        return Err(fail(61006));
    }
    if *set_at + TICKET_LIFETIME <= now {
        return Err(fail(61005));
    }
    let ttl = ctx.state.token_ttl;
    let issued = ctx.state.record::<TokenStore>().issue_replacing(Grant::Component { component_appid: appid.to_owned() }, now, ttl);
    Ok(fields! { "component_access_token" => issued.token, "expires_in" => issued.expires_in })
}

fn get_pre_auth_code(ctx: &mut Ctx<'_>) -> Reply {
    let now = ctx.state.clock.now();
    let component = own_component(ctx)?;
    component.pre_auth_codes.retain(|_, expires| *expires > now);
    let code = format!("preauthcode@@@{}", random_token(40));
    component.pre_auth_codes.insert(code.clone(), now + PRE_AUTH_CODE_LIFETIME);
    Ok(fields! { "pre_auth_code" => code, "expires_in" => PRE_AUTH_CODE_LIFETIME.as_secs() })
}

/// `{component_appid, authorization_code}`: the code (from `authorize`) becomes an authorizer token and a refresh
/// token; an earlier refresh token of the same authorizer stops working. 61010 for an unknown or used code.
fn query_auth(ctx: &mut Ctx<'_>) -> Reply {
    let (p, now, unix, ttl) = (ctx.params, ctx.state.clock.now(), ctx.unix_now(), ctx.state.token_ttl);
    let component_appid = ctx.appid();
    let component = own_component(ctx)?;
    let (authorizer, sets, expires) = component
        .codes
        .remove(p.str("authorization_code"))
        .ok_or_else(|| WxError::new(61010, "code is expired or invalid"))?;
    if expires <= now {
        return Err(WxError::new(61010, "code is expired or invalid"));
    }
    let refresh = format!("refreshtoken@@@{}", random_token(43));
    let authorization = Authorization { refresh_token: Secret::new(refresh.as_str()), permission_sets: sets.clone(), auth_time: unix };
    component.authorizations.insert(authorizer.clone(), authorization);
    ctx.state.app_mut(&authorizer);
    let grant = Grant::Authorizer { appid: authorizer.clone(), component_appid, permission_sets: sets.clone() };
    let issued = ctx.state.record::<TokenStore>().issue_replacing(grant, now, ttl);
    let func_info: Vec<Value> = sets.iter().map(|id| json!({"funcscope_category": {"id": id}})).collect();
    Ok(fields! { "authorization_info" => json!({
        "authorizer_appid": authorizer,
        "authorizer_access_token": issued.token,
        "expires_in": issued.expires_in,
        "authorizer_refresh_token": refresh,
        "func_info": func_info,
    })})
}

/// `{component_appid, authorizer_appid, authorizer_refresh_token}`: a new authorizer token and a new refresh
/// token; the one presented is spent (61023 when it is not the current one).
fn get_authorizer_access_token(ctx: &mut Ctx<'_>) -> Reply {
    let (p, now, ttl) = (ctx.params, ctx.state.clock.now(), ctx.state.token_ttl);
    let component_appid = ctx.appid();
    let invalid = ctx.fail(61023);
    let component = own_component(ctx)?;
    let authorizer = p.str("authorizer_appid");
    let authorization = component
        .authorizations
        .get_mut(authorizer)
        .filter(|a| a.refresh_token.expose() == p.str("authorizer_refresh_token"))
        .ok_or(invalid)?;
    let refresh = format!("refreshtoken@@@{}", random_token(43));
    authorization.refresh_token = Secret::new(refresh.as_str());
    let sets = authorization.permission_sets.clone();
    let grant = Grant::Authorizer { appid: authorizer.to_owned(), component_appid, permission_sets: sets };
    let issued = ctx.state.record::<TokenStore>().issue_replacing(grant, now, ttl);
    Ok(fields! {
        "authorizer_access_token" => issued.token,
        "expires_in" => issued.expires_in,
        "authorizer_refresh_token" => refresh,
    })
}

/// `{component_appid, offset, count}` → `{total_count, list: [{authorizer_appid, refresh_token, auth_time}]}`.
fn get_authorizer_list(ctx: &mut Ctx<'_>) -> Reply {
    let p = ctx.params;
    let (offset, count) = (p.int("offset").unwrap_or(0), p.int("count").unwrap_or(0));
    if offset < 0 || !(0..=LIST_PAGE_MAX).contains(&count) {
        return Err(WxError::data_format(format!("offset must be >= 0 and count between 0 and {LIST_PAGE_MAX}")));
    }
    let component = own_component(ctx)?;
    let list: Vec<Value> = component
        .authorizations
        .iter()
        .skip(offset as usize)
        .take(count as usize)
        .map(|(appid, a)| json!({"authorizer_appid": appid, "refresh_token": a.refresh_token.expose(), "auth_time": a.auth_time}))
        .collect();
    Ok(fields! { "total_count" => component.authorizations.len(), "list" => list })
}

/// `{component_appid, component_secret}`: WeChat resumes pushing tickets; the emulator mints a fresh one at
/// once (readable through `setTicket` until encrypted pushes exist). 40013 unknown platform, 40125 wrong secret.
fn start_push_ticket(ctx: &mut Ctx<'_>) -> Reply {
    let p = ctx.params;
    let unknown = ctx.fail(40013);
    let component = ctx.state.record::<Platforms>().0.get_mut(p.str("component_appid")).ok_or(unknown)?;
    if component.secret.expose() != p.str("component_secret") {
        return Err(WxError::common(40125));
    }
    component.push_requests += 1;
    // A fresh ticket, pushed to the platform's URL when one is known.
    pushes::start_push_ticket(ctx.state, p.str("component_appid")).map_err(|e| WxError::new(-1, e))?;
    Ok(fields! {})
}

#[cfg(test)]
mod tests {
    use crate::test_support::{code, TestEmulator, APP, SECRET};
    use serde_json::{json, Value};

    const COMPONENT: &str = "wxcomponent0000001";
    const COMPONENT_SECRET: &str = "componentsecret00000000000000001";
    const MERCHANT: &str = "wxmerchant00000001";

    async fn with_component() -> TestEmulator {
        TestEmulator::start(json!({
            "apps": [{"appid": APP, "secret": SECRET}],
            "components": [{"appid": COMPONENT, "secret": COMPONENT_SECRET, "token": "tok", "encodingAesKey": "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG"}]
        }))
        .await
    }

    async fn component_token(emu: &TestEmulator) -> String {
        let ticket = emu.control("setTicket", json!({"componentAppid": COMPONENT})).await["ticket"].as_str().unwrap().to_owned();
        let body = json!({"component_appid": COMPONENT, "component_appsecret": COMPONENT_SECRET, "component_verify_ticket": ticket});
        let v = emu.raw_post("/cgi-bin/component/api_component_token", body).await;
        v["component_access_token"].as_str().unwrap_or_else(|| panic!("{v}")).to_owned()
    }

    /// Authorizes MERCHANT for `sets` and returns (authorizer token, refresh token).
    async fn authorized(emu: &TestEmulator, ctoken: &str, sets: Value) -> (String, String) {
        let code = emu.control("authorize", json!({"componentAppid": COMPONENT, "authorizerAppid": MERCHANT, "permissionSets": sets})).await;
        let body = json!({"component_appid": COMPONENT, "authorization_code": code["authorizationCode"]});
        let info = emu.call("component.queryAuth", ctoken, body).await["authorization_info"].clone();
        assert_eq!(info["authorizer_appid"], MERCHANT);
        (info["authorizer_access_token"].as_str().unwrap().into(), info["authorizer_refresh_token"].as_str().unwrap().into())
    }

    #[tokio::test]
    async fn component_token_needs_the_current_ticket() {
        let emu = with_component().await;
        let ask = |ticket: &str, secret: &str| {
            emu.raw_post("/cgi-bin/component/api_component_token",
                json!({"component_appid": COMPONENT, "component_appsecret": secret, "component_verify_ticket": ticket}))
        };
        assert_eq!(code(&ask("t", COMPONENT_SECRET).await), 61006);
        emu.control("setTicket", json!({"componentAppid": COMPONENT, "ticket": "ticket-1"})).await;
        assert_eq!(code(&ask("t", COMPONENT_SECRET).await), 61006);
        assert_eq!(code(&ask("ticket-1", "wrong").await), 40125);
        let ok = ask("ticket-1", COMPONENT_SECRET).await;
        assert!(ok["component_access_token"].as_str().unwrap().len() >= 100);
        assert_eq!(ok["expires_in"], 7200);
        emu.control("advanceTime", json!({"seconds": 12 * 3600})).await;
        assert_eq!(code(&ask("ticket-1", COMPONENT_SECRET).await), 61005);
        let unknown = emu.raw_post("/cgi-bin/component/api_component_token",
            json!({"component_appid": "wxnope", "component_appsecret": "x", "component_verify_ticket": "y"})).await;
        assert_eq!(code(&unknown), 61011);
        let push = json!({"component_appid": COMPONENT, "component_secret": COMPONENT_SECRET});
        assert_eq!(code(&emu.raw_post("/cgi-bin/component/api_start_push_ticket", push).await), 0);
        let state = emu.control("state", json!({})).await;
        assert_eq!(state["components"][COMPONENT]["ticketValid"], true);
        assert_eq!(state["components"][COMPONENT]["pushRequests"], 1);
    }

    #[tokio::test]
    async fn authorizer_tokens_act_for_the_merchant_within_their_permission_sets() {
        let emu = with_component().await;
        let ctoken = component_token(&emu).await;
        let pre = emu.call("component.getPreAuthCode", &ctoken, json!({"component_appid": COMPONENT})).await;
        assert!(pre["pre_auth_code"].as_str().unwrap().starts_with("preauthcode@@@"));
        assert_eq!(code(&emu.call("component.getPreAuthCode", &ctoken, json!({"component_appid": "wxother"})).await), 40013);
        let app_token = emu.stable_token(APP, false).await;
        assert_eq!(code(&emu.call("component.getPreAuthCode", &app_token, json!({"component_appid": COMPONENT})).await), 40001);
        let (atoken, _) = authorized(&emu, &ctoken, json!([45])).await;
        assert_eq!(code(&emu.call("logistics.applyMsgPlugin", &atoken, json!({})).await), 0);
        assert_eq!(code(&emu.call("logistics.applyMsgPlugin", &atoken, json!({})).await), 933003);
        assert_eq!(emu.call("logistics.getAllAccount", &atoken, json!({})).await["count"], 0, "the merchant's own data");
        assert_eq!(code(&emu.call("openPlatform.getOpenAccount", &atoken, json!({})).await), 61007, "set 24/25/60 not granted");
        assert_eq!(code(&emu.call("auth.getApiQuota", &atoken, json!({"cgi_path": "/cgi-bin/token"})).await), 0, "no set needed");
        assert_eq!(code(&emu.call("logistics.getAllAccount", &ctoken, json!({})).await), 40001, "a component token is no account token");
    }

    #[tokio::test]
    async fn refresh_tokens_rotate_and_the_old_one_answers_61023() {
        let emu = with_component().await;
        let ctoken = component_token(&emu).await;
        let (_, refresh) = authorized(&emu, &ctoken, json!([45, 71])).await;
        let refresh_with = |token: &str| {
            emu.call("component.getAuthorizerAccessToken", &ctoken,
                json!({"component_appid": COMPONENT, "authorizer_appid": MERCHANT, "authorizer_refresh_token": token}))
        };
        let first = refresh_with(&refresh).await;
        let rotated = first["authorizer_refresh_token"].as_str().unwrap().to_owned();
        assert_ne!(rotated, refresh);
        assert_eq!(code(&emu.call("logistics.getAllAccount", first["authorizer_access_token"].as_str().unwrap(), json!({})).await), 0);
        assert_eq!(code(&refresh_with(&refresh).await), 61023);
        let list = emu.call("component.getAuthorizerList", &ctoken, json!({"component_appid": COMPONENT, "offset": 0, "count": 10})).await;
        assert_eq!(list["total_count"], 1);
        assert_eq!(list["list"][0]["refresh_token"], rotated.as_str());
        let second = refresh_with(&rotated).await;
        assert!(second["authorizer_refresh_token"].is_string(), "{second}");
        let (_, reauthorized) = authorized(&emu, &ctoken, json!([45])).await;
        assert_ne!(reauthorized, rotated);
        let list = emu.call("component.getAuthorizerList", &ctoken, json!({"component_appid": COMPONENT, "offset": 0, "count": 10})).await;
        assert_eq!(list["list"][0]["refresh_token"], reauthorized.as_str());
        let reused = emu.call("component.queryAuth", &ctoken, json!({"component_appid": COMPONENT, "authorization_code": "queryauthcode@@@x"})).await;
        assert_eq!(code(&reused), 61010);
        emu.control("unauthorize", json!({"componentAppid": COMPONENT, "authorizerAppid": MERCHANT})).await;
        assert_eq!(code(&refresh_with(&reauthorized).await), 61023);
    }
}
