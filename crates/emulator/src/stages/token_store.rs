//! Every token the emulator hands out, of three distinct kinds: an account's own (classic `/cgi-bin/token`
//! or `/cgi-bin/stable_token`, kept apart as WeChat keeps them), an authorizer's (issued to an account on behalf
//! of a third-party platform, limited to the permission sets it granted) and a platform's component token.
//! Tokens are only ever compared, never printed: the `state` dump shows kinds and lifetimes, not values.

use crate::kit::clock::seconds_until;
use crate::kit::ids::random_token;
use serde_json::{json, Value};
use std::collections::HashMap;
use std::time::{Duration, Instant};

/// How long a replaced token keeps working: WeChat's 5-minute overlap after a new fetch.
pub const OVERLAP: Duration = Duration::from_secs(300);

#[derive(Clone, Debug, PartialEq)]
pub enum Grant {
    /// An account's own token from `/cgi-bin/token`.
    Classic { appid: String },
    /// An account's own token from `/cgi-bin/stable_token`.
    Stable { appid: String },
    /// Issued to `appid` on behalf of `component_appid`, for the permission sets the account granted.
    Authorizer { appid: String, component_appid: String, permission_sets: Vec<u32> },
    /// A third-party platform's `component_access_token`.
    Component { component_appid: String },
}

impl Grant {
    /// The account (or platform) the token speaks for.
    pub fn subject_appid(&self) -> &str {
        match self {
            Grant::Classic { appid } | Grant::Stable { appid } | Grant::Authorizer { appid, .. } => appid,
            Grant::Component { component_appid } => component_appid,
        }
    }

    fn kind(&self) -> &'static str {
        match self {
            Grant::Classic { .. } => "classic",
            Grant::Stable { .. } => "stable",
            Grant::Authorizer { .. } => "authorizer",
            Grant::Component { .. } => "component",
        }
    }
}

/// Why a presented token is refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Refusal {
    /// Unknown, revoked, or knocked out by a newer fetch: 40001.
    Invalid,
    /// Past its lifetime: 42001.
    Expired,
}

impl Refusal {
    pub fn errcode(self) -> i64 {
        match self {
            Refusal::Invalid => 40001,
            Refusal::Expired => 42001,
        }
    }
}

/// A token just issued, with the seconds it has left (`expires_in`).
#[derive(Clone, Debug)]
pub struct Issued {
    pub token: String,
    pub expires_in: u64,
}

#[derive(Debug)]
struct Record {
    grant: Grant,
    expires_at: Instant,
    /// Set when a newer fetch replaced this token: past it the token is "not latest" (40001).
    overlap_ends: Option<Instant>,
    revoked: bool,
}

impl Record {
    fn usable_until(&self) -> Instant {
        self.overlap_ends.map_or(self.expires_at, |end| end.min(self.expires_at))
    }
}

/// Which "newest token" a token competes with.
#[derive(Clone, Debug, Hash, PartialEq, Eq)]
enum Slot {
    Classic(String),
    Stable(String),
    Authorizer { component_appid: String, appid: String },
    Component(String),
}

impl Slot {
    fn of(grant: &Grant) -> Slot {
        match grant {
            Grant::Classic { appid } => Slot::Classic(appid.clone()),
            Grant::Stable { appid } => Slot::Stable(appid.clone()),
            Grant::Authorizer { appid, component_appid, .. } => {
                Slot::Authorizer { component_appid: component_appid.clone(), appid: appid.clone() }
            }
            Grant::Component { component_appid } => Slot::Component(component_appid.clone()),
        }
    }
}

#[derive(Debug, Default)]
pub struct TokenStore {
    records: HashMap<String, Record>,
    /// The newest token of each slot.
    latest: HashMap<Slot, String>,
    /// The token the newest one replaced, still inside its overlap.
    previous: HashMap<Slot, String>,
}

const TOKEN_LEN: usize = 136;

impl TokenStore {
    /// Issues a new token for the grant's slot: the one it replaces keeps working for the overlap,
    /// any older one stops now. This is `/cgi-bin/token`'s rule, and the emulator's rule for authorizer
    /// and component tokens too.
    pub fn issue_replacing(&mut self, grant: Grant, now: Instant, ttl: Duration) -> Issued {
        let slot = Slot::of(&grant);
        if let Some(older) = self.previous.remove(&slot) {
            self.revoke(&older);
        }
        if let Some(replaced) = self.latest.get(&slot).cloned() {
            if let Some(r) = self.records.get_mut(&replaced) {
                r.overlap_ends = Some(now + OVERLAP);
            }
            self.previous.insert(slot.clone(), replaced);
        }
        self.issue_into(slot, grant, now, ttl)
    }

    /// `/cgi-bin/stable_token`: the same token while it is valid; a new one once it expires or enters its
    /// renewal window (WeChat: the last 5 of 120 minutes, scaled here to the configured lifetime, the old one
    /// still valid until it expires); `force_refresh` issues a new one and invalidates the old at once.
    pub fn fetch_stable(&mut self, appid: &str, force_refresh: bool, now: Instant, ttl: Duration) -> Issued {
        let slot = Slot::Stable(appid.to_owned());
        let renew_window = ttl / 24;
        if let Some(current) = self.latest.get(&slot).cloned() {
            let live = self.records.get(&current).filter(|r| !r.revoked && r.usable_until() > now);
            match live {
                Some(r) if !force_refresh && r.expires_at.saturating_duration_since(now) > renew_window => {
                    return Issued { expires_in: seconds_until(now, r.expires_at), token: current };
                }
                _ if force_refresh => self.revoke(&current),
                _ => {}
            }
        }
        self.issue_into(slot, Grant::Stable { appid: appid.to_owned() }, now, ttl)
    }

    fn issue_into(&mut self, slot: Slot, grant: Grant, now: Instant, ttl: Duration) -> Issued {
        self.forget_long_dead(now);
        let token = random_token(TOKEN_LEN);
        self.records.insert(token.clone(), Record { grant, expires_at: now + ttl, overlap_ends: None, revoked: false });
        self.latest.insert(slot, token.clone());
        Issued { token, expires_in: ttl.as_secs() }
    }

    fn revoke(&mut self, token: &str) {
        if let Some(r) = self.records.get_mut(token) {
            r.revoked = true;
        }
    }

    /// Keeps memory bounded in long benchmarks: a token dead for a day is forgotten (it then reads as 40001).
    fn forget_long_dead(&mut self, now: Instant) {
        const DAY: Duration = Duration::from_secs(86_400);
        if self.records.len() > 10_000 {
            self.records.retain(|_, r| r.usable_until() + DAY > now);
        }
    }

    /// What a presented token stands for, or why it is refused.
    pub fn resolve(&self, token: &str, now: Instant) -> Result<&Grant, Refusal> {
        let record = self.records.get(token).ok_or(Refusal::Invalid)?;
        if record.revoked || record.overlap_ends.is_some_and(|end| end <= now) {
            return Err(Refusal::Invalid);
        }
        if record.expires_at <= now {
            return Err(Refusal::Expired);
        }
        Ok(&record.grant)
    }

    /// Makes every live token that speaks for `appid` expire now (they answer 42001). Returns how many.
    pub fn expire_for(&mut self, appid: &str, now: Instant) -> usize {
        let mut n = 0;
        for r in self.records.values_mut() {
            if r.grant.subject_appid() == appid && !r.revoked && r.usable_until() > now {
                r.expires_at = now;
                r.overlap_ends = None;
                n += 1;
            }
        }
        n
    }

    /// Revokes every token that speaks for `appid` (they answer 40001); the next fetch starts afresh.
    /// Returns how many of them were still usable.
    pub fn revoke_for(&mut self, appid: &str, now: Instant) -> usize {
        let mut n = 0;
        for r in self.records.values_mut() {
            if r.grant.subject_appid() == appid && !r.revoked {
                n += usize::from(r.usable_until() > now);
                r.revoked = true;
            }
        }
        let speaks_for = |slot: &Slot| match slot {
            Slot::Classic(a) | Slot::Stable(a) | Slot::Component(a) => a == appid,
            Slot::Authorizer { appid: a, .. } => a == appid,
        };
        self.latest.retain(|slot, _| !speaks_for(slot));
        self.previous.retain(|slot, _| !speaks_for(slot));
        n
    }

    /// Revokes the authorizer tokens `component_appid` holds for `appid` (an authorization withdrawn).
    pub fn revoke_authorizer(&mut self, component_appid: &str, appid: &str) {
        let slot = Slot::Authorizer { component_appid: component_appid.to_owned(), appid: appid.to_owned() };
        for r in self.records.values_mut() {
            if Slot::of(&r.grant) == slot {
                r.revoked = true;
            }
        }
        self.latest.remove(&slot);
        self.previous.remove(&slot);
    }

    /// The live tokens, without their values, for the `state` dump.
    pub fn describe(&self, now: Instant) -> Value {
        let mut live: Vec<Value> = self
            .records
            .values()
            .filter(|r| !r.revoked && r.usable_until() > now)
            .map(|r| {
                let mut v = json!({"kind": r.grant.kind(), "appid": r.grant.subject_appid(),
                    "expiresIn": seconds_until(now, r.usable_until()), "replaced": r.overlap_ends.is_some()});
                if let Grant::Authorizer { component_appid, permission_sets, .. } = &r.grant {
                    v["componentAppid"] = component_appid.as_str().into();
                    v["permissionSets"] = json!(permission_sets);
                }
                v
            })
            .collect();
        live.sort_by(|a, b| a["appid"].as_str().cmp(&b["appid"].as_str()).then(a["kind"].as_str().cmp(&b["kind"].as_str())));
        Value::Array(live)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const TTL: Duration = Duration::from_secs(7200);

    fn classic(appid: &str) -> Grant {
        Grant::Classic { appid: appid.into() }
    }

    #[test]
    fn classic_fetch_keeps_the_previous_for_the_overlap_only() {
        let mut s = TokenStore::default();
        let t0 = Instant::now();
        let a = s.issue_replacing(classic("wx1"), t0, TTL);
        assert!(a.token.len() >= 100);
        let b = s.issue_replacing(classic("wx1"), t0, TTL);
        assert_ne!(a.token, b.token);
        assert!(s.resolve(&a.token, t0 + Duration::from_secs(299)).is_ok());
        assert_eq!(s.resolve(&a.token, t0 + Duration::from_secs(301)), Err(Refusal::Invalid));
        assert!(s.resolve(&b.token, t0 + Duration::from_secs(301)).is_ok());
        let c = s.issue_replacing(classic("wx1"), t0, TTL);
        assert_eq!(s.resolve(&a.token, t0), Err(Refusal::Invalid), "only one token overlaps the newest");
        assert!(s.resolve(&b.token, t0).is_ok() && s.resolve(&c.token, t0).is_ok());
        assert_eq!(s.resolve(&c.token, t0 + TTL), Err(Refusal::Expired));
        assert_eq!(s.resolve("nope", t0), Err(Refusal::Invalid));
    }

    #[test]
    fn stable_tokens_repeat_until_forced_and_live_apart_from_classic() {
        let mut s = TokenStore::default();
        let t0 = Instant::now();
        let a = s.fetch_stable("wx1", false, t0, TTL);
        let again = s.fetch_stable("wx1", false, t0 + Duration::from_secs(60), TTL);
        assert_eq!(a.token, again.token);
        assert_eq!(again.expires_in, 7140);
        let c = s.issue_replacing(classic("wx1"), t0, TTL);
        assert!(s.resolve(&a.token, t0).is_ok() && s.resolve(&c.token, t0).is_ok());
        let forced = s.fetch_stable("wx1", true, t0, TTL);
        assert_ne!(forced.token, a.token);
        assert_eq!(s.resolve(&a.token, t0), Err(Refusal::Invalid));
        // In the renewal window a new one comes, the old still works until it expires.
        let late = t0 + TTL - Duration::from_secs(200);
        let renewed = s.fetch_stable("wx1", false, late, TTL);
        assert_ne!(renewed.token, forced.token);
        assert!(s.resolve(&forced.token, late).is_ok());
    }

    #[test]
    fn expire_and_revoke_by_account() {
        let mut s = TokenStore::default();
        let t0 = Instant::now();
        let a = s.issue_replacing(classic("wx1"), t0, TTL);
        let b = s.fetch_stable("wx1", false, t0, TTL);
        let other = s.issue_replacing(classic("wx2"), t0, TTL);
        assert_eq!(s.expire_for("wx1", t0), 2, "the classic and the stable token");
        assert_eq!(s.resolve(&a.token, t0), Err(Refusal::Expired));
        assert_eq!(s.resolve(&b.token, t0), Err(Refusal::Expired));
        assert!(s.resolve(&other.token, t0).is_ok());
        let fresh = s.fetch_stable("wx1", false, t0, TTL);
        assert_ne!(fresh.token, b.token);
        assert_eq!(s.revoke_for("wx1", t0), 1, "only the fresh one was still usable");
        assert_eq!(s.resolve(&fresh.token, t0), Err(Refusal::Invalid));
        let d = s.describe(t0);
        assert_eq!(d.as_array().unwrap().len(), 1);
        assert!(!d.to_string().contains(&other.token));
    }
}
