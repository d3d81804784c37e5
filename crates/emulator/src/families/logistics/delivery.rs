//! The express company's side: it reaches a merchant's order through the order's `Token` (sent to it in the
//! order event; tests read it with the control action `order`). It pushes tracking events, reads contacts,
//! previews waybill templates, and runs scatter (cash) orders: fees, refunds, complaints, cancellations, bills.

use super::order_record::{DeliveryTokens, Order, Orders, CANCELLED};
use crate::kit::context::Ctx;
use crate::kit::failure::fail;
use crate::kit::family::Family;
use crate::kit::route::Route;
use crate::kit::state::State;
use crate::wire::{fields, Reply, WxError};
use base64::Engine;
use serde_json::{json, Map, Value};

pub const FAMILY: Family = Family::new("logistics.delivery").routes(ROUTES).describe(describe);

/// The scatter bill of an account acting as a courier.
#[derive(Default)]
struct Bills(Vec<BillEntry>);

const ROUTES: &[Route] = &[
    Route::new("logistics.updatePath", update_path),
    Route::new("logistics.previewTemplate", preview_template),
    Route::new("logistics.getContact", get_contact),
    Route::new("logistics.scatterDeliveryCancel", scatter_delivery_cancel),
    Route::new("logistics.scatterUpdateOrderFee", scatter_update_order_fee),
    Route::new("logistics.scatterDeliveryRefund", scatter_delivery_refund),
    Route::new("logistics.scatterGetBill", scatter_get_bill),
    Route::new("logistics.scatterUpdateComplainResult", scatter_update_complain_result),
    Route::new("logistics.scatterUpdateOrderStatus", scatter_update_order_status),
];

/// One line of a courier's scatter bill.
#[derive(Clone, Debug)]
pub struct BillEntry {
    /// `YYYYMMDD`, Beijing time.
    pub date: String,
    pub bill_type: &'static str,
    pub waybill_id: String,
    pub fee: i64,
    pub bill_time: i64,
}

/// The order behind the request's `token` (9300507 if none), checking its `waybill_id` when one is given (40199).
fn order_by_token<'c>(ctx: &'c mut Ctx<'_>) -> Result<&'c mut Order, WxError> {
    let (p, endpoint) = (ctx.params, ctx.endpoint);
    let token = p.str("token");
    let target = ctx.state.record::<DeliveryTokens>().0.get(token).cloned().ok_or_else(|| fail(endpoint, 9300507))?;
    let order = ctx.state.app_mut(&target.appid).record::<Orders>().0.get_mut(&target.order_id).ok_or_else(|| fail(endpoint, 9300507))?;
    if p.opt_str("waybill_id").is_some_and(|w| !w.is_empty() && w != order.waybill_id) {
        return Err(fail(endpoint, 40199));
    }
    Ok(order)
}

/// `{token, waybill_id, action_time, action_type, action_msg}`: a tracking event the merchant's reads will show.
/// The merchant is pushed `add_express_path` with the path so far.
fn update_path(ctx: &mut Ctx<'_>) -> Reply {
    let p = ctx.params;
    let merchant = ctx.state.record::<DeliveryTokens>().0.get(p.str("token")).map(|t| t.appid.clone());
    let order = order_by_token(ctx)?;
    order.append(p.int("action_time").unwrap_or_default(), p.int("action_type").unwrap_or_default(), p.str("action_msg"));
    let pushed = super::path_push::message(&merchant.unwrap_or_default(), order);
    crate::kit::push::send(ctx.state, pushed);
    Ok(fields! {})
}

fn get_contact(ctx: &mut Ctx<'_>) -> Reply {
    let order = order_by_token(ctx)?;
    let contact = |c: &Value| {
        let text = |k: &str| c.get(k).and_then(Value::as_str).unwrap_or_default().to_owned();
        let address: String = ["province", "city", "area", "address"].iter().map(|k| text(k)).collect();
        json!({"name": text("name"), "tel": text("tel"), "mobile": text("mobile"), "address": address})
    };
    Ok(fields! {
        "waybill_id" => order.waybill_id.as_str(),
        "sender" => contact(&order.request["sender"]),
        "receiver" => contact(&order.request["receiver"]),
    })
}

/// `{waybill_id, waybill_template (base64 HTML), waybill_data, custom}`: fills `{{path}}` placeholders from
/// `custom` (dotted snake_case paths such as `{{receiver.name}}`), plus `{{waybill_id}}` and `{{waybill_data}}`.
fn preview_template(ctx: &mut Ctx<'_>) -> Reply {
    let (p, endpoint) = (ctx.params, ctx.endpoint);
    let waybill_id = p.str("waybill_id");
    let has_waybill = |orders: &Orders| orders.0.values().any(|o| o.waybill_id == waybill_id);
    let known = ctx.state.apps.values().any(|app| app.records.peek::<Orders>().is_some_and(has_waybill));
    if !known {
        return Err(fail(endpoint, 40199));
    }
    let b64 = base64::engine::general_purpose::STANDARD;
    let template = b64
        .decode(p.str("waybill_template"))
        .ok()
        .and_then(|bytes| String::from_utf8(bytes).ok())
        .ok_or_else(|| fail(endpoint, 9300512))?;
    let rendered = render(&template, |path| match path {
        "waybill_id" => Some(waybill_id.to_owned()),
        "waybill_data" => Some(p.str("waybill_data").to_owned()),
        _ => lookup(&p.0["custom"], path),
    })
    .ok_or_else(|| fail(endpoint, 9300512))?;
    Ok(fields! { "waybill_id" => waybill_id, "rendered_waybill_template" => b64.encode(rendered) })
}

/// Replaces each `{{path}}`; unknown paths render empty. `None` when a `{{` is never closed.
fn render(template: &str, value_of: impl Fn(&str) -> Option<String>) -> Option<String> {
    let mut out = String::with_capacity(template.len());
    let mut rest = template;
    while let Some(open) = rest.find("{{") {
        out.push_str(&rest[..open]);
        let close = rest[open..].find("}}")? + open;
        out.push_str(&value_of(rest[open + 2..close].trim()).unwrap_or_default());
        rest = &rest[close + 2..];
    }
    out.push_str(rest);
    Some(out)
}

fn lookup(root: &Value, path: &str) -> Option<String> {
    let value = path.split('.').try_fold(root, |v, key| v.get(key))?;
    Some(match value {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    })
}

fn scatter_delivery_cancel(ctx: &mut Ctx<'_>) -> Reply {
    let (p, endpoint) = (ctx.params, ctx.endpoint);
    let now = ctx.unix_now();
    let order = order_by_token(ctx)?;
    if order.cancelled {
        return Err(fail(endpoint, 9300524));
    }
    order.cancelled = true;
    order.append(now, CANCELLED, &format!("快递公司取消: {}", p.str("reason")));
    Ok(fields! {})
}

fn scatter_update_order_fee(ctx: &mut Ctx<'_>) -> Reply {
    let p = ctx.params;
    let now = ctx.unix_now();
    let order = order_by_token(ctx)?;
    let mut fee = p.0.clone();
    if let Some(map) = fee.as_object_mut() {
        map.remove("token");
    }
    order.courier.fee = Some(fee);
    let waybill_id = order.waybill_id.clone();
    let amount = p.int("fee").unwrap_or_default();
    record_bill(ctx, "SUCCESS", waybill_id, amount, now);
    Ok(fields! {})
}

/// `{token, fee}`: refunds at most what the user paid and was not refunded yet (930561 otherwise).
fn scatter_delivery_refund(ctx: &mut Ctx<'_>) -> Reply {
    let (p, endpoint) = (ctx.params, ctx.endpoint);
    let now = ctx.unix_now();
    let amount = p.int("fee").unwrap_or_default();
    let order = order_by_token(ctx)?;
    let paid = order.courier.fee.as_ref().and_then(|f| f["fee"].as_i64()).unwrap_or(0);
    if amount <= 0 || amount > paid - order.courier.refunded {
        return Err(fail(endpoint, 930561));
    }
    order.courier.refunded += amount;
    let waybill_id = order.waybill_id.clone();
    record_bill(ctx, "REFUND", waybill_id, amount, now);
    Ok(fields! {})
}

fn record_bill(ctx: &mut Ctx<'_>, bill_type: &'static str, waybill_id: String, fee: i64, now: i64) {
    let entry = BillEntry { date: beijing_date(now), bill_type, waybill_id, fee, bill_time: now };
    ctx.app_record::<Bills>().0.push(entry);
}

/// `{date: YYYYMMDD, type: ALL|SUCCESS|REFUND}` → the caller's `bill_list` for that day
/// (WeChat's page lists no response fields; these names are the emulator's).
fn scatter_get_bill(ctx: &mut Ctx<'_>) -> Reply {
    let p = ctx.params;
    let (date, wanted) = (p.str("date"), p.str("type"));
    if date.len() != 8 || !date.bytes().all(|b| b.is_ascii_digit()) {
        return Err(WxError::data_format("date must be YYYYMMDD"));
    }
    if !matches!(wanted, "ALL" | "SUCCESS" | "REFUND") {
        return Err(WxError::data_format("type must be ALL, SUCCESS or REFUND"));
    }
    let list: Vec<Value> = ctx
        .app_record::<Bills>()
        .0
        .iter()
        .filter(|b| b.date == date && (wanted == "ALL" || wanted == b.bill_type))
        .map(|b| json!({"waybill_id": b.waybill_id, "bill_type": b.bill_type, "fee": b.fee, "bill_time": b.bill_time}))
        .collect();
    Ok(fields! { "total_count" => list.len(), "bill_list" => list })
}

fn scatter_update_complain_result(ctx: &mut Ctx<'_>) -> Reply {
    let p = ctx.params;
    let order = order_by_token(ctx)?;
    order.courier.complaint = Some(json!({"result": p.str("result"), "desc": p.str("desc")}));
    Ok(fields! {})
}

fn scatter_update_order_status(ctx: &mut Ctx<'_>) -> Reply {
    let p = ctx.params;
    let order = order_by_token(ctx)?;
    order.append(p.int("action_time").unwrap_or_default(), p.int("action_type").unwrap_or_default(), p.str("action_msg"));
    order.courier.couriers = Some(json!({
        "pickup_courier_name": p.str("pickup_courier_name"), "pickup_courier_phone": p.str("pickup_courier_phone"),
        "delivery_courier_name": p.str("delivery_courier_name"), "delivery_courier_phone": p.str("delivery_courier_phone"),
    }));
    Ok(fields! {})
}

/// `YYYYMMDD` of a unix time in Beijing (UTC+8), the calendar WeChat's bills use.
pub fn beijing_date(unix: i64) -> String {
    // Howard Hinnant's days-to-civil algorithm.
    let days = (unix + 8 * 3600).div_euclid(86_400) + 719_468;
    let era = days.div_euclid(146_097);
    let doe = days - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!("{year:04}{month:02}{day:02}")
}

/// Today as the bills count days.
fn describe(state: &State, out: &mut Map<String, Value>) {
    out.insert("today".into(), beijing_date(state.clock.unix()).into());
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::families::logistics::orders::tests::order_body;
    use crate::test_support::{code, TestEmulator, APP};

    #[test]
    fn dates_and_templates() {
        assert_eq!(beijing_date(0), "19700101");
        // 2024-03-01 00:00 in Beijing is 2024-02-29 16:00 UTC.
        assert_eq!(beijing_date(1_709_222_400), "20240301");
        assert_eq!(beijing_date(1_709_222_399), "20240229");
        let v = json!({"receiver": {"name": "李四"}, "cargo": {"count": 2}});
        let out = render("<p>{{ receiver.name }} x{{cargo.count}} {{nope}}</p>", |p| lookup(&v, p)).unwrap();
        assert_eq!(out, "<p>李四 x2 </p>");
        assert_eq!(render("{{open", |_| None), None);
    }

    /// A scatter order of the demo app, its waybill and its courier-side token.
    async fn scatter_order(emu: &TestEmulator) -> (String, String) {
        let user = emu.openids(APP).await[0].clone();
        let mut body = order_body(&user, "s-1", "SF", "SF_CASH");
        body["service"]["service_type"] = json!(0);
        let added = emu.app_call("logistics.addOrder", body).await;
        let order = emu.control("order", json!({"appid": APP, "orderId": "s-1"})).await;
        (added["waybill_id"].as_str().unwrap().into(), order["deliveryToken"].as_str().unwrap().into())
    }

    #[tokio::test]
    async fn courier_events_reach_the_merchant() {
        let emu = TestEmulator::start(json!({})).await;
        let (waybill, token) = scatter_order(&emu).await;
        let event = json!({"token": token, "waybill_id": waybill, "action_time": 1_700_000_000, "action_type": 100001, "action_msg": "揽件"});
        assert_eq!(code(&emu.app_call("logistics.updatePath", event).await), 0);
        let path = emu.app_call("logistics.getPath", json!({"delivery_id": "SF", "waybill_id": waybill})).await;
        assert_eq!(path["path_item_list"][0]["action_msg"], "揽件");
        let contact = emu.app_call("logistics.getContact", json!({"token": token, "waybill_id": waybill})).await;
        assert_eq!(contact["receiver"], json!({"name": "李四", "tel": "", "mobile": "13900000000", "address": "北京市北京市朝阳区2号"}));
        let bogus = emu.app_call("logistics.getContact", json!({"token": "nope", "waybill_id": waybill})).await;
        assert_eq!(code(&bogus), 9300507);
        let wrong_waybill = emu.app_call("logistics.getContact", json!({"token": token, "waybill_id": "SF0"})).await;
        assert_eq!(code(&wrong_waybill), 40199);
        let b64 = base64::engine::general_purpose::STANDARD;
        let preview = json!({"waybill_id": waybill, "waybill_template": b64.encode("<b>{{receiver.name}} {{waybill_id}}</b>"),
            "waybill_data": "d", "custom": {"receiver": {"name": "王五"}}});
        let shown = emu.app_call("logistics.previewTemplate", preview).await;
        assert_eq!(b64.decode(shown["rendered_waybill_template"].as_str().unwrap()).unwrap(), format!("<b>王五 {waybill}</b>").as_bytes());
        let bad = json!({"waybill_id": waybill, "waybill_template": "!!!", "waybill_data": "d", "custom": {}});
        assert_eq!(code(&emu.app_call("logistics.previewTemplate", bad).await), 9300512);
        let unknown = json!({"waybill_id": "SF1", "waybill_template": "", "waybill_data": "d", "custom": {}});
        assert_eq!(code(&emu.app_call("logistics.previewTemplate", unknown).await), 40199);
    }

    #[tokio::test]
    async fn scatter_fees_refunds_bills_and_cancel() {
        let emu = TestEmulator::start(json!({})).await;
        let (waybill, token) = scatter_order(&emu).await;
        let fee = json!({"token": token, "waybill_id": waybill, "need_pay": 1, "fee": 1200, "original_fee": 1200, "base_fee": 1000, "insured_fee": 200});
        assert_eq!(code(&emu.app_call("logistics.scatterUpdateOrderFee", fee).await), 0);
        assert_eq!(code(&emu.app_call("logistics.scatterDeliveryRefund", json!({"token": token, "fee": 1300})).await), 930561);
        assert_eq!(code(&emu.app_call("logistics.scatterDeliveryRefund", json!({"token": token, "fee": 200})).await), 0);
        let today = emu.control("state", json!({})).await["today"].as_str().unwrap().to_owned();
        let bill = emu.app_call("logistics.scatterGetBill", json!({"date": today, "type": "ALL"})).await;
        assert_eq!(bill["total_count"], 2);
        assert_eq!((bill["bill_list"][0]["fee"].as_i64(), bill["bill_list"][1]["bill_type"].as_str()), (Some(1200), Some("REFUND")));
        let refunds = emu.app_call("logistics.scatterGetBill", json!({"date": today, "type": "REFUND"})).await;
        assert_eq!(refunds["total_count"], 1);
        assert_eq!(code(&emu.app_call("logistics.scatterGetBill", json!({"date": "2024-1-1", "type": "ALL"})).await), 47001);
        let complaint = json!({"token": token, "waybill_id": waybill, "result": "refunded", "desc": "late"});
        assert_eq!(code(&emu.app_call("logistics.scatterUpdateComplainResult", complaint).await), 0);
        let status = json!({"token": token, "action_time": 1, "action_type": 100001, "action_msg": "已揽件",
            "pickup_courier_name": "小王", "pickup_courier_phone": "1", "delivery_courier_name": "小李", "delivery_courier_phone": "2"});
        assert_eq!(code(&emu.app_call("logistics.scatterUpdateOrderStatus", status).await), 0);
        let cancel = json!({"token": token, "reason": "用户取消"});
        assert_eq!(code(&emu.app_call("logistics.scatterDeliveryCancel", cancel.clone()).await), 0);
        assert_eq!(code(&emu.app_call("logistics.scatterDeliveryCancel", cancel).await), 9300524);
        let order = emu.control("order", json!({"appid": APP, "orderId": "s-1"})).await;
        assert_eq!(order["orderStatus"], 1);
        assert_eq!(order["refunded"], 200);
        assert_eq!(order["complaint"]["desc"], "late");
        assert_eq!(order["couriers"]["pickup_courier_name"], "小王");
        assert_eq!(order["path"].as_array().unwrap().len(), 2);
    }
}
