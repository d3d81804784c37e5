//! The login family's controls: a login code as wx.login mints it, a payment, and a user's open data sealed with
//! their current session key (what `wx.getUserProfile` or the phone button would hand the mini program).

use super::records::{LoginCode, LoginCodes, Payment, Payments, Sessions};
use crate::families::component::records::Platforms;
use crate::kit::action::{account, parse, Action};
use crate::kit::ids::random_token;
use crate::kit::state::State;
use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use rand::RngCore;
use serde::Deserialize;
use serde_json::{json, Value};
use wechat_protocol::crypto::open_data::encrypt_data;

pub const ACTIONS: &[Action] = &[
    Action::new(
        "loginCode",
        "{appid?, user?: {openid?, unionid?}, componentAppid?}",
        "A code as wx.login hands it to the mini program: exchanged once, within 5 minutes, by code2Session (40029 otherwise). openid defaults to the account's first user (a new one becomes a user); unionid is answered with it from then on. A mini program with no AppSecret here that authorized a platform (or componentAppid) mints a code only component.code2Session takes. Returns {appid, code, openid, unionid, componentAppid}.",
        login_code,
    )
    .js("appid: string | undefined, user?: { openid?: string; unionid?: string }", "string")
    .pick("code"),
    Action::new(
        "userPaid",
        "{appid?, openid, transactionId?, mchId?, outTradeNo?}",
        "Records a WeChat Pay payment by a user: auth.getPaidUnionId answers their unionid for it for 5 minutes. Returns {transactionId}.",
        user_paid,
    )
    .js("args: { appid?: string; openid: string; transactionId?: string; mchId?: string; outTradeNo?: string }", "{ transactionId: string }"),
    Action::new(
        "sealUserData",
        "{appid?, openid, data}",
        "Encrypts `data` (an object; a watermark {appid, timestamp} is added) with the user's current session key, as wx.getUserProfile / the phone button hand it to the mini program. Returns {encryptedData, iv}.",
        seal_user_data,
    )
    .js("args: { appid?: string; openid: string; data: Record<string, unknown> }", "{ encryptedData: string; iv: string }"),
];

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct User {
    openid: Option<String>,
    unionid: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct CodeArgs {
    appid: Option<String>,
    #[serde(default)]
    user: User,
    component_appid: Option<String>,
}

fn login_code(state: &mut State, args: Value) -> Result<Value, String> {
    let args: CodeArgs = parse(args)?;
    let appid = account(state, args.appid)?;
    let own_secret = state.credentials.contains_key(&appid);
    let platforms = &state.record::<Platforms>().0;
    let component = match args.component_appid {
        Some(c) if platforms.get(&c).is_some_and(|p| p.has_authorized(&appid)) => Some(c),
        Some(c) => return Err(format!("{appid} has not authorized the platform {c}")),
        // A merchant's mini program developed by a platform: its AppSecret is not the platform's to use.
        None if !own_secret => platforms.iter().find(|(_, p)| p.has_authorized(&appid)).map(|(c, _)| c.clone()),
        None => None,
    };
    let issued = state.clock.unix();
    let app = state.app_mut(&appid);
    let openid = match args.user.openid {
        Some(o) if o.is_empty() => return Err("user.openid cannot be empty".into()),
        Some(o) => o,
        None => app.openids[0].clone(),
    };
    if !app.openids.contains(&openid) {
        app.openids.push(openid.clone());
    }
    let unionid = args.user.unionid.or_else(|| app.record::<Sessions>().0.get(&openid).and_then(|s| s.unionid.clone()));
    let code = random_token(32);
    let minted = LoginCode { code: code.clone(), openid: openid.clone(), unionid: unionid.clone(), issued, component: component.clone() };
    app.record::<LoginCodes>().0.push(minted);
    Ok(json!({"appid": appid, "code": code, "openid": openid, "unionid": unionid, "componentAppid": component}))
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct PaidArgs {
    appid: Option<String>,
    openid: String,
    transaction_id: Option<String>,
    mch_id: Option<String>,
    out_trade_no: Option<String>,
}

fn user_paid(state: &mut State, args: Value) -> Result<Value, String> {
    let args: PaidArgs = parse(args)?;
    let appid = account(state, args.appid)?;
    let paid_at = state.clock.unix();
    let app = state.app_mut(&appid);
    if !app.openids.contains(&args.openid) {
        return Err(format!("{} is not a user of {appid}", args.openid));
    }
    let transaction_id = args.transaction_id.unwrap_or_else(|| format!("42{:026}", paid_at));
    let payment = Payment { openid: args.openid, transaction_id: transaction_id.clone(), mch_id: args.mch_id, out_trade_no: args.out_trade_no, paid_at };
    app.record::<Payments>().0.push(payment);
    Ok(json!({"transactionId": transaction_id}))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SealArgs {
    appid: Option<String>,
    openid: String,
    data: serde_json::Map<String, Value>,
}

fn seal_user_data(state: &mut State, args: Value) -> Result<Value, String> {
    let args: SealArgs = parse(args)?;
    let appid = account(state, args.appid)?;
    let now = state.clock.unix();
    let sessions = &state.app_mut(&appid).record::<Sessions>().0;
    let key = sessions.get(&args.openid).map(|s| s.key.clone()).ok_or_else(|| format!("{} has not logged in to {appid} (code2Session)", args.openid))?;
    let mut data = args.data;
    data.insert("watermark".into(), json!({"appid": appid, "timestamp": now}));
    let mut iv = [0u8; 16];
    rand::thread_rng().fill_bytes(&mut iv);
    let iv = STANDARD.encode(iv);
    let sealed = encrypt_data(&key, &Value::Object(data).to_string(), &iv).map_err(|e| e.to_string())?;
    Ok(json!({"encryptedData": sealed, "iv": iv}))
}
