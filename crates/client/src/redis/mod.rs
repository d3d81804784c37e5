//! Redis for many processes and machines: the connection and its health, the key layout, the refresh lock and
//! the compare-and-delete scripts, and the store for durable state. `token::SharedTokenSource` puts the token
//! parts together (and keeps the stored value's layout, `token::shared_value`): redis knows nothing of tokens.

pub mod config;
mod conn;
mod health;
pub mod keys;
mod lock;
mod scripts;
mod store;

pub use config::{RawRedisOptions, RedisConfig};
pub use conn::{Conn, Redis};
pub use health::{Change, Health};
pub use lock::Lock;
pub use scripts::{DROP_LOCK_WITHOUT_TTL, FORGET_TOKEN, RELEASE_LOCK, SET_IF_UNCHANGED};
pub use store::RedisStore;

#[cfg(test)]
pub mod test_server;
#[cfg(test)]
mod tests;
#[cfg(test)]
mod topology_tests;
