//! The daily quota every authenticated call is charged to: past an endpoint's limit WeChat answers 45009
//! until a clear (at most 10 a month) resets the counts. The rows that read and reset it are the quota
//! families' (`families::quota`, `families::quota_by_secret`).

use crate::kit::state::AppData;
use crate::wire::WxError;
use std::collections::BTreeMap;
use wechat_protocol::catalogue::Endpoint;

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

    /// Calls used today, per endpoint (for the `state` dump).
    pub fn used_by_endpoint(&self) -> &BTreeMap<String, u64> {
        &self.used
    }

    pub fn set_limit(&mut self, name: &str, limit: u64) {
        self.limits.insert(name.to_owned(), limit);
    }
}

/// Charges one call; 45009 once the day's calls are used up.
pub fn charge(app: &mut AppData, endpoint: &Endpoint) -> Result<(), WxError> {
    let usage = app.record::<Usage>();
    let limit = usage.daily_limit(&endpoint.name);
    let used = usage.used.entry(endpoint.name.clone()).or_default();
    if *used >= limit {
        return Err(WxError::common(45009));
    }
    *used += 1;
    Ok(())
}

/// Resets an account's counts, one of its monthly clears (48006 once they are used; the AppSecret resets
/// share them).
pub fn clear(usage: &mut Usage) -> Result<(), WxError> {
    if usage.clears >= CLEARS_ALLOWED {
        return Err(WxError::new(48006, "forbid to clear quota because of reaching the limit"));
    }
    usage.clears += 1;
    usage.used.clear();
    Ok(())
}
