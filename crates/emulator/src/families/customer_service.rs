//! Customer service messages: WeChat lets the account answer a user for 48 hours after the user wrote to it, at
//! most 5 messages (the page's rule). A test says when a user wrote (`userWrote`); `customerServiceMessage.send`
//! answers 45015 outside the window and 45047 past the fifth message, 40003 for a stranger. Sent messages are
//! kept for the test (`sentCustomerMessages`). Image and card messages need a live media_id (temp_media: 40007).

use crate::kit::action::{account, parse, Action};
use crate::kit::context::Ctx;
use crate::kit::family::Family;
use crate::kit::route::Route;
use crate::kit::state::State;
use crate::wire::{fields, Reply, WxError};
use serde::Deserialize;
use serde_json::{json, Value};
use std::collections::BTreeMap;

pub const FAMILY: Family = Family::new("customerService").routes(ROUTES).actions(ACTIONS);

const ACTIONS: &[Action] = &[
    Action::new(
        "userWrote",
        "{appid?, openid}",
        "The user sent the account a message: for 48 hours it may answer with up to 5 customer service messages. Returns {appid, openid, until}.",
        user_wrote,
    )
    .js("openid: string, appid?: string", "{ appid: string; openid: string; until: number }"),
    Action::new("sentCustomerMessages", "{appid?}", "The customer service messages the account sent, oldest first (the request bodies, with sentAt).", sent)
        .js("appid?: string", "Array<Record<string, unknown>>")
        .pick("messages"),
];

const ROUTES: &[Route] = &[Route::new("customerServiceMessage.send", send)];

const WINDOW: i64 = 48 * 3600;
const PER_WINDOW: u32 = 5;

#[derive(Default)]
struct Sessions {
    /// Per openid: when the user last wrote, and messages sent since.
    open: BTreeMap<String, (i64, u32)>,
    sent: Vec<Value>,
}

fn send(ctx: &mut Ctx<'_>) -> Reply {
    let touser = ctx.params.str("touser");
    ctx.require_openid(touser)?;
    let msgtype = ctx.params.str("msgtype");
    let needed: &[&str] = match msgtype {
        "text" => &["content"],
        "image" => &["media_id"],
        "link" => &["title", "description", "url", "thumb_url"],
        "miniprogrampage" => &["title", "pagepath", "thumb_media_id"],
        _ => return Err(WxError::data_format(format!("msgtype {msgtype:?} is text, image, link or miniprogrampage"))),
    };
    let body = ctx.params.child(msgtype);
    if let Some(missing) = needed.iter().find(|k| body.str(k).is_empty()) {
        return Err(WxError::data_format(format!("{msgtype}.{missing} is required")));
    }
    // Images are sent by the media_id an upload gave (customerServiceMessage.uploadTempMedia), for three days.
    let media_id = body.opt_str("media_id").or_else(|| body.opt_str("thumb_media_id"));
    if let Some(id) = media_id {
        let now = ctx.unix_now();
        if !super::temp_media::is_live(ctx.app(), id, now) {
            return Err(ctx.fail(40007));
        }
    }
    let (now, closed, spent) = (ctx.unix_now(), ctx.fail(45015), ctx.fail(45047));
    let sessions = ctx.app_record::<Sessions>();
    let Some((wrote, count)) = sessions.open.get_mut(touser) else { return Err(closed) };
    if now - *wrote >= WINDOW {
        return Err(closed);
    }
    if *count >= PER_WINDOW {
        return Err(spent);
    }
    *count += 1;
    let mut message = ctx.params.0.clone();
    if let Some(m) = message.as_object_mut() {
        m.insert("sentAt".into(), now.into());
    }
    ctx.app_record::<Sessions>().sent.push(message);
    Ok(fields! {})
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct WroteArgs {
    appid: Option<String>,
    openid: String,
}

fn user_wrote(state: &mut State, args: Value) -> Result<Value, String> {
    let args: WroteArgs = parse(args)?;
    let appid = account(state, args.appid)?;
    let now = state.clock.unix();
    let app = state.app_mut(&appid);
    if !app.openids.contains(&args.openid) {
        return Err(format!("{} is not a user of {appid}", args.openid));
    }
    app.record::<Sessions>().open.insert(args.openid.clone(), (now, 0));
    Ok(json!({"appid": appid, "openid": args.openid, "until": now + WINDOW}))
}

fn sent(state: &mut State, args: Value) -> Result<Value, String> {
    let args: crate::kit::action::AppidArgs = parse(args)?;
    let appid = account(state, args.appid)?;
    let messages = state.app_mut(&appid).record::<Sessions>().sent.clone();
    Ok(json!({"appid": appid, "messages": messages}))
}

#[cfg(test)]
mod tests {
    use crate::test_support::{code, TestEmulator, APP};
    use serde_json::json;

    #[tokio::test]
    async fn answers_within_48_hours_and_5_messages() {
        let emu = TestEmulator::start(json!({})).await;
        let user = emu.openids(APP).await[0].clone();
        let text = json!({"touser": user, "msgtype": "text", "text": {"content": "hi"}});
        assert_eq!(code(&emu.app_call("customerServiceMessage.send", text.clone()).await), 45015);
        emu.control("userWrote", json!({"openid": user})).await;
        for _ in 0..5 {
            assert_eq!(code(&emu.app_call("customerServiceMessage.send", text.clone()).await), 0);
        }
        assert_eq!(code(&emu.app_call("customerServiceMessage.send", text.clone()).await), 45047);
        emu.control("userWrote", json!({"openid": user})).await;
        emu.control("advanceTime", json!({"seconds": 48 * 3600})).await;
        assert_eq!(code(&emu.app_call("customerServiceMessage.send", text).await), 45015);
        let bad = json!({"touser": user, "msgtype": "link", "link": {"title": "t"}});
        assert_eq!(code(&emu.app_call("customerServiceMessage.send", bad).await), 47001);
        assert_eq!(emu.control("sentCustomerMessages", json!({})).await["messages"].as_array().unwrap().len(), 5);
    }
}
