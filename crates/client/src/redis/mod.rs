//! Redis for many processes and machines: the connection and its health, the key prefix, the compare-and-act
//! scripts, and the store (durable state, and the atomic set-if-absent and delete-if-equal that locks are made
//! of). `token::SharedTokenSource` puts the token parts together over any store that locks: redis knows nothing
//! of tokens.

pub mod config;
mod conn;
mod health;
pub mod keys;
mod scripts;
mod store;

pub use config::{RawRedisOptions, RedisConfig};
pub use conn::{Conn, Redis};
pub use health::{Change, Health};
pub use scripts::{CLAIM, DEL_IF_EQUAL, DROP_LOCK_WITHOUT_TTL, REPLACE_IF_EQUAL, SET_IF_UNCHANGED};
pub use store::RedisStore;

#[cfg(test)]
pub mod test_server;
#[cfg(test)]
mod tests;
#[cfg(test)]
mod topology_tests;
