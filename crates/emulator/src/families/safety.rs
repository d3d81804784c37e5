//! Safety (`riskControl.getUserRiskRank`, `soter.verifySignature`). A user's risk rank is what a test set
//! (`setUserRiskRank`, 0 otherwise), answered only for a user who visited in the last two hours (61010
//! otherwise; `userVisited` records a visit, as opening the mini program would). SOTER: the emulator plays each
//! user's device key — `soterSign` signs a resultJSON as the device's TEE would, and verifySignature checks the
//! signature against that key (a keyed SHA-256 stands in for the device's RSA key: the emulator is both ends).

use crate::kit::action::{account, parse, Action};
use crate::kit::context::Ctx;
use crate::kit::family::Family;
use crate::kit::route::Route;
use crate::kit::state::{AppData, State};
use crate::wire::{fields, Reply, WxError};
use serde::Deserialize;
use serde_json::{json, Map, Value};
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;

pub const FAMILY: Family = Family::new("safety").routes(ROUTES).actions(ACTIONS).describe_app(describe_app);

const ROUTES: &[Route] = &[Route::new("riskControl.getUserRiskRank", risk_rank), Route::new("soter.verifySignature", verify_signature)];

const ACTIONS: &[Action] = &[
    Action::new("setUserRiskRank", "{appid?, openid, riskRank}", "The risk rank (0-4) riskControl.getUserRiskRank answers for the user. Returns {appid, openid, riskRank}.", set_rank)
        .js("openid: string, riskRank: 0 | 1 | 2 | 3 | 4, appid?: string", "{ appid: string; openid: string; riskRank: number }"),
    Action::new("userVisited", "{appid?, openid}", "The user opens the mini program now (getUserRiskRank answers for users who visited in the last two hours). Returns {appid, openid, at}.", visited)
        .js("openid: string, appid?: string", "{ appid: string; openid: string; at: number }"),
    Action::new("soterSign", "{appid?, openid, jsonString}", "Signs a SOTER resultJSON with the user's device key, as wx.startSoterAuthentication would: returns {appid, openid, jsonSignature}.", soter_sign)
        .js("openid: string, jsonString: string, appid?: string", "string")
        .pick("jsonSignature"),
];

/// WeChat answers a rank only for a user seen this recently.
const VISIT_WINDOW: i64 = 2 * 3600;

#[derive(Default)]
struct Safety {
    ranks: BTreeMap<String, i64>,
    visits: BTreeMap<String, i64>,
    checked: u64,
}

fn risk_rank(ctx: &mut Ctx<'_>) -> Reply {
    ctx.require_own_appid("appid")?;
    let openid = ctx.params.str("openid");
    ctx.require_openid(openid)?;
    if !matches!(ctx.params.int("scene"), Some(0..=2)) {
        return Err(ctx.fail(40129));
    }
    let (now, stale) = (ctx.unix_now(), ctx.fail(61010));
    let record = ctx.app_record::<Safety>();
    if record.visits.get(openid).is_none_or(|at| now - at > VISIT_WINDOW) {
        return Err(stale);
    }
    record.checked += 1;
    let rank = record.ranks.get(openid).copied().unwrap_or(0);
    Ok(fields! { "risk_rank" => rank, "unoin_id" => now * 1000 + record.checked as i64 % 1000 })
}

/// The device key of `openid` on `appid`: derived, so a test never handles it.
fn signature(appid: &str, openid: &str, json_string: &str) -> String {
    hex::encode(Sha256::new().chain_update(format!("soter/{appid}/{openid}\n")).chain_update(json_string).finalize())
}

fn verify_signature(ctx: &mut Ctx<'_>) -> Reply {
    let openid = ctx.params.str("openid");
    ctx.require_openid(openid)?;
    let json_string = ctx.params.str("json_string");
    if serde_json::from_str::<Map<String, Value>>(json_string).is_err() {
        return Err(WxError::data_format("json_string is the resultJSON object wx.startSoterAuthentication returned"));
    }
    let ok = signature(&ctx.appid(), openid, json_string) == ctx.params.str("json_signature");
    Ok(fields! { "is_ok" => ok })
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct UserArgs {
    appid: Option<String>,
    openid: String,
    risk_rank: Option<i64>,
    json_string: Option<String>,
}

/// The account and a user of it.
fn user(state: &mut State, args: &UserArgs) -> Result<String, String> {
    let appid = account(state, args.appid.clone())?;
    if !state.app_mut(&appid).openids.contains(&args.openid) {
        return Err(format!("{} is not a user of {appid}", args.openid));
    }
    Ok(appid)
}

fn set_rank(state: &mut State, args: Value) -> Result<Value, String> {
    let args: UserArgs = parse(args)?;
    let appid = user(state, &args)?;
    let rank = args.risk_rank.filter(|r| (0..=4).contains(r)).ok_or("riskRank is 0, 1, 2, 3 or 4")?;
    state.app_mut(&appid).record::<Safety>().ranks.insert(args.openid.clone(), rank);
    Ok(json!({"appid": appid, "openid": args.openid, "riskRank": rank}))
}

fn visited(state: &mut State, args: Value) -> Result<Value, String> {
    let args: UserArgs = parse(args)?;
    let appid = user(state, &args)?;
    let at = state.clock.unix();
    state.app_mut(&appid).record::<Safety>().visits.insert(args.openid.clone(), at);
    Ok(json!({"appid": appid, "openid": args.openid, "at": at}))
}

fn soter_sign(state: &mut State, args: Value) -> Result<Value, String> {
    let args: UserArgs = parse(args)?;
    let appid = user(state, &args)?;
    let json_string = args.json_string.as_deref().ok_or("jsonString: the resultJSON to sign")?;
    Ok(json!({"appid": appid, "openid": args.openid, "jsonSignature": signature(&appid, &args.openid, json_string)}))
}

fn describe_app(_: &State, _: &str, app: &AppData, out: &mut Map<String, Value>) {
    if let Some(record) = app.records.peek::<Safety>() {
        out.insert("riskRanks".into(), json!(record.ranks));
        out.insert("recentVisits".into(), json!(record.visits));
    }
}

#[cfg(test)]
mod tests {
    use crate::test_support::{code, TestEmulator, APP};
    use serde_json::json;

    #[tokio::test]
    async fn a_rank_is_answered_for_a_recent_visitor() {
        let emu = TestEmulator::start(json!({})).await;
        let user = emu.openids(APP).await[0].clone();
        let ask = |scene: i64| json!({"appid": APP, "openid": user, "scene": scene, "client_ip": "1.2.3.4"});
        assert_eq!(code(&emu.app_call("riskControl.getUserRiskRank", ask(0)).await), 61010);
        emu.control("userVisited", json!({"openid": user})).await;
        emu.control("setUserRiskRank", json!({"openid": user, "riskRank": 3})).await;
        let answer = emu.app_call("riskControl.getUserRiskRank", ask(1)).await;
        assert_eq!((code(&answer), answer["risk_rank"].as_i64()), (0, Some(3)));
        assert!(answer["unoin_id"].is_i64());
        assert_eq!(code(&emu.app_call("riskControl.getUserRiskRank", ask(7)).await), 40129);
        let stranger = json!({"appid": APP, "openid": "o-stranger", "scene": 0, "client_ip": "1.2.3.4"});
        assert_eq!(code(&emu.app_call("riskControl.getUserRiskRank", stranger).await), 40003);
        emu.control("advanceTime", json!({"seconds": 2 * 3600 + 1})).await;
        assert_eq!(code(&emu.app_call("riskControl.getUserRiskRank", ask(0)).await), 61010);
    }

    #[tokio::test]
    async fn a_soter_signature_verifies_only_for_its_json_and_user() {
        let emu = TestEmulator::start(json!({})).await;
        let users = emu.openids(APP).await;
        let json_string = r#"{"raw":"msg","fid":"2","counter":123,"tee_n":"TEE Name","tee_v":"TEE Version","fp_n":"FP","fp_v":"1","cpu_id":"c","uid":"21"}"#;
        let sig = emu.control("soterSign", json!({"openid": users[0], "jsonString": json_string})).await["jsonSignature"].as_str().unwrap().to_owned();
        let check = |openid: &str, js: &str| json!({"openid": openid, "json_string": js, "json_signature": sig});
        assert_eq!(emu.app_call("soter.verifySignature", check(&users[0], json_string)).await["is_ok"], true);
        assert_eq!(emu.app_call("soter.verifySignature", check(&users[1], json_string)).await["is_ok"], false);
        assert_eq!(emu.app_call("soter.verifySignature", check(&users[0], &json_string.replace("123", "124"))).await["is_ok"], false);
        assert_eq!(code(&emu.app_call("soter.verifySignature", check(&users[0], "not json")).await), 47001);
    }
}
