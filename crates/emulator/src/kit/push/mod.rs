//! The one place every push the emulator sends goes through: where it goes (`targets`), how it is written
//! (`wechat_protocol::crypto::push_message`: plain, compatible or safe; XML or JSON), how it travels with
//! WeChat's retries (`delivery`), and the log of every attempt (`log`, the `pushLog` action).
//!
//! Pushes are prepared under the state lock and travel without it. They are stamped with the real wall time
//! (query `timestamp`, `CreateTime`), not the emulator's clock: `advanceTime` moves WeChat's state forward,
//! while the receiver checks freshness against its own clock.

pub mod delivery;
pub mod log;
pub mod targets;

use crate::kit::state::State;
use delivery::Outgoing;
use log::{NewEntry, PushLog};
use rand::Rng;
use serde_json::{Map, Value};
use url::Url;
use std::time::Duration;
use wechat_protocol::crypto::push_message::{self, seal, Format, Keys, Mode};
use wechat_protocol::crypto::MsgCrypt;

/// A message to an account, as WeChat writes it (`ToUserName`, `CreateTime`, `MsgType`, `Event`, …).
pub struct Message {
    pub appid: String,
    /// `Event` (or `InfoType`): what the log shows.
    pub event: String,
    pub fields: Map<String, Value>,
}

/// Unix seconds of the wall clock (see the module doc).
pub fn wall_unix() -> i64 {
    (log::unix_ms() / 1000) as i64
}

fn nonce() -> String {
    rand::thread_rng().gen_range(100_000_000u64..10_000_000_000).to_string()
}

/// Seals `message` for its account's push target and logs it as pending; None when the account has no
/// target (WeChat pushes nowhere then).
pub fn prepare(state: &mut State, message: Message) -> Result<Option<Outgoing>, String> {
    let Some(target) = targets::resolve(state, &message.appid) else { return Ok(None) };
    seal_for(state, &target, message).map(Some)
}

/// The crypt of a target with an EncodingAESKey.
fn crypt_of(target: &targets::Target, appid: &str) -> Result<Option<MsgCrypt>, String> {
    match &target.encoding_aes_key {
        Some(key) => MsgCrypt::new(target.token.expose(), key.expose(), &target.crypt_appid).map(Some).map_err(|e| format!("push target of {appid}: {e}")),
        None => Ok(None),
    }
}

fn seal_for(state: &mut State, target: &targets::Target, message: Message) -> Result<Outgoing, String> {
    let crypt = crypt_of(target, &message.appid)?;
    let keys = Keys { token: target.token.expose(), crypt: crypt.as_ref() };
    let label = Label { appid: message.appid, component_appid: target.component_appid.clone(), event: message.event };
    let how = (target.mode, target.format, target.answer_timeout);
    seal_to(state, &target.url, keys, how, &message.fields, label)
}

/// A push whose passive reply WeChat waits for (a courier's `add_waybill`, `cancel_waybill`, `check_biz`,
/// `get_quota`): the merchant's call is held until it comes, so it is sent once, not retried.
pub struct Asking {
    push: Outgoing,
    target: targets::Target,
    appid: String,
}

/// Seals `message` like `prepare`; None when the account has no push target.
pub fn ask(state: &mut State, message: Message) -> Result<Option<Asking>, String> {
    let Some(target) = targets::resolve(state, &message.appid) else { return Ok(None) };
    let appid = message.appid.clone();
    let push = seal_for(state, &target, message)?;
    Ok(Some(Asking { push, target, appid }))
}

impl Asking {
    /// Sends the push and reads its passive reply (decrypted when the target has a key): why not, when the
    /// receiver did not answer in time, answered other than 200, or answered something that is no reply.
    pub async fn answer(self) -> Result<Map<String, Value>, String> {
        let shown = delivery::shown(&self.push.url);
        let delivered = delivery::deliver_tries(self.push, 0).await?;
        let status = delivered["status"].as_u64().unwrap_or_default();
        if status != 200 {
            return Err(format!("{shown} answered HTTP {status}"));
        }
        let body = delivered["answer"].as_str().unwrap_or_default();
        let crypt = crypt_of(&self.target, &self.appid)?;
        let keys = Keys { token: self.target.token.expose(), crypt: crypt.as_ref() };
        push_message::open_reply(keys, body).map_err(|e| format!("{shown} answered no passive reply ({e})"))
    }
}

/// How a push shows in the log: the account it is about, the platform it went through, its Event or InfoType.
pub struct Label {
    pub appid: String,
    pub component_appid: Option<String>,
    pub event: String,
}

/// Writes `fields` the way WeChat writes pushes (`push_message::seal`), addresses it to `url` and logs it as
/// pending: every push the emulator sends, an account's or a platform's, is sealed here.
pub fn seal_to(state: &mut State, url: &str, keys: Keys<'_>, how: (Mode, Format, Duration), fields: &Map<String, Value>, label: Label) -> Result<Outgoing, String> {
    let (mode, format, answer_timeout) = how;
    let timestamp = wall_unix().to_string();
    let sealed = seal(keys, mode, format, fields, &timestamp, &nonce()).map_err(|e| format!("push to {}: {e}", label.appid))?;
    let mut url = Url::parse(url).map_err(|_| format!("the push URL of {} is not a URL", label.appid))?;
    url.query_pairs_mut().extend_pairs(sealed.query.iter().map(|(k, v)| (*k, v.as_str())));
    let entry = NewEntry {
        to: delivery::shown(&url),
        appid: label.appid,
        component_appid: label.component_appid,
        event: label.event,
        format: format.as_str(),
        mode: mode.as_str(),
    };
    Ok(outgoing(state, entry, url, sealed.body, format.content_type(), answer_timeout))
}

/// Logs an already sealed push (the platform's authorization events) as pending.
pub fn outgoing(state: &mut State, entry: NewEntry, url: Url, body: String, content_type: &'static str, answer_timeout: std::time::Duration) -> Outgoing {
    let log = state.record::<PushLog>().clone();
    let log_id = log.open(entry);
    Outgoing { url, body, content_type, log, log_id, answer_timeout }
}

/// `prepare`, then delivery in the background. A push that cannot be sealed is dropped with a debug line: the
/// call that caused it still succeeds, as at WeChat.
pub fn send(state: &mut State, message: Message) {
    match prepare(state, message) {
        Ok(Some(push)) => delivery::spawn(push),
        Ok(None) => {}
        Err(e) => tracing::debug!("emulator: push not sent: {e}"),
    }
}

/// The log, newest last.
pub fn entries(state: &mut State) -> Vec<log::Entry> {
    state.record::<PushLog>().entries()
}

/// An account's original id (`gh_…`), the `ToUserName` of its pushes.
pub fn original_id(appid: &str) -> String {
    format!("gh_{}", appid.get(appid.len().saturating_sub(12)..).unwrap_or(appid))
}
