//! Access tokens: where they come from (`source`), the in-process cache in front of them, the store-backed
//! source that lets many processes share one token (`shared`; every stored token is in one codec, `record`), the
//! `token` events (`observed`) and how long a token handed over without a known lifetime is trusted
//! (`lifetime`). Every request a source makes goes through the exchange; the cache is the exchange's renewable
//! token.

mod cache;
pub mod lifetime;
mod observed;
pub mod record;
mod shared;
mod source;

pub(crate) use cache::early_margin;
pub use cache::TokenCache;
pub use observed::ObservedSource;
pub use shared::SharedTokenSource;
pub use source::{FixedSource, FreshToken, ProviderFn, ProviderSource, StableOrClassicSource, TokenMode, TokenSource};
