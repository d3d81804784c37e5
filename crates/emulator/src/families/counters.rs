//! The counters family: requests received and non-idempotent calls executed, which tests read to prove a
//! call was (or was not) retried. The pipeline counts into the kit's `Counters`; these actions read them.

use crate::kit::action::{parse, Action};
use crate::kit::family::Family;
use crate::kit::state::State;
use serde::Deserialize;
use serde_json::{json, Map, Value};

pub const FAMILY: Family = Family::new("counters").actions(ACTIONS).describe(describe);

const ACTIONS: &[Action] = &[
    Action::new("requestCounts", "{}", "Requests received per endpoint (`namespace.method`), token endpoints included, whatever their outcome.", request_counts)
        .js("", "Record<string, number>"),
    Action::new("executions", "{}", "Runs per endpoint, of non-idempotent endpoints only (reads never appear: see requestCounts): a call counts once it passed the token, quota and field checks, whether it then succeeded or not (afterExecute faults included). More runs than you sent is a duplicate.", executions)
        .js("", "Record<string, number>"),
    Action::new("executionsByOrder", "{name?}", "Executions of non-idempotent endpoints per order_id they named ({name: {orderId: n}}, or one endpoint's map): more than one is a duplicate order.", executions_by_order)
        .js("name?: string", "Record<string, any>"),
    Action::new("resetCounts", "{}", "Sets requestCounts and executions back to zero.", reset_counts).js("", "Record<string, never>"),
];

fn request_counts(state: &mut State, _: Value) -> Result<Value, String> {
    Ok(json!(state.counters.requests))
}

fn executions(state: &mut State, _: Value) -> Result<Value, String> {
    Ok(json!(state.counters.executions))
}

fn executions_by_order(state: &mut State, args: Value) -> Result<Value, String> {
    #[derive(Deserialize)]
    #[serde(deny_unknown_fields)]
    struct Args {
        name: Option<String>,
    }
    let by_order = &state.counters.executions_by_order;
    Ok(match parse::<Args>(args)?.name {
        Some(name) => json!(by_order.get(&name).cloned().unwrap_or_default()),
        None => json!(by_order),
    })
}

fn reset_counts(state: &mut State, _: Value) -> Result<Value, String> {
    state.counters = Default::default();
    Ok(json!({}))
}

fn describe(state: &State, out: &mut Map<String, Value>) {
    out.insert("requestCounts".into(), json!(state.counters.requests));
    out.insert("executions".into(), json!(state.counters.executions));
}
