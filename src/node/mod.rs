//! N-API only: converts between JS and the core. No decisions are made here.

mod emulator;
