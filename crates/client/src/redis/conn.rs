//! One Redis connection per client, made on first use and kept by the redis crate's `ConnectionManager`
//! (which reconnects by itself). Every operation is bounded by `op_timeout`, connecting included, and reports
//! to `Health`, so a dead or slow Redis costs a caller at most one timeout before the process stops asking.

use super::config::RedisConfig;
use super::health::Health;
use crate::error::Error;
use wechat_protocol::secret::scrub;
use redis::aio::{ConnectionManager, ConnectionManagerConfig};
use redis::{FromRedisValue, RedisResult};
use std::future::Future;

pub struct Redis {
    config: RedisConfig,
    client: redis::Client,
    manager: tokio::sync::Mutex<Option<ConnectionManager>>,
    health: Health,
}

impl Redis {
    /// Checks the URL only; nothing connects until the first operation (so `init` stays synchronous and works
    /// while Redis is down).
    pub fn new(config: RedisConfig) -> Result<Redis, String> {
        let health = Health::new(config.label.clone());
        Redis::with_health(config, health)
    }

    pub fn with_health(config: RedisConfig, health: Health) -> Result<Redis, String> {
        let client = redis::Client::open(config.url.expose()).map_err(|_| format!("store: Redis cannot use this URL: {}", config.label))?;
        Ok(Redis { config, client, manager: tokio::sync::Mutex::new(None), health })
    }

    pub fn config(&self) -> &RedisConfig {
        &self.config
    }

    /// Whether shared mode is on now (false while Redis is down and its backoff runs).
    pub fn available(&self) -> bool {
        self.health.allows()
    }

    /// Runs one command.
    pub async fn query<T: FromRedisValue>(&self, what: &str, cmd: redis::Cmd) -> Result<T, Error> {
        self.run(what, |mut conn| {
            let cmd = cmd.clone();
            async move { cmd.query_async(&mut conn).await }
        })
        .await
    }

    /// Runs `op` on the connection within the operation timeout, and records the outcome.
    pub async fn run<T, F, Fut>(&self, what: &str, op: F) -> Result<T, Error>
    where
        F: Fn(ConnectionManager) -> Fut,
        Fut: Future<Output = RedisResult<T>>,
    {
        let attempt = async {
            let conn = self.connection().await?;
            match op(conn.clone()).await {
                // The first command after Redis restarted meets the dead socket and makes the manager reconnect:
                // one more try is answered by the new connection.
                Err(e) if e.is_io_error() || e.is_connection_dropped() => op(conn).await,
                other => other,
            }
        };
        let outcome = tokio::time::timeout(self.config.op_timeout, attempt).await;
        let silent = || format!("no answer within {} ms", self.config.op_timeout.as_millis());
        let reason = match outcome {
            Ok(Ok(value)) => {
                self.health.succeeded();
                return Ok(value);
            }
            Ok(Err(e)) if e.is_timeout() => silent(),
            Ok(Err(e)) => scrub(&e.to_string(), self.config.password.as_ref()),
            Err(_) => silent(),
        };
        self.health.failed(&reason);
        Err(Error::network("", format!("Redis {what} failed: {reason}")))
    }

    async fn connection(&self) -> RedisResult<ConnectionManager> {
        let mut slot = self.manager.lock().await;
        if let Some(conn) = slot.as_ref() {
            return Ok(conn.clone());
        }
        // One connect attempt per reconnect, no sleeping retries inside the manager (they outlast the operation
        // timeout): `Health` decides when to try again, and the next operation makes the manager reconnect.
        let settings = ConnectionManagerConfig::new()
            .set_number_of_retries(0)
            .set_connection_timeout(self.config.op_timeout)
            .set_response_timeout(self.config.op_timeout);
        let conn = ConnectionManager::new_with_config(self.client.clone(), settings).await?;
        *slot = Some(conn.clone());
        Ok(conn)
    }
}
