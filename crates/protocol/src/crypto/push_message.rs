//! An account's message push (the URL set under "消息推送" in the console), both ways: `open` verifies and
//! reads what WeChat POSTs, `seal` writes it the way WeChat does (for the emulator), `reply` writes a
//! passive reply in the push's own format and mode.
//!
//! Modes: plain (明文: the body as is, `signature` = sha1(token, timestamp, nonce) in the query),
//! compatible (兼容: the plain fields plus `Encrypt`) and safe (安全: `Encrypt` only), the last two with
//! `encrypt_type=aes` and `msg_signature`. Formats: XML or JSON (a mini program may choose JSON); the
//! encrypted content is in the same format as the body.
//!
//! A receiver configured with an EncodingAESKey accepts only encrypted pushes: in plain mode the signature
//! covers no part of the body, so once a key exists a plain push is as good as unsigned. In compatible mode
//! only the encrypted copy is read (the plain fields beside it are not authenticated).

use serde_json::{Map, Value};
use subtle::ConstantTimeEq;

use crate::crypto::push_schema::type_message;
use crate::crypto::push_tree::{build_tree, parse_tree};
use crate::crypto::push_xml::{parse_flat, MAX_PUSH_XML_BYTES};
use crate::crypto::{CryptoError, MsgCrypt, PushQuery};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    Xml,
    Json,
}

impl Format {
    pub fn parse(s: &str) -> Option<Format> {
        match s {
            "xml" | "XML" => Some(Format::Xml),
            "json" | "JSON" => Some(Format::Json),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Format::Xml => "xml",
            Format::Json => "json",
        }
    }

    pub fn content_type(self) -> &'static str {
        match self {
            Format::Xml => "text/xml",
            Format::Json => "application/json",
        }
    }

    /// The format of a body, by its first character.
    pub fn of(body: &str) -> Format {
        if body.trim_start().starts_with('{') {
            Format::Json
        } else {
            Format::Xml
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    Plain,
    Compatible,
    Safe,
}

impl Mode {
    pub fn parse(s: &str) -> Option<Mode> {
        match s {
            "plain" => Some(Mode::Plain),
            "compatible" => Some(Mode::Compatible),
            "safe" => Some(Mode::Safe),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Mode::Plain => "plain",
            Mode::Compatible => "compatible",
            Mode::Safe => "safe",
        }
    }
}

/// Who receives: the message token, and the crypt when an EncodingAESKey is configured.
#[derive(Clone, Copy)]
pub struct Keys<'a> {
    pub token: &'a str,
    pub crypt: Option<&'a MsgCrypt>,
}

/// A verified push.
#[derive(Debug, PartialEq)]
pub struct Opened {
    /// The message as a tree, with its documented numbers and lists typed.
    pub message: Map<String, Value>,
    pub format: Format,
    pub encrypted: bool,
    /// The authenticated content as sent (the decrypted text, or the plain body): what duplicates are told by.
    pub content: String,
}

fn plain_signature_ok(token: &str, query: &PushQuery) -> bool {
    let expected = MsgCrypt::sign(&[token, &query.timestamp, &query.nonce]);
    query.signature.as_deref().is_some_and(|given| bool::from(expected.as_bytes().ct_eq(given.as_bytes())))
}

fn read(content: &str, format: Format) -> Result<Map<String, Value>, CryptoError> {
    let mut message = match format {
        Format::Xml => parse_tree(content, MAX_PUSH_XML_BYTES)?,
        Format::Json => match serde_json::from_str::<Value>(content) {
            Ok(Value::Object(map)) => map,
            _ => return Err(CryptoError::BadXml("the JSON body is not an object".into())),
        },
    };
    type_message(&mut message);
    Ok(message)
}

/// The `Encrypt` field of an encrypted body (exactly one).
fn encrypt_field(body: &str, format: Format) -> Result<String, CryptoError> {
    match format {
        Format::Xml => {
            // Nested fields beside it (a compatible-mode body) are skipped by the flat reader, not refused.
            let fields = parse_flat(body, MAX_PUSH_XML_BYTES)?;
            let mut found = fields.into_iter().filter(|(k, _)| k == "Encrypt");
            let first = found.next().ok_or(CryptoError::MissingField("Encrypt"))?;
            if found.next().is_some() {
                return Err(CryptoError::BadXml("duplicate field Encrypt".into()));
            }
            Ok(first.1.trim().to_owned())
        }
        Format::Json => match serde_json::from_str::<Value>(body) {
            Ok(Value::Object(map)) => map.get("Encrypt").and_then(Value::as_str).map(str::to_owned).ok_or(CryptoError::MissingField("Encrypt")),
            _ => Err(CryptoError::BadXml("the JSON body is not an object".into())),
        },
    }
}

/// Verifies and reads a push (see the module docs for what is accepted).
pub fn open(keys: Keys<'_>, query: &PushQuery, body: &str) -> Result<Opened, CryptoError> {
    if body.len() > MAX_PUSH_XML_BYTES {
        return Err(CryptoError::TooLarge);
    }
    if query.timestamp.is_empty() {
        return Err(CryptoError::MissingField("timestamp"));
    }
    if query.nonce.is_empty() {
        return Err(CryptoError::MissingField("nonce"));
    }
    let format = Format::of(body);
    match (query.encrypt_type.as_deref(), keys.crypt) {
        (Some("aes"), Some(crypt)) => {
            let encrypt = encrypt_field(body, format)?;
            let signature = query.msg_signature.as_deref().ok_or(CryptoError::MissingField("msg_signature"))?;
            if !crypt.verify_msg_signature(signature, &query.timestamp, &query.nonce, &encrypt) {
                return Err(CryptoError::BadSignature);
            }
            let content = crypt.decrypt(&encrypt)?;
            Ok(Opened { message: read(&content, Format::of(&content))?, format, encrypted: true, content })
        }
        (Some("aes"), None) => Err(CryptoError::MissingField("encodingAesKey (the push is encrypted)")),
        (None | Some("raw"), None) => {
            if query.signature.is_none() {
                return Err(CryptoError::MissingField("signature"));
            }
            if !plain_signature_ok(keys.token, query) {
                return Err(CryptoError::BadSignature);
            }
            Ok(Opened { message: read(body, format)?, format, encrypted: false, content: body.to_owned() })
        }
        _ => Err(CryptoError::UnsupportedEncryptType),
    }
}

/// URL verification (GET): the `echostr` to answer.
pub fn verify_url(keys: Keys<'_>, query: &PushQuery) -> Result<String, CryptoError> {
    match keys.crypt {
        Some(crypt) => crypt.verify_url(query),
        None => {
            let echostr = query.echostr.clone().ok_or(CryptoError::MissingField("echostr"))?;
            if query.timestamp.is_empty() || query.nonce.is_empty() || query.signature.is_none() {
                return Err(CryptoError::MissingField("signature"));
            }
            if !plain_signature_ok(keys.token, query) {
                return Err(CryptoError::BadSignature);
            }
            Ok(echostr)
        }
    }
}

fn serialize(message: &Map<String, Value>, format: Format) -> String {
    match format {
        Format::Xml => build_tree(message),
        Format::Json => Value::Object(message.clone()).to_string(),
    }
}

/// What WeChat POSTs: the body and the query pairs to add to the receiver's URL.
pub struct Sealed {
    pub body: String,
    pub query: Vec<(&'static str, String)>,
}

/// The fields a safe-mode envelope keeps beside `Encrypt`.
const ADDRESSES: [&str; 2] = ["ToUserName", "AppId"];

/// Writes a push the way WeChat does. Compatible and safe modes need the crypt.
pub fn seal(keys: Keys<'_>, mode: Mode, format: Format, message: &Map<String, Value>, timestamp: &str, nonce: &str) -> Result<Sealed, CryptoError> {
    let signature = MsgCrypt::sign(&[keys.token, timestamp, nonce]);
    let mut query = vec![("signature", signature), ("timestamp", timestamp.to_owned()), ("nonce", nonce.to_owned())];
    let content = serialize(message, format);
    if mode == Mode::Plain {
        return Ok(Sealed { body: content, query });
    }
    let crypt = keys.crypt.ok_or(CryptoError::MissingField("encodingAesKey"))?;
    let encrypt = crypt.encrypt(&content);
    let mut outer = match mode {
        Mode::Compatible => message.clone(),
        // Safe mode shows only who the push is for: an account's `ToUserName`, or a third-party platform's
        // `AppId` (its authorization events and tickets).
        _ => ADDRESSES.iter().filter_map(|key| Some(((*key).to_owned(), message.get(*key)?.clone()))).collect(),
    };
    outer.insert("Encrypt".into(), Value::String(encrypt.clone()));
    query.push(("encrypt_type", "aes".to_owned()));
    query.push(("msg_signature", MsgCrypt::sign(&[keys.token, timestamp, nonce, &encrypt])));
    Ok(Sealed { body: serialize(&outer, format), query })
}

/// A passive reply to a push, in its format, encrypted when it was.
pub fn reply(keys: Keys<'_>, format: Format, encrypted: bool, message: &Map<String, Value>, timestamp: &str, nonce: &str) -> Result<String, CryptoError> {
    let content = serialize(message, format);
    if !encrypted {
        return Ok(content);
    }
    let crypt = keys.crypt.ok_or(CryptoError::MissingField("encodingAesKey"))?;
    Ok(match format {
        Format::Xml => crypt.encrypt_reply(&content, timestamp, nonce),
        Format::Json => {
            let encrypt = crypt.encrypt(&content);
            let signature = MsgCrypt::sign(&[keys.token, timestamp, nonce, &encrypt]);
            serde_json::json!({"Encrypt": encrypt, "MsgSignature": signature, "TimeStamp": timestamp.parse::<i64>().unwrap_or(0), "Nonce": nonce}).to_string()
        }
    })
}

/// Reads a passive reply (what `reply` writes): an encrypted one (`Encrypt` beside `MsgSignature`,
/// `TimeStamp`, `Nonce`) is verified and decrypted with `keys`; a plain one is read as is. The emulator reads
/// a courier's answers to `add_waybill` and the like with it, as WeChat does.
pub fn open_reply(keys: Keys<'_>, body: &str) -> Result<Map<String, Value>, CryptoError> {
    if body.len() > MAX_PUSH_XML_BYTES {
        return Err(CryptoError::TooLarge);
    }
    let format = Format::of(body);
    let outer = read(body, format)?;
    let Some(encrypt) = outer.get("Encrypt").and_then(Value::as_str) else { return Ok(outer) };
    let crypt = keys.crypt.ok_or(CryptoError::MissingField("encodingAesKey (the reply is encrypted)"))?;
    let text = |k: &str| match outer.get(k) {
        Some(Value::String(s)) => Some(s.trim().to_owned()),
        Some(Value::Number(n)) => Some(n.to_string()),
        _ => None,
    };
    let signature = text("MsgSignature").ok_or(CryptoError::MissingField("MsgSignature"))?;
    let (timestamp, nonce) = (text("TimeStamp").unwrap_or_default(), text("Nonce").unwrap_or_default());
    if !crypt.verify_msg_signature(&signature, &timestamp, &nonce, encrypt.trim()) {
        return Err(CryptoError::BadSignature);
    }
    let content = crypt.decrypt(encrypt.trim())?;
    read(&content, Format::of(&content))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const KEY: &str = "kWxPEV2UEDyxWpmPdKC3F4dgPDmOvfKX1HGnEUDS1aA";

    #[test]
    fn open_reply_reads_what_reply_writes_and_refuses_a_forged_one() {
        let crypt = MsgCrypt::new("tok", KEY, "wxcourier").unwrap();
        let keys = Keys { token: "tok", crypt: Some(&crypt) };
        let message: Map<String, Value> = serde_json::from_value(json!({"Event": "add_waybill", "ResultCode": 0, "WayBillID": "CO1"})).unwrap();
        for format in [Format::Xml, Format::Json] {
            for encrypted in [false, true] {
                let body = reply(keys, format, encrypted, &message, "1700000000", "n1").unwrap();
                let opened = open_reply(keys, &body).unwrap();
                assert_eq!((opened["WayBillID"].as_str(), opened["Event"].as_str()), (Some("CO1"), Some("add_waybill")), "{format:?} {encrypted}");
            }
        }
        let other = MsgCrypt::new("other", KEY, "wxcourier").unwrap();
        let forged = reply(Keys { token: "other", crypt: Some(&other) }, Format::Xml, true, &message, "1", "n").unwrap();
        assert_eq!(open_reply(keys, &forged).unwrap_err(), CryptoError::BadSignature);
        assert!(open_reply(keys, "not xml <<<").is_err());
        assert_eq!(open_reply(keys, &"x".repeat(MAX_PUSH_XML_BYTES + 1)).unwrap_err(), CryptoError::TooLarge);
    }

    fn query(pairs: &[(&'static str, String)]) -> PushQuery {
        PushQuery::from_pairs(pairs.iter().map(|(k, v)| (*k, v.clone())))
    }

    fn message() -> Map<String, Value> {
        json!({"ToUserName": "gh_1", "FromUserName": "o1", "CreateTime": 1700000000, "MsgType": "event", "Event": "add_express_path",
               "WayBillId": "W1", "Version": 1, "Count": 2, "Actions": [{"ActionTime": 1, "ActionType": 100001, "ActionMsg": "a"},
               {"ActionTime": 2, "ActionType": 200001, "ActionMsg": "b"}]})
        .as_object()
        .unwrap()
        .clone()
    }

    #[test]
    fn every_mode_and_format_round_trips() {
        let crypt = MsgCrypt::new("tok", KEY, "wxapp").unwrap();
        for format in [Format::Xml, Format::Json] {
            for mode in [Mode::Plain, Mode::Compatible, Mode::Safe] {
                let sender = Keys { token: "tok", crypt: Some(&crypt) };
                let sealed = seal(sender, mode, format, &message(), "1700000000", "n1").unwrap();
                let receiver = if mode == Mode::Plain { Keys { token: "tok", crypt: None } } else { sender };
                let opened = open(receiver, &query(&sealed.query), &sealed.body).unwrap();
                assert_eq!(opened.message, message(), "{mode:?} {format:?}");
                assert_eq!((opened.format, opened.encrypted), (format, mode != Mode::Plain));
                // Tampering with the body or the signature is refused.
                let mut tampered = sealed.body.clone().into_bytes();
                let at = sealed.body.find("Encrypt").unwrap_or(0) + 20;
                tampered[at] = if tampered[at] == b'A' { b'B' } else { b'A' };
                let tampered = String::from_utf8(tampered).unwrap();
                if mode != Mode::Plain {
                    assert!(open(receiver, &query(&sealed.query), &tampered).is_err(), "{mode:?} {format:?}");
                }
                let mut bad = sealed.query.clone();
                bad[0].1 = "0".repeat(40);
                if let Some(last) = bad.last_mut().filter(|_| mode != Mode::Plain) {
                    last.1 = "0".repeat(40);
                }
                assert_eq!(open(receiver, &query(&bad), &sealed.body).unwrap_err(), CryptoError::BadSignature);
            }
        }
    }

    /// Pushes and URL checks made by an independent implementation (wechatpy) open here.
    #[test]
    fn wechatpy_pushes_and_url_checks_are_accepted() {
        let fixture: Value = serde_json::from_str(include_str!("fixtures/wechatpy.json")).unwrap();
        let s = |c: &Value, k: &str| c[k].as_str().unwrap_or_default().to_owned();
        let (mut opened, mut events) = (0, 0);
        for c in fixture["cases"].as_array().unwrap() {
            let crypt = MsgCrypt::new(&s(c, "token"), &s(c, "encoding_aes_key"), &s(c, "appid")).unwrap();
            let keys = Keys { token: &s(c, "token"), crypt: Some(&crypt) };
            let token = s(c, "token");
            match c["kind"].as_str() {
                Some("message" | "push") => {
                    let q = query(&[("timestamp", s(c, "timestamp")), ("nonce", s(c, "nonce")), ("encrypt_type", "aes".into()), ("msg_signature", s(c, "msg_signature"))]);
                    let got = open(keys, &q, &s(c, "body_xml")).unwrap();
                    let mut want = parse_tree(&s(c, "plaintext"), MAX_PUSH_XML_BYTES).unwrap();
                    type_message(&mut want);
                    // A platform's event reads as wechatpy reads it: its fields, the two times as numbers.
                    if let Some(event) = c.get("expect_event") {
                        let fields = [("app_id", "AppId"), ("create_time", "CreateTime"), ("info_type", "InfoType"),
                            ("component_verify_ticket", "ComponentVerifyTicket"), ("authorizer_appid", "AuthorizerAppid"),
                            ("authorization_code", "AuthorizationCode"), ("authorization_code_expired_time", "AuthorizationCodeExpiredTime"),
                            ("pre_auth_code", "PreAuthCode")];
                        for (theirs, ours) in fields {
                            assert_eq!(got.message.get(ours), event.get(theirs), "{} {ours}", s(c, "name"));
                        }
                        events += 1;
                    }
                    assert_eq!((got.message, got.content), (want, s(c, "plaintext")), "{}", s(c, "name"));
                    opened += 1;
                }
                Some("url_verify_safe") => {
                    let q = query(&[("timestamp", s(c, "timestamp")), ("nonce", s(c, "nonce")), ("echostr", s(c, "encrypt")), ("msg_signature", s(c, "msg_signature"))]);
                    assert_eq!(verify_url(keys, &q).unwrap(), s(c, "plaintext"));
                }
                Some("url_verify_plain") => {
                    let q = query(&[("timestamp", s(c, "timestamp")), ("nonce", s(c, "nonce")), ("echostr", s(c, "echostr")), ("signature", s(c, "signature"))]);
                    assert_eq!(verify_url(Keys { token: &token, crypt: None }, &q).unwrap(), s(c, "echostr"));
                }
                _ => {}
            }
        }
        assert!(opened >= 5, "{opened}");
        assert_eq!(events, 3, "a ticket, authorized, unauthorized");
    }

    #[test]
    fn a_key_means_plain_pushes_are_refused_and_the_reverse() {
        let crypt = MsgCrypt::new("tok", KEY, "wxapp").unwrap();
        let plain = seal(Keys { token: "tok", crypt: None }, Mode::Plain, Format::Xml, &message(), "1", "n").unwrap();
        assert_eq!(open(Keys { token: "tok", crypt: Some(&crypt) }, &query(&plain.query), &plain.body).unwrap_err(), CryptoError::UnsupportedEncryptType);
        let safe = seal(Keys { token: "tok", crypt: Some(&crypt) }, Mode::Safe, Format::Xml, &message(), "1", "n").unwrap();
        assert!(open(Keys { token: "tok", crypt: None }, &query(&safe.query), &safe.body).is_err());
    }

    #[test]
    fn a_safe_envelope_shows_only_whom_the_push_is_for() {
        let crypt = MsgCrypt::new("tok", KEY, "wxcomponent").unwrap();
        let keys = Keys { token: "tok", crypt: Some(&crypt) };
        let ticket = json!({"AppId": "wxcomponent", "CreateTime": "1", "InfoType": "component_verify_ticket", "ComponentVerifyTicket": "t"});
        let sealed = seal(keys, Mode::Safe, Format::Xml, ticket.as_object().unwrap(), "1", "n").unwrap();
        let names: Vec<String> = parse_flat(&sealed.body, MAX_PUSH_XML_BYTES).unwrap().into_iter().map(|(k, _)| k).collect();
        assert_eq!(names, ["AppId", "Encrypt"], "a platform's push: its AppId, as WeChat sends tickets");
        let event = seal(keys, Mode::Safe, Format::Xml, &message(), "1", "n").unwrap();
        let names: Vec<String> = parse_flat(&event.body, MAX_PUSH_XML_BYTES).unwrap().into_iter().map(|(k, _)| k).collect();
        assert_eq!(names, ["ToUserName", "Encrypt"], "an account's push: its ToUserName");
    }

    #[test]
    fn replies_are_readable_by_the_sender() {
        let crypt = MsgCrypt::new("tok", KEY, "wxapp").unwrap();
        let keys = Keys { token: "tok", crypt: Some(&crypt) };
        let answer = json!({"ToUserName": "o1", "ResultCode": 0, "ResultMsg": "ok"}).as_object().unwrap().clone();
        let xml = reply(keys, Format::Xml, true, &answer, "1", "n").unwrap();
        let fields = parse_flat(&xml, MAX_PUSH_XML_BYTES).unwrap();
        let encrypt = &fields.iter().find(|(k, _)| k == "Encrypt").unwrap().1;
        assert!(crypt.decrypt(encrypt).unwrap().contains("<ResultCode>0</ResultCode>"));
        let json_reply: Value = serde_json::from_str(&reply(keys, Format::Json, true, &answer, "1", "n").unwrap()).unwrap();
        let inner: Value = serde_json::from_str(&crypt.decrypt(json_reply["Encrypt"].as_str().unwrap()).unwrap()).unwrap();
        assert_eq!(inner["ResultMsg"], "ok");
        assert_eq!(reply(keys, Format::Json, false, &answer, "1", "n").unwrap(), r#"{"ToUserName":"o1","ResultCode":0,"ResultMsg":"ok"}"#);
    }
}
