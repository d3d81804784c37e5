//! The component flows end to end over HTTP, against the emulator (and a scripted server where WeChat's answer
//! must be one the emulator never gives): tickets from pushes, the component token, queryAuth, refresh-token
//! rotation and 61023 recovery, and what a rejected push leaves behind (nothing).

mod support;

use serde_json::{json, Value};
use support::{emulator_with_platform, platform, requests, scripted, Platform, COMPONENT, KEY, PUSH_TOKEN};
use wechat_client::client::CallOptions;
use wechat_client::component::Component;
use wechat_client::store::{keys, Store};
use wechat_emulator::Emulator;
use wechat_protocol::crypto::{build_flat, MsgCrypt, PushQuery};

const MERCHANT: &str = "wxmerchant00000001";

struct Setup {
    emu: Emulator,
    p: Platform,
}

impl Setup {
    fn component(&self) -> &Component {
        self.p.client.component("test").unwrap()
    }

    fn control(&self, action: &str, args: Value) -> Value {
        serde_json::from_str(&self.emu.control_json(action, &args.to_string()).unwrap()).unwrap()
    }

    /// The merchant authorizes the platform; the authorization code for queryAuth.
    fn authorize(&self) -> String {
        let answer = self.control("authorize", json!({ "componentAppid": COMPONENT, "authorizerAppid": MERCHANT, "permissionSets": [1] }));
        answer["authorizationCode"].as_str().unwrap().to_owned()
    }

    /// The merchant's refresh token as WeChat knows it, read through the authorizer list.
    async fn listed_refresh_token(&self) -> String {
        let params = json!({ "componentAppid": COMPONENT, "offset": 0, "count": 100 }).to_string();
        let answer = self.p.client.call("component.getAuthorizerList", &params, CallOptions::default()).await.unwrap();
        let wechat_client::client::Outcome::Json { text, .. } = answer else { panic!("not JSON") };
        let list: Value = serde_json::from_str(&text).unwrap();
        let merchant = list["list"].as_array().unwrap().iter().find(|a| a["authorizerAppid"] == MERCHANT).unwrap();
        merchant["refreshToken"].as_str().unwrap().to_owned()
    }
}

async fn setup() -> Setup {
    let emu = emulator_with_platform().await;
    let p = platform(emu.url(), "");
    Setup { emu, p }
}

/// Unix seconds now.
fn now() -> i64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs() as i64
}

/// An encrypted push as WeChat sends it, signed with `token` and encrypted for `appid`, stamped now: a
/// `CreateTime` of 1700000000 + k is written as now + k (pushes older than 5 minutes are refused).
fn push(appid: &str, token: &str, fields: &[(&str, &str)]) -> (PushQuery, String) {
    push_at(appid, token, fields, now())
}

fn push_at(appid: &str, token: &str, fields: &[(&str, &str)], stamp: i64) -> (PushQuery, String) {
    let crypt = MsgCrypt::new(token, KEY, appid).unwrap();
    let created: Vec<String> = fields.iter().map(|(k, v)| match (*k, v.parse::<i64>()) {
        ("CreateTime", Ok(t)) if t >= 1_700_000_000 => (stamp + t - 1_700_000_000).to_string(),
        _ => v.to_string(),
    }).collect();
    let fields: Vec<(&str, &str)> = fields.iter().zip(&created).map(|((k, _), v)| (*k, v.as_str())).collect();
    let timestamp = stamp.to_string();
    let (body, signature) = crypt.encrypt_push(&build_flat(&fields), &timestamp, "nonce1");
    let query = PushQuery { timestamp, nonce: "nonce1".into(), msg_signature: Some(signature), ..Default::default() };
    (query, body)
}

fn ticket_push(ticket: &str) -> (PushQuery, String) {
    push(COMPONENT, PUSH_TOKEN, &[("AppId", COMPONENT), ("CreateTime", "1700000000"), ("InfoType", "component_verify_ticket"), ("ComponentVerifyTicket", ticket)])
}

async fn with_ticket() -> Setup {
    let s = setup().await;
    s.control("setTicket", json!({ "componentAppid": COMPONENT, "ticket": "ticket@1" }));
    let (q, body) = ticket_push("ticket@1");
    let report = s.component().handle_push(&q, &body).await.unwrap();
    assert_eq!(report.info_type, "component_verify_ticket");
    s
}

#[tokio::test]
async fn without_a_ticket_the_error_names_start_push_ticket() {
    let s = setup().await;
    let e = s.component().tokens().get().await.unwrap_err();
    assert_eq!(e.code, 61005);
    assert!(e.message.contains("startPushTicket"), "{}", e.message);
    assert_eq!(requests(&s.emu, "component.getComponentAccessToken"), 0, "nothing is sent without a ticket");
}

#[tokio::test]
async fn a_pushed_ticket_gives_one_component_token_for_all_callers_and_is_stored() {
    let s = with_ticket().await;
    assert_eq!(s.p.store.get(&keys::ticket(COMPONENT)).await.unwrap().as_deref(), Some("ticket@1"));
    let all = futures::future::join_all((0..50).map(|_| s.component().tokens().get())).await;
    assert!(all.iter().all(|t| t.as_ref().unwrap().expose() == all[0].as_ref().unwrap().expose()));
    assert_eq!(requests(&s.emu, "component.getComponentAccessToken"), 1);
    let stored = s.p.store.get(&keys::component_token(COMPONENT)).await.unwrap().unwrap();
    assert!(stored.contains(all[0].as_ref().unwrap().expose()) && stored.contains("expiresAt"));
}

#[tokio::test]
async fn a_rejected_component_token_is_renewed_once() {
    let s = with_ticket().await;
    s.component().tokens().get().await.unwrap();
    s.control("revokeToken", json!({ "componentAppid": COMPONENT }));
    // WeChat only accepts the token it issues next.
    let answer = s.component().pre_auth_code(&Default::default()).await.unwrap();
    assert!(answer["preAuthCode"].as_str().unwrap().starts_with("preauthcode@@@"), "{answer}");
    assert_eq!(requests(&s.emu, "component.getComponentAccessToken"), 2);
}

#[tokio::test]
async fn query_auth_stores_tokens_and_rotation_is_saved_every_time() {
    let s = with_ticket().await;
    let info = s.component().query_auth(&s.authorize(), &Default::default()).await.unwrap();
    assert_eq!(info["authorizerAppid"], MERCHANT);
    assert!(info.get("authorizerRefreshToken").is_none() && info.get("authorizerAccessToken").is_none(), "tokens stay inside");
    let first = s.p.store.get(&keys::refresh_token(COMPONENT, MERCHANT)).await.unwrap().unwrap();
    assert_eq!(s.p.rotations.lock().unwrap().clone(), vec![(MERCHANT.to_owned(), first.clone())]);

    // The access token from queryAuth is used as is.
    let tokens = s.component().authorizer_tokens(MERCHANT);
    let from_query = tokens.get().await.unwrap();
    assert_eq!(requests(&s.emu, "component.getAuthorizerAccessToken"), 0);

    // Rejected: a refresh, whose rotated refresh token is stored before the new access token is handed out.
    let fresh = tokens.replace_rejected(&from_query).await.unwrap();
    assert_ne!(fresh.expose(), from_query.expose());
    let second = s.p.store.get(&keys::refresh_token(COMPONENT, MERCHANT)).await.unwrap().unwrap();
    assert_ne!(second, first);
    assert_eq!(s.listed_refresh_token().await, second);
    assert_eq!(s.p.rotations.lock().unwrap().last().unwrap().1, second);
}

/// A WeChat whose refresh tokens do not rotate and whose authorizer list has `wxa` on its second page.
#[tokio::test]
async fn a_stale_refresh_token_is_recovered_through_the_authorizer_list() {
    let wechat = scripted(|name, body| match name {
        "api_component_token" => json!({ "component_access_token": "ctoken-1", "expires_in": 7200 }),
        "api_authorizer_token" if body["authorizer_refresh_token"] == "current" => {
            json!({ "authorizer_access_token": "atoken-1", "expires_in": 7200, "authorizer_refresh_token": "current" })
        }
        "api_authorizer_token" => json!({ "errcode": 61023, "errmsg": "refresh_token is invalid" }),
        "api_get_authorizer_list" => {
            let mut list: Vec<Value> = (0..500).map(|i| json!({ "authorizer_appid": format!("wx{i}"), "refresh_token": "other", "auth_time": 1 })).collect();
            list.push(json!({ "authorizer_appid": "wxa", "refresh_token": "current", "auth_time": 1 }));
            let (offset, count) = (body["offset"].as_u64().unwrap_or(0) as usize, body["count"].as_u64().unwrap_or(500) as usize);
            json!({ "total_count": list.len(), "list": list.iter().skip(offset).take(count).collect::<Vec<_>>() })
        }
        _ => json!({ "errcode": -1, "errmsg": "not scripted" }),
    })
    .await;
    let p = platform(&wechat.url, "");
    p.store.set(&keys::ticket(COMPONENT), "ticket@1", None).await.unwrap();
    p.store.set(&keys::refresh_token(COMPONENT, "wxa"), "stale", None).await.unwrap();
    let token = p.client.component("test").unwrap().authorizer_tokens("wxa").get().await.unwrap();
    assert!(token.expose().starts_with("atoken-"));
    assert_eq!(p.store.get(&keys::refresh_token(COMPONENT, "wxa")).await.unwrap().as_deref(), Some("current"));
    assert_eq!(wechat.hits("api_get_authorizer_list"), 2, "paged until found");
    assert_eq!(p.rotations.lock().unwrap().clone(), vec![("wxa".to_owned(), "current".to_owned())]);
}

/// A WeChat whose authorizer list claims 10^15 authorizers: full pages of strangers, or short pages.
async fn endless_list(page: usize, delay_ms: u64) -> support::Scripted {
    scripted(move |name, body| match name {
        "api_component_token" => json!({ "component_access_token": "ctoken-1", "expires_in": 7200 }),
        "api_authorizer_token" => json!({ "errcode": 61023, "errmsg": "refresh_token is invalid" }),
        "api_get_authorizer_list" => {
            std::thread::sleep(std::time::Duration::from_millis(delay_ms));
            let offset = body["offset"].as_u64().unwrap_or(0);
            let list: Vec<Value> = (0..page as u64).map(|i| json!({ "authorizer_appid": format!("wx{}", offset + i), "refresh_token": "r", "auth_time": 1 })).collect();
            json!({ "total_count": 1_000_000_000_000_000u64, "list": list })
        }
        _ => json!({ "errcode": -1, "errmsg": "not scripted" }),
    })
    .await
}

async fn stale_platform(url: &str, extra: &str) -> support::Platform {
    let p = platform(url, extra);
    p.store.set(&keys::ticket(COMPONENT), "ticket@1", None).await.unwrap();
    p.store.set(&keys::refresh_token(COMPONENT, "wxa"), "stale", None).await.unwrap();
    p
}

#[tokio::test]
async fn recovering_a_61023_reads_a_bounded_number_of_pages() {
    // Full pages, total_count 10^15: capped.
    let wechat = endless_list(500, 0).await;
    let p = stale_platform(&wechat.url, "").await;
    let e = p.client.component("test").unwrap().authorizer_tokens("wxa").get().await.unwrap_err();
    assert_eq!(e.code, 61023);
    let pages = wechat.hits("api_get_authorizer_list");
    assert!((1..=100).contains(&pages), "{pages} pages");
    // A short page is the last one.
    let wechat = endless_list(3, 0).await;
    let p = stale_platform(&wechat.url, "").await;
    p.client.component("test").unwrap().authorizer_tokens("wxa").get().await.unwrap_err();
    assert_eq!(wechat.hits("api_get_authorizer_list"), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn paging_stops_when_the_caller_gives_up() {
    let wechat = endless_list(500, 20).await;
    let p = stale_platform(&wechat.url, "").await;
    let tokens = p.client.component("test").unwrap().authorizer_tokens("wxa");
    let gave_up = tokio::time::timeout(std::time::Duration::from_millis(150), tokens.get()).await;
    assert!(gave_up.is_err(), "{:?} after {} pages", gave_up.map(|r| r.map(|t| t.expose().to_owned())), wechat.hits("api_get_authorizer_list"));
    let at_give_up = wechat.hits("api_get_authorizer_list");
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    assert!(wechat.hits("api_get_authorizer_list") <= at_give_up + 1, "no paging after the caller left");
}

#[tokio::test]
async fn an_authorizer_unknown_to_the_list_must_authorize_again() {
    let s = with_ticket().await;
    s.p.store.set(&keys::refresh_token(COMPONENT, "wxa"), "stale", None).await.unwrap();
    let e = s.component().authorizer_tokens("wxa").get().await.unwrap_err();
    assert_eq!(e.code, 61023);
    assert!(e.message.contains("must authorize again"), "{}", e.message);
    let e = s.component().authorizer_tokens("wxnever").get().await.unwrap_err();
    assert!(e.message.contains("must authorize this platform first"), "{}", e.message);
    assert!(!e.message.contains("stale"));
}

#[tokio::test]
async fn authorization_events_are_reported_and_unauthorized_drops_tokens() {
    let s = with_ticket().await;
    let code = s.authorize();
    s.component().query_auth(&code, &Default::default()).await.unwrap();
    let (q, body) = push(COMPONENT, PUSH_TOKEN, &[("AppId", COMPONENT), ("CreateTime", "1700000001"), ("InfoType", "authorized"),
        ("AuthorizerAppid", MERCHANT), ("AuthorizationCode", &code), ("AuthorizationCodeExpiredTime", "1700003600"), ("PreAuthCode", "p")]);
    let report = s.component().handle_push(&q, &body).await.unwrap();
    let json = serde_json::to_value(&report).unwrap();
    assert_eq!(json["infoType"], "authorized");
    assert_eq!(json["authorizationCode"], code.as_str());
    assert_eq!(json["authorizationCodeExpiredTime"], 1700003600);
    let (q, body) = push(COMPONENT, PUSH_TOKEN, &[("AppId", COMPONENT), ("CreateTime", "1700000002"), ("InfoType", "unauthorized"), ("AuthorizerAppid", MERCHANT)]);
    s.component().handle_push(&q, &body).await.unwrap();
    assert_eq!(s.p.store.get(&keys::refresh_token(COMPONENT, MERCHANT)).await.unwrap(), None);
    assert_eq!(s.p.store.get(&keys::authorizer_token(COMPONENT, MERCHANT)).await.unwrap(), None);
}

#[tokio::test]
async fn tampered_pushes_are_rejected_and_nothing_is_stored() {
    let s = setup().await;
    let fields = |appid: &'static str| -> Vec<(&'static str, &'static str)> {
        vec![("AppId", appid), ("CreateTime", "1"), ("InfoType", "component_verify_ticket"), ("ComponentVerifyTicket", "evil")]
    };
    let (mut bad_sig, body) = push(COMPONENT, PUSH_TOKEN, &fields(COMPONENT));
    bad_sig.msg_signature = Some("0".repeat(40));
    let (wrong_token_q, wrong_token_body) = push(COMPONENT, "another-token", &fields(COMPONENT));
    let (other_trailer_q, other_trailer_body) = push("wxother", PUSH_TOKEN, &fields("wxother"));
    let (inner_q, inner_body) = push(COMPONENT, PUSH_TOKEN, &fields("wxother"));
    let (q, _) = push(COMPONENT, PUSH_TOKEN, &fields(COMPONENT));
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
        let e = s.component().handle_push(&query, &body).await.unwrap_err();
        assert_eq!((e.code, e.api.as_str()), (-601002, "component.handlePush"));
        assert!(e.message.starts_with("push rejected: ") && e.message.contains(why), "{why}: {}", e.message);
        assert!(!e.message.contains("evil"));
    }
    assert_eq!(s.p.store.get(&keys::ticket(COMPONENT)).await.unwrap(), None);
}

#[tokio::test]
async fn stale_pushes_are_refused_replays_ignored_and_older_tickets_never_stored() {
    let s = setup().await;
    s.control("setTicket", json!({ "componentAppid": COMPONENT, "ticket": "ticket@1" }));
    let fields = [("AppId", COMPONENT), ("CreateTime", "1700000000"), ("InfoType", "component_verify_ticket"), ("ComponentVerifyTicket", "ticket@1")];
    let (q, body) = push_at(COMPONENT, PUSH_TOKEN, &fields, 978_307_200); // 2001
    let e = s.component().handle_push(&q, &body).await.unwrap_err();
    assert_eq!(e.code, -601002);
    assert!(e.message.starts_with("push rejected: stale push: its query timestamp is "), "{}", e.message);
    assert_eq!(s.p.store.get(&keys::ticket(COMPONENT)).await.unwrap(), None);
    let (q, body) = push(COMPONENT, PUSH_TOKEN, &fields);
    let first = s.component().handle_push(&q, &body).await.unwrap();
    assert_eq!(first.ignored, None);
    // Handled once its listeners settled (JS does this after they ran).
    s.component().settle_push(&first.push_key, true).await.unwrap();
    assert_eq!(s.component().handle_push(&q, &body).await.unwrap().ignored, Some("duplicate"));
    let older = [("AppId", COMPONENT), ("CreateTime", "1700000000"), ("InfoType", "component_verify_ticket"), ("ComponentVerifyTicket", "ticket@0")];
    let (q, body) = push_at(COMPONENT, PUSH_TOKEN, &older, now() - 10);
    assert_eq!(s.component().handle_push(&q, &body).await.unwrap().ignored, Some("stale ticket"));
    assert_eq!(s.p.store.get(&keys::ticket(COMPONENT)).await.unwrap().as_deref(), Some("ticket@1"));
}
