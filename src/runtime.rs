//! Two tokio runtimes (and, on the JS thread, `js_loop`'s executor, where calls run when libuv allows). napi-rs's (everything napi runs async: the emulator's server, component and store
//! bridges) is sized per core, at most 4. Calls (`openapi.*`, `openapi.request`) run on their own
//! single-threaded runtime on one dedicated thread: a call crosses from the JS thread to that thread and back,
//! and nothing else. With a multi-threaded pool, workers wake each other (futex) to share each call's steps:
//! measured at concurrency 1, 16.9 system calls per call (5.2 futex) on 2 workers against 10.8 on one thread,
//! and 7.5 against 3.9 at concurrency 128 (strace -f -c).
//! `WECHAT_OPENAPI_WORKER_THREADS` (1..64) gives calls a multi-threaded runtime of that many workers instead.
//!
//! While calls come in, a timer a second away is kept armed (`keep_timer_armed`). tokio wakes its own thread
//! (an eventfd write and one more epoll_wait) whenever a new timer is due before the one it sleeps towards; each
//! call sets two (its deadline, its attempt's) 15 s away, so with no nearer timer every call paid three extra
//! system calls (strace at concurrency 1: 10.4 per call). The ticker sleeps for good after a second without calls.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::OnceLock;
use std::time::Duration;
use tokio::runtime::{Builder, Handle};
use tokio::sync::Notify;

/// Calls started, for the ticker to see activity; and whether it sleeps until the next one.
static STARTED: AtomicU64 = AtomicU64::new(0);
static TICKER_ASLEEP: AtomicBool = AtomicBool::new(false);

fn ticker_wake() -> &'static Notify {
    static WAKE: OnceLock<Notify> = OnceLock::new();
    WAKE.get_or_init(Notify::new)
}

#[napi_derive::module_init]
fn init() {
    super::panics::install_hook();
    let per_core = std::thread::available_parallelism().map_or(2, |n| n.get()).clamp(1, 4);
    let runtime = Builder::new_multi_thread().worker_threads(per_core).thread_name("wechat-openapi").enable_all().build();
    if let Ok(runtime) = runtime {
        napi::bindgen_prelude::create_custom_tokio_runtime(runtime);
    }
}

/// Where calls run; started on the first call. Each call started is counted (see `keep_timer_armed`).
pub fn calls() -> &'static Handle {
    STARTED.fetch_add(1, Ordering::SeqCst);
    if TICKER_ASLEEP.load(Ordering::SeqCst) {
        TICKER_ASLEEP.store(false, Ordering::SeqCst);
        ticker_wake().notify_one();
    }
    calls_handle()
}

/// The calls runtime without counting a call: what the JS thread's executor enters while it polls, so that a
/// call's timers, DNS lookups and Redis connections belong to it.
pub fn calls_handle() -> &'static Handle {
    static CALLS: OnceLock<Handle> = OnceLock::new();
    CALLS.get_or_init(|| {
        let handle = calls_runtime();
        handle.spawn(keep_timer_armed());
        handle
    })
}

/// A timer due within a second while calls keep coming, so that a call's own timers are never the nearest.
async fn keep_timer_armed() {
    loop {
        let seen = STARTED.load(Ordering::SeqCst);
        tokio::time::sleep(Duration::from_secs(1)).await;
        if STARTED.load(Ordering::SeqCst) == seen {
            let woken = ticker_wake().notified();
            tokio::pin!(woken);
            woken.as_mut().enable();
            TICKER_ASLEEP.store(true, Ordering::SeqCst);
            if STARTED.load(Ordering::SeqCst) == seen {
                woken.await;
            }
            TICKER_ASLEEP.store(false, Ordering::SeqCst);
        }
    }
}

fn calls_runtime() -> Handle {
    let workers = std::env::var("WECHAT_OPENAPI_WORKER_THREADS").ok().and_then(|v| v.parse::<usize>().ok()).filter(|n| (1..=64).contains(n));
    match workers {
        Some(n) => {
            let runtime = Builder::new_multi_thread().worker_threads(n).thread_name("wechat-openapi-calls").enable_all().build().expect("the calls runtime");
            let handle = runtime.handle().clone();
            // Lives as long as the process, like napi-rs's own runtime.
            std::mem::forget(runtime);
            handle
        }
        None => {
            let runtime = Builder::new_current_thread().enable_all().build().expect("the calls runtime");
            let handle = runtime.handle().clone();
            std::thread::Builder::new()
                .name("wechat-openapi-calls".into())
                .spawn(move || runtime.block_on(std::future::pending::<()>()))
                .expect("the calls thread");
            handle
        }
    }
}
