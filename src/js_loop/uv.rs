//! libuv as Node exports it to addons: only what the JS-thread host needs (a poll handle per socket, an async
//! handle other threads wake the loop with). Resolved at run time from the process, the way napi-sys resolves
//! Node-API, so a runtime that does not export libuv (or an older one) keeps calls on the calls thread
//! instead of failing to load.

use std::ffi::{c_int, c_void};
use std::sync::OnceLock;

pub type PollCb = unsafe extern "C" fn(handle: *mut c_void, status: c_int, events: c_int);
pub type AsyncCb = unsafe extern "C" fn(handle: *mut c_void);
type CloseCb = unsafe extern "C" fn(handle: *mut c_void);

/// `uv_handle_type` values (stable across libuv 1.x).
const UV_ASYNC: c_int = 1;
const UV_POLL: c_int = 8;
/// `uv_poll_event` bits.
pub const READABLE: c_int = 1;
pub const WRITABLE: c_int = 2;

pub struct Uv {
    handle_size: unsafe extern "C" fn(c_int) -> usize,
    poll_init: unsafe extern "C" fn(*mut c_void, *mut c_void, c_int) -> c_int,
    pub poll_start: unsafe extern "C" fn(*mut c_void, c_int, PollCb) -> c_int,
    pub poll_stop: unsafe extern "C" fn(*mut c_void) -> c_int,
    async_init: unsafe extern "C" fn(*mut c_void, *mut c_void, AsyncCb) -> c_int,
    pub async_send: unsafe extern "C" fn(*mut c_void) -> c_int,
    close: unsafe extern "C" fn(*mut c_void, Option<CloseCb>),
    pub ref_handle: unsafe extern "C" fn(*mut c_void),
    pub unref_handle: unsafe extern "C" fn(*mut c_void),
    set_data: unsafe extern "C" fn(*mut c_void, *mut c_void),
    get_data: unsafe extern "C" fn(*const c_void) -> *mut c_void,
}

/// libuv, when this process exports it (Node does; on Unix only: Windows keeps the calls thread).
pub fn uv() -> Option<&'static Uv> {
    static UV: OnceLock<Option<Uv>> = OnceLock::new();
    UV.get_or_init(load).as_ref()
}

#[cfg(unix)]
fn load() -> Option<Uv> {
    let this = libloading::os::unix::Library::this();
    macro_rules! symbol {
        ($name:literal) => {
            // SAFETY: each name is a libuv 1.x function with the signature of the field it fills.
            *unsafe { this.get(concat!($name, "\0").as_bytes()) }.ok()?
        };
    }
    Some(Uv {
        handle_size: symbol!("uv_handle_size"),
        poll_init: symbol!("uv_poll_init"),
        poll_start: symbol!("uv_poll_start"),
        poll_stop: symbol!("uv_poll_stop"),
        async_init: symbol!("uv_async_init"),
        async_send: symbol!("uv_async_send"),
        close: symbol!("uv_close"),
        ref_handle: symbol!("uv_ref"),
        unref_handle: symbol!("uv_unref"),
        set_data: symbol!("uv_handle_set_data"),
        get_data: symbol!("uv_handle_get_data"),
    })
}

#[cfg(not(unix))]
fn load() -> Option<Uv> {
    None
}

impl Uv {
    /// A zeroed handle of `kind`'s size (sizes differ between platforms and libuv versions), freed by `close`.
    fn allocate(&self, kind: c_int) -> *mut c_void {
        // SAFETY: uv_handle_size is pure; calloc's memory is suitably aligned for any handle.
        unsafe { libc::calloc(1, (self.handle_size)(kind)) }
    }

    /// A poll handle watching socket `fd`, carrying `data`; None when libuv refuses it.
    pub fn poll(&self, event_loop: *mut c_void, fd: c_int, data: *mut c_void) -> Option<*mut c_void> {
        // SAFETY: a fresh handle on the loop of the thread we are on.
        self.made(UV_POLL, data, |handle| unsafe { (self.poll_init)(event_loop, handle, fd) })
    }

    /// An async handle that runs `cb` on the loop's thread after any thread's `async_send`.
    pub fn async_handle(&self, event_loop: *mut c_void, cb: AsyncCb, data: *mut c_void) -> Option<*mut c_void> {
        self.made(UV_ASYNC, data, |handle| unsafe { (self.async_init)(event_loop, handle, cb) })
    }

    /// A handle of `kind` set up by `init` (0: done) and carrying `data`; freed again when `init` fails.
    fn made(&self, kind: c_int, data: *mut c_void, init: impl FnOnce(*mut c_void) -> c_int) -> Option<*mut c_void> {
        let handle = self.allocate(kind);
        if handle.is_null() || init(handle) != 0 {
            unsafe { libc::free(handle) };
            return None;
        }
        unsafe { (self.set_data)(handle, data) };
        Some(handle)
    }

    pub fn data(&self, handle: *const c_void) -> *mut c_void {
        // SAFETY: callers pass a handle made by `poll` or `async_handle`.
        unsafe { (self.get_data)(handle) }
    }

    /// Closes a handle (stopped first if it is a poll handle: libuv calls a stopped handle back no more, so its
    /// data may be freed at once); the memory is freed once libuv is done with it.
    pub fn close(&self, handle: *mut c_void) {
        unsafe {
            (self.set_data)(handle, std::ptr::null_mut());
            (self.close)(handle, Some(freed));
        }
    }
}

unsafe extern "C" fn freed(handle: *mut c_void) {
    unsafe { libc::free(handle) };
}
