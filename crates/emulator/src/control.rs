//! The one control surface of the emulator: `Emulator::control(action, args)` in Rust, `control(action, args)`
//! in JS, `POST {url}/__emulator/<action>` with a JSON body over HTTP. Each family declares its own actions;
//! this file finds them, and adds the two that span every family: `actions` (the list) and `state` (a dump).
//! `appid` may be left out when one app is configured.

use crate::families::{all_actions, FAMILIES};
use crate::kit::action::Action;
use crate::kit::state::{lock, Shared, State};
use serde_json::{json, Map, Value};

/// The actions about the emulator as a whole, listed first.
const OVERALL: &[Action] = &[
    Action::new("actions", "{}", "Lists the control actions with their arguments.", list_actions).js("", "any[]"),
    Action::new("state", "{}", "A JSON dump of the emulator's state for debugging: accounts, orders, links, tokens (kinds and lifetimes only), counters. Never secrets or token values.", dump_state)
        .js("", "any"),
];

fn every_action() -> impl Iterator<Item = &'static Action> {
    OVERALL.iter().chain(all_actions())
}

fn find(action: &str, args: &Value) -> Result<&'static Action, String> {
    let Some(found) = every_action().find(|a| a.name == action) else {
        let known: Vec<&str> = every_action().map(|a| a.name).collect();
        return Err(format!("unknown control action {action:?}; known: {}", known.join(", ")));
    };
    if !args.is_object() {
        return Err(format!("{action}: arguments must be a JSON object"));
    }
    Ok(found)
}

/// Runs an action under the lock the caller holds (actions that deliver pushes say they need `run_async`).
pub fn run(state: &mut State, action: &str, args: Value) -> Result<Value, String> {
    let found = find(action, &args)?;
    (found.run)(state, args).map_err(|e| format!("{action}: {e}"))
}

/// Runs an action, delivering its pushes when it has any; the lock is never held across HTTP.
pub async fn run_async(shared: &Shared, action: &str, args: Value) -> Result<Value, String> {
    let found = find(action, &args)?;
    let outcome = match found.deliver {
        Some(deliver) => deliver(shared.clone(), args).await,
        None => (found.run)(&mut lock(shared), args),
    };
    outcome.map_err(|e| format!("{action}: {e}"))
}

/// Every action with its family, arguments, doc and JS signature, in the order `actions` lists them.
pub fn list() -> Value {
    let overall = OVERALL.iter().map(|a| ("emulator", a));
    let by_family = FAMILIES.iter().flat_map(|f| f.actions.iter().map(move |a| (f.name, a)));
    overall.chain(by_family).map(|(family, a)| a.describe(family)).collect()
}

fn list_actions(_: &mut State, _: Value) -> Result<Value, String> {
    Ok(list())
}

/// Everything worth seeing while debugging, and nothing secret: each family adds its part, and none adds
/// secrets, token values, tickets, refresh tokens or courier-side order tokens.
fn dump_state(state: &mut State, _: Value) -> Result<Value, String> {
    let state: &State = state;
    let mut apps = Map::new();
    for (appid, app) in &state.apps {
        let mut out = Map::new();
        out.insert("name".into(), app.name.clone().into());
        out.insert("subject".into(), app.subject.clone().into());
        out.insert("configured".into(), state.credentials.contains_key(appid).into());
        out.insert("openids".into(), json!(app.openids));
        for describe in FAMILIES.iter().filter_map(|f| f.describe_app) {
            describe(state, appid, app, &mut out);
        }
        apps.insert(appid.clone(), Value::Object(out));
    }
    let mut out = Map::new();
    for describe in FAMILIES.iter().filter_map(|f| f.describe) {
        describe(state, &mut out);
    }
    out.insert("apps".into(), Value::Object(apps));
    Ok(Value::Object(out))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::EmulatorConfig;
    use crate::test_support::{code, TestEmulator, APP, SECRET};

    #[test]
    fn unknown_actions_and_bad_arguments_are_named() {
        let mut state = crate::families::new_state(&EmulatorConfig::default());
        let e = run(&mut state, "nope", json!({})).unwrap_err();
        assert!(e.starts_with("unknown control action \"nope\"; known: actions, state, seedAccounts"), "{e}");
        let e = run(&mut state, "seedAccounts", json!({"accounts": [{"bizId": "x"}]})).unwrap_err();
        assert!(e.contains("missing field `deliveryId`"), "{e}");
        assert!(run(&mut state, "advanceTime", json!([])).unwrap_err().contains("must be a JSON object"));
        assert_eq!(run(&mut state, "actions", json!({})).unwrap().as_array().unwrap().len(), all_actions().count() + 2);
    }

    #[tokio::test]
    async fn state_dumps_hold_no_secrets() {
        let emu = TestEmulator::start(json!({})).await;
        let token = emu.stable_token(APP, false).await;
        let classic = emu.classic_token(APP).await;
        let dump = emu.control("state", json!({})).await;
        let text = dump.to_string();
        for secret in [SECRET, token.as_str(), classic.as_str()] {
            assert!(!text.contains(secret), "state leaks a credential");
        }
        assert_eq!(dump["apps"][APP]["logisticsAccounts"].as_array().unwrap().len(), 2);
        assert_eq!(dump["tokens"].as_array().unwrap().len(), 2);
        assert_eq!(dump["apps"][APP]["usage"]["auth.getStableAccessToken"], 1);
    }

    #[tokio::test]
    async fn counts_executions_and_faults() {
        let emu = TestEmulator::start(json!({})).await;
        let token = emu.stable_token(APP, false).await;
        let bind = json!({"type": "bind", "biz_id": "b", "delivery_id": "SF"});
        emu.control("injectFault", json!({"name": "logistics.bindAccount", "errcode": -1, "afterExecute": true})).await;
        let failed = emu.call("logistics.bindAccount", &token, bind.clone()).await;
        assert_eq!(code(&failed), -1);
        assert!(failed["errmsg"].as_str().unwrap().starts_with("system error rid: "));
        assert_eq!(emu.app_call("logistics.getAllAccount", json!({})).await["count"], 3, "it ran before failing");
        emu.control("injectFault", json!({"name": "*", "errcode": 45011, "times": 2})).await;
        assert_eq!(code(&emu.call("logistics.bindAccount", &token, bind.clone()).await), 45011);
        assert_eq!(code(&emu.get_with("logistics.getAllAccount", &token).await), 45011);
        assert_eq!(code(&emu.call("logistics.bindAccount", &token, bind.clone()).await), 0);
        let executions = emu.control("executions", json!({})).await;
        assert_eq!(executions, json!({"auth.getStableAccessToken": 2, "logistics.bindAccount": 2}));
        let counts = emu.control("requestCounts", json!({})).await;
        assert_eq!(counts["logistics.bindAccount"], 3);
        assert_eq!(counts["logistics.getAllAccount"], 2);
        emu.control("injectFault", json!({"name": "logistics.getAllAccount", "delayMs": 300})).await;
        let started = std::time::Instant::now();
        assert_eq!(code(&emu.get_with("logistics.getAllAccount", &token).await), 0);
        assert!(started.elapsed() >= std::time::Duration::from_millis(300));
        emu.control("resetCounts", json!({})).await;
        assert_eq!(emu.control("requestCounts", json!({})).await, json!({}));
        let bad = emu.raw_post("/__emulator/injectFault", json!({"name": "nope.nope", "errcode": 1})).await;
        assert_eq!(bad["ok"], false);
        assert_eq!(bad["error"], "injectFault: unknown endpoint nope.nope");
    }

    #[tokio::test]
    async fn openids_and_the_in_process_surface() {
        let emu = TestEmulator::start(json!({})).await;
        let added = emu.emu.control("addOpenids", json!({"openids": ["oCustomUser"]})).unwrap();
        assert_eq!(added["openids"].as_array().unwrap().len(), 4);
        assert_eq!(emu.emu.control_json("openids", "").unwrap(), json!({"openids": added["openids"]}).to_string());
        let printer = json!({"openid": "oCustomUser", "update_type": "bind"});
        assert_eq!(code(&emu.app_call("logistics.updatePrinter", printer).await), 0);
        assert!(emu.emu.control("openids", json!({"appid": "wxnobody"})).unwrap_err().contains("unknown appid wxnobody"));
    }
}
