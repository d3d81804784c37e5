//! The refresh-token hook: the facade passes one weak, not-callee-handled TSFN that emits
//! `component.on('refreshToken')` and calls `onRefreshTokenRotated`; the core awaits it before going on.

use wechat_client::component::{RefreshTokenHook, RotatedRefreshToken};
use futures::future::FutureExt;
use napi::bindgen_prelude::Promise;
use napi::threadsafe_function::ThreadsafeFunction;
use napi::Status;
use napi_derive::napi;
use std::sync::Arc;

/// What the user's hook receives. The refresh token is theirs to keep; the SDK never logs it.
#[napi(object)]
pub struct RefreshTokenEvent {
    pub component_appid: String,
    pub authorizer_appid: String,
    pub refresh_token: String,
}

pub type HookTsfn = ThreadsafeFunction<RefreshTokenEvent, Promise<()>, RefreshTokenEvent, Status, false, true>;

pub fn refresh_token_hook(tsfn: HookTsfn) -> RefreshTokenHook {
    let tsfn = Arc::new(tsfn);
    Arc::new(move |r: RotatedRefreshToken| {
        let tsfn = tsfn.clone();
        let event = RefreshTokenEvent {
            component_appid: r.component_appid,
            authorizer_appid: r.authorizer_appid,
            refresh_token: r.refresh_token.expose().to_owned(),
        };
        async move {
            // The facade reports the hook's own failures; the token is already in the store by now.
            if let Ok(promise) = tsfn.call_async_catch(event).await {
                let _ = promise.await;
            }
        }
        .boxed()
    })
}
