//! N-API only: converts between JS and the core. No decisions are made here.

mod client;
mod component;
mod crypto;
mod emulator;
mod hooks;
mod observe;
mod outcome;
mod panics;
mod runtime;
mod settle;
mod store;
