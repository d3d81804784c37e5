//! The merchant calls a registered courier answers (see `couriers`): what each pushes, built from the
//! merchant's request (snake_case fields become WeChat's PascalCase names: `post_code` → `PostCode`), and
//! what the merchant is answered from the courier's reply. What is stored then is the calling route's own
//! business (passed in), so this file names neither orders nor accounts.

use super::couriers::{ask, number, Courier};
use super::order_record::{CourierRecord, Order};
use crate::kit::context::Ctx;
use crate::kit::state::{AppData, State};
use crate::kit::ids::random_token;
use crate::wire::{fields, Reply};
use serde_json::{Map, Value};
use wechat_protocol::case::camel_key;

/// `post_code` → `PostCode`, through objects and lists.
fn pascal(value: &Value) -> Value {
    match value {
        Value::Object(map) => Value::Object(map.iter().map(|(k, v)| (pascal_key(k), pascal(v))).collect()),
        Value::Array(list) => Value::Array(list.iter().map(pascal).collect()),
        other => other.clone(),
    }
}

/// The protocol's snake → camel conversion, first letter raised (`space_x` → `spaceX` → `SpaceX`).
fn pascal_key(key: &str) -> String {
    let camel = camel_key(key);
    let mut chars = camel.chars();
    chars.next().map(|c| c.to_ascii_uppercase().to_string() + chars.as_str()).unwrap_or_default()
}

/// The fields every event about a merchant's account carries.
fn account_fields(ctx: &Ctx<'_>, password: &str) -> Map<String, Value> {
    fields! { "BizID" => ctx.params.str("biz_id"), "BizPwd" => password, "ShopAppID" => ctx.appid() }
}

/// `addOrder` → `add_waybill`; the courier's `WayBillID` becomes the order's waybill.
pub fn add_order(ctx: &mut Ctx<'_>, courier: Courier, store: fn(&mut State, &str, Order)) -> Reply {
    let p = ctx.params;
    let (appid, order_id, now) = (ctx.appid(), p.str("order_id").to_owned(), ctx.unix_now());
    let token = random_token(48);
    let mut fields = account_fields(ctx, "");
    fields.insert("Token".into(), token.as_str().into());
    fields.insert("OrderID".into(), order_id.as_str().into());
    fields.insert("WayBillID".into(), "0".into());
    fields.insert("Remark".into(), p.str("custom_remark").into());
    for key in ["sender", "receiver", "cargo", "insured", "service"] {
        if let Some(part) = p.get(key) {
            fields.insert(pascal_key(key), pascal(part));
        }
    }
    let order = Order {
        order_id,
        openid: p.str("openid").to_owned(),
        delivery_id: courier.delivery_id.clone(),
        biz_id: p.str("biz_id").to_owned(),
        waybill_id: String::new(),
        cancelled: false,
        waybill_data: Vec::new(),
        request: p.0.clone(),
        path: Vec::new(),
        delivery_token: token,
        create_time: now,
        courier: CourierRecord::default(),
    };
    ask(ctx, &courier, "add_waybill", fields, Box::new(move |state, reply| {
        let waybill = reply.get("WayBillID").and_then(Value::as_str).map(str::trim).filter(|w| !w.is_empty() && *w != "0");
        let waybill = waybill.ok_or("the courier's reply has no WayBillID")?.to_owned();
        let message = reply.get("ResultMsg").and_then(Value::as_str).unwrap_or_default().to_owned();
        let order = Order { waybill_id: waybill, ..order };
        let answer = fields! {
            "order_id" => order.order_id.as_str(),
            "waybill_id" => order.waybill_id.as_str(),
            "waybill_data" => order.waybill_data_wire(),
            "delivery_resultcode" => 0,
            "delivery_resultmsg" => message,
        };
        store(state, &appid, order);
        Ok(answer)
    }))
}

/// `cancelOrder` → `cancel_waybill`; the order is cancelled once the courier agrees.
pub fn cancel_order(ctx: &mut Ctx<'_>, courier: Courier, order: Order, cancel: fn(&mut AppData, &str, i64)) -> Reply {
    let (appid, now) = (ctx.appid(), ctx.unix_now());
    let mut fields = account_fields(ctx, "");
    fields.insert("BizID".into(), order.biz_id.as_str().into());
    fields.insert("OrderID".into(), order.order_id.as_str().into());
    fields.insert("WayBillID".into(), order.waybill_id.as_str().into());
    ask(ctx, &courier, "cancel_waybill", fields, Box::new(move |state, _| {
        cancel(state.app_mut(&appid), &order.order_id, now);
        Ok(fields! { "delivery_resultcode" => 0, "delivery_resultmsg" => "" })
    }))
}

/// `getQuota` → `get_quota`; the courier's `Quota` is the answer.
pub fn get_quota(ctx: &mut Ctx<'_>, courier: Courier) -> Reply {
    let fields = account_fields(ctx, "");
    ask(ctx, &courier, "get_quota", fields, Box::new(|_, reply| {
        let quota = number(reply, "Quota").ok_or("the courier's reply has no Quota")?;
        Ok(fields! { "quota_num" => quota })
    }))
}

/// `bindAccount` (type bind) → `check_biz` with the password given; the account is bound with the courier's
/// `Quota` once it approves.
pub fn bind_account(ctx: &mut Ctx<'_>, courier: Courier, bind: fn(&mut AppData, &str, &str, i64, i64)) -> Reply {
    let (appid, now) = (ctx.appid(), ctx.unix_now());
    let (biz_id, delivery_id) = (ctx.params.str("biz_id").to_owned(), courier.delivery_id.clone());
    let fields = account_fields(ctx, ctx.params.str("password"));
    ask(ctx, &courier, "check_biz", fields, Box::new(move |state, reply| {
        bind(state.app_mut(&appid), &biz_id, &delivery_id, number(reply, "Quota").unwrap_or(0), now);
        Ok(fields! {})
    }))
}

#[cfg(test)]
mod tests {
    #[test]
    fn request_fields_take_wechats_event_names() {
        assert_eq!(super::pascal_key("post_code"), "PostCode");
        assert_eq!(super::pascal(&serde_json::json!({"detail_list": [{"name": "a", "count": 1}], "space_x": 1})),
            serde_json::json!({"DetailList": [{"Name": "a", "Count": 1}], "SpaceX": 1}));
    }
}
