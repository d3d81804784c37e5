//! The SDK core: config, the exchange with WeChat (the one road every request takes), tokens and their
//! caches, the third-party platform, stores (memory, caller-provided, Redis) and transport.
//! It knows nothing of N-API; the binding crate converts its values for JS.

pub mod client;
pub mod component;
pub mod error;
pub mod exchange;
pub mod form;
pub mod host;
pub mod push;
pub mod redis;
pub mod store;
pub mod token;
pub mod transport;
