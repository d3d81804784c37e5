//! N-API only: converts between JS and the core. No decisions are made here.

mod client;
mod emulator;
mod observe;
mod outcome;
mod push_debug;
mod runtime;
