//! A paid order as WeChat's shipping management keeps it, and the account's switches (managed, jump path).

use serde_json::{json, Value};

/// WeChat's `order_state`.
pub const TO_SHIP: i64 = 1;
pub const SHIPPED: i64 = 2;
pub const RECEIPT_CONFIRMED: i64 = 3;
pub const COMPLETE: i64 = 4;
pub const REFUNDED: i64 = 5;
pub const AWAITING_SETTLEMENT: i64 = 6;

/// How long after shipping the emulator confirms receipt by itself (WeChat's own delays vary by category; the
/// emulator's choice: 10 days for goods that travel, 1 day for virtual goods and pick-up).
pub fn auto_confirm_after(logistics_type: i64) -> i64 {
    if matches!(logistics_type, 3 | 4) { 86_400 } else { 10 * 86_400 }
}

/// How long after receipt the money settles (the emulator's choice).
pub const SETTLE_AFTER_RECEIPT: i64 = 86_400;
/// The page lists order states, not their timing. The emulator's choice: receipt confirmed (3) holds for an
/// hour, then the money waits for settlement (6) until it settles (4).
pub const AWAIT_SETTLEMENT_AFTER_RECEIPT: i64 = 3_600;
/// An unshipped order is reminded once, 48 hours after payment.
pub const REMIND_AFTER: i64 = 48 * 3600;

#[derive(Clone, Debug, Default)]
pub struct Payment {
    pub transaction_id: String,
    pub merchant_id: String,
    pub merchant_trade_no: String,
    pub openid: String,
    pub amount: i64,
    pub description: String,
    pub paid_at: i64,
    pub state: i64,
    /// The last upload's shipping (`delivery_mode`, `logistics_type`, `shipping_list`, …), as WeChat answers it.
    pub shipping: Option<Value>,
    /// 1 once shipped, 2 once re-shipped (WeChat's `finish_shipping_count`).
    pub finish_count: i64,
    pub logistics_type: i64,
    pub shipped_at: Option<i64>,
    pub last_upload_ms: i64,
    pub receipt_reminded: bool,
    pub confirmed: Option<(i64, i64)>,
    pub settled_at: Option<i64>,
    pub shipping_reminded: bool,
    /// A pre-sale report's expected shipping time (no reminder before it).
    pub presale_until: Option<i64>,
}

impl Payment {
    /// When the money settles: a day after receipt, receipt itself coming by the auto-confirm delay at the latest.
    pub fn estimated_settlement(&self) -> Option<i64> {
        let confirm = self.confirmed.map(|(at, _)| at).or_else(|| self.shipped_at.map(|s| s + auto_confirm_after(self.logistics_type)))?;
        Some(confirm + SETTLE_AFTER_RECEIPT)
    }

    /// The answer's `order` object.
    pub fn describe(&self) -> Value {
        let mut shipping = self.shipping.clone().unwrap_or_else(|| json!({}));
        if let Some(obj) = shipping.as_object_mut() {
            obj.insert("finish_shipping_count".into(), self.finish_count.into());
        }
        json!({
            "transaction_id": self.transaction_id, "merchant_id": self.merchant_id, "sub_merchant_id": "",
            "merchant_trade_no": self.merchant_trade_no, "description": self.description, "paid_amount": self.amount,
            "openid": self.openid, "trade_create_time": self.paid_at, "pay_time": self.paid_at, "order_state": self.state,
            "in_complaint": false, "shipping": shipping,
        })
    }
}

#[derive(Default)]
pub struct Shipping {
    pub payments: Vec<Payment>,
    pub managed: bool,
    /// `trade_manage_remind_access_api` is pushed once, when the account is first managed.
    pub access_reminded: bool,
    pub jump_path: String,
}

impl Shipping {
    /// The payment a transaction id, or a merchant id and trade number, name.
    pub fn find(&mut self, transaction_id: Option<&str>, merchant: Option<(&str, &str)>) -> Option<&mut Payment> {
        self.payments.iter_mut().find(|p| match (transaction_id.filter(|t| !t.is_empty()), merchant) {
            (Some(t), _) => p.transaction_id == t,
            (None, Some((m, n))) => p.merchant_id == m && p.merchant_trade_no == n,
            (None, None) => false,
        })
    }
}
