//! The login rows as WeChat answers them: a code once (40029), the session key only to the account's AppSecret
//! or its platform's token, signatures of the current key only (87009).

use super::records::{new_session_key, LoginCodes, Payments, Session, Sessions, LIFETIME};
use crate::families::component::records::Platforms;
use crate::kit::context::Ctx;
use crate::kit::route::Route;
use crate::wire::{fields, Reply, WxError};
use serde_json::{Map, Value};
use wechat_protocol::crypto::open_data::session_signature;

pub const ROUTES: &[Route] = &[
    Route::new("auth.code2Session", code_to_session).bare(),
    Route::new("component.code2Session", component_code_to_session).bare(),
    // Their table rows describe session_key, which the wire carries as its signature.
    Route::new("auth.checkSessionKey", check_session_key).own_checks(),
    Route::new("auth.resetUserSessionKey", reset_session_key).own_checks(),
    Route::new("auth.getPaidUnionId", paid_unionid),
];

/// `appid` + `secret` of a configured account (40013 / 40125), then its code.
fn code_to_session(ctx: &mut Ctx<'_>) -> Reply {
    let appid = ctx.params.opt_str("appid").unwrap_or_default().to_owned();
    let known = ctx.state.credentials.get(&appid).ok_or_else(|| WxError::common(40013))?;
    if Some(known.expose()) != ctx.params.opt_str("secret") {
        return Err(WxError::common(40125));
    }
    exchange(ctx, &appid, None)
}

/// The platform's own appid and a merchant that authorized it (61003), then a code its mini program minted for it.
fn component_code_to_session(ctx: &mut Ctx<'_>) -> Reply {
    let component = ctx.appid();
    if ctx.params.opt_str("component_appid") != Some(component.as_str()) {
        return Err(WxError::common(40013));
    }
    let appid = ctx.params.str("appid").to_owned();
    let authorized = ctx.state.record::<Platforms>().0.get(&component).is_some_and(|p| p.has_authorized(&appid));
    if !authorized {
        return Err(ctx.fail(61003));
    }
    exchange(ctx, &appid, Some(component))
}

/// Redeems `js_code` of `appid` (used once, whatever the outcome) for the user's session, made on first login.
fn exchange(ctx: &mut Ctx<'_>, appid: &str, via: Option<String>) -> Reply {
    let (code, now, invalid) = (ctx.params.str("js_code").to_owned(), ctx.unix_now(), ctx.fail(40029));
    let app = ctx.state.app_mut(appid);
    let codes = &mut app.record::<LoginCodes>().0;
    let found = codes.iter().position(|c| c.code == code).map(|at| codes.remove(at)).ok_or(invalid.clone())?;
    if now - found.issued >= LIFETIME || found.component != via {
        return Err(invalid);
    }
    let session = app.record::<Sessions>().0.entry(found.openid.clone()).or_insert_with(|| Session { key: new_session_key(), unionid: None, logins: 0, resets: 0 });
    session.logins += 1;
    session.unionid = found.unionid.or(session.unionid.take());
    let mut answer = fields! { "openid" => found.openid, "session_key" => session.key.clone() };
    if let Some(unionid) = &session.unionid {
        answer.insert("unionid".into(), unionid.clone().into());
    }
    Ok(answer)
}

/// The session whose current key the query's signature proves (87008 another sig_method, 87009 anything else).
fn signed_session<'s>(ctx: &'s mut Ctx<'_>) -> Result<(String, &'s mut Session), WxError> {
    if ctx.params.opt_str("sig_method") != Some("hmac_sha256") {
        return Err(ctx.fail(87008));
    }
    let (openid, signature) = (ctx.params.opt_str("openid").unwrap_or_default().to_owned(), ctx.params.opt_str("signature").unwrap_or_default().to_owned());
    let invalid = ctx.fail(87009);
    let session = ctx.app_record::<Sessions>().0.get_mut(&openid).ok_or(invalid.clone())?;
    if session_signature(&session.key) != signature {
        return Err(invalid);
    }
    Ok((openid, session))
}

fn check_session_key(ctx: &mut Ctx<'_>) -> Reply {
    signed_session(ctx).map(|_| Map::new())
}

/// A new key for the user; the old one fails every check from now on.
fn reset_session_key(ctx: &mut Ctx<'_>) -> Reply {
    let (openid, session) = signed_session(ctx)?;
    session.key = new_session_key();
    session.resets += 1;
    Ok(fields! { "openid" => openid, "session_key" => session.key.clone() })
}

/// A payment by `openid` within 5 minutes, named by transaction_id or by mch_id with out_trade_no (89300
/// otherwise); the user's unionid, which they have once a login gave one (89002 otherwise).
fn paid_unionid(ctx: &mut Ctx<'_>) -> Reply {
    let openid = ctx.params.str("openid").to_owned();
    ctx.require_openid(&openid)?;
    let (now, invalid) = (ctx.unix_now(), ctx.fail(89300));
    let (transaction, mch, trade) = (ctx.params.opt_str("transaction_id"), ctx.params.opt_str("mch_id"), ctx.params.opt_str("out_trade_no"));
    let (transaction, mch, trade) = (transaction.map(str::to_owned), mch.map(str::to_owned), trade.map(str::to_owned));
    let paid = ctx.app_record::<Payments>().0.iter().any(|p| {
        let named = transaction.as_ref().map_or_else(|| mch.is_some() && p.mch_id == mch && trade.is_some() && p.out_trade_no == trade, |t| *t == p.transaction_id);
        p.openid == openid && named && now - p.paid_at < LIFETIME
    });
    if !paid {
        return Err(invalid);
    }
    let unionid = ctx.app_record::<Sessions>().0.get(&openid).and_then(|s| s.unionid.clone());
    let unionid = unionid.ok_or_else(|| ctx.fail(89002))?;
    Ok(fields! { "unionid" => Value::from(unionid) })
}
