//! No more ambiguous orders: an `addOrder` whose outcome is unknown (it may have run) is looked up with
//! `getOrder` before the caller hears anything. Found → its waybill, `reconciled: true`; provably absent → sent
//! again; the lookup failing → the original error. Against the emulator, whose faults run the call or not.

mod support;

use serde_json::{json, Value};
use std::sync::Arc;
use support::{requests, Recorder};
use wechat_client::client::config::ClientConfig;
use wechat_client::client::{CallOptions, Client};
use wechat_client::exchange::Outcome;
use wechat_emulator::{Emulator, EmulatorConfig, DEMO_APPID, DEMO_SECRET};

struct World {
    emu: Emulator,
    client: Client,
    events: Arc<Recorder>,
    openid: String,
}

async fn world(extra: &str) -> World {
    let emu = wechat_emulator::start(EmulatorConfig::from_json("{}").unwrap()).await.unwrap();
    emu.control("seedAccounts", json!({"accounts": [{"bizId": "biz-1", "deliveryId": "SF"}]})).unwrap();
    let openid = emu.control("openids", json!({})).unwrap()["openids"][0].as_str().unwrap().to_owned();
    let config = format!(r#"{{"appid":"{DEMO_APPID}","secret":"{DEMO_SECRET}","apiBase":"{}"{extra}}}"#, emu.url());
    let client = Client::new(ClientConfig::from_json(&config).unwrap(), None).unwrap();
    let events = Arc::new(Recorder::default());
    client.observers().set(Some(events.clone()));
    World { emu, client, events, openid }
}

fn order(openid: &str, order_id: &str) -> String {
    json!({
        "orderId": order_id, "openid": openid, "deliveryId": "SF", "bizId": "biz-1", "addSource": 0,
        "sender": {"name": "张三", "mobile": "13800000000", "province": "广东省", "city": "广州市", "area": "天河区", "address": "1号"},
        "receiver": {"name": "李四", "mobile": "13900000000", "province": "北京市", "city": "北京市", "area": "朝阳区", "address": "2号"},
        "cargo": {"count": 1, "weight": 1.2, "spaceX": 10, "spaceY": 10, "spaceZ": 10, "detailList": [{"name": "书", "count": 1}]},
        "shop": {"wxaPath": "/pages/order", "imgUrl": "https://img/x.png", "goodsName": "书", "goodsCount": 1},
        "insured": {"useInsured": 0, "insuredValue": 0},
        "service": {"serviceType": 0, "serviceName": "标准快递"},
    })
    .to_string()
}

impl World {
    async fn add_order(&self, order_id: &str, options: CallOptions) -> Result<Value, wechat_client::error::Error> {
        match self.client.call("logistics.addOrder", &order(&self.openid, order_id), options).await? {
            Outcome::Json { text, .. } => Ok(serde_json::from_str(&text).unwrap()),
            Outcome::Binary { .. } => panic!("addOrder answers JSON"),
        }
    }

    fn executions(&self, order_id: &str) -> u64 {
        self.emu.control("executionsByOrder", json!({"name": "logistics.addOrder"})).unwrap()[order_id].as_u64().unwrap_or(0)
    }

    fn inject(&self, fault: Value) {
        self.emu.control("injectFault", fault).unwrap();
    }

    /// (reason, errCode) of every reconcile event so far.
    fn reconciles(&self) -> Vec<(&'static str, Option<i64>)> {
        self.events.0.lock().unwrap().iter().filter(|e| e.kind.as_str() == "reconcile").map(|e| (e.reason.unwrap(), e.err_code)).collect()
    }
}

#[tokio::test]
async fn an_order_that_ran_but_lost_its_answer_is_found_and_answered_with_its_waybill() {
    let w = world("").await;
    w.inject(json!({"name": "logistics.addOrder", "errcode": -1, "afterExecute": true}));
    let answer = w.add_order("o-after", CallOptions::default()).await.unwrap();
    assert_eq!(answer["reconciled"], true);
    assert_eq!((answer["orderId"].as_str(), answer["errCode"].as_i64()), (Some("o-after"), Some(0)));
    assert!(answer["waybillId"].as_str().unwrap().starts_with("SF"), "{answer}");
    assert_eq!(answer["waybillData"].as_array().unwrap().len(), 2, "{answer}");
    assert!(answer.get("printHtml").is_none() && answer.get("orderStatus").is_none(), "shaped as addOrder's answer: {answer}");
    // The waybill is the one the emulator holds.
    let stored = w.client.call("logistics.getOrder", r#"{"orderId":"o-after","deliveryId":"SF"}"#, CallOptions::default()).await.unwrap();
    let Outcome::Json { text, .. } = stored else { panic!() };
    assert_eq!(serde_json::from_str::<Value>(&text).unwrap()["waybillId"], answer["waybillId"]);
    assert_eq!(w.executions("o-after"), 1);
    assert_eq!((requests(&w.emu, "logistics.addOrder"), requests(&w.emu, "logistics.getOrder")), (1, 2));
    assert_eq!(w.reconciles(), [("found", Some(-1))]);
    let kinds: Vec<_> = w.events.seen().into_iter().filter(|(k, ..)| *k != "token").take(4).map(|(k, api, _)| format!("{k} {api}")).collect();
    assert_eq!(
        kinds,
        ["request logistics.addOrder", "request logistics.getOrder", "reconcile logistics.addOrder", "response logistics.addOrder"]
    );
}

#[tokio::test]
async fn an_order_refused_before_it_ran_is_provably_absent_and_sent_again() {
    let w = world("").await;
    w.inject(json!({"name": "logistics.addOrder", "errcode": -1}));
    let answer = w.add_order("o-before", CallOptions::default()).await.unwrap();
    assert!(answer.get("reconciled").is_none(), "the second attempt answered itself: {answer}");
    assert_eq!(answer["orderId"], "o-before");
    assert_eq!(w.executions("o-before"), 1);
    assert_eq!((requests(&w.emu, "logistics.addOrder"), requests(&w.emu, "logistics.getOrder")), (2, 1));
    assert_eq!(w.reconciles(), [("absent", Some(-1))]);
    let retry = w.events.0.lock().unwrap().iter().find(|e| e.kind.as_str() == "retry").cloned().unwrap();
    assert_eq!((retry.api.as_str(), retry.attempt), ("logistics.addOrder", 1));
}

#[tokio::test]
async fn absent_on_the_last_attempt_is_a_retryable_error() {
    let w = world(r#","maxAttempts":1"#).await;
    w.inject(json!({"name": "logistics.addOrder", "errcode": -1}));
    let e = w.add_order("o-last", CallOptions::default()).await.unwrap_err();
    assert_eq!((e.code, e.attempts), (-1, 1));
    assert!(e.retryable, "it provably never ran: the caller may send it again");
    assert_eq!(w.executions("o-last"), 0);
}

#[tokio::test]
async fn every_spoiled_answer_after_running_is_reconciled() {
    let w = world("").await;
    for (i, kind) in ["http502", "reset", "malformedJson", "truncated"].into_iter().enumerate() {
        // The order's own rates replace `*`; getOrder answers normally.
        let rates = json!({"seed": i, "rates": {"logistics.addOrder": {kind: 1.0}}});
        w.emu.control("setFaultRates", rates).unwrap();
        let id = format!("o-{kind}");
        let answer = w.add_order(&id, CallOptions::default()).await.unwrap_or_else(|e| panic!("{kind}: {e}"));
        assert_eq!((answer["reconciled"].as_bool(), answer["orderId"].as_str()), (Some(true), Some(id.as_str())), "{kind}");
        assert_eq!(w.executions(&id), 1, "{kind}");
    }
    w.emu.control("clearFaults", json!({})).unwrap();
    let codes: Vec<_> = w.reconciles().into_iter().map(|(reason, _)| reason).collect();
    assert_eq!(codes, ["found"; 4]);
}

#[tokio::test]
async fn a_failing_lookup_leaves_the_original_ambiguous_error() {
    let w = world(r#","maxAttempts":2"#).await;
    w.inject(json!({"name": "logistics.addOrder", "errcode": -1, "afterExecute": true}));
    w.inject(json!({"name": "logistics.getOrder", "errcode": -1, "times": 2}));
    let e = w.add_order("o-lost", CallOptions::default()).await.unwrap_err();
    assert_eq!((e.code, e.api.as_str(), e.attempts), (-1, "logistics.addOrder", 1));
    assert!(!e.retryable, "it may have run");
    assert_eq!(w.executions("o-lost"), 1);
    assert_eq!(requests(&w.emu, "logistics.getOrder"), 2, "the lookup is retried by its own policy");
    assert_eq!(w.reconciles(), [("unknown", Some(-1))]);
}

#[tokio::test]
async fn a_cancelled_order_of_the_same_id_proves_nothing() {
    let w = world("").await;
    let first = w.add_order("o-again", CallOptions::default()).await.unwrap();
    let cancel = json!({"orderId": "o-again", "deliveryId": "SF", "waybillId": first["waybillId"], "openid": w.openid}).to_string();
    w.client.call("logistics.cancelOrder", &cancel, CallOptions::default()).await.unwrap();
    // Refused before running: getOrder still finds the cancelled one, which is not this call's doing.
    w.inject(json!({"name": "logistics.addOrder", "errcode": -1}));
    let e = w.add_order("o-again", CallOptions::default()).await.unwrap_err();
    assert_eq!((e.code, e.retryable), (-1, false));
    // Ran, then lost its answer: the new order replaced the cancelled one and is found.
    w.inject(json!({"name": "logistics.addOrder", "errcode": -1, "afterExecute": true}));
    let answer = w.add_order("o-again", CallOptions::default()).await.unwrap();
    assert_eq!(answer["reconciled"], true);
    assert_ne!(answer["waybillId"], first["waybillId"]);
    assert_eq!(w.executions("o-again"), 2, "placed, cancelled, placed again: two orders, no duplicate");
    assert_eq!(w.reconciles(), [("unknown", Some(-1)), ("found", Some(-1))]);
}

#[tokio::test]
async fn without_case_conversion_the_reconciled_answer_keeps_wechats_names() {
    let w = world("").await;
    w.inject(json!({"name": "logistics.addOrder", "errcode": -1, "afterExecute": true}));
    let params = json!({
        "order_id": "o-snake", "openid": w.openid, "delivery_id": "SF", "biz_id": "biz-1", "add_source": 0,
        "sender": {"name": "张三", "mobile": "13800000000", "province": "广东省", "city": "广州市", "area": "天河区", "address": "1号"},
        "receiver": {"name": "李四", "mobile": "13900000000", "province": "北京市", "city": "北京市", "area": "朝阳区", "address": "2号"},
        "insured": {"use_insured": 0, "insured_value": 0},
        "cargo": {"count": 1, "weight": 1, "space_x": 1, "space_y": 1, "space_z": 1, "detail_list": [{"name": "书", "count": 1}]},
        "shop": {"img_url": "https://img/x.png", "goods_name": "书", "goods_count": 1},
        "service": {"service_type": 0, "service_name": "标准快递"},
    });
    let options = CallOptions { convert_case: false, ..CallOptions::default() };
    let Outcome::Json { text, .. } = w.client.call("logistics.addOrder", &params.to_string(), options).await.unwrap() else { panic!() };
    let answer: Value = serde_json::from_str(&text).unwrap();
    assert_eq!((answer["order_id"].as_str(), answer["reconciled"].as_bool()), (Some("o-snake"), Some(true)), "{answer}");
    assert!(answer["waybill_id"].is_string());
}

#[tokio::test]
async fn retry_unsafe_calls_are_retried_not_reconciled() {
    let w = world("").await;
    w.inject(json!({"name": "logistics.addOrder", "errcode": -1}));
    let options = CallOptions { retry_unsafe: true, ..CallOptions::default() };
    w.add_order("o-unsafe", options).await.unwrap();
    assert_eq!(requests(&w.emu, "logistics.getOrder"), 0);
    assert!(w.reconciles().is_empty());
}
