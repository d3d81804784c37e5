//! The rows over real HTTP, with WeChat's codes: a payment shipped, re-shipped once, reminded, confirmed, settled.

use crate::test_support::{code, TestEmulator};
use serde_json::{json, Value};

async fn paid(emu: &TestEmulator, no: &str) -> (String, String) {
    let openid = emu.openids(crate::config::DEMO_APPID).await[0].clone();
    let seeded = emu.control("seedPayment", json!({"openid": openid, "merchantId": "1230000109", "merchantTradeNo": no, "amount": 916})).await;
    (seeded["transactionId"].as_str().unwrap().to_owned(), openid)
}

fn upload(tx: &str, openid: &str, time: &str, company: &str) -> Value {
    json!({"order_key": {"order_number_type": 2, "transaction_id": tx}, "logistics_type": 1, "delivery_mode": 1,
        "shipping_list": [{"tracking_no": "SF100", "express_company": company, "item_desc": "tea*1", "contact": {"receiver_contact": "189****1234"}}],
        "upload_time": time, "payer": {"openid": openid}})
}

#[tokio::test]
async fn an_express_order_ships_twice_at_most_and_settles_with_the_clock() {
    let emu = TestEmulator::start(json!({})).await;
    let (tx, openid) = paid(&emu, "T1").await;
    let up = |time: &str| upload(&tx, &openid, time, "SF");
    assert_eq!(code(&emu.app_call("wxa.sec.order.uploadShippingInfo", up("2024-01-01T10:00:00+08:00")).await), 0);
    let order = emu.app_call("wxa.sec.order.getOrder", json!({"transaction_id": tx})).await;
    assert_eq!((order["order"]["order_state"].clone(), order["order"]["shipping"]["finish_shipping_count"].clone()), (json!(2), json!(1)));
    assert_eq!(code(&emu.app_call("wxa.sec.order.uploadShippingInfo", up("2024-01-01T09:00:00+08:00")).await), 10060023, "older upload_time");
    assert_eq!(code(&emu.app_call("wxa.sec.order.uploadShippingInfo", up("2024-01-01T11:00:00+08:00")).await), 0, "the one re-ship");
    assert_eq!(code(&emu.app_call("wxa.sec.order.uploadShippingInfo", up("2024-01-01T12:00:00+08:00")).await), 10060003);
    assert_eq!(code(&emu.app_call("wxa.sec.order.uploadShippingInfo", up("2024-01-01 12:00")).await), 268485216, "the table's rule");
    assert_eq!(code(&emu.app_call("wxa.sec.order.uploadShippingInfo", upload("4200nope", &openid, "2024-01-02T00:00:00Z", "SF")).await), 10060001);
    let confirm = |t: i64| json!({"transaction_id": tx, "received_time": t});
    assert_eq!(code(&emu.app_call("wxa.sec.order.notifyConfirmReceive", confirm(1_700_000_000_000)).await), 10060029, "milliseconds");
    assert_eq!(code(&emu.app_call("wxa.sec.order.notifyConfirmReceive", confirm(1_000)).await), 10060029, "before shipping");
    let at = order["order"]["pay_time"].as_i64().unwrap();
    assert_eq!(code(&emu.app_call("wxa.sec.order.notifyConfirmReceive", confirm(at)).await), 0);
    assert_eq!(code(&emu.app_call("wxa.sec.order.notifyConfirmReceive", confirm(at)).await), 10060030, "once");
    emu.control("advanceTime", json!({"seconds": 11 * 86_400})).await;
    let done = emu.app_call("wxa.sec.order.getOrder", json!({"merchant_id": "1230000109", "merchant_trade_no": "T1"})).await;
    assert_eq!(done["order"]["order_state"], 4, "confirmed by the clock after 10 days, settled a day later");
}

#[tokio::test]
async fn lists_page_and_filter_and_virtual_goods_cannot_be_reminded() {
    let emu = TestEmulator::start(json!({})).await;
    let mut txs = Vec::new();
    for n in 0..3 {
        txs.push(paid(&emu, &format!("L{n}")).await);
    }
    let (tx, openid) = txs[0].clone();
    let virtual_goods = json!({"order_key": {"order_number_type": 1, "mchid": "1230000109", "out_trade_no": "L0"}, "logistics_type": 3, "delivery_mode": 1,
        "shipping_list": [{"item_desc": "top-up"}], "upload_time": "2024-01-01T10:00:00Z", "payer": {"openid": openid}});
    assert_eq!(code(&emu.app_call("wxa.sec.order.uploadShippingInfo", virtual_goods).await), 0);
    assert_eq!(code(&emu.app_call("wxa.sec.order.notifyConfirmReceive", json!({"transaction_id": tx, "received_time": 1})).await), 10060032);
    let page = emu.app_call("wxa.sec.order.getOrderList", json!({"page_size": 2})).await;
    assert_eq!((page["order_list"].as_array().unwrap().len(), page["has_more"].clone()), (2, json!(true)));
    let rest = emu.app_call("wxa.sec.order.getOrderList", json!({"page_size": 2, "last_index": page["last_index"]})).await;
    assert_eq!((rest["order_list"].as_array().unwrap().len(), rest["has_more"].clone()), (1, json!(false)));
    let to_ship = emu.app_call("wxa.sec.order.getOrderList", json!({"order_state": 1})).await;
    assert_eq!(to_ship["order_list"].as_array().unwrap().len(), 2);
    assert_eq!(code(&emu.app_call("wxa.sec.order.getOrderList", json!({"last_index": "zz"})).await), 10060011);
    assert_eq!(code(&emu.app_call("wxa.sec.order.getOrder", json!({})).await), 10060014);
    let managed = emu.app_call("wxa.sec.order.isTradeManaged", json!({"appid": crate::config::DEMO_APPID})).await;
    assert_eq!(managed["is_trade_managed"], false);
    emu.control("setTradeManaged", json!({"managed": true})).await;
    let managed = emu.app_call("wxa.sec.order.isTradeManaged", json!({"appid": crate::config::DEMO_APPID})).await;
    assert_eq!(managed["is_trade_managed"], true);
    assert_eq!(code(&emu.app_call("wxa.sec.order.isTradeManaged", json!({"appid": "wxsomeoneelse"})).await), 40013);
}

#[tokio::test]
async fn an_order_moves_one_two_three_six_four() {
    let emu = TestEmulator::start(json!({})).await;
    let (tx, openid) = paid(&emu, "S6").await;
    let state = || async { emu.app_call("wxa.sec.order.getOrder", json!({"transaction_id": tx})).await["order"]["order_state"].clone() };
    assert_eq!(state().await, 1, "paid, to ship");
    assert_eq!(code(&emu.app_call("wxa.sec.order.uploadShippingInfo", upload(&tx, &openid, "2024-01-01T10:00:00Z", "SF")).await), 0);
    assert_eq!(state().await, 2, "shipped");
    emu.control("confirmReceipt", json!({"transactionId": tx})).await;
    assert_eq!(state().await, 3, "receipt confirmed");
    emu.control("advanceTime", json!({"seconds": 3_599})).await;
    assert_eq!(state().await, 3, "for an hour");
    emu.control("advanceTime", json!({"seconds": 1})).await;
    assert_eq!(state().await, 6, "then the money awaits settlement");
    let waiting = emu.app_call("wxa.sec.order.getOrderList", json!({"order_state": 6})).await;
    assert_eq!(waiting["order_list"].as_array().unwrap().len(), 1);
    emu.control("advanceTime", json!({"seconds": 86_400 - 3_600})).await;
    assert_eq!(state().await, 4, "settled a day after receipt");
}
