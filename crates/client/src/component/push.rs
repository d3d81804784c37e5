//! The authorization-event URL: every push is verified (msg_signature), decrypted (the appid trailer must be
//! this platform's), parsed, and only then acted on. A ticket is stored for 12 hours; an `unauthorized` event
//! removes the authorizer's tokens; the three authorization events are reported back for the listeners.
//! A rejected push stores nothing.
//!
//! Replays: a push is refused when its query `timestamp` or XML `CreateTime` is older than `pushMaxAgeSeconds`
//! (default 300) or more than a minute ahead; a push already handled (same decrypted content) within that
//! window is answered `success` again without acting twice; and a ticket never replaces a stored one with a
//! later `CreateTime` (kept beside it in the store).

use super::{fast_register_push, Component};
use wechat_protocol::crypto::{CryptoError, InfoType, PushEvent, PushQuery, MAX_PUSH_XML_BYTES};
use crate::error::Error;
use crate::push::replay::{self, unix_now};
use crate::store::keys;
use serde::Serialize;

const API: &str = "component.handlePush";

/// What a push was, for the JS listeners. Never carries the ticket; the authorization code is there because
/// the listener needs it for `queryAuth`.
#[derive(Debug, Serialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct PushReport {
    pub info_type: String,
    pub component_appid: String,
    pub create_time: i64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub authorizer_appid: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub authorization_code: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub authorization_code_expired_time: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pre_auth_code: Option<String>,
    /// Set when the push was authentic and fresh but not acted on: `duplicate` (already handled) or `stale
    /// ticket` (older than the stored one). The listeners are not told about it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ignored: Option<&'static str>,
    /// Names the push to `forget_push` (when a listener fails, WeChat's retry must be acted on again).
    pub push_key: String,
    /// An event's own fields (`notify_third_fasteregister`: appid, status, authCode, msg, info).
    #[serde(flatten)]
    pub details: serde_json::Map<String, serde_json::Value>,
}

fn check_fresh(what: &str, stamp: i64, now: i64, max_age: i64) -> Result<(), Error> {
    replay::check_fresh(API, "component.pushMaxAgeSeconds", what, stamp, now, max_age)
}

fn rejected(why: impl std::fmt::Display) -> Error {
    replay::rejected(API, why)
}

impl Component {
    pub async fn handle_push(&self, query: &PushQuery, body: &str) -> Result<PushReport, Error> {
        if body.len() > MAX_PUSH_XML_BYTES {
            return Err(rejected(CryptoError::TooLarge));
        }
        let inner = self.crypt.decrypt_push(query, body).map_err(rejected)?;
        let event = PushEvent::parse(&inner).map_err(rejected)?;
        let details = match &event.info_type {
            InfoType::Other(kind) if kind == fast_register_push::INFO_TYPE => fast_register_push::details(&inner).map_err(rejected)?,
            _ => serde_json::Map::new(),
        };
        if event.app_id != self.core.appid {
            return Err(rejected("the message's AppId is not this platform's appid"));
        }
        let (now, max_age) = (unix_now(), self.push_max_age.as_secs() as i64);
        let stamped: i64 = query.timestamp.trim().parse().map_err(|_| rejected("the query's timestamp is not a number"))?;
        check_fresh("query timestamp", stamped, now, max_age)?;
        check_fresh("CreateTime", event.create_time, now, max_age)?;
        let key = self.seen.key(&inner);
        let ignored = if self.seen.first_time(key, stamped.max(event.create_time) + max_age, now) {
            // Forgotten again when acting fails: WeChat's retry of this push must be acted on.
            self.act(&event).await.inspect_err(|_| self.seen.forget(key))?
        } else {
            Some("duplicate")
        };
        Ok(PushReport {
            info_type: event.info_type.as_str().to_owned(),
            component_appid: event.app_id,
            create_time: event.create_time,
            authorizer_appid: event.authorizer_appid,
            authorization_code: event.authorization_code,
            authorization_code_expired_time: event.authorization_code_expired_time,
            pre_auth_code: event.pre_auth_code,
            ignored,
            push_key: key.to_string(),
            details,
        })
    }

    /// Forgets a handled push (`PushReport::push_key`): its listeners failed, so WeChat's retry acts again.
    pub fn forget_push(&self, push_key: &str) {
        self.seen.forget_text(push_key);
    }

    /// What a fresh, first-seen push does; `Some(reason)` when it did nothing.
    async fn act(&self, event: &PushEvent) -> Result<Option<&'static str>, Error> {
        let store = self.core.store.as_ref();
        match (&event.info_type, &event.component_verify_ticket, &event.authorizer_appid) {
            (InfoType::ComponentVerifyTicket, Some(ticket), _) => {
                let time_key = keys::ticket_time(&self.core.appid);
                let stored_time = store.get(&time_key).await?.and_then(|t| t.trim().parse::<i64>().ok());
                if stored_time.is_some_and(|t| t > event.create_time) {
                    return Ok(Some("stale ticket"));
                }
                store.set(&keys::ticket(&self.core.appid), ticket, Some(keys::TICKET_TTL)).await?;
                store.set(&time_key, &event.create_time.to_string(), Some(keys::TICKET_TTL)).await?;
            }
            (InfoType::Unauthorized, _, Some(authorizer)) => {
                // Its tokens are dead at WeChat: drop them here too, so calls fail as "must authorize" at once.
                store.del(&keys::refresh_token(&self.core.appid, authorizer)).await?;
                store.del(&keys::authorizer_token(&self.core.appid, authorizer)).await?;
                self.forget_authorizer(authorizer);
            }
            _ => {}
        }
        Ok(None)
    }
}
