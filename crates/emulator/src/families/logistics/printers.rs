//! Printer users: the users of a mini program allowed to print waybills, each with optional tag ids.

use crate::kit::context::Ctx;
use crate::kit::family::Family;
use crate::kit::route::Route;
use crate::kit::state::{AppData, State};
use crate::wire::{fields, Reply, WxError};
use serde_json::{json, Map, Value};

pub const FAMILY: Family = Family::new("logistics.printers").routes(ROUTES).describe_app(describe_app);

/// An account's printer users.
#[derive(Default)]
struct Printers(Vec<Printer>);

const ROUTES: &[Route] = &[
    Route::new("logistics.getPrinter", get_printer),
    Route::new("logistics.updatePrinter", update_printer),
];

const MAX_TAGS: usize = 10;

#[derive(Clone, Debug)]
pub struct Printer {
    pub openid: String,
    pub tagids: Vec<String>,
}

/// `{count, openid: [..], tagid_list: [..]}`: tags of all printers, each once, as strings.
fn get_printer(ctx: &mut Ctx<'_>) -> Reply {
    let printers = &ctx.app_record::<Printers>().0;
    let openids: Vec<Value> = printers.iter().map(|p| p.openid.as_str().into()).collect();
    let mut tags: Vec<&str> = Vec::new();
    for tag in printers.iter().flat_map(|p| &p.tagids) {
        if !tags.contains(&tag.as_str()) {
            tags.push(tag);
        }
    }
    Ok(fields! { "count" => openids.len(), "openid" => openids, "tagid_list" => tags })
}

/// `{openid, update_type: bind|unbind, tagid_list?: "1,2"}`; unbinding a user who is no printer changes nothing.
fn update_printer(ctx: &mut Ctx<'_>) -> Reply {
    let p = ctx.params;
    let openid = p.str("openid");
    ctx.require_openid(openid)?;
    let tagids = parse_tags(p.str("tagid_list")).map_err(WxError::data_format)?;
    let printers = &mut ctx.app_record::<Printers>().0;
    let existing = printers.iter().position(|printer| printer.openid == openid);
    match (p.str("update_type"), existing) {
        ("bind", Some(i)) => printers[i].tagids = tagids,
        ("bind", None) => printers.push(Printer { openid: openid.to_owned(), tagids }),
        ("unbind", Some(i)) => {
            printers.remove(i);
        }
        ("unbind", None) => {}
        (other, _) => return Err(WxError::data_format(format!("update_type must be bind or unbind, got {other:?}"))),
    }
    Ok(fields! {})
}

fn parse_tags(text: &str) -> Result<Vec<String>, String> {
    if text.is_empty() {
        return Ok(Vec::new());
    }
    let tags: Vec<String> = text.split(',').map(str::to_owned).collect();
    if tags.len() > MAX_TAGS {
        return Err(format!("tagid_list holds at most {MAX_TAGS} tags"));
    }
    if tags.iter().any(|t| t.is_empty() || !t.bytes().all(|b| b.is_ascii_digit())) {
        return Err("tagid_list must be comma-separated numbers without spaces".into());
    }
    Ok(tags)
}

fn describe_app(_: &State, _: &str, app: &AppData, out: &mut Map<String, Value>) {
    let printers: Vec<Value> = app.records.peek::<Printers>().map_or_else(Vec::new, |p| p.0.iter().map(|p| json!({"openid": p.openid, "tagids": p.tagids})).collect());
    out.insert("printers".into(), printers.into());
}

#[cfg(test)]
mod tests {
    use crate::test_support::{code, TestEmulator, APP};
    use serde_json::json;

    #[tokio::test]
    async fn printers_bind_and_unbind() {
        let emu = TestEmulator::start(json!({})).await;
        let users = emu.openids(APP).await;
        let bind = |openid: &str, tags: &str| json!({"openid": openid, "update_type": "bind", "tagid_list": tags});
        assert_eq!(code(&emu.app_call("logistics.updatePrinter", bind(&users[0], "12,34")).await), 0);
        assert_eq!(code(&emu.app_call("logistics.updatePrinter", bind(&users[1], "34")).await), 0);
        let printers = emu.app_call("logistics.getPrinter", json!({})).await;
        assert_eq!(printers["count"], 2);
        assert_eq!(printers["openid"], json!([users[0], users[1]]));
        assert_eq!(printers["tagid_list"], json!(["12", "34"]));
        let unbind = json!({"openid": users[0], "update_type": "unbind"});
        assert_eq!(code(&emu.app_call("logistics.updatePrinter", unbind).await), 0);
        assert_eq!(emu.app_call("logistics.getPrinter", json!({})).await["openid"], json!([users[1]]));
        assert_eq!(code(&emu.app_call("logistics.updatePrinter", bind("ostranger", "")).await), 40003);
        assert_eq!(code(&emu.app_call("logistics.updatePrinter", bind(&users[2], "1, 2")).await), 47001);
        assert_eq!(code(&emu.app_call("logistics.updatePrinter", bind(&users[2], "1,2,3,4,5,6,7,8,9,10,11")).await), 47001);
    }
}
