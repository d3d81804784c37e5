//! The JS thread as a `wechat_client::host::Host`: sockets on libuv, connection tasks on the executor, large
//! answers read elsewhere (the event loop stays free for the program's own work).

use super::executor::JsLoop;
use futures::future::BoxFuture;
use std::io;
use std::net::SocketAddr;
use wechat_client::host::{BoxSocket, Host};

pub struct JsHost {
    key: usize,
}

impl JsHost {
    pub fn new(key: usize) -> JsHost {
        JsHost { key }
    }
}

impl Host for JsHost {
    fn key(&self) -> usize {
        self.key
    }

    fn connect(&self, addr: SocketAddr) -> BoxFuture<'static, io::Result<BoxSocket>> {
        Box::pin(super::socket::connect(addr))
    }

    fn spawn(&self, task: BoxFuture<'static, ()>) {
        match JsLoop::current() {
            Some(js_loop) if js_loop.key() == self.key => js_loop.spawn(task),
            // Only futures this loop polls see this host; were one elsewhere, its sockets refuse to be used off
            // their thread, so the task ends with an error instead of touching libuv.
            _ => drop(tokio::spawn(task)),
        }
    }

    fn offload_heavy_work(&self) -> bool {
        true
    }
}
