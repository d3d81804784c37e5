//! The one message-push intake: an account's own (`push: { token, encodingAesKey }`), the authorizers' messages
//! reaching a third-party platform's `$APPID$` URL, and the platform's own authorization-event URL (tickets,
//! authorization events, fast registration), the last two with the platform's token and key. Every push is
//! verified (signature, then decryption with the appid trailer checked when encrypted), read into a typed tree,
//! checked for freshness, and recognised when WeChat delivers it again (`ledger`); only then is it reported
//! for the listeners (or acted on: `component::push`), and it counts as handled once they `settle` it.

use super::key::PushKey;
use super::ledger::{Begun, Ledger};
use super::replay::{check_fresh, rejected, unix_now};
use super::window::Settled;
use crate::error::Error;
use crate::store::Store;
use rand::Rng;
use serde::Serialize;
use serde_json::{Map, Value};
use std::sync::Arc;
use std::time::Duration;
use wechat_protocol::crypto::push_message::{self, Format, Keys, Opened};
use wechat_protocol::crypto::push_schema::event_name;
use wechat_protocol::crypto::{CryptoError, MsgCrypt, PushQuery};
use wechat_protocol::secret::Secret;

/// What an intake takes, beyond what its keys decide.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Envelope {
    /// An account's pushes and the authorizers' messages: plain without a key, encrypted (compatible or safe)
    /// with one; XML or JSON.
    AsKeys,
    /// The platform's authorization-event URL: XML, always encrypted, so a query without `encrypt_type` is
    /// read as `aes` (its `msg_signature` is still required).
    EncryptedXml,
}

pub struct Receiver {
    /// `push.handlePush`, `component.handleMessage` or `component.handlePush`: what errors are named after.
    api: &'static str,
    /// The option that sets the freshness window, named in a stale push's error.
    max_age_option: &'static str,
    token: Secret,
    crypt: Option<MsgCrypt>,
    max_age: Duration,
    envelope: Envelope,
    ledger: Ledger,
}

/// A verified push, for the JS listeners.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Received {
    /// `Event` (lower-cased), `InfoType`, or `MsgType` for plain messages: what listeners subscribe to.
    pub event: String,
    /// The account the push is about: this client's appid, or the authorizer's.
    pub appid: String,
    pub format: &'static str,
    pub encrypted: bool,
    pub message: Map<String, Value>,
    /// `duplicate` when this push was already handled: listeners not run again.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ignored: Option<&'static str>,
    /// A duplicate that waited for the push's first run: what that run was answered ('success' or its reply).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub answer: Option<String>,
    /// Names the push to `settle` once its listeners settled.
    pub push_key: String,
}

impl Receiver {
    pub fn new(api: &'static str, max_age_option: &'static str, token: Secret, crypt: Option<MsgCrypt>, max_age: Duration) -> Receiver {
        Receiver { api, max_age_option, token, crypt, max_age, envelope: Envelope::AsKeys, ledger: Ledger::new(None) }
    }

    /// The same intake, catching duplicates fleet-wide through `store` (one that locks) when given.
    pub fn sharing(self, store: Option<Arc<dyn Store>>) -> Receiver {
        Receiver { ledger: Ledger::new(store), ..self }
    }

    /// The same intake, taking only what `envelope` allows.
    pub fn taking(self, envelope: Envelope) -> Receiver {
        Receiver { envelope, ..self }
    }

    fn keys(&self) -> Keys<'_> {
        Keys { token: self.token.expose(), crypt: self.crypt.as_ref() }
    }

    /// A POSTed push, for the account `appid`.
    pub async fn receive(&self, appid: &str, query: &PushQuery, body: &str) -> Result<Received, Error> {
        self.receive_as(appid, query, body, |_| Ok(())).await.map(|(received, ())| received)
    }

    /// A POSTed push, for the account `appid`, with `read` typing its message once it is verified: what `read`
    /// refuses (a missing or malformed field) is rejected before freshness and duplicates are looked at, so
    /// nothing is recorded for it. A first delivery must be settled (`settle`) once its listeners settled; one
    /// that finds the push running waits for that run.
    pub async fn receive_as<T>(
        &self,
        appid: &str,
        query: &PushQuery,
        body: &str,
        read: impl FnOnce(&Map<String, Value>) -> Result<T, String>,
    ) -> Result<(Received, T), Error> {
        let opened = self.open(query, body).map_err(|e| rejected(self.api, e))?;
        let typed = read(&opened.message).map_err(|e| rejected(self.api, e))?;
        let (now, max_age) = (unix_now(), self.max_age.as_secs() as i64);
        let stamped: i64 = query.timestamp.trim().parse().map_err(|_| rejected(self.api, "the query's timestamp is not a number"))?;
        check_fresh(self.api, self.max_age_option, "query timestamp", stamped, now, max_age)?;
        let created = opened.message.get("CreateTime").and_then(Value::as_i64);
        if let Some(created) = created {
            check_fresh(self.api, self.max_age_option, "CreateTime", created, now, max_age)?;
        }
        let event = event_name(&opened.message).ok_or_else(|| rejected(self.api, "the message has no Event, InfoType or MsgType"))?;
        let key = PushKey::of(&self.token, appid, &opened.content);
        let until = stamped.max(created.unwrap_or(stamped)) + max_age;
        let answer = match self.ledger.begin(self.api, key, until, now).await? {
            Begun::First => None,
            Begun::Duplicate { answer } => Some(answer),
        };
        let received = Received {
            event,
            appid: appid.to_owned(),
            format: opened.format.as_str(),
            encrypted: opened.encrypted,
            message: opened.message,
            ignored: answer.is_some().then_some("duplicate"),
            answer: answer.flatten(),
            push_key: key.to_text(),
        };
        Ok((received, typed))
    }

    /// Envelope, signature, decryption (the appid trailer checked), one tree reader, the documented types.
    fn open(&self, query: &PushQuery, body: &str) -> Result<Opened, CryptoError> {
        let mut aes = None;
        if self.envelope == Envelope::EncryptedXml {
            if Format::of(body) != Format::Xml {
                return Err(CryptoError::BadXml("this URL takes XML pushes only".into()));
            }
            if query.encrypt_type.is_none() {
                aes = Some(PushQuery { encrypt_type: Some("aes".into()), ..query.clone() });
            }
        }
        push_message::open(self.keys(), aes.as_ref().unwrap_or(query), body)
    }

    /// Settles a first delivery (`Received::push_key`): `answer` is what WeChat is answered when the listeners
    /// succeeded (the push is then handled), None when they failed (WeChat's retry runs them again).
    pub async fn settle(&self, push_key: &str, answer: Option<String>) -> Result<(), Error> {
        let Some(key) = PushKey::parse(push_key) else {
            return Err(Error::invalid_argument(self.api, "pushKey must be the one a received push carried"));
        };
        let outcome = answer.map_or(Settled::Failed, |answer| Settled::Handled { answer });
        self.ledger.settle(self.api, key, outcome, unix_now()).await
    }

    /// URL verification (GET): the `echostr` to answer. Refused outside the freshness window like a push: the
    /// plain signature does not cover the echostr, so an old signed triple from a log must not echo new text.
    pub fn verify_url(&self, query: &PushQuery) -> Result<String, Error> {
        let echostr = push_message::verify_url(self.keys(), query).map_err(|e| rejected(self.api, e))?;
        let stamped: i64 = query.timestamp.trim().parse().map_err(|_| rejected(self.api, "the query's timestamp is not a number"))?;
        check_fresh(self.api, self.max_age_option, "query timestamp", stamped, unix_now(), self.max_age.as_secs() as i64)?;
        Ok(echostr)
    }

    /// A passive reply to a push read as `format` (`xml`/`json`), encrypted when the push was.
    pub fn reply(&self, format: &str, encrypted: bool, message_json: &str) -> Result<String, Error> {
        let format = Format::parse(format).ok_or_else(|| Error::invalid_argument(self.api, "reply format must be 'xml' or 'json'"))?;
        let message = match serde_json::from_str::<Value>(message_json) {
            Ok(Value::Object(map)) => map,
            _ => return Err(Error::invalid_argument(self.api, "a reply must be an object of WeChat's fields")),
        };
        let timestamp = unix_now().to_string();
        let nonce = rand::thread_rng().gen_range(100_000_000u64..10_000_000_000).to_string();
        push_message::reply(self.keys(), format, encrypted, &message, &timestamp, &nonce).map_err(|e| Error::invalid_argument(self.api, e.to_string()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;
    use wechat_protocol::crypto::push_message::{seal, Mode};

    const KEY: &str = "kWxPEV2UEDyxWpmPdKC3F4dgPDmOvfKX1HGnEUDS1aA";

    fn receiver() -> Receiver {
        let crypt = MsgCrypt::new("tok", KEY, "wxapp").unwrap();
        Receiver::new("push.handlePush", "push.maxAgeSeconds", Secret::new("tok".to_owned()), Some(crypt), Duration::from_secs(300))
    }

    fn push(created: i64) -> (PushQuery, String) {
        let crypt = MsgCrypt::new("tok", KEY, "wxapp").unwrap();
        let message = json!({"ToUserName": "gh", "CreateTime": created, "MsgType": "event", "Event": "add_express_path", "Actions": []});
        let ts = created.to_string();
        let sealed = seal(Keys { token: "tok", crypt: Some(&crypt) }, Mode::Safe, Format::Xml, message.as_object().unwrap(), &ts, "n").unwrap();
        (PushQuery::from_pairs(sealed.query.iter().map(|(k, v)| (*k, v.clone()))), sealed.body)
    }

    #[tokio::test]
    async fn fresh_then_duplicate_once_handled_then_run_again_after_a_failure_and_stale_refused() {
        let r = receiver();
        let (query, body) = push(unix_now());
        let first = r.receive("wxapp", &query, &body).await.unwrap();
        assert_eq!((first.event.as_str(), first.ignored, first.encrypted), ("add_express_path", None, true));
        assert_eq!(first.message["Actions"], json!([]));
        r.settle(&first.push_key, None).await.unwrap();
        let again = r.receive("wxapp", &query, &body).await.unwrap();
        assert_eq!(again.ignored, None, "its listeners failed: the retry runs them");
        r.settle(&again.push_key, Some("success".into())).await.unwrap();
        assert_eq!(r.receive("wxapp", &query, &body).await.unwrap().ignored, Some("duplicate"));
        assert!(r.settle("not-a-key", None).await.unwrap_err().message.contains("pushKey"));
        let (old_query, old_body) = push(unix_now() - 3600);
        let e = r.receive("wxapp", &old_query, &old_body).await.unwrap_err();
        assert!(e.message.contains("stale push") && e.message.contains("push.maxAgeSeconds"), "{}", e.message);
    }

    #[test]
    fn a_url_check_is_refused_outside_the_window() {
        let plain = Receiver::new("push.handlePush", "push.maxAgeSeconds", Secret::new("tok".to_owned()), None, Duration::from_secs(300));
        let check = |stamp: i64| {
            let ts = stamp.to_string();
            let signature = MsgCrypt::sign(&["tok", &ts, "5"]);
            PushQuery::from_pairs([("signature", signature), ("timestamp", ts), ("nonce", "5".to_owned()), ("echostr", "<b>x</b>".to_owned())])
        };
        assert_eq!(plain.verify_url(&check(unix_now())).unwrap(), "<b>x</b>");
        let e = plain.verify_url(&check(unix_now() - 3600)).unwrap_err();
        assert!(e.message.starts_with("push rejected: stale push: its query timestamp is") && e.message.contains("push.maxAgeSeconds"), "{}", e.message);
        assert!(plain.verify_url(&check(unix_now() + 3600)).unwrap_err().message.contains("from the future"));
    }

    #[tokio::test]
    async fn the_platform_envelope_takes_encrypted_xml_with_or_without_encrypt_type() {
        let crypt = MsgCrypt::new("tok", KEY, "wxapp").unwrap();
        let keys = Keys { token: "tok", crypt: Some(&crypt) };
        let events = receiver().taking(Envelope::EncryptedXml);
        let message = json!({"AppId": "wxapp", "CreateTime": unix_now(), "InfoType": "component_verify_ticket", "ComponentVerifyTicket": "t"});
        let seal_as = |format| {
            let sealed = seal(keys, Mode::Safe, format, message.as_object().unwrap(), &unix_now().to_string(), "n").unwrap();
            (PushQuery::from_pairs(sealed.query.iter().map(|(k, v)| (*k, v.clone()))), sealed.body)
        };
        let (mut query, body) = seal_as(Format::Xml);
        query.encrypt_type = None;
        let read = |m: &Map<String, Value>| m["ComponentVerifyTicket"].as_str().map(str::to_owned).ok_or_else(|| "no ticket".to_owned());
        // What `read` refuses is rejected, and nothing is recorded for it.
        let e = events.receive_as("wxapp", &query, &body, |_| Err::<(), _>("missing field: X".to_owned())).await.unwrap_err();
        assert_eq!(e.message, "push rejected: missing field: X");
        let (received, ticket) = events.receive_as("wxapp", &query, &body, read).await.unwrap();
        assert_eq!((received.event.as_str(), ticket.as_str(), received.encrypted, received.ignored), ("component_verify_ticket", "t", true, None));
        events.settle(&received.push_key, Some("success".into())).await.unwrap();
        assert_eq!(events.receive("wxapp", &query, &body).await.unwrap().ignored, Some("duplicate"));
        let (json_query, json_body) = seal_as(Format::Json);
        let e = events.receive("wxapp", &json_query, &json_body).await.unwrap_err();
        assert_eq!(e.message, "push rejected: invalid push XML: this URL takes XML pushes only");
        // An account's intake with the same keys still wants `encrypt_type` (its absence means a plain push).
        assert!(receiver().receive("wxapp", &query, &body).await.unwrap_err().message.contains("encrypt_type"));
    }
}
