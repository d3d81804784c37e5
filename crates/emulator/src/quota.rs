//! Daily API quotas: every authenticated call is charged to its account; past the limit WeChat answers 45009
//! until `auth.clearQuota` (at most 10 times a month) resets the count. `auth.getApiQuota` reads it.

use super::handlers::{Ctx, Route};
use super::state::AppData;
use super::wire::{fields, Reply, WxError};
use wechat_protocol::catalogue::{catalogue, Endpoint};
use std::collections::BTreeMap;

pub(super) const ROUTES: &[Route] = &[
    Route::new("auth.clearQuota", clear_quota),
    Route::new("auth.getApiQuota", get_api_quota),
];

/// Clears allowed per account (WeChat: 10 a month; the emulator never starts a new month).
const CLEARS_ALLOWED: u32 = 10;

#[derive(Debug, Default)]
pub struct Usage {
    used: BTreeMap<String, u64>,
    /// Limits set through the control API (`setDailyLimit`), per `namespace.method`.
    limits: BTreeMap<String, u64>,
    clears: u32,
}

impl Usage {
    pub fn daily_limit(&self, name: &str) -> u64 {
        self.limits.get(name).copied().unwrap_or(match name {
            "auth.getAccessToken" => 2_000,
            "auth.getStableAccessToken" => 500_000,
            _ => 100_000,
        })
    }

    pub fn used(&self, name: &str) -> u64 {
        self.used.get(name).copied().unwrap_or(0)
    }

    pub fn set_limit(&mut self, name: &str, limit: u64) {
        self.limits.insert(name.to_owned(), limit);
    }

    /// Calls used today, per endpoint, for the `state` dump.
    pub fn describe(&self) -> serde_json::Value {
        serde_json::json!(self.used)
    }
}

/// Charges one call; 45009 once the day's calls are used up.
pub fn charge(app: &mut AppData, endpoint: &Endpoint) -> Result<(), WxError> {
    let limit = app.usage.daily_limit(&endpoint.name);
    let used = app.usage.used.entry(endpoint.name.clone()).or_default();
    if *used >= limit {
        return Err(WxError::common(45009));
    }
    *used += 1;
    Ok(())
}

/// `{appid}`: resets the calling account's counts (40013 for another account, 48006 past the monthly allowance).
fn clear_quota(ctx: &mut Ctx<'_>) -> Reply {
    ctx.require_own_appid("appid")?;
    let usage = &mut ctx.app().usage;
    if usage.clears >= CLEARS_ALLOWED {
        return Err(WxError::new(48006, "forbid to clear quota because of reaching the limit"));
    }
    usage.clears += 1;
    usage.used.clear();
    Ok(fields! {})
}

/// `{cgi_path}`: today's limit and use of one API path (76021 for a path WeChat does not meter).
fn get_api_quota(ctx: &mut Ctx<'_>) -> Reply {
    let path = ctx.params.str("cgi_path");
    let path = path.split('?').next().unwrap_or_default();
    let endpoint = catalogue().by_path(path).ok_or_else(|| WxError::new(76021, "cgi_path not found, or not in the scope of api quota"))?;
    let usage = &ctx.app().usage;
    let (limit, used) = (usage.daily_limit(&endpoint.name), usage.used(&endpoint.name));
    Ok(fields! {
        "quota" => serde_json::json!({"daily_limit": limit, "used": used, "remain": limit.saturating_sub(used)}),
        "rate_limit" => serde_json::json!({"call_count": 5000, "refresh_second": 60}),
        "component_rate_limit" => serde_json::json!({"call_count": 5000, "refresh_second": 60}),
    })
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
