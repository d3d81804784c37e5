//! The push family: its control actions over the kit's push infrastructure (`kit::push`). `setPushTarget`
//! names where an account's (or a platform's authorizers') pushes go and how they are written, `pushLog` shows
//! every delivery, and `pushEvent` pushes any message now (for events nothing in the emulator triggers, such
//! as a courier's `add_waybill`).

use crate::kit::action::{account, needs_async, parse, Action};
use crate::kit::family::Family;
use crate::kit::push::{self, delivery, targets, Message};
use crate::kit::state::{lock, Shared, State};
use futures::future::{BoxFuture, FutureExt};
use serde::Deserialize;
use serde_json::{json, Map, Value};
use std::time::Duration;
use wechat_protocol::crypto::push_message::{Format, Mode};

pub const FAMILY: Family = Family::new("push").actions(ACTIONS).describe(describe);

const ACTIONS: &[Action] = &[
    Action::new("setPushTarget", "{appid? | componentAppid, url, format?: xml|json, mode?: plain|compatible|safe, token?, encodingAesKey?, answerTimeoutMs?}", "Where WeChat pushes an account's messages and events (its message-push URL, data format and mode, token and EncodingAESKey), or, with componentAppid, a platform's message URL holding $APPID$ for its authorizers (sealed with the platform's token and key, safe mode). Mode defaults to safe with a key, plain without. Returns the target without its token or key.", set_push_target)
        .js("args: { appid?: string; componentAppid?: string; url: string; format?: 'xml' | 'json'; mode?: 'plain' | 'compatible' | 'safe'; token?: string; encodingAesKey?: string; answerTimeoutMs?: number }", "{ url: string; format: 'xml' | 'json'; mode: 'plain' | 'compatible' | 'safe' }"),
    Action::new("pushLog", "{appid?}", "Every push the emulator sent, newest last: {id, at, to, appid, componentAppid, event, format, mode, attempts: [{at, status, answer, error, ms}], outcome: delivered|failed|pending} (times in unix ms; to without its query). A push not answered success within 5 s is retried three times.", push_log)
        .js("args?: { appid?: string }", "PushLogEntry[]"),
    Action::new("pushEvent", "{appid?, event, fields?}", "Pushes a message to the account's push target now, as WeChat would: ToUserName, FromUserName, CreateTime, MsgType event and Event, then fields (WeChat's names and nesting; arrays become repeated elements). JS and HTTP only. Returns {id, delivery: {status, answer}} once delivered (or failed).", needs_async)
        .js("args: { appid?: string; event: string; fields?: Record<string, unknown> }", "{ id: number; delivery: PushDelivery }")
        .deliver(push_event),
];

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct TargetArgs {
    appid: Option<String>,
    component_appid: Option<String>,
    url: String,
    format: Option<String>,
    mode: Option<String>,
    token: Option<String>,
    encoding_aes_key: Option<String>,
    answer_timeout_ms: Option<u64>,
}

pub(crate) fn set_push_target(state: &mut State, args: Value) -> Result<Value, String> {
    let args: TargetArgs = parse(args)?;
    let format = match args.format.as_deref() {
        None => Format::Xml,
        Some(f) => Format::parse(f).ok_or_else(|| format!("format must be xml or json, got {f:?}"))?,
    };
    let default_mode = if args.encoding_aes_key.is_some() || args.component_appid.is_some() { Mode::Safe } else { Mode::Plain };
    let mode = match args.mode.as_deref() {
        None => default_mode,
        Some(m) => Mode::parse(m).ok_or_else(|| format!("mode must be plain, compatible or safe, got {m:?}"))?,
    };
    let answer_timeout = args.answer_timeout_ms.map(|ms| Duration::from_millis(ms.clamp(1, 60_000)));
    let wanted = targets::Wanted { url: args.url, format, mode, token: args.token, encoding_aes_key: args.encoding_aes_key, answer_timeout };
    match args.component_appid {
        Some(component) => {
            if args.appid.is_some() {
                return Err("give appid or componentAppid, not both".into());
            }
            if mode != Mode::Safe || wanted.token.is_some() || wanted.encoding_aes_key.is_some() {
                return Err("a platform's authorizers are pushed in safe mode with the platform's own token and key".into());
            }
            targets::set_component(state, &component, wanted)
        }
        None => {
            let appid = account(state, args.appid)?;
            targets::set_app(state, &appid, wanted)
        }
    }
}

fn push_log(state: &mut State, args: Value) -> Result<Value, String> {
    #[derive(Deserialize)]
    #[serde(deny_unknown_fields)]
    struct Args {
        appid: Option<String>,
    }
    let args: Args = parse(args)?;
    let entries = push::entries(state).into_iter().filter(|e| args.appid.as_ref().is_none_or(|a| *a == e.about.appid));
    serde_json::to_value(entries.collect::<Vec<_>>()).map_err(|e| e.to_string())
}

/// The header every message to an account starts with.
pub fn header(appid: &str, from: &str, event: &str) -> Map<String, Value> {
    let mut fields = Map::new();
    fields.insert("ToUserName".into(), push::original_id(appid).into());
    fields.insert("FromUserName".into(), from.into());
    fields.insert("CreateTime".into(), push::wall_unix().into());
    fields.insert("MsgType".into(), "event".into());
    fields.insert("Event".into(), event.into());
    fields
}

fn push_event(shared: Shared, args: Value) -> BoxFuture<'static, Result<Value, String>> {
    #[derive(Deserialize)]
    #[serde(deny_unknown_fields)]
    struct Args {
        appid: Option<String>,
        event: String,
        #[serde(default)]
        fields: Map<String, Value>,
    }
    let prepared = (|| {
        let args: Args = parse(args)?;
        let mut state = lock(&shared);
        let appid = account(&state, args.appid)?;
        let mut fields = header(&appid, "oWeChatTeam0000000000000000", &args.event);
        fields.extend(args.fields);
        let message = Message { appid: appid.clone(), event: args.event, fields };
        push::prepare(&mut state, message)?.ok_or_else(|| format!("{appid} has no push target: give one with setPushTarget"))
    })();
    async move {
        let push = prepared?;
        let id = push.log_id;
        let delivery = delivery::deliver(push).await?;
        Ok(json!({"id": id, "delivery": delivery}))
    }
    .boxed()
}

fn describe(state: &State, out: &mut Map<String, Value>) {
    let shown = state.records.peek::<targets::PushTargets>().map(targets::describe_all).unwrap_or_else(|| json!({"apps": {}, "components": {}}));
    out.insert("pushTargets".into(), shown);
}
