//! How finished calls reach JS: in batches. napi-rs's `async fn` creates a threadsafe function (a libuv async
//! handle plus an env cleanup hook) for every promise, spawns two tokio tasks, and wakes the JS thread once per
//! settled call. Here a JS thread has one threadsafe function (a "lane"), made on its first call: a finished
//! call queues its outcome, and only the call that finds the queue empty wakes the JS thread, which then settles
//! every queued promise in one callback. The lane holds the event loop open only while calls are pending, as
//! napi-rs's per-call function did, so a pending call keeps Node alive and an idle client does not.
//!
//! Order with events: a call's events (`client.on`, src/observe.rs) travel on the listener's own threadsafe
//! function, and libuv's order between two async handles is not the order they were signalled in (measured: a
//! shared lane settled calls before their `request`/`response` events arrived, after a setImmediate even). The
//! per-call function napi-rs made was newer than the listener's, which kept events first, as users and tests
//! rely on. So a call of a client with listeners gets a lane of its own, made at the call, closed when it settles
//! (what napi-rs did for every call); calls of clients nobody listens to share the thread's lane.
//!
//! Where libuv allows, every call runs on the JS thread's own loop (`js_loop`). Calls of clients nobody listens
//! to settle there at once and never touch a lane; a call of a client with listeners still settles through a
//! lane of its own, so that its events arrive first.

use super::outcome::NativeOutcome;
use napi::bindgen_prelude::Unknown;
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
// queue's lock, while `Queue::tsfn` says the function is open.
unsafe impl Send for Tsfn {}

/// Finished calls waiting for the JS thread; shared by the JS thread and tokio's threads.
struct Queue {
    ready: Vec<(Deferred, NativeOutcome)>,
    /// None once the env is torn down or the lane closed: later outcomes are dropped, nothing calls a freed function.
    tsfn: Option<Tsfn>,
}

/// One threadsafe function and its queue. `pending`, `retired` and `spare` are touched on the JS thread only.
struct Lane {
    queue: Mutex<Queue>,
    tsfn: Tsfn,
    pending: Cell<usize>,
    retired: Cell<bool>,
    /// The emptied batch's buffer, given back to the queue so a busy client does not reallocate it.
    spare: RefCell<Vec<(Deferred, NativeOutcome)>>,
}
// SAFETY: the Cell/RefCell fields are only used on the JS thread (start, settle_batch, retire, teardown);
// other threads only lock `queue`.
unsafe impl Sync for Lane {}
unsafe impl Send for Lane {}

impl Lane {
    fn queue(&self) -> std::sync::MutexGuard<'_, Queue> {
        self.queue.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Closes a retired lane with nothing pending: no more calls on its function, its hook removed.
    unsafe fn close_if_done(self: &Arc<Lane>, env: sys::napi_env) {
        if !self.retired.get() || self.pending.get() > 0 || self.queue().tsfn.take().is_none() {
            return;
        }
        unsafe {
            sys::napi_release_threadsafe_function(self.tsfn.0, sys::ThreadsafeFunctionReleaseMode::release);
            let hook = Arc::as_ptr(self) as *mut c_void;
            if sys::napi_remove_env_cleanup_hook(env, Some(teardown), hook) == sys::Status::napi_ok {
                drop(Arc::from_raw(hook as *const Lane));
            }
        }
    }
}

thread_local! {
    static LANE: RefCell<Option<Arc<Lane>>> = const { RefCell::new(None) };
}

/// A promise whose outcome a tokio task will deliver. Dropped without an outcome (a panic outside the
/// call's own guard, a runtime shutting down), it still settles, with an internal error.
struct Settle {
    lane: Arc<Lane>,
    deferred: Option<Deferred>,
    api: &'static str,
}

impl Settle {
    fn deliver(mut self, outcome: NativeOutcome) {
        if let Some(deferred) = self.deferred.take() {
            push(&self.lane, deferred, outcome);
        }
    }
}

impl Drop for Settle {
    fn drop(&mut self) {
        if let Some(deferred) = self.deferred.take() {
            let lost = wechat_client::error::Error::internal(self.api, "the call was dropped before it finished");
            push(&self.lane, deferred, NativeOutcome::from(Err(lost)));
        }
    }
}

fn push(lane: &Lane, deferred: Deferred, outcome: NativeOutcome) {
    let mut queue = lane.queue();
    let Some(tsfn) = queue.tsfn else { return };
    queue.ready.push((deferred, outcome));
    if queue.ready.len() == 1 {
        // SAFETY: the function is open (tsfn is Some under the lock that teardown and close take).
        // The lane travels as the call's data: the function serves one lane, but a batch must know which.
        let data = lane as *const Lane as *mut c_void;
        unsafe { sys::napi_call_threadsafe_function(tsfn.0, data, sys::ThreadsafeFunctionCallMode::nonblocking) };
    }
}

/// A call's whole state, boxed by the caller so that handing it on moves a pointer, not tens of kilobytes.
pub type Call = Pin<Box<dyn Future<Output = NativeOutcome> + Send>>;

/// Starts `call` (on the JS thread's loop, else on the calls runtime) and returns its promise. `api` names the call in the error of a call
/// lost mid-way; `observed`: its client has event listeners, so it gets a lane of its own (see the module note).
pub fn start<'env>(env: &'env Env, api: &'static str, observed: bool, call: Call) -> napi::Result<Unknown<'env>> {
    let js_loop = super::js_loop::for_env(env.raw());
    if let (Some(js_loop), false) = (&js_loop, observed) {
        let (deferred, promise) = promise(env)?;
        js_loop.start_call(deferred, api, call);
        return Ok(promise);
    }
    let lane = if observed {
        let own = new_lane(env)?;
        own.retired.set(true);
        own
    } else {
        shared_lane(env)?
    };
    let raw = env.raw();
    let (deferred, promise) = promise(env)?;
    if lane.pending.get() == 0 {
        // SAFETY: on the JS thread that made the function.
        unsafe { sys::napi_ref_threadsafe_function(raw, lane.tsfn.0) };
    }
    lane.pending.set(lane.pending.get() + 1);
    let settle = Settle { lane, deferred: Some(Deferred(deferred)), api };
    let task = async move { settle.deliver(call.await) };
    match js_loop {
        // A call with listeners runs on the loop too; only its settling takes the lane, after its events.
        Some(js_loop) => js_loop.run(Box::pin(task)),
        None => drop(super::runtime::calls().spawn(task)),
    }
    Ok(promise)
}

fn promise<'env>(env: &'env Env) -> napi::Result<(sys::napi_deferred, Unknown<'env>)> {
    let mut deferred = ptr::null_mut();
    let mut promise = ptr::null_mut();
    napi::check_status!(unsafe { sys::napi_create_promise(env.raw(), &mut deferred, &mut promise) }, "cannot create a promise")?;
    // SAFETY: `promise` was just made in this env.
    Ok((deferred, unsafe { Unknown::from_raw_unchecked(env.raw(), promise) }))
}

fn shared_lane(env: &Env) -> napi::Result<Arc<Lane>> {
    if let Some(lane) = LANE.with(|l| l.borrow().clone()) {
        return Ok(lane);
    }
    let lane = new_lane(env)?;
    LANE.with(|l| *l.borrow_mut() = Some(lane.clone()));
    Ok(lane)
}

fn new_lane(env: &Env) -> napi::Result<Arc<Lane>> {
    let raw = env.raw();
    let name = env.create_string("wechat-openapi settle")?;
    let mut tsfn = ptr::null_mut();
    let made = unsafe {
        sys::napi_create_threadsafe_function(
            raw,
            ptr::null_mut(),
            ptr::null_mut(),
            name.raw(),
            0,
            1,
            ptr::null_mut(),
            None,
            ptr::null_mut(),
            Some(settle_batch),
            &mut tsfn,
        )
    };
    napi::check_status!(made, "cannot create the settling function")?;
    let lane = Arc::new(Lane {
        queue: Mutex::new(Queue { ready: Vec::new(), tsfn: None }),
        tsfn: Tsfn(tsfn),
        pending: Cell::new(0),
        retired: Cell::new(false),
        spare: RefCell::new(Vec::new()),
    });
    lane.queue().tsfn = Some(Tsfn(tsfn));
    unsafe {
        sys::napi_unref_threadsafe_function(raw, tsfn);
        // Registered after the function, so it runs before Node's own teardown of it (hooks run last-in first-out).
        sys::napi_add_env_cleanup_hook(raw, Some(teardown), Arc::into_raw(lane.clone()) as *mut c_void);
    }
    Ok(lane)
}

/// On the JS thread: settles every queued call of the lane whose function fired. The lane is found by its
/// function among the current one and those retired but still open, all referenced by their cleanup hooks.
unsafe extern "C" fn settle_batch(env: sys::napi_env, _js: sys::napi_value, _context: *mut c_void, data: *mut c_void) {
    if env.is_null() || data.is_null() {
        return;
    }
    // SAFETY: `data` is the lane pointer a pusher passed, kept alive by the lane's cleanup-hook reference
    // until the function is released, after which no call reaches here.
    let lane = unsafe { &*(data as *const Lane) };
    let mut batch = lane.spare.take();
    std::mem::swap(&mut lane.queue().ready, &mut batch);
    let settled = batch.len();
    for (deferred, outcome) in batch.drain(..) {
        unsafe {
            match crate::outcome::to_js(env, outcome) {
                Ok(value) => sys::napi_resolve_deferred(env, deferred.0, value),
                Err(e) => sys::napi_reject_deferred(env, deferred.0, JsError::from(e).into_value(env)),
            };
        }
    }
    *lane.spare.borrow_mut() = batch;
    let pending = lane.pending.get().saturating_sub(settled);
    lane.pending.set(pending);
    if pending == 0 && settled > 0 {
        unsafe { sys::napi_unref_threadsafe_function(env, lane.tsfn.0) };
    }
    // SAFETY: the cleanup hook holds a reference, so the lane outlives this borrow; rebuilt as an Arc only to
    // call close_if_done, then forgotten.
    let owned = std::mem::ManuallyDrop::new(unsafe { Arc::from_raw(data as *const Lane) });
    unsafe { owned.close_if_done(env) };
}

/// Env teardown: nothing may call the function after this; queued outcomes are dropped with their promises.
unsafe extern "C" fn teardown(arg: *mut c_void) {
    let lane = unsafe { Arc::from_raw(arg as *const Lane) };
    let dropped = {
        let mut queue = lane.queue();
        queue.tsfn = None;
        std::mem::take(&mut queue.ready)
    };
    drop(dropped);
    LANE.with(|l| {
        let mut current = l.borrow_mut();
        if current.as_ref().is_some_and(|c| Arc::ptr_eq(c, &lane)) {
            *current = None;
        }
    });
}
