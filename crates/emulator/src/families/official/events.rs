//! What followers do, pushed to the account as WeChat pushes it, each push waiting for the account's passive
//! reply and handing it back to the test: `follow` (subscribe; EventKey `qrscene_<scene>` and Ticket when through
//! a QR code), `scanQrcode` (SCAN for a follower, else a first follow through the code), `unfollow`, and
//! `userMessage` (text, image, voice, location, link).

use super::qrcodes;
use super::records::{official, Follower, Qrcode};
use crate::families::pushes::header;
use crate::kit::action::{account, parse};
use crate::kit::push::{self, Message};
use crate::kit::state::{lock, Shared, State};
use futures::future::{BoxFuture, FutureExt};
use serde::Deserialize;
use serde_json::{json, Map, Value};

/// Seals `fields` for the account and awaits its passive reply: {id, reply} (reply null when the account
/// answered `success` or nothing usable, with why).
fn ask(state: &mut State, appid: &str, event: &str, fields: Map<String, Value>) -> Result<push::Asking, String> {
    let message = Message { appid: appid.to_owned(), event: event.to_owned(), fields };
    push::ask(state, message)?.ok_or_else(|| format!("{appid} has no push target: give one with setPushTarget"))
}

/// The JS methods are `(appid, args)`: the second argument arrives as `args`, its fields beside `appid`.
fn flat(mut args: Value) -> Value {
    if let Some(Value::Object(inner)) = args.as_object_mut().and_then(|a| a.remove("args")) {
        args.as_object_mut().into_iter().for_each(|a| a.extend(inner.clone()));
    }
    args
}

fn answered(asking: Result<push::Asking, String>, extra: Value) -> BoxFuture<'static, Result<Value, String>> {
    async move {
        let asking = asking?;
        let mut out = extra;
        match asking.answer().await {
            Ok(reply) => out["reply"] = Value::Object(reply),
            Err(why) => {
                out["reply"] = Value::Null;
                out["why"] = why.into();
            }
        }
        Ok(out)
    }
    .boxed()
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct FollowArgs {
    appid: Option<String>,
    openid: String,
    /// A QR code's ticket the user followed through (`follow`), or scanned (`scanQrcode`).
    ticket: Option<String>,
    scene: Option<String>,
}

/// Makes `openid` a follower (anew); the subscribe push's fields.
fn subscribe(state: &mut State, appid: &str, openid: &str, code: Option<&Qrcode>, scene: Option<String>) -> Map<String, Value> {
    let now = state.clock.unix();
    let book = official(state.app_mut(appid), now);
    let scene_name = scene.unwrap_or_else(|| if code.is_some() { "ADD_SCENE_QR_CODE".into() } else { "ADD_SCENE_SEARCH".into() });
    book.followers.insert(openid.to_owned(), Follower {
        subscribed: true, subscribe_time: now, scene: scene_name, qr_scene: code.and_then(|c| c.scene_id), qr_scene_str: code.and_then(|c| c.scene_str.clone()),
        tags: vec![], remark: String::new(),
    });
    if !state.app_mut(appid).openids.iter().any(|o| o == openid) {
        state.app_mut(appid).openids.push(openid.to_owned());
    }
    let mut fields = header(appid, openid, "subscribe");
    if let Some(code) = code {
        fields.insert("EventKey".into(), format!("qrscene_{}", code.scene()).into());
        fields.insert("Ticket".into(), code.ticket.clone().into());
    }
    fields
}

fn code_of(state: &State, appid: &str, ticket: Option<&str>) -> Result<Option<Qrcode>, String> {
    let Some(ticket) = ticket else { return Ok(None) };
    match qrcodes::find(state, ticket) {
        Some((owner, code)) if owner == appid => Ok(Some(code)),
        Some(_) => Err(format!("ticket {ticket} is a QR code of another account")),
        None => Err(format!("no valid QR code has ticket {ticket} (expired, or never created)")),
    }
}

pub fn follow(shared: Shared, args: Value) -> BoxFuture<'static, Result<Value, String>> {
    let asking = (|| {
        let args: FollowArgs = parse(flat(args))?;
        let mut state = lock(&shared);
        let appid = account(&state, args.appid)?;
        let code = code_of(&state, &appid, args.ticket.as_deref())?;
        let now = state.clock.unix();
        if official(state.app_mut(&appid), now).follower(&args.openid).is_some() {
            return Err(format!("{} follows {appid} already", args.openid));
        }
        let fields = subscribe(&mut state, &appid, &args.openid, code.as_ref(), args.scene);
        ask(&mut state, &appid, "subscribe", fields)
    })();
    answered(asking, json!({"event": "subscribe"}))
}

pub fn scan_qrcode(shared: Shared, args: Value) -> BoxFuture<'static, Result<Value, String>> {
    let prepared = (|| {
        let args: FollowArgs = parse(flat(args))?;
        let ticket = args.ticket.clone().ok_or("scanQrcode needs the ticket of a QR code (officialAccount.qrcode.create)")?;
        let mut state = lock(&shared);
        let appid = account(&state, args.appid)?;
        let code = code_of(&state, &appid, Some(&ticket))?.expect("a ticket was given");
        let now = state.clock.unix();
        if official(state.app_mut(&appid), now).follower(&args.openid).is_none() {
            // Not a follower: scanning offers to follow, and following pushes subscribe with the scene.
            let fields = subscribe(&mut state, &appid, &args.openid, Some(&code), None);
            return Ok(("subscribe", ask(&mut state, &appid, "subscribe", fields)));
        }
        let mut fields = header(&appid, &args.openid, "SCAN");
        fields.insert("EventKey".into(), code.scene().into());
        fields.insert("Ticket".into(), code.ticket.into());
        Ok(("SCAN", ask(&mut state, &appid, "SCAN", fields)))
    })();
    match prepared {
        Ok((event, asking)) => answered(asking, json!({"event": event})),
        Err(e) => answered(Err(e), Value::Null),
    }
}

pub fn unfollow(shared: Shared, args: Value) -> BoxFuture<'static, Result<Value, String>> {
    let asking = (|| {
        let args: FollowArgs = parse(flat(args))?;
        let mut state = lock(&shared);
        let appid = account(&state, args.appid)?;
        let now = state.clock.unix();
        let follower = official(state.app_mut(&appid), now).follower(&args.openid).ok_or_else(|| format!("{} does not follow {appid}", args.openid))?;
        follower.subscribed = false;
        follower.tags.clear();
        let fields = header(&appid, &args.openid, "unsubscribe");
        ask(&mut state, &appid, "unsubscribe", fields)
    })();
    answered(asking, json!({"event": "unsubscribe"}))
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct MessageArgs {
    appid: Option<String>,
    openid: String,
    msg_type: String,
    #[serde(default)]
    fields: Map<String, Value>,
}

/// The fields each user message needs (the official "receiving messages" page).
fn required(msg_type: &str) -> Option<&'static [&'static str]> {
    Some(match msg_type {
        "text" => &["Content"],
        "image" => &["PicUrl", "MediaId"],
        "voice" => &["MediaId", "Format"],
        "location" => &["Location_X", "Location_Y", "Scale", "Label"],
        "link" => &["Title", "Description", "Url"],
        _ => return None,
    })
}

pub fn user_message(shared: Shared, args: Value) -> BoxFuture<'static, Result<Value, String>> {
    let asking = (|| {
        let args: MessageArgs = parse(flat(args))?;
        let needed = required(&args.msg_type).ok_or_else(|| format!("msgType is text, image, voice, location or link, not {:?}", args.msg_type))?;
        if let Some(missing) = needed.iter().find(|k| !args.fields.contains_key(**k)) {
            return Err(format!("a {} message needs fields.{missing}", args.msg_type));
        }
        let mut state = lock(&shared);
        let appid = account(&state, args.appid)?;
        let now = state.clock.unix();
        if official(state.app_mut(&appid), now).follower(&args.openid).is_none() {
            return Err(format!("{} does not follow {appid}", args.openid));
        }
        let mut fields = header(&appid, &args.openid, "");
        fields.remove("Event");
        fields.insert("MsgType".into(), args.msg_type.clone().into());
        fields.extend(args.fields);
        fields.insert("MsgId".into(), (23_000_000_000_000_000u64 + state.next_serial()).to_string().into());
        let message = Message { appid: appid.clone(), event: args.msg_type, fields };
        push::ask(&mut state, message)?.ok_or_else(|| format!("{appid} has no push target: give one with setPushTarget"))
    })();
    answered(asking, json!({}))
}
