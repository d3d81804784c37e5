//! `openapi/rid/get`: what the emulator recorded for a failed request, read from the journal in WeChat's
//! shape. Only the account that made the request may read it (a platform for its merchant with the authorizer
//! token), and only for 7 days of the emulator's clock. The journal has already masked every credential the
//! request carried (a token in the query, an AppSecret in a `clear_quota/v2` body).

use crate::kit::context::Ctx;
use crate::kit::family::Family;
use crate::kit::route::Route;
use crate::stages::journal::{Entry, Journal};
use crate::wire::{fields, Reply};
use serde_json::{json, Value};

pub const FAMILY: Family = Family::new("rid").routes(&[Route::new("auth.getRidInfo", get_rid_info)]);

/// How long WeChat keeps a rid.
const RID_DAYS: i64 = 7;

/// A rid as WeChat writes it: three groups of hex digits joined by `-`.
fn well_formed(rid: &str) -> bool {
    let groups: Vec<&str> = rid.split('-').collect();
    groups.len() == 3 && groups.iter().all(|g| (1..=16).contains(&g.len()) && g.bytes().all(|b| b.is_ascii_hexdigit()))
}

/// The account a request was made as: its token's, or for a token-less request (`clear_quota/v2`) the
/// account its body names.
fn owner(entry: &Entry) -> Option<String> {
    entry.appid.clone().or_else(|| {
        let body: Value = serde_json::from_str(&entry.request_body).ok()?;
        body.get("appid").and_then(Value::as_str).map(str::to_owned)
    })
}

/// `{rid}` → `{request: {invoke_time, cost_in_ms, request_url, request_body, response_body, client_ip}}`;
/// 76002 for a malformed rid, 76001 for an unknown or expired one, 76003 for another account's.
fn get_rid_info(ctx: &mut Ctx<'_>) -> Reply {
    let rid = ctx.params.str("rid").trim();
    if !well_formed(rid) {
        return Err(ctx.fail(76002));
    }
    let (caller, now) = (ctx.appid(), ctx.unix_now());
    let (not_found, not_yours) = (ctx.fail(76001), ctx.fail(76003));
    let entry = ctx.state.record::<Journal>().by_rid(rid).filter(|e| e.clock + RID_DAYS * 86_400 > now).ok_or(not_found)?;
    if owner(entry).as_deref() != Some(caller.as_str()) {
        return Err(not_yours);
    }
    Ok(fields! { "request" => json!({
        "invoke_time": entry.clock,
        "cost_in_ms": entry.ms.round() as i64,
        "request_url": entry.query,
        "request_body": entry.request_body,
        "response_body": entry.response_body,
        // The journal does not keep the peer address; the emulator is reached from this machine.
        "client_ip": "127.0.0.1",
    })})
}

#[cfg(test)]
mod tests {
    use crate::test_support::{code, TestEmulator, APP, SECRET};
    use serde_json::{json, Value};

    const OTHER: &str = "wxotheraccount0001";
    const OTHER_SECRET: &str = "othersecret000000000000000000001";

    fn rid_of(failed: &Value) -> String {
        failed["errmsg"].as_str().unwrap().rsplit("rid: ").next().unwrap().to_owned()
    }

    #[tokio::test]
    async fn a_rid_tells_its_request_to_its_own_account_for_seven_days() {
        let emu = TestEmulator::start(json!({"apps": [{"appid": APP, "secret": SECRET}, {"appid": OTHER, "secret": OTHER_SECRET}]})).await;
        let token = emu.stable_token(APP, false).await;
        let failed = emu.call("auth.clearQuota", &token, json!({"appid": "wxsomeoneelse"})).await;
        assert_eq!(code(&failed), 40013);
        let rid = rid_of(&failed);
        let info = emu.call("auth.getRidInfo", &token, json!({"rid": rid})).await;
        assert_eq!(code(&info), 0, "{info}");
        let request = &info["request"];
        assert_eq!(request["request_url"], "access_token=[redacted]");
        assert_eq!(request["request_body"], json!({"appid": "wxsomeoneelse"}).to_string());
        assert!(request["response_body"].as_str().unwrap().contains(&format!("rid: {rid}")));
        assert!(request["invoke_time"].as_i64().unwrap() > 1_600_000_000);
        assert!(request["cost_in_ms"].is_i64() && request["client_ip"].is_string());
        assert!(!info.to_string().contains(&token), "the token never comes back");
        let other = emu.stable_token(OTHER, false).await;
        assert_eq!(code(&emu.call("auth.getRidInfo", &other, json!({"rid": rid})).await), 76003);
        assert_eq!(code(&emu.call("auth.getRidInfo", &token, json!({"rid": "not a rid"})).await), 76002);
        assert_eq!(code(&emu.call("auth.getRidInfo", &token, json!({"rid": "00000000-00000000-00000000"})).await), 76001);
        emu.control("advanceTime", json!({"seconds": 7 * 86_400})).await;
        let token = emu.stable_token(APP, false).await;
        assert_eq!(code(&emu.call("auth.getRidInfo", &token, json!({"rid": rid})).await), 76001, "kept 7 days");
    }
}
