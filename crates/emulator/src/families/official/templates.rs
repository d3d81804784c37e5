//! Template messages: the library (`seedTemplateLibrary`) the account picks from (`addTemplate`), the account's
//! templates, the industry, and `send`, checked as WeChat checks it (a follower, 40003 / 43004; a template of
//! the account, 40037; a value for every keyword, 47003) and reported by a TEMPLATESENDJOBFINISH push.

use super::records::{official, Official, Template, MAX_TEMPLATES};
use crate::families::pushes::header;
use crate::kit::context::Ctx;
use crate::kit::ids::pseudo_id;
use crate::kit::push::{self, Message};
use crate::wire::{fields, Reply, WxError};
use serde_json::{json, Value};
use std::collections::BTreeMap;

/// The library templates a test seeded, by their short number (TM00015, OPENTM…).
#[derive(Default)]
pub struct Library(pub BTreeMap<String, (String, Vec<String>)>);

fn book<'a>(ctx: &'a mut Ctx<'_>) -> &'a mut Official {
    let now = ctx.unix_now();
    official(ctx.app(), now)
}

pub fn content(keys: &[String]) -> String {
    keys.iter().map(|k| format!("{{{{{k}.DATA}}}}")).collect::<Vec<_>>().join("\n")
}

pub fn add(ctx: &mut Ctx<'_>) -> Reply {
    let short = ctx.params.str("template_id_short").to_owned();
    let (unknown, full) = (ctx.fail(40220), ctx.fail(45026));
    let (title, keys) = ctx.state.record::<Library>().0.get(&short).cloned().ok_or(unknown)?;
    let appid = ctx.appid();
    let serial = ctx.state.next_serial();
    let book = book(ctx);
    if book.templates.len() >= MAX_TEMPLATES {
        return Err(full);
    }
    let id = pseudo_id(&format!("{appid}/{short}/{serial}"), 'T', 43);
    book.templates.push(Template { id: id.clone(), title, keys });
    Ok(fields! { "template_id" => id })
}

pub fn get_all(ctx: &mut Ctx<'_>) -> Reply {
    let book = book(ctx);
    let (first, second) = book.industry.as_ref().map(|(a, b, _)| (a.clone(), b.clone())).unwrap_or_default();
    let list: Vec<Value> = book.templates.iter().map(|t| json!({"template_id": t.id, "title": t.title, "primary_industry": first,
        "deputy_industry": second, "content": content(&t.keys), "example": ""})).collect();
    Ok(fields! { "template_list" => list })
}

pub fn delete(ctx: &mut Ctx<'_>) -> Reply {
    let id = ctx.params.str("template_id").to_owned();
    let unknown = ctx.fail(40037);
    let book = book(ctx);
    let before = book.templates.len();
    book.templates.retain(|t| t.id != id);
    if before == book.templates.len() {
        return Err(unknown);
    }
    Ok(fields! {})
}

pub fn set_industry(ctx: &mut Ctx<'_>) -> Reply {
    let (a, b) = (ctx.params.str("industry_id1").to_owned(), ctx.params.str("industry_id2").to_owned());
    let now = ctx.unix_now();
    let too_soon = ctx.fail(43100);
    let book = book(ctx);
    if book.industry.as_ref().is_some_and(|(_, _, at)| now - at < 30 * 86_400) {
        return Err(too_soon);
    }
    book.industry = Some((a, b, now));
    Ok(fields! {})
}

pub fn get_industry(ctx: &mut Ctx<'_>) -> Reply {
    let (a, b) = book(ctx).industry.as_ref().map(|(a, b, _)| (a.clone(), b.clone())).unwrap_or_default();
    Ok(fields! { "primary_industry" => json!({"first_class": a, "second_class": ""}), "secondary_industry" => json!({"first_class": b, "second_class": ""}) })
}

pub fn send(ctx: &mut Ctx<'_>) -> Reply {
    let (touser, template_id) = (ctx.params.str("touser").to_owned(), ctx.params.str("template_id").to_owned());
    let (stranger, left, unknown) = (ctx.fail(40003), ctx.fail(43004), ctx.fail(40037));
    let appid = ctx.appid();
    let msgid = 2_000_000_000 + ctx.state.next_serial() as i64;
    let now = ctx.unix_now();
    let data = ctx.params.get("data").cloned().unwrap_or(Value::Null);
    let (url, miniprogram) = (ctx.params.opt_str("url").map(str::to_owned), ctx.params.get("miniprogram").cloned());
    let book = book(ctx);
    match book.followers.get(&touser) {
        None => return Err(stranger),
        Some(f) if !f.subscribed => return Err(left),
        Some(_) => {}
    }
    let template = book.templates.iter().find(|t| t.id == template_id).cloned().ok_or(unknown)?;
    for key in &template.keys {
        let value = data.get(key).and_then(|v| v.get("value"));
        if value.and_then(Value::as_str).is_none_or(|s| s.trim().is_empty()) && !value.is_some_and(Value::is_number) {
            return Err(WxError::new(47003, format!("argument invalid! data.{key}.value is empty")));
        }
    }
    book.sent.push(json!({"msgid": msgid, "touser": touser, "templateId": template_id, "url": url, "miniprogram": miniprogram, "data": data, "sentAt": now}));
    // Delivered at once: WeChat reports it with TEMPLATESENDJOBFINISH to the push URL.
    let mut fields = header(&appid, &touser, "TEMPLATESENDJOBFINISH");
    fields.insert("MsgID".into(), msgid.to_string().into());
    fields.insert("Status".into(), "success".into());
    push::send(ctx.state, Message { appid, event: "TEMPLATESENDJOBFINISH".into(), fields });
    Ok(fields! { "msgid" => msgid })
}
