//! How an order is paid for, and paid back when it is cancelled: a bound courier account's waybill quota,
//! WeChat's sandbox quota, or nothing for scatter (cash) orders, which the user pays.

use super::accounts::{is_sandbox, CourierAccounts, STATUS_BOUND};
use super::carriers::{carrier, Carrier};
use super::order_record::Order;
use crate::kit::failure::fail;
use crate::kit::state::AppData;
use crate::wire::WxError;
use wechat_protocol::catalogue::Endpoint;

/// How an order is paid for: a bound account's quota, WeChat's sandbox, or a scatter (cash) order.
pub enum Billing {
    Account,
    Sandbox,
    Cash,
}

pub fn billing_of(company: &Carrier, biz_id: &str) -> Billing {
    if is_sandbox(company.id, biz_id) {
        Billing::Sandbox
    } else if company.cash_biz_id == Some(biz_id) {
        Billing::Cash
    } else {
        Billing::Account
    }
}

/// Takes one waybill from the account's quota (or the sandbox's; scatter orders are paid by the user).
pub fn charge(app: &mut AppData, billing: Billing, delivery_id: &str, biz_id: &str, now: i64, endpoint: &'static Endpoint) -> Result<(), WxError> {
    match billing {
        Billing::Cash => Ok(()),
        Billing::Sandbox if app.record::<CourierAccounts>().sandbox_orders_left == 0 => Err(fail(endpoint, 930564)),
        Billing::Sandbox => {
            app.record::<CourierAccounts>().sandbox_orders_left -= 1;
            Ok(())
        }
        Billing::Account => {
            let account = app
                .record::<CourierAccounts>()
                .list
                .iter_mut()
                .find(|a| a.biz_id == biz_id && a.delivery_id == delivery_id && a.status_code == STATUS_BOUND)
                .ok_or_else(|| fail(endpoint, 9300525))?;
            if account.quota_num <= 0 {
                return Err(fail(endpoint, 9300501).with("delivery_resultcode", 10001).with("delivery_resultmsg", "waybill quota used up"));
            }
            account.quota_num -= 1;
            account.quota_update_time = now;
            Ok(())
        }
    }
}

/// Gives a waybill back to the account when its order is cancelled before pickup.
pub fn refund(app: &mut AppData, order: &Order) {
    let Some(company) = carrier(&order.delivery_id) else { return };
    match billing_of(company, &order.biz_id) {
        Billing::Sandbox => app.record::<CourierAccounts>().sandbox_orders_left += 1,
        Billing::Account => {
            let account = app.record::<CourierAccounts>().list.iter_mut().find(|a| a.biz_id == order.biz_id && a.delivery_id == order.delivery_id);
            if let Some(a) = account {
                a.quota_num += 1;
            }
        }
        Billing::Cash => {}
    }
}

