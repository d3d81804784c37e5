//! The component flows end to end against `fake_wechat` over HTTP: tickets from pushes, the component token,
//! queryAuth, refresh-token rotation and 61023 recovery, and what a rejected push leaves behind (nothing).

use super::config::ComponentConfig;
use super::fake_wechat::{self, Shared};
use super::{Component, RefreshTokenHook};
use wechat_protocol::crypto::{build_flat, MsgCrypt, PushQuery};
use crate::store::{keys, MemoryStore, Store};
use crate::transport::Transport;
use futures::FutureExt;
use std::sync::{Arc, Mutex};

const KEY: &str = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG";
const TOKEN: &str = "push-token";

struct Setup {
    component: Component,
    store: Arc<MemoryStore>,
    fake: Shared,
    /// (authorizer, refresh token) as the hook saw them.
    rotations: Arc<Mutex<Vec<(String, String)>>>,
}

async fn setup() -> Setup {
    let (fake, url) = fake_wechat::start().await;
    let raw = serde_json::from_str(&format!(r#"{{"appid":"wxcomp","secret":"component-secret","token":"{TOKEN}","encodingAesKey":"{KEY}"}}"#)).unwrap();
    let config = ComponentConfig::from_raw(raw).unwrap();
    let store = Arc::new(MemoryStore::new());
    let rotations: Arc<Mutex<Vec<(String, String)>>> = Arc::default();
    let seen = rotations.clone();
    let hook: RefreshTokenHook = Arc::new(move |r| {
        seen.lock().unwrap().push((r.authorizer_appid, r.refresh_token.expose().to_owned()));
        async {}.boxed()
    });
    let base: url::Url = url.parse().unwrap();
    let transport = Arc::new(Transport::new(std::slice::from_ref(&base), 1 << 20).unwrap());
    let component = Component::new(&config, transport, base, store.clone(), Some(hook));
    Setup { component, store, fake, rotations }
}

/// An encrypted push as WeChat sends it, signed with `token` and encrypted for `appid`.
fn push(appid: &str, token: &str, fields: &[(&str, &str)]) -> (PushQuery, String) {
    let crypt = MsgCrypt::new(token, KEY, appid).unwrap();
    let (body, signature) = crypt.encrypt_push(&build_flat(fields), "1700000000", "nonce1");
    let query = PushQuery { timestamp: "1700000000".into(), nonce: "nonce1".into(), msg_signature: Some(signature), ..Default::default() };
    (query, body)
}

fn ticket_push(ticket: &str) -> (PushQuery, String) {
    push("wxcomp", TOKEN, &[("AppId", "wxcomp"), ("CreateTime", "1700000000"), ("InfoType", "component_verify_ticket"), ("ComponentVerifyTicket", ticket)])
}

async fn with_ticket() -> Setup {
    let s = setup().await;
    s.fake.lock().unwrap().ticket = Some("ticket@1".into());
    let (q, body) = ticket_push("ticket@1");
    let report = s.component.handle_push(&q, &body).await.unwrap();
    assert_eq!(report.info_type, "component_verify_ticket");
    s
}

fn hits(s: &Setup, name: &str) -> u32 {
    s.fake.lock().unwrap().hits.get(name).copied().unwrap_or(0)
}

#[tokio::test]
async fn without_a_ticket_the_error_names_start_push_ticket() {
    let s = setup().await;
    let e = s.component.tokens().get().await.unwrap_err();
    assert_eq!(e.code, 61005);
    assert!(e.message.contains("startPushTicket"), "{}", e.message);
    assert_eq!(hits(&s, "api_component_token"), 0, "nothing is sent without a ticket");
}

#[tokio::test]
async fn a_pushed_ticket_gives_one_component_token_for_all_callers_and_is_stored() {
    let s = with_ticket().await;
    assert_eq!(s.store.get(&keys::ticket("wxcomp")).await.unwrap().as_deref(), Some("ticket@1"));
    let all = futures::future::join_all((0..50).map(|_| s.component.tokens().get())).await;
    assert!(all.iter().all(|t| t.as_ref().unwrap().expose() == all[0].as_ref().unwrap().expose()));
    assert_eq!(hits(&s, "api_component_token"), 1);
    let stored = s.store.get(&keys::component_token("wxcomp")).await.unwrap().unwrap();
    assert!(stored.contains(all[0].as_ref().unwrap().expose()) && stored.contains("expiresAt"));
}

#[tokio::test]
async fn a_rejected_component_token_is_renewed_once() {
    let s = with_ticket().await;
    s.component.tokens().get().await.unwrap();
    s.fake.lock().unwrap().component_token = Some("revoked-behind-our-back".into());
    // The fake only accepts the token it issues next.
    let e = s.component.pre_auth_code().await;
    let answer = e.unwrap();
    assert!(answer["preAuthCode"].as_str().unwrap().starts_with("preauth-"));
    assert_eq!(hits(&s, "api_component_token"), 2);
}

#[tokio::test]
async fn query_auth_stores_tokens_and_rotation_is_saved_every_time() {
    let s = with_ticket().await;
    s.fake.lock().unwrap().rotate = true;
    let info = s.component.query_auth("code-wxa").await.unwrap();
    assert_eq!(info["authorizerAppid"], "wxa");
    assert!(info.get("authorizerRefreshToken").is_none() && info.get("authorizerAccessToken").is_none(), "tokens stay inside");
    let first = s.store.get(&keys::refresh_token("wxcomp", "wxa")).await.unwrap().unwrap();
    assert_eq!(s.rotations.lock().unwrap().clone(), vec![("wxa".to_owned(), first.clone())]);

    // The access token from queryAuth is used as is.
    let tokens = s.component.authorizer_tokens("wxa");
    let from_query = tokens.get().await.unwrap();
    assert_eq!(hits(&s, "api_authorizer_token"), 0);

    // Rejected: a refresh, whose rotated refresh token is stored before the new access token is handed out.
    let fresh = tokens.replace_rejected(&from_query).await.unwrap();
    assert_ne!(fresh.expose(), from_query.expose());
    let second = s.store.get(&keys::refresh_token("wxcomp", "wxa")).await.unwrap().unwrap();
    assert_ne!(second, first);
    assert_eq!(s.fake.lock().unwrap().refresh["wxa"], second);
    assert_eq!(s.rotations.lock().unwrap().last().unwrap().1, second);
}

#[tokio::test]
async fn a_stale_refresh_token_is_recovered_through_the_authorizer_list() {
    let s = with_ticket().await;
    {
        let mut f = s.fake.lock().unwrap();
        f.refresh.insert("wx0".into(), "other".into());
        f.refresh.insert("wxa".into(), "current".into());
    }
    s.store.set(&keys::refresh_token("wxcomp", "wxa"), "stale", None).await.unwrap();
    let token = s.component.authorizer_tokens("wxa").get().await.unwrap();
    assert!(token.expose().starts_with("atoken-"));
    assert_eq!(s.store.get(&keys::refresh_token("wxcomp", "wxa")).await.unwrap().as_deref(), Some("current"));
    assert_eq!(hits(&s, "api_get_authorizer_list"), 2, "paged until found");
    assert_eq!(s.rotations.lock().unwrap().clone(), vec![("wxa".to_owned(), "current".to_owned())]);
}

#[tokio::test]
async fn an_authorizer_unknown_to_the_list_must_authorize_again() {
    let s = with_ticket().await;
    s.store.set(&keys::refresh_token("wxcomp", "wxa"), "stale", None).await.unwrap();
    let e = s.component.authorizer_tokens("wxa").get().await.unwrap_err();
    assert_eq!(e.code, 61023);
    assert!(e.message.contains("must authorize again"), "{}", e.message);
    let e = s.component.authorizer_tokens("wxnever").get().await.unwrap_err();
    assert!(e.message.contains("must authorize this platform first"), "{}", e.message);
    assert!(!e.message.contains("stale"));
}

#[tokio::test]
async fn authorization_events_are_reported_and_unauthorized_drops_tokens() {
    let s = with_ticket().await;
    s.component.query_auth("code-wxa").await.unwrap();
    let (q, body) = push("wxcomp", TOKEN, &[("AppId", "wxcomp"), ("CreateTime", "1700000001"), ("InfoType", "authorized"),
        ("AuthorizerAppid", "wxa"), ("AuthorizationCode", "code-wxa"), ("AuthorizationCodeExpiredTime", "1700003600"), ("PreAuthCode", "p")]);
    let report = s.component.handle_push(&q, &body).await.unwrap();
    let json = serde_json::to_value(&report).unwrap();
    assert_eq!(json["infoType"], "authorized");
    assert_eq!(json["authorizationCode"], "code-wxa");
    assert_eq!(json["authorizationCodeExpiredTime"], 1700003600);
    let (q, body) = push("wxcomp", TOKEN, &[("AppId", "wxcomp"), ("CreateTime", "1700000002"), ("InfoType", "unauthorized"), ("AuthorizerAppid", "wxa")]);
    s.component.handle_push(&q, &body).await.unwrap();
    assert_eq!(s.store.get(&keys::refresh_token("wxcomp", "wxa")).await.unwrap(), None);
    assert_eq!(s.store.get(&keys::authorizer_token("wxcomp", "wxa")).await.unwrap(), None);
}

#[tokio::test]
async fn tampered_pushes_are_rejected_and_nothing_is_stored() {
    let s = setup().await;
    let fields = |appid: &'static str| -> Vec<(&'static str, &'static str)> {
        vec![("AppId", appid), ("CreateTime", "1"), ("InfoType", "component_verify_ticket"), ("ComponentVerifyTicket", "evil")]
    };
    let (mut bad_sig, body) = push("wxcomp", TOKEN, &fields("wxcomp"));
    bad_sig.msg_signature = Some("0".repeat(40));
    let (wrong_token_q, wrong_token_body) = push("wxcomp", "another-token", &fields("wxcomp"));
    let (other_trailer_q, other_trailer_body) = push("wxother", TOKEN, &fields("wxother"));
    let (inner_q, inner_body) = push("wxcomp", TOKEN, &fields("wxother"));
    let (q, _) = push("wxcomp", TOKEN, &fields("wxcomp"));
    let cases = [
        (bad_sig, body.clone(), "signature mismatch"),
        (wrong_token_q, wrong_token_body, "signature mismatch"),
        (other_trailer_q, other_trailer_body, "appid in decrypted payload does not match"),
        (inner_q, inner_body, "not this platform's appid"),
        (q.clone(), "<xml><Encrypt>".to_owned(), "invalid push XML"),
        (q.clone(), "<!DOCTYPE x><xml></xml>".to_owned(), "DOCTYPE"),
        (q, format!("<xml><Encrypt>{}</Encrypt></xml>", "A".repeat(2 << 20)), "exceeds the size limit"),
    ];
    for (query, body, why) in cases {
        let e = s.component.handle_push(&query, &body).await.unwrap_err();
        assert_eq!((e.code, e.api.as_str()), (-601002, "component.handlePush"));
        assert!(e.message.starts_with("push rejected: ") && e.message.contains(why), "{why}: {}", e.message);
        assert!(!e.message.contains("evil"));
    }
    assert_eq!(s.store.get(&keys::ticket("wxcomp")).await.unwrap(), None);
}
