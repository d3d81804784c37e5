//! A third-party platform's records: its secret and message key, the verify ticket, pre-auth and authorization
//! codes, and the authorizations (refresh tokens that rotate on every use). The routes and the control actions
//! change them through the functions here.

use crate::config::ComponentConfig;
use crate::kit::ids::random_token;
use crate::kit::state::State;
use crate::stages::token_store::TokenStore;
use serde_json::{json, Value};
use std::collections::{BTreeMap, HashMap};
use std::time::{Duration, Instant};
use wechat_protocol::secret::Secret;

/// Every configured platform, by appid.
#[derive(Default)]
pub struct Platforms(pub BTreeMap<String, ComponentState>);

/// A pushed ticket is good for 12 hours.
pub const TICKET_LIFETIME: Duration = Duration::from_secs(12 * 3600);
pub const PRE_AUTH_CODE_LIFETIME: Duration = Duration::from_secs(1800);
pub const AUTH_CODE_LIFETIME: Duration = Duration::from_secs(3600);
pub const LIST_PAGE_MAX: i64 = 500;

pub struct ComponentState {
    pub(super) secret: Secret,
    /// Message token and key, that seal the encrypted pushes.
    pub token: Secret,
    pub encoding_aes_key: Secret,
    pub(super) ticket: Option<(Secret, Instant)>,
    pub(super) pre_auth_codes: HashMap<String, Instant>,
    /// Authorization codes not yet exchanged: code → (authorizer appid, permission sets, expiry).
    pub(super) codes: HashMap<String, (String, Vec<u32>, Instant)>,
    pub(super) authorizations: BTreeMap<String, Authorization>,
    pub(super) push_requests: u32,
}

pub struct Authorization {
    pub refresh_token: Secret,
    pub permission_sets: Vec<u32>,
    pub auth_time: i64,
}

impl ComponentState {
    pub fn new(config: &ComponentConfig) -> ComponentState {
        ComponentState {
            secret: Secret::new(config.secret.as_str()),
            token: Secret::new(config.token.as_str()),
            encoding_aes_key: Secret::new(config.encoding_aes_key.as_str()),
            ticket: None,
            pre_auth_codes: HashMap::new(),
            codes: HashMap::new(),
            authorizations: BTreeMap::new(),
            push_requests: 0,
        }
    }

    /// Whether `secret` is this platform's AppSecret.
    pub fn secret_is(&self, secret: &str) -> bool {
        self.secret.expose() == secret
    }

    /// The authorization `appid` holds, once exchanged with queryAuth.
    pub fn authorization(&self, appid: &str) -> Option<&Authorization> {
        self.authorizations.get(appid)
    }

    /// Whether `appid` holds an authorization (exchanged or not yet refreshed away).
    pub fn has_authorized(&self, appid: &str) -> bool {
        self.authorizations.contains_key(appid)
    }

    /// For the `state` dump: what exists, never a credential.
    pub fn describe(&self, now: Instant) -> Value {
        let authorizers: Vec<Value> = self
            .authorizations
            .iter()
            .map(|(appid, a)| json!({"authorizerAppid": appid, "permissionSets": a.permission_sets, "authTime": a.auth_time}))
            .collect();
        json!({
            "ticketValid": self.ticket.as_ref().is_some_and(|(_, at)| *at + TICKET_LIFETIME > now),
            "pendingAuthorizationCodes": self.codes.len(),
            "authorizers": authorizers,
            "pushRequests": self.push_requests,
        })
    }
}


fn new_ticket() -> String {
    format!("ticket@@@{}", random_token(64))
}

/// Control API: sets (or mints, when `ticket` is `None`) the platform's current verify ticket.
pub fn set_ticket(state: &mut State, component_appid: &str, ticket: Option<String>) -> Result<Value, String> {
    let now = state.clock.now();
    let component = state.record::<Platforms>().0.get_mut(component_appid).ok_or_else(|| format!("unknown component {component_appid}"))?;
    let ticket = ticket.unwrap_or_else(new_ticket);
    component.ticket = Some((Secret::new(ticket.as_str()), now));
    Ok(json!({"ticket": ticket, "expiresIn": TICKET_LIFETIME.as_secs()}))
}

/// Control API: the account `authorizer_appid` authorizes the platform for `permission_sets`; returns the
/// authorization code the platform's callback would receive.
pub fn authorize(state: &mut State, component_appid: &str, authorizer_appid: &str, permission_sets: Vec<u32>) -> Result<Value, String> {
    let now = state.clock.now();
    let component = state.record::<Platforms>().0.get_mut(component_appid).ok_or_else(|| format!("unknown component {component_appid}"))?;
    let code = format!("queryauthcode@@@{}", random_token(48));
    component.codes.insert(code.clone(), (authorizer_appid.to_owned(), permission_sets, now + AUTH_CODE_LIFETIME));
    state.app_mut(authorizer_appid);
    // Its messages now reach the platform's message URL (when one is set).
    crate::kit::push::targets::set_authorizer(state, authorizer_appid, Some(component_appid));
    Ok(json!({"authorizationCode": code, "expiresIn": AUTH_CODE_LIFETIME.as_secs()}))
}

/// Control API: WeChat replaces the authorizer's refresh token without telling the platform (another instance
/// refreshed it, or a write was lost): the old one answers 61023; the authorizer list has the new one.
pub fn rotate_refresh_token(state: &mut State, component_appid: &str, authorizer_appid: &str) -> Result<Value, String> {
    let component = state.record::<Platforms>().0.get_mut(component_appid).ok_or_else(|| format!("unknown component {component_appid}"))?;
    let authorization = component.authorizations.get_mut(authorizer_appid).ok_or_else(|| format!("{authorizer_appid} has not authorized {component_appid}"))?;
    authorization.refresh_token = Secret::new(format!("refreshtoken@@@{}", random_token(43)));
    Ok(json!({"rotated": true}))
}

/// Control API: the account withdraws its authorization: its refresh token and authorizer tokens stop working.
pub fn unauthorize(state: &mut State, component_appid: &str, authorizer_appid: &str) -> Result<Value, String> {
    let component = state.record::<Platforms>().0.get_mut(component_appid).ok_or_else(|| format!("unknown component {component_appid}"))?;
    let removed = component.authorizations.remove(authorizer_appid).is_some();
    state.record::<TokenStore>().revoke_authorizer(component_appid, authorizer_appid);
    crate::kit::push::targets::set_authorizer(state, authorizer_appid, None);
    Ok(json!({"removed": removed}))
}


/// The authorization page: whether `code` is a live pre-auth code of the platform; `redeem` uses it up (a link
/// authorizes once).
pub fn check_pre_auth_code(state: &mut State, component_appid: &str, code: &str, redeem: bool) -> Result<(), String> {
    let now = state.clock.now();
    let component = state.record::<Platforms>().0.get_mut(component_appid).ok_or_else(|| format!("unknown component_appid {component_appid}"))?;
    component.pre_auth_codes.retain(|_, expires| *expires > now);
    let live = if redeem { component.pre_auth_codes.remove(code).is_some() } else { component.pre_auth_codes.contains_key(code) };
    live.then_some(()).ok_or_else(|| "this authorization link has expired or was used: the platform must make a new pre_auth_code".to_owned())
}
