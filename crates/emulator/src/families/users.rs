//! The users family: the openids each account knows (calls naming others answer 40003) and the company behind
//! it (its subject). Both live in the kit's `AppData`, since every family reads them.

use crate::kit::action::{account, parse, Action, AppidArgs};
use crate::kit::family::Family;
use crate::kit::state::State;
use serde::Deserialize;
use serde_json::{json, Value};

pub const FAMILY: Family = Family::new("users").actions(ACTIONS);

const ACTIONS: &[Action] = &[
    Action::new("openids", "{appid?}", "The openids the account knows (three seeded ones first). Returns {openids}.", openids)
        .js("appid?: string", "string[]")
        .pick("openids"),
    Action::new("addOpenids", "{appid?, openids: [string]}", "Adds users to the account; calls naming unknown openids answer 40003. Returns {openids}.", add_openids)
        .js("appid: string | undefined, openids: string[]", "{ openids: string[] }"),
    Action::new("setSubject", "{appid?, subject}", "Changes the company behind an account (open-platform binding needs the same subject: 89001).", set_subject)
        .js("appid: string | undefined, subject: string", "{ appid: string; subject: string }"),
];

fn openids(state: &mut State, args: Value) -> Result<Value, String> {
    let appid = account(state, parse::<AppidArgs>(args)?.appid)?;
    Ok(json!({"openids": state.app_mut(&appid).openids}))
}

fn add_openids(state: &mut State, args: Value) -> Result<Value, String> {
    #[derive(Deserialize)]
    #[serde(deny_unknown_fields)]
    struct Args {
        appid: Option<String>,
        openids: Vec<String>,
    }
    let args: Args = parse(args)?;
    let appid = account(state, args.appid)?;
    let known = &mut state.app_mut(&appid).openids;
    for openid in args.openids {
        if openid.is_empty() {
            return Err("an openid cannot be empty".into());
        }
        if !known.contains(&openid) {
            known.push(openid);
        }
    }
    Ok(json!({"openids": known}))
}

fn set_subject(state: &mut State, args: Value) -> Result<Value, String> {
    #[derive(Deserialize)]
    #[serde(deny_unknown_fields)]
    struct Args {
        appid: Option<String>,
        subject: String,
    }
    let args: Args = parse(args)?;
    let appid = account(state, args.appid)?;
    state.app_mut(&appid).subject = args.subject.clone();
    Ok(json!({"appid": appid, "subject": args.subject}))
}
