//! The authorization-event URL: every push is opened by the one push intake (`push::receiver`, taking only
//! encrypted XML: signature, decryption with the appid trailer checked against this platform's, one tree reader,
//! the documented types, freshness, duplicates), read here as a platform event (its `AppId` must be this
//! platform's), and only then acted on. A ticket is stored for 12 hours; an `unauthorized` event removes the
//! authorizer's tokens; every event is reported back for the listeners. A rejected push stores nothing.
//!
//! Replays: a push is refused when its query `timestamp` or XML `CreateTime` is older than `pushMaxAgeSeconds`
//! (default 300) or more than a minute ahead; a push already handled (same decrypted content) within that
//! window is answered `success` again without acting twice (fleet-wide with a store that locks); a push is
//! handled only once it was acted on and its listeners succeeded (`settle_push`); and a ticket never replaces
//! a stored one with a later `CreateTime` (kept beside it in the store).

use super::{authorization, Component};
use crate::error::Error;
use crate::store::keys;
use serde::Serialize;
use serde_json::{Map, Value};
use wechat_protocol::case::{convert_keys, Direction};
use wechat_protocol::crypto::{CryptoError, PushQuery};

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
    /// Names the push to `settle_push` once its listeners settled (unless `ignored`: nothing to settle).
    pub push_key: String,
    /// An event's own fields (`notify_third_fasteregister`: appid, status, authCode, msg, info).
    #[serde(flatten)]
    pub details: Map<String, Value>,
}

/// The fast-registration event: a fast-registered mini program was created, or its task failed.
const FAST_REGISTER: &str = "notify_third_fasteregister";

/// A platform event, read from the verified and typed message. No Debug: it holds the ticket.
struct Event {
    info_type: String,
    app_id: String,
    create_time: i64,
    ticket: Option<String>,
    authorizer_appid: Option<String>,
    authorization_code: Option<String>,
    authorization_code_expired_time: Option<i64>,
    pre_auth_code: Option<String>,
}

fn bad(why: String) -> String {
    CryptoError::BadXml(why).to_string()
}

fn missing(name: &'static str) -> String {
    CryptoError::MissingField(name).to_string()
}

/// A field sent at most once, as text (trimmed; empty counts as absent).
fn text(message: &Map<String, Value>, name: &'static str) -> Result<Option<String>, String> {
    match message.get(name) {
        None => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.trim_matches([' ', '\t', '\r', '\n'])).filter(|t| !t.is_empty()).map(str::to_owned)),
        Some(Value::Number(n)) => Ok(Some(n.to_string())),
        Some(Value::Array(_)) => Err(bad(format!("duplicate field {name}"))),
        Some(_) => Err(bad(format!("{name} is not text"))),
    }
}

/// A field the push schema types as a number, or digits an event the schema does not know kept as text.
fn integer(message: &Map<String, Value>, name: &'static str) -> Result<Option<i64>, String> {
    match message.get(name) {
        Some(Value::Number(n)) => n.as_i64().map(Some).ok_or_else(|| bad(format!("{name} is not an integer"))),
        Some(Value::Array(_)) => Err(bad(format!("duplicate field {name}"))),
        Some(Value::String(s)) if s.trim_matches([' ', '\t', '\r', '\n']).is_empty() => Ok(None),
        // An event the schema does not know keeps its fields as text (`<X><![CDATA[1700003600]]></X>`).
        Some(Value::String(s)) if s.trim().parse::<i64>().is_ok() => Ok(s.trim().parse().ok()),
        None => Ok(None),
        Some(_) => Err(bad(format!("{name} is not an integer"))),
    }
}

impl Event {
    /// Requires `AppId` (this platform's), `CreateTime`, `InfoType`, and what the event is acted on with:
    /// `ComponentVerifyTicket` for a ticket, `AuthorizerAppid` for the three authorization events and
    /// `AuthorizationCode` for `authorized`/`updateauthorized`.
    fn read(message: &Map<String, Value>, platform: &str) -> Result<Event, String> {
        let required = |name: &'static str| text(message, name)?.ok_or_else(|| missing(name));
        let event = Event {
            app_id: required("AppId")?,
            create_time: integer(message, "CreateTime")?.ok_or_else(|| missing("CreateTime"))?,
            info_type: required("InfoType")?,
            ticket: text(message, "ComponentVerifyTicket")?,
            authorizer_appid: text(message, "AuthorizerAppid")?,
            authorization_code: text(message, "AuthorizationCode")?,
            authorization_code_expired_time: integer(message, "AuthorizationCodeExpiredTime")?,
            pre_auth_code: text(message, "PreAuthCode")?,
        };
        let kind = event.info_type.as_str();
        if kind == "component_verify_ticket" && event.ticket.is_none() {
            return Err(missing("ComponentVerifyTicket"));
        }
        if matches!(kind, "authorized" | "updateauthorized" | "unauthorized") && event.authorizer_appid.is_none() {
            return Err(missing("AuthorizerAppid"));
        }
        if matches!(kind, "authorized" | "updateauthorized") && event.authorization_code.is_none() {
            return Err(missing("AuthorizationCode"));
        }
        if event.app_id != platform {
            return Err("the message's AppId is not this platform's appid".into());
        }
        Ok(event)
    }
}

/// An event's own fields, camelCased like every result (`notify_third_fasteregister`: `appid`, `status`,
/// `authCode`, `msg` and the applicant's `info`, typed as the push schema documents); none for the others.
fn details(info_type: &str, message: &Map<String, Value>) -> Map<String, Value> {
    if info_type != FAST_REGISTER {
        return Map::new();
    }
    let own: Map<String, Value> =
        message.iter().filter(|(key, _)| matches!(key.as_str(), "appid" | "status" | "auth_code" | "msg" | "info")).map(|(k, v)| (k.clone(), v.clone())).collect();
    match convert_keys(Value::Object(own), Direction::ToCamel) {
        Value::Object(map) => map,
        _ => Map::new(),
    }
}

impl Component {
    pub async fn handle_push(&self, query: &PushQuery, body: &str) -> Result<PushReport, Error> {
        let platform = self.core.appid.as_str();
        let (received, event) = self.events.receive_as(platform, query, body, |message| Event::read(message, platform)).await?;
        let ignored = match received.ignored {
            Some(why) => Some(why),
            None => match self.act(&event).await {
                // Released: WeChat's retry of this push must be acted on.
                Err(e) => {
                    let _ = self.events.settle(&received.push_key, None).await;
                    return Err(e);
                }
                // Nothing for the listeners: handled now.
                Ok(Some(why)) => {
                    self.events.settle(&received.push_key, Some("success".into())).await?;
                    Some(why)
                }
                Ok(None) => None,
            },
        };
        Ok(PushReport {
            details: details(&event.info_type, &received.message),
            info_type: event.info_type,
            component_appid: event.app_id,
            create_time: event.create_time,
            authorizer_appid: event.authorizer_appid,
            authorization_code: event.authorization_code,
            authorization_code_expired_time: event.authorization_code_expired_time,
            pre_auth_code: event.pre_auth_code,
            ignored,
            push_key: received.push_key,
        })
    }

    /// Settles a push acted on (`PushReport::push_key`) once its listeners settled: handled when they succeeded
    /// (`ok`), else released, so WeChat's retry acts again.
    pub async fn settle_push(&self, push_key: &str, ok: bool) -> Result<(), Error> {
        self.events.settle(push_key, ok.then(|| "success".to_owned())).await
    }

    /// What a fresh, first-seen push does; `Some(reason)` when it did nothing.
    async fn act(&self, event: &Event) -> Result<Option<&'static str>, Error> {
        let store = self.core.store.as_ref();
        match (event.info_type.as_str(), &event.ticket, &event.authorizer_appid) {
            ("component_verify_ticket", Some(ticket), _) => {
                let time_key = keys::ticket_time(&self.core.appid);
                if authorization::recorded_later(store, &time_key, event.create_time).await? {
                    return Ok(Some("stale ticket"));
                }
                store.set(&keys::ticket(&self.core.appid), ticket, Some(keys::TICKET_TTL)).await?;
                store.set(&time_key, &event.create_time.to_string(), Some(keys::TICKET_TTL)).await?;
            }
            ("authorized" | "updateauthorized" | "unauthorized", _, Some(authorizer)) => {
                // Authorization state moves only forward: a late retry of an older push (an `unauthorized`
                // stamped before a re-authorization) must not undo what came after it.
                if !authorization::advance(&self.core, authorizer, event.create_time).await? {
                    return Ok(Some("stale authorization"));
                }
                if event.info_type == "unauthorized" {
                    // Its tokens are dead at WeChat: drop them here too, so calls fail as "must authorize" at once.
                    store.del(&keys::refresh_token(&self.core.appid, authorizer)).await?;
                    store.del(&keys::authorizer_token(&self.core.appid, authorizer)).await?;
                    self.forget_authorizer(authorizer);
                }
            }
            _ => {}
        }
        Ok(None)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;
    use wechat_protocol::crypto::parse_tree;
    use wechat_protocol::crypto::push_schema::type_message;

    /// What the one intake hands over: the tree, typed.
    fn typed(xml: &str) -> Map<String, Value> {
        let mut message = parse_tree(xml, 1 << 20).unwrap();
        type_message(&mut message);
        message
    }

    #[test]
    fn fast_registration_reports_its_flat_fields_and_info_block() {
        let xml = "<xml><AppId><![CDATA[wxc]]></AppId><CreateTime>1535442403</CreateTime><InfoType><![CDATA[notify_third_fasteregister]]></InfoType>\
            <appid>wxnew</appid><status>0</status><auth_code>code-1</auth_code><msg>OK</msg>\
            <info><name><![CDATA[腾讯]]></name><code><![CDATA[123]]></code><code_type>1</code_type><legal_persona_wechat><![CDATA[w]]></legal_persona_wechat></info></xml>";
        let message = typed(xml);
        let event = Event::read(&message, "wxc").unwrap();
        assert_eq!((event.info_type.as_str(), event.create_time), (FAST_REGISTER, 1535442403));
        assert_eq!(
            Value::Object(details(&event.info_type, &message)),
            json!({"appid": "wxnew", "status": 0, "authCode": "code-1", "msg": "OK", "info": {"name": "腾讯", "code": "123", "codeType": 1, "legalPersonaWechat": "w"}})
        );
        let failed = typed("<xml><AppId>wxc</AppId><CreateTime>1</CreateTime><InfoType>notify_third_fasteregister</InfoType><status>89251</status><msg>legal person checking</msg></xml>");
        assert_eq!(Value::Object(details(FAST_REGISTER, &failed)), json!({"status": 89251, "msg": "legal person checking"}));
        assert_eq!(details("authorized", &failed), Map::new(), "only fast registration adds its own fields");
    }

    #[test]
    fn authorization_events_are_typed_and_trimmed() {
        let message = typed(
            "<xml><AppId> wxc </AppId><CreateTime>1413192760</CreateTime><InfoType>updateauthorized</InfoType><AuthorizerAppid>wxa</AuthorizerAppid>\
             <AuthorizationCode>code@@@x</AuthorizationCode><AuthorizationCodeExpiredTime>1413196360</AuthorizationCodeExpiredTime><PreAuthCode>pre@@@y</PreAuthCode></xml>",
        );
        let event = Event::read(&message, "wxc").unwrap();
        assert_eq!((event.app_id.as_str(), event.info_type.as_str(), event.create_time), ("wxc", "updateauthorized", 1413192760));
        assert_eq!((event.authorizer_appid.as_deref(), event.authorization_code.as_deref()), (Some("wxa"), Some("code@@@x")));
        assert_eq!((event.authorization_code_expired_time, event.pre_auth_code.as_deref()), (Some(1413196360), Some("pre@@@y")));
        let ticket = typed("<xml><AppId>wxc</AppId><CreateTime> 1 </CreateTime><InfoType>component_verify_ticket</InfoType><ComponentVerifyTicket><![CDATA[ticket@@@t]]></ComponentVerifyTicket></xml>");
        let event = Event::read(&ticket, "wxc").unwrap();
        assert_eq!((event.create_time, event.ticket.as_deref(), event.authorizer_appid), (1, Some("ticket@@@t"), None));
    }

    #[test]
    fn missing_malformed_duplicate_and_foreign_fields_are_refused() {
        let cases = [
            ("<xml><CreateTime>1</CreateTime><InfoType>authorized</InfoType></xml>", "missing field: AppId"),
            ("<xml><AppId>wxc</AppId><InfoType>x</InfoType></xml>", "missing field: CreateTime"),
            ("<xml><AppId>wxc</AppId><CreateTime>1</CreateTime></xml>", "missing field: InfoType"),
            (
                "<xml><AppId>wxc</AppId><CreateTime>1</CreateTime><InfoType>component_verify_ticket</InfoType><ComponentVerifyTicket>  </ComponentVerifyTicket></xml>",
                "missing field: ComponentVerifyTicket",
            ),
            ("<xml><AppId>wxc</AppId><CreateTime>1</CreateTime><InfoType>unauthorized</InfoType></xml>", "missing field: AuthorizerAppid"),
            (
                "<xml><AppId>wxc</AppId><CreateTime>1</CreateTime><InfoType>authorized</InfoType><AuthorizerAppid>b</AuthorizerAppid></xml>",
                "missing field: AuthorizationCode",
            ),
            ("<xml><AppId>wxc</AppId><CreateTime>soon</CreateTime><InfoType>x</InfoType></xml>", "invalid push XML: CreateTime is not an integer"),
            ("<xml><AppId>wxc</AppId><CreateTime>1.5</CreateTime><InfoType>x</InfoType></xml>", "invalid push XML: CreateTime is not an integer"),
            ("<xml><AppId>a</AppId><AppId>b</AppId><CreateTime>1</CreateTime><InfoType>x</InfoType></xml>", "invalid push XML: duplicate field AppId"),
            ("<xml><AppId><x>wxc</x></AppId><CreateTime>1</CreateTime><InfoType>x</InfoType></xml>", "invalid push XML: AppId is not text"),
            ("<xml><AppId>wxother</AppId><CreateTime>1</CreateTime><InfoType>x</InfoType></xml>", "the message's AppId is not this platform's appid"),
        ];
        for (xml, want) in cases {
            assert_eq!(Event::read(&typed(xml), "wxc").err().as_deref(), Some(want), "{xml}");
        }
    }
}
