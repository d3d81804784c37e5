//! Random faults at set rates (`setFaultRates`), drawn from a seeded generator so a run can be repeated:
//! the same seed and the same sequence of requests give the same faults. WeChat's bad hours, in one place:
//! busy (-1), HTTP 500/502, a dropped connection, a slow answer, broken JSON, a cut-off body, the per-minute
//! limit (45011) and a token revoked under the caller's feet.

use serde::Deserialize;
use serde_json::{json, Value};
use std::collections::BTreeMap;

/// One drawn fault. `Busy`, `RateLimit` and `Http500` answer before the call runs; `RevokedToken` revokes
/// the caller's tokens first (the call answers 40001); `Delay` only slows the answer; the rest let the
/// call run and then lose or spoil its answer — the failures after which a retry could do it twice.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Drawn {
    Busy,
    Http500,
    Http502,
    Reset,
    Delay,
    MalformedJson,
    Truncated,
    RateLimit,
    RevokedToken,
}

impl Drawn {
    const ALL: [Drawn; 9] = [
        Drawn::Busy,
        Drawn::Http500,
        Drawn::Http502,
        Drawn::Reset,
        Drawn::Delay,
        Drawn::MalformedJson,
        Drawn::Truncated,
        Drawn::RateLimit,
        Drawn::RevokedToken,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Drawn::Busy => "busy",
            Drawn::Http500 => "http500",
            Drawn::Http502 => "http502",
            Drawn::Reset => "reset",
            Drawn::Delay => "delay",
            Drawn::MalformedJson => "malformedJson",
            Drawn::Truncated => "truncated",
            Drawn::RateLimit => "rateLimit",
            Drawn::RevokedToken => "revokedToken",
        }
    }
}

/// Probabilities per request, each from 0 to 1, summing to at most 1.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Rates {
    #[serde(default)]
    busy: f64,
    #[serde(default)]
    http500: f64,
    #[serde(default)]
    http502: f64,
    #[serde(default)]
    reset: f64,
    #[serde(default)]
    delay: f64,
    #[serde(default)]
    malformed_json: f64,
    #[serde(default)]
    truncated: f64,
    #[serde(default)]
    rate_limit: f64,
    #[serde(default)]
    revoked_token: f64,
}

impl Rates {
    fn of(&self, kind: Drawn) -> f64 {
        match kind {
            Drawn::Busy => self.busy,
            Drawn::Http500 => self.http500,
            Drawn::Http502 => self.http502,
            Drawn::Reset => self.reset,
            Drawn::Delay => self.delay,
            Drawn::MalformedJson => self.malformed_json,
            Drawn::Truncated => self.truncated,
            Drawn::RateLimit => self.rate_limit,
            Drawn::RevokedToken => self.revoked_token,
        }
    }

    fn check(&self, key: &str) -> Result<(), String> {
        let mut sum = 0.0;
        for kind in Drawn::ALL {
            let rate = self.of(kind);
            if !(0.0..=1.0).contains(&rate) {
                return Err(format!("rates[{key:?}].{} must be from 0 to 1, got {rate}", kind.name()));
            }
            sum += rate;
        }
        if sum > 1.0 + 1e-9 {
            return Err(format!("rates[{key:?}] add up to {sum}, more than 1"));
        }
        Ok(())
    }
}

/// `setFaultRates` arguments.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RatesConfig {
    #[serde(default)]
    pub seed: u64,
    /// How long a `delay` fault holds the answer (default 100 ms).
    pub delay_ms: Option<u64>,
    /// `namespace.method` or `*` (every other endpoint) → rates.
    pub rates: BTreeMap<String, Rates>,
}

#[derive(Debug, Default)]
pub struct FaultRates {
    rates: BTreeMap<String, Rates>,
    delay_ms: u64,
    rng: SplitMix64,
    drawn: BTreeMap<&'static str, u64>,
}

impl FaultRates {
    pub fn set(&mut self, config: RatesConfig) -> Result<Value, String> {
        for (key, rates) in &config.rates {
            if key != "*" && wechat_protocol::catalogue::catalogue().get(key).is_none() {
                return Err(format!("unknown endpoint {key}"));
            }
            rates.check(key)?;
        }
        *self = FaultRates { rates: config.rates, delay_ms: config.delay_ms.unwrap_or(100), rng: SplitMix64(config.seed), drawn: BTreeMap::new() };
        Ok(json!({"seed": config.seed, "endpoints": self.rates.keys().collect::<Vec<_>>()}))
    }

    pub fn delay_ms(&self) -> u64 {
        self.delay_ms
    }

    /// The fault for this request of `name`, if the dice say so (the endpoint's own rates, else `*`).
    pub fn draw(&mut self, name: &str) -> Option<Drawn> {
        let rates = self.rates.get(name).or_else(|| self.rates.get("*"))?;
        let roll = self.rng.unit();
        let mut edge = 0.0;
        let kind = Drawn::ALL.into_iter().find(|k| {
            edge += rates.of(*k);
            roll < edge
        })?;
        *self.drawn.entry(kind.name()).or_default() += 1;
        Some(kind)
    }

    /// How many faults of each kind were drawn since the rates were set.
    pub fn stats(&self) -> Value {
        json!(self.drawn)
    }
}

/// A small, fast, seedable generator (SplitMix64): the same seed gives the same sequence on every platform.
#[derive(Debug, Default)]
struct SplitMix64(u64);

impl SplitMix64 {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in [0, 1).
    fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(seed: u64, rates: Value) -> RatesConfig {
        serde_json::from_value(json!({"seed": seed, "rates": rates})).unwrap()
    }

    #[test]
    fn the_same_seed_draws_the_same_faults_at_the_set_rates() {
        let run = |seed| {
            let mut f = FaultRates::default();
            f.set(config(seed, json!({"*": {"busy": 0.02, "reset": 0.03}, "logistics.addOrder": {"http502": 0.5}}))).unwrap();
            (0..20_000).map(|i| f.draw(if i % 2 == 0 { "logistics.getAllAccount" } else { "logistics.addOrder" })).collect::<Vec<_>>()
        };
        let a = run(7);
        assert_eq!(a, run(7));
        assert_ne!(a, run(8));
        let count = |kind| a.iter().filter(|d| **d == Some(kind)).count();
        // 10 000 draws each: 2 % and 3 % of the wildcard's, half of addOrder's.
        assert!((150..=250).contains(&count(Drawn::Busy)), "{}", count(Drawn::Busy));
        assert!((240..=360).contains(&count(Drawn::Reset)), "{}", count(Drawn::Reset));
        assert!((4_800..=5_200).contains(&count(Drawn::Http502)), "{}", count(Drawn::Http502));
    }

    #[test]
    fn bad_rates_are_named() {
        let mut f = FaultRates::default();
        assert_eq!(f.set(config(1, json!({"*": {"busy": 1.5}}))).unwrap_err(), "rates[\"*\"].busy must be from 0 to 1, got 1.5");
        assert_eq!(f.set(config(1, json!({"*": {"busy": 0.6, "reset": 0.6}}))).unwrap_err(), "rates[\"*\"] add up to 1.2, more than 1");
        assert_eq!(f.set(config(1, json!({"nope.nope": {}}))).unwrap_err(), "unknown endpoint nope.nope");
        assert!(serde_json::from_value::<RatesConfig>(json!({"rates": {"*": {"bussy": 0.1}}})).is_err());
        assert_eq!(f.draw("logistics.addOrder"), None, "no rates, no faults");
    }
}
