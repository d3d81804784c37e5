//! The one list of families. A family owns its rows, its control actions and its records; the server, the
//! pipeline and the control surface find them here and nowhere else. What runs on every request instead of
//! serving rows is a stage (`stages`); a stage's control actions are listed here too, in their place.

pub mod component;
pub mod customer_service;
pub mod links;
pub mod logistics;
pub mod login;
pub mod official;
pub mod open_platform;
pub mod phone;
pub mod pushes;
pub mod quota;
pub mod quota_by_secret;
pub mod rid;
pub mod safety;
pub mod security;
pub mod shipping;
pub mod ocr;
pub mod subscribe;
pub mod temp_media;
pub mod tokens;
pub mod updatable;
pub mod users;
pub mod wxa_links;
pub mod wxacode;

use crate::config::EmulatorConfig;
use crate::kit::action::Action;
use crate::kit::family::Family;
use crate::kit::route::Route;
use crate::kit::state::State;
use crate::stages;

/// In the order `actions` lists their actions (and `emulator.js` its methods), stages' among them.
pub const FAMILIES: &[&Family] = &[
    &logistics::accounts::FAMILY,
    &users::FAMILY,
    &stages::counters::CONTROLS,
    &stages::journal::CONTROLS,
    &tokens::FAMILY,
    &links::FAMILY,
    &logistics::orders::FAMILY,
    &open_platform::FAMILY,
    &quota::FAMILY,
    &stages::faults::CONTROLS,
    &component::FAMILY,
    &pushes::FAMILY,
    &logistics::delivery::FAMILY,
    &logistics::printers::FAMILY,
    &logistics::msg::FAMILY,
    &logistics::couriers::FAMILY,
    &subscribe::FAMILY,
    &security::FAMILY,
    &wxacode::FAMILY,
    &phone::FAMILY,
    &wxa_links::FAMILY,
    &customer_service::FAMILY,
    &component::operations::FAMILY,
    &quota_by_secret::FAMILY,
    &rid::FAMILY,
    &temp_media::FAMILY,
    &ocr::FAMILY,
    &shipping::FAMILY,
    &login::FAMILY,
    &official::FAMILY,
    // Issue 30, the long tail of cloud calls: new families go below, in one block.
    &updatable::FAMILY,
    &safety::FAMILY,
];

pub fn all_routes() -> impl Iterator<Item = &'static Route> {
    FAMILIES.iter().flat_map(|family| family.routes.iter())
}

pub fn route_for(name: &str) -> Option<&'static Route> {
    all_routes().find(|r| r.name == name)
}

pub fn all_actions() -> impl Iterator<Item = &'static Action> {
    FAMILIES.iter().flat_map(|family| family.actions.iter())
}

/// A fresh state: the kit's part from the config, then each family's seed.
pub fn new_state(config: &EmulatorConfig) -> State {
    let mut state = State::new(config);
    for seed in FAMILIES.iter().filter_map(|f| f.seed) {
        seed(&mut state, config);
    }
    state.ticks = FAMILIES.iter().filter_map(|f| f.tick).collect();
    state
}

#[cfg(test)]
mod tests {
    use super::*;
    use wechat_protocol::catalogue::catalogue;

    #[test]
    fn every_table_row_has_exactly_one_handler_and_every_handler_a_row() {
        for e in catalogue().all() {
            let n = all_routes().filter(|r| r.name == e.name).count();
            assert_eq!(n, 1, "{} needs exactly one emulator handler, has {n}", e.name);
        }
        for r in all_routes() {
            assert!(catalogue().get(r.name).is_some(), "handler {} has no row in api/endpoints.json", r.name);
        }
    }

    #[test]
    fn action_names_are_unique() {
        let mut names: Vec<&str> = all_actions().map(|a| a.name).collect();
        let count = names.len();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), count);
    }

    #[test]
    fn the_demo_app_starts_with_two_logistics_accounts() {
        let state = new_state(&EmulatorConfig::default());
        let demo = &state.apps[crate::config::DEMO_APPID];
        assert_eq!(demo.name, crate::config::DEMO_NAME);
        let accounts = demo.records.peek::<logistics::accounts::CourierAccounts>().expect("seeded");
        assert_eq!(accounts.list.len(), 2);
    }
}
