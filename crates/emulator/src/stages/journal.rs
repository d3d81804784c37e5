//! The journal: every request the emulator answered, newest last, so a test, the console or `auth.getRidInfo`
//! can tell a request's story after the fact (what was asked, by whom, how it was answered, in how long).
//! Bounded, so a long soak cannot grow the emulator without end; bodies are kept short and scrubbed of every
//! credential-looking value (tokens in answers, secrets in requests), like the `state` dump.

use crate::kit::action::{parse, Action};
use crate::kit::family::Family;
use crate::kit::state::State;
use serde::{Deserialize, Serialize};
use serde_json::{json, Map, Value};
use std::collections::VecDeque;
use wechat_protocol::secret::scrub;

/// Its control actions, listed with the families' (`families::FAMILIES`).
pub const CONTROLS: Family = Family::new("journal").actions(ACTIONS).describe(describe);

/// Requests kept; older ones are forgotten first.
const CAPACITY: usize = 2000;
/// Characters of a request or answer body kept.
const BODY_CHARS: usize = 2048;

const ACTIONS: &[Action] = &[
    Action::new("journal", "{since?, api?, limit?}", "The requests the emulator answered, oldest first (the last 2000): seq, at (unix ms), clock (the emulator's unix seconds), api, method, path, query and bodies (credentials masked, bodies cut at 2 KiB), HTTP status, errcode, errmsg, rid (failures), ms, and the calling appid / componentAppid. `since` keeps entries with a larger seq, `api` one endpoint, `limit` the newest n.", journal)
        .js("args?: { since?: number; api?: string; limit?: number }", "JournalEntry[]"),
    Action::new("ridInfo", "{rid}", "The journal entry of the failure WeChat answered with this rid, or an error when none is known.", rid_info)
        .js("rid: string", "JournalEntry"),
];

/// One answered request.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Entry {
    pub seq: u64,
    pub at: i64,
    pub clock: i64,
    pub api: String,
    pub method: String,
    pub path: String,
    pub query: String,
    pub status: u16,
    pub errcode: i64,
    pub errmsg: String,
    pub rid: Option<String>,
    pub ms: f64,
    pub appid: Option<String>,
    pub component_appid: Option<String>,
    pub request_body: String,
    pub response_body: String,
}

/// What the server knows of a request once it answered; `Journal::record` numbers and scrubs it.
pub struct Answered<'a> {
    pub api: &'a str,
    pub method: &'a str,
    pub path: &'a str,
    pub query: &'a [(String, String)],
    pub request_body: &'a [u8],
    pub status: u16,
    /// The JSON answer, or what was sent instead (an image, an injected error page or broken answer).
    pub answer: Result<&'a Value, &'static str>,
    pub ms: f64,
    pub appid: Option<String>,
    pub component_appid: Option<String>,
}

#[derive(Default)]
pub struct Journal {
    entries: VecDeque<Entry>,
    next: u64,
}

impl Journal {
    pub fn record(&mut self, answered: Answered, at: i64, clock: i64) {
        self.next += 1;
        let answer = answered.answer.ok();
        let errcode = answer.and_then(|a| a.get("errcode")).and_then(Value::as_i64).unwrap_or(0);
        let errmsg = answer.and_then(|a| a.get("errmsg")).and_then(Value::as_str).unwrap_or("").to_owned();
        let rid = errmsg.rsplit_once(" rid: ").map(|(_, rid)| rid.to_owned());
        let query = url::form_urlencoded::Serializer::new(String::new()).extend_pairs(answered.query).finish();
        let entry = Entry {
            seq: self.next,
            at,
            clock,
            api: answered.api.to_owned(),
            method: answered.method.to_owned(),
            path: answered.path.to_owned(),
            query: shown(&query),
            status: answered.status,
            errcode,
            errmsg,
            rid,
            ms: answered.ms,
            appid: answered.appid,
            component_appid: answered.component_appid,
            request_body: body_text(answered.request_body),
            response_body: answered.answer.map_or_else(|instead| format!("({instead})"), |a| shown(&a.to_string())),
        };
        if self.entries.len() == CAPACITY {
            self.entries.pop_front();
        }
        self.entries.push_back(entry);
    }

    pub fn by_rid(&self, rid: &str) -> Option<&Entry> {
        self.entries.iter().rev().find(|e| e.rid.as_deref() == Some(rid))
    }

    pub fn entries(&self) -> impl DoubleEndedIterator<Item = &Entry> {
        self.entries.iter()
    }
}

/// Scrubbed and cut to `BODY_CHARS` characters.
fn shown(text: &str) -> String {
    let scrubbed = scrub(text, []);
    match scrubbed.char_indices().nth(BODY_CHARS) {
        Some((cut, _)) => format!("{}… ({} bytes)", &scrubbed[..cut], text.len()),
        None => scrubbed,
    }
}

fn body_text(body: &[u8]) -> String {
    match std::str::from_utf8(body) {
        Ok(text) => shown(text),
        Err(_) => format!("({} bytes of binary)", body.len()),
    }
}

fn journal(state: &mut State, args: Value) -> Result<Value, String> {
    #[derive(Deserialize)]
    #[serde(deny_unknown_fields)]
    struct Args {
        since: Option<u64>,
        api: Option<String>,
        limit: Option<usize>,
    }
    let args = parse::<Args>(args)?;
    let journal = state.record::<Journal>();
    let picked: Vec<&Entry> = journal
        .entries()
        .filter(|e| args.since.is_none_or(|since| e.seq > since) && args.api.as_ref().is_none_or(|api| &e.api == api))
        .collect();
    let skip = args.limit.map_or(0, |limit| picked.len().saturating_sub(limit));
    Ok(json!(picked[skip..]))
}

fn rid_info(state: &mut State, args: Value) -> Result<Value, String> {
    #[derive(Deserialize)]
    #[serde(deny_unknown_fields)]
    struct Args {
        rid: String,
    }
    let rid = parse::<Args>(args)?.rid;
    let found = state.record::<Journal>().by_rid(&rid).cloned();
    found.map(|e| json!(e)).ok_or_else(|| format!("no request answered with rid {rid} (the journal keeps the last {CAPACITY})"))
}

fn describe(state: &State, out: &mut Map<String, Value>) {
    let count = state.records.peek::<Journal>().map_or(0, |j| j.entries.len());
    out.insert("journalEntries".into(), json!(count));
}

#[cfg(test)]
mod tests {
    use crate::test_support::{code, TestEmulator, APP, SECRET};
    use serde_json::json;

    #[tokio::test]
    async fn every_answer_is_journaled_without_credentials() {
        let emu = TestEmulator::start(json!({})).await;
        let token = emu.stable_token(APP, false).await;
        let ok = emu.get_with("logistics.getAllAccount", &token).await;
        assert_eq!(code(&ok), 0);
        let failed = emu.call("logistics.bindAccount", "not-a-token", json!({"type": "bind"})).await;
        let rid = failed["errmsg"].as_str().unwrap().rsplit("rid: ").next().unwrap().to_owned();
        let entries = emu.control("journal", json!({})).await;
        let text = entries.to_string();
        assert!(!text.contains(SECRET) && !text.contains(&token), "the journal leaks a credential: {text}");
        let apis: Vec<&str> = entries.as_array().unwrap().iter().map(|e| e["api"].as_str().unwrap()).collect();
        assert_eq!(apis, ["auth.getStableAccessToken", "logistics.getAllAccount", "logistics.bindAccount"]);
        assert_eq!(entries[1]["appid"], APP);
        assert_eq!(entries[1]["errcode"], 0);
        assert_eq!(entries[1]["rid"], json!(null));
        let found = emu.control("ridInfo", json!({"rid": rid})).await;
        assert_eq!((found["errcode"].as_i64(), found["api"].as_str()), (Some(40001), Some("logistics.bindAccount")));
        assert_eq!(found["requestBody"], json!({"type": "bind"}).to_string());
        let since = emu.control("journal", json!({"since": entries[1]["seq"], "api": "logistics.bindAccount"})).await;
        assert_eq!(since.as_array().unwrap().len(), 1);
        assert_eq!(emu.control("journal", json!({"limit": 1})).await[0]["seq"], entries[2]["seq"]);
        let missing = emu.raw_post("/__emulator/ridInfo", json!({"rid": "nope"})).await;
        assert!(missing["error"].as_str().unwrap().contains("no request answered with rid nope"));
    }

    #[test]
    fn the_journal_forgets_the_oldest_first() {
        let mut journal = super::Journal::default();
        for _ in 0..super::CAPACITY + 5 {
            let answered = super::Answered {
                api: "a.b",
                method: "POST",
                path: "/p",
                query: &[],
                request_body: b"{}",
                status: 200,
                answer: Err("image"),
                ms: 0.0,
                appid: None,
                component_appid: None,
            };
            journal.record(answered, 0, 0);
        }
        assert_eq!(journal.entries().count(), super::CAPACITY);
        assert_eq!(journal.entries().next().unwrap().seq, 6);
    }
}
