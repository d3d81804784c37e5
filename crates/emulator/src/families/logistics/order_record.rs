//! The orders family's records, which the courier side (`delivery`), tracking (`msg`) and waybill printing
//! (`print_html`) read too: an order, its tracking path and what its courier reported.

use serde_json::{json, Value};
use std::collections::{BTreeMap, HashMap};

/// Tracking event types WeChat documents (`action_type`).
pub const PICKED_UP: i64 = 100001;
pub const IN_TRANSIT: i64 = 200001;
pub const OUT_FOR_DELIVERY: i64 = 300002;
pub const SIGNED: i64 = 300003;
pub const SIGN_FAILED: i64 = 300004;
pub const CANCELLED: i64 = 400001;
pub const HELD: i64 = 400002;

/// An account's orders, by order_id.
#[derive(Default)]
pub struct Orders(pub BTreeMap<String, Order>);

/// The courier-side order token (`Token` of the order event) → the order it stands for.
#[derive(Default)]
pub struct DeliveryTokens(pub HashMap<String, OrderRef>);

#[derive(Clone, Debug, PartialEq)]
pub struct OrderRef {
    pub appid: String,
    pub order_id: String,
}

#[derive(Clone, Debug, PartialEq)]
pub struct PathEvent {
    pub action_time: i64,
    pub action_type: i64,
    pub action_msg: String,
}

impl PathEvent {
    pub fn to_wire(&self) -> Value {
        json!({"action_time": self.action_time, "action_type": self.action_type, "action_msg": self.action_msg})
    }
}

#[derive(Clone, Debug)]
pub struct Order {
    pub order_id: String,
    pub openid: String,
    pub delivery_id: String,
    pub biz_id: String,
    pub waybill_id: String,
    pub cancelled: bool,
    /// The `addOrder` body as sent: sender, receiver, cargo, shop, service …
    pub request: Value,
    pub waybill_data: Vec<(String, String)>,
    pub path: Vec<PathEvent>,
    /// The courier-side `Token` of this order (its placement event), for the delivery-company calls.
    pub delivery_token: String,
    pub create_time: i64,
    pub courier: CourierRecord,
}

impl Order {
    pub fn waybill_data_wire(&self) -> Value {
        Value::Array(self.waybill_data.iter().map(|(k, v)| json!({"key": k, "value": v})).collect())
    }

    pub fn append(&mut self, action_time: i64, action_type: i64, action_msg: &str) {
        self.path.push(PathEvent { action_time, action_type, action_msg: action_msg.to_owned() });
    }

    /// A snapshot for the control API (`order`): the courier-side token included, since tests need it.
    pub fn describe(&self) -> Value {
        json!({
            "orderId": self.order_id, "openid": self.openid, "deliveryId": self.delivery_id, "bizId": self.biz_id,
            "waybillId": self.waybill_id, "orderStatus": i64::from(self.cancelled), "deliveryToken": self.delivery_token,
            "createTime": self.create_time,
            "path": self.path.iter().map(PathEvent::to_wire).collect::<Vec<_>>(),
            "fee": self.courier.fee, "refunded": self.courier.refunded, "complaint": self.courier.complaint,
            "couriers": self.courier.couriers,
        })
    }
}

/// What the courier reported on an order beyond its tracking events.
#[derive(Clone, Debug, Default)]
pub struct CourierRecord {
    /// The last `scatterUpdateOrderFee` (fee fields, in fen).
    pub fee: Option<Value>,
    pub refunded: i64,
    pub complaint: Option<Value>,
    pub couriers: Option<Value>,
}

