//! What a family declares: its routes, its control actions, how it seeds its records and what it shows in
//! the `state` dump. `families::FAMILIES` lists them; nothing else needs to know a family exists. A stage
//! with control actions declares them in the same shape (no routes), so the list keeps one order.

use super::action::Action;
use super::route::Route;
use super::state::{AppData, State};
use crate::config::EmulatorConfig;
use serde_json::{Map, Value};

/// Adds a family's part of one account to the `state` dump: (state, appid, the account, the account's dump).
pub type DescribeApp = fn(&State, &str, &AppData, &mut Map<String, Value>);

/// Adds a family's part to the top level of the `state` dump.
pub type Describe = fn(&State, &mut Map<String, Value>);

pub struct Family {
    pub name: &'static str,
    pub routes: &'static [Route],
    pub actions: &'static [Action],
    /// Seeds the family's records when the emulator starts.
    pub seed: Option<fn(&mut State, &EmulatorConfig)>,
    /// The family's part of an account in the `state` dump (never a secret).
    pub describe_app: Option<DescribeApp>,
    /// The family's part of the `state` dump's top level (never a secret).
    pub describe: Option<Describe>,
    /// Runs after the clock moves (`advanceTime`): what WeChat does when time passes (settle, remind).
    pub tick: Option<fn(&mut State)>,
}

impl Family {
    pub const fn new(name: &'static str) -> Family {
        Family { name, routes: &[], actions: &[], seed: None, describe_app: None, describe: None, tick: None }
    }

    pub const fn routes(self, routes: &'static [Route]) -> Family {
        Family { routes, ..self }
    }

    pub const fn actions(self, actions: &'static [Action]) -> Family {
        Family { actions, ..self }
    }

    pub const fn seed(self, seed: fn(&mut State, &EmulatorConfig)) -> Family {
        Family { seed: Some(seed), ..self }
    }

    pub const fn describe_app(self, describe: DescribeApp) -> Family {
        Family { describe_app: Some(describe), ..self }
    }

    pub const fn describe(self, describe: Describe) -> Family {
        Family { describe: Some(describe), ..self }
    }

    pub const fn tick(self, tick: fn(&mut State)) -> Family {
        Family { tick: Some(tick), ..self }
    }
}
