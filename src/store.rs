//! The user's `store: { get, set, del, setIfAbsent? }`, bridged as one callback (`js_callback`): the facade
//! (lib/store.js) wraps the methods into `(op) => Promise<string | null>`, so a sync value, a promise or a throw
//! all arrive here as a settled result. No decisions here: the core's `Store` trait is implemented by conversion.

use wechat_client::error::Error;
use wechat_client::store::{store_error, Store};
use super::js_callback::{JsCallback, JsFn};
use futures::future::{BoxFuture, FutureExt};
use napi_derive::napi;
use std::sync::Arc;
use std::time::Duration;

/// One store operation as the facade receives it.
#[napi(object)]
pub struct StoreOp {
    /// `get`, `set`, `del` or `setIfAbsent` (answered `'set'` when it set the value, null when the key was taken).
    pub op: String,
    pub key: String,
    pub value: Option<String>,
    /// Seconds; absent means no expiry.
    pub ttl_seconds: Option<u32>,
}

pub type StoreFn = JsFn<StoreOp, Option<String>>;

pub struct JsStore {
    callback: Arc<JsCallback<StoreOp, Option<String>>>,
    /// The store has setIfAbsent.
    locks: bool,
}

impl JsStore {
    pub fn new(f: StoreFn, locks: bool) -> JsStore {
        JsStore { callback: Arc::new(JsCallback::new(f)), locks }
    }

    fn run(&self, op: &'static str, key: &str, value: Option<&str>, ttl: Option<Duration>) -> BoxFuture<'static, Result<Option<String>, Error>> {
        let callback = self.callback.clone();
        let key = key.to_owned();
        // Whole seconds, at least 1: a sub-second TTL must not become "no expiry".
        let ttl_seconds = ttl.map(|t| t.as_secs().max(1).min(u32::MAX as u64) as u32);
        let call = StoreOp { op: op.to_owned(), key: key.clone(), value: value.map(str::to_owned), ttl_seconds };
        async move {
            callback.invoke(call).await.map_err(|reason: String| store_error(op, &key, &reason))
        }
        .boxed()
    }
}

impl Store for JsStore {
    fn get(&self, key: &str) -> BoxFuture<'static, Result<Option<String>, Error>> {
        self.run("get", key, None, None)
    }

    fn set(&self, key: &str, value: &str, ttl: Option<Duration>) -> BoxFuture<'static, Result<(), Error>> {
        self.run("set", key, Some(value), ttl).map(|r| r.map(|_| ())).boxed()
    }

    fn del(&self, key: &str) -> BoxFuture<'static, Result<(), Error>> {
        self.run("del", key, None, None).map(|r| r.map(|_| ())).boxed()
    }

    fn locks(&self) -> bool {
        self.locks
    }

    fn set_if_absent<'a>(&'a self, key: &'a str, value: &'a str, ttl: Duration) -> BoxFuture<'a, Result<bool, Error>> {
        self.run("setIfAbsent", key, Some(value), Some(ttl)).map(|r| r.map(|set| set.is_some())).boxed()
    }
}
