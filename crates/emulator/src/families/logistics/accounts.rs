//! Courier accounts of a merchant: the express companies WeChat supports, binding and unbinding accounts
//! (an EMS binding waits for the company's review, reported through `updateBusiness`), and waybill quota.

use super::carriers::{carrier, CARRIERS, TEST_BIZ_ID, TEST_DELIVERY_ID};
use super::{courier_calls, couriers};
use crate::config::{EmulatorConfig, DEMO_APPID};
use crate::kit::action::{account, parse, Action};
use crate::kit::context::Ctx;
use crate::kit::family::Family;
use crate::kit::route::Route;
use crate::kit::state::{AppData, State};
use crate::wire::{fields, Reply, WxError};
use serde::Deserialize;
use serde_json::{json, Map, Value};

pub const FAMILY: Family = Family::new("logistics.accounts").routes(ROUTES).actions(ACTIONS).seed(seed_demo).describe_app(describe_app);

const ACTIONS: &[Action] = &[
    Action::new("seedAccounts", "{appid?, accounts: [{bizId, deliveryId, alias?, quotaNum?, statusCode?, remarkContent?, remarkWrongMsg?}]}", "Adds bound logistics accounts (snake_case keys work too); replaces one with the same bizId and deliveryId. Returns {count}.", seed_accounts)
        .js("appid: string | undefined, accounts: EmulatorSeedAccount[]", "{ count: number }"),
];

/// Test orders each account may place with `TEST`/`test_biz_id` (WeChat's sandbox has a quota too: 930564).
const SANDBOX_ORDERS: u64 = 1000;

/// An account's bound courier accounts, and what is left of its sandbox quota.
pub struct CourierAccounts {
    pub list: Vec<LogisticsAccount>,
    pub sandbox_orders_left: u64,
}

impl Default for CourierAccounts {
    fn default() -> CourierAccounts {
        CourierAccounts { list: Vec::new(), sandbox_orders_left: SANDBOX_ORDERS }
    }
}

const ROUTES: &[Route] = &[
    Route::new("logistics.getAllDelivery", get_all_delivery),
    Route::new("logistics.getAllAccount", get_all_account),
    Route::new("logistics.bindAccount", bind_account),
    Route::new("logistics.getQuota", get_quota),
    Route::new("logistics.updateBusiness", update_business),
];

/// `status_code` values (guessed: WeChat documents the field, not its values).
pub const STATUS_BOUND: i64 = 0;
pub const STATUS_IN_REVIEW: i64 = 1;
pub const STATUS_REJECTED: i64 = 2;

/// Waybills a newly bound account may print before it needs more quota.
const DEFAULT_QUOTA: i64 = 1000;

#[derive(Clone, Debug)]
pub struct LogisticsAccount {
    pub biz_id: String,
    pub delivery_id: String,
    pub alias: String,
    pub create_time: i64,
    pub update_time: i64,
    pub status_code: i64,
    pub remark_content: String,
    pub remark_wrong_msg: String,
    pub quota_num: i64,
    pub quota_update_time: i64,
}

impl LogisticsAccount {
    fn new(biz_id: &str, delivery_id: &str, now: i64) -> LogisticsAccount {
        LogisticsAccount {
            biz_id: biz_id.to_owned(),
            delivery_id: delivery_id.to_owned(),
            alias: String::new(),
            create_time: now,
            update_time: now,
            status_code: STATUS_BOUND,
            remark_content: String::new(),
            remark_wrong_msg: String::new(),
            quota_num: DEFAULT_QUOTA,
            quota_update_time: now,
        }
    }

    pub fn to_wire(&self) -> Value {
        let service_type = carrier(&self.delivery_id).map_or(Value::Array(vec![]), |c| c.service_types_wire());
        Value::Object(fields! {
            "biz_id" => self.biz_id.as_str(),
            "delivery_id" => self.delivery_id.as_str(),
            "create_time" => self.create_time,
            "update_time" => self.update_time,
            "status_code" => self.status_code,
            "alias" => self.alias.as_str(),
            "remark_wrong_msg" => self.remark_wrong_msg.as_str(),
            "remark_content" => self.remark_content.as_str(),
            "quota_num" => self.quota_num,
            "quota_update_time" => self.quota_update_time,
            "service_type" => service_type,
        })
    }
}

/// Whether `(delivery_id, biz_id)` is WeChat's sandbox pair, usable without binding.
pub fn is_sandbox(delivery_id: &str, biz_id: &str) -> bool {
    delivery_id == TEST_DELIVERY_ID && biz_id == TEST_BIZ_ID
}

fn get_all_delivery(ctx: &mut Ctx<'_>) -> Reply {
    let mut data: Vec<Value> = CARRIERS.iter().map(|c| c.to_wire()).collect();
    data.extend(couriers::all(ctx.state).iter().map(couriers::Courier::to_wire));
    Ok(fields! { "count" => data.len(), "data" => data })
}

fn get_all_account(ctx: &mut Ctx<'_>) -> Reply {
    let list: Vec<Value> = ctx.app_record::<CourierAccounts>().list.iter().map(LogisticsAccount::to_wire).collect();
    Ok(fields! { "count" => list.len(), "list" => list })
}

/// `{type: bind|unbind, biz_id, delivery_id, password?, remark_content?}`
fn bind_account(ctx: &mut Ctx<'_>) -> Reply {
    let p = ctx.params;
    let (biz_id, delivery_id) = (p.str("biz_id"), p.str("delivery_id"));
    let courier = couriers::courier(ctx.state, delivery_id);
    if let (Some(courier), "bind") = (courier.clone(), p.str("type")) {
        return courier_calls::bind_account(ctx, courier, bind_approved);
    }
    let reviews_bindings = match carrier(delivery_id) {
        Some(company) => company.reviews_bindings,
        None if courier.is_some() => false,
        None => return Err(ctx.fail(9300503)),
    };
    let now = ctx.unix_now();
    let not_bound = ctx.fail(9300525);
    let accounts = &mut ctx.app_record::<CourierAccounts>().list;
    let existing = accounts.iter().position(|a| a.biz_id == biz_id && a.delivery_id == delivery_id);
    match p.str("type") {
        "bind" => {
            let account = match existing {
                Some(i) => &mut accounts[i],
                None => {
                    let mut fresh = LogisticsAccount::new(biz_id, delivery_id, now);
                    if reviews_bindings {
                        fresh.status_code = STATUS_IN_REVIEW;
                    }
                    accounts.push(fresh);
                    accounts.last_mut().expect("just pushed")
                }
            };
            account.update_time = now;
            if let Some(remark) = p.opt_str("remark_content") {
                account.remark_content = remark.to_owned();
            }
        }
        "unbind" => {
            accounts.remove(existing.ok_or(not_bound)?);
        }
        other => return Err(WxError::data_format(format!("type must be bind or unbind, got {other:?}"))),
    }
    Ok(fields! {})
}

/// Binds (or rebinds) an account a registered courier approved, with the quota it reported.
fn bind_approved(app: &mut AppData, biz_id: &str, delivery_id: &str, quota: i64, now: i64) {
    let accounts = &mut app.record::<CourierAccounts>().list;
    accounts.retain(|a| !(a.biz_id == biz_id && a.delivery_id == delivery_id));
    let mut account = LogisticsAccount::new(biz_id, delivery_id, now);
    account.quota_num = quota;
    accounts.push(account);
}

/// `{delivery_id, biz_id}` → `quota_num` (the sandbox pair reports its remaining test orders).
fn get_quota(ctx: &mut Ctx<'_>) -> Reply {
    let p = ctx.params;
    let (biz_id, delivery_id) = (p.str("biz_id"), p.str("delivery_id"));
    if let Some(courier) = couriers::courier(ctx.state, delivery_id) {
        return courier_calls::get_quota(ctx, courier);
    }
    carrier(delivery_id).ok_or_else(|| ctx.fail(9300503))?;
    let not_bound = ctx.fail(9300525);
    let accounts = ctx.app_record::<CourierAccounts>();
    let quota = if is_sandbox(delivery_id, biz_id) {
        accounts.sandbox_orders_left as i64
    } else {
        let account = accounts.list.iter().find(|a| a.biz_id == biz_id && a.delivery_id == delivery_id);
        account.ok_or(not_bound)?.quota_num
    };
    Ok(fields! { "quota_num" => quota })
}

/// Courier side: `{shop_app_id, biz_id, result_code, result_msg?}` settles a binding under review; the shop is
/// pushed `update_business_bind_result` (errcode, errmsg, delivery_id, biz_id: the official page's sample).
fn update_business(ctx: &mut Ctx<'_>) -> Reply {
    let p = ctx.params;
    let shop = p.str("shop_app_id");
    if !ctx.state.apps.contains_key(shop) {
        return Err(ctx.fail(40013));
    }
    let not_bound = ctx.fail(9300525);
    let now = ctx.unix_now();
    let accounts = &mut ctx.state.app_mut(shop).record::<CourierAccounts>().list;
    let account = accounts.iter_mut().find(|a| a.biz_id == p.str("biz_id")).ok_or(not_bound)?;
    if p.int("result_code") == Some(0) {
        account.status_code = STATUS_BOUND;
        account.remark_wrong_msg.clear();
    } else {
        account.status_code = STATUS_REJECTED;
        account.remark_wrong_msg = p.str("result_msg").to_owned();
    }
    account.update_time = now;
    let (code, msg) = match p.int("result_code") {
        Some(0) => (0, "ok".to_owned()),
        other => (other.unwrap_or(-1), account.remark_wrong_msg.clone()),
    };
    let mut fields = crate::families::pushes::header(shop, "oWeChatTeam0000000000000000", "update_business_bind_result");
    fields.insert("errcode".into(), code.into());
    fields.insert("errmsg".into(), msg.into());
    fields.insert("delivery_id".into(), account.delivery_id.clone().into());
    fields.insert("biz_id".into(), account.biz_id.clone().into());
    let message = crate::kit::push::Message { appid: shop.to_owned(), event: "update_business_bind_result".into(), fields };
    crate::kit::push::send(ctx.state, message);
    Ok(fields! {})
}

/// One account for `seedAccounts` (camelCase or snake_case keys).
#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct SeedAccount {
    #[serde(alias = "biz_id")]
    pub biz_id: String,
    #[serde(alias = "delivery_id")]
    pub delivery_id: String,
    pub alias: Option<String>,
    #[serde(alias = "quota_num")]
    pub quota_num: Option<i64>,
    #[serde(alias = "status_code")]
    pub status_code: Option<i64>,
    #[serde(alias = "remark_content")]
    pub remark_content: Option<String>,
    #[serde(alias = "remark_wrong_msg")]
    pub remark_wrong_msg: Option<String>,
}

/// Adds (or replaces, by biz_id and company) bound accounts of `appid`; returns how many it has. Linear in
/// accounts and seeds (it runs under the state lock): a replaced account leaves its place, and the seeds follow
/// the kept accounts in their order, the last seed of a pair winning. All or nothing: an unknown company adds none.
fn seed(state: &mut State, appid: &str, seeds: Vec<SeedAccount>) -> Result<usize, String> {
    use std::collections::HashMap;
    if let Some(s) = seeds.iter().find(|s| carrier(&s.delivery_id).is_none()) {
        return Err(format!("unknown deliveryId {:?} (see logistics.getAllDelivery)", s.delivery_id));
    }
    let now = state.clock.unix();
    let accounts = &mut state.app_mut(appid).record::<CourierAccounts>().list;
    let last: HashMap<(&str, &str), usize> = seeds.iter().enumerate().map(|(i, s)| ((s.biz_id.as_str(), s.delivery_id.as_str()), i)).collect();
    accounts.retain(|a| !last.contains_key(&(a.biz_id.as_str(), a.delivery_id.as_str())));
    let winners: Vec<bool> = seeds.iter().enumerate().map(|(i, s)| last[&(s.biz_id.as_str(), s.delivery_id.as_str())] == i).collect();
    for (s, _) in seeds.into_iter().zip(winners).filter(|(_, won)| *won) {
        let mut account = LogisticsAccount::new(&s.biz_id, &s.delivery_id, now);
        account.alias = s.alias.unwrap_or_default();
        account.quota_num = s.quota_num.unwrap_or(DEFAULT_QUOTA);
        account.status_code = s.status_code.unwrap_or(STATUS_BOUND);
        account.remark_content = s.remark_content.unwrap_or_default();
        account.remark_wrong_msg = s.remark_wrong_msg.unwrap_or_default();
        accounts.push(account);
    }
    Ok(accounts.len())
}

/// The demo app's two accounts (when no apps are configured), so `npm run demo` has something to list.
fn seed_demo(state: &mut State, config: &EmulatorConfig) {
    if config.apps.is_some() {
        return;
    }
    let demo = |biz_id: &str, delivery_id: &str, alias: &str, quota: i64| SeedAccount {
        biz_id: biz_id.into(),
        delivery_id: delivery_id.into(),
        alias: Some(alias.into()),
        quota_num: Some(quota),
        status_code: None,
        remark_content: None,
        remark_wrong_msg: None,
    };
    let seeds = vec![demo("demo_sf_monthly", "SF", "顺丰月结 (demo)", 500), demo("demo_zto_shop", "ZTO", "中通网点 (demo)", 200)];
    seed(state, DEMO_APPID, seeds).expect("demo carriers exist");
}

fn seed_accounts(state: &mut State, args: Value) -> Result<Value, String> {
    #[derive(Deserialize)]
    #[serde(deny_unknown_fields)]
    struct Args {
        appid: Option<String>,
        accounts: Vec<SeedAccount>,
    }
    let args: Args = parse(args)?;
    let appid = account(state, args.appid)?;
    let count = seed(state, &appid, args.accounts)?;
    Ok(json!({"count": count}))
}

fn describe_app(_: &State, _: &str, app: &AppData, out: &mut Map<String, Value>) {
    let accounts = app.records.peek::<CourierAccounts>();
    let list: Vec<Value> = accounts.map_or_else(Vec::new, |a| a.list.iter().map(LogisticsAccount::to_wire).collect());
    out.insert("logisticsAccounts".into(), list.into());
    out.insert("sandboxOrdersLeft".into(), accounts.map_or(SANDBOX_ORDERS, |a| a.sandbox_orders_left).into());
}

#[cfg(test)]
mod tests {
    use crate::test_support::{code, TestEmulator, APP};
    use serde_json::json;

    #[tokio::test]
    async fn bind_lists_and_unbind_removes_accounts() {
        let emu = TestEmulator::start(json!({})).await;
        let all = emu.app_call("logistics.getAllAccount", json!({})).await;
        assert_eq!(all["count"], 2, "the demo seed");
        assert_eq!(all["list"][0]["biz_id"], "demo_sf_monthly");
        assert_eq!(all["list"][0]["service_type"][1], json!({"service_type": 1, "service_name": "顺丰即日"}));
        let bind = json!({"type": "bind", "biz_id": "yto_123", "delivery_id": "YTO", "password": "pw"});
        assert_eq!(code(&emu.app_call("logistics.bindAccount", bind).await), 0);
        let all = emu.app_call("logistics.getAllAccount", json!({})).await;
        assert_eq!(all["count"], 3);
        assert_eq!(all["list"][2]["biz_id"], "yto_123");
        assert_eq!(all["list"][2]["status_code"], 0);
        assert!(all["list"][2].get("password").is_none());
        let unbind = json!({"type": "unbind", "biz_id": "yto_123", "delivery_id": "YTO"});
        assert_eq!(code(&emu.app_call("logistics.bindAccount", unbind.clone()).await), 0);
        assert_eq!(emu.app_call("logistics.getAllAccount", json!({})).await["count"], 2);
        assert_eq!(code(&emu.app_call("logistics.bindAccount", unbind).await), 9300525);
        let bad = json!({"type": "bind", "biz_id": "x", "delivery_id": "NOPE"});
        assert_eq!(code(&emu.app_call("logistics.bindAccount", bad).await), 9300503);
        let wrong_type = emu.app_call("logistics.bindAccount", json!({"type": "bind", "biz_id": 5, "delivery_id": "SF"})).await;
        assert_eq!(code(&wrong_type), 47001);
        assert!(wrong_type["errmsg"].as_str().unwrap().contains("biz_id must be a string, got number"));
    }

    #[tokio::test]
    async fn ems_bindings_wait_for_the_couriers_review() {
        let emu = TestEmulator::start(json!({})).await;
        let bind = json!({"type": "bind", "biz_id": "ems_1", "delivery_id": "EMS", "remark_content": "please"});
        assert_eq!(code(&emu.app_call("logistics.bindAccount", bind).await), 0);
        let ems = |v: serde_json::Value| v["list"].as_array().unwrap().iter().find(|a| a["biz_id"] == "ems_1").cloned().unwrap();
        assert_eq!(ems(emu.app_call("logistics.getAllAccount", json!({})).await)["status_code"], 1);
        let review = json!({"shop_app_id": APP, "biz_id": "ems_1", "result_code": 1, "result_msg": "bad remark"});
        assert_eq!(code(&emu.app_call("logistics.updateBusiness", review).await), 0);
        let account = ems(emu.app_call("logistics.getAllAccount", json!({})).await);
        assert_eq!((account["status_code"].clone(), account["remark_wrong_msg"].clone()), (json!(2), json!("bad remark")));
        let unknown_shop = json!({"shop_app_id": "wxnobody", "biz_id": "ems_1", "result_code": 0});
        assert_eq!(code(&emu.app_call("logistics.updateBusiness", unknown_shop).await), 40013);
    }

    #[tokio::test]
    async fn seed_accounts_and_delivery_list() {
        let emu = TestEmulator::start(json!({})).await;
        let seeded = emu.control("seedAccounts", json!({"appid": APP, "accounts": [{"bizId": "b1", "deliveryId": "JD", "quotaNum": 7}, {"biz_id": "b2", "delivery_id": "DB"}]})).await;
        assert_eq!(seeded["count"], 4);
        let q = emu.app_call("logistics.getQuota", json!({"delivery_id": "JD", "biz_id": "b1"})).await;
        assert_eq!(q["quota_num"], 7);
        let q = emu.app_call("logistics.getQuota", json!({"delivery_id": "JD", "biz_id": "nope"})).await;
        assert_eq!(code(&q), 9300525);
        let d = emu.app_call("logistics.getAllDelivery", json!({})).await;
        assert_eq!(d["count"], d["data"].as_array().unwrap().len());
        let sf = &d["data"][0];
        assert_eq!((sf["delivery_id"].as_str(), sf["can_use_cash"].as_i64(), sf["cash_biz_id"].as_str()), (Some("SF"), Some(1), Some("SF_CASH")));
    }

    #[tokio::test]
    async fn seeding_replaces_by_pair_keeps_order_and_is_all_or_nothing() {
        let emu = TestEmulator::start(json!({})).await;
        let accounts = json!([{"bizId": "demo_sf_monthly", "deliveryId": "SF", "quotaNum": 1}, {"bizId": "x", "deliveryId": "JD"}, {"bizId": "x", "deliveryId": "JD", "quotaNum": 9}]);
        assert_eq!(emu.control("seedAccounts", json!({"accounts": accounts})).await["count"], 3);
        let all = emu.app_call("logistics.getAllAccount", json!({})).await;
        let order: Vec<(&str, i64)> = all["list"].as_array().unwrap().iter().map(|a| (a["biz_id"].as_str().unwrap(), a["quota_num"].as_i64().unwrap())).collect();
        assert_eq!(order, [("demo_zto_shop", 200), ("demo_sf_monthly", 1), ("x", 9)]);
        let bad = emu.raw_post("/__emulator/seedAccounts", json!({"accounts": [{"bizId": "y", "deliveryId": "SF"}, {"bizId": "z", "deliveryId": "NOPE"}]})).await;
        assert_eq!(bad["ok"], false);
        assert_eq!(emu.app_call("logistics.getAllAccount", json!({})).await["count"], 3, "nothing added");
    }

    /// Under the state lock, so it must be linear: 40 000 accounts, then the same 40 000 again (all replaced).
    /// Quadratic, this took 4.6 s in release and 30 s in debug; linear, well under a second in debug. Timed in
    /// process (the HTTP run below is not timed: debug JSON of 40 000 objects is most of it on a busy machine).
    #[tokio::test]
    async fn forty_thousand_accounts_seed_in_well_under_a_second() {
        let emu = TestEmulator::start(json!({})).await;
        let accounts: Vec<serde_json::Value> = (0..40_000).map(|i| json!({"bizId": format!("b{i}"), "deliveryId": "SF"})).collect();
        let args = json!({"appid": APP, "accounts": accounts});
        for _ in 0..2 {
            let started = std::time::Instant::now();
            assert_eq!(emu.emu.control("seedAccounts", args.clone()).unwrap()["count"], 40_002);
            assert!(started.elapsed() < std::time::Duration::from_millis(1500), "took {:?}", started.elapsed());
        }
        assert_eq!(emu.control("seedAccounts", args).await["count"], 40_002, "over HTTP too");
    }
}
