//! Everything the emulated WeChat remembers, behind one lock. The kit keeps only what every family shares
//! (clock, accounts and their users); each family or stage keeps its own records in `records` (per emulator)
//! or in an account's `records` (per account), defined in its own file.

use super::clock::Clock;
use super::ids::seeded_openids;
use super::records::Records;
use crate::config::{EmulatorConfig, DEFAULT_SUBJECT};
use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;
use wechat_protocol::secret::Secret;

/// The state as the server and the async control actions share it.
pub type Shared = Arc<Mutex<State>>;

/// The state, even if a handler panicked while holding it (the request failed; the emulator goes on).
pub fn lock(shared: &Shared) -> MutexGuard<'_, State> {
    shared.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

pub struct State {
    pub clock: Clock,
    pub token_ttl: Duration,
    /// The accounts that may fetch their own tokens.
    pub credentials: BTreeMap<String, Secret>,
    /// Per account (configured ones, and authorizers met through a platform).
    pub apps: BTreeMap<String, AppData>,
    /// The records of each family and stage that are not per account (tokens, platforms, faults, …).
    pub records: Records,
    /// What runs after the clock moves: each family's `tick`, registered by `families::new_state`.
    pub ticks: Vec<fn(&mut State)>,
    serial: u64,
}

/// One account's world: what every family reads, plus each family's records of this account.
pub struct AppData {
    pub name: String,
    pub subject: String,
    /// Users of this account: calls naming any other openid answer 40003.
    pub openids: Vec<String>,
    pub records: Records,
}

impl State {
    /// The shared part of the state, with the configured accounts; families seed their own records after.
    pub fn new(config: &EmulatorConfig) -> State {
        let mut state = State {
            clock: Clock::default(),
            token_ttl: Duration::from_secs(config.token_ttl_seconds()),
            credentials: BTreeMap::new(),
            apps: BTreeMap::new(),
            records: Records::default(),
            ticks: Vec::new(),
            serial: 0,
        };
        let (apps, _) = config.apps_or_demo();
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
        state
    }

    /// An account's data, created on first use (an authorizer met through a platform has no config entry).
    pub fn app_mut(&mut self, appid: &str) -> &mut AppData {
        self.apps.entry(appid.to_owned()).or_insert_with(|| AppData {
            name: format!("Mini Program {}", appid.get(appid.len().saturating_sub(4)..).unwrap_or(appid)),
            subject: DEFAULT_SUBJECT.to_owned(),
            openids: seeded_openids(appid),
            records: Records::default(),
        })
    }

    /// A family's records of this emulator, created empty on first use.
    pub fn record<T: std::any::Any + Send + Default>(&mut self) -> &mut T {
        self.records.get::<T>()
    }

    /// Moves the clock and lets every family catch up with the time that passed.
    pub fn advance(&mut self, by: Duration) {
        self.clock.advance(by);
        for tick in self.ticks.clone() {
            tick(self);
        }
    }

    /// A number unique in this emulator, for waybill numbers and other ids.
    pub fn next_serial(&mut self) -> u64 {
        self.serial += 1;
        self.serial
    }
}

impl AppData {
    /// A family's records of this account, created empty on first use.
    pub fn record<T: std::any::Any + Send + Default>(&mut self) -> &mut T {
        self.records.get::<T>()
    }
}
