//! Access tokens: where they come from (`source`) and the in-process cache in front of them.

mod cache;
mod source;
pub mod wire;

pub use cache::TokenCache;
pub use source::{FixedSource, FreshToken, ProviderFn, ProviderSource, StableOrClassicSource, TokenSource};
