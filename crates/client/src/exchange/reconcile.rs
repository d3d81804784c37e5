//! Settling an unknown outcome. When a non-idempotent call fails in a way that means "it may have run" (a
//! timeout, a reset, a 5xx or a spoiled answer after sending) and its row names a lookup (`reconcile` in the
//! endpoint table: `addOrder` → `getOrder`), the exchange asks before answering, through the same road: same
//! token, same deadline, the lookup's own retry policy (it is idempotent).
//!
//! - found → the call ran: answer with the lookup's data shaped as the call's answer (the call's top-level
//!   response fields the lookup has), marked `reconciled: true`;
//! - the lookup's "absent" code → the call provably never ran: it may be sent again (retry policy). Not after
//!   an attempt that timed out: WeChat may still be working on it, so "not there yet" proves nothing (unknown);
//! - anything else (the lookup failed, or found something that does not prove this call ran, such as a
//!   cancelled order of the same id) → unknown: the original error stands.

use super::answer::through_tree;
use super::events::{CallEvent, EventKind};
use super::{check_params, Call, CallOptions, Exchange, Outcome, Reading, Reply, Target};
use crate::error::{Category, Error};
use futures::future::BoxFuture;
use serde_json::{Map, Value};
use wechat_protocol::catalogue::Reconcile;

/// What the lookup said about the call.
pub(super) enum Verdict {
    /// It ran: the answer to give.
    Found(Reply),
    /// It never ran: safe to send again.
    Absent,
    /// Still unknown: the original error stands.
    Unknown,
}

impl Verdict {
    fn reason(&self) -> &'static str {
        match self {
            Verdict::Found(_) => "found",
            Verdict::Absent => "absent",
            Verdict::Unknown => "unknown",
        }
    }
}

impl Exchange {
    /// Looks the call up after `failure` (attempt `attempt`) and reports a `reconcile` event.
    /// Boxed, with `Send` in its type: the attempt loop awaits it and it runs the attempt loop (one level deep:
    /// the lookup row is idempotent and has no reconcile entry of its own, the table is checked).
    pub(super) fn reconcile<'s>(
        &'s self,
        call: &'s Call<'_, '_>,
        rule: &'s Reconcile,
        params: &'s Value,
        attempt: u32,
        failure: &'s Error,
    ) -> BoxFuture<'s, Verdict> {
        Box::pin(async move {
            let verdict = match self.look_up(call, rule, params).await {
                Verdict::Absent if failure.category == Category::Timeout => Verdict::Unknown,
                verdict => verdict,
            };
            let target = call.target;
            self.emit(call.token_fetch, || {
                let event = CallEvent::new(EventKind::Reconcile, &target.api, attempt).with_error(failure);
                CallEvent { reason: Some(verdict.reason()), ..event }
            });
            verdict
        })
    }

    async fn look_up(&self, call: &Call<'_, '_>, rule: &Reconcile, params: &Value) -> Verdict {
        let Ok(target) = Target::row(&rule.with) else { return Verdict::Unknown };
        let Ok(lookup) = check_params(&target, lookup_params(rule, params), false) else { return Verdict::Unknown };
        let options = CallOptions {
            convert_case: false,
            appid: call.options.appid.clone(),
            attempt_timeout: call.options.attempt_timeout,
            max_attempts: call.options.max_attempts,
            ..CallOptions::default()
        };
        let lookup_call = Call { target: &target, token: call.token, options: &options, reading: Reading::Fields, token_fetch: false, deadline: call.deadline, secrets: call.secrets, file: None };
        match self.attempts(&lookup_call, &lookup).await {
            Ok(Reply::Fields(found)) => match proves_it_ran(rule, params, &found) {
                true => Verdict::Found(shaped(call, found)),
                false => Verdict::Unknown,
            },
            Ok(Reply::Outcome(_)) => Verdict::Unknown,
            Err(e) if e.code == rule.absent => Verdict::Absent,
            Err(_) => Verdict::Unknown,
        }
    }
}

/// The lookup's params: the rule's keys the call was given (snake_case, as sent).
pub(super) fn lookup_params(rule: &Reconcile, params: &Value) -> Value {
    let mut out = Map::new();
    for key in &rule.keys {
        match params.get(key) {
            None | Some(Value::Null) => {}
            Some(Value::String(s)) if s.is_empty() => {}
            Some(v) => {
                out.insert(key.clone(), v.clone());
            }
        }
    }
    Value::Object(out)
}

/// Whether what the lookup found is this call's doing: no `unless` value, and the keys it echoes are ours.
pub(super) fn proves_it_ran(rule: &Reconcile, params: &Value, found: &Map<String, Value>) -> bool {
    if rule.unless.iter().any(|(k, v)| found.get(k) == Some(v)) {
        return false;
    }
    rule.keys.iter().all(|k| match (found.get(k), params.get(k)) {
        (Some(Value::String(a)), Some(Value::String(b))) => a == b,
        _ => true,
    })
}

/// The found fields shaped as the call's own answer: its top-level response fields the lookup has, in the
/// call's table order, then `reconciled: true`.
fn shaped(call: &Call<'_, '_>, found: Map<String, Value>) -> Reply {
    let target = call.target;
    let mut map = Map::new();
    for field in target.endpoint.map_or(&[][..], |e| &e.response[..]).iter().filter(|f| f.parent_path().is_none()) {
        if let Some(v) = found.get(&field.path) {
            map.insert(field.path.clone(), v.clone());
        }
    }
    map.insert("reconciled".into(), Value::Bool(true));
    match call.reading {
        Reading::Fields => Reply::Fields(map),
        Reading::Outcome { convert_case } => {
            let body = serde_json::to_vec(&Value::Object(map)).expect("a Value always serializes");
            let (text, big_ints) = through_tree(&target.api, &body, convert_case);
            Reply::Outcome(Outcome::Json { text, big_ints })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;
    use wechat_protocol::catalogue::catalogue;

    fn rule() -> Reconcile {
        catalogue().get("logistics.addOrder").unwrap().reconcile.clone().unwrap()
    }

    #[test]
    fn lookup_params_are_the_keys_given() {
        let params = json!({"order_id": "o1", "delivery_id": "SF", "openid": "", "biz_id": "b", "sender": {}});
        assert_eq!(lookup_params(&rule(), &params), json!({"order_id": "o1", "delivery_id": "SF"}));
        let params = json!({"order_id": "o1", "delivery_id": "SF", "openid": "u"});
        assert_eq!(lookup_params(&rule(), &params), params);
    }

    #[test]
    fn only_our_live_order_proves_the_call_ran() {
        let params = json!({"order_id": "o1", "delivery_id": "SF"});
        let found = |v: Value| v.as_object().unwrap().clone();
        assert!(proves_it_ran(&rule(), &params, &found(json!({"order_id": "o1", "delivery_id": "SF", "order_status": 0}))));
        assert!(!proves_it_ran(&rule(), &params, &found(json!({"order_id": "o1", "delivery_id": "SF", "order_status": 1}))), "a cancelled order of the same id");
        assert!(!proves_it_ran(&rule(), &params, &found(json!({"order_id": "o2", "order_status": 0}))), "someone else's");
    }

    #[test]
    fn found_is_shaped_as_the_calls_answer() {
        let target = Target::row("logistics.addOrder").unwrap();
        let token = Ok(None);
        let options = CallOptions::default();
        let found = json!({"errcode": 0, "errmsg": "ok", "print_html": "PGh0bWw+", "order_id": "o1", "delivery_id": "SF", "waybill_id": "SF42",
            "waybill_data": [{"key": "SF_bagAddr", "value": "北京"}], "order_status": 0});
        let call = Call { target: &target, token: &token, options: &options, reading: Reading::Outcome { convert_case: true }, token_fetch: false, deadline: std::time::Instant::now(), secrets: &[], file: None };
        let Reply::Outcome(Outcome::Json { text, .. }) = shaped(&call, found.as_object().unwrap().clone()) else { panic!() };
        assert_eq!(
            text,
            r#"{"orderId":"o1","waybillId":"SF42","waybillData":[{"key":"SF_bagAddr","value":"北京"}],"reconciled":true,"errMsg":"openapi.logistics.addOrder:ok","errCode":0}"#
        );
        let call = Call { reading: Reading::Fields, ..call };
        let Reply::Fields(map) = shaped(&call, found.as_object().unwrap().clone()) else { panic!() };
        assert_eq!(Value::Object(map), json!({"order_id": "o1", "waybill_id": "SF42", "waybill_data": [{"key": "SF_bagAddr", "value": "北京"}], "reconciled": true}));
    }
}
