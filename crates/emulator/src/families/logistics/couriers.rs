//! Couriers (运力方) registered with `addCourier`: a `delivery_id` whose merchant calls WeChat hands to the
//! courier's own server, as real WeChat does. `addOrder`, `cancelOrder`, `bindAccount` and `getQuota` with that
//! id push `add_waybill`, `cancel_waybill`, `check_biz` and `get_quota` to the courier account's push target
//! (the one push road, `kit::push`; set here or with `setPushTarget`), wait for its passive reply and answer the
//! merchant from it. The other delivery ids (`TEST`, `SF`, …) never come here.
//!
//! Evidence (official 运力方 event pages, developers.weixin.qq.com/miniprogram/dev/api-backend/open-api/express/
//! by-provider/logistics.onAddOrder / onCancelOrder / onCheckBusiness / onGetQuota, and the merchant pages):
//! - every event: ToUserName the courier mini program's UserName, FromUserName "微信团队的 OpenID (固定值)",
//!   CreateTime, MsgType event, Event.
//! - add_waybill: Token (kept for updatePath), OrderID, BizID, BizPwd, ShopAppID, WayBillID ("0": the courier
//!   makes one), Remark, Sender, Receiver, Cargo, Insured, Service (Name/Tel/Mobile/Company/PostCode/Country/
//!   Province/City/Area/Address; Count/Weight/SpaceX/Y/Z/DetailList[Name, Count]; UseInsured/InsuredValue;
//!   ServiceType/ServiceName). Reply: ResultCode (0 success), ResultMsg, WayBillID, WaybillData.
//! - cancel_waybill: BizID, BizPwd, ShopAppID, OrderID, WayBillID; reply ResultCode, ResultMsg.
//! - check_biz: BizID, BizPwd, ShopAppID (and EMS-only shop fields); reply ResultCode (10001 unknown account,
//!   10002 wrong password), ResultMsg, Quota.
//! - get_quota: BizID, BizPwd, ShopAppID; reply ResultCode, ResultMsg, Quota.
//! - the merchant's answer: addOrder documents 9300501 "delivery side logic error (see delivery_resultcode)"
//!   (the courier's ResultCode and ResultMsg in delivery_resultcode / delivery_resultmsg) and 9300502
//!   "delivery side sys error" (what a courier that does not answer a usable reply in time gives). WeChat
//!   waits about 5 s for a passive reply (message push page); `answerTimeoutMs` changes it here.

use crate::families::pushes::{header, set_push_target};
use crate::kit::action::{account, parse, Action};
use crate::kit::context::{Ctx, Finish};
use crate::kit::family::Family;
use crate::kit::push::{self, Message};
use crate::kit::state::State;
use crate::wire::{fields, Reply, WxError};
use serde::Deserialize;
use serde_json::{json, Map, Value};
use std::collections::BTreeMap;
use wechat_protocol::catalogue::Endpoint;

pub const FAMILY: Family = Family::new("logistics.couriers").actions(ACTIONS).describe(describe);

const ACTIONS: &[Action] = &[
    Action::new("addCourier", "{deliveryId, name?, appid?, url?, format?, mode?, token?, encodingAesKey?, answerTimeoutMs?}", "Registers a courier (运力方) under deliveryId: merchants' addOrder, cancelOrder, bindAccount and getQuota with it push add_waybill, cancel_waybill, check_biz and get_quota to the courier account's push target (appid: the courier's own account; url and the rest as setPushTarget, or set there), wait for its passive reply (5 s, or answerTimeoutMs) and answer from it: its WayBillID becomes waybill_id, a non-zero ResultCode the merchant's 9300501 (delivery_resultcode), no usable reply 9300502. Shows in getAllDelivery. Returns {deliveryId, name, appid}.", add_courier)
        .js("args: { deliveryId: string; name?: string; appid?: string; url?: string; format?: 'xml' | 'json'; mode?: 'plain' | 'compatible' | 'safe'; token?: string; encodingAesKey?: string; answerTimeoutMs?: number }", "{ deliveryId: string; name: string; appid: string }"),
];

/// WeChat's fixed sender of courier events ("微信团队的 OpenID (固定值)").
const WECHAT_TEAM: &str = "oWeChatTeam0000000000000000";

#[derive(Clone, Debug)]
pub struct Courier {
    pub delivery_id: String,
    pub name: String,
    /// The courier's own account: its push target receives the events.
    pub appid: String,
}

impl Courier {
    /// As `getAllDelivery` lists it (one standard service; the courier decides what it accepts).
    pub fn to_wire(&self) -> Value {
        Value::Object(fields! {
            "delivery_id" => self.delivery_id.as_str(),
            "delivery_name" => self.name.as_str(),
            "can_use_cash" => 0,
            "can_get_quota" => 1,
            "service_type" => json!([{"service_type": 0, "service_name": "标准快递"}]),
            "cash_biz_id" => "",
        })
    }
}

#[derive(Default)]
pub struct Couriers(BTreeMap<String, Courier>);

/// The courier registered under `delivery_id`, if any.
pub fn courier(state: &mut State, delivery_id: &str) -> Option<Courier> {
    state.record::<Couriers>().0.get(delivery_id).cloned()
}

pub fn all(state: &mut State) -> Vec<Courier> {
    state.record::<Couriers>().0.values().cloned().collect()
}

fn add_courier(state: &mut State, args: Value) -> Result<Value, String> {
    #[derive(Deserialize)]
    #[serde(rename_all = "camelCase", deny_unknown_fields)]
    struct Args {
        delivery_id: String,
        name: Option<String>,
        appid: Option<String>,
        url: Option<String>,
        format: Option<String>,
        mode: Option<String>,
        token: Option<String>,
        encoding_aes_key: Option<String>,
        answer_timeout_ms: Option<u64>,
    }
    let args: Args = parse(args)?;
    let id = args.delivery_id.trim();
    if id.is_empty() || id.len() > 32 || !id.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
        return Err(format!("deliveryId must be 1 to 32 letters, digits or _, got {:?}", args.delivery_id));
    }
    if super::carriers::carrier(id).is_some() {
        return Err(format!("deliveryId {id} is one of WeChat's built-in companies: pick another"));
    }
    let appid = account(state, args.appid)?;
    if let Some(url) = args.url {
        let target = json!({"appid": appid, "url": url, "format": args.format, "mode": args.mode, "token": args.token,
            "encodingAesKey": args.encoding_aes_key, "answerTimeoutMs": args.answer_timeout_ms});
        let target: Map<String, Value> = target.as_object().into_iter().flatten().filter(|(_, v)| !v.is_null()).map(|(k, v)| (k.clone(), v.clone())).collect();
        set_push_target(state, Value::Object(target))?;
    } else if args.format.is_some() || args.mode.is_some() || args.token.is_some() || args.encoding_aes_key.is_some() || args.answer_timeout_ms.is_some() {
        return Err("format, mode, token, encodingAesKey and answerTimeoutMs go with url".into());
    }
    let courier = Courier { delivery_id: id.to_owned(), name: args.name.unwrap_or_else(|| id.to_owned()), appid: appid.clone() };
    let shown = json!({"deliveryId": courier.delivery_id, "name": courier.name, "appid": appid});
    state.record::<Couriers>().0.insert(id.to_owned(), courier);
    Ok(shown)
}

/// A courier event: WeChat's header, then `fields` (WeChat's names).
fn event(courier: &Courier, name: &str, fields: Map<String, Value>) -> Message {
    let mut message = header(&courier.appid, WECHAT_TEAM, name);
    message.extend(fields);
    Message { appid: courier.appid.clone(), event: name.to_owned(), fields: message }
}

/// Pushes `name` to `courier` and answers the merchant with `finish(state, reply)` once the courier's
/// reply is in with ResultCode 0; a non-zero ResultCode answers 9300501, no usable reply 9300502.
pub fn ask(ctx: &mut Ctx<'_>, courier: &Courier, name: &str, fields: Map<String, Value>, finish: OnReply) -> Reply {
    let endpoint = ctx.endpoint;
    let asking = match push::ask(ctx.state, event(courier, name, fields)) {
        Ok(Some(asking)) => asking,
        Ok(None) => return Err(system_error(endpoint, &format!("courier {} has no push target: give one with addCourier or setPushTarget", courier.delivery_id))),
        Err(e) => return Err(system_error(endpoint, &e)),
    };
    let settle: Finish = Box::new(move |state, answer| {
        let reply = answer.map_err(|e| system_error(endpoint, &e))?;
        let code = number(&reply, "ResultCode").ok_or_else(|| system_error(endpoint, "the courier's reply has no ResultCode"))?;
        if code != 0 {
            let message = reply.get("ResultMsg").and_then(Value::as_str).unwrap_or_default();
            return Err(crate::kit::failure::fail(endpoint, 9300501).with("delivery_resultcode", code).with("delivery_resultmsg", message));
        }
        finish(state, &reply).map_err(|why| system_error(endpoint, &why))
    });
    ctx.await_reply(asking, settle)
}

/// What a route does with a successful reply; an Err is a reply WeChat cannot use (9300502).
pub type OnReply = Box<dyn FnOnce(&mut State, &Map<String, Value>) -> Result<Map<String, Value>, String> + Send>;

/// A number field of a reply, sent as a number (JSON) or as text (XML).
pub fn number(reply: &Map<String, Value>, key: &str) -> Option<i64> {
    match reply.get(key)? {
        Value::Number(n) => n.as_i64(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

/// 9300502, with why in `delivery_resultmsg` (never a secret: URLs are shown without their query).
fn system_error(endpoint: &Endpoint, why: &str) -> WxError {
    tracing::debug!("emulator: courier call failed: {why}");
    crate::kit::failure::fail(endpoint, 9300502).with("delivery_resultcode", -1).with("delivery_resultmsg", why)
}

fn describe(state: &State, out: &mut Map<String, Value>) {
    let shown: Map<String, Value> = state
        .records
        .peek::<Couriers>()
        .map(|c| c.0.values().map(|c| (c.delivery_id.clone(), json!({"name": c.name, "appid": c.appid}))).collect())
        .unwrap_or_default();
    out.insert("couriers".into(), Value::Object(shown));
}
