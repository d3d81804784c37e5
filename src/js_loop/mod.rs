//! Calls on the JS thread's own event loop (libuv), with no thread crossing on their way: an executor that
//! polls them there, sockets that libuv watches, and the host the core's transport takes them from.
//!
//! Unix only: on Windows libuv watches sockets through `uv_poll_init_socket` and AFD, not built here yet, so
//! no loop is ever made there (`JsLoop` has no value) and calls stay on the calls thread.

#[cfg(unix)]
mod executor;
#[cfg(unix)]
mod host;
#[cfg(unix)]
mod real_libuv;
#[cfg(unix)]
mod socket;
#[cfg(unix)]
mod uv;

use napi::sys;
use std::rc::Rc;

#[cfg(unix)]
use executor::JsLoop;

/// This JS thread's loop, made on first use; None where calls stay on the calls thread (no libuv exported, a
/// runtime other than Node, `WECHAT_OPENAPI_WORKER_THREADS` set, or the loop could not be set up).
#[cfg(unix)]
pub fn for_env(env: sys::napi_env) -> Option<Rc<JsLoop>> {
    JsLoop::for_env(env, |key| std::sync::Arc::new(host::JsHost::new(key)))
}

#[cfg(not(unix))]
pub enum JsLoop {}

#[cfg(not(unix))]
impl JsLoop {
    pub fn start_call(self: &Rc<Self>, _: sys::napi_deferred, _: &'static str, _: futures::future::BoxFuture<'static, super::outcome::NativeOutcome>) {
        match **self {}
    }

    pub fn run(self: &Rc<Self>, _: futures::future::BoxFuture<'static, ()>) {
        match **self {}
    }
}

#[cfg(not(unix))]
pub fn for_env(_: sys::napi_env) -> Option<Rc<JsLoop>> {
    None
}
