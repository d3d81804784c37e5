//! A registered courier (`addCourier`) answers merchants' calls, over real HTTP: a courier server that opens
//! WeChat's pushes and writes passive replies with the protocol crate, and a merchant calling the emulator.

use axum::extract::RawQuery;
use serde_json::{json, Map, Value};
use std::time::{Duration, Instant};
use wechat_emulator::{start, Emulator, EmulatorConfig};
use wechat_protocol::crypto::push_message::{open, reply, Keys};
use wechat_protocol::crypto::{MsgCrypt, PushQuery};

const MERCHANT: &str = "wxmerchant00000001";
const COURIER: &str = "wxcourier000000001";
const SECRET: &str = "secret0000000000000000000000001";
const KEY: &str = "kWxPEV2UEDyxWpmPdKC3F4dgPDmOvfKX1HGnEUDS1aA";

/// How the courier server behaves.
#[derive(Clone, Copy)]
enum Courier {
    Honest,
    Refusing,
    Silent,
    Garbage,
    Huge,
}

async fn courier_server(behaviour: Courier) -> String {
    let app = axum::Router::new().fallback(move |RawQuery(query): RawQuery, body: String| async move {
        let pairs: Vec<(String, String)> = url::form_urlencoded::parse(query.unwrap_or_default().as_bytes()).into_owned().collect();
        let query = PushQuery::from_pairs(pairs.iter().map(|(k, v)| (k.as_str(), v.clone())));
        let crypt = MsgCrypt::new("courier-token", KEY, COURIER).unwrap();
        let keys = Keys { token: "courier-token", crypt: Some(&crypt) };
        let opened = open(keys, &query, &body).expect("WeChat's push opens with the courier's keys");
        let m = &opened.message;
        let event = m["Event"].as_str().unwrap().to_owned();
        let mut out: Map<String, Value> = serde_json::from_value(json!({"ToUserName": m["FromUserName"], "FromUserName": m["ToUserName"],
            "CreateTime": 1, "MsgType": "event", "Event": event, "BizID": m["BizID"]})).unwrap();
        match behaviour {
            Courier::Silent => {
                tokio::time::sleep(Duration::from_secs(30)).await;
                return String::new();
            }
            Courier::Garbage => return "{\"ResultCode\": ".to_owned(),
            Courier::Huge => return "<".repeat(4 << 20),
            Courier::Refusing => {
                out.insert("ResultCode".into(), 10001.into());
                out.insert("ResultMsg".into(), "no such customer".into());
            }
            Courier::Honest => {
                out.insert("ResultCode".into(), 0.into());
                out.insert("ResultMsg".into(), "ok".into());
                out.insert("Quota".into(), 77.into());
                if event == "add_waybill" {
                    assert_eq!((m["ShopAppID"].as_str(), m["WayBillID"].as_str()), (Some(MERCHANT), Some("0")));
                    assert_eq!(m["Receiver"]["City"], "广州市");
                    out.insert("WayBillID".into(), format!("MY-{}", m["OrderID"].as_str().unwrap()).into());
                }
            }
        }
        reply(keys, opened.format, opened.encrypted, &out, "1700000000", "nonce").unwrap()
    });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/courier", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    url
}

async fn emulator() -> Emulator {
    let apps = json!({"apps": [{"appid": MERCHANT, "secret": SECRET}, {"appid": COURIER, "secret": SECRET}]});
    start(EmulatorConfig::from_json(&apps.to_string()).unwrap()).await.unwrap()
}

async fn register(emu: &Emulator, id: &str, behaviour: Courier, format: &str) {
    let url = courier_server(behaviour).await;
    let args = json!({"deliveryId": id, "name": "My Courier", "appid": COURIER, "url": url, "format": format,
        "token": "courier-token", "encodingAesKey": KEY, "answerTimeoutMs": 800});
    emu.control_async("addCourier", args).await.unwrap();
}

/// POSTs JSON (or GETs, without a body); the JSON answer.
async fn http(url: String, body: Option<Value>) -> Value {
    let client = reqwest::Client::new();
    let request = match body {
        Some(body) => client.post(url).header("content-type", "application/json").body(body.to_string()),
        None => client.get(url),
    };
    serde_json::from_slice(&request.send().await.unwrap().bytes().await.unwrap()).unwrap()
}

async fn merchant_token(emu: &Emulator) -> String {
    let body = json!({"grant_type": "client_credential", "appid": MERCHANT, "secret": SECRET});
    http(format!("{}/cgi-bin/stable_token", emu.url()), Some(body)).await["access_token"].as_str().unwrap().to_owned()
}

async fn call(emu: &Emulator, path: &str, body: Value) -> Value {
    http(format!("{}{path}?access_token={}", emu.url(), merchant_token(emu).await), Some(body)).await
}

fn order(id: &str, delivery_id: &str) -> Value {
    json!({"add_source": 2, "wx_appid": MERCHANT, "order_id": id, "delivery_id": delivery_id, "biz_id": "shop-1",
        "sender": {"name": "S", "mobile": "13800000000", "province": "广东省", "city": "广州市", "area": "海珠区", "address": "1号"},
        "receiver": {"name": "R", "mobile": "13900000000", "province": "广东省", "city": "广州市", "area": "天河区", "address": "2号"},
        "cargo": {"count": 1, "weight": 1.2, "space_x": 10, "space_y": 10, "space_z": 10, "detail_list": [{"name": "书", "count": 1}]},
        "shop": {"wxa_path": "/p", "img_url": "https://x/y.png", "goods_name": "书", "goods_count": 1},
        "insured": {"use_insured": 0, "insured_value": 0}, "service": {"service_type": 0, "service_name": "标准快递"}})
}

#[tokio::test]
async fn a_courier_makes_the_waybill_cancels_it_and_reports_quota() {
    let emu = emulator().await;
    for format in ["xml", "json"] {
        let id = format!("MY{}", format.to_uppercase());
        register(&emu, &id, Courier::Honest, format).await;
        let added = call(&emu, "/cgi-bin/express/business/order/add", order("o-1", &id)).await;
        assert_eq!((added["errcode"].as_i64(), added["waybill_id"].as_str()), (Some(0), Some("MY-o-1")), "{added}");
        let again = call(&emu, "/cgi-bin/express/business/order/add", order("o-1", &id)).await;
        assert_eq!(again["errcode"], 9300501, "the order id is in use");
        let cancel = json!({"order_id": "o-1", "delivery_id": id, "waybill_id": "MY-o-1"});
        assert_eq!(call(&emu, "/cgi-bin/express/business/order/cancel", cancel.clone()).await["errcode"], 0);
        assert_eq!(call(&emu, "/cgi-bin/express/business/order/cancel", cancel).await["errcode"], 9300524);
        let quota = call(&emu, "/cgi-bin/express/business/quota/get", json!({"delivery_id": id, "biz_id": "shop-1"})).await;
        assert_eq!(quota["quota_num"], 77, "{quota}");
        let bound = call(&emu, "/cgi-bin/express/business/account/bind", json!({"type": "bind", "delivery_id": id, "biz_id": "shop-1", "password": "pw"})).await;
        assert_eq!(bound["errcode"], 0, "{bound}");
        let log = emu.control("pushLog", json!({"appid": COURIER})).unwrap();
        let events: Vec<&str> = log.as_array().unwrap().iter().map(|e| e["event"].as_str().unwrap()).collect();
        assert_eq!(events[events.len() - 4..], ["add_waybill", "cancel_waybill", "get_quota", "check_biz"], "{log}");
    }
    let all = emu.control_async("state", json!({})).await.unwrap();
    assert_eq!(all["couriers"]["MYXML"]["appid"], COURIER);
    let listed = http(format!("{}/cgi-bin/express/business/delivery/getall?access_token={}", emu.url(), merchant_token(&emu).await), None).await;
    assert!(listed["data"].as_array().unwrap().iter().any(|d| d["delivery_id"] == "MYJSON" && d["delivery_name"] == "My Courier"));
}

#[tokio::test]
async fn a_courier_refusal_or_silence_reaches_the_merchant_as_wechat_documents() {
    let emu = emulator().await;
    register(&emu, "NOPE", Courier::Refusing, "xml").await;
    let refused = call(&emu, "/cgi-bin/express/business/order/add", order("o-1", "NOPE")).await;
    assert_eq!((refused["errcode"].as_i64(), refused["delivery_resultcode"].as_i64()), (Some(9300501), Some(10001)), "{refused}");
    assert_eq!(refused["delivery_resultmsg"], "no such customer");
    for (id, behaviour) in [("QUIET", Courier::Silent), ("JUNK", Courier::Garbage), ("HUGE", Courier::Huge)] {
        register(&emu, id, behaviour, "json").await;
        let started = Instant::now();
        let failed = call(&emu, "/cgi-bin/express/business/order/add", order("o-2", id)).await;
        assert_eq!(failed["errcode"], 9300502, "{id}: {failed}");
        assert!(started.elapsed() < Duration::from_secs(10), "{id}: bounded by the answer timeout");
        let quota = call(&emu, "/cgi-bin/express/business/quota/get", json!({"delivery_id": id, "biz_id": "shop-1"})).await;
        assert_eq!(quota["errcode"], 9300502, "{id}: {quota}");
        assert!(!failed.to_string().contains("courier-token"));
    }
    let entry = emu.control("pushLog", json!({})).unwrap().as_array().unwrap().iter().rev().find(|e| e["event"] == "add_waybill").cloned().unwrap();
    assert_eq!(entry["attempts"].as_array().unwrap().len(), 1, "a waited-for push is sent once: {entry}");
    let unknown = call(&emu, "/cgi-bin/express/business/order/add", order("o-3", "NOSUCH")).await;
    assert_eq!(unknown["errcode"], 9300503, "other ids behave as before");
}
