//! Access tokens: where they come from (`source`), the in-process cache in front of them, the store-backed
//! source that lets many processes share one token (`shared`, refreshing under `lock`; every stored token is in
//! one codec, `record`), what any token must look like before it is sent (`shape`), the `token` events (`observed`) and how long a token handed over without a known lifetime is trusted
//! (`lifetime`). Every request a source makes goes through the exchange; the cache is the exchange's renewable
//! token.

mod cache;
mod lock;
pub mod lifetime;
mod observed;
mod shape;
pub mod record;
mod shared;
mod source;

pub(crate) use cache::early_margin;
pub use cache::TokenCache;
pub use observed::ObservedSource;
pub use lock::LockTimes;
pub use shared::SharedTokenSource;
pub use source::{FixedSource, FreshToken, ProviderFn, ProviderSource, StableOrClassicSource, TokenMode, TokenSource};
