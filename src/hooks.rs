//! The refresh-token hook: the facade passes one callback that emits `component.on('refreshToken')` and calls
//! `onRefreshTokenRotated`; the core awaits it before going on.

use super::js_callback::{JsCallback, JsFn};
use futures::future::FutureExt;
use napi_derive::napi;
use std::sync::Arc;
use wechat_client::component::{RefreshTokenHook, RotatedRefreshToken};

/// What the user's hook receives. The refresh token is theirs to keep; the SDK never logs it.
#[napi(object)]
pub struct RefreshTokenEvent {
    pub component_appid: String,
    pub authorizer_appid: String,
    pub refresh_token: String,
}

pub type HookFn = JsFn<RefreshTokenEvent, ()>;

pub fn refresh_token_hook(f: HookFn) -> RefreshTokenHook {
    let hook = Arc::new(JsCallback::new(f));
    Arc::new(move |r: RotatedRefreshToken| {
        let hook = hook.clone();
        let event = RefreshTokenEvent {
            component_appid: r.component_appid,
            authorizer_appid: r.authorizer_appid,
            refresh_token: r.refresh_token.expose().to_owned(),
        };
        // The facade reports the hook's own failures; the token is already in the store by now.
        async move { drop(hook.invoke(event).await) }.boxed()
    })
}
