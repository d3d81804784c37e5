//! The pipeline's events against the emulator over real HTTP: order, fields, and no credential anywhere.

use wechat_client::client::config::ClientConfig;
use wechat_client::client::events::{epoch_ms, CallEvent, EventKind, Observer};
use wechat_client::client::{CallOptions, Client};
use wechat_emulator::{self as emulator, EmulatorConfig, DEMO_APPID, DEMO_SECRET};
use std::sync::{Arc, Mutex};

#[derive(Default)]
struct Recorder(Mutex<Vec<CallEvent>>);

impl Observer for Recorder {
    fn event(&self, e: &CallEvent) {
        self.0.lock().unwrap().push(e.clone());
    }
}

async fn setup() -> (emulator::Emulator, Client, Arc<Recorder>) {
    let emu = emulator::start(EmulatorConfig::from_json("{}").unwrap()).await.unwrap();
    let config = format!(r#"{{"appid":"{DEMO_APPID}","secret":"{DEMO_SECRET}","apiBase":"{}"}}"#, emu.url());
    let client = Client::new(ClientConfig::from_json(&config).unwrap(), None).unwrap();
    let recorder = Arc::new(Recorder::default());
    client.observers().set(Some(recorder.clone()));
    (emu, client, recorder)
}

fn kinds(events: &[CallEvent]) -> Vec<(&'static str, u32)> {
    events.iter().map(|e| (e.kind.as_str(), e.attempt)).collect()
}

#[tokio::test]
async fn a_retried_call_reports_token_request_retry_response() {
    let (emu, client, recorder) = setup().await;
    emu.control_json("injectFault", r#"{"name":"logistics.getAllAccount","errcode":-1,"times":1}"#).unwrap();
    client.call("logistics.getAllAccount", "{}", CallOptions::default()).await.unwrap();
    let events = recorder.0.lock().unwrap().clone();
    assert_eq!(kinds(&events), [("token", 1), ("request", 1), ("retry", 1), ("request", 2), ("response", 2)]);
    let token = &events[0];
    assert_eq!((token.reason, token.appid.as_deref(), token.err_code), (Some("fetch"), Some(DEMO_APPID), Some(0)));
    let expires_in_s = (token.expires_at_ms.unwrap() - epoch_ms(std::time::SystemTime::now())) / 1000.0;
    assert!((7190.0..=7200.0).contains(&expires_in_s), "{expires_in_s}");
    let retry = &events[2];
    assert_eq!((retry.err_code, retry.category, retry.reason, retry.http_status), (Some(-1), Some("busy"), Some("transient"), Some(200)));
    let response = &events[4];
    assert_eq!((response.err_code, response.http_status, response.api.as_str()), (Some(0), Some(200), "logistics.getAllAccount"));
    assert!(response.duration_ms.unwrap() > 0.0);
    let all = format!("{events:?}");
    assert!(!all.contains(DEMO_SECRET));
    let report = client.token_reports();
    assert_eq!((report.len(), report[0].kind, report[0].cached), (1, "app", true));
}

#[tokio::test]
async fn a_rejected_token_is_a_retry_and_a_refresh() {
    let (emu, client, recorder) = setup().await;
    client.call("logistics.getAllAccount", "{}", CallOptions::default()).await.unwrap();
    emu.control_json("revokeToken", &format!(r#"{{"appid":"{DEMO_APPID}"}}"#)).unwrap();
    recorder.0.lock().unwrap().clear();
    client.call("logistics.getAllAccount", "{}", CallOptions::default()).await.unwrap();
    let events = recorder.0.lock().unwrap().clone();
    assert_eq!(kinds(&events), [("request", 1), ("retry", 1), ("token", 1), ("request", 2), ("response", 2)]);
    assert_eq!((events[1].err_code, events[1].reason, events[1].delay_ms), (Some(40001), Some("token-rejected"), Some(0.0)));
    assert_eq!(events[2].reason, Some("refresh"));
}

#[tokio::test]
async fn failures_and_argument_errors_end_with_one_response() {
    let (_emu, client, recorder) = setup().await;
    client.call("logistics.getOrder", r#"{"orderId":1}"#, CallOptions::default()).await.unwrap_err();
    let wrong = client.call("logistics.getPath", r#"{"orderId":"nope","openid":"o","deliveryId":"SF","waybillId":"w"}"#, CallOptions::default());
    let e = wrong.await.unwrap_err();
    let events = recorder.0.lock().unwrap().clone();
    let responses: Vec<_> = events.iter().filter(|e| e.kind == EventKind::Response).collect();
    assert_eq!(responses.len(), 2);
    assert_eq!((responses[0].err_code, responses[0].attempt, responses[0].http_status), (Some(-601002), 0, None));
    assert_eq!(responses[1].err_code, Some(e.code));
    assert_eq!(responses[1].http_status, Some(200));
}
