//! The three shipping-management events, sent down the emulator's one push road, and what the clock does to
//! paid orders (`tick`): reminds an order unshipped for 48 hours, confirms receipt when its delay is over, and
//! settles the money a day after receipt (awaiting settlement from an hour after it).

use super::records::{auto_confirm_after, Payment, Shipping, AWAITING_SETTLEMENT, AWAIT_SETTLEMENT_AFTER_RECEIPT, COMPLETE, RECEIPT_CONFIRMED};
use super::records::{REMIND_AFTER, SETTLE_AFTER_RECEIPT, SHIPPED, TO_SHIP};
use crate::kit::push::{self, original_id, wall_unix, Message};
use crate::kit::state::State;
use serde_json::{json, Map, Value};

/// WeChat's system sender of these events.
const SENDER: &str = "o_wechat_trade_manage";

fn message(appid: &str, event: &str, extra: Value) -> Message {
    let mut fields: Map<String, Value> = json!({
        "ToUserName": original_id(appid), "FromUserName": SENDER, "CreateTime": wall_unix(), "MsgType": "event", "Event": event,
    })
    .as_object()
    .cloned()
    .unwrap_or_default();
    fields.extend(extra.as_object().cloned().unwrap_or_default());
    Message { appid: appid.to_owned(), event: event.to_owned(), fields }
}

fn ids(p: &Payment) -> Value {
    json!({"transaction_id": p.transaction_id, "merchant_id": p.merchant_id, "sub_merchant_id": "", "merchant_trade_no": p.merchant_trade_no, "pay_time": p.paid_at})
}

pub fn remind_access(state: &mut State, appid: &str) {
    let msg = "你的小程序已开通发货信息管理服务，请尽快接入发货信息管理服务API";
    push::send(state, message(appid, "trade_manage_remind_access_api", json!({"msg": msg})));
}

/// On shipping: when the money will settle.
pub fn shipped(state: &mut State, appid: &str, p: &Payment) {
    let mut extra = ids(p);
    extra["shipped_time"] = p.shipped_at.unwrap_or_default().into();
    extra["estimated_settlement_time"] = p.estimated_settlement().unwrap_or_default().into();
    push::send(state, message(appid, "trade_manage_order_settlement", extra));
}

fn settled(state: &mut State, appid: &str, p: &Payment) {
    let (confirmed_at, method) = p.confirmed.unwrap_or_default();
    let mut extra = ids(p);
    extra["shipped_time"] = p.shipped_at.unwrap_or_default().into();
    extra["confirm_receive_method"] = method.into();
    extra["confirm_receive_time"] = confirmed_at.into();
    extra["settlement_time"] = p.settled_at.unwrap_or_default().into();
    push::send(state, message(appid, "trade_manage_order_settlement", extra));
}

fn remind_shipping(state: &mut State, appid: &str, p: &Payment) {
    let mut extra = ids(p);
    extra["msg"] = "你的小程序有订单超过48小时未发货，请尽快发货并录入发货信息".into();
    push::send(state, message(appid, "trade_manage_remind_shipping", extra));
}

/// What the clock moving does to every account's paid orders.
pub fn tick(state: &mut State) {
    let now = state.clock.unix();
    let appids: Vec<String> = state.apps.keys().cloned().collect();
    for appid in appids {
        let mut due: Vec<(Payment, bool)> = Vec::new();
        let Some(book) = state.apps.get_mut(&appid).and_then(|a| a.records.peek_mut::<Shipping>()) else { continue };
        for p in &mut book.payments {
            if p.state == TO_SHIP && !p.shipping_reminded && now >= p.presale_until.unwrap_or(p.paid_at + REMIND_AFTER) {
                p.shipping_reminded = true;
                due.push((p.clone(), false));
            }
            if p.state == SHIPPED && p.shipped_at.is_some_and(|s| now >= s + auto_confirm_after(p.logistics_type)) {
                let at = p.shipped_at.unwrap_or_default() + auto_confirm_after(p.logistics_type);
                p.confirmed = Some((at, 1));
                p.state = RECEIPT_CONFIRMED;
            }
            let received = p.confirmed.map(|(at, _)| at).unwrap_or(i64::MAX);
            if p.state == RECEIPT_CONFIRMED && now >= received.saturating_add(AWAIT_SETTLEMENT_AFTER_RECEIPT) {
                p.state = AWAITING_SETTLEMENT;
            }
            if p.state == AWAITING_SETTLEMENT && now >= received.saturating_add(SETTLE_AFTER_RECEIPT) {
                p.state = COMPLETE;
                p.settled_at = p.confirmed.map(|(at, _)| at + SETTLE_AFTER_RECEIPT);
                due.push((p.clone(), true));
            }
        }
        for (p, settlement) in due {
            if settlement { settled(state, &appid, &p) } else { remind_shipping(state, &appid, &p) }
        }
    }
}
