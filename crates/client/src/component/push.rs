//! The authorization-event URL: every push is verified (msg_signature), decrypted (the appid trailer must be
//! this platform's), parsed, and only then acted on. A ticket is stored for 12 hours; an `unauthorized` event
//! removes the authorizer's tokens; the three authorization events are reported back for the listeners.
//! A rejected push stores nothing.

use super::Component;
use wechat_protocol::crypto::{CryptoError, InfoType, PushEvent, PushQuery, MAX_PUSH_XML_BYTES};
use crate::error::Error;
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
}

/// Every rejection is the sender's fault (or a misconfigured token/key): invalid-argument, naming what failed
/// and never echoing the push.
fn rejected(why: impl std::fmt::Display) -> Error {
    Error::invalid_argument(API, format!("push rejected: {why}"))
}

impl Component {
    pub async fn handle_push(&self, query: &PushQuery, body: &str) -> Result<PushReport, Error> {
        if body.len() > MAX_PUSH_XML_BYTES {
            return Err(rejected(CryptoError::TooLarge));
        }
        let inner = self.crypt.decrypt_push(query, body).map_err(rejected)?;
        let event = PushEvent::parse(&inner).map_err(rejected)?;
        if event.app_id != self.core.appid {
            return Err(rejected("the message's AppId is not this platform's appid"));
        }
        let store = self.core.store.as_ref();
        match (&event.info_type, &event.component_verify_ticket, &event.authorizer_appid) {
            (InfoType::ComponentVerifyTicket, Some(ticket), _) => {
                store.set(&keys::ticket(&self.core.appid), ticket, Some(keys::TICKET_TTL)).await?;
            }
            (InfoType::Unauthorized, _, Some(authorizer)) => {
                // Its tokens are dead at WeChat: drop them here too, so calls fail as "must authorize" at once.
                store.del(&keys::refresh_token(&self.core.appid, authorizer)).await?;
                store.del(&keys::authorizer_token(&self.core.appid, authorizer)).await?;
                self.forget_authorizer(authorizer);
            }
            _ => {}
        }
        Ok(PushReport {
            info_type: event.info_type.as_str().to_owned(),
            component_appid: event.app_id,
            create_time: event.create_time,
            authorizer_appid: event.authorizer_appid,
            authorization_code: event.authorization_code,
            authorization_code_expired_time: event.authorization_code_expired_time,
            pre_auth_code: event.pre_auth_code,
        })
    }
}
