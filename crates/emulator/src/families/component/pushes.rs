//! What WeChat POSTs to a third-party platform's authorization-event URL, for real: encrypted
//! `component_verify_ticket` pushes and authorization events, sealed in safe mode with the platform's message
//! token and EncodingAESKey (by `kit::push::seal_to`, the writer of every push) and delivered over HTTP.
//!
//! - `pushTicket {url, componentAppid?}` remembers `url` as the platform's push URL, mints a ticket that becomes
//!   the only one `api_component_token` accepts, and delivers it.
//! - Once a URL is known, `authorize` also delivers `authorized` (`updateauthorized` for an account that had
//!   already authorized), `unauthorize` delivers `unauthorized`, and `api_start_push_ticket` delivers its ticket.
//!
//! Deliveries go through the emulator's push infrastructure (`kit::push`): prepared under the lock, sent
//! without it, retried like WeChat's, and logged (`pushLog`). Pushes are stamped with the real wall time.

use super::records::{self, Platforms};
use crate::kit::push::delivery::{self, Outgoing, ANSWER_TIMEOUT};
use crate::kit::push::{self as kit_push, wall_unix, Label};
use crate::kit::state::State;
use serde_json::{Map, Value};
use std::collections::BTreeMap;
use url::Url;
use wechat_protocol::crypto::push_message::{Format, Keys, Mode};
use wechat_protocol::crypto::MsgCrypt;

/// The authorization-event URL of each platform, once `pushTicket` named it.
#[derive(Debug, Default)]
pub struct PushUrls(BTreeMap<String, String>);

/// A sealed push, ready to send without the lock.
pub type Prepared = Outgoing;

/// The platform named, or the only configured one.
pub fn component_of(state: &mut State, named: Option<String>) -> Result<String, String> {
    let platforms = &state.record::<Platforms>().0;
    match named {
        Some(appid) if platforms.contains_key(&appid) => Ok(appid),
        Some(appid) => Err(format!("unknown componentAppid {appid}")),
        None if platforms.len() == 1 => Ok(platforms.keys().next().cloned().unwrap_or_default()),
        None => Err("componentAppid is required unless exactly one component is configured".into()),
    }
}

/// Encrypts `fields` for the platform (safe mode, XML, its message token and EncodingAESKey) and addresses it
/// the way WeChat does, through the emulator's one push writer.
fn seal(state: &mut State, component_appid: &str, url: &str, fields: &[(&str, &str)]) -> Result<Prepared, String> {
    let message: Map<String, Value> = fields.iter().map(|(k, v)| ((*k).to_owned(), Value::from(*v))).collect();
    seal_message(state, component_appid, url, &message)
}

/// `seal` for a message with nested blocks (`notify_third_fasteregister`'s `<info>`). The log names the
/// merchant (`AuthorizerAppid`) or else the platform, and the `InfoType`.
fn seal_message(state: &mut State, component_appid: &str, url: &str, message: &Map<String, Value>) -> Result<Prepared, String> {
    let platform = state.record::<Platforms>().0.get(component_appid).ok_or_else(|| format!("unknown componentAppid {component_appid}"))?;
    let token = platform.token.clone();
    let crypt = MsgCrypt::new(token.expose(), platform.encoding_aes_key.expose(), component_appid).map_err(|e| format!("component {component_appid}: {e}"))?;
    let field = |name: &str| message.get(name).and_then(Value::as_str).map(str::to_owned);
    let label = Label {
        appid: field("AuthorizerAppid").unwrap_or_else(|| component_appid.to_owned()),
        component_appid: Some(component_appid.to_owned()),
        event: field("InfoType").unwrap_or_default(),
    };
    let keys = Keys { token: token.expose(), crypt: Some(&crypt) };
    kit_push::seal_to(state, url, keys, (Mode::Safe, Format::Xml, ANSWER_TIMEOUT), message, label)
}

/// Delivers a push with WeChat's retries; resolves to the last answer `{status, answer}` (WeChat expects 200
/// `success`).
pub async fn deliver(push: Prepared) -> Result<Value, String> {
    delivery::deliver(push).await
}

/// Mints the platform's only valid ticket and seals it for `url`.
fn ticket_push(state: &mut State, component_appid: &str, url: &str) -> Result<(Value, Prepared), String> {
    let minted = records::set_ticket(state, component_appid, None)?;
    let ticket = minted["ticket"].as_str().unwrap_or_default().to_owned();
    let now = wall_unix().to_string();
    let fields = [("AppId", component_appid), ("CreateTime", now.as_str()), ("InfoType", "component_verify_ticket"), ("ComponentVerifyTicket", ticket.as_str())];
    let push = seal(state, component_appid, url, &fields)?;
    Ok((minted, push))
}

/// `pushTicket`: `url` becomes the platform's push URL; a fresh ticket is minted and sealed for it.
pub fn prepare_ticket(state: &mut State, component_appid: &str, url: &str) -> Result<(Value, Prepared), String> {
    if !matches!(Url::parse(url).map(|u| u.scheme().to_owned()).as_deref(), Ok("http" | "https")) {
        return Err(format!("url must be an http(s) URL, got {url:?}"));
    }
    state.record::<PushUrls>().0.insert(component_appid.to_owned(), url.to_owned());
    ticket_push(state, component_appid, url)
}

/// The `authorized` (or `updateauthorized`) event carrying `granted`'s code, when the platform has a push URL.
pub fn authorized_event(state: &mut State, component_appid: &str, authorizer: &str, update: bool, granted: &Value) -> Result<Option<Prepared>, String> {
    let Some(url) = state.record::<PushUrls>().0.get(component_appid).cloned() else { return Ok(None) };
    let now = wall_unix();
    let created = now.to_string();
    let info_type = if update { "updateauthorized" } else { "authorized" };
    let code = granted["authorizationCode"].as_str().unwrap_or_default();
    let expires = (now + granted["expiresIn"].as_i64().unwrap_or(3600)).to_string();
    let fields = [("AppId", component_appid), ("CreateTime", &created), ("InfoType", info_type), ("AuthorizerAppid", authorizer),
        ("AuthorizationCode", code), ("AuthorizationCodeExpiredTime", &expires)];
    seal(state, component_appid, &url, &fields).map(Some)
}

/// The `unauthorized` event, when the platform has a push URL.
pub fn unauthorized_event(state: &mut State, component_appid: &str, authorizer: &str) -> Result<Option<Prepared>, String> {
    let Some(url) = state.record::<PushUrls>().0.get(component_appid).cloned() else { return Ok(None) };
    let created = wall_unix().to_string();
    let fields = [("AppId", component_appid), ("CreateTime", &created), ("InfoType", "unauthorized"), ("AuthorizerAppid", authorizer)];
    seal(state, component_appid, &url, &fields).map(Some)
}

/// `api_start_push_ticket`: WeChat resumes pushes, so a fresh ticket goes to the known URL (in the background:
/// the API call answers at once, the push follows). Without a URL the ticket is only minted.
pub fn start_push_ticket(state: &mut State, component_appid: &str) -> Result<(), String> {
    let Some(url) = state.record::<PushUrls>().0.get(component_appid).cloned() else {
        return records::set_ticket(state, component_appid, None).map(|_| ());
    };
    let (_, push) = ticket_push(state, component_appid, &url)?;
    delivery::spawn(push);
    Ok(())
}

/// An event the caller built (with nested blocks), sealed for the platform's push URL; None when none is known.
pub fn custom_event(state: &mut State, component_appid: &str, message: &Map<String, Value>) -> Result<Option<Prepared>, String> {
    let Some(url) = state.record::<PushUrls>().0.get(component_appid).cloned() else { return Ok(None) };
    seal_message(state, component_appid, &url, message).map(Some)
}

#[cfg(test)]
mod tests {
    use wechat_protocol::crypto::push_message::{open, Keys};
    use wechat_protocol::crypto::{MsgCrypt, PushQuery};
    use crate::test_support::{code, TestEmulator};
    use axum::extract::{RawQuery, State};
    use serde_json::{json, Map, Value};
    use std::sync::{Arc, Mutex};

    const COMPONENT: &str = "wxcomponent0000001";
    const SECRET: &str = "componentsecret00000000000000001";
    const TOKEN: &str = "push-token";
    const KEY: &str = "kWxPEV2UEDyxWpmPdKC3F4dgPDmOvfKX1HGnEUDS1aA";
    const MERCHANT: &str = "wxmerchant00000001";

    /// Each push's message, as the client's push intake reads it.
    type Received = Arc<Mutex<Vec<Map<String, Value>>>>;

    /// A platform's push URL: verifies and decrypts every push with the platform's own crypt, answers success.
    async fn receiver() -> (Received, String) {
        let received: Received = Arc::default();
        async fn take(State(received): State<Received>, RawQuery(query): RawQuery, body: String) -> &'static str {
            let raw = query.unwrap_or_default();
            let query = PushQuery::from_pairs(url::form_urlencoded::parse(raw.as_bytes()).into_owned());
            let crypt = MsgCrypt::new(TOKEN, KEY, COMPONENT).unwrap();
            assert!(crypt.verify_signature(query.signature.as_deref().unwrap(), &query.timestamp, &query.nonce));
            let opened = open(Keys { token: TOKEN, crypt: Some(&crypt) }, &query, &body).expect("a valid push");
            received.lock().unwrap().push(opened.message);
            "success"
        }
        let app = axum::Router::new().fallback(take).with_state(received.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}/events", listener.local_addr().unwrap());
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        (received, url)
    }

    async fn emulator() -> TestEmulator {
        TestEmulator::start(json!({"components": [{"appid": COMPONENT, "secret": SECRET, "token": TOKEN, "encodingAesKey": KEY}]})).await
    }

    async fn component_token(emu: &TestEmulator, ticket: &str) -> Value {
        let body = json!({"component_appid": COMPONENT, "component_appsecret": SECRET, "component_verify_ticket": ticket});
        emu.raw_post("/cgi-bin/component/api_component_token", body).await
    }

    #[tokio::test]
    async fn a_pushed_ticket_is_the_only_one_accepted() {
        let emu = emulator().await;
        let (received, url) = receiver().await;
        let pushed = emu.control("pushTicket", json!({"url": url})).await;
        assert_eq!(pushed["delivery"], json!({"status": 200, "answer": "success"}));
        let ticket = received.lock().unwrap()[0]["ComponentVerifyTicket"].as_str().unwrap().to_owned();
        assert_eq!(pushed["ticket"], ticket.as_str());
        assert!(component_token(&emu, &ticket).await["component_access_token"].is_string());
        assert_eq!(code(&component_token(&emu, "ticket@@@guessed").await), 61006);
        // api_start_push_ticket: a new ticket follows at the known URL, and the old one is done.
        let start = json!({"component_appid": COMPONENT, "component_secret": SECRET});
        assert_eq!(code(&emu.raw_post("/cgi-bin/component/api_start_push_ticket", start).await), 0);
        for _ in 0..100 {
            if received.lock().unwrap().len() == 2 {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(10)).await;
        }
        let second = received.lock().unwrap()[1]["ComponentVerifyTicket"].as_str().unwrap().to_owned();
        assert_ne!(second, ticket);
        assert_eq!(code(&component_token(&emu, &ticket).await), 61006);
    }

    #[tokio::test]
    async fn authorization_events_follow_the_control_actions() {
        let emu = emulator().await;
        let (received, url) = receiver().await;
        emu.control("pushTicket", json!({"url": url})).await;
        let args = json!({"componentAppid": COMPONENT, "authorizerAppid": MERCHANT, "permissionSets": [45]});
        let first = emu.control("authorize", args.clone()).await;
        assert_eq!(first["delivery"]["status"], 200);
        let again = emu.control("authorize", args).await;
        emu.control("unauthorize", json!({"componentAppid": COMPONENT, "authorizerAppid": MERCHANT})).await;
        let events = received.lock().unwrap();
        let kinds: Vec<&str> = events.iter().map(|e| e["InfoType"].as_str().unwrap()).collect();
        assert_eq!(kinds, ["component_verify_ticket", "authorized", "authorized", "unauthorized"], "not yet exchanged: still authorized");
        assert_eq!(events[1]["AuthorizationCode"].as_str(), first["authorizationCode"].as_str());
        assert_eq!(events[2]["AuthorizationCode"].as_str(), again["authorizationCode"].as_str());
        assert_eq!(events[3]["AuthorizerAppid"], MERCHANT);
        assert!(events[1]["AuthorizationCodeExpiredTime"].as_i64().unwrap() > events[1]["CreateTime"].as_i64().unwrap());
    }

    #[tokio::test]
    async fn a_refresh_token_rotated_behind_the_platforms_back_answers_61023() {
        let emu = emulator().await;
        let ticket = emu.control("setTicket", json!({"componentAppid": COMPONENT})).await["ticket"].as_str().unwrap().to_owned();
        let ctoken = component_token(&emu, &ticket).await["component_access_token"].as_str().unwrap().to_owned();
        let code_args = json!({"componentAppid": COMPONENT, "authorizerAppid": MERCHANT, "permissionSets": [45]});
        let auth_code = emu.control("authorize", code_args).await["authorizationCode"].clone();
        let info = emu.call("component.queryAuth", &ctoken, json!({"component_appid": COMPONENT, "authorization_code": auth_code})).await;
        let refresh = info["authorization_info"]["authorizer_refresh_token"].as_str().unwrap().to_owned();
        emu.control("rotateRefreshToken", json!({"componentAppid": COMPONENT, "authorizerAppid": MERCHANT})).await;
        let body = json!({"component_appid": COMPONENT, "authorizer_appid": MERCHANT, "authorizer_refresh_token": refresh});
        assert_eq!(code(&emu.call("component.getAuthorizerAccessToken", &ctoken, body).await), 61023);
        let list = emu.call("component.getAuthorizerList", &ctoken, json!({"component_appid": COMPONENT, "offset": 0, "count": 10})).await;
        assert_ne!(list["list"][0]["refresh_token"], refresh.as_str());
        let sync = emu.emu.control("pushTicket", json!({"url": "http://127.0.0.1:9/"}));
        assert!(sync.unwrap_err().contains("JS emulator"), "the sync surface says where pushes work");
    }
}
