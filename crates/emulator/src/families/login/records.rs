//! What the login family remembers per account: codes not yet exchanged, each user's session, payments.

use crate::kit::state::{AppData, State};
use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use rand::RngCore;
use serde_json::{json, Map, Value};
use std::collections::BTreeMap;

/// A code lives this long (seconds), like wx.login's and a payment's window for getPaidUnionId.
pub const LIFETIME: i64 = 300;

#[derive(Clone, Debug)]
pub struct LoginCode {
    pub code: String,
    pub openid: String,
    pub unionid: Option<String>,
    pub issued: i64,
    /// The platform whose merchant's mini program minted it: only `component.code2Session` takes it then.
    pub component: Option<String>,
}

#[derive(Default)]
pub struct LoginCodes(pub Vec<LoginCode>);

pub struct Session {
    pub key: String,
    pub unionid: Option<String>,
    pub logins: u32,
    pub resets: u32,
}

#[derive(Default)]
pub struct Sessions(pub BTreeMap<String, Session>);

pub struct Payment {
    pub openid: String,
    pub transaction_id: String,
    pub mch_id: Option<String>,
    pub out_trade_no: Option<String>,
    pub paid_at: i64,
}

#[derive(Default)]
pub struct Payments(pub Vec<Payment>);

/// 16 random bytes in base64, as WeChat's session keys are.
pub fn new_session_key() -> String {
    let mut bytes = [0u8; 16];
    rand::thread_rng().fill_bytes(&mut bytes);
    STANDARD.encode(bytes)
}

/// The account's part of the `state` dump: who logged in, how often the key was reset, what is pending.
pub fn describe_app(state: &State, _: &str, app: &AppData, out: &mut Map<String, Value>) {
    let now = state.clock.unix();
    let users: Vec<Value> = app
        .records
        .peek::<Sessions>()
        .map(|s| s.0.iter().map(|(openid, s)| json!({"openid": openid, "unionid": s.unionid, "logins": s.logins, "resets": s.resets})).collect())
        .unwrap_or_default();
    let codes = app.records.peek::<LoginCodes>().map_or(0, |c| c.0.iter().filter(|c| now - c.issued < LIFETIME).count());
    let payments = app.records.peek::<Payments>().map_or(0, |p| p.0.len());
    if !users.is_empty() || codes > 0 || payments > 0 {
        out.insert("login".into(), json!({"users": users, "pendingCodes": codes, "payments": payments}));
    }
}
