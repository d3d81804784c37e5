//! Where durable state lives: component_verify_tickets, access tokens and authorizer refresh tokens all go
//! through this one small async interface, so a deployment can keep them in memory (the default), in its own
//! database through a JS object (`store: { get, set, del }`), or later in Redis.
//!
//! Values are strings; a TTL is optional (refresh tokens have none, tickets 12 h, access tokens their
//! lifetime). Keys follow [`keys`]; their layout is public because users read them in their own stores.

pub mod keys;
mod memory;

pub use memory::MemoryStore;

use crate::error::Error;
use futures::future::BoxFuture;
use std::time::Duration;

pub trait Store: Send + Sync + 'static {
    /// The value, or None when absent or expired.
    fn get(&self, key: &str) -> BoxFuture<'static, Result<Option<String>, Error>>;
    /// Sets the value; `ttl` None keeps it until deleted.
    fn set(&self, key: &str, value: &str, ttl: Option<Duration>) -> BoxFuture<'static, Result<(), Error>>;
    fn del(&self, key: &str) -> BoxFuture<'static, Result<(), Error>>;
}

/// A store failure as the SDK reports it: never the value, only the key and what the store said.
pub fn store_error(op: &str, key: &str, message: &str) -> Error {
    Error::system("", format!("store.{op}({key:?}) failed: {message}"))
}
