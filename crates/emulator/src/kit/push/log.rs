//! The delivery log: every push the emulator sent, newest last, with each attempt and how it ended. The
//! `pushLog` control action returns it; a browser console displays exactly this shape, so keep it:
//! `{ id, at, to, appid, componentAppid, event, format, mode, attempts: [{ at, status, answer, error, ms }],
//! outcome: 'delivered' | 'failed' | 'pending' }` (times in unix ms; `to` never carries the query, whose
//! signature is not for display).

use serde::Serialize;
use std::collections::VecDeque;
use std::sync::{Arc, Mutex};

/// The most entries kept (oldest dropped first).
pub const MAX_ENTRIES: usize = 1000;
/// The most of an answer kept in an attempt.
pub const ANSWER_CHARS: usize = 200;

#[derive(Clone, Debug, Serialize)]
pub struct Entry {
    pub id: u64,
    pub at: u64,
    #[serde(flatten)]
    pub about: NewEntry,
    pub attempts: Vec<Attempt>,
    pub outcome: &'static str,
}

#[derive(Clone, Debug, Serialize)]
pub struct Attempt {
    pub at: u64,
    pub status: Option<u16>,
    pub answer: Option<String>,
    pub error: Option<String>,
    pub ms: u64,
}

impl Attempt {
    pub fn new(at: u64, status: Option<u16>, answer: Option<&str>, error: Option<String>, ms: u64) -> Attempt {
        let answer = answer.map(|a| a.chars().take(ANSWER_CHARS).collect());
        Attempt { at, status, answer, error, ms }
    }
}

/// What a new entry says before any attempt.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct NewEntry {
    pub to: String,
    pub appid: String,
    pub component_appid: Option<String>,
    pub event: String,
    pub format: &'static str,
    pub mode: &'static str,
}

/// Shared by the state (where pushes are prepared) and the delivery tasks (which record attempts).
#[derive(Clone, Default)]
pub struct PushLog(Arc<Mutex<Inner>>);

#[derive(Default)]
struct Inner {
    next_id: u64,
    entries: VecDeque<Entry>,
}

pub fn unix_ms() -> u64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_millis() as u64)
}

impl PushLog {
    fn inner(&self) -> std::sync::MutexGuard<'_, Inner> {
        self.0.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// A pending entry; its id.
    pub fn open(&self, new: NewEntry) -> u64 {
        let mut inner = self.inner();
        inner.next_id += 1;
        let id = inner.next_id;
        inner.entries.push_back(Entry { id, at: unix_ms(), about: new, attempts: Vec::new(), outcome: "pending" });
        while inner.entries.len() > MAX_ENTRIES {
            inner.entries.pop_front();
        }
        id
    }

    pub fn attempt(&self, id: u64, attempt: Attempt) {
        if let Some(e) = self.inner().entries.iter_mut().find(|e| e.id == id) {
            e.attempts.push(attempt);
        }
    }

    pub fn finish(&self, id: u64, delivered: bool) {
        if let Some(e) = self.inner().entries.iter_mut().find(|e| e.id == id) {
            e.outcome = if delivered { "delivered" } else { "failed" };
        }
    }

    /// Newest last.
    pub fn entries(&self) -> Vec<Entry> {
        self.inner().entries.iter().cloned().collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entries_keep_their_attempts_and_the_newest_thousand() {
        let log = PushLog::default();
        let new = || NewEntry { to: "http://h/p".into(), appid: "wx1".into(), component_appid: None, event: "e".into(), format: "xml", mode: "safe" };
        let id = log.open(new());
        log.attempt(id, Attempt::new(1, Some(200), Some(&"x".repeat(500)), None, 3));
        log.finish(id, true);
        let shown = serde_json::to_value(&log.entries()[0]).unwrap();
        assert_eq!(shown["outcome"], "delivered");
        assert_eq!(shown["componentAppid"], serde_json::Value::Null);
        assert_eq!(shown["attempts"][0]["answer"].as_str().unwrap().len(), ANSWER_CHARS);
        for _ in 0..MAX_ENTRIES {
            log.open(new());
        }
        let entries = log.entries();
        assert_eq!(entries.len(), MAX_ENTRIES);
        assert_eq!(entries.last().unwrap().id, MAX_ENTRIES as u64 + 1);
    }
}
