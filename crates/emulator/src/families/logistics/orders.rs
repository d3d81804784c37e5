//! Orders and waybills: `addOrder` places an order (checking openid, company, service type, shop block and
//! the account's quota) and gets a waybill; the read calls see it; `cancelOrder` cancels it while no courier
//! has touched it; `testUpdateOrder` (sandbox orders only) appends tracking events, each pushed to the
//! merchant as `add_express_path`.

use super::accounts::is_sandbox;
use super::billing::{billing_of, charge, refund};
use super::carriers::{carrier, Carrier};
use super::{courier_calls, couriers};
use super::order_record::{CourierRecord, DeliveryTokens, Order, OrderRef, Orders, PathEvent, CANCELLED, IN_TRANSIT, OUT_FOR_DELIVERY, PICKED_UP, SIGNED};
use super::print_html::print_html;
use crate::kit::action::{account, parse, Action};
use crate::kit::context::Ctx;
use crate::kit::failure::fail;
use crate::kit::family::Family;
use crate::kit::ids::random_token;
use crate::kit::params::Params;
use crate::kit::route::Route;
use crate::kit::state::{AppData, State};
use crate::wire::{fields, Reply, WxError};
use serde::Deserialize;
use serde_json::{json, Map, Value};

pub const FAMILY: Family = Family::new("logistics.orders").routes(ROUTES).actions(ACTIONS).describe_app(describe_app).describe(describe);

const ACTIONS: &[Action] = &[
    Action::new("setPrintHtmlSize", "{kb}", "Pads every waybill's HTML to at least kb KiB before base64 (0: natural size). Returns {kb}.", set_print_html_size)
        .js("kb: number", "{ kb: number }"),
    Action::new("order", "{appid?, orderId}", "An order as stored, with its courier-side deliveryToken (for updatePath, getContact and scatter calls), path, fees and complaint.", order)
        .js("orderId: string, appid?: string", "any"),
    Action::new("advanceOrder", "{appid?, orderId, actionType?, actionMsg?}", "Moves an order one step along a courier's path (picked up, in transit, out for delivery, signed) at the emulator's clock, or appends the event given; getPath answers it. Returns the order as `order` does.", advance_order)
        .js("args: { appid?: string; orderId: string; actionType?: number; actionMsg?: string }", "any"),
];

/// Size the waybill HTML is padded to (KiB), so benchmarks can fetch sizeable `print_html`.
#[derive(Default)]
struct PrintHtmlSize(usize);

const ROUTES: &[Route] = &[
    Route::new("logistics.addOrder", add_order),
    Route::new("logistics.getOrder", get_order),
    Route::new("logistics.batchGetOrder", batch_get_order),
    Route::new("logistics.cancelOrder", cancel_order),
    Route::new("logistics.getPath", get_path),
    Route::new("logistics.testUpdateOrder", test_update_order),
];

const BATCH_LIMIT: usize = 100;

/// The fields `getOrder` and each `batchGetOrder` entry answer with.
fn order_wire(order: &Order, one_part: bool, pad_kib: usize) -> Map<String, Value> {
    fields! {
        "print_html" => print_html(order, one_part, pad_kib),
        "waybill_data" => order.waybill_data_wire(),
        "order_id" => order.order_id.as_str(),
        "delivery_id" => order.delivery_id.as_str(),
        "waybill_id" => order.waybill_id.as_str(),
        "order_status" => i64::from(order.cancelled),
    }
}

/// `addOrder`: checks in WeChat's order, then charges the account and writes the waybill.
fn add_order(ctx: &mut Ctx<'_>) -> Reply {
    let (p, endpoint) = (ctx.params, ctx.endpoint);
    let (order_id, delivery_id, biz_id) = (p.str("order_id"), p.str("delivery_id"), p.str("biz_id"));
    if order_id.len() > 512 || p.str("custom_remark").len() > 1024 {
        return Err(fail(endpoint, 9300526));
    }
    match p.int("add_source") {
        Some(0) => ctx.require_openid(p.str("openid"))?,
        Some(2) if p.str("wx_appid").is_empty() => return Err(fail(endpoint, 9300536)),
        Some(2) => {}
        _ => return Err(fail(endpoint, 930561)),
    }
    if let Some(courier) = couriers::courier(ctx.state, delivery_id) {
        check_shop(p.child("shop")).map_err(|()| fail(endpoint, 9300535))?;
        if ctx.app().record::<Orders>().0.get(order_id).is_some_and(|o| !o.cancelled) {
            return Err(order_id_used(endpoint));
        }
        return courier_calls::add_order(ctx, courier, store_order);
    }
    let company = carrier(delivery_id).ok_or_else(|| fail(endpoint, 9300503))?;
    let service = p.child("service");
    if service.int("service_type").and_then(|t| company.service_name(t)).is_none() {
        return Err(fail(endpoint, 9300510));
    }
    check_shop(p.child("shop")).map_err(|()| fail(endpoint, 9300535))?;
    let serial = ctx.state.next_serial();
    let now = ctx.unix_now();
    let app = ctx.app();
    if app.record::<Orders>().0.get(order_id).is_some_and(|o| !o.cancelled) {
        return Err(order_id_used(endpoint));
    }
    charge(app, billing_of(company, biz_id), delivery_id, biz_id, now, endpoint)?;
    let order = Order {
        order_id: order_id.to_owned(),
        openid: p.str("openid").to_owned(),
        delivery_id: delivery_id.to_owned(),
        biz_id: biz_id.to_owned(),
        waybill_id: format!("{}{}", company.waybill_prefix, 4_200_000_000u64 + serial),
        cancelled: false,
        waybill_data: waybill_marks(company, &p.0["receiver"], serial),
        request: p.0.clone(),
        path: Vec::new(),
        delivery_token: random_token(48),
        create_time: now,
        courier: CourierRecord::default(),
    };
    let answer = fields! {
        "order_id" => order_id,
        "waybill_id" => order.waybill_id.as_str(),
        "waybill_data" => order.waybill_data_wire(),
        "delivery_resultcode" => 0,
        "delivery_resultmsg" => "",
    };
    let appid = ctx.appid();
    store_order(ctx.state, &appid, order);
    Ok(answer)
}

/// 9300501 with the courier's 10002, as WeChat answers an order_id still in use.
fn order_id_used(endpoint: &'static wechat_protocol::catalogue::Endpoint) -> WxError {
    fail(endpoint, 9300501).with("delivery_resultcode", 10002).with("delivery_resultmsg", "order_id already used")
}

/// Keeps `order` (replacing a cancelled one with its id) and its courier-side token.
fn store_order(state: &mut State, appid: &str, order: Order) {
    let (token, order_id) = (order.delivery_token.clone(), order.order_id.clone());
    let replaced = state.app_mut(appid).record::<Orders>().0.insert(order_id.clone(), order);
    let tokens = &mut state.record::<DeliveryTokens>().0;
    if let Some(cancelled) = replaced {
        tokens.remove(&cancelled.delivery_token);
    }
    tokens.insert(token, OrderRef { appid: appid.to_owned(), order_id });
}

/// Marks an order cancelled, with the cancellation in its path.
fn mark_cancelled(app: &mut AppData, order_id: &str, now: i64) {
    if let Some(stored) = app.record::<Orders>().0.get_mut(order_id) {
        stored.cancelled = true;
        stored.append(now, CANCELLED, "订单已取消");
    }
}

/// Without `shop.detail_list`, the thumbnail, name and a positive count must be given (9300535).
fn check_shop(shop: Params<'_>) -> Result<(), ()> {
    let has_list = shop.get("detail_list").and_then(Value::as_array).is_some_and(|l| !l.is_empty());
    let has_single = !shop.str("img_url").is_empty() && !shop.str("goods_name").is_empty() && shop.int("goods_count").unwrap_or(0) > 0;
    if has_list || has_single {
        Ok(())
    } else {
        Err(())
    }
}

/// The sorting marks printed on a waybill, keyed by company as WeChat's are (`SF_bagAddr`, …).
fn waybill_marks(company: &Carrier, receiver: &Value, serial: u64) -> Vec<(String, String)> {
    let city = receiver.get("city").and_then(Value::as_str).filter(|c| !c.is_empty()).unwrap_or("未知");
    vec![
        (format!("{}_bagAddr", company.id), city.to_owned()),
        (format!("{}_mark", company.id), format!("{:03}-{:02}-{:03}", serial % 1000, serial % 97, serial % 997)),
    ]
}

/// The order `order_id` of the calling account, if it was placed with `delivery_id`.
fn find<'a>(app: &'a mut AppData, order_id: &str, delivery_id: &str) -> Option<&'a mut Order> {
    app.record::<Orders>().0.get_mut(order_id).filter(|o| o.delivery_id == delivery_id)
}

/// Checks the optional `waybill_id` and `openid` a read names against the order.
fn check_order_matches(ctx: &mut Ctx<'_>, order_waybill: &str, order_openid: &str) -> Result<(), WxError> {
    let p = ctx.params;
    if p.opt_str("waybill_id").is_some_and(|w| !w.is_empty() && w != order_waybill) {
        return Err(ctx.fail(40199));
    }
    if let Some(openid) = p.opt_str("openid").filter(|o| !o.is_empty()) {
        ctx.require_openid(openid)?;
        if openid != order_openid {
            return Err(ctx.fail(9300534));
        }
    }
    Ok(())
}

fn get_order(ctx: &mut Ctx<'_>) -> Reply {
    let (p, endpoint) = (ctx.params, ctx.endpoint);
    let pad = ctx.state.record::<PrintHtmlSize>().0;
    let order = find(ctx.app(), p.str("order_id"), p.str("delivery_id")).ok_or_else(|| fail(endpoint, 930563))?.clone();
    check_order_matches(ctx, &order.waybill_id, &order.openid)?;
    Ok(order_wire(&order, p.int("print_type") == Some(1), pad))
}

fn batch_get_order(ctx: &mut Ctx<'_>) -> Reply {
    let wanted = ctx.params.get("order_list").and_then(Value::as_array).cloned().unwrap_or_default();
    if wanted.len() > BATCH_LIMIT {
        return Err(WxError::data_format(format!("order_list holds at most {BATCH_LIMIT} orders")));
    }
    let pad = ctx.state.record::<PrintHtmlSize>().0;
    let not_found = ctx.fail(930563);
    let app = ctx.app();
    let list: Vec<Value> = wanted
        .iter()
        .map(|w| {
            let item = Params(w);
            let found = find(app, item.str("order_id"), item.str("delivery_id"))
                .filter(|o| item.opt_str("waybill_id").is_none_or(|id| id.is_empty() || id == o.waybill_id));
            let mut entry = match found {
                Some(order) => {
                    let mut entry = fields! { "errcode" => 0, "errmsg" => "ok" };
                    entry.extend(order_wire(order, false, pad));
                    entry
                }
                None => fields! {
                    "errcode" => not_found.code, "errmsg" => not_found.message.as_str(),
                    "order_id" => item.str("order_id"), "delivery_id" => item.str("delivery_id"),
                },
            };
            if let Some(w) = item.opt_str("waybill_id") {
                entry.entry("waybill_id").or_insert_with(|| w.into());
            }
            Value::Object(entry)
        })
        .collect();
    Ok(fields! { "order_list" => list })
}

/// `cancelOrder`: 930563 unknown, 40199 wrong waybill, 9300524 already cancelled, 9300506 a courier already
/// recorded a trace.
fn cancel_order(ctx: &mut Ctx<'_>) -> Reply {
    let (p, endpoint) = (ctx.params, ctx.endpoint);
    let now = ctx.unix_now();
    let order = find(ctx.app(), p.str("order_id"), p.str("delivery_id")).ok_or_else(|| fail(endpoint, 930563))?.clone();
    check_order_matches(ctx, &order.waybill_id, &order.openid)?;
    if p.str("waybill_id") != order.waybill_id {
        return Err(fail(endpoint, 40199));
    }
    if order.cancelled {
        return Err(fail(endpoint, 9300524));
    }
    if !order.path.is_empty() {
        return Err(fail(endpoint, 9300506));
    }
    if let Some(courier) = couriers::courier(ctx.state, &order.delivery_id) {
        return courier_calls::cancel_order(ctx, courier, order, mark_cancelled);
    }
    let app = ctx.app();
    refund(app, &order);
    mark_cancelled(app, &order.order_id, now);
    Ok(fields! { "delivery_resultcode" => 0, "delivery_resultmsg" => "" })
}

fn get_path(ctx: &mut Ctx<'_>) -> Reply {
    let (p, endpoint) = (ctx.params, ctx.endpoint);
    let (delivery_id, waybill_id) = (p.str("delivery_id"), p.str("waybill_id"));
    let order = ctx
        .app_record::<Orders>()
        .0
        .values()
        .find(|o| o.waybill_id == waybill_id && o.delivery_id == delivery_id)
        .cloned()
        .ok_or_else(|| fail(endpoint, 40199))?;
    check_order_matches(ctx, &order.waybill_id, &order.openid)?;
    let items: Vec<Value> = order.path.iter().map(PathEvent::to_wire).collect();
    Ok(fields! {
        "openid" => order.openid.as_str(),
        "delivery_id" => delivery_id,
        "waybill_id" => waybill_id,
        "path_item_num" => items.len(),
        "path_item_list" => items,
    })
}

/// Sandbox only (`TEST` / `test_biz_id`): appends a tracking event as a courier would.
fn test_update_order(ctx: &mut Ctx<'_>) -> Reply {
    let (p, endpoint) = (ctx.params, ctx.endpoint);
    if !is_sandbox(p.str("delivery_id"), p.str("biz_id")) {
        return Err(fail(endpoint, 930561));
    }
    let appid = ctx.appid();
    let order = find(ctx.app(), p.str("order_id"), p.str("delivery_id")).ok_or_else(|| fail(endpoint, 930563))?;
    if order.waybill_id != p.str("waybill_id") {
        return Err(fail(endpoint, 40199));
    }
    order.append(p.int("action_time").unwrap_or_default(), p.int("action_type").unwrap_or_default(), p.str("action_msg"));
    let pushed = super::path_push::message(&appid, order);
    crate::kit::push::send(ctx.state, pushed);
    Ok(fields! {})
}

fn set_print_html_size(state: &mut State, args: Value) -> Result<Value, String> {
    #[derive(Deserialize)]
    #[serde(deny_unknown_fields)]
    struct Args {
        kb: usize,
    }
    let kb = parse::<Args>(args)?.kb;
    if kb > 10 * 1024 {
        return Err("kb must be at most 10240 (10 MiB a waybill)".into());
    }
    state.record::<PrintHtmlSize>().0 = kb;
    Ok(json!({"kb": kb}))
}

/// The steps `advanceOrder` walks, in order, with the message a courier writes.
const PATH_STEPS: [(i64, &str); 4] = [(PICKED_UP, "快件已揽收"), (IN_TRANSIT, "快件运输中"), (OUT_FOR_DELIVERY, "快件派送中"), (SIGNED, "快件已签收")];

fn advance_order(state: &mut State, args: Value) -> Result<Value, String> {
    #[derive(Deserialize)]
    #[serde(rename_all = "camelCase", deny_unknown_fields)]
    struct Args {
        appid: Option<String>,
        order_id: String,
        action_type: Option<i64>,
        action_msg: Option<String>,
    }
    let args: Args = parse(args)?;
    let appid = account(state, args.appid)?;
    let now = state.clock.unix();
    let order = state.app_mut(&appid).record::<Orders>().0.get_mut(&args.order_id).ok_or_else(|| format!("no order {}", args.order_id))?;
    let (action_type, message) = match args.action_type {
        Some(given) => (given, args.action_msg.unwrap_or_default()),
        None => {
            let reached = order.path.iter().filter_map(|e| PATH_STEPS.iter().position(|(t, _)| *t == e.action_type)).max();
            let next = reached.map_or(0, |i| i + 1);
            let (step, text) = PATH_STEPS.get(next).ok_or_else(|| format!("order {} is already signed for", args.order_id))?;
            (*step, args.action_msg.unwrap_or_else(|| (*text).to_owned()))
        }
    };
    order.append(now, action_type, &message);
    Ok(order.describe())
}

fn order(state: &mut State, args: Value) -> Result<Value, String> {
    #[derive(Deserialize)]
    #[serde(rename_all = "camelCase", deny_unknown_fields)]
    struct Args {
        appid: Option<String>,
        order_id: String,
    }
    let args: Args = parse(args)?;
    let appid = account(state, args.appid)?;
    let orders = &state.app_mut(&appid).record::<Orders>().0;
    let order = orders.get(&args.order_id).ok_or_else(|| format!("no order {}", args.order_id))?;
    Ok(order.describe())
}

fn describe_app(_: &State, _: &str, app: &AppData, out: &mut Map<String, Value>) {
    let orders: Vec<Value> = app.records.peek::<Orders>().map_or_else(Vec::new, |orders| {
        orders.0.values()
            .map(|o| json!({"orderId": o.order_id, "waybillId": o.waybill_id, "deliveryId": o.delivery_id,
                "orderStatus": i64::from(o.cancelled), "pathItems": o.path.len()}))
            .collect()
    });
    out.insert("orders".into(), orders.into());
}

fn describe(state: &State, out: &mut Map<String, Value>) {
    out.insert("printHtmlKb".into(), state.records.peek::<PrintHtmlSize>().map_or(0, |s| s.0).into());
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::families::logistics::order_record::{IN_TRANSIT, PICKED_UP};
    use crate::test_support::{code, TestEmulator, APP};
    use base64::Engine;

    /// An `addOrder` body for the demo app's first user.
    pub(crate) fn order_body(openid: &str, order_id: &str, delivery_id: &str, biz_id: &str) -> Value {
        json!({
            "order_id": order_id, "openid": openid, "delivery_id": delivery_id, "biz_id": biz_id, "add_source": 0,
            "sender": {"name": "张三", "mobile": "13800000000", "province": "广东省", "city": "广州市", "area": "天河区", "address": "1号"},
            "receiver": {"name": "李四", "mobile": "13900000000", "province": "北京市", "city": "北京市", "area": "朝阳区", "address": "2号"},
            "cargo": {"count": 1, "weight": 1.2, "space_x": 10, "space_y": 10, "space_z": 10, "detail_list": [{"name": "书", "count": 1}]},
            "shop": {"wxa_path": "/pages/order", "img_url": "https://img/x.png", "goods_name": "书", "goods_count": 1},
            "insured": {"use_insured": 0, "insured_value": 0},
            "service": {"service_type": 1, "service_name": "test service type 1"}
        })
    }

    /// The demo app's first user orders from the demo SF account: (that user, addOrder's answer).
    async fn add_sf_order(emu: &TestEmulator, order_id: &str) -> (String, Value) {
        let user = emu.openids(APP).await[0].clone();
        let mut body = order_body(&user, order_id, "SF", "demo_sf_monthly");
        body["service"] = json!({"service_type": 0, "service_name": "标准快递"});
        let added = emu.app_call("logistics.addOrder", body).await;
        (user, added)
    }

    #[tokio::test]
    async fn an_order_is_seen_by_every_read_and_cancelled_once() {
        let emu = TestEmulator::start(json!({})).await;
        let (user, added) = add_sf_order(&emu, "o-1").await;
        let user = &user;
        assert_eq!(code(&added), 0, "{added}");
        let waybill = added["waybill_id"].as_str().unwrap().to_owned();
        assert!(waybill.starts_with("SF"));
        assert_eq!(added["waybill_data"][0], json!({"key": "SF_bagAddr", "value": "北京市"}));
        let got = emu.app_call("logistics.getOrder", json!({"order_id": "o-1", "delivery_id": "SF"})).await;
        assert_eq!((got["waybill_id"].as_str(), got["order_status"].as_i64()), (Some(waybill.as_str()), Some(0)));
        let html = base64::engine::general_purpose::STANDARD.decode(got["print_html"].as_str().unwrap()).unwrap();
        let html = String::from_utf8(html).unwrap();
        assert!(html.contains(&waybill) && html.contains("李四") && html.contains("顺丰速运"));
        let quota = emu.app_call("logistics.getQuota", json!({"delivery_id": "SF", "biz_id": "demo_sf_monthly"})).await;
        assert_eq!(quota["quota_num"], 499, "the demo account started with 500");
        let batch = emu
            .app_call("logistics.batchGetOrder", json!({"order_list": [{"order_id": "o-1", "delivery_id": "SF"}, {"order_id": "nope", "delivery_id": "SF"}]}))
            .await;
        assert_eq!(batch["order_list"][0]["waybill_id"], waybill.as_str());
        assert_eq!(batch["order_list"][0]["errcode"], 0);
        assert_eq!(batch["order_list"][1]["errcode"], 930563);
        let path = emu.app_call("logistics.getPath", json!({"delivery_id": "SF", "waybill_id": waybill})).await;
        assert_eq!((path["path_item_num"].as_i64(), path["openid"].as_str()), (Some(0), Some(user.as_str())));
        let cancel = json!({"order_id": "o-1", "delivery_id": "SF", "waybill_id": waybill});
        assert_eq!(code(&emu.app_call("logistics.cancelOrder", cancel.clone()).await), 0);
        assert_eq!(emu.app_call("logistics.getOrder", json!({"order_id": "o-1", "delivery_id": "SF"})).await["order_status"], 1);
        assert_eq!(code(&emu.app_call("logistics.cancelOrder", cancel).await), 9300524);
        let quota = emu.app_call("logistics.getQuota", json!({"delivery_id": "SF", "biz_id": "demo_sf_monthly"})).await;
        assert_eq!(quota["quota_num"], 500, "the unused waybill went back");
        assert_eq!(code(&emu.app_call("logistics.getOrder", json!({"order_id": "o-2", "delivery_id": "SF"})).await), 930563);
    }

    #[tokio::test]
    async fn sandbox_orders_take_test_events_and_then_cannot_be_cancelled() {
        let emu = TestEmulator::start(json!({})).await;
        let user = &emu.openids(APP).await[1];
        let added = emu.app_call("logistics.addOrder", order_body(user, "t-1", "TEST", "test_biz_id")).await;
        let waybill = added["waybill_id"].as_str().unwrap().to_owned();
        let quota = emu.app_call("logistics.getQuota", json!({"delivery_id": "TEST", "biz_id": "test_biz_id"})).await;
        assert_eq!(quota["quota_num"], 999);
        for (t, kind, msg) in [(1_700_000_000, PICKED_UP, "揽件成功"), (1_700_000_100, IN_TRANSIT, "运输中")] {
            let event = json!({"biz_id": "test_biz_id", "order_id": "t-1", "delivery_id": "TEST", "waybill_id": waybill,
                "action_time": t, "action_type": kind, "action_msg": msg});
            assert_eq!(code(&emu.app_call("logistics.testUpdateOrder", event).await), 0);
        }
        let path = emu.app_call("logistics.getPath", json!({"delivery_id": "TEST", "waybill_id": waybill, "openid": user})).await;
        assert_eq!(path["path_item_num"], 2);
        assert_eq!(path["path_item_list"][1], json!({"action_time": 1_700_000_100, "action_type": 200001, "action_msg": "运输中"}));
        let cancel = json!({"order_id": "t-1", "delivery_id": "TEST", "waybill_id": waybill});
        assert_eq!(code(&emu.app_call("logistics.cancelOrder", cancel).await), 9300506);
        let not_sandbox = json!({"biz_id": "demo_sf_monthly", "order_id": "t-1", "delivery_id": "SF", "waybill_id": waybill,
            "action_time": 1, "action_type": 1, "action_msg": "x"});
        assert_eq!(code(&emu.app_call("logistics.testUpdateOrder", not_sandbox).await), 930561);
    }

    #[tokio::test]
    async fn add_order_rejects_what_wechat_rejects() {
        let emu = TestEmulator::start(json!({})).await;
        let user = emu.openids(APP).await[0].clone();
        let try_order = |body: Value| emu.app_call("logistics.addOrder", body);
        assert_eq!(code(&try_order(order_body("ounknown", "x1", "TEST", "test_biz_id")).await), 40003);
        assert_eq!(code(&try_order(order_body(&user, "x1", "NOPE", "test_biz_id")).await), 9300503);
        let mut unbound = order_body(&user, "x1", "ZTO", "unbound");
        unbound["service"]["service_type"] = json!(0);
        assert_eq!(code(&try_order(unbound).await), 9300525);
        let mut bad_service = order_body(&user, "x1", "TEST", "test_biz_id");
        bad_service["service"]["service_type"] = json!(99);
        assert_eq!(code(&try_order(bad_service).await), 9300510);
        let mut bad_shop = order_body(&user, "x1", "TEST", "test_biz_id");
        bad_shop["shop"] = json!({"wxa_path": "/p"});
        assert_eq!(code(&try_order(bad_shop).await), 9300535);
        let mut app_order = order_body("", "x1", "TEST", "test_biz_id");
        app_order["add_source"] = json!(2);
        assert_eq!(code(&try_order(app_order.clone()).await), 9300536);
        app_order["wx_appid"] = json!("wxapp");
        assert_eq!(code(&try_order(app_order).await), 0);
        let again = try_order(order_body(&user, "x1", "TEST", "test_biz_id")).await;
        assert_eq!((code(&again), again["delivery_resultcode"].as_i64()), (9300501, Some(10002)));
        let mut wrong_type = order_body(&user, "x2", "TEST", "test_biz_id");
        wrong_type["cargo"]["count"] = json!("1");
        let answer = try_order(wrong_type).await;
        assert_eq!(code(&answer), 47001);
        assert!(answer["errmsg"].as_str().unwrap().starts_with("data format error hint: [cargo.count must be a number, got string] rid: "));
        emu.control("seedAccounts", json!({"appid": APP, "accounts": [{"bizId": "empty", "deliveryId": "YTO", "quotaNum": 0}]})).await;
        let mut no_quota = order_body(&user, "x3", "YTO", "empty");
        no_quota["service"]["service_type"] = json!(0);
        assert_eq!(code(&try_order(no_quota).await), 9300501);
        let cash = {
            let mut b = order_body(&user, "x4", "SF", "SF_CASH");
            b["service"]["service_type"] = json!(0);
            b
        };
        assert_eq!(code(&try_order(cash).await), 0, "scatter orders need no account");
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn concurrent_orders_each_run_once_with_their_own_waybill() {
        let emu = std::sync::Arc::new(TestEmulator::start(json!({})).await);
        let user = emu.openids(APP).await[0].clone();
        let token = emu.stable_token(APP, false).await;
        let calls = (0..40).map(|n| {
            let (emu, token, body) = (emu.clone(), token.clone(), order_body(&user, &format!("c-{n}"), "TEST", "test_biz_id"));
            tokio::spawn(async move { emu.call("logistics.addOrder", &token, body).await })
        });
        let mut waybills = std::collections::BTreeSet::new();
        for call in calls {
            let answer = call.await.unwrap();
            assert_eq!(code(&answer), 0);
            waybills.insert(answer["waybill_id"].as_str().unwrap().to_owned());
        }
        assert_eq!(waybills.len(), 40);
        assert_eq!(emu.control("executions", json!({})).await["logistics.addOrder"], 40);
    }

    #[tokio::test]
    async fn batches_of_a_hundred_with_padded_waybills() {
        let emu = TestEmulator::start(json!({})).await;
        let user = emu.openids(APP).await[0].clone();
        emu.control("setPrintHtmlSize", json!({"kb": 8})).await;
        let token = emu.stable_token(APP, false).await;
        let mut list = Vec::new();
        for n in 0..100 {
            let id = format!("b-{n}");
            assert_eq!(code(&emu.call("logistics.addOrder", &token, order_body(&user, &id, "TEST", "test_biz_id")).await), 0);
            list.push(json!({"order_id": id, "delivery_id": "TEST"}));
        }
        let batch = emu.call("logistics.batchGetOrder", &token, json!({"order_list": list.clone()})).await;
        let orders = batch["order_list"].as_array().unwrap();
        assert_eq!(orders.len(), 100);
        let html = base64::engine::general_purpose::STANDARD.decode(orders[99]["print_html"].as_str().unwrap()).unwrap();
        assert_eq!(html.len(), 8 * 1024);
        assert!(String::from_utf8(html).unwrap().ends_with("</body></html>"));
        list.push(json!({"order_id": "b-0", "delivery_id": "TEST"}));
        assert_eq!(code(&emu.call("logistics.batchGetOrder", &token, json!({"order_list": list})).await), 47001);
    }

    #[tokio::test]
    async fn advance_order_walks_the_path_that_get_path_answers() {
        let emu = TestEmulator::start(json!({})).await;
        let waybill = add_sf_order(&emu, "o-walk").await.1["waybill_id"].as_str().unwrap().to_owned();
        for _ in 0..4 {
            emu.control("advanceOrder", json!({"orderId": "o-walk"})).await;
        }
        let path = emu.app_call("logistics.getPath", json!({"delivery_id": "SF", "waybill_id": waybill})).await;
        let types: Vec<i64> = path["path_item_list"].as_array().unwrap().iter().map(|e| e["action_type"].as_i64().unwrap()).collect();
        assert_eq!(types, [PICKED_UP, IN_TRANSIT, OUT_FOR_DELIVERY, SIGNED]);
        let done = emu.emu.control("advanceOrder", json!({"orderId": "o-walk"})).unwrap_err();
        assert!(done.contains("already signed for"), "{done}");
        let held = emu.control("advanceOrder", json!({"orderId": "o-walk", "actionType": 400002, "actionMsg": "滞留"})).await;
        assert_eq!(held["path"][4]["action_msg"], "滞留");
    }
}
