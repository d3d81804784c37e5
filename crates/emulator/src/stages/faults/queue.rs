//! Faults a test can inject into the next calls of an endpoint (`injectFault`): a delay, a WeChat error
//! before the call runs, or an error after it ran (the call took effect but the caller sees a failure,
//! the case that makes retries of non-idempotent calls dangerous).

use serde::Deserialize;
use std::collections::{BTreeMap, VecDeque};

#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Fault {
    /// `namespace.method`, or `*` for whichever endpoint is called next.
    pub name: String,
    /// The errcode to answer; none means only the delay applies.
    pub errcode: Option<i64>,
    pub errmsg: Option<String>,
    #[serde(default)]
    pub delay_ms: u64,
    /// Run the call first (state changes, it counts as executed), then answer the error.
    #[serde(default)]
    pub after_execute: bool,
    /// How many calls this applies to (default 1).
    #[serde(default = "one")]
    pub times: u32,
}

fn one() -> u32 {
    1
}

#[derive(Debug, Default)]
pub struct Faults {
    pending: BTreeMap<String, VecDeque<Fault>>,
}

impl Faults {
    pub fn add(&mut self, fault: Fault) -> usize {
        let queue = self.pending.entry(fault.name.clone()).or_default();
        if fault.times > 0 {
            queue.push_back(fault);
        }
        self.count()
    }

    /// The fault for this call of `name`, if one is waiting (specific before `*`).
    pub fn take(&mut self, name: &str) -> Option<Fault> {
        let key = if self.pending.get(name).is_some_and(|q| !q.is_empty()) { name } else { "*" };
        let queue = self.pending.get_mut(key)?;
        let front = queue.front_mut()?;
        front.times -= 1;
        let fault = if front.times == 0 { queue.pop_front()? } else { front.clone() };
        Some(fault)
    }

    pub fn clear(&mut self) {
        self.pending.clear();
    }

    /// Calls still to be affected.
    pub fn count(&self) -> usize {
        self.pending.values().flatten().map(|f| f.times as usize).sum()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fault(name: &str, times: u32) -> Fault {
        Fault { name: name.into(), errcode: Some(-1), errmsg: None, delay_ms: 0, after_execute: false, times }
    }

    #[test]
    fn faults_are_used_up_in_order_specific_first() {
        let mut f = Faults::default();
        f.add(fault("*", 1));
        assert_eq!(f.add(fault("a.b", 2)), 3);
        assert!(f.take("a.b").is_some() && f.take("a.b").is_some());
        assert_eq!(f.count(), 1);
        assert!(f.take("a.b").is_some(), "then the wildcard");
        assert!(f.take("a.b").is_none() && f.take("c.d").is_none());
    }
}
