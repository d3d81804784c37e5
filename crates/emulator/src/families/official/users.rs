//! The user rows: a follower's information (how they followed, through which QR scene, their tags), a batch
//! of 100, and the follower list paged by `next_openid` (10000 a page).

use super::records::{official, Follower, Official};
use crate::families::open_platform::open_appid_of;
use crate::kit::context::Ctx;
use crate::kit::ids::pseudo_id;
use crate::wire::{fields, Reply};
use serde_json::{json, Value};

/// WeChat's page size of the follower list.
const PAGE: usize = 10_000;

fn book<'a>(ctx: &'a mut Ctx<'_>) -> &'a mut Official {
    let now = ctx.unix_now();
    official(ctx.app(), now)
}

fn describe(openid: &str, follower: Option<&Follower>, lang: &str, open_appid: Option<&str>) -> Value {
    let Some(f) = follower.filter(|f| f.subscribed) else { return json!({"subscribe": 0, "openid": openid}) };
    let mut out = json!({"subscribe": 1, "openid": openid, "language": lang, "subscribe_time": f.subscribe_time, "remark": f.remark, "groupid": 0,
        "tagid_list": f.tags, "subscribe_scene": f.scene, "qr_scene": f.qr_scene.unwrap_or(0), "qr_scene_str": f.qr_scene_str.clone().unwrap_or_default()});
    // A UnionID only when the account is bound to an open platform account: one per user and open account.
    if let Some(open) = open_appid {
        out["unionid"] = pseudo_id(&format!("{open}/{openid}"), 'o', 28).into();
    }
    out
}

fn open_appid(ctx: &Ctx<'_>) -> Option<String> {
    open_appid_of(ctx.state, &ctx.appid())
}

/// 40003 unless the openid is a user of the account (a follower, or one who unfollowed).
fn known(book: &Official, openid: &str) -> bool {
    book.followers.contains_key(openid)
}

pub fn info(ctx: &mut Ctx<'_>) -> Reply {
    let (openid, lang) = (ctx.params.str("openid").to_owned(), ctx.params.opt_str("lang").unwrap_or("zh_CN").to_owned());
    let (stranger, open) = (ctx.fail(40003), open_appid(ctx));
    let book = book(ctx);
    if !known(book, &openid) {
        return Err(stranger);
    }
    match describe(&openid, book.followers.get(&openid), &lang, open.as_deref()) {
        Value::Object(map) => Ok(map),
        _ => Ok(fields! {}),
    }
}

pub fn batch_get_info(ctx: &mut Ctx<'_>) -> Reply {
    let list: Vec<Value> = ctx.params.get("user_list").and_then(Value::as_array).cloned().unwrap_or_default();
    let (stranger, size, open) = (ctx.fail(40003), ctx.fail(40032), open_appid(ctx));
    if list.is_empty() || list.len() > 100 {
        return Err(size);
    }
    let book = book(ctx);
    let mut out = Vec::new();
    for user in &list {
        let openid = user.get("openid").and_then(Value::as_str).unwrap_or_default();
        if !known(book, openid) {
            return Err(stranger);
        }
        out.push(describe(openid, book.followers.get(openid), user.get("lang").and_then(Value::as_str).unwrap_or("zh_CN"), open.as_deref()));
    }
    Ok(fields! { "user_info_list" => out })
}

pub fn get_list(ctx: &mut Ctx<'_>) -> Reply {
    let after = ctx.params.opt_str("next_openid").filter(|s| !s.is_empty()).map(str::to_owned);
    let stranger = ctx.fail(40003);
    let book = book(ctx);
    let all: Vec<&String> = book.followers.iter().filter(|(_, f)| f.subscribed).map(|(o, _)| o).collect();
    let start = match &after {
        None => 0,
        Some(o) => all.iter().position(|x| *x == o).map(|i| i + 1).ok_or(stranger)?,
    };
    let page: Vec<String> = all.iter().skip(start).take(PAGE).map(|s| (*s).clone()).collect();
    let next = page.last().cloned().unwrap_or_default();
    let mut out = fields! { "total" => all.len(), "count" => page.len(), "next_openid" => next };
    if !page.is_empty() {
        out.insert("data".into(), json!({"openid": page}));
    }
    Ok(out)
}
