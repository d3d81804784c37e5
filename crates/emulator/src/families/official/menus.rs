//! The custom menu rows: WeChat's button rules (40016-40020), one default menu, conditional menus matched
//! newest first by tag and platform (65303 without a default menu, 65304 an empty rule, 65320 private data).

use super::records::official;
use crate::kit::context::Ctx;
use crate::wire::{fields, Reply, WxError};
use serde_json::{json, Value};

fn book<'a>(ctx: &'a mut Ctx<'_>) -> &'a mut super::records::Official {
    let now = ctx.unix_now();
    official(ctx.app(), now)
}

const TYPES: &[&str] = &["click", "view", "scancode_push", "scancode_waitmsg", "pic_sysphoto", "pic_photo_or_album", "pic_weixin",
    "location_select", "media_id", "article_id", "article_view_limited", "view_limited", "miniprogram"];

/// The buttons as WeChat keeps them (every button with its `sub_button`), or the code that refuses them.
fn check_buttons(buttons: Option<&Value>) -> Result<Value, WxError> {
    let list = buttons.and_then(Value::as_array).filter(|b| (1..=3).contains(&b.len())).ok_or_else(|| WxError::common(40016))?;
    let mut out = Vec::new();
    for button in list {
        let subs = button.get("sub_button").and_then(Value::as_array).cloned().unwrap_or_default();
        let mut kept = button.clone();
        if subs.is_empty() {
            check_button(button, 16)?;
        } else {
            if subs.len() > 5 || button.get("name").and_then(Value::as_str).unwrap_or_default().len() > 16 {
                return Err(WxError::common(if subs.len() > 5 { 40016 } else { 40018 }));
            }
            for sub in &subs {
                check_button(sub, 60)?;
            }
            kept["sub_button"] = Value::Array(subs.iter().map(|s| with_subs(s.clone())).collect());
        }
        out.push(with_subs(kept));
    }
    Ok(Value::Array(out))
}

fn with_subs(mut button: Value) -> Value {
    if button.get("sub_button").is_none() {
        button["sub_button"] = json!([]);
    }
    button
}

fn check_button(button: &Value, name_bytes: usize) -> Result<(), WxError> {
    let text = |k: &str| button.get(k).and_then(Value::as_str).unwrap_or_default();
    let kind = text("type");
    if !TYPES.contains(&kind) {
        return Err(WxError::common(40017));
    }
    if text("name").is_empty() || text("name").len() > name_bytes {
        return Err(WxError::common(40018));
    }
    let needs_key = !matches!(kind, "view" | "media_id" | "view_limited" | "article_id" | "article_view_limited" | "miniprogram");
    if (needs_key && text("key").is_empty()) || text("key").len() > 128 {
        return Err(WxError::common(40019));
    }
    if (matches!(kind, "view" | "miniprogram") && text("url").is_empty()) || text("url").len() > 1024 {
        return Err(WxError::common(40020));
    }
    Ok(())
}

pub fn create(ctx: &mut Ctx<'_>) -> Reply {
    let buttons = check_buttons(ctx.params.get("button"))?;
    let id = ctx.state.next_serial() as i64 + 400_000_000;
    book(ctx).menu = Some((id, buttons));
    Ok(fields! {})
}

pub fn get(ctx: &mut Ctx<'_>) -> Reply {
    let no_menu = ctx.fail(46003);
    let book = book(ctx);
    let (id, buttons) = book.menu.clone().ok_or(no_menu)?;
    let conditional: Vec<Value> = book.conditional.iter().map(|(id, b, rule)| json!({"button": b, "matchrule": rule, "menuid": id})).collect();
    let mut out = fields! { "menu" => json!({"button": buttons, "menuid": id}) };
    if !conditional.is_empty() {
        out.insert("conditionalmenu".into(), conditional.into());
    }
    Ok(out)
}

pub fn delete(ctx: &mut Ctx<'_>) -> Reply {
    let book = book(ctx);
    book.menu = None;
    book.conditional.clear();
    Ok(fields! {})
}

pub fn add_conditional(ctx: &mut Ctx<'_>) -> Reply {
    let buttons = check_buttons(ctx.params.get("button"))?;
    let rule = ctx.params.get("matchrule").cloned().unwrap_or(Value::Null);
    let given: Vec<&String> = rule.as_object().map(|r| r.iter().filter(|(_, v)| !v.is_null() && *v != "").map(|(k, _)| k).collect()).unwrap_or_default();
    if given.is_empty() {
        return Err(ctx.fail(65304));
    }
    if given.iter().any(|k| matches!(k.as_str(), "sex" | "country" | "province" | "city" | "language")) {
        return Err(ctx.fail(65320));
    }
    let no_default = ctx.fail(65303);
    let id = ctx.state.next_serial() as i64 + 400_000_000;
    let book = book(ctx);
    if book.menu.is_none() {
        return Err(no_default);
    }
    if let Some(tag) = rule.get("tag_id").and_then(|t| t.as_str().and_then(|s| s.parse::<i64>().ok()).or_else(|| t.as_i64())) {
        if !book.is_tag(tag) {
            return Err(WxError::new(45159, "invalid tag id"));
        }
    }
    book.conditional.push((id, buttons, rule));
    Ok(fields! { "menuid" => id.to_string() })
}

pub fn del_conditional(ctx: &mut Ctx<'_>) -> Reply {
    let id: i64 = ctx.params.str("menuid").trim().parse().unwrap_or(-1);
    let missing = ctx.fail(65301);
    let book = book(ctx);
    let before = book.conditional.len();
    book.conditional.retain(|(m, _, _)| *m != id);
    if book.conditional.len() == before {
        return Err(missing);
    }
    Ok(fields! {})
}

pub fn try_match(ctx: &mut Ctx<'_>) -> Reply {
    let user = ctx.params.str("user_id").to_owned();
    let (stranger, no_menu) = (ctx.fail(40003), ctx.fail(46002));
    let book = book(ctx);
    let tags = book.follower(&user).ok_or(stranger)?.tags.clone();
    let matched = book.conditional.iter().rev().find(|(_, _, rule)| {
        rule.get("tag_id").and_then(|t| t.as_str().and_then(|s| s.parse::<i64>().ok()).or_else(|| t.as_i64())).is_none_or(|t| tags.contains(&t))
    });
    let buttons = matched.map(|(_, b, _)| b.clone()).or_else(|| book.menu.as_ref().map(|(_, b)| b.clone())).ok_or(no_menu)?;
    Ok(fields! { "button" => buttons })
}
