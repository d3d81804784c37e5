//! The tag rows: at most 100 tags of 30 characters with unique names (45056, 45158, 45157), 20 tags a follower
//! (45059), 50 openids a batch (40032), WeChat's own tags 0-2 untouchable (45058).

use super::records::{official, Official, MAX_TAGS, MAX_TAGS_PER_USER};
use crate::kit::context::Ctx;
use crate::kit::failure::fail;
use crate::wire::{fields, Reply, WxError};
use serde_json::{json, Value};

fn book<'a>(ctx: &'a mut Ctx<'_>) -> &'a mut Official {
    let now = ctx.unix_now();
    official(ctx.app(), now)
}

/// 45158 for an empty or too long name, 45157 for one another tag has.
fn check_name(book: &Official, name: &str, except: Option<i64>) -> Result<(), i64> {
    if name.is_empty() || name.chars().count() > 30 {
        return Err(45158);
    }
    if book.tags.iter().any(|(id, n)| n == name && Some(*id) != except) {
        return Err(45157);
    }
    Ok(())
}

pub fn create(ctx: &mut Ctx<'_>) -> Reply {
    let name = ctx.params.child("tag").str("name").to_owned();
    let endpoint = ctx.endpoint;
    let book = book(ctx);
    check_name(book, &name, None).map_err(|c| fail(endpoint, c))?;
    if book.tags.len() >= MAX_TAGS {
        return Err(fail(endpoint, 45056));
    }
    let id = book.next_tag;
    book.next_tag += 1;
    book.tags.push((id, name.clone()));
    Ok(fields! { "tag" => json!({"id": id, "name": name}) })
}

pub fn get(ctx: &mut Ctx<'_>) -> Reply {
    let book = book(ctx);
    let tags: Vec<Value> = book.tags.iter().map(|(id, name)| json!({"id": id, "name": name, "count": book.tag_count(*id)})).collect();
    Ok(fields! { "tags" => tags })
}

/// The tag the row names: 45058 for WeChat's own, 45159 for an unknown one.
fn tag_id(ctx: &mut Ctx<'_>, id: Option<i64>) -> Result<i64, WxError> {
    let (system, unknown) = (ctx.fail(45058), ctx.fail(45159));
    match id {
        Some(0..=2) => Err(system),
        Some(id) if book(ctx).is_tag(id) => Ok(id),
        _ => Err(unknown),
    }
}

pub fn update(ctx: &mut Ctx<'_>) -> Reply {
    let tag = ctx.params.child("tag");
    let (name, id) = (tag.str("name").to_owned(), tag.int("id"));
    let id = tag_id(ctx, id)?;
    let endpoint = ctx.endpoint;
    let book = book(ctx);
    check_name(book, &name, Some(id)).map_err(|c| fail(endpoint, c))?;
    book.tags.iter_mut().filter(|(t, _)| *t == id).for_each(|t| t.1 = name.clone());
    Ok(fields! {})
}

pub fn delete(ctx: &mut Ctx<'_>) -> Reply {
    let id = ctx.params.child("tag").int("id");
    let id = tag_id(ctx, id)?;
    let crowded = ctx.fail(45057);
    let book = book(ctx);
    if book.tag_count(id) > 100_000 {
        return Err(crowded);
    }
    book.tags.retain(|(t, _)| *t != id);
    book.followers.values_mut().for_each(|f| f.tags.retain(|t| *t != id));
    Ok(fields! {})
}

/// The batch's openids, each a follower (40032 for an empty or too long list, 40003 for a stranger).
fn members(ctx: &mut Ctx<'_>) -> Result<(Vec<String>, i64), WxError> {
    let list: Vec<String> = ctx.params.get("openid_list").and_then(Value::as_array).map(|l| l.iter().filter_map(|o| o.as_str().map(str::to_owned)).collect()).unwrap_or_default();
    if list.is_empty() || list.len() > 50 {
        return Err(ctx.fail(40032));
    }
    let id = ctx.params.int("tagid");
    let id = tag_id(ctx, id)?;
    let stranger = ctx.fail(40003);
    let book = book(ctx);
    if list.iter().any(|o| book.follower(o).is_none()) {
        return Err(stranger);
    }
    Ok((list, id))
}

pub fn batch_tagging(ctx: &mut Ctx<'_>) -> Reply {
    let (list, id) = members(ctx)?;
    let full = ctx.fail(45059);
    let book = book(ctx);
    if list.iter().any(|o| book.followers.get(o).is_some_and(|f| !f.tags.contains(&id) && f.tags.len() >= MAX_TAGS_PER_USER)) {
        return Err(full);
    }
    for openid in &list {
        let follower = book.followers.get_mut(openid).expect("checked above");
        if !follower.tags.contains(&id) {
            follower.tags.push(id);
        }
    }
    Ok(fields! {})
}

pub fn batch_untagging(ctx: &mut Ctx<'_>) -> Reply {
    let (list, id) = members(ctx)?;
    let book = book(ctx);
    for openid in &list {
        book.followers.get_mut(openid).expect("checked above").tags.retain(|t| *t != id);
    }
    Ok(fields! {})
}

pub fn id_list(ctx: &mut Ctx<'_>) -> Reply {
    let openid = ctx.params.str("openid").to_owned();
    let stranger = ctx.fail(40003);
    let tags = book(ctx).follower(&openid).ok_or(stranger)?.tags.clone();
    Ok(fields! { "tagid_list" => tags })
}
