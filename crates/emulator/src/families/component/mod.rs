//! The third-party platform family: its records (`records`), its rows (`routes`), its control actions
//! (`actions`) and the encrypted pushes WeChat sends it (`pushes`).

pub mod actions;
pub mod authorizer_info;
pub mod fast_register;
pub mod operations;
pub mod options;
pub mod pushes;
pub mod records;
pub mod routes;

use crate::config::EmulatorConfig;
use crate::kit::family::Family;
use crate::kit::state::State;
use records::{ComponentState, Platforms};
use serde_json::{Map, Value};

pub const FAMILY: Family = Family::new("component").routes(routes::ROUTES).actions(actions::ACTIONS).seed(seed).describe(describe);

/// The configured platforms.
fn seed(state: &mut State, config: &EmulatorConfig) {
    for c in &config.components {
        state.record::<Platforms>().0.insert(c.appid.clone(), ComponentState::new(c));
        let keys = state.record::<Platforms>().0.get(&c.appid).map(|p| (p.token.clone(), p.encoding_aes_key.clone()));
        if let Some((token, key)) = keys {
            crate::kit::push::targets::register_component(state, &c.appid, token, key);
        }
    }
    // The platform's own daily quotas (its token call is metered) live in its account record.
    for c in &config.components {
        state.app_mut(&c.appid);
    }
}

/// What each platform has (never a credential).
fn describe(state: &State, out: &mut Map<String, Value>) {
    let now = state.clock.now();
    let platforms = state.records.peek::<Platforms>().map(|p| p.0.iter().map(|(id, c)| (id.clone(), c.describe(now))).collect());
    out.insert("components".into(), Value::Object(platforms.unwrap_or_default()));
}
