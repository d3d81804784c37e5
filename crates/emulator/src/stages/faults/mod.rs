//! The faults stage: errors and delays a test injects into the next calls (`queue`), random faults at set
//! rates (`rates`), and what a drawn fault does to a request (`answers`, used by the server).

pub mod answers;
pub mod queue;
pub mod rates;

use crate::kit::action::{parse, Action};
use crate::kit::family::Family;
use crate::kit::state::State;
use queue::{Fault, Faults};
use rates::{FaultRates, RatesConfig};
use serde_json::{json, Map, Value};
use wechat_protocol::catalogue::catalogue;

/// Its control actions, listed with the families' (`families::FAMILIES`).
pub const CONTROLS: Family = Family::new("faults").actions(ACTIONS).describe(describe);

const ACTIONS: &[Action] = &[
    Action::new("injectFault", "{name, errcode?, errmsg?, delayMs?, afterExecute?: false, times?: 1}", "The next `times` calls of `name` (or `*`) wait delayMs, then answer errcode: before running, or after running when afterExecute. Returns {pending}.", inject_fault)
        .js("args: EmulatorFault", "{ pending: number }"),
    Action::new("setFaultRates", "{seed?: 0, delayMs?: 100, rates: {\"*\" | name: {busy?, http500?, http502?, reset?, delay?, malformedJson?, truncated?, rateLimit?, revokedToken?}}}", "Random faults at these rates (0..1 each, at most 1 in all) from a seeded generator: busy (-1), rateLimit (45011) and http500 answer before the call runs; revokedToken revokes the caller's tokens (40001); http502, reset (connection dropped), malformedJson and truncated (body cut off) let the call run, then spoil its answer; delay holds it delayMs. An endpoint's own rates replace `*`. Returns {seed, endpoints}.", set_fault_rates)
        .js("args: { seed?: number; delayMs?: number; rates: Record<string, EmulatorFaultRates> }", "{ seed: number; endpoints: string[] }"),
    Action::new("faultStats", "{}", "How many faults of each kind setFaultRates has drawn.", fault_stats).js("", "Record<string, number>"),
    Action::new("clearFaults", "{}", "Drops every injected fault still waiting and the fault rates.", clear_faults).js("", "Record<string, never>"),
];

fn inject_fault(state: &mut State, args: Value) -> Result<Value, String> {
    let fault: Fault = parse(args)?;
    if fault.name != "*" && catalogue().get(&fault.name).is_none() {
        return Err(format!("unknown endpoint {}", fault.name));
    }
    if fault.errcode.is_none() && fault.delay_ms == 0 {
        return Err("give errcode, delayMs or both".into());
    }
    Ok(json!({"pending": state.record::<Faults>().add(fault)}))
}

fn set_fault_rates(state: &mut State, args: Value) -> Result<Value, String> {
    let config: RatesConfig = parse(args)?;
    state.record::<FaultRates>().set(config)
}

fn fault_stats(state: &mut State, _: Value) -> Result<Value, String> {
    Ok(state.record::<FaultRates>().stats())
}

fn clear_faults(state: &mut State, _: Value) -> Result<Value, String> {
    state.record::<Faults>().clear();
    state.records.set(FaultRates::default());
    Ok(json!({}))
}

fn describe(state: &State, out: &mut Map<String, Value>) {
    out.insert("pendingFaults".into(), state.records.peek::<Faults>().map_or(0, Faults::count).into());
}
