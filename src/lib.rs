//! wechat-openapi: WeChat's server OpenAPI for Node, with a Rust core.
//! The core (everything but `node`) knows nothing of N-API and is tested with `cargo test`.
//! The emulator is its own module and shares only the catalogue and crypto with the client.

pub mod bigint;
pub mod case;
pub mod catalogue;
pub mod client;
pub mod component;
pub mod crypto;
pub mod emulator;
pub mod error;
pub mod redis;
#[cfg(test)]
mod fuzz_support;
pub mod secret;
pub mod store;
pub mod token;
pub mod transport;

mod node;
