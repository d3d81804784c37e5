//! The `add_express_path` event WeChat pushes to the merchant when a waybill's path grows (through
//! `logistics.updatePath` by the courier, or `logistics.testUpdateOrder` in the sandbox): the whole path so
//! far, with WeChat's field names (`WayBillId`, repeated `Actions`).

use super::order_record::Order;
use crate::families::pushes::header;
use crate::kit::push::Message;
use serde_json::{json, Value};

pub fn message(appid: &str, order: &Order) -> Message {
    let mut fields = header(appid, &order.openid, "add_express_path");
    let actions: Vec<Value> =
        order.path.iter().map(|p| json!({"ActionTime": p.action_time, "ActionType": p.action_type, "ActionMsg": p.action_msg})).collect();
    fields.insert("DeliveryID".into(), order.delivery_id.clone().into());
    fields.insert("WayBillId".into(), order.waybill_id.clone().into());
    fields.insert("OrderId".into(), order.order_id.clone().into());
    fields.insert("Version".into(), actions.len().into());
    fields.insert("Count".into(), actions.len().into());
    fields.insert("Actions".into(), Value::Array(actions));
    Message { appid: appid.to_owned(), event: "add_express_path".into(), fields }
}
