//! A TCP socket whose readiness comes from libuv on the JS thread: non-blocking reads and writes straight
//! from the thread that polls the call, a poll handle asked for only the events a task waits on. Readable
//! interest normally stays on for a connection's life (hyper always waits to read), so a call costs no epoll
//! changes: its write, the loop's wake-up and its reads.

use super::executor::{thread_key, JsLoop};
use super::uv::{self, READABLE, WRITABLE};
use socket2::{Domain, Protocol, SockRef, Socket, Type};
use std::ffi::{c_int, c_void};
use std::io::{self, IoSlice, Write};
use std::mem::ManuallyDrop;
use std::net::{Shutdown, SocketAddr, TcpStream};
use std::os::fd::AsRawFd;
use std::pin::Pin;
use std::task::{Context, Poll, Waker};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use wechat_client::host::BoxSocket;

/// What the poll handle's callback needs: who waits for what, and what libuv last said is ready.
struct Watch {
    handle: *mut c_void,
    interest: c_int,
    reader: Option<Waker>,
    writer: Option<Waker>,
    /// READABLE/WRITABLE bits not known to be exhausted: cleared when an operation would block, set when libuv
    /// reports the event. A task polled for another reason (hyper's connection task is woken by its channel
    /// too) then waits without a system call that can only say "would block" (measured: 5 failed recvs per
    /// call at concurrency 128 without it).
    ready: c_int,
}

pub struct UvSocket {
    stream: ManuallyDrop<TcpStream>,
    watch: *mut Watch,
    /// The loop whose thread may touch this socket's handle.
    key: usize,
}

// SAFETY: the socket is only handed to futures its loop polls (the host's `connect`, hyper's connection task
// on the loop's executor). Every method checks it runs on that loop's thread before touching libuv, and a
// socket dropped elsewhere leaks its handle and descriptor rather than touch them.
unsafe impl Send for UvSocket {}

/// Connects to `addr` without blocking: the connection completes when libuv says the socket is writable.
pub async fn connect(addr: SocketAddr) -> io::Result<BoxSocket> {
    let socket = Socket::new(Domain::for_address(addr), Type::STREAM, Some(Protocol::TCP))?;
    socket.set_nonblocking(true)?;
    socket.set_tcp_nodelay(true)?;
    match socket.connect(&addr.into()) {
        Ok(()) => {}
        Err(e) if e.raw_os_error() == Some(libc::EINPROGRESS) || e.kind() == io::ErrorKind::WouldBlock => {}
        Err(e) => return Err(e),
    }
    let mut socket = UvSocket::new(socket.into())?;
    std::future::poll_fn(|cx| socket.poll_connected(cx)).await?;
    Ok(Box::pin(socket))
}

impl UvSocket {
    fn new(stream: TcpStream) -> io::Result<UvSocket> {
        let (Some(uv), Some(js_loop)) = (uv::uv(), JsLoop::current()) else {
            return Err(io::Error::other("no event loop on this thread"));
        };
        let watch = Box::into_raw(Box::new(Watch { handle: std::ptr::null_mut(), interest: 0, reader: None, writer: None, ready: READABLE | WRITABLE }));
        let Some(handle) = uv.poll(js_loop.event_loop(), stream.as_raw_fd(), watch.cast()) else {
            drop(unsafe { Box::from_raw(watch) });
            return Err(io::Error::other("libuv refused to watch the socket"));
        };
        // Pending calls hold the loop open (the executor's handle); an idle connection must not.
        unsafe {
            (uv.unref_handle)(handle);
            (*watch).handle = handle;
        }
        Ok(UvSocket { stream: ManuallyDrop::new(stream), watch, key: js_loop.key() })
    }

    fn on_loop(&self) -> io::Result<()> {
        if thread_key() == self.key {
            Ok(())
        } else {
            Err(io::Error::other("a socket was used off its event loop's thread"))
        }
    }

    /// Waits for `event` (READABLE or WRITABLE), starting the handle's interest in it if needed.
    fn wait(&mut self, cx: &Context<'_>, event: c_int) {
        // SAFETY: on the loop's thread (checked by the caller); the watch lives until drop.
        let watch = unsafe { &mut *self.watch };
        let waiter = if event == READABLE { &mut watch.reader } else { &mut watch.writer };
        match waiter {
            Some(w) if w.will_wake(cx.waker()) => {}
            _ => *waiter = Some(cx.waker().clone()),
        }
        if watch.interest & event == 0 {
            watch.interest |= event;
            if let Some(uv) = uv::uv() {
                unsafe { (uv.poll_start)(watch.handle, watch.interest, fired) };
            }
        }
    }

    fn poll_connected(&mut self, cx: &Context<'_>) -> Poll<io::Result<()>> {
        self.on_loop()?;
        if let Some(e) = self.stream.take_error()? {
            return Poll::Ready(Err(e));
        }
        match self.stream.peer_addr() {
            Ok(_) => Poll::Ready(Ok(())),
            Err(e) if e.kind() == io::ErrorKind::NotConnected => {
                self.wait(cx, WRITABLE);
                Poll::Pending
            }
            Err(e) => Poll::Ready(Err(e)),
        }
    }

    /// Runs a non-blocking operation; when it would block, waits for `event`.
    fn io<T>(&mut self, cx: &Context<'_>, event: c_int, mut op: impl FnMut(&TcpStream) -> io::Result<T>) -> Poll<io::Result<T>> {
        self.on_loop()?;
        // SAFETY: on the loop's thread; the watch lives until drop.
        if unsafe { (*self.watch).ready } & event == 0 {
            self.wait(cx, event);
            return Poll::Pending;
        }
        loop {
            match op(&self.stream) {
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => {
                    unsafe { (*self.watch).ready &= !event };
                    self.wait(cx, event);
                    return Poll::Pending;
                }
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                other => return Poll::Ready(other),
            }
        }
    }
}

/// libuv says the socket is ready: wake whoever waits; stop watching what nobody waits for (the handle is
/// level-triggered, and would otherwise call back on every turn of the loop).
unsafe extern "C" fn fired(handle: *mut c_void, status: c_int, events: c_int) {
    let Some(uv) = uv::uv() else { return };
    let watch = uv.data(handle) as *mut Watch;
    let Some(js_loop) = JsLoop::current() else { return };
    if watch.is_null() {
        return;
    }
    js_loop.run_from_libuv(|| {
        // SAFETY: a stopped handle is not called back, and the watch is freed only after stopping it.
        let watch = unsafe { &mut *watch };
        // An error is reported to both sides: their next read or write returns it.
        let ready = if status < 0 { READABLE | WRITABLE } else { events };
        watch.ready |= ready;
        let mut unwanted = 0;
        for (event, waiter) in [(READABLE, &mut watch.reader), (WRITABLE, &mut watch.writer)] {
            if ready & event != 0 && watch.interest & event != 0 {
                match waiter.take() {
                    Some(w) => w.wake(),
                    None => unwanted |= event,
                }
            }
        }
        if unwanted != 0 {
            watch.interest &= !unwanted;
            unsafe {
                if watch.interest == 0 {
                    (uv.poll_stop)(handle);
                } else {
                    (uv.poll_start)(handle, watch.interest, fired);
                }
            }
        }
    });
}

impl Drop for UvSocket {
    fn drop(&mut self) {
        if self.on_loop().is_err() {
            // Off its loop (never expected): leak the handle and the descriptor rather than race libuv.
            return;
        }
        if let Some(uv) = uv::uv() {
            // SAFETY: on the loop's thread; a stopped handle is not called back, so the watch can go now.
            unsafe {
                let watch = Box::from_raw(self.watch);
                (uv.poll_stop)(watch.handle);
                uv.close(watch.handle);
            }
        }
        // The handle no longer watches the descriptor: it may be closed.
        unsafe { ManuallyDrop::drop(&mut self.stream) };
    }
}

impl AsyncRead for UvSocket {
    fn poll_read(self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &mut ReadBuf<'_>) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        let room = buf.remaining();
        // SAFETY: recv writes only initialised bytes and says how many.
        let read = this.io(cx, READABLE, |s| SockRef::from(s).recv(unsafe { buf.unfilled_mut() }));
        match read {
            Poll::Ready(Ok(n)) => {
                unsafe { buf.assume_init(n) };
                buf.advance(n);
                if n < room {
                    // A stream socket that filled less than the room it was given is drained (libuv's own rule):
                    // the next read waits for libuv instead of asking the kernel only to hear EAGAIN (strace:
                    // 2 recvs per call before, as against undici's 1).
                    unsafe { (*this.watch).ready &= !READABLE };
                }
                Poll::Ready(Ok(()))
            }
            Poll::Ready(Err(e)) => Poll::Ready(Err(e)),
            Poll::Pending => Poll::Pending,
        }
    }
}

impl AsyncWrite for UvSocket {
    fn poll_write(self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &[u8]) -> Poll<io::Result<usize>> {
        self.get_mut().io(cx, WRITABLE, |mut s| s.write(buf))
    }

    fn poll_write_vectored(self: Pin<&mut Self>, cx: &mut Context<'_>, bufs: &[IoSlice<'_>]) -> Poll<io::Result<usize>> {
        self.get_mut().io(cx, WRITABLE, |mut s| s.write_vectored(bufs))
    }

    fn is_write_vectored(&self) -> bool {
        true
    }

    fn poll_flush(self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Poll::Ready(Ok(()))
    }

    fn poll_shutdown(self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        self.on_loop()?;
        match self.stream.shutdown(Shutdown::Write) {
            Err(e) if e.kind() != io::ErrorKind::NotConnected => Poll::Ready(Err(e)),
            _ => Poll::Ready(Ok(())),
        }
    }
}
