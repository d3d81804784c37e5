//! Whether the runtime's libuv is Node's own. Other runtimes that load Node-API addons export libuv's names
//! too, but not Node's libuv behind them: Bun 1.4.5 panics in `uv_poll_init` ("unsupported uv function", after
//! `uv_async_init` worked), and Deno 2.9.6 has every function the loop uses, yet its calls never settle (timed
//! out) or it aborts in V8 ("Cannot create a handle without a HandleScope") once a poll callback settles one.
//! A stub cannot be told apart by calling it, so the runtime is asked who it is: only Node (Electron included:
//! it is Node) runs calls on its loop; elsewhere they stay on the calls thread, which needs nothing of libuv
//! (both runtimes pass the same calls there: `__test__/runtimes.spec.js`).

use napi::sys;
use std::ffi::CStr;
use std::ptr;

/// Runtimes whose `process.versions` names them, and whose libuv is not Node's.
const NOT_NODE: [&CStr; 2] = [c"bun", c"deno"];

/// False when `process.versions` names a runtime that is not Node, or cannot be read (then the calls thread
/// is the safe side).
///
/// # Safety
/// `env` is the current env, on its JS thread.
pub unsafe fn runtime_has_real_libuv(env: sys::napi_env) -> bool {
    let versions = unsafe {
        let mut global = ptr::null_mut();
        if sys::napi_get_global(env, &mut global) != sys::Status::napi_ok {
            return false;
        }
        match object_at(env, global, c"process").and_then(|process| object_at(env, process, c"versions")) {
            Some(versions) => versions,
            None => return false,
        }
    };
    NOT_NODE.iter().all(|name| {
        let mut has = true;
        let status = unsafe { sys::napi_has_named_property(env, versions, name.as_ptr(), &mut has) };
        status == sys::Status::napi_ok && !has
    })
}

/// `object[name]` when it is an object. A getter the user put there may throw: its exception is cleared, so
/// the question costs the caller nothing.
unsafe fn object_at(env: sys::napi_env, object: sys::napi_value, name: &CStr) -> Option<sys::napi_value> {
    let mut value = ptr::null_mut();
    let mut kind = 0;
    unsafe {
        if sys::napi_get_named_property(env, object, name.as_ptr(), &mut value) != sys::Status::napi_ok {
            let mut thrown = ptr::null_mut();
            sys::napi_get_and_clear_last_exception(env, &mut thrown);
            return None;
        }
        (sys::napi_typeof(env, value, &mut kind) == sys::Status::napi_ok && kind == sys::ValueType::napi_object).then_some(value)
    }
}
