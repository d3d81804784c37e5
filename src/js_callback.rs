//! The one way the core calls user code in JS: a provider (`getAccessToken`), a store, the refresh-token hook and
//! the event listener. Each is the facade's wrapper around the user's function, bridged as a weak (a client kept
//! in a global must not keep Node alive), not-callee-handled threadsafe function whose JS side answers a promise.
//! `invoke` calls it, catches a throw, awaits the promise and maps any failure to its reason text; `notify` calls
//! it without waiting (events, whose listener never throws back).

use napi::bindgen_prelude::{FromNapiValue, JsValuesTupleIntoVec, Promise};
use napi::threadsafe_function::{ThreadsafeFunction, ThreadsafeFunctionCallMode};
use napi::Status;

/// What the facade hands the binding for a user callback: `(arg) => Promise<Ret>`.
pub type JsFn<Arg, Ret> = ThreadsafeFunction<Arg, Promise<Ret>, Arg, Status, false, true>;

pub struct JsCallback<Arg: 'static + JsValuesTupleIntoVec, Ret: 'static + FromNapiValue>(JsFn<Arg, Ret>);

impl<Arg, Ret> JsCallback<Arg, Ret>
where
    Arg: 'static + JsValuesTupleIntoVec,
    Ret: 'static + FromNapiValue + Send,
{
    pub fn new(f: JsFn<Arg, Ret>) -> Self {
        JsCallback(f)
    }

    /// Calls the function and waits for its promise; a throw or a rejection is the reason's text.
    pub async fn invoke(&self, arg: Arg) -> Result<Ret, String> {
        let promise = self.0.call_async_catch(arg).await.map_err(|e| e.reason.clone())?;
        settled(promise).await.map_err(|e| e.reason.clone())
    }

    /// Calls the function without waiting for anything it returns.
    pub fn notify(&self, arg: Arg) {
        self.0.call(arg, ThreadsafeFunctionCallMode::NonBlocking);
    }
}

/// A JS promise that is garbage-collected without settling never will. napi-rs reports that as a cancelled
/// channel ("oneshot canceled"), which must not read as the promise's own rejection: such a promise is waited on
/// like any other that hangs, so the caller's deadline decides (-604102), as it would had it not been collected.
async fn settled<T: FromNapiValue + Send + 'static>(promise: Promise<T>) -> napi::Result<T> {
    match promise.await {
        Err(e) if e.reason.contains("canceled") => std::future::pending().await,
        other => other,
    }
}
