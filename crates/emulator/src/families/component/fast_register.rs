//! Fast registration of mini programs by a platform, end to end:
//! - `fastregisterweapp?action=create` (a company) and `fastregisterpersonalweapp` (a person) open a task;
//!   `confirmFastRegister` plays the legal representative (or the person) confirming on WeChat: the mini
//!   program is created, authorized to the platform, and `notify_third_fasteregister` carrying its
//!   authorization code is pushed to the platform's URL (known once `pushTicket` named it).
//! - `fastregisterweapp?action=search` tells a company task's state by its code (89251 waiting, 0 done).
//! - `account/fastregister` reuses an official account's subject: its admin's confirmation ticket
//!   (`fastRegisterTicket`) turns at once into the new mini program and its authorization code.
//! The new mini program then works like any authorizer: `component.queryAuth` with the code, then its token.

use super::actions::{prepare_then_deliver, Ready};
use super::{pushes, records};
use crate::kit::action::{parse, Action};
use crate::kit::context::{Caller, Ctx};
use crate::kit::ids::random_token;
use crate::kit::state::{Shared, State};
use crate::wire::{fields, Reply, WxError};
use futures::future::BoxFuture;
use serde::Deserialize;
use serde_json::{json, Map, Value};
use std::collections::BTreeMap;

pub const ACTIONS: &[Action] = &[
    Action::new("confirmFastRegister", "{componentAppid?, name?, taskid?}", "The legal representative (company task, by name) or the person (personal task, by taskid) confirms a fast registration; the only open task when neither is given. The mini program is created and authorized to the platform, and notify_third_fasteregister with its auth_code is pushed to the platform's push URL when one is known. Returns {appid, authorizationCode}.", confirm)
        .js("args?: { componentAppid?: string; name?: string; taskid?: string }", "{ appid: string; authorizationCode: string; delivery?: PushDelivery }")
        .deliver(confirm_and_push),
    Action::new("fastRegisterTicket", "{officialAccount}", "The admin of an official account confirms, on WeChat's page, that a platform may register a mini program with its subject: the ticket account.fastRegister takes (once).", fast_register_ticket)
        .js("officialAccount: string", "{ ticket: string }"),
];

/// The permission sets a fast-registered mini program grants its platform (account, development,
/// basic information and logistics management among them).
pub const GRANTED_SETS: &[u32] = &[3, 17, 18, 25, 30, 31, 36, 37, 40, 45, 48, 49, 51, 52, 57, 65, 67, 70, 71, 76, 81, 83, 88, 93, 99, 116, 118, 119, 120, 121, 124];

/// Every fast-registration task, oldest first.
#[derive(Default)]
pub struct Tasks(Vec<Task>);

struct Task {
    component_appid: String,
    who: Applicant,
    /// The mini program, once the applicant confirmed.
    created: Option<String>,
}

enum Applicant {
    Company { name: String, code: String, code_type: i64, legal_persona_wechat: String, legal_persona_name: String, component_phone: String },
    Person { taskid: String, idname: String, wxuser: String, component_phone: String },
}

impl Applicant {
    /// `<info>` of the push, as WeChat fills it for each kind of task.
    fn info(&self) -> Vec<(&'static str, String)> {
        match self {
            Applicant::Company { name, code, code_type, legal_persona_wechat, legal_persona_name, component_phone } => vec![
                ("name", name.clone()),
                ("code", code.clone()),
                ("code_type", code_type.to_string()),
                ("legal_persona_wechat", legal_persona_wechat.clone()),
                ("legal_persona_name", legal_persona_name.clone()),
                ("component_phone", component_phone.clone()),
            ],
            Applicant::Person { wxuser, idname, component_phone, .. } => {
                vec![("wxuser", wxuser.clone()), ("idname", idname.clone()), ("component_phone", component_phone.clone())]
            }
        }
    }

    fn subject(&self) -> String {
        match self {
            Applicant::Company { name, .. } => name.clone(),
            Applicant::Person { idname, .. } => format!("个人 {idname}"),
        }
    }
}

/// Confirmation tickets of official-account admins: ticket → the official account.
#[derive(Default)]
pub struct ReuseTickets(BTreeMap<String, String>);

/// The calling platform (component rows only reach here with a component token).
fn platform_of(ctx: &Ctx<'_>) -> String {
    ctx.appid()
}

/// `{name, code, code_type, legal_persona_wechat, legal_persona_name, component_phone?}`: 89248 for a code
/// type other than 1-3, 89249 while the same company's task is still open.
pub fn create(ctx: &mut Ctx<'_>) -> Reply {
    let (p, component) = (ctx.params, platform_of(ctx));
    let code_type = p.int("code_type").unwrap_or(0);
    if !(1..=3).contains(&code_type) {
        return Err(ctx.fail(89248));
    }
    let (name, wechat) = (p.str("name"), p.str("legal_persona_wechat"));
    let tasks = &mut ctx.state.record::<Tasks>().0;
    let open = |t: &Task| t.component_appid == component && t.created.is_none() && matches!(&t.who, Applicant::Company { name: n, legal_persona_wechat: w, .. } if n == name && w == wechat);
    if tasks.iter().any(open) {
        return Err(WxError::new(89249, "task running"));
    }
    let who = Applicant::Company {
        name: name.to_owned(),
        code: p.str("code").to_owned(),
        code_type,
        legal_persona_wechat: wechat.to_owned(),
        legal_persona_name: p.str("legal_persona_name").to_owned(),
        component_phone: p.str("component_phone").to_owned(),
    };
    tasks.push(Task { component_appid: component, who, created: None });
    Ok(fields! {})
}

/// `{name, legal_persona_wechat, legal_persona_name}`: 0 once created, 89251 while the legal representative
/// has not confirmed, 89250 for no such task.
pub fn search(ctx: &mut Ctx<'_>) -> Reply {
    let (p, component) = (ctx.params, platform_of(ctx));
    let (name, wechat, legal) = (p.str("name"), p.str("legal_persona_wechat"), p.str("legal_persona_name"));
    let task = ctx.state.record::<Tasks>().0.iter().rev().find(|t| {
        t.component_appid == component
            && matches!(&t.who, Applicant::Company { name: n, legal_persona_wechat: w, legal_persona_name: l, .. } if n == name && w == wechat && l == legal)
    });
    match task {
        None => Err(WxError::new(89250, "task not found")),
        Some(Task { created: None, .. }) => Err(WxError::new(89251, "legal person checking")),
        Some(_) => Ok(fields! {}),
    }
}

/// `{idname, wxuser, component_phone?}` → `{taskid, authorize_url, status: 0}`.
pub fn create_personal(ctx: &mut Ctx<'_>) -> Reply {
    let (p, component) = (ctx.params, platform_of(ctx));
    let taskid = random_token(32);
    let who = Applicant::Person {
        taskid: taskid.clone(),
        idname: p.str("idname").to_owned(),
        wxuser: p.str("wxuser").to_owned(),
        component_phone: p.str("component_phone").to_owned(),
    };
    ctx.state.record::<Tasks>().0.push(Task { component_appid: component, who, created: None });
    // Where the person would confirm; the emulator's confirmation is the `confirmFastRegister` action.
    let authorize_url = format!("https://mp.weixin.qq.com/wxopen/fastregister?taskid={taskid}");
    Ok(fields! { "taskid" => taskid, "authorize_url" => authorize_url, "status" => 0 })
}

/// `{ticket}` with the official account's authorizer token: the new mini program and its authorization
/// code for the platform. 61058 for a ticket that is unknown, used, or another account's.
pub fn reuse_official_account(ctx: &mut Ctx<'_>) -> Reply {
    let Caller::Account { appid: official, via_component: Some(component) } = ctx.caller.clone() else {
        return Err(WxError::common(40001));
    };
    let (ticket, invalid) = (ctx.params.str("ticket"), ctx.fail(61058));
    let tickets = &mut ctx.state.record::<ReuseTickets>().0;
    if tickets.get(ticket) != Some(&official) {
        return Err(invalid);
    }
    tickets.remove(ticket);
    let subject = ctx.state.app_mut(&official).subject.clone();
    let (appid, code) = create_mini_program(ctx.state, &component, subject).map_err(|e| WxError::new(-1, e))?;
    Ok(fields! { "appid" => appid, "authorization_code" => code, "is_wx_verify_succ" => true, "is_link_succ" => true })
}

/// A new mini program of `subject`, authorized to `component`: (appid, authorization code).
fn create_mini_program(state: &mut State, component: &str, subject: String) -> Result<(String, String), String> {
    let appid = format!("wx{}", random_token(16).to_ascii_lowercase());
    state.app_mut(&appid).subject = subject;
    let granted = records::authorize(state, component, &appid, GRANTED_SETS.to_vec())?;
    Ok((appid, granted["authorizationCode"].as_str().unwrap_or_default().to_owned()))
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct ConfirmArgs {
    component_appid: Option<String>,
    name: Option<String>,
    taskid: Option<String>,
}

fn confirm(state: &mut State, args: Value) -> Result<Value, String> {
    confirm_prepared(state, args).map(|(result, _)| result)
}

fn confirm_and_push(shared: Shared, args: Value) -> BoxFuture<'static, Result<Value, String>> {
    prepare_then_deliver(shared, move |state| confirm_prepared(state, args))
}

/// Creates the task's mini program and seals the `notify_third_fasteregister` push (when a URL is known).
fn confirm_prepared(state: &mut State, args: Value) -> Ready {
    let args: ConfirmArgs = parse(args)?;
    let component = pushes::component_of(state, args.component_appid)?;
    let tasks = &state.record::<Tasks>().0;
    let wanted = |t: &&Task| {
        t.component_appid == component
            && t.created.is_none()
            && match (&t.who, &args.name, &args.taskid) {
                (Applicant::Company { name, .. }, Some(wanted), None) => name == wanted,
                (Applicant::Person { taskid, .. }, None, Some(wanted)) => taskid == wanted,
                (_, None, None) => true,
                _ => false,
            }
    };
    let open: Vec<usize> = tasks.iter().enumerate().filter(|(_, t)| wanted(t)).map(|(i, _)| i).collect();
    let index = match open.as_slice() {
        [one] => *one,
        [] => return Err(format!("no open fast-registration task of {component} matches")),
        _ => return Err("several open tasks: name the company (name) or the person's task (taskid)".into()),
    };
    let (subject, info) = (tasks[index].who.subject(), tasks[index].who.info());
    let (appid, code) = create_mini_program(state, &component, subject)?;
    state.record::<Tasks>().0[index].created = Some(appid.clone());
    let push = pushes::custom_event(state, &component, &notification(&component, &appid, &code, &info))?;
    Ok((json!({"appid": appid, "authorizationCode": code}), push))
}

/// `notify_third_fasteregister` as WeChat writes it: flat fields and the nested `<info>` block.
fn notification(component: &str, appid: &str, code: &str, info: &[(&str, String)]) -> Map<String, Value> {
    let now = crate::kit::push::wall_unix().to_string();
    let info: Map<String, Value> = info.iter().map(|(k, v)| ((*k).to_owned(), Value::from(v.as_str()))).collect();
    let fields = [("AppId", component), ("CreateTime", &now), ("InfoType", "notify_third_fasteregister"), ("appid", appid), ("status", "0"), ("auth_code", code), ("msg", "OK")];
    let mut message: Map<String, Value> = fields.iter().map(|(k, v)| ((*k).to_owned(), Value::from(*v))).collect();
    message.insert("info".into(), Value::Object(info));
    message
}

fn fast_register_ticket(state: &mut State, args: Value) -> Result<Value, String> {
    #[derive(Deserialize)]
    #[serde(rename_all = "camelCase", deny_unknown_fields)]
    struct Args {
        official_account: String,
    }
    let args: Args = parse(args)?;
    state.app_mut(&args.official_account);
    let ticket = random_token(32).to_ascii_lowercase();
    state.record::<ReuseTickets>().0.insert(ticket.clone(), args.official_account);
    Ok(json!({"ticket": ticket}))
}

#[cfg(test)]
mod tests {
    use super::GRANTED_SETS;
    use crate::test_support::{code, TestEmulator};
    use serde_json::{json, Value};

    const COMPONENT: &str = "wxcomponent0000001";
    const COMPONENT_SECRET: &str = "componentsecret00000000000000001";
    const OFFICIAL: &str = "wxofficialaccount1";

    async fn platform() -> (TestEmulator, String) {
        let emu = TestEmulator::start(json!({
            "components": [{"appid": COMPONENT, "secret": COMPONENT_SECRET, "token": "tok", "encodingAesKey": "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG"}]
        }))
        .await;
        let ticket = emu.control("setTicket", json!({"componentAppid": COMPONENT})).await["ticket"].clone();
        let body = json!({"component_appid": COMPONENT, "component_appsecret": COMPONENT_SECRET, "component_verify_ticket": ticket});
        let token = emu.raw_post("/cgi-bin/component/api_component_token", body).await["component_access_token"].as_str().unwrap().to_owned();
        (emu, token)
    }

    /// The authorizer token the platform gets for `code`.
    async fn exchange(emu: &TestEmulator, ctoken: &str, code: &Value) -> String {
        let info = emu.call("component.queryAuth", ctoken, json!({"component_appid": COMPONENT, "authorization_code": code})).await;
        info["authorization_info"]["authorizer_access_token"].as_str().unwrap_or_else(|| panic!("{info}")).to_owned()
    }

    #[tokio::test]
    async fn a_company_task_becomes_a_mini_program_the_platform_acts_for() {
        let (emu, ctoken) = platform().await;
        let company = json!({"name": "腾讯", "code": "91440300708461136T", "code_type": 1, "legal_persona_wechat": "pony", "legal_persona_name": "马化腾"});
        assert_eq!(code(&emu.call("component.fastRegisterWeapp", &ctoken, company.clone()).await), 0);
        assert_eq!(code(&emu.call("component.fastRegisterWeapp", &ctoken, company.clone()).await), 89249);
        let mut bad = company.clone();
        bad["code_type"] = json!(4);
        assert_eq!(code(&emu.call("component.fastRegisterWeapp", &ctoken, bad).await), 89248);
        let search = json!({"name": "腾讯", "legal_persona_wechat": "pony", "legal_persona_name": "马化腾"});
        assert_eq!(code(&emu.call("component.searchFastRegisterWeapp", &ctoken, search.clone()).await), 89251);
        let created = emu.control("confirmFastRegister", json!({"name": "腾讯"})).await;
        assert_eq!(code(&emu.call("component.searchFastRegisterWeapp", &ctoken, search.clone()).await), 0);
        let nowhere = emu.raw_post(&format!("/cgi-bin/component/fastregisterweapp?action=nope&component_access_token={ctoken}"), search.clone()).await;
        assert_eq!(code(&nowhere), -1, "an action no row fixes is no API: {nowhere}");
        let mut unknown = search.clone();
        unknown["name"] = json!("Other Co.");
        assert_eq!(code(&emu.call("component.searchFastRegisterWeapp", &ctoken, unknown).await), 89250);
        let atoken = exchange(&emu, &ctoken, &created["authorizationCode"]).await;
        let basic = emu.call("account.getAccountBasicInfo", &atoken, json!({})).await;
        assert_eq!((basic["appid"].clone(), basic["principal_name"].clone()), (created["appid"].clone(), json!("腾讯")));
        let details = emu.call("component.getAuthorizerInfo", &ctoken, json!({"component_appid": COMPONENT, "authorizer_appid": created["appid"]})).await;
        let sets: Vec<u64> = details["authorization_info"]["func_info"].as_array().unwrap().iter().map(|f| f["funcscope_category"]["id"].as_u64().unwrap()).collect();
        assert_eq!(sets, GRANTED_SETS.iter().map(|&s| u64::from(s)).collect::<Vec<_>>(), "what it granted");
        assert_eq!(details["authorizer_info"]["principal_name"], "腾讯");
        let stranger = json!({"component_appid": COMPONENT, "authorizer_appid": "wxneverauthorized1"});
        assert_eq!(code(&emu.call("component.getAuthorizerInfo", &ctoken, stranger).await), 61003);
        let get = |name: &str| emu.call("component.getAuthorizerOption", &atoken, json!({"option_name": name}));
        assert_eq!(get("voice_recognize").await["option_value"], "0");
        let set = |name: &str, value: &str| emu.call("component.setAuthorizerOption", &atoken, json!({"option_name": name, "option_value": value}));
        assert_eq!(code(&set("voice_recognize", "1").await), 0);
        assert_eq!(get("voice_recognize").await["option_value"], "1");
        assert_eq!(code(&set("location_report", "3").await), 40097);
        assert_eq!(code(&get("no_such_option").await), 40097);
    }

    #[tokio::test]
    async fn an_official_accounts_ticket_registers_a_mini_program_once_and_a_person_confirms_a_task() {
        let (emu, ctoken) = platform().await;
        let granted = emu.control("authorize", json!({"componentAppid": COMPONENT, "authorizerAppid": OFFICIAL, "permissionSets": [27]})).await;
        let official = exchange(&emu, &ctoken, &granted["authorizationCode"]).await;
        let ticket = emu.control("fastRegisterTicket", json!({"officialAccount": OFFICIAL})).await["ticket"].clone();
        let made = emu.call("account.fastRegister", &official, json!({"ticket": ticket})).await;
        assert_eq!((made["is_wx_verify_succ"].clone(), made["is_link_succ"].clone()), (json!(true), json!(true)));
        assert_eq!(code(&emu.call("account.fastRegister", &official, json!({"ticket": ticket})).await), 61058, "once");
        let mini = exchange(&emu, &ctoken, &made["authorization_code"]).await;
        assert_eq!(emu.call("account.getAccountBasicInfo", &mini, json!({})).await["appid"], made["appid"]);

        let task = emu.call("component.fastRegisterPersonalWeapp", &ctoken, json!({"idname": "张三", "wxuser": "zhangsan"})).await;
        assert_eq!(task["status"], 0);
        assert!(task["authorize_url"].as_str().unwrap().contains(task["taskid"].as_str().unwrap()));
        let created = emu.control("confirmFastRegister", json!({"taskid": task["taskid"]})).await;
        let person = exchange(&emu, &ctoken, &created["authorizationCode"]).await;
        assert_eq!(emu.call("account.getAccountBasicInfo", &person, json!({})).await["principal_name"], "个人 张三");
        let none = emu.raw_post("/__emulator/confirmFastRegister", json!({})).await;
        assert!(none["error"].as_str().unwrap().contains("no open fast-registration task"), "{none}");
    }
}
