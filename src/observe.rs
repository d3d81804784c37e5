//! Call events and token reports for JS. One listener callback per client (`js_callback`), set only while
//! someone listens (lib/events.js decides); the JS side never throws back, so it is notified without waiting.

use super::client::NativeClient;
use super::js_callback::{JsCallback, JsFn};
use wechat_client::client::events::{epoch_ms, CallEvent, Observer};
use napi_derive::napi;
use std::sync::Arc;

/// What a `request` / `response` / `retry` / `token` listener receives (camelCase in JS; absent fields undefined).
#[napi(object)]
pub struct NativeCallEvent {
    pub kind: String,
    pub api: String,
    pub path: Option<String>,
    pub attempt: u32,
    pub http_status: Option<u32>,
    pub err_code: Option<i64>,
    pub category: Option<String>,
    pub duration_ms: Option<f64>,
    pub rid: Option<String>,
    pub delay_ms: Option<f64>,
    pub reason: Option<String>,
    pub appid: Option<String>,
    /// ms since the epoch.
    pub expires_at: Option<f64>,
}

impl From<&CallEvent> for NativeCallEvent {
    fn from(e: &CallEvent) -> Self {
        NativeCallEvent {
            kind: e.kind.as_str().to_owned(),
            api: e.api.clone(),
            path: e.path.clone(),
            attempt: e.attempt,
            http_status: e.http_status.map(u32::from),
            err_code: e.err_code,
            category: e.category.map(str::to_owned),
            duration_ms: e.duration_ms,
            rid: e.rid.clone(),
            delay_ms: e.delay_ms,
            reason: e.reason.map(str::to_owned),
            appid: e.appid.clone(),
            expires_at: e.expires_at_ms,
        }
    }
}

type ListenerFn = JsFn<NativeCallEvent, ()>;

struct JsObserver(JsCallback<NativeCallEvent, ()>);

impl Observer for JsObserver {
    fn event(&self, e: &CallEvent) {
        self.0.notify(NativeCallEvent::from(e));
    }
}

#[napi(object)]
pub struct NativeTokenReport {
    pub kind: String,
    pub appid: Option<String>,
    pub cached: bool,
    /// ms since the epoch, when the token's lifetime is known.
    pub expires_at: Option<f64>,
}

#[napi]
impl NativeClient {
    /// Starts (`listener`) or stops (none) the event stream.
    #[napi(ts_args_type = "listener?: (event: NativeCallEvent) => void")]
    pub fn observe(&self, listener: Option<ListenerFn>) {
        self.observed.store(listener.is_some(), std::sync::atomic::Ordering::Relaxed);
        let observer = listener.map(|f| Arc::new(JsObserver(JsCallback::new(f))) as Arc<dyn Observer>);
        self.core.observers().set(observer);
    }

    /// Which tokens are cached and until when; never their values.
    #[napi]
    pub fn tokens(&self) -> Vec<NativeTokenReport> {
        let reports = self.core.token_reports().into_iter();
        reports
            .map(|r| NativeTokenReport { kind: r.kind.to_owned(), appid: r.appid, cached: r.cached, expires_at: r.expires_at.map(epoch_ms) })
            .collect()
    }
}
