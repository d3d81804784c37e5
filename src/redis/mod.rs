//! Redis for many processes and machines: the connection and its health, the key layout, the refresh lock and
//! the compare-and-delete scripts. `token::SharedTokenSource` puts them together.

pub mod config;
mod conn;
mod health;
pub mod keys;
mod lock;
mod scripts;
pub mod token_value;

pub use config::{RawRedisOptions, RedisConfig};
pub use conn::Redis;
pub use health::{Change, Health};
pub use lock::Lock;
pub use scripts::{FORGET_TOKEN, RELEASE_LOCK};

#[cfg(test)]
pub mod test_server;
#[cfg(test)]
mod tests;
