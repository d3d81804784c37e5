//! The logistics components: a platform opens the message plugin for a merchant (`applyMsgPlugin`, authorizer
//! tokens only); `traceWaybill` / `followWaybill` register a waybill for a user and return a waybill token that
//! the matching query accepts and the `update*Goods` calls modify. When the waybill is one of the merchant's
//! own orders, its status follows that order's tracking events.

use super::carriers::{carrier, carrier_of_waybill, CARRIERS, TEST_DELIVERY_ID};
use super::order_record::{Orders, PathEvent, CANCELLED, HELD, IN_TRANSIT, OUT_FOR_DELIVERY, PICKED_UP, SIGNED, SIGN_FAILED};
use crate::kit::context::Ctx;
use crate::kit::failure::fail;
use crate::kit::family::Family;
use crate::kit::ids::random_token;
use crate::kit::route::Route;
use crate::kit::state::{AppData, State};
use crate::wire::{fields, Reply};
use serde_json::{json, Map, Value};
use std::collections::HashMap;

pub const FAMILY: Family = Family::new("logistics.msg").routes(ROUTES).describe_app(describe_app);

/// An account's message plugin and the waybills its users track, by waybill token.
#[derive(Default)]
struct Tracking {
    plugin_open: bool,
    waybills: HashMap<String, TrackedWaybill>,
}

const ROUTES: &[Route] = &[
    Route::new("logistics.applyMsgPlugin", apply_msg_plugin),
    Route::new("logistics.traceWaybill", trace_waybill),
    Route::new("logistics.queryTrace", query_trace),
    Route::new("logistics.updateWaybillGoods", update_goods),
    Route::new("logistics.followWaybill", follow_waybill),
    Route::new("logistics.queryFollowTrace", query_follow_trace),
    Route::new("logistics.updateFollowWaybillGoods", update_goods),
    Route::new("logistics.getDeliveryList", get_delivery_list),
];

/// How often the goods of one waybill may be changed (WeChat limits it: 9300560; the number is a guess).
const MAX_GOODS_UPDATES: u32 = 10;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Component {
    /// The logistics query component (`traceWaybill`).
    Trace,
    /// The logistics message component (`followWaybill`).
    Follow,
}

#[derive(Clone, Debug)]
pub struct TrackedWaybill {
    pub component: Component,
    pub openid: String,
    pub waybill_id: String,
    pub delivery_id: String,
    pub detail_list: Value,
    pub goods_updates: u32,
}

fn apply_msg_plugin(ctx: &mut Ctx<'_>) -> Reply {
    let already = ctx.fail(933003);
    let tracking = ctx.app_record::<Tracking>();
    if tracking.plugin_open {
        return Err(already);
    }
    tracking.plugin_open = true;
    Ok(fields! {})
}

fn trace_waybill(ctx: &mut Ctx<'_>) -> Reply {
    register(ctx, Component::Trace)
}

fn follow_waybill(ctx: &mut Ctx<'_>) -> Reply {
    register(ctx, Component::Follow)
}

/// Registers the waybill for the user: 40003 for a stranger, 9300559 when no company can be found for it.
fn register(ctx: &mut Ctx<'_>, component: Component) -> Reply {
    let (p, endpoint) = (ctx.params, ctx.endpoint);
    ctx.require_openid(p.str("openid"))?;
    let waybill_id = p.str("waybill_id");
    let app = ctx.app();
    let own_order = app.record::<Orders>().0.values().find(|o| o.waybill_id == waybill_id).map(|o| o.delivery_id.clone());
    let named = p.opt_str("delivery_id").filter(|d| carrier(d).is_some()).map(str::to_owned);
    let guessed = carrier_of_waybill(waybill_id).map(|c| c.id.to_owned());
    let delivery_id = own_order.or(named).or(guessed).ok_or_else(|| fail(endpoint, 9300559))?;
    let token = random_token(64);
    let tracked = TrackedWaybill {
        component,
        openid: p.str("openid").to_owned(),
        waybill_id: waybill_id.to_owned(),
        delivery_id,
        detail_list: p.0["goods_info"]["detail_list"].clone(),
        goods_updates: 0,
    };
    app.record::<Tracking>().waybills.insert(token.clone(), tracked);
    Ok(fields! { "waybill_token" => token })
}

fn query_trace(ctx: &mut Ctx<'_>) -> Reply {
    query(ctx, Component::Trace)
}

fn query_follow_trace(ctx: &mut Ctx<'_>) -> Reply {
    query(ctx, Component::Follow)
}

/// A query accepts tokens of its own component only (9300507); a named openid must be the registered user.
fn query(ctx: &mut Ctx<'_>, component: Component) -> Reply {
    let (p, endpoint) = (ctx.params, ctx.endpoint);
    if let Some(openid) = p.opt_str("openid").filter(|o| !o.is_empty()) {
        ctx.require_openid(openid)?;
    }
    let app: &AppData = ctx.app();
    let tracked = app
        .records
        .peek::<Tracking>()
        .and_then(|t| t.waybills.get(p.str("waybill_token")))
        .filter(|w| w.component == component)
        .ok_or_else(|| fail(endpoint, 9300507))?;
    if p.opt_str("openid").is_some_and(|o| !o.is_empty() && o != tracked.openid) {
        return Err(fail(endpoint, 9300534));
    }
    let delivery_name = carrier(&tracked.delivery_id).map_or("", |c| c.name);
    Ok(fields! {
        "waybill_info" => json!({"status": status_of(app, &tracked.waybill_id), "waybill_id": tracked.waybill_id}),
        "shop_info" => json!({"goods_info": {"detail_list": tracked.detail_list}}),
        "delivery_info" => json!({"delivery_id": tracked.delivery_id, "delivery_name": delivery_name}),
    })
}

/// Component status (0 none … 6 signed by proxy) from the last tracking event of the merchant's order.
fn status_of(app: &AppData, waybill_id: &str) -> i64 {
    let orders = app.records.peek::<Orders>().map(|o| &o.0);
    let last = orders.and_then(|o| o.values().find(|o| o.waybill_id == waybill_id).and_then(|o| o.path.last()));
    match last.map(|e: &PathEvent| e.action_type) {
        None => 0,
        Some(PICKED_UP) => 1,
        Some(IN_TRANSIT) => 2,
        Some(OUT_FOR_DELIVERY) => 3,
        Some(SIGNED) => 4,
        Some(SIGN_FAILED | CANCELLED | HELD) => 5,
        Some(_) => 2,
    }
}

/// Either component's token: replaces the goods shown (9300507 unknown token, 9300560 past the update limit).
fn update_goods(ctx: &mut Ctx<'_>) -> Reply {
    let (p, endpoint) = (ctx.params, ctx.endpoint);
    let tracked = ctx.app_record::<Tracking>().waybills.get_mut(p.str("waybill_token")).ok_or_else(|| fail(endpoint, 9300507))?;
    if tracked.goods_updates >= MAX_GOODS_UPDATES {
        return Err(fail(endpoint, 9300560));
    }
    tracked.goods_updates += 1;
    tracked.detail_list = p.0["goods_info"]["detail_list"].clone();
    Ok(fields! {})
}

fn get_delivery_list(_ctx: &mut Ctx<'_>) -> Reply {
    let list: Vec<Value> = CARRIERS
        .iter()
        .filter(|c| c.id != TEST_DELIVERY_ID)
        .map(|c| json!({"delivery_id": c.id, "delivery_name": c.name}))
        .collect();
    Ok(fields! { "count" => list.len(), "delivery_list" => list })
}

fn describe_app(_: &State, _: &str, app: &AppData, out: &mut Map<String, Value>) {
    let tracking = app.records.peek::<Tracking>();
    out.insert("trackedWaybills".into(), tracking.map_or(0, |t| t.waybills.len()).into());
    out.insert("msgPluginOpen".into(), tracking.is_some_and(|t| t.plugin_open).into());
}

#[cfg(test)]
mod tests {
    use crate::families::logistics::orders::tests::order_body;
    use crate::test_support::{code, TestEmulator, APP};
    use serde_json::{json, Value};

    fn register_body(openid: &str, waybill: &str) -> Value {
        json!({"openid": openid, "receiver_phone": "13900000000", "waybill_id": waybill, "trans_id": "4200000001",
            "order_detail_path": "/pages/order", "goods_info": {"detail_list": [{"goods_name": "书", "goods_img_url": "https://i/1.png"}]}})
    }

    #[tokio::test]
    async fn trace_tokens_follow_the_order_and_take_goods_updates() {
        let emu = TestEmulator::start(json!({})).await;
        let user = emu.openids(APP).await[0].clone();
        let added = emu.app_call("logistics.addOrder", order_body(&user, "m-1", "TEST", "test_biz_id")).await;
        let waybill = added["waybill_id"].as_str().unwrap().to_owned();
        let traced = emu.app_call("logistics.traceWaybill", register_body(&user, &waybill)).await;
        let token = traced["waybill_token"].as_str().unwrap().to_owned();
        let q = emu.app_call("logistics.queryTrace", json!({"waybill_token": token})).await;
        assert_eq!(q["waybill_info"], json!({"status": 0, "waybill_id": waybill}));
        assert_eq!(q["delivery_info"]["delivery_id"], "TEST");
        let event = json!({"biz_id": "test_biz_id", "order_id": "m-1", "delivery_id": "TEST", "waybill_id": waybill,
            "action_time": 1, "action_type": 200001, "action_msg": "运输中"});
        emu.app_call("logistics.testUpdateOrder", event).await;
        let q = emu.app_call("logistics.queryTrace", json!({"waybill_token": token, "openid": user})).await;
        assert_eq!(q["waybill_info"]["status"], 2);
        let goods = json!({"waybill_token": token, "goods_info": {"detail_list": [{"goods_name": "笔", "goods_img_url": "https://i/2.png"}]}});
        assert_eq!(code(&emu.app_call("logistics.updateWaybillGoods", goods.clone()).await), 0);
        let q = emu.app_call("logistics.queryTrace", json!({"waybill_token": token})).await;
        assert_eq!(q["shop_info"]["goods_info"]["detail_list"][0]["goods_name"], "笔");
        for _ in 1..10 {
            assert_eq!(code(&emu.app_call("logistics.updateWaybillGoods", goods.clone()).await), 0);
        }
        assert_eq!(code(&emu.app_call("logistics.updateWaybillGoods", goods).await), 9300560);
        let other_user = emu.openids(APP).await[1].clone();
        let mismatch = emu.app_call("logistics.queryTrace", json!({"waybill_token": token, "openid": other_user})).await;
        assert_eq!(code(&mismatch), 9300534);
        assert_eq!(code(&emu.app_call("logistics.queryFollowTrace", json!({"waybill_token": token})).await), 9300507);
    }

    #[tokio::test]
    async fn follow_tokens_and_their_errors() {
        let emu = TestEmulator::start(json!({})).await;
        let user = emu.openids(APP).await[2].clone();
        let followed = emu.app_call("logistics.followWaybill", register_body(&user, "SF1234567890")).await;
        let token = followed["waybill_token"].as_str().unwrap().to_owned();
        let q = emu.app_call("logistics.queryFollowTrace", json!({"waybill_token": token})).await;
        assert_eq!(q["delivery_info"], json!({"delivery_id": "SF", "delivery_name": "顺丰速运"}));
        let goods = json!({"waybill_token": token, "goods_info": {"detail_list": [{"goods_name": "杯", "goods_img_url": "u"}]}});
        assert_eq!(code(&emu.app_call("logistics.updateFollowWaybillGoods", goods).await), 0);
        let q = emu.app_call("logistics.queryFollowTrace", json!({"waybill_token": token})).await;
        assert_eq!(q["shop_info"]["goods_info"]["detail_list"][0]["goods_name"], "杯");
        assert_eq!(code(&emu.app_call("logistics.followWaybill", register_body("ostranger", "SF1")).await), 40003);
        assert_eq!(code(&emu.app_call("logistics.followWaybill", register_body(&user, "ZZZ1")).await), 9300559);
        assert_eq!(code(&emu.app_call("logistics.queryTrace", json!({"waybill_token": "nope"})).await), 9300507);
        let list = emu.app_call("logistics.getDeliveryList", json!({})).await;
        assert_eq!(list["count"], list["delivery_list"].as_array().unwrap().len());
        assert_eq!(code(&emu.raw_post_bytes(&format!("/cgi-bin/express/delivery/open_msg/get_delivery_list?access_token={}", emu.stable_token(APP, false).await), "").await), 44002);
    }

    #[tokio::test]
    async fn the_message_plugin_needs_an_authorizer_token() {
        let emu = TestEmulator::start(json!({})).await;
        let plain = emu.app_call("logistics.applyMsgPlugin", json!({})).await;
        assert_eq!(code(&plain), 933004);
        assert!(plain["errmsg"].as_str().unwrap().starts_with("not a third-party call rid: "));
    }
}
