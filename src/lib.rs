//! The binding: the only crate that touches N-API and the only cdylib. It converts between JS values and the
//! core's types (`wechat-client`, `wechat-emulator`); no decision is made here.

mod ascii_text;
mod client;
mod component;
mod crypto;
mod delivery;
mod emulator;
mod hooks;
mod js_callback;
mod js_loop;
mod observe;
mod outcome;
mod panics;
mod push;
mod runtime;
mod store;
