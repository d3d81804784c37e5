//! One road to WeChat: the platform flows (`Component::start_push_ticket`, `pre_auth_code`, `query_auth`)
//! are retried, reported and timed exactly like the same rows called through `Client::call`.

mod support;

use futures::future::{FutureExt, LocalBoxFuture};
use serde_json::json;
use std::sync::Arc;
use std::time::{Duration, Instant};
use support::{emulator_with_platform, platform, requests, silent_host, Recorder, COMPONENT, COMPONENT_SECRET};
use wechat_client::client::config::ClientConfig;
use wechat_client::client::{CallOptions, Client};
use wechat_client::store::{keys, Store};
use wechat_emulator::{EmulatorConfig, DEMO_APPID, DEMO_SECRET};

#[tokio::test]
async fn start_push_ticket_meets_busy_once_and_succeeds_on_the_retry_with_events() {
    let emu = emulator_with_platform().await;
    let p = platform(emu.url(), "");
    emu.control_json("injectFault", r#"{"name":"component.startPushTicket","errcode":-1,"times":1}"#).unwrap();
    p.client.start_push_ticket(&Default::default()).await.unwrap();
    let api = "component.startPushTicket".to_owned();
    let expected = [("request", api.clone(), 1), ("retry", api.clone(), 1), ("request", api.clone(), 2), ("response", api.clone(), 2)];
    assert_eq!(p.events.seen(), expected);
    let retry = p.events.0.lock().unwrap()[1].clone();
    assert_eq!((retry.err_code, retry.reason, retry.category), (Some(-1), Some("transient"), Some("busy")));
    assert_eq!(requests(&emu, "component.startPushTicket"), 2);

    // The same row through openapi: the same walk, the same events.
    emu.control_json("injectFault", r#"{"name":"component.startPushTicket","errcode":-1,"times":1}"#).unwrap();
    p.events.0.lock().unwrap().clear();
    let params = json!({ "componentAppid": COMPONENT, "componentSecret": COMPONENT_SECRET }).to_string();
    p.client.call("component.startPushTicket", &params, CallOptions::default()).await.unwrap();
    assert_eq!(p.events.seen(), expected);
}

#[tokio::test]
async fn pre_auth_code_reports_one_call_and_keeps_the_component_token_fetch_quiet() {
    let emu = emulator_with_platform().await;
    let p = platform(emu.url(), "");
    emu.control_json("setTicket", &format!(r#"{{"componentAppid":"{COMPONENT}","ticket":"ticket@1"}}"#)).unwrap();
    p.store.set(&keys::ticket(COMPONENT), "ticket@1", None).await.unwrap();
    let answer = p.client.pre_auth_code(&Default::default()).await.unwrap();
    assert!(answer["preAuthCode"].as_str().unwrap().starts_with("preauthcode@@@"));
    let api = "component.getPreAuthCode".to_owned();
    assert_eq!(p.events.seen(), [("request", api.clone(), 1), ("response", api, 1)]);
}

#[tokio::test]
async fn every_flow_honours_the_clients_timeout_against_a_silent_host() {
    let host = silent_host().await;
    let p = platform(&host, r#","timeout":1000"#);
    p.store.set(&keys::ticket(COMPONENT), "ticket@1", None).await.unwrap();
    let flows: [(&str, LocalBoxFuture<'_, i64>); 3] = [
        ("component.startPushTicket", async { p.client.start_push_ticket(&Default::default()).await.unwrap_err().code }.boxed_local()),
        ("component.getPreAuthCode", async { p.client.pre_auth_code(&Default::default()).await.unwrap_err().code }.boxed_local()),
        ("component.queryAuth", async { p.client.query_auth("code-1", &Default::default()).await.unwrap_err().code }.boxed_local()),
    ];
    for (api, flow) in flows {
        let started = Instant::now();
        let code = flow.await;
        let took = started.elapsed();
        assert_eq!(code, -604102, "{api}");
        assert!(took >= Duration::from_millis(900) && took < Duration::from_millis(2500), "{api} took {took:?}");
    }
    let responses: Vec<_> = p.events.0.lock().unwrap().iter().filter(|e| e.kind.as_str() == "response").map(|e| (e.api.clone(), e.err_code)).collect();
    assert_eq!(responses.len(), 3, "{responses:?}");
    assert!(responses.iter().all(|(_, code)| *code == Some(-604102)));
}

/// A token fetch is its row through the exchange, once: the call waiting for the token retries it (the call
/// itself was never sent), so a busy token endpoint costs one extra fetch, not a retry loop inside a retry loop.
#[tokio::test]
async fn a_busy_token_endpoint_is_retried_by_the_waiting_call() {
    let emu = wechat_emulator::start(EmulatorConfig::from_json("{}").unwrap()).await.unwrap();
    let config = format!(r#"{{"appid":"{DEMO_APPID}","secret":"{DEMO_SECRET}","apiBase":"{}"}}"#, emu.url());
    let client = Client::new(ClientConfig::from_json(&config).unwrap(), None).unwrap();
    let events = Arc::new(Recorder::default());
    client.observers().set(Some(events.clone()));
    emu.control_json("injectFault", r#"{"name":"auth.getStableAccessToken","errcode":-1,"times":1}"#).unwrap();
    client.call("logistics.getAllAccount", "{}", CallOptions::default()).await.unwrap();
    assert_eq!(requests(&emu, "auth.getStableAccessToken"), 2);
    let kinds: Vec<_> = events.seen().into_iter().map(|(kind, _, attempt)| (kind, attempt)).collect();
    assert_eq!(kinds, [("token", 1), ("retry", 1), ("token", 1), ("request", 1), ("response", 1)]);
    let failed_fetch = events.0.lock().unwrap()[0].clone();
    assert_eq!((failed_fetch.err_code, failed_fetch.reason), (Some(-1), Some("fetch")));
}
