//! Call events for metrics and debug logs. The exchange (and `token::ObservedSource`, for `token` events)
//! reports what happened to an `Observer`; nothing here knows N-API (the binding bridges it to JS). Events
//! carry names, codes and timings, never a token or secret.

use crate::error::Error;
use std::sync::{Arc, RwLock};
use std::time::{Instant, SystemTime, UNIX_EPOCH};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EventKind {
    /// An attempt is about to be sent.
    Request,
    /// The call is over (once per call, success or failure).
    Response,
    /// An attempt failed and another follows.
    Retry,
    /// An access token was fetched (or the fetch failed).
    Token,
    /// A non-idempotent call's unknown outcome was looked up with its row's lookup (`reason`: `found`,
    /// `absent` or `unknown`; `errCode`: the failure that left it unknown).
    Reconcile,
}

impl EventKind {
    pub fn as_str(self) -> &'static str {
        match self {
            EventKind::Request => "request",
            EventKind::Response => "response",
            EventKind::Retry => "retry",
            EventKind::Token => "token",
            EventKind::Reconcile => "reconcile",
        }
    }
}

/// One flat shape for every kind, so it crosses to JS as one object type; unused fields stay None.
#[derive(Clone, Debug, PartialEq)]
pub struct CallEvent {
    pub kind: EventKind,
    /// `namespace.method`, `request`, or for token events `auth.getAccessToken`.
    pub api: String,
    /// The WeChat path called, without its query (what tells raw requests apart: `api` is `request` for all).
    pub path: Option<String>,
    /// request: this attempt's number; response: attempts made; retry: the attempt that failed.
    pub attempt: u32,
    pub http_status: Option<u16>,
    /// 0 on success; WeChat's or the SDK's code on failure.
    pub err_code: Option<i64>,
    pub category: Option<&'static str>,
    pub duration_ms: Option<f64>,
    pub rid: Option<String>,
    /// retry: the wait before the next attempt.
    pub delay_ms: Option<f64>,
    /// retry: `token-rejected`, `rate-limit` or `transient`; token: `fetch` or `refresh`; reconcile: `found`,
    /// `absent` (sent again when the policy allows) or `unknown` (the lookup failed: the original error stands).
    pub reason: Option<&'static str>,
    /// token: whose token.
    pub appid: Option<String>,
    /// token: when the new token expires (ms since the epoch), never the token itself.
    pub expires_at_ms: Option<f64>,
}

impl CallEvent {
    pub fn new(kind: EventKind, api: &str, attempt: u32) -> CallEvent {
        CallEvent {
            kind,
            api: api.to_owned(),
            path: None,
            attempt,
            http_status: None,
            err_code: None,
            category: None,
            duration_ms: None,
            rid: None,
            delay_ms: None,
            reason: None,
            appid: None,
            expires_at_ms: None,
        }
    }

    /// Copies what an error says about the failure (code, category, status, rid), never its message.
    pub fn with_error(mut self, e: &Error) -> CallEvent {
        self.err_code = Some(e.code);
        self.category = Some(e.category.as_str());
        self.http_status = e.http_status.or(self.http_status);
        self.rid = e.rid.clone();
        self
    }

    /// The path of `target` (a row's fixed query left out).
    pub fn at(mut self, path: &str) -> CallEvent {
        self.path = Some(path.split('?').next().unwrap_or(path).to_owned());
        self
    }

    pub fn with_duration(mut self, since: Instant) -> CallEvent {
        self.duration_ms = Some(since.elapsed().as_secs_f64() * 1000.0);
        self
    }
}

pub trait Observer: Send + Sync {
    fn event(&self, e: &CallEvent);
}

/// The client's current observer; empty (and the pipeline builds no events) until someone listens.
#[derive(Default)]
pub struct Observers {
    slot: RwLock<Option<Arc<dyn Observer>>>,
}

impl Observers {
    pub fn set(&self, observer: Option<Arc<dyn Observer>>) {
        *self.slot.write().expect("observer lock") = observer;
    }

    pub fn current(&self) -> Option<Arc<dyn Observer>> {
        self.slot.read().expect("observer lock").clone()
    }

    /// Builds and sends an event only when there is an observer.
    pub fn emit(&self, build: impl FnOnce() -> CallEvent) {
        if let Some(o) = self.current() {
            o.event(&build());
        }
    }
}

pub fn epoch_ms(t: SystemTime) -> f64 {
    t.duration_since(UNIX_EPOCH).map_or(0.0, |d| d.as_millis() as f64)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Mutex;

    #[derive(Default)]
    pub struct Recorder(pub Mutex<Vec<CallEvent>>);

    impl Observer for Recorder {
        fn event(&self, e: &CallEvent) {
            self.0.lock().unwrap().push(e.clone());
        }
    }

    #[test]
    fn nothing_is_built_without_an_observer() {
        let observers = Observers::default();
        observers.emit(|| panic!("built an event nobody listens to"));
        let recorder = Arc::new(Recorder::default());
        observers.set(Some(recorder.clone()));
        observers.emit(|| CallEvent::new(EventKind::Request, "a.b", 1));
        observers.set(None);
        observers.emit(|| panic!("built after the observer left"));
        assert_eq!(recorder.0.lock().unwrap()[0].api, "a.b");
    }

    #[test]
    fn error_fields_are_copied_without_the_message() {
        let e = Error::wechat("a.b", 40001, "invalid credential access_token=SECRET rid: 1-2-3", None).with_http_status(200);
        let ev = CallEvent::new(EventKind::Response, "a.b", 2).with_error(&e);
        assert_eq!((ev.err_code, ev.category, ev.http_status, ev.rid.as_deref()), (Some(40001), Some("auth"), Some(200), Some("1-2-3")));
        assert!(!format!("{ev:?}").contains("SECRET"));
    }
}
