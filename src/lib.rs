//! wechat-openapi: WeChat's server OpenAPI for Node, with a Rust core.
//! The core (everything but `node`) knows nothing of N-API and is tested with `cargo test`.

pub mod case;
pub mod catalogue;
pub mod emulator;
pub mod error;
pub mod secret;

mod node;
