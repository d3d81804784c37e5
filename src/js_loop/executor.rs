//! The JS thread's own executor: a call's future is polled on the thread that made it, woken by libuv (its
//! sockets' poll handles, and one async handle that other threads signal: tokio's timers, DNS, Redis, a JS
//! store's answers), and its promise is settled right there. Nothing crosses threads on a call's way unless
//! the call itself waits on another thread.
//!
//! A wake on the JS thread while it drains goes to a local queue (no system call); any other wake goes to the
//! shared queue and signals the async handle, the first one only. Promises settled from a libuv callback are
//! settled inside a callback scope, so their continuations (microtasks, nextTicks) run when it closes, as they
//! do after any Node callback. The async handle holds the loop open only while calls are pending; sockets'
//! handles never do, so an idle client does not keep Node alive.

use super::uv::{self, Uv};
use crate::outcome::NativeOutcome;
use napi::{sys, JsError};
use std::cell::{Cell, RefCell};
use std::collections::VecDeque;
use std::ffi::c_void;
use std::future::Future;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::pin::Pin;
use std::ptr;
use std::rc::Rc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll, Wake, Waker};
use wechat_client::error::Error;
use wechat_client::host::Host;

/// A call yields its outcome; a background task (hyper's connection driver) yields nothing.
type Task = Pin<Box<dyn Future<Output = Option<NativeOutcome>>>>;

struct Slot {
    /// Out of the slot while it is being polled.
    task: Option<Task>,
    waker: Waker,
    /// A call's promise; None for a background task.
    deferred: Option<sys::napi_deferred>,
    api: &'static str,
}

/// What other threads touch: their wake-ups, and whether the loop is still there to take them.
struct Remote {
    woken: Mutex<Vec<usize>>,
    signal: *mut c_void,
    open: AtomicBool,
}
// SAFETY: other threads only call uv_async_send on `signal` (thread-safe by libuv's contract), under the lock,
// while `open` says the handle is not closed.
unsafe impl Send for Remote {}
unsafe impl Sync for Remote {}

impl Remote {
    fn wake(&self, id: usize) {
        let mut woken = self.woken.lock().unwrap_or_else(|p| p.into_inner());
        if !self.open.load(Ordering::Acquire) {
            return;
        }
        woken.push(id);
        if woken.len() == 1 {
            if let Some(uv) = uv::uv() {
                unsafe { (uv.async_send)(self.signal) };
            }
        }
    }
}

struct TaskWaker {
    id: usize,
    remote: Arc<Remote>,
}

impl Wake for TaskWaker {
    fn wake(self: Arc<Self>) {
        self.wake_by_ref()
    }

    fn wake_by_ref(self: &Arc<Self>) {
        if DRAINING.with(Cell::get) == Arc::as_ptr(&self.remote) {
            READY.with(|r| r.borrow_mut().push_back(self.id));
        } else {
            self.remote.wake(self.id);
        }
    }
}

thread_local! {
    static LOOP: RefCell<State> = const { RefCell::new(State::Unknown) };
    /// The loop draining on this thread: its tasks' wakes go to `READY`.
    static DRAINING: Cell<*const Remote> = const { Cell::new(ptr::null()) };
    static READY: RefCell<VecDeque<usize>> = const { RefCell::new(VecDeque::new()) };
    /// The key of the loop made on this thread, kept after its teardown (sockets check it before touching libuv).
    static KEY: Cell<usize> = const { Cell::new(0) };
}

/// The key of the loop made on this thread (0: none): a socket touches libuv only on its own loop's thread.
pub fn thread_key() -> usize {
    KEY.with(Cell::get)
}

enum State {
    Unknown,
    Unavailable,
    Ready(Rc<JsLoop>),
}

pub struct JsLoop {
    env: sys::napi_env,
    uv: &'static Uv,
    event_loop: *mut c_void,
    remote: Arc<Remote>,
    slots: RefCell<Vec<Option<Slot>>>,
    free: RefCell<Vec<usize>>,
    running: Cell<bool>,
    /// Calls pending: the async handle is referenced while there are any.
    calls: Cell<usize>,
    /// Open while a drain started from libuv settles promises.
    scope: Cell<Option<(sys::napi_handle_scope, sys::napi_callback_scope)>>,
    resource: sys::napi_ref,
    context: sys::napi_async_context,
    host: Arc<dyn Host>,
}

impl JsLoop {
    /// This thread's loop, made on first use; None where calls stay on the calls thread (no libuv exported, a
    /// runtime other than Node, `WECHAT_OPENAPI_WORKER_THREADS` set, or the loop could not be set up).
    /// `host`: the core's host for this loop, given the loop's key.
    pub fn for_env(env: sys::napi_env, host: impl FnOnce(usize) -> Arc<dyn Host>) -> Option<Rc<JsLoop>> {
        LOOP.with(|state| {
            let mut state = state.borrow_mut();
            if let State::Unknown = *state {
                *state = match JsLoop::create(env, host) {
                    Some(made) => State::Ready(made),
                    None => State::Unavailable,
                };
            }
            match &*state {
                State::Ready(l) => Some(l.clone()),
                _ => None,
            }
        })
    }

    /// The loop of this thread, if one was made.
    pub fn current() -> Option<Rc<JsLoop>> {
        LOOP.with(|state| match &*state.borrow() {
            State::Ready(l) => Some(l.clone()),
            _ => None,
        })
    }

    /// Which loop this is, as a pool key and for sockets to check they are polled on their own.
    pub fn key(&self) -> usize {
        Arc::as_ptr(&self.remote) as usize
    }

    pub fn event_loop(&self) -> *mut c_void {
        self.event_loop
    }

    fn create(env: sys::napi_env, host: impl FnOnce(usize) -> Arc<dyn Host>) -> Option<Rc<JsLoop>> {
        if std::env::var_os("WECHAT_OPENAPI_WORKER_THREADS").is_some() {
            return None;
        }
        if !unsafe { super::real_libuv::runtime_has_real_libuv(env) } {
            return None;
        }
        let uv = uv::uv()?;
        let mut event_loop = ptr::null_mut();
        if unsafe { sys::napi_get_uv_event_loop(env, &mut event_loop) } != sys::Status::napi_ok || event_loop.is_null() {
            return None;
        }
        let event_loop = event_loop as *mut c_void;
        let signal = uv.async_handle(event_loop, signalled, ptr::null_mut())?;
        unsafe { (uv.unref_handle)(signal) };
        let (resource, context) = unsafe { async_context(env) }?;
        let remote = Arc::new(Remote { woken: Mutex::new(Vec::new()), signal, open: AtomicBool::new(true) });
        let host = host(Arc::as_ptr(&remote) as usize);
        let made = Rc::new(JsLoop {
            env,
            uv,
            event_loop,
            remote,
            slots: RefCell::default(),
            free: RefCell::default(),
            running: Cell::new(false),
            calls: Cell::new(0),
            scope: Cell::new(None),
            resource,
            context,
            host,
        });
        unsafe { sys::napi_add_env_cleanup_hook(env, Some(teardown), ptr::null_mut()) };
        KEY.with(|k| k.set(made.key()));
        Some(made)
    }

    /// Starts a call on this thread: polled at once (its request is written before this returns when a
    /// connection is ready), then whenever it is woken; settles `deferred` when done.
    pub fn start_call(self: &Rc<Self>, deferred: sys::napi_deferred, api: &'static str, call: Pin<Box<dyn Future<Output = NativeOutcome> + Send>>) {
        if self.calls.get() == 0 {
            unsafe { (self.uv.ref_handle)(self.remote.signal) };
        }
        self.calls.set(self.calls.get() + 1);
        let id = self.insert(Box::pin(async move { Some(call.await) }), Some(deferred), api);
        self.poll_now(id);
    }

    /// Runs `task` on this loop, polled at once like a call; it settles whatever it settles itself (a call of
    /// a client with listeners settles through its own lane, after its events).
    pub fn run(self: &Rc<Self>, task: futures::future::BoxFuture<'static, ()>) {
        let id = self.background(task, "call");
        self.poll_now(id);
    }

    /// Polls a call just started, from the JS call that started it; counted as a call for the calls runtime's
    /// timer (see runtime::keep_timer_armed).
    fn poll_now(self: &Rc<Self>, id: usize) {
        super::super::runtime::calls();
        READY.with(|r| r.borrow_mut().push_back(id));
        self.drain(true);
    }

    /// Runs a background task on this loop (hyper's connection driver); called while a task is polled.
    pub fn spawn(&self, task: futures::future::BoxFuture<'static, ()>) {
        let id = self.background(task, "connection");
        let slots = self.slots.borrow();
        if let Some(Some(slot)) = slots.get(id) {
            slot.waker.wake_by_ref();
        }
    }

    /// A task that settles no promise of ours.
    fn background(&self, task: futures::future::BoxFuture<'static, ()>, what: &'static str) -> usize {
        self.insert(Box::pin(async move {
            task.await;
            None
        }), None, what)
    }

    fn insert(&self, task: Task, deferred: Option<sys::napi_deferred>, api: &'static str) -> usize {
        let mut slots = self.slots.borrow_mut();
        let id = self.free.borrow_mut().pop().unwrap_or_else(|| {
            slots.push(None);
            slots.len() - 1
        });
        let waker = Waker::from(Arc::new(TaskWaker { id, remote: self.remote.clone() }));
        slots[id] = Some(Slot { task: Some(task), waker, deferred, api });
        id
    }

    /// Runs `first` (a libuv callback's own work: waking the tasks it concerns) with wakes going to the local
    /// queue, then polls every task woken until none is.
    pub fn run_from_libuv(self: &Rc<Self>, first: impl FnOnce()) {
        let previous = DRAINING.with(|d| d.replace(Arc::as_ptr(&self.remote)));
        first();
        DRAINING.with(|d| d.set(previous));
        self.drain(false);
    }

    /// `from_js`: called from a JS call (promises may be settled as they are); otherwise from libuv, where
    /// settling needs a callback scope. A drain started while one runs leaves the work to it.
    fn drain(self: &Rc<Self>, from_js: bool) {
        if self.running.replace(true) {
            return;
        }
        let previous = DRAINING.with(|d| d.replace(Arc::as_ptr(&self.remote)));
        {
            let _tokio = super::super::runtime::calls_handle().enter();
            let _host = wechat_client::host::enter(self.host.clone());
            loop {
                let next = READY.with(|r| r.borrow_mut().pop_front());
                let id = match next {
                    Some(id) => id,
                    None => {
                        let woken = std::mem::take(&mut *self.remote.woken.lock().unwrap_or_else(|p| p.into_inner()));
                        if woken.is_empty() {
                            break;
                        }
                        READY.with(|r| r.borrow_mut().extend(woken));
                        continue;
                    }
                };
                self.poll(id, from_js);
            }
        }
        DRAINING.with(|d| d.set(previous));
        self.running.set(false);
        // Closing the scope runs the settled promises' continuations, which may start calls (and drains).
        self.close_scope();
    }

    fn poll(&self, id: usize, from_js: bool) {
        let taken = {
            let mut slots = self.slots.borrow_mut();
            slots.get_mut(id).and_then(Option::as_mut).and_then(|slot| Some((slot.task.take()?, slot.waker.clone())))
        };
        // A stale wake (the task is done, or its slot holds a newer one that is being polled) does nothing.
        let Some((mut task, waker)) = taken else { return };
        let polled = catch_unwind(AssertUnwindSafe(|| task.as_mut().poll(&mut Context::from_waker(&waker))));
        let outcome = match polled {
            Ok(Poll::Pending) => {
                if let Some(Some(slot)) = self.slots.borrow_mut().get_mut(id) {
                    slot.task = Some(task);
                }
                return;
            }
            Ok(Poll::Ready(outcome)) => outcome,
            // A call's own panics are caught inside it (typed -604103); this is one outside it.
            Err(_) => None,
        };
        let slot = self.slots.borrow_mut()[id].take();
        self.free.borrow_mut().push(id);
        let Some(Slot { deferred: Some(deferred), api, .. }) = slot else { return };
        let outcome = outcome.unwrap_or_else(|| NativeOutcome::from(Err(Error::internal(api, "the call failed outside its own guard"))));
        self.settle(deferred, outcome, from_js);
    }

    fn settle(&self, deferred: sys::napi_deferred, outcome: NativeOutcome, from_js: bool) {
        let env = self.env;
        if !from_js {
            self.open_scope();
        }
        unsafe {
            match crate::outcome::to_js(env, outcome) {
                Ok(value) => sys::napi_resolve_deferred(env, deferred, value),
                Err(e) => sys::napi_reject_deferred(env, deferred, JsError::from(e).into_value(env)),
            };
        }
        self.calls.set(self.calls.get() - 1);
        if self.calls.get() == 0 {
            unsafe { (self.uv.unref_handle)(self.remote.signal) };
        }
    }

    fn open_scope(&self) {
        if self.scope.get().is_some() {
            return;
        }
        let env = self.env;
        unsafe {
            let mut handles = ptr::null_mut();
            sys::napi_open_handle_scope(env, &mut handles);
            let mut resource = ptr::null_mut();
            sys::napi_get_reference_value(env, self.resource, &mut resource);
            let mut callback = ptr::null_mut();
            sys::napi_open_callback_scope(env, resource, self.context, &mut callback);
            self.scope.set(Some((handles, callback)));
        }
    }

    fn close_scope(&self) {
        if let Some((handles, callback)) = self.scope.take() {
            unsafe {
                sys::napi_close_callback_scope(self.env, callback);
                sys::napi_close_handle_scope(self.env, handles);
            }
        }
    }
}

/// The resource and async context promises settled from libuv are settled under (async_hooks see one
/// "wechat-openapi" resource).
unsafe fn async_context(env: sys::napi_env) -> Option<(sys::napi_ref, sys::napi_async_context)> {
    unsafe {
        let mut resource = ptr::null_mut();
        let mut name = ptr::null_mut();
        let text = "wechat-openapi";
        let mut reference = ptr::null_mut();
        let mut context = ptr::null_mut();
        let ok = sys::napi_create_object(env, &mut resource) == sys::Status::napi_ok
            && sys::napi_create_string_utf8(env, text.as_ptr().cast(), text.len() as isize, &mut name) == sys::Status::napi_ok
            && sys::napi_create_reference(env, resource, 1, &mut reference) == sys::Status::napi_ok
            && sys::napi_async_init(env, resource, name, &mut context) == sys::Status::napi_ok;
        ok.then_some((reference, context))
    }
}

/// Other threads woke tasks.
unsafe extern "C" fn signalled(_handle: *mut c_void) {
    if let Some(js_loop) = JsLoop::current() {
        js_loop.drain(false);
    }
}

/// Env teardown: no thread may signal the loop after this; pending calls are dropped with their promises.
unsafe extern "C" fn teardown(_arg: *mut c_void) {
    let Some(js_loop) = LOOP.with(|state| match std::mem::replace(&mut *state.borrow_mut(), State::Unavailable) {
        State::Ready(l) => Some(l),
        _ => None,
    }) else {
        return;
    };
    {
        let _lock = js_loop.remote.woken.lock().unwrap_or_else(|p| p.into_inner());
        js_loop.remote.open.store(false, Ordering::Release);
    }
    let tasks = std::mem::take(&mut *js_loop.slots.borrow_mut());
    drop(tasks);
    js_loop.uv.close(js_loop.remote.signal);
    unsafe {
        sys::napi_async_destroy(js_loop.env, js_loop.context);
        sys::napi_delete_reference(js_loop.env, js_loop.resource);
    }
}
