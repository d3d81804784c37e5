//! Everything the emulated WeChat remembers, behind one lock: accounts and their data, tokens, platforms,
//! counters and injected faults. Each family's records are defined in that family's file.

use super::clock::Clock;
use super::component::ComponentState;
use super::config::{EmulatorConfig, DEFAULT_SUBJECT};
use super::fault_rates::FaultRates;
use super::faults::Faults;
use super::pushes::PushState;
use super::links::MiniprogramLink;
use super::logistics_accounts::{self, LogisticsAccount};
use super::logistics_delivery::BillEntry;
use super::logistics_msg::TrackedWaybill;
use super::logistics_orders::Order;
use super::logistics_printers::Printer;
use super::open_platform::OpenAccount;
use super::quota::Usage;
use super::tokens::TokenStore;
use wechat_protocol::secret::Secret;
use std::collections::{BTreeMap, HashMap};
use std::time::Duration;

pub struct State {
    pub clock: Clock,
    pub token_ttl: Duration,
    pub tokens: TokenStore,
    /// The accounts that may fetch their own tokens.
    pub credentials: BTreeMap<String, Secret>,
    /// Per account (configured ones, and authorizers met through a platform).
    pub apps: BTreeMap<String, AppData>,
    pub components: BTreeMap<String, ComponentState>,
    pub open_accounts: BTreeMap<String, OpenAccount>,
    /// The courier-side order token (`Token` of the order event) → the order it stands for.
    pub delivery_tokens: HashMap<String, OrderRef>,
    pub counters: Counters,
    pub faults: Faults,
    /// Where encrypted pushes go, per platform (pushes.rs).
    pub pushes: PushState,
    /// Random faults at set rates (`setFaultRates`).
    pub fault_rates: FaultRates,
    /// Size the waybill HTML is padded to (KiB), so benchmarks can fetch sizeable `print_html`.
    pub print_html_kib: usize,
    serial: u64,
}

#[derive(Clone, Debug, PartialEq)]
pub struct OrderRef {
    pub appid: String,
    pub order_id: String,
}

/// One account's world.
#[derive(Debug, Default)]
pub struct AppData {
    pub name: String,
    pub subject: String,
    /// Users of this account: calls naming any other openid answer 40003.
    pub openids: Vec<String>,
    pub logistics_accounts: Vec<LogisticsAccount>,
    pub sandbox_orders_left: u64,
    pub orders: BTreeMap<String, Order>,
    pub printers: Vec<Printer>,
    pub waybills: HashMap<String, TrackedWaybill>,
    pub msg_plugin_open: bool,
    pub links: Vec<MiniprogramLink>,
    pub usage: Usage,
    /// Fee and refund records of scatter orders this account (a courier) reported.
    pub bills: Vec<BillEntry>,
}

/// Requests received and non-idempotent requests executed, per `namespace.method`.
#[derive(Debug, Default)]
pub struct Counters {
    pub requests: BTreeMap<String, u64>,
    pub executions: BTreeMap<String, u64>,
    /// Executions of non-idempotent endpoints per `order_id` they named: more than one is a duplicate order.
    pub executions_by_order: BTreeMap<String, HashMap<String, u64>>,
}

/// Test orders each account may place with `TEST`/`test_biz_id` (WeChat's sandbox has a quota too: 930564).
const SANDBOX_ORDERS: u64 = 1000;

impl State {
    pub fn new(config: &EmulatorConfig) -> State {
        let mut state = State {
            clock: Clock::default(),
            token_ttl: Duration::from_secs(config.token_ttl_seconds()),
            tokens: TokenStore::default(),
            credentials: BTreeMap::new(),
            apps: BTreeMap::new(),
            components: BTreeMap::new(),
            open_accounts: BTreeMap::new(),
            delivery_tokens: HashMap::new(),
            counters: Counters::default(),
            faults: Faults::default(),
            pushes: PushState::default(),
            fault_rates: FaultRates::default(),
            print_html_kib: 0,
            serial: 0,
        };
        let (apps, demo) = config.apps_or_demo();
        for app in apps {
            state.credentials.insert(app.appid.clone(), Secret::new(app.secret));
            let data = state.app_mut(&app.appid);
            if let Some(name) = app.name {
                data.name = name;
            }
            if let Some(subject) = app.subject {
                data.subject = subject;
            }
        }
        for c in &config.components {
            state.components.insert(c.appid.clone(), ComponentState::new(c));
        }
        if demo {
            logistics_accounts::seed_demo(&mut state);
        }
        state
    }

    /// An account's data, created on first use (an authorizer met through a platform has no config entry).
    pub fn app_mut(&mut self, appid: &str) -> &mut AppData {
        self.apps.entry(appid.to_owned()).or_insert_with(|| AppData {
            name: format!("Mini Program {}", appid.get(appid.len().saturating_sub(4)..).unwrap_or(appid)),
            subject: DEFAULT_SUBJECT.to_owned(),
            openids: seeded_openids(appid),
            sandbox_orders_left: SANDBOX_ORDERS,
            ..AppData::default()
        })
    }

    /// A number unique in this emulator, for waybill numbers and other ids.
    pub fn next_serial(&mut self) -> u64 {
        self.serial += 1;
        self.serial
    }
}

/// Three users every account starts with; deterministic so tests and demos can name them, and shaped like
/// real openids (28 characters starting with `o`).
pub fn seeded_openids(appid: &str) -> Vec<String> {
    (1..=3).map(|n| pseudo_id(&format!("{appid}/user{n}"), 'o', 28)).collect()
}

/// A deterministic id of `len` URL-safe characters derived from `seed` (FNV-1a, then a xorshift stream).
pub fn pseudo_id(seed: &str, first: char, len: usize) -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in seed.bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    let mut out = String::with_capacity(len);
    out.push(first);
    while out.len() < len {
        h ^= h << 13;
        h ^= h >> 7;
        h ^= h << 17;
        out.push(ALPHABET[(h % 64) as usize] as char);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn openids_are_stable_plausible_and_distinct() {
        let a = seeded_openids("wx1");
        assert_eq!(a, seeded_openids("wx1"));
        assert_eq!(a.len(), 3);
        assert!(a.iter().all(|o| o.len() == 28 && o.starts_with('o')));
        assert_ne!(a[0], a[1]);
        assert_ne!(a[0], seeded_openids("wx2")[0]);
    }

    #[test]
    fn the_demo_app_starts_with_two_logistics_accounts() {
        let state = State::new(&EmulatorConfig::default());
        let demo = &state.apps[super::super::config::DEMO_APPID];
        assert_eq!(demo.logistics_accounts.len(), 2);
        assert_eq!(demo.name, super::super::config::DEMO_NAME);
    }
}
