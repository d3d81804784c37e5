//! Open-platform accounts: an account creates one (and is bound to it), binds to or unbinds from one, and
//! reads its binding. Accounts must share the open account's subject (89001); open accounts made on the
//! website rather than through the API cannot be bound to (89036) or unbound from (89003) by API; an open
//! account holds at most 100 accounts (89004). Website-made ones are seeded with `seedOpenAccount`.

use crate::config::DEFAULT_SUBJECT;
use crate::kit::action::{parse, Action};
use crate::kit::context::Ctx;
use crate::kit::failure::fail;
use crate::kit::family::Family;
use crate::kit::route::Route;
use crate::kit::state::{AppData, State};
use crate::wire::{fields, Reply};
use serde::Deserialize;
use serde_json::{json, Map, Value};
use std::collections::BTreeMap;

pub const FAMILY: Family = Family::new("openPlatform").routes(ROUTES).actions(ACTIONS).describe_app(describe_app).describe(describe);

const ACTIONS: &[Action] = &[
    Action::new("seedOpenAccount", "{openAppid?, subject?, createdByApi?: false, boundAppids?: [appid]}", "Creates an open-platform account as if made on the website (createdByApi false: unbind answers 89003, bind 89036). Returns {openAppid}.", seed_open_account)
        .js("args?: { openAppid?: string; subject?: string; createdByApi?: boolean; boundAppids?: string[] }", "{ openAppid: string }"),
];

const ROUTES: &[Route] = &[
    Route::new("openPlatform.createOpenAccount", create_open_account),
    Route::new("openPlatform.bindOpenAccount", bind_open_account),
    Route::new("openPlatform.unbindOpenAccount", unbind_open_account),
    Route::new("openPlatform.getOpenAccount", get_open_account),
    Route::new("openPlatform.getBindOpenAccount", get_bind_open_account),
];

pub const BIND_LIMIT: usize = 100;

/// Every open-platform account, by open appid.
#[derive(Default)]
pub struct OpenAccounts(BTreeMap<String, OpenAccount>);

#[derive(Clone, Debug)]
pub struct OpenAccount {
    pub open_appid: String,
    pub subject: String,
    pub created_by_api: bool,
    pub bound: Vec<String>,
}

impl OpenAccount {
    pub fn describe(&self) -> Value {
        json!({"openAppid": self.open_appid, "subject": self.subject, "createdByApi": self.created_by_api, "bound": self.bound})
    }
}

/// The open account `appid` is bound to.
pub fn open_appid_of(state: &State, appid: &str) -> Option<String> {
    state.records.peek::<OpenAccounts>()?.0.values().find(|o| o.bound.iter().any(|a| a == appid)).map(|o| o.open_appid.clone())
}

/// A fresh open appid, shaped like an appid (`wx` and 16 hex digits).
pub fn new_open_appid(state: &State) -> String {
    loop {
        let candidate = format!("wx{:016x}", rand::random::<u64>());
        if !state.records.peek::<OpenAccounts>().is_some_and(|o| o.0.contains_key(&candidate)) {
            return candidate;
        }
    }
}

/// `{appid?}`: 40013 for another account, 89000 when already bound.
fn create_open_account(ctx: &mut Ctx<'_>) -> Reply {
    let appid = ctx.require_own_appid("appid")?;
    if open_appid_of(ctx.state, &appid).is_some() {
        return Err(ctx.fail(89000));
    }
    let open_appid = new_open_appid(ctx.state);
    let subject = ctx.app().subject.clone();
    let account = OpenAccount { open_appid: open_appid.clone(), subject, created_by_api: true, bound: vec![appid] };
    ctx.state.record::<OpenAccounts>().0.insert(open_appid.clone(), account);
    Ok(fields! { "open_appid" => open_appid })
}

/// `{open_appid, appid?}`: 40013 unknown, 89000 already bound, 89001 other subject, 89036 website-made, 89004 full.
fn bind_open_account(ctx: &mut Ctx<'_>) -> Reply {
    let appid = ctx.require_own_appid("appid")?;
    if open_appid_of(ctx.state, &appid).is_some() {
        return Err(ctx.fail(89000));
    }
    let subject = ctx.app().subject.clone();
    let (p, endpoint) = (ctx.params, ctx.endpoint);
    let fail = |code| fail(endpoint, code);
    let open = ctx.state.record::<OpenAccounts>().0.get_mut(p.str("open_appid")).ok_or_else(|| fail(40013))?;
    if open.subject != subject {
        return Err(fail(89001));
    }
    if !open.created_by_api {
        return Err(fail(89036));
    }
    if open.bound.len() >= BIND_LIMIT {
        return Err(fail(89004));
    }
    open.bound.push(appid);
    Ok(fields! {})
}

/// `{open_appid, appid?}`: 40013 unknown or not this account's, 89001 other subject, 89003 website-made.
fn unbind_open_account(ctx: &mut Ctx<'_>) -> Reply {
    let appid = ctx.require_own_appid("appid")?;
    let subject = ctx.app().subject.clone();
    let (p, endpoint) = (ctx.params, ctx.endpoint);
    let fail = |code| fail(endpoint, code);
    let open = ctx.state.record::<OpenAccounts>().0.get_mut(p.str("open_appid")).ok_or_else(|| fail(40013))?;
    let at = open.bound.iter().position(|a| *a == appid).ok_or_else(|| fail(40013))?;
    if open.subject != subject {
        return Err(fail(89001));
    }
    if !open.created_by_api {
        return Err(fail(89003));
    }
    open.bound.remove(at);
    Ok(fields! {})
}

/// `{appid?}` → `open_appid` (89002 when not bound).
fn get_open_account(ctx: &mut Ctx<'_>) -> Reply {
    let appid = ctx.require_own_appid("appid")?;
    let open_appid = open_appid_of(ctx.state, &appid).ok_or_else(|| ctx.fail(89002))?;
    Ok(fields! { "open_appid" => open_appid })
}

fn get_bind_open_account(ctx: &mut Ctx<'_>) -> Reply {
    let have = open_appid_of(ctx.state, &ctx.appid()).is_some();
    Ok(fields! { "have_open" => have })
}

fn seed_open_account(state: &mut State, args: Value) -> Result<Value, String> {
    #[derive(Deserialize)]
    #[serde(rename_all = "camelCase", deny_unknown_fields)]
    struct Args {
        open_appid: Option<String>,
        subject: Option<String>,
        #[serde(default)]
        created_by_api: bool,
        #[serde(default)]
        bound_appids: Vec<String>,
    }
    let args: Args = parse(args)?;
    let open_appid = args.open_appid.unwrap_or_else(|| new_open_appid(state));
    if state.record::<OpenAccounts>().0.contains_key(&open_appid) {
        return Err(format!("open account {open_appid} exists"));
    }
    if let Some(taken) = args.bound_appids.iter().find(|a| open_appid_of(state, a).is_some()) {
        return Err(format!("{taken} is already bound to an open account"));
    }
    let subject = args.subject.unwrap_or_else(|| DEFAULT_SUBJECT.to_owned());
    let account = OpenAccount { open_appid: open_appid.clone(), subject, created_by_api: args.created_by_api, bound: args.bound_appids };
    state.record::<OpenAccounts>().0.insert(open_appid.clone(), account);
    Ok(json!({"openAppid": open_appid}))
}

fn describe_app(state: &State, appid: &str, _: &AppData, out: &mut Map<String, Value>) {
    out.insert("openAppid".into(), open_appid_of(state, appid).into());
}

fn describe(state: &State, out: &mut Map<String, Value>) {
    let accounts: Vec<Value> = state.records.peek::<OpenAccounts>().map(|o| o.0.values().map(OpenAccount::describe).collect()).unwrap_or_default();
    out.insert("openAccounts".into(), accounts.into());
}

#[cfg(test)]
mod tests {
    use crate::test_support::{code, TestEmulator};
    use serde_json::json;

    const A: &str = "wxaaaaaaaaaaaaaaa1";
    const B: &str = "wxbbbbbbbbbbbbbbb2";
    const C: &str = "wxccccccccccccccc3";

    async fn three_apps() -> TestEmulator {
        TestEmulator::start(json!({"apps": [
            {"appid": A, "secret": "sa"}, {"appid": B, "secret": "sb"}, {"appid": C, "secret": "sc", "subject": "Other Co."}
        ]}))
        .await
    }

    #[tokio::test]
    async fn create_bind_get_unbind() {
        let emu = three_apps().await;
        let (ta, tb, tc) = (emu.stable_token(A, false).await, emu.stable_token(B, false).await, emu.stable_token(C, false).await);
        assert_eq!(emu.call("openPlatform.getBindOpenAccount", &ta, json!({})).await["have_open"], false);
        assert_eq!(code(&emu.call("openPlatform.getOpenAccount", &ta, json!({})).await), 89002);
        assert_eq!(code(&emu.call("openPlatform.createOpenAccount", &ta, json!({"appid": B})).await), 40013);
        let created = emu.call("openPlatform.createOpenAccount", &ta, json!({"appid": A})).await;
        let open = created["open_appid"].as_str().unwrap().to_owned();
        assert!(open.starts_with("wx") && open.len() == 18, "{open}");
        assert_eq!(code(&emu.call("openPlatform.createOpenAccount", &ta, json!({})).await), 89000);
        assert_eq!(emu.call("openPlatform.getOpenAccount", &ta, json!({})).await["open_appid"], open.as_str());
        assert_eq!(emu.call("openPlatform.getBindOpenAccount", &ta, json!({})).await["have_open"], true);
        assert_eq!(code(&emu.call("openPlatform.bindOpenAccount", &tb, json!({"open_appid": "wxnope"})).await), 40013);
        assert_eq!(code(&emu.call("openPlatform.bindOpenAccount", &tb, json!({"open_appid": open})).await), 0);
        assert_eq!(code(&emu.call("openPlatform.bindOpenAccount", &tb, json!({"open_appid": open})).await), 89000);
        assert_eq!(code(&emu.call("openPlatform.bindOpenAccount", &tc, json!({"open_appid": open})).await), 89001);
        assert_eq!(code(&emu.call("openPlatform.unbindOpenAccount", &tc, json!({"open_appid": open})).await), 40013);
        assert_eq!(code(&emu.call("openPlatform.unbindOpenAccount", &tb, json!({"open_appid": open})).await), 0);
        assert_eq!(code(&emu.call("openPlatform.getOpenAccount", &tb, json!({})).await), 89002);
    }

    #[tokio::test]
    async fn website_made_and_full_open_accounts() {
        let emu = three_apps().await;
        let (ta, tb) = (emu.stable_token(A, false).await, emu.stable_token(B, false).await);
        let web = emu.control("seedOpenAccount", json!({"boundAppids": [A]})).await["openAppid"].as_str().unwrap().to_owned();
        assert_eq!(code(&emu.call("openPlatform.unbindOpenAccount", &ta, json!({"open_appid": web})).await), 89003);
        assert_eq!(code(&emu.call("openPlatform.bindOpenAccount", &tb, json!({"open_appid": web})).await), 89036);
        let many: Vec<String> = (0..100).map(|n| format!("wxfiller{n:010}")).collect();
        let full = emu.control("seedOpenAccount", json!({"createdByApi": true, "boundAppids": many})).await;
        let full = full["openAppid"].as_str().unwrap();
        assert_eq!(code(&emu.call("openPlatform.bindOpenAccount", &tb, json!({"open_appid": full})).await), 89004);
    }
}
