//! Where a request's sockets and background tasks live. By default that is tokio: the runtime the call runs
//! on. A program that turns its own event loop (the Node binding: libuv, on the JS thread) installs a host of
//! its own while it polls a call, so the call's socket I/O happens on that loop and the call never crosses to
//! another thread and back (two wake-ups and about six system calls per call; see bench/RESULTS.md).
//!
//! The host is looked up when a connection is made (sockets, hyper's connection task) and when the exchange
//! decides whether reading a large answer should leave the current thread. Connections are pooled per host
//! (`key`): a connection made on one event loop is reused only by calls polled on that loop.

use futures::channel::oneshot;
use futures::future::{abortable, AbortHandle, BoxFuture, FutureExt};
use std::cell::RefCell;
use std::future::Future;
use std::panic::AssertUnwindSafe;
use std::io;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::{Arc, OnceLock};

/// A connected TCP socket, readable and writable the tokio way (TLS and hyper sit on top of it).
pub trait Socket: tokio::io::AsyncRead + tokio::io::AsyncWrite + Send {}
impl<T: tokio::io::AsyncRead + tokio::io::AsyncWrite + Send> Socket for T {}

pub type BoxSocket = Pin<Box<dyn Socket>>;

pub trait Host: Send + Sync {
    /// Which pool this host's connections belong to. tokio's is 0.
    fn key(&self) -> usize;
    /// A TCP connection to `addr`, TCP_NODELAY set. The caller bounds the time it may take.
    fn connect(&self, addr: SocketAddr) -> BoxFuture<'static, io::Result<BoxSocket>>;
    /// Runs a connection's background task (hyper's connection driver) until it ends. Called only from a
    /// future this host polls.
    fn spawn(&self, task: BoxFuture<'static, ()>);
    /// Whether CPU-heavy work (reading an answer of tens of kilobytes or more) should leave this thread: true
    /// for an event loop that must stay free for other work.
    fn offload_heavy_work(&self) -> bool;
}

/// tokio's: the runtime the caller runs on.
pub struct Tokio;

impl Host for Tokio {
    fn key(&self) -> usize {
        0
    }

    fn connect(&self, addr: SocketAddr) -> BoxFuture<'static, io::Result<BoxSocket>> {
        Box::pin(async move {
            let stream = tokio::net::TcpStream::connect(addr).await?;
            stream.set_nodelay(true)?;
            Ok(Box::pin(stream) as BoxSocket)
        })
    }

    fn spawn(&self, task: BoxFuture<'static, ()>) {
        tokio::spawn(task);
    }

    fn offload_heavy_work(&self) -> bool {
        false
    }
}

thread_local! {
    static CURRENT: RefCell<Option<Arc<dyn Host>>> = const { RefCell::new(None) };
}

/// The host of the future being polled on this thread: the one `enter`ed, else tokio.
pub fn current() -> Arc<dyn Host> {
    CURRENT.with(|c| c.borrow().clone()).unwrap_or_else(tokio_host)
}

fn tokio_host() -> Arc<dyn Host> {
    static TOKIO: OnceLock<Arc<dyn Host>> = OnceLock::new();
    TOKIO.get_or_init(|| Arc::new(Tokio)).clone()
}

/// Whether the current host wants heavy work off its thread (without cloning it).
pub fn offloads_heavy_work() -> bool {
    CURRENT.with(|c| c.borrow().as_ref().is_some_and(|h| h.offload_heavy_work()))
}

/// Runs `task` as a task of its own on the current host (the JS thread's loop while a call is polled there, else
/// tokio), so that its sockets come from the same pool as the call that started it. Resolves to its output, or
/// None when it panicked or was stopped with the handle.
pub fn spawn_here<T: Send + 'static>(task: impl Future<Output = T> + Send + 'static) -> (impl Future<Output = Option<T>>, AbortHandle) {
    let (task, stop) = abortable(AssertUnwindSafe(task).catch_unwind());
    let (tx, rx) = oneshot::channel();
    current().spawn(Box::pin(async move {
        if let Ok(Ok(output)) = task.await {
            let _ = tx.send(output);
        }
    }));
    (async move { rx.await.ok() }, stop)
}

/// Makes `host` current on this thread until the guard is dropped (the previous one is restored).
pub fn enter(host: Arc<dyn Host>) -> Entered {
    Entered { previous: CURRENT.with(|c| c.borrow_mut().replace(host)) }
}

pub struct Entered {
    previous: Option<Arc<dyn Host>>,
}

impl Drop for Entered {
    fn drop(&mut self) {
        let previous = self.previous.take();
        CURRENT.with(|c| *c.borrow_mut() = previous);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Fake(usize);
    impl Host for Fake {
        fn key(&self) -> usize {
            self.0
        }
        fn connect(&self, _: SocketAddr) -> BoxFuture<'static, io::Result<BoxSocket>> {
            Box::pin(async { Err(io::Error::other("fake")) })
        }
        fn spawn(&self, _: BoxFuture<'static, ()>) {}
        fn offload_heavy_work(&self) -> bool {
            true
        }
    }

    #[test]
    fn entered_hosts_nest_and_unwind_to_tokio() {
        assert_eq!(current().key(), 0);
        {
            let _a = enter(Arc::new(Fake(1)));
            assert_eq!(current().key(), 1);
            {
                let _b = enter(Arc::new(Fake(2)));
                assert!(current().offload_heavy_work());
                assert_eq!(current().key(), 2);
            }
            assert_eq!(current().key(), 1);
        }
        assert_eq!(current().key(), 0);
        assert!(!current().offload_heavy_work());
    }
}
