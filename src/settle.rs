//! A JS promise that is garbage-collected without settling never will. napi-rs reports that as a cancelled
//! channel ("oneshot canceled"), which must not read as the promise's own rejection: such a promise is waited on
//! like any other that hangs, so the caller's deadline decides (-604102), as it would had it not been collected.

use napi::bindgen_prelude::{FromNapiValue, Promise};

pub async fn settled<T: FromNapiValue + Send + 'static>(promise: Promise<T>) -> napi::Result<T> {
    match promise.await {
        Err(e) if e.reason.contains("canceled") => std::future::pending().await,
        other => other,
    }
}
