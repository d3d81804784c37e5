//! The counters: requests received and non-idempotent calls executed, which tests read to prove a call was
//! (or was not) retried. The server counts every request, the pipeline every run; these actions read them.

use crate::kit::action::{parse, Action};
use crate::kit::family::Family;
use crate::kit::state::State;
use serde::Deserialize;
use serde_json::{json, Map, Value};
use std::collections::{BTreeMap, HashMap};
use wechat_protocol::catalogue::Endpoint;

/// Its control actions, listed with the families' (`families::FAMILIES`).
pub const CONTROLS: Family = Family::new("counters").actions(ACTIONS).describe(describe);

const ACTIONS: &[Action] = &[
    Action::new("requestCounts", "{}", "Requests received per endpoint (`namespace.method`), token endpoints included, whatever their outcome.", request_counts)
        .js("", "Record<string, number>"),
    Action::new("executions", "{}", "Runs per endpoint, of non-idempotent endpoints only (reads never appear: see requestCounts): a call counts once it passed the token, quota and field checks, whether it then succeeded or not (afterExecute faults included). More runs than you sent is a duplicate.", executions)
        .js("", "Record<string, number>"),
    Action::new("executionsByOrder", "{name?}", "Executions of non-idempotent endpoints per order_id they named ({name: {orderId: n}}, or one endpoint's map): more than one is a duplicate order.", executions_by_order)
        .js("name?: string", "Record<string, any>"),
    Action::new("resetCounts", "{}", "Sets requestCounts and executions back to zero.", reset_counts).js("", "Record<string, never>"),
];

/// Requests received and non-idempotent requests executed, per `namespace.method`.
#[derive(Debug, Default)]
struct Counters {
    requests: BTreeMap<String, u64>,
    executions: BTreeMap<String, u64>,
    /// Executions of non-idempotent endpoints per `order_id` they named: more than one is a duplicate order.
    executions_by_order: BTreeMap<String, HashMap<String, u64>>,
}

/// A request received, counted before anything can refuse it.
pub fn count_request(state: &mut State, name: &str) {
    *state.record::<Counters>().requests.entry(name.to_owned()).or_default() += 1;
}

/// A call about to run: counted when its endpoint is not idempotent, per order too when it names one.
pub fn count_execution(state: &mut State, endpoint: &Endpoint, params: &Value) {
    if endpoint.idempotent {
        return;
    }
    let counters = state.record::<Counters>();
    *counters.executions.entry(endpoint.name.clone()).or_default() += 1;
    if let Some(order_id) = params.get("order_id").and_then(Value::as_str) {
        let per_order = counters.executions_by_order.entry(endpoint.name.clone()).or_default();
        *per_order.entry(order_id.to_owned()).or_default() += 1;
    }
}

fn request_counts(state: &mut State, _: Value) -> Result<Value, String> {
    Ok(json!(state.record::<Counters>().requests))
}

fn executions(state: &mut State, _: Value) -> Result<Value, String> {
    Ok(json!(state.record::<Counters>().executions))
}

fn executions_by_order(state: &mut State, args: Value) -> Result<Value, String> {
    #[derive(Deserialize)]
    #[serde(deny_unknown_fields)]
    struct Args {
        name: Option<String>,
    }
    let by_order = &state.record::<Counters>().executions_by_order;
    Ok(match parse::<Args>(args)?.name {
        Some(name) => json!(by_order.get(&name).cloned().unwrap_or_default()),
        None => json!(by_order),
    })
}

fn reset_counts(state: &mut State, _: Value) -> Result<Value, String> {
    state.records.set(Counters::default());
    Ok(json!({}))
}

fn describe(state: &State, out: &mut Map<String, Value>) {
    let counters = state.records.peek::<Counters>();
    out.insert("requestCounts".into(), counters.map_or_else(|| json!({}), |c| json!(c.requests)));
    out.insert("executions".into(), counters.map_or_else(|| json!({}), |c| json!(c.executions)));
}
