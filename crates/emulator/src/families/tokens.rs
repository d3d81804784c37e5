//! The tokens family. The two ways an account fetches its own token: `/cgi-bin/token` (each fetch replaces the
//! last, which keeps working for 5 minutes) and `/cgi-bin/stable_token` (the same token while valid;
//! `force_refresh` renews it); and the control actions that expire, revoke or age tokens.

use super::component::records::Platforms;
use crate::kit::action::{account, parse, Action};
use crate::kit::context::Ctx;
use crate::kit::family::Family;
use crate::kit::route::Route;
use crate::kit::state::State;
use crate::stages::quota;
use crate::stages::token_store::{Grant, Issued, TokenStore};
use crate::wire::{fields, Reply, WxError};
use serde::Deserialize;
use serde_json::{json, Map, Value};
use std::time::Duration;

pub const FAMILY: Family = Family::new("tokens").routes(ROUTES).actions(ACTIONS).describe(describe);

const ROUTES: &[Route] = &[
    Route::new("auth.getAccessToken", get_access_token).bare().own_checks(),
    Route::new("auth.getStableAccessToken", get_stable_access_token).bare(),
];

const ACTIONS: &[Action] = &[
    Action::new("expireToken", "{appid?} or {componentAppid}", "Every live token of the account (classic, stable, authorizer) or platform now answers 42001. Returns {expired}.", expire_token)
        .js("appid?: string", "{ expired: number }"),
    Action::new("revokeToken", "{appid?} or {componentAppid}", "Every token of the account or platform now answers 40001; the next fetch issues a fresh one. Returns {revoked}.", revoke_token)
        .js("appid?: string", "{ revoked: number }"),
    Action::new("advanceTime", "{seconds}", "Moves the emulator's clock forward (token expiry, the 5-minute overlap, ticket and code lifetimes, shipping reminders and settlements). Returns {skewSeconds}.", advance_time)
        .js("seconds: number", "{ skewSeconds: number }"),
];

/// `GET /cgi-bin/token?grant_type=client_credential&appid=…&secret=…`
fn get_access_token(ctx: &mut Ctx<'_>) -> Reply {
    let p = ctx.params;
    let appid = checked_credentials(ctx, p.opt_str("grant_type"), p.opt_str("appid"), p.opt_str("secret"))?;
    let now = ctx.state.clock.now();
    let ttl = ctx.state.token_ttl;
    let issued = ctx.state.record::<TokenStore>().issue_replacing(Grant::Classic { appid }, now, ttl);
    Ok(token_answer(issued))
}

/// `POST /cgi-bin/stable_token {grant_type, appid, secret, force_refresh}`
fn get_stable_access_token(ctx: &mut Ctx<'_>) -> Reply {
    let p = ctx.params;
    let appid = checked_credentials(ctx, p.opt_str("grant_type"), p.opt_str("appid"), p.opt_str("secret"))?;
    let force = p.bool("force_refresh").unwrap_or(false);
    let now = ctx.state.clock.now();
    let ttl = ctx.state.token_ttl;
    let issued = ctx.state.record::<TokenStore>().fetch_stable(&appid, force, now, ttl);
    Ok(token_answer(issued))
}

/// The account's appid once grant type, appid and secret are right (40002, 41002, 41004, 40013, 40125),
/// with the call charged to its daily quota.
fn checked_credentials(ctx: &mut Ctx<'_>, grant_type: Option<&str>, appid: Option<&str>, secret: Option<&str>) -> Result<String, WxError> {
    if grant_type != Some("client_credential") {
        return Err(WxError::common(40002));
    }
    let appid = appid.filter(|a| !a.is_empty()).ok_or_else(|| WxError::common(41002))?;
    let secret = secret.filter(|s| !s.is_empty()).ok_or_else(|| WxError::common(41004))?;
    let known = ctx.state.credentials.get(appid).ok_or_else(|| WxError::common(40013))?;
    if known.expose() != secret {
        return Err(WxError::common(40125));
    }
    quota::charge(ctx.state.app_mut(appid), ctx.endpoint)?;
    Ok(appid.to_owned())
}

fn token_answer(issued: Issued) -> Map<String, Value> {
    fields! { "access_token" => issued.token, "expires_in" => issued.expires_in }
}

/// The appid whose tokens a credential action touches: an account or a platform.
fn credential_holder(state: &mut State, args: Value) -> Result<String, String> {
    #[derive(Deserialize)]
    #[serde(rename_all = "camelCase", deny_unknown_fields)]
    struct Args {
        appid: Option<String>,
        component_appid: Option<String>,
    }
    let args: Args = parse(args)?;
    match args.component_appid {
        Some(c) if state.record::<Platforms>().0.contains_key(&c) => Ok(c),
        Some(c) => Err(format!("unknown componentAppid {c}")),
        None => account(state, args.appid),
    }
}

fn expire_token(state: &mut State, args: Value) -> Result<Value, String> {
    let holder = credential_holder(state, args)?;
    let now = state.clock.now();
    Ok(json!({"expired": state.record::<TokenStore>().expire_for(&holder, now)}))
}

fn revoke_token(state: &mut State, args: Value) -> Result<Value, String> {
    let holder = credential_holder(state, args)?;
    let now = state.clock.now();
    Ok(json!({"revoked": state.record::<TokenStore>().revoke_for(&holder, now)}))
}

fn advance_time(state: &mut State, args: Value) -> Result<Value, String> {
    #[derive(Deserialize)]
    #[serde(deny_unknown_fields)]
    struct Args {
        seconds: f64,
    }
    let seconds = parse::<Args>(args)?.seconds;
    if !(0.0..=1e9).contains(&seconds) {
        return Err("seconds must be between 0 and 1e9".into());
    }
    state.advance(Duration::from_secs_f64(seconds));
    Ok(json!({"skewSeconds": state.clock.skew().as_secs_f64()}))
}

/// The clock and the tokens (kinds and lifetimes, never values).
fn describe(state: &State, out: &mut Map<String, Value>) {
    let now = state.clock.now();
    out.insert("unixTime".into(), state.clock.unix().into());
    out.insert("skewSeconds".into(), state.clock.skew().as_secs_f64().into());
    out.insert("tokenTtl".into(), state.token_ttl.as_secs().into());
    let tokens = state.records.peek::<TokenStore>().map_or_else(|| json!([]), |t| t.describe(now));
    out.insert("tokens".into(), tokens);
}

#[cfg(test)]
mod tests {
    use crate::test_support::{TestEmulator, APP, SECRET};
    use serde_json::json;

    #[tokio::test]
    async fn classic_tokens_overlap_for_five_minutes_then_answer_40001() {
        let emu = TestEmulator::start(json!({})).await;
        let first = emu.classic_token(APP).await;
        assert!(first.len() >= 100);
        assert_eq!(emu.get_with("logistics.getAllAccount", &first).await["errcode"], 0);
        let second = emu.classic_token(APP).await;
        assert_ne!(first, second);
        assert_eq!(emu.get_with("logistics.getAllAccount", &first).await["errcode"], 0, "inside the overlap");
        emu.control("advanceTime", json!({"seconds": 301})).await;
        let old = emu.get_with("logistics.getAllAccount", &first).await;
        assert_eq!(old["errcode"], 40001);
        assert!(old["errmsg"].as_str().unwrap().starts_with("invalid credential, access_token is invalid or not latest rid: "));
        assert_eq!(emu.get_with("logistics.getAllAccount", &second).await["errcode"], 0);
    }

    #[tokio::test]
    async fn token_errors_follow_wechat() {
        let emu = TestEmulator::start(json!({})).await;
        let get = |q: &str| format!("/cgi-bin/token?{q}");
        let code = |v: serde_json::Value| v["errcode"].as_i64().unwrap();
        assert_eq!(code(emu.raw_get(&get(&format!("grant_type=client_credential&appid=wxnope&secret={SECRET}"))).await), 40013);
        assert_eq!(code(emu.raw_get(&get(&format!("grant_type=client_credential&appid={APP}&secret=wrong"))).await), 40125);
        assert_eq!(code(emu.raw_get(&get(&format!("grant_type=password&appid={APP}&secret={SECRET}"))).await), 40002);
        let ok = emu.raw_get(&get(&format!("grant_type=client_credential&appid={APP}&secret={SECRET}"))).await;
        assert_eq!(ok["expires_in"], 7200);
        assert!(ok.get("errcode").is_none(), "WeChat's token answer has no errcode");
        let stable = |body: serde_json::Value| emu.raw_post("/cgi-bin/stable_token", body);
        assert_eq!(code(stable(json!({"grant_type": "client_credential", "appid": APP, "secret": "x"})).await), 40125);
        assert_eq!(code(stable(json!({"grant_type": "x", "appid": APP, "secret": SECRET})).await), 40002);
        assert_eq!(code(stable(json!({"grant_type": "client_credential", "appid": "wxnope", "secret": SECRET})).await), 40013);
        assert_eq!(code(stable(json!({"grant_type": "client_credential", "appid": APP})).await), 47001);
        assert_eq!(code(emu.raw_get("/cgi-bin/express/business/account/getall").await), 41001);
        assert_eq!(code(emu.raw_get("/cgi-bin/express/business/account/getall?access_token=bogus").await), 40001);
    }

    #[tokio::test]
    async fn stable_tokens_repeat_force_refresh_renews_and_they_expire() {
        let emu = TestEmulator::start(json!({"tokenTtl": 2})).await;
        let a = emu.stable_token(APP, false).await;
        assert_eq!(a, emu.stable_token(APP, false).await);
        let classic = emu.classic_token(APP).await;
        assert_ne!(a, classic, "the two kinds are separate");
        let forced = emu.stable_token(APP, true).await;
        assert_ne!(a, forced);
        assert_eq!(emu.get_with("logistics.getAllAccount", &a).await["errcode"], 40001);
        assert_eq!(emu.get_with("logistics.getAllAccount", &forced).await["errcode"], 0);
        tokio::time::sleep(std::time::Duration::from_millis(2100)).await;
        let expired = emu.get_with("logistics.getAllAccount", &forced).await;
        assert_eq!(expired["errcode"], 42001);
        assert!(expired["errmsg"].as_str().unwrap().starts_with("access_token expired rid: "));
        assert_eq!(emu.get_with("logistics.getAllAccount", &classic).await["errcode"], 42001);
        let fresh = emu.stable_token(APP, false).await;
        assert_ne!(fresh, forced);
        assert_eq!(emu.get_with("logistics.getAllAccount", &fresh).await["errcode"], 0);
    }

    #[tokio::test]
    async fn expire_and_revoke_through_control() {
        let emu = TestEmulator::start(json!({})).await;
        let t = emu.stable_token(APP, false).await;
        assert_eq!(emu.control("expireToken", json!({"appid": APP})).await["expired"], 1);
        assert_eq!(emu.get_with("logistics.getAllAccount", &t).await["errcode"], 42001);
        let t2 = emu.stable_token(APP, false).await;
        assert_ne!(t, t2);
        assert_eq!(emu.control("revokeToken", json!({"appid": APP})).await["revoked"], 1);
        assert_eq!(emu.get_with("logistics.getAllAccount", &t2).await["errcode"], 40001);
        let t3 = emu.stable_token(APP, false).await;
        assert_ne!(t3, t2);
        assert_eq!(emu.get_with("logistics.getAllAccount", &t3).await["errcode"], 0);
        let counts = emu.control("requestCounts", json!({})).await;
        assert_eq!(counts["auth.getStableAccessToken"], 3);
        assert_eq!(counts["logistics.getAllAccount"], 3);
    }
}
