//! How finished calls reach JS: in batches. napi-rs's `async fn` creates a threadsafe function (a libuv async
//! handle plus an env cleanup hook) for every promise, spawns two tokio tasks, and wakes the JS thread once per
//! settled call. Here each JS thread has ONE threadsafe function, made on its first call: a finished call
//! queues its outcome, and only the call that finds the queue empty wakes the JS thread, which then settles
//! every queued promise in one callback. The threadsafe function holds the event loop open only while calls
//! are pending, as napi-rs's per-call one did, so a pending call keeps Node alive and an idle client does not.

use super::outcome::NativeOutcome;
use napi::bindgen_prelude::{ToNapiValue, Unknown};
use napi::{sys, Env, JsError, JsValue};
use std::cell::{Cell, RefCell};
use std::ffi::c_void;
use std::future::Future;
use std::pin::Pin;
use std::ptr;
use std::sync::{Arc, Mutex};

/// A promise's resolving half, moved to a tokio thread and back; only ever used on its JS thread.
struct Deferred(sys::napi_deferred);
// SAFETY: the handle is only carried by other threads; it is resolved (or dropped unused) on the JS thread.
unsafe impl Send for Deferred {}

#[derive(Clone, Copy)]
struct Tsfn(sys::napi_threadsafe_function);
// SAFETY: calling a threadsafe function from any thread is what it is for; it is only called under the
// queue's lock, while `Queue::tsfn` says the env is alive.
unsafe impl Send for Tsfn {}

/// Finished calls waiting for the JS thread; shared by the JS thread and tokio's workers.
struct Queue {
    ready: Vec<(Deferred, NativeOutcome)>,
    /// None once the env is torn down: later outcomes are dropped, nothing calls into a freed function.
    tsfn: Option<Tsfn>,
}

struct Shared {
    queue: Mutex<Queue>,
}

/// The JS thread's own part: the threadsafe function and how many of its calls are still pending.
struct Local {
    shared: Arc<Shared>,
    tsfn: Tsfn,
    pending: Cell<usize>,
    /// The emptied batch's buffer, given back to the queue so a busy client does not reallocate it.
    spare: RefCell<Vec<(Deferred, NativeOutcome)>>,
}

thread_local! {
    static LOCAL: RefCell<Option<Arc<Local>>> = const { RefCell::new(None) };
}

/// A promise whose outcome a tokio task will deliver. Dropped without an outcome (a panic outside the
/// call's own guard, a runtime shutting down), it still settles, with an internal error.
struct Settle {
    shared: Arc<Shared>,
    deferred: Option<Deferred>,
    api: &'static str,
}

impl Settle {
    fn deliver(mut self, outcome: NativeOutcome) {
        if let Some(deferred) = self.deferred.take() {
            push(&self.shared, deferred, outcome);
        }
    }
}

impl Drop for Settle {
    fn drop(&mut self) {
        if let Some(deferred) = self.deferred.take() {
            let lost = wechat_client::error::Error::internal(self.api, "the call was dropped before it finished");
            push(&self.shared, deferred, NativeOutcome::from(Err(lost)));
        }
    }
}

fn push(shared: &Shared, deferred: Deferred, outcome: NativeOutcome) {
    let mut queue = shared.queue.lock().unwrap_or_else(|p| p.into_inner());
    let Some(tsfn) = queue.tsfn else { return };
    queue.ready.push((deferred, outcome));
    if queue.ready.len() == 1 {
        // SAFETY: the env is alive (tsfn is Some under the lock the teardown hook takes).
        unsafe { sys::napi_call_threadsafe_function(tsfn.0, ptr::null_mut(), sys::ThreadsafeFunctionCallMode::nonblocking) };
    }
}

/// A call's whole state, boxed by the caller so that handing it on moves a pointer, not tens of kilobytes.
pub type Call = Pin<Box<dyn Future<Output = NativeOutcome> + Send>>;

/// Starts `call` on tokio and returns its promise. `api` names the call in the error of a call lost mid-way.
pub fn start<'env>(env: &'env Env, api: &'static str, call: Call) -> napi::Result<Unknown<'env>> {
    let local = local(env)?;
    let raw = env.raw();
    let mut deferred = ptr::null_mut();
    let mut promise = ptr::null_mut();
    napi::check_status!(unsafe { sys::napi_create_promise(raw, &mut deferred, &mut promise) }, "cannot create a promise")?;
    if local.pending.get() == 0 {
        // SAFETY: on the JS thread that made the function.
        unsafe { sys::napi_ref_threadsafe_function(raw, local.tsfn.0) };
    }
    local.pending.set(local.pending.get() + 1);
    let settle = Settle { shared: local.shared.clone(), deferred: Some(Deferred(deferred)), api };
    napi::bindgen_prelude::spawn(async move { settle.deliver(call.await) });
    // SAFETY: `promise` was just made in this env.
    Ok(unsafe { Unknown::from_raw_unchecked(raw, promise) })
}

fn local(env: &Env) -> napi::Result<Arc<Local>> {
    if let Some(local) = LOCAL.with(|l| l.borrow().clone()) {
        return Ok(local);
    }
    let raw = env.raw();
    let shared = Arc::new(Shared { queue: Mutex::new(Queue { ready: Vec::new(), tsfn: None }) });
    let name = env.create_string("wechat-openapi settle")?;
    let mut tsfn = ptr::null_mut();
    let context = Arc::into_raw(shared.clone()) as *mut c_void;
    let made = unsafe {
        sys::napi_create_threadsafe_function(
            raw,
            ptr::null_mut(),
            ptr::null_mut(),
            name.raw(),
            0,
            1,
            ptr::null_mut(),
            Some(finalize),
            context,
            Some(settle_batch),
            &mut tsfn,
        )
    };
    if let Err(e) = napi::check_status!(made, "cannot create the settling function") {
        // SAFETY: the function was not made, so nothing else owns this reference.
        drop(unsafe { Arc::from_raw(context as *const Shared) });
        return Err(e);
    }
    unsafe { sys::napi_unref_threadsafe_function(raw, tsfn) };
    shared.queue.lock().unwrap_or_else(|p| p.into_inner()).tsfn = Some(Tsfn(tsfn));
    // Registered after the function, so it runs before Node's own teardown of it (hooks run last-in first-out).
    let hook_arg = Arc::into_raw(shared.clone()) as *mut c_void;
    unsafe { sys::napi_add_env_cleanup_hook(raw, Some(teardown), hook_arg) };
    let local = Arc::new(Local { shared, tsfn: Tsfn(tsfn), pending: Cell::new(0), spare: RefCell::new(Vec::new()) });
    LOCAL.with(|l| *l.borrow_mut() = Some(local.clone()));
    Ok(local)
}

/// On the JS thread: settles every queued call.
unsafe extern "C" fn settle_batch(env: sys::napi_env, _js: sys::napi_value, context: *mut c_void, _data: *mut c_void) {
    if env.is_null() {
        return;
    }
    let Some(local) = LOCAL.with(|l| l.borrow().clone()) else { return };
    let shared = unsafe { &*(context as *const Shared) };
    let mut batch = local.spare.take();
    {
        let mut queue = shared.queue.lock().unwrap_or_else(|p| p.into_inner());
        std::mem::swap(&mut queue.ready, &mut batch);
    }
    let settled = batch.len();
    for (deferred, outcome) in batch.drain(..) {
        unsafe {
            match NativeOutcome::to_napi_value(env, outcome) {
                Ok(value) => sys::napi_resolve_deferred(env, deferred.0, value),
                Err(e) => sys::napi_reject_deferred(env, deferred.0, JsError::from(e).into_value(env)),
            };
        }
    }
    *local.spare.borrow_mut() = batch;
    let pending = local.pending.get().saturating_sub(settled);
    local.pending.set(pending);
    if pending == 0 && settled > 0 {
        unsafe { sys::napi_unref_threadsafe_function(env, local.tsfn.0) };
    }
}

unsafe extern "C" fn finalize(_env: sys::napi_env, _data: *mut c_void, context: *mut c_void) {
    drop(unsafe { Arc::from_raw(context as *const Shared) });
}

/// Env teardown: nothing may call the function after this; queued outcomes are dropped with their promises.
unsafe extern "C" fn teardown(arg: *mut c_void) {
    let shared = unsafe { Arc::from_raw(arg as *const Shared) };
    let dropped = {
        let mut queue = shared.queue.lock().unwrap_or_else(|p| p.into_inner());
        queue.tsfn = None;
        std::mem::take(&mut queue.ready)
    };
    drop(dropped);
    LOCAL.with(|l| l.borrow_mut().take());
}
