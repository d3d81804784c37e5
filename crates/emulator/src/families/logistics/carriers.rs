//! The express companies the emulated WeChat knows, as `getAllDelivery` and the logistics components list them.

use crate::wire::fields;
use serde_json::{json, Value};

pub struct Carrier {
    pub id: &'static str,
    pub name: &'static str,
    pub service_types: &'static [(i64, &'static str)],
    /// Takes scatter (cash) orders under `cash_biz_id`, without a merchant account.
    pub cash_biz_id: Option<&'static str>,
    pub can_get_quota: bool,
    /// Binding an account waits for the company's review (`updateBusiness`), as EMS does.
    pub reviews_bindings: bool,
    /// Prefix of its waybill numbers, so a bare waybill number can be traced to its company.
    pub waybill_prefix: &'static str,
}

pub const CARRIERS: &[Carrier] = &[
    Carrier {
        id: "SF",
        name: "顺丰速运",
        service_types: &[(0, "标准快递"), (1, "顺丰即日"), (2, "顺丰次晨"), (3, "顺丰标快"), (4, "顺丰特惠")],
        cash_biz_id: Some("SF_CASH"),
        can_get_quota: false,
        reviews_bindings: false,
        waybill_prefix: "SF",
    },
    Carrier {
        id: "ZTO",
        name: "中通快递",
        service_types: &[(0, "标准快件")],
        cash_biz_id: None,
        can_get_quota: true,
        reviews_bindings: false,
        waybill_prefix: "7531",
    },
    Carrier {
        id: "YTO",
        name: "圆通速递",
        service_types: &[(0, "普通快递"), (1, "圆准达")],
        cash_biz_id: None,
        can_get_quota: true,
        reviews_bindings: false,
        waybill_prefix: "YT",
    },
    Carrier {
        id: "STO",
        name: "申通快递",
        service_types: &[(1, "标准快递")],
        cash_biz_id: None,
        can_get_quota: true,
        reviews_bindings: false,
        waybill_prefix: "7730",
    },
    Carrier {
        id: "YUNDA",
        name: "韵达快递",
        service_types: &[(0, "标准快件")],
        cash_biz_id: None,
        can_get_quota: true,
        reviews_bindings: false,
        waybill_prefix: "4312",
    },
    Carrier {
        id: "DB",
        name: "德邦快递",
        service_types: &[(1, "特准快件"), (2, "标准快递")],
        cash_biz_id: Some("DB_CASH"),
        can_get_quota: false,
        reviews_bindings: false,
        waybill_prefix: "DPK",
    },
    Carrier {
        id: "EMS",
        name: "中国邮政速递物流",
        service_types: &[(6, "标准快递"), (9, "快递包裹")],
        cash_biz_id: None,
        can_get_quota: true,
        reviews_bindings: true,
        waybill_prefix: "1100",
    },
    Carrier {
        id: "JD",
        name: "京东物流",
        service_types: &[(0, "京东特快"), (1, "京东标快")],
        cash_biz_id: None,
        can_get_quota: false,
        reviews_bindings: false,
        waybill_prefix: "JDV",
    },
    Carrier {
        id: "TEST",
        name: "测试快递公司",
        service_types: &[(1, "test service type 1"), (2, "test service type 2")],
        cash_biz_id: None,
        can_get_quota: true,
        reviews_bindings: false,
        waybill_prefix: "TEST",
    },
];

/// The sandbox pair WeChat documents for trying orders without a real account.
pub const TEST_DELIVERY_ID: &str = "TEST";
pub const TEST_BIZ_ID: &str = "test_biz_id";

pub fn carrier(id: &str) -> Option<&'static Carrier> {
    CARRIERS.iter().find(|c| c.id == id)
}

/// The company whose waybill numbers look like this one (the longest matching prefix).
pub fn carrier_of_waybill(waybill_id: &str) -> Option<&'static Carrier> {
    CARRIERS
        .iter()
        .filter(|c| waybill_id.starts_with(c.waybill_prefix))
        .max_by_key(|c| c.waybill_prefix.len())
}

impl Carrier {
    pub fn service_name(&self, service_type: i64) -> Option<&'static str> {
        self.service_types.iter().find(|(t, _)| *t == service_type).map(|(_, n)| *n)
    }

    pub fn service_types_wire(&self) -> Value {
        let types: Vec<Value> = self
            .service_types
            .iter()
            .map(|(t, n)| json!({"service_type": t, "service_name": n}))
            .collect();
        Value::Array(types)
    }

    /// One `getAllDelivery` row.
    pub fn to_wire(&self) -> Value {
        Value::Object(fields! {
            "delivery_id" => self.id,
            "delivery_name" => self.name,
            "can_use_cash" => i64::from(self.cash_biz_id.is_some()),
            "can_get_quota" => i64::from(self.can_get_quota),
            "service_type" => self.service_types_wire(),
            "cash_biz_id" => self.cash_biz_id.unwrap_or(""),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn waybill_prefixes_lead_back_to_their_company() {
        for c in CARRIERS {
            assert_eq!(carrier_of_waybill(&format!("{}123", c.waybill_prefix)).unwrap().id, c.id);
        }
        assert!(carrier_of_waybill("ZZZ1").is_none());
        assert_eq!(carrier("SF").unwrap().service_name(2), Some("顺丰次晨"));
    }
}
