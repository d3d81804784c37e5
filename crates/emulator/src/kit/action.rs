//! A control action: a name, its arguments and doc (what `actions` lists and what `emulator.js` /
//! `emulator.d.ts` are generated from), and what it does. Each family declares its own.

use super::state::{Shared, State};
use futures::future::BoxFuture;
use serde::de::DeserializeOwned;
use serde_json::{json, Value};

pub type Run = fn(&mut State, Value) -> Result<Value, String>;

/// The form of an action that awaits HTTP (pushes): it takes the lock only to prepare.
pub type Deliver = fn(Shared, Value) -> BoxFuture<'static, Result<Value, String>>;

pub struct Action {
    pub name: &'static str,
    pub args: &'static str,
    pub doc: &'static str,
    /// The JS method's parameters in TypeScript (`appid?: string, accounts: Seed[]`); a lone `args` parameter is
    /// the whole argument object. Any method also takes the whole object as its one argument.
    pub js_params: &'static str,
    /// What the JS method resolves to, in TypeScript.
    pub js_returns: &'static str,
    /// The one field of the result the JS method resolves to, when it unwraps one.
    pub js_pick: Option<&'static str>,
    pub run: Run,
    pub deliver: Option<Deliver>,
}

impl Action {
    pub const fn new(name: &'static str, args: &'static str, doc: &'static str, run: Run) -> Action {
        Action { name, args, doc, js_params: "", js_returns: "any", js_pick: None, run, deliver: None }
    }

    pub const fn js(self, params: &'static str, returns: &'static str) -> Action {
        Action { js_params: params, js_returns: returns, ..self }
    }

    pub const fn pick(self, field: &'static str) -> Action {
        Action { js_pick: Some(field), ..self }
    }

    pub const fn deliver(self, deliver: Deliver) -> Action {
        Action { deliver: Some(deliver), ..self }
    }

    /// The row of the `actions` list.
    pub fn describe(&self, family: &str) -> Value {
        json!({"name": self.name, "family": family, "args": self.args, "doc": self.doc,
            "js": {"params": self.js_params, "returns": self.js_returns, "pick": self.js_pick}})
    }
}

pub fn parse<T: DeserializeOwned>(args: Value) -> Result<T, String> {
    serde_json::from_value(args).map_err(|e| e.to_string())
}

/// The account named, or the only configured one.
pub fn account(state: &State, appid: Option<String>) -> Result<String, String> {
    match appid {
        Some(appid) if state.apps.contains_key(&appid) => Ok(appid),
        Some(appid) => Err(format!("unknown appid {appid}")),
        None if state.credentials.len() == 1 => Ok(state.credentials.keys().next().cloned().unwrap_or_default()),
        None => Err("appid is required when several apps are configured".into()),
    }
}

/// The sync form of an action that only works awaited (`Emulator::control` cannot deliver pushes).
pub fn needs_async(_: &mut State, _: Value) -> Result<Value, String> {
    Err("this action delivers an HTTP push: run it through the JS emulator, POST /__emulator/<action> or Emulator::control_async".into())
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AppidArgs {
    pub appid: Option<String>,
}
