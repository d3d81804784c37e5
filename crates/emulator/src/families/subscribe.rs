//! Subscribe messages: a test seeds an account's templates (`addSubscribeTemplate`) and users' subscriptions
//! (`subscribeUser`, as `wx.requestSubscribeMessage` would), then `subscribeMessage.send` is checked as WeChat
//! checks it: an openid of the account (40003), a template of the account (40037), a `{value}` for every keyword
//! of the template and no other (47003, naming the field), a subscription left (43101: a one-time subscription
//! allows one message), a published page when pages are named (41030). Sent messages are kept for the test
//! (`sentSubscribeMessages`).

use super::wxacode::require_page;
use crate::kit::action::{account, parse, Action};
use crate::kit::context::Ctx;
use crate::kit::family::Family;
use crate::kit::ids::pseudo_id;
use crate::kit::route::Route;
use crate::kit::state::{AppData, State};
use crate::wire::{fields, Reply, WxError};
use serde::Deserialize;
use serde_json::{json, Map, Value};
use std::collections::BTreeMap;

pub const FAMILY: Family = Family::new("subscribe").routes(ROUTES).actions(ACTIONS).describe_app(describe_app);

const ACTIONS: &[Action] = &[
    Action::new(
        "addSubscribeTemplate",
        "{appid?, templateId?, title?, keys, type?}",
        "Adds a subscribe-message template to the account: its keywords (`thing1`, `time2`, …) and type (2 one-time, the default; 3 long-term). Returns {appid, templateId}.",
        add_template,
    )
    .js("args: { keys: string[]; templateId?: string; title?: string; type?: 2 | 3; appid?: string }", "string")
    .pick("templateId"),
    Action::new(
        "subscribeUser",
        "{appid?, openid, templateId, times?}",
        "The user accepts the template in wx.requestSubscribeMessage: `times` more messages (default 1; long-term templates are never used up). Returns {appid, openid, templateId, remaining}.",
        subscribe_user,
    )
    .js("openid: string, templateId: string, times?: number, appid?: string", "{ appid: string; openid: string; templateId: string; remaining: number | null }"),
    Action::new(
        "sentSubscribeMessages",
        "{appid?}",
        "The subscribe messages the account sent, oldest first: {touser, templateId, page, data, miniprogramState, lang, sentAt}.",
        sent_messages,
    )
    .js("appid?: string", "Array<{ touser: string; templateId: string; page: string | null; data: Record<string, { value: string }>; miniprogramState: string; lang: string; sentAt: number }>")
    .pick("messages"),
];

const ROUTES: &[Route] = &[Route::new("subscribeMessage.send", send), Route::new("subscribeMessage.getTemplateList", template_list)];

pub const ONE_TIME: i64 = 2;
pub const LONG_TERM: i64 = 3;

#[derive(Clone, Debug)]
pub struct Template {
    pub id: String,
    pub title: String,
    pub keys: Vec<String>,
    pub kind: i64,
}

/// An account's templates, subscriptions (per openid and template: messages left) and sent messages.
#[derive(Default)]
pub struct Subscriptions {
    pub templates: Vec<Template>,
    pub left: BTreeMap<(String, String), u32>,
    pub sent: Vec<Value>,
}

fn send(ctx: &mut Ctx<'_>) -> Reply {
    let (touser, template_id) = (ctx.params.str("touser"), ctx.params.str("template_id"));
    ctx.require_openid(touser)?;
    let (unknown_template, refused) = (ctx.fail(40037), ctx.fail(43101));
    let template = ctx.app_record::<Subscriptions>().templates.iter().find(|t| t.id == template_id).cloned().ok_or(unknown_template)?;
    check_data(ctx, &template)?;
    let state = ctx.params.opt_str("miniprogram_state").unwrap_or("formal");
    if !matches!(state, "developer" | "trial" | "formal") {
        return Err(argument_invalid("miniprogram_state"));
    }
    let lang = ctx.params.opt_str("lang").unwrap_or("zh_CN");
    if !matches!(lang, "zh_CN" | "en_US" | "zh_HK" | "zh_TW") {
        return Err(argument_invalid("lang"));
    }
    if let Some(page) = ctx.params.opt_str("page").filter(|p| !p.is_empty()) {
        require_page(ctx, page.trim_start_matches('/'))?;
    }
    let key = (touser.to_owned(), template_id.to_owned());
    let record = ctx.app_record::<Subscriptions>();
    match record.left.get_mut(&key) {
        Some(_) if template.kind == LONG_TERM => {}
        Some(n) if *n > 0 => *n -= 1,
        _ => return Err(refused),
    }
    let message = json!({
        "touser": touser, "templateId": template_id, "page": ctx.params.opt_str("page"),
        "data": ctx.params.get("data").cloned().unwrap_or(Value::Null), "miniprogramState": state, "lang": lang,
        "sentAt": ctx.unix_now(),
    });
    ctx.app_record::<Subscriptions>().sent.push(message);
    Ok(fields! {})
}

/// The account's templates as WeChat lists them (camelCase keys on the wire).
fn template_list(ctx: &mut Ctx<'_>) -> Reply {
    let templates = ctx.app_record::<Subscriptions>().templates.clone();
    let data: Vec<Value> = templates
        .iter()
        .map(|t| {
            let content: String = t.keys.iter().map(|k| format!("{{{{{k}.DATA}}}}\n")).collect();
            let example: String = t.keys.iter().map(|k| format!("{k}: …\n")).collect();
            json!({"priTmplId": t.id, "title": t.title, "content": content, "example": example, "type": t.kind})
        })
        .collect();
    Ok(fields! { "data" => data })
}

/// WeChat's 47003 wording, naming the field.
fn argument_invalid(field: &str) -> WxError {
    WxError::new(47003, format!("argument invalid! {field} invalid"))
}

/// Every keyword of the template has a non-empty `value`, and nothing else is given.
fn check_data(ctx: &Ctx<'_>, template: &Template) -> Result<(), WxError> {
    let Some(data) = ctx.params.get("data").and_then(Value::as_object) else { return Err(argument_invalid("data")) };
    for key in &template.keys {
        let value = data.get(key).and_then(|v| v.get("value"));
        let text = match value {
            Some(Value::String(s)) => s.clone(),
            Some(Value::Number(n)) => n.to_string(),
            _ => String::new(),
        };
        if text.trim().is_empty() {
            return Err(WxError::new(47003, format!("argument invalid! data.{key}.value is empty")));
        }
    }
    if let Some(extra) = data.keys().find(|k| !template.keys.contains(k)) {
        return Err(WxError::new(47003, format!("argument invalid! data.{extra} is not a keyword of the template")));
    }
    Ok(())
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct TemplateArgs {
    appid: Option<String>,
    template_id: Option<String>,
    title: Option<String>,
    keys: Vec<String>,
    #[serde(rename = "type")]
    kind: Option<i64>,
}

fn add_template(state: &mut State, args: Value) -> Result<Value, String> {
    let args: TemplateArgs = parse(args)?;
    let appid = account(state, args.appid)?;
    let kind = args.kind.unwrap_or(ONE_TIME);
    if kind != ONE_TIME && kind != LONG_TERM {
        return Err("type is 2 (one-time) or 3 (long-term)".into());
    }
    if args.keys.is_empty() || args.keys.iter().any(|k| k.is_empty()) {
        return Err("keys: the template's keywords, e.g. [\"thing1\", \"time2\"]".into());
    }
    let serial = state.next_serial();
    let id = args.template_id.unwrap_or_else(|| pseudo_id(&format!("{appid}/template{serial}"), 'T', 43));
    let record = state.app_mut(&appid).record::<Subscriptions>();
    if record.templates.iter().any(|t| t.id == id) {
        return Err(format!("template {id} exists"));
    }
    let title = args.title.unwrap_or_else(|| format!("模板 {serial}"));
    record.templates.push(Template { id: id.clone(), title, keys: args.keys, kind });
    Ok(json!({"appid": appid, "templateId": id}))
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct SubscribeArgs {
    appid: Option<String>,
    openid: String,
    template_id: String,
    times: Option<u32>,
}

fn subscribe_user(state: &mut State, args: Value) -> Result<Value, String> {
    let args: SubscribeArgs = parse(args)?;
    let appid = account(state, args.appid)?;
    let app = state.app_mut(&appid);
    if !app.openids.contains(&args.openid) {
        return Err(format!("{} is not a user of {appid}", args.openid));
    }
    let record = app.record::<Subscriptions>();
    let kind = record.templates.iter().find(|t| t.id == args.template_id).map(|t| t.kind);
    let kind = kind.ok_or_else(|| format!("no template {} (addSubscribeTemplate first)", args.template_id))?;
    let left = record.left.entry((args.openid.clone(), args.template_id.clone())).or_default();
    *left += args.times.unwrap_or(1);
    let remaining = if kind == LONG_TERM { Value::Null } else { Value::from(*left) };
    Ok(json!({"appid": appid, "openid": args.openid, "templateId": args.template_id, "remaining": remaining}))
}

fn sent_messages(state: &mut State, args: Value) -> Result<Value, String> {
    let args: crate::kit::action::AppidArgs = parse(args)?;
    let appid = account(state, args.appid)?;
    let sent = state.app_mut(&appid).record::<Subscriptions>().sent.clone();
    Ok(json!({"appid": appid, "messages": sent}))
}

fn describe_app(_: &State, _: &str, app: &AppData, out: &mut Map<String, Value>) {
    let Some(record) = app.records.peek::<Subscriptions>() else { return };
    let templates: Vec<Value> =
        record.templates.iter().map(|t| json!({"templateId": t.id, "title": t.title, "keys": t.keys, "type": t.kind})).collect();
    out.insert("subscribeTemplates".into(), templates.into());
    out.insert("subscribeMessagesSent".into(), record.sent.len().into());
}

#[cfg(test)]
mod tests {
    use crate::test_support::{code, TestEmulator, APP};
    use serde_json::json;

    #[tokio::test]
    async fn a_one_time_subscription_allows_one_message_with_the_template_keys() {
        let emu = TestEmulator::start(json!({})).await;
        let user = emu.openids(APP).await[0].clone();
        let tpl = emu.control("addSubscribeTemplate", json!({"keys": ["thing1", "time2"]})).await["templateId"].as_str().unwrap().to_owned();
        let msg = |data: serde_json::Value| json!({"touser": user, "template_id": tpl, "page": "pages/index/index?id=1", "data": data});
        let good = json!({"thing1": {"value": "到货"}, "time2": {"value": "2026-11-30 08:00"}});
        assert_eq!(code(&emu.app_call("subscribeMessage.send", msg(good.clone())).await), 43101, "not subscribed yet");
        emu.control("subscribeUser", json!({"openid": user, "templateId": tpl})).await;
        let missing = emu.app_call("subscribeMessage.send", msg(json!({"thing1": {"value": "x"}}))).await;
        assert_eq!(code(&missing), 47003);
        assert!(missing["errmsg"].as_str().unwrap().contains("data.time2.value"));
        let extra = json!({"thing1": {"value": "x"}, "time2": {"value": "y"}, "thing9": {"value": "z"}});
        assert_eq!(code(&emu.app_call("subscribeMessage.send", msg(extra)).await), 47003);
        assert_eq!(code(&emu.app_call("subscribeMessage.send", msg(good.clone())).await), 0);
        assert_eq!(code(&emu.app_call("subscribeMessage.send", msg(good.clone())).await), 43101, "the subscription is used");
        let sent = emu.control("sentSubscribeMessages", json!({})).await;
        assert_eq!(sent["messages"].as_array().unwrap().len(), 1);
        assert_eq!(sent["messages"][0]["data"], good);
        let bad_tpl = json!({"touser": user, "template_id": "nope", "data": good});
        assert_eq!(code(&emu.app_call("subscribeMessage.send", bad_tpl).await), 40037);
        let stranger = json!({"touser": "o-stranger", "template_id": tpl, "data": {}});
        assert_eq!(code(&emu.app_call("subscribeMessage.send", stranger).await), 40003);
    }

    #[tokio::test]
    async fn templates_are_listed() {
        let emu = TestEmulator::start(json!({})).await;
        emu.control("addSubscribeTemplate", json!({"templateId": "T1", "title": "到货", "keys": ["thing1", "time2"]})).await;
        let list = emu.app_call("subscribeMessage.getTemplateList", json!({})).await;
        assert_eq!(list["data"][0], json!({"priTmplId": "T1", "title": "到货", "content": "{{thing1.DATA}}\n{{time2.DATA}}\n", "example": "thing1: …\ntime2: …\n", "type": 2}));
    }

    #[tokio::test]
    async fn long_term_templates_are_not_used_up_and_pages_are_checked() {
        let emu = TestEmulator::start(json!({})).await;
        let user = emu.openids(APP).await[1].clone();
        emu.control("addSubscribeTemplate", json!({"templateId": "LT", "keys": ["thing1"], "type": 3})).await;
        emu.control("subscribeUser", json!({"openid": user, "templateId": "LT"})).await;
        let msg = |page: &str| json!({"touser": user, "template_id": "LT", "page": page, "data": {"thing1": {"value": 1}}});
        for _ in 0..3 {
            assert_eq!(code(&emu.app_call("subscribeMessage.send", msg("pages/a/a")).await), 0);
        }
        emu.control("setMiniprogramPages", json!({"pages": ["pages/a/a"]})).await;
        assert_eq!(code(&emu.app_call("subscribeMessage.send", msg("pages/b/b")).await), 41030);
        assert_eq!(code(&emu.app_call("subscribeMessage.send", msg("pages/a/a?x=1")).await), 0);
    }
}
