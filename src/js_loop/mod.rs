//! Calls on the JS thread's own event loop (libuv), with no thread crossing on their way: an executor that
//! polls them there, sockets that libuv watches, and the host the core's transport takes them from.

mod executor;
mod host;
mod socket;
mod uv;

use executor::JsLoop;
use napi::sys;
use std::rc::Rc;
use std::sync::Arc;

/// This JS thread's loop, made on first use; None where calls stay on the calls thread (no libuv exported,
/// `WECHAT_OPENAPI_WORKER_THREADS` set, or the loop could not be set up).
pub fn for_env(env: sys::napi_env) -> Option<Rc<JsLoop>> {
    JsLoop::for_env(env, |key| Arc::new(host::JsHost::new(key)))
}
