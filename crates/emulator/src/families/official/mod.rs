//! The official account (公众号): followers, tags, the custom menu, template messages and parametric QR codes
//! as state a test seeds and reads (`state`), the rows that play on it, and what followers do (`events`: follow,
//! scan, unfollow, write), pushed to the account's push target with its passive reply handed back.

mod events;
mod menus;
pub mod qrcodes;
mod records;
mod tags;
mod templates;
mod users;

#[cfg(test)]
mod tests;

use crate::kit::action::{account, needs_async, parse, Action};
use crate::kit::family::Family;
use crate::kit::ids::pseudo_id;
use crate::kit::route::Route;
use crate::kit::state::{AppData, State};
use records::{official, Template};
use serde::Deserialize;
use serde_json::{json, Map, Value};

pub const FAMILY: Family = Family::new("officialAccount").routes(ROUTES).actions(ACTIONS).describe_app(describe_app);

const ROUTES: &[Route] = &[
    Route::new("officialAccount.menu.create", menus::create),
    Route::new("officialAccount.menu.get", menus::get),
    Route::new("officialAccount.menu.delete", menus::delete),
    Route::new("officialAccount.menu.addConditional", menus::add_conditional),
    Route::new("officialAccount.menu.delConditional", menus::del_conditional),
    Route::new("officialAccount.menu.tryMatch", menus::try_match),
    Route::new("officialAccount.messageTemplate.send", templates::send),
    Route::new("officialAccount.messageTemplate.addTemplate", templates::add),
    Route::new("officialAccount.messageTemplate.getAllTemplates", templates::get_all),
    Route::new("officialAccount.messageTemplate.deleteTemplate", templates::delete),
    Route::new("officialAccount.messageTemplate.setIndustry", templates::set_industry),
    Route::new("officialAccount.messageTemplate.getIndustry", templates::get_industry),
    Route::new("officialAccount.qrcode.create", qrcodes::create),
    Route::new("officialAccount.tags.create", tags::create),
    Route::new("officialAccount.tags.get", tags::get),
    Route::new("officialAccount.tags.update", tags::update),
    Route::new("officialAccount.tags.delete", tags::delete),
    Route::new("officialAccount.tags.batchTagging", tags::batch_tagging),
    Route::new("officialAccount.tags.batchUntagging", tags::batch_untagging),
    Route::new("officialAccount.tags.getIdList", tags::id_list),
    Route::new("officialAccount.user.info", users::info),
    Route::new("officialAccount.user.batchGetInfo", users::batch_get_info),
    Route::new("officialAccount.user.getList", users::get_list),
];

const FOLLOW_JS: &str = "appid: string | undefined, args: { openid: string; ticket?: string; scene?: string }";
const REPLY_JS: &str = "{ event?: string; reply: Record<string, any> | null; why?: string }";

const ACTIONS: &[Action] = &[
    Action::new("seedTemplateLibrary", "{appid?, templateIdShort, title, keys}", "Puts a template in the library an official account picks from with messageTemplate.addTemplate (40220 for numbers nobody seeded): its short number (TM00015), title and keywords. Returns {templateIdShort}.", seed_library)
        .js("args: { templateIdShort: string; title: string; keys: string[]; appid?: string }", "string")
        .pick("templateIdShort"),
    Action::new("addOfficialTemplate", "{appid?, templateId?, title?, keys}", "Adds a template to an official account as if chosen on mp.weixin.qq.com: its keywords (first, keyword1, remark, …). Returns {templateId}.", add_template)
        .js("args: { keys: string[]; templateId?: string; title?: string; appid?: string }", "string")
        .pick("templateId"),
    Action::new("sentTemplateMessages", "{appid?}", "The template messages an official account sent, oldest first: {msgid, touser, templateId, url, miniprogram, data, sentAt}.", sent)
        .js("appid?: string", "Array<{ msgid: number; touser: string; templateId: string; url: string | null; miniprogram: any; data: Record<string, { value: string }>; sentAt: number }>")
        .pick("messages"),
    Action::new("follow", "{appid?, openid, ticket?, scene?}", "A user follows the official account (through the QR code `ticket` when given: EventKey qrscene_<scene>, subscribe_scene ADD_SCENE_QR_CODE): pushes subscribe to its push target and resolves to the passive reply (its fields, decrypted) or null with why. JS and HTTP only.", needs_async)
        .js(FOLLOW_JS, REPLY_JS)
        .deliver(events::follow),
    Action::new("scanQrcode", "{appid?, openid, ticket}", "A user scans a parametric QR code: a follower pushes SCAN (EventKey the scene, Ticket), anyone else follows through it (subscribe, EventKey qrscene_<scene>). Resolves to {event, reply} like follow. JS and HTTP only.", needs_async)
        .js(FOLLOW_JS, REPLY_JS)
        .deliver(events::scan_qrcode),
    Action::new("unfollow", "{appid?, openid}", "A follower unfollows: loses their tags, leaves user.getList, and unsubscribe is pushed. JS and HTTP only.", needs_async)
        .js("appid: string | undefined, args: { openid: string }", REPLY_JS)
        .deliver(events::unfollow),
    Action::new("userMessage", "{appid?, openid, msgType, fields}", "A follower writes to the official account: msgType text (Content), image (PicUrl, MediaId), voice (MediaId, Format), location (Location_X, Location_Y, Scale, Label) or link (Title, Description, Url), pushed with a MsgId; resolves to the passive reply like follow. JS and HTTP only.", needs_async)
        .js("appid: string | undefined, args: { openid: string; msgType: 'text' | 'image' | 'voice' | 'location' | 'link'; fields: Record<string, unknown> }", REPLY_JS)
        .deliver(events::user_message),
];

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct TemplateArgs {
    appid: Option<String>,
    template_id: Option<String>,
    template_id_short: Option<String>,
    title: Option<String>,
    keys: Vec<String>,
}

fn template_args(state: &State, args: Value) -> Result<(String, TemplateArgs), String> {
    let args: TemplateArgs = parse(args)?;
    let appid = account(state, args.appid.clone())?;
    if args.keys.is_empty() || args.keys.iter().any(String::is_empty) {
        return Err("keys: the template's keywords, e.g. [\"first\", \"keyword1\", \"remark\"]".into());
    }
    Ok((appid, args))
}

fn seed_library(state: &mut State, args: Value) -> Result<Value, String> {
    let (_, args) = template_args(state, args)?;
    let short = args.template_id_short.filter(|s| !s.is_empty()).ok_or("templateIdShort: the library number, e.g. TM00015")?;
    let title = args.title.unwrap_or_else(|| short.clone());
    state.record::<templates::Library>().0.insert(short.clone(), (title, args.keys));
    Ok(json!({"templateIdShort": short}))
}

fn add_template(state: &mut State, args: Value) -> Result<Value, String> {
    let (appid, args) = template_args(state, args)?;
    let (now, serial) = (state.clock.unix(), state.next_serial());
    let id = args.template_id.unwrap_or_else(|| pseudo_id(&format!("{appid}/template{serial}"), 'T', 43));
    let book = official(state.app_mut(&appid), now);
    if book.templates.iter().any(|t| t.id == id) {
        return Err(format!("template {id} exists"));
    }
    let title = args.title.unwrap_or_else(|| format!("模板 {serial}"));
    book.templates.push(Template { id: id.clone(), title, keys: args.keys });
    Ok(json!({"appid": appid, "templateId": id}))
}

fn sent(state: &mut State, args: Value) -> Result<Value, String> {
    let args: crate::kit::action::AppidArgs = parse(args)?;
    let appid = account(state, args.appid)?;
    let now = state.clock.unix();
    let messages = official(state.app_mut(&appid), now).sent.clone();
    Ok(json!({"appid": appid, "messages": messages}))
}

fn describe_app(_: &State, _: &str, app: &AppData, out: &mut Map<String, Value>) {
    if let Some(book) = app.records.peek::<records::Official>() {
        out.insert("officialAccount".into(), book.describe());
    }
}
