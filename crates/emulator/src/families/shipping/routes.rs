//! The `wxa.sec.order.*` rows as WeChat plays them. The table's value rules (formats, enums, bounds, the SF
//! contact) are checked before a route runs (pipeline); here is what needs the order: who paid, what state it
//! is in, how many shipments it had, and the rules that tie one field to another.

use super::pushes;
use super::records::{Payment, Shipping, REFUNDED, SHIPPED, TO_SHIP};
use crate::families::logistics::carriers::CARRIERS;
use crate::kit::context::Ctx;
use crate::kit::params::Params;
use crate::kit::route::Route;
use crate::wire::{fields, Reply, WxError};
use serde_json::{json, Value};
use wechat_protocol::catalogue::time::parse_rfc3339;

pub const ROUTES: &[Route] = &[
    Route::new("wxa.sec.order.uploadShippingInfo", upload_shipping_info),
    Route::new("wxa.sec.order.uploadCombinedShippingInfo", upload_combined_shipping_info),
    Route::new("wxa.sec.order.getOrder", get_order),
    Route::new("wxa.sec.order.getOrderList", get_order_list),
    Route::new("wxa.sec.order.notifyConfirmReceive", notify_confirm_receive),
    Route::new("wxa.sec.order.setMsgJumpPath", set_msg_jump_path),
    Route::new("wxa.sec.order.isTradeManaged", is_trade_managed),
    Route::new("wxa.sec.order.isTradeManagementConfirmationCompleted", is_trade_managed),
    Route::new("wxa.sec.order.opSpecialOrder", op_special_order),
];

/// The payment an `order_key` names (268485194-268485197 when it is incomplete, 10060001 when unknown).
fn keyed<'s>(ctx: &Ctx<'_>, book: &'s mut Shipping, key: Params<'_>) -> Result<&'s mut Payment, WxError> {
    let (tx, mchid, no) = (key.opt_str("transaction_id"), key.opt_str("mchid"), key.opt_str("out_trade_no"));
    match key.int("order_number_type") {
        Some(2) if tx.is_none_or(str::is_empty) => return Err(ctx.fail(268485195)),
        Some(1) if mchid.is_none_or(str::is_empty) => return Err(ctx.fail(268485196)),
        Some(1) if no.is_none_or(str::is_empty) => return Err(ctx.fail(268485197)),
        Some(1) => return book.find(None, mchid.zip(no)).ok_or_else(|| ctx.fail(10060001)),
        Some(2) => {}
        _ => return Err(ctx.fail(268485194)),
    }
    book.find(tx, None).ok_or_else(|| ctx.fail(10060001))
}

/// One order's shipping as the fields of an upload (top level, or a sub-order) give it.
fn shipping_of(ctx: &Ctx<'_>, p: Params<'_>, upload_ms: i64) -> Result<(Value, bool), WxError> {
    let (logistics, mode) = (p.int("logistics_type").unwrap_or_default(), p.int("delivery_mode").unwrap_or_default());
    let list: Vec<Value> = p.get("shipping_list").and_then(Value::as_array).cloned().unwrap_or_default();
    if mode == 2 && logistics != 1 {
        return Err(ctx.fail(10060006));
    }
    if mode == 2 && p.bool("is_all_delivered").is_none() {
        return Err(ctx.fail(10060007));
    }
    if mode == 1 && list.len() != 1 {
        return Err(ctx.fail(268485228));
    }
    let mut packages = Vec::new();
    for item in &list {
        let item = Params(item);
        if item.str("item_desc").is_empty() {
            return Err(ctx.fail(10060008));
        }
        if logistics == 1 {
            if item.str("tracking_no").is_empty() {
                return Err(ctx.fail(268485226));
            }
            let company = item.str("express_company");
            if company.is_empty() {
                return Err(ctx.fail(268485227));
            }
            if !CARRIERS.iter().any(|c| c.id == company) {
                return Err(WxError::new(10060014, format!("invalid parameter: express_company {company} is not in logistics.getDeliveryList")));
            }
        }
        let contact = item.child("contact");
        packages.push(json!({"tracking_no": item.str("tracking_no"), "express_company": item.str("express_company"),
            "goods_desc": item.str("item_desc"), "upload_time": upload_ms / 1000,
            "contact": {"consignor_contact": contact.str("consignor_contact"), "receiver_contact": contact.str("receiver_contact")}}));
    }
    let finished = mode == 1 || p.bool("is_all_delivered") == Some(true);
    let desc: Vec<&str> = list.iter().filter_map(|i| i["item_desc"].as_str()).collect();
    let shipping = json!({"delivery_mode": mode, "logistics_type": logistics, "finish_shipping": finished,
        "goods_desc": desc.join(";"), "shipping_list": packages});
    Ok((shipping, finished))
}

/// Ships (or re-ships) one payment: its state decides (10060002, 10060003, 10060004, 10060031).
fn ship(ctx: &mut Ctx<'_>, key: Params<'_>, order: Params<'_>) -> Reply {
    let upload_ms = parse_rfc3339(ctx.params.str("upload_time")).ok_or_else(|| ctx.fail(268485216))?;
    let (shipping, finished) = shipping_of(ctx, order, upload_ms)?;
    let (payer, now, appid) = (ctx.params.child("payer").str("openid").to_owned(), ctx.unix_now(), ctx.appid());
    let fails = [10060031, 10060004, 10060002, 10060003, 10060023].map(|c| ctx.fail(c));
    let mut book = std::mem::take(ctx.app_record::<Shipping>());
    let outcome = (|| {
        let p = keyed(ctx, &mut book, key)?;
        if p.openid != payer {
            return Err(fails[0].clone());
        }
        match p.state {
            TO_SHIP => {}
            SHIPPED if p.finish_count >= 2 => return Err(fails[3].clone()),
            SHIPPED => {}
            REFUNDED => return Err(fails[1].clone()),
            _ => return Err(fails[2].clone()),
        }
        if upload_ms <= p.last_upload_ms {
            return Err(fails[4].clone());
        }
        p.last_upload_ms = upload_ms;
        p.logistics_type = order.int("logistics_type").unwrap_or_default();
        p.shipping = Some(shipping);
        if finished {
            p.finish_count += 1;
            p.state = SHIPPED;
            p.shipped_at = Some(now);
        }
        Ok(finished.then(|| p.clone()))
    })();
    *ctx.app_record::<Shipping>() = book;
    if let Some(p) = outcome? {
        pushes::shipped(ctx.state, &appid, &p);
    }
    Ok(Default::default())
}

fn upload_shipping_info(ctx: &mut Ctx<'_>) -> Reply {
    let params = ctx.params;
    ship(ctx, params.child("order_key"), params)
}

/// Each sub-order ships like a payment of its own (10060013 for a repeated one, 268485253 for a mixed key type).
fn upload_combined_shipping_info(ctx: &mut Ctx<'_>) -> Reply {
    let params = ctx.params;
    let kind = params.child("order_key").int("order_number_type");
    let subs: Vec<Value> = params.get("sub_orders").and_then(Value::as_array).cloned().unwrap_or_default();
    let keys: Vec<String> = subs.iter().map(|s| s["order_key"].to_string()).collect();
    if (1..keys.len()).any(|i| keys[..i].contains(&keys[i])) {
        return Err(ctx.fail(10060013));
    }
    if subs.iter().any(|s| Params(s).child("order_key").int("order_number_type") != kind) {
        return Err(ctx.fail(268485253));
    }
    for sub in &subs {
        let sub = Params(sub);
        ship(ctx, sub.child("order_key"), sub)?;
    }
    Ok(Default::default())
}

/// A lookup's payment: by transaction id, or merchant id and trade number (10060014 without either).
fn looked_up<'s>(ctx: &Ctx<'_>, book: &'s mut Shipping) -> Result<&'s mut Payment, WxError> {
    let p = ctx.params;
    let merchant = p.opt_str("merchant_id").zip(p.opt_str("merchant_trade_no")).filter(|(m, n)| !m.is_empty() && !n.is_empty());
    if p.opt_str("transaction_id").is_none_or(str::is_empty) && merchant.is_none() {
        return Err(ctx.fail(10060014));
    }
    book.find(p.opt_str("transaction_id"), merchant).ok_or_else(|| ctx.fail(10060001))
}

fn get_order(ctx: &mut Ctx<'_>) -> Reply {
    let mut book = std::mem::take(ctx.app_record::<Shipping>());
    let found = looked_up(ctx, &mut book).map(|p| p.describe());
    *ctx.app_record::<Shipping>() = book;
    Ok(fields! { "order" => found? })
}

/// Pages by pay time; `last_index` is the position after the page, in hex (10060011 when it is not one).
fn get_order_list(ctx: &mut Ctx<'_>) -> Reply {
    let p = ctx.params;
    let range = p.child("pay_time_range");
    let (begin, end) = (range.int("begin_time").unwrap_or(0), range.int("end_time").unwrap_or(i64::from(u32::MAX)));
    let (state, openid) = (p.int("order_state"), p.opt_str("openid"));
    let size = p.int("page_size").filter(|n| *n > 0).unwrap_or(100) as usize;
    let from = match p.opt_str("last_index").filter(|s| !s.is_empty()) {
        None => 0,
        Some(text) => usize::from_str_radix(text, 16).map_err(|_| ctx.fail(10060011))?,
    };
    let mut matching: Vec<&Payment> = ctx.app_record::<Shipping>().payments.iter()
        .filter(|x| x.paid_at >= begin && x.paid_at <= end && state.is_none_or(|s| x.state == s) && openid.is_none_or(|o| x.openid == o))
        .collect();
    matching.sort_by_key(|x| x.paid_at);
    let page: Vec<Value> = matching.iter().skip(from).take(size).map(|x| x.describe()).collect();
    let next = from + page.len();
    Ok(fields! { "order_list" => page, "last_index" => format!("{next:x}"), "has_more" => next < matching.len() })
}

/// Once per express order, shipped, with a receipt time between shipping and now.
fn notify_confirm_receive(ctx: &mut Ctx<'_>) -> Reply {
    let (received, now) = (ctx.params.int("received_time").unwrap_or_default(), ctx.unix_now());
    let fails = [10060032, 10060028, 10060030, 10060029].map(|c| ctx.fail(c));
    let mut book = std::mem::take(ctx.app_record::<Shipping>());
    let outcome = looked_up(ctx, &mut book).and_then(|p| {
        if p.logistics_type != 1 {
            return Err(fails[0].clone());
        }
        if p.state != SHIPPED {
            return Err(fails[1].clone());
        }
        if p.receipt_reminded {
            return Err(fails[2].clone());
        }
        if p.shipped_at.is_none_or(|s| received < s) || received > now {
            return Err(fails[3].clone());
        }
        p.receipt_reminded = true;
        Ok(())
    });
    *ctx.app_record::<Shipping>() = book;
    outcome.map(|()| Default::default())
}

fn set_msg_jump_path(ctx: &mut Ctx<'_>) -> Reply {
    let path = ctx.params.str("path").to_owned();
    ctx.app_record::<Shipping>().jump_path = path;
    Ok(Default::default())
}

/// Both questions have the same answer here: an account is managed once its merchants are confirmed.
fn is_trade_managed(ctx: &mut Ctx<'_>) -> Reply {
    if ctx.params.str("appid").is_empty() {
        return Err(ctx.fail(40097));
    }
    ctx.require_own_appid("appid")?;
    let managed = ctx.app_record::<Shipping>().managed;
    let key = if ctx.endpoint.name.ends_with("Completed") { "completed" } else { "is_trade_managed" };
    Ok(fields! { key => managed })
}

/// Pre-sale (expected shipping 15 to 330 days after payment) or test order (refunded).
fn op_special_order(ctx: &mut Ctx<'_>) -> Reply {
    let (id, kind, delay_to) = (ctx.params.str("order_id").to_owned(), ctx.params.int("type"), ctx.params.int("delay_to"));
    let fails = [268546002, 268546001, 268546000].map(|c| ctx.fail(c));
    let book = ctx.app_record::<Shipping>();
    let p = book.payments.iter_mut().find(|p| p.state == TO_SHIP && (p.transaction_id == id || p.merchant_trade_no == id)).ok_or(fails[0].clone())?;
    match (kind, delay_to) {
        (Some(1), Some(at)) if at >= p.paid_at + 15 * 86_400 && at <= p.paid_at + 330 * 86_400 => p.presale_until = Some(at),
        (Some(1), _) => return Err(fails[1].clone()),
        (Some(2), _) => p.state = REFUNDED,
        _ => return Err(fails[2].clone()),
    }
    Ok(Default::default())
}
