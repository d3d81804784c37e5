//! The quota family: the rows and the action about the daily quota the pipeline charges (`stages::quota`).
//! `auth.clearQuota` resets the calling account's counts (at most 10 times a month), `auth.getApiQuota` reads
//! them, `setDailyLimit` lowers a limit so a test can reach 45009.

use crate::kit::action::{account, parse, Action};
use crate::kit::context::Ctx;
use crate::kit::family::Family;
use crate::kit::route::Route;
use crate::kit::state::{AppData, State};
use crate::stages::quota::{clear, Usage};
use crate::wire::{fields, Reply, WxError};
use serde::Deserialize;
use serde_json::{json, Map, Value};
use wechat_protocol::catalogue::catalogue;

pub const FAMILY: Family = Family::new("quota").routes(ROUTES).actions(ACTIONS).describe_app(describe_app);

const ROUTES: &[Route] = &[
    Route::new("auth.clearQuota", clear_quota),
    Route::new("auth.getApiQuota", get_api_quota),
];

const ACTIONS: &[Action] = &[
    Action::new("setDailyLimit", "{appid?, name, limit}", "The account's daily quota for one endpoint; past it calls answer 45009 until auth.clearQuota.", set_daily_limit)
        .js("appid: string | undefined, name: string, limit: number", "{ appid: string; name: string; limit: number }"),
];

/// `{appid}`: resets the calling account's counts (40013 for another account, 48006 past the monthly allowance).
fn clear_quota(ctx: &mut Ctx<'_>) -> Reply {
    ctx.require_own_appid("appid")?;
    clear(ctx.app_record::<Usage>())?;
    Ok(fields! {})
}

/// `{cgi_path}`: today's limit and use of one API path (76021 for a path WeChat does not meter).
fn get_api_quota(ctx: &mut Ctx<'_>) -> Reply {
    let path = ctx.params.str("cgi_path");
    let path = path.split('?').next().unwrap_or_default();
    let endpoint = catalogue().by_path(path).ok_or_else(|| WxError::new(76021, "cgi_path not found, or not in the scope of api quota"))?;
    let usage = ctx.app_record::<Usage>();
    let (limit, used) = (usage.daily_limit(&endpoint.name), usage.used(&endpoint.name));
    Ok(fields! {
        "quota" => serde_json::json!({"daily_limit": limit, "used": used, "remain": limit.saturating_sub(used)}),
        "rate_limit" => serde_json::json!({"call_count": 5000, "refresh_second": 60}),
        "component_rate_limit" => serde_json::json!({"call_count": 5000, "refresh_second": 60}),
    })
}

fn set_daily_limit(state: &mut State, args: Value) -> Result<Value, String> {
    #[derive(Deserialize)]
    #[serde(deny_unknown_fields)]
    struct Args {
        appid: Option<String>,
        name: String,
        limit: u64,
    }
    let args: Args = parse(args)?;
    if catalogue().get(&args.name).is_none() {
        return Err(format!("unknown endpoint {}", args.name));
    }
    let appid = account(state, args.appid)?;
    state.app_mut(&appid).record::<Usage>().set_limit(&args.name, args.limit);
    Ok(json!({"appid": appid, "name": args.name, "limit": args.limit}))
}

/// Calls used today, per endpoint.
fn describe_app(_: &State, _: &str, app: &AppData, out: &mut Map<String, Value>) {
    out.insert("usage".into(), app.records.peek::<Usage>().map_or_else(|| json!({}), |u| json!(u.used_by_endpoint())));
}

#[cfg(test)]
mod tests {
    use crate::test_support::{code, TestEmulator, APP};
    use serde_json::json;

    #[tokio::test]
    async fn quota_counts_calls_hits_45009_and_clears() {
        let emu = TestEmulator::start(json!({})).await;
        let token = emu.stable_token(APP, false).await;
        emu.control("setDailyLimit", json!({"appid": APP, "name": "logistics.getAllDelivery", "limit": 2})).await;
        for _ in 0..2 {
            assert_eq!(code(&emu.get_with("logistics.getAllDelivery", &token).await), 0);
        }
        let over = emu.get_with("logistics.getAllDelivery", &token).await;
        assert_eq!(code(&over), 45009);
        let q = emu.call("auth.getApiQuota", &token, json!({"cgi_path": "/cgi-bin/express/business/delivery/getall"})).await;
        assert_eq!(q["quota"], json!({"daily_limit": 2, "used": 2, "remain": 0}));
        assert_eq!(q["rate_limit"]["refresh_second"], 60);
        assert_eq!(code(&emu.call("auth.getApiQuota", &token, json!({"cgi_path": "/cgi-bin/nope"})).await), 76021);
        assert_eq!(code(&emu.call("auth.clearQuota", &token, json!({"appid": "wxsomeoneelse"})).await), 40013);
        assert_eq!(code(&emu.call("auth.clearQuota", &token, json!({"appid": APP})).await), 0);
        assert_eq!(code(&emu.get_with("logistics.getAllDelivery", &token).await), 0);
        let q = emu.call("auth.getApiQuota", &token, json!({"cgi_path": "/cgi-bin/express/business/delivery/getall"})).await;
        assert_eq!(q["quota"]["used"], 1);
        for _ in 0..9 {
            assert_eq!(code(&emu.call("auth.clearQuota", &token, json!({"appid": APP})).await), 0);
        }
        assert_eq!(code(&emu.call("auth.clearQuota", &token, json!({"appid": APP})).await), 48006);
    }
}
