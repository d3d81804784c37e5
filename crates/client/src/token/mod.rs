//! Access tokens: where they come from (`source`), the in-process cache in front of them, and the Redis-backed
//! source that lets many processes share one token (`shared`).

mod cache;
mod shared;
mod source;
pub mod wire;

pub(crate) use cache::early_margin;
pub use cache::TokenCache;
pub use shared::SharedTokenSource;
pub use source::{FixedSource, FreshToken, ProviderFn, ProviderSource, StableOrClassicSource, TokenSource};
