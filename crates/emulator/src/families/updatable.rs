//! Updatable messages (`updatableMessage.*`): an activity id lives 24 hours on the emulator's clock; its message
//! starts at state 0 (members joining, `member_count`/`room_limit`) and may move to 1 (started, `path` and
//! `version_type`), never back. What each state needs is checked as WeChat's page lists it (47501-47504).

use crate::kit::action::{account, parse, Action, AppidArgs};
use crate::kit::context::Ctx;
use crate::kit::family::Family;
use crate::kit::ids::random_token;
use crate::kit::route::Route;
use crate::kit::state::{AppData, State};
use crate::wire::{fields, Reply, WxError};
use serde_json::{json, Map, Value};
use std::collections::BTreeMap;

pub const FAMILY: Family = Family::new("updatable").routes(ROUTES).actions(ACTIONS).describe_app(describe_app);

const ROUTES: &[Route] =
    &[Route::new("updatableMessage.createActivityId", create), Route::new("updatableMessage.setUpdatableMsg", set_message)];

const ACTIONS: &[Action] = &[Action::new(
    "updatableMessages",
    "{appid?}",
    "The account's updatable messages by activity id: {activityId, openid, unionid, expirationTime, state, parameters}.",
    list,
)
.js("appid?: string", "Array<{ activityId: string; openid: string | null; unionid: string | null; expirationTime: number; state: number; parameters: Record<string, string> }>")
.pick("messages")];

/// WeChat's documented lifetime of an activity id.
const LIFETIME: i64 = 24 * 3600;

struct Activity {
    openid: Option<String>,
    unionid: Option<String>,
    expires_at: i64,
    state: i64,
    parameters: BTreeMap<String, String>,
}

#[derive(Default)]
struct Activities(BTreeMap<String, Activity>);

fn create(ctx: &mut Ctx<'_>) -> Reply {
    let openid = ctx.params.opt_str("openid").filter(|o| !o.is_empty()).map(str::to_owned);
    if let Some(o) = &openid {
        ctx.require_openid(o)?;
    }
    let unionid = ctx.params.opt_str("unionid").filter(|u| !u.is_empty()).map(str::to_owned);
    let expires_at = ctx.unix_now() + LIFETIME;
    let id = format!("{}#{}", random_token(24), ctx.unix_now());
    let activity = Activity { openid, unionid, expires_at, state: 0, parameters: BTreeMap::new() };
    ctx.app_record::<Activities>().0.insert(id.clone(), activity);
    Ok(fields! { "activity_id" => id, "expiration_time" => expires_at })
}

/// The parameters a state needs, and which of them has a fixed set of values.
fn required(state: i64) -> &'static [&'static str] {
    if state == 0 { &["member_count", "room_limit"] } else { &["path", "version_type"] }
}

fn set_message(ctx: &mut Ctx<'_>) -> Reply {
    let id = ctx.params.str("activity_id");
    let now = ctx.unix_now();
    let (unknown, expired, bad_state, bad_version) = (ctx.fail(47501), ctx.fail(47504), ctx.fail(47502), ctx.fail(47503));
    let target = ctx.params.int("target_state").filter(|s| matches!(s, 0 | 1)).ok_or_else(|| bad_state.clone())?;
    let mut given = BTreeMap::new();
    for p in ctx.params.child("template_info").get("parameter_list").and_then(Value::as_array).into_iter().flatten() {
        let (Some(name), Some(value)) = (p.get("name").and_then(Value::as_str), p.get("value").and_then(Value::as_str)) else {
            return Err(WxError::data_format("parameter_list[] is {name, value}"));
        };
        given.insert(name.to_owned(), value.to_owned());
    }
    for name in required(target) {
        if given.get(*name).is_none_or(|v| v.is_empty()) {
            return Err(WxError::data_format(format!("target_state {target} needs parameter {name}")));
        }
    }
    if target == 1 && !matches!(given["version_type"].as_str(), "develop" | "trial" | "release") {
        return Err(bad_version);
    }
    let activity = ctx.app_record::<Activities>().0.get_mut(id).ok_or(unknown)?;
    if activity.expires_at <= now {
        return Err(expired);
    }
    // State 1 (started) is final: only setting it again is allowed.
    if activity.state == 1 && target == 0 {
        return Err(bad_state);
    }
    activity.state = target;
    activity.parameters.extend(given);
    Ok(fields! {})
}

fn describe(id: &str, a: &Activity) -> Value {
    json!({"activityId": id, "openid": a.openid, "unionid": a.unionid, "expirationTime": a.expires_at, "state": a.state, "parameters": a.parameters})
}

fn list(state: &mut State, args: Value) -> Result<Value, String> {
    let args: AppidArgs = parse(args)?;
    let appid = account(state, args.appid)?;
    let activities = state.app_mut(&appid).record::<Activities>();
    let messages: Vec<Value> = activities.0.iter().map(|(id, a)| describe(id, a)).collect();
    Ok(json!({"appid": appid, "messages": messages}))
}

fn describe_app(_: &State, _: &str, app: &AppData, out: &mut Map<String, Value>) {
    if let Some(activities) = app.records.peek::<Activities>() {
        out.insert("updatableMessages".into(), activities.0.iter().map(|(id, a)| describe(id, a)).collect::<Vec<_>>().into());
    }
}

#[cfg(test)]
mod tests {
    use crate::test_support::{code, TestEmulator};
    use serde_json::json;

    #[tokio::test]
    async fn a_message_goes_from_joining_to_started_until_its_id_expires() {
        let emu = TestEmulator::start(json!({})).await;
        let made = emu.app_call("updatableMessage.createActivityId", json!({})).await;
        let id = made["activity_id"].as_str().unwrap().to_owned();
        let set = |state: i64, params: serde_json::Value| json!({"activity_id": id, "target_state": state, "template_info": {"parameter_list": params}});
        let joining = json!([{"name": "member_count", "value": "2"}, {"name": "room_limit", "value": "5"}]);
        assert_eq!(code(&emu.app_call("updatableMessage.setUpdatableMsg", set(0, joining.clone())).await), 0);
        assert_eq!(code(&emu.app_call("updatableMessage.setUpdatableMsg", set(0, json!([{"name": "member_count", "value": "3"}]))).await), 47001);
        assert_eq!(code(&emu.app_call("updatableMessage.setUpdatableMsg", set(1, json!([{"name": "path", "value": "p"}, {"name": "version_type", "value": "beta"}]))).await), 47503);
        let started = json!([{"name": "path", "value": "pages/room/room?id=1"}, {"name": "version_type", "value": "release"}]);
        assert_eq!(code(&emu.app_call("updatableMessage.setUpdatableMsg", set(1, started)).await), 0);
        assert_eq!(code(&emu.app_call("updatableMessage.setUpdatableMsg", set(0, joining.clone())).await), 47502, "started is final");
        assert_eq!(code(&emu.app_call("updatableMessage.setUpdatableMsg", set(2, joining.clone())).await), 47502);
        let listed = emu.control("updatableMessages", json!({})).await;
        assert_eq!((listed["messages"][0]["state"].as_i64(), listed["messages"][0]["parameters"]["room_limit"].as_str()), (Some(1), Some("5")));
        let other = json!({"activity_id": "nope", "target_state": 0, "template_info": {"parameter_list": joining}});
        assert_eq!(code(&emu.app_call("updatableMessage.setUpdatableMsg", other).await), 47501);
        let fresh = emu.app_call("updatableMessage.createActivityId", json!({})).await["activity_id"].as_str().unwrap().to_owned();
        emu.control("advanceTime", json!({"seconds": 24 * 3600})).await;
        let late = json!({"activity_id": fresh, "target_state": 0, "template_info": {"parameter_list": joining}});
        assert_eq!(code(&emu.app_call("updatableMessage.setUpdatableMsg", late).await), 47504);
    }
}
