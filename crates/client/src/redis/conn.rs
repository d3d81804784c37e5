//! One Redis connection per client, made on first use: a single server through the redis crate's
//! `ConnectionManager` (which reconnects by itself), a Redis Cluster through its cluster client (which follows
//! slot moves and failovers by itself), or the primary Sentinel names (asked again after a connection error or a
//! `READONLY` answer, so a failover is followed). TLS (`rediss://`, with the configured CA and client
//! certificate) applies to all three. Every operation is bounded by `op_timeout`, connecting included, and
//! reports to `Health`, so a dead or slow Redis costs a caller at most one timeout before the process stops
//! asking.

use super::config::{RedisConfig, Topology};
use super::health::Health;
use crate::error::Error;
use wechat_protocol::secret::{scrub, Secret};
use redis::aio::{ConnectionLike, ConnectionManager, ConnectionManagerConfig, MultiplexedConnection};
use redis::cluster::ClusterClient;
use redis::cluster_async::ClusterConnection;
use redis::sentinel::{SentinelClient, SentinelNodeConnectionInfo, SentinelServerType};
use redis::{Cmd, FromRedisValue, Pipeline, RedisFuture, RedisResult, Value};
use std::future::Future;

/// How the connection is made.
enum Backend {
    Single(redis::Client),
    Cluster(ClusterClient),
    /// Asked for the primary on every (re)connect.
    Sentinel(tokio::sync::Mutex<SentinelClient>),
}

/// A connection of any of the three kinds; cheap to clone (each is a handle on one multiplexed connection).
#[derive(Clone)]
pub enum Conn {
    Single(ConnectionManager),
    Cluster(ClusterConnection),
    Sentinel(MultiplexedConnection),
}

impl ConnectionLike for Conn {
    fn req_packed_command<'a>(&'a mut self, cmd: &'a Cmd) -> RedisFuture<'a, Value> {
        match self {
            Conn::Single(c) => c.req_packed_command(cmd),
            Conn::Cluster(c) => c.req_packed_command(cmd),
            Conn::Sentinel(c) => c.req_packed_command(cmd),
        }
    }

    fn req_packed_commands<'a>(&'a mut self, cmd: &'a Pipeline, offset: usize, count: usize) -> RedisFuture<'a, Vec<Value>> {
        match self {
            Conn::Single(c) => c.req_packed_commands(cmd, offset, count),
            Conn::Cluster(c) => c.req_packed_commands(cmd, offset, count),
            Conn::Sentinel(c) => c.req_packed_commands(cmd, offset, count),
        }
    }

    fn get_db(&self) -> i64 {
        match self {
            Conn::Single(c) => c.get_db(),
            Conn::Cluster(c) => c.get_db(),
            Conn::Sentinel(c) => c.get_db(),
        }
    }
}

pub struct Redis {
    config: RedisConfig,
    backend: Backend,
    conn: tokio::sync::Mutex<Option<Conn>>,
    health: Health,
}

fn backend(config: &RedisConfig) -> RedisResult<Backend> {
    let certs = config.tls.as_ref().map(|t| t.certificates());
    Ok(match &config.topology {
        Topology::Single => match certs {
            Some(certs) => Backend::Single(redis::Client::build_with_tls(config.url.expose(), certs)?),
            None => Backend::Single(redis::Client::open(config.url.expose())?),
        },
        Topology::Cluster { nodes } => {
            let mut builder = ClusterClient::builder(nodes.iter().map(|n| n.expose().to_owned()))
                .connection_timeout(config.op_timeout)
                .response_timeout(config.op_timeout)
                // Retries wait for a failover to finish; the operation timeout bounds them.
                .retries(3)
                .min_retry_wait(10)
                .max_retry_wait(100);
            if let Some(certs) = certs {
                builder = builder.certs(certs);
            }
            Backend::Cluster(builder.build()?)
        }
        Topology::Sentinel { sentinels, name } => {
            let urls: Vec<&str> = sentinels.iter().map(Secret::expose).collect();
            let tls = config.tls.is_some();
            let node = SentinelNodeConnectionInfo {
                tls_mode: tls.then_some(redis::TlsMode::Secure),
                redis_connection_info: Some(redis::IntoConnectionInfo::into_connection_info(urls[0])?.redis),
            };
            let client = match certs {
                Some(certs) => {
                    let addrs: Vec<redis::ConnectionAddr> =
                        urls.iter().map(|u| redis::IntoConnectionInfo::into_connection_info(*u).map(|i| i.addr)).collect::<RedisResult<_>>()?;
                    let info = node.redis_connection_info.clone().unwrap_or_default();
                    let mut b = redis::sentinel::SentinelClientBuilder::new(addrs, name.clone(), SentinelServerType::Master)?
                        .set_client_to_redis_tls_mode(redis::TlsMode::Secure)
                        .set_client_to_sentinel_tls_mode(redis::TlsMode::Secure)
                        .set_client_to_redis_certificates(certs.clone())
                        .set_client_to_sentinel_certificates(certs)
                        .set_client_to_redis_db(info.db);
                    if let Some(pw) = info.password {
                        b = b.set_client_to_redis_password(pw.clone()).set_client_to_sentinel_password(pw);
                    }
                    b.build()?
                }
                None => SentinelClient::build(urls, name.clone(), Some(node), SentinelServerType::Master)?,
            };
            Backend::Sentinel(tokio::sync::Mutex::new(client))
        }
    })
}

impl Redis {
    /// Checks the URL only; nothing connects until the first operation (so `init` stays synchronous and works
    /// while Redis is down).
    pub fn new(config: RedisConfig) -> Result<Redis, String> {
        let health = Health::new(config.label.clone());
        Redis::with_health(config, health)
    }

    pub fn with_health(config: RedisConfig, health: Health) -> Result<Redis, String> {
        let backend = backend(&config).map_err(|e| format!("store: Redis cannot use this configuration ({}): {}", scrub(&e.to_string(), config.password.as_ref()), config.label))?;
        Ok(Redis { config, backend, conn: tokio::sync::Mutex::new(None), health })
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
        F: Fn(Conn) -> Fut,
        Fut: Future<Output = RedisResult<T>>,
    {
        let attempt = async {
            let conn = self.connection().await?;
            match op(conn.clone()).await {
                // The first command after Redis restarted (or failed over) meets the dead socket, or a primary
                // turned replica: one more try on a new connection is answered by the current primary.
                Err(e) if e.is_io_error() || e.is_connection_dropped() || e.is_connection_refusal() || e.kind() == redis::ErrorKind::ReadOnly => {
                    let conn = match conn {
                        // Sentinel is asked for the primary again.
                        Conn::Sentinel(_) => {
                            *self.conn.lock().await = None;
                            self.connection().await?
                        }
                        // The manager and the cluster client reconnect by themselves.
                        other => other,
                    };
                    op(conn).await
                }
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
        if matches!(self.backend, Backend::Sentinel(_)) {
            // The next operation asks Sentinel for the primary again.
            *self.conn.lock().await = None;
        }
        self.health.failed(&reason);
        Err(Error::network("", format!("Redis {what} failed: {reason}")))
    }

    async fn connection(&self) -> RedisResult<Conn> {
        let mut slot = self.conn.lock().await;
        if let Some(conn) = slot.as_ref() {
            return Ok(conn.clone());
        }
        let conn = match &self.backend {
            Backend::Single(client) => {
                // One connect attempt per reconnect, no sleeping retries inside the manager (they outlast the
                // operation timeout): `Health` decides when to try again, and the next operation makes the
                // manager reconnect.
                let settings = ConnectionManagerConfig::new()
                    .set_number_of_retries(0)
                    .set_connection_timeout(self.config.op_timeout)
                    .set_response_timeout(self.config.op_timeout);
                Conn::Single(ConnectionManager::new_with_config(client.clone(), settings).await?)
            }
            Backend::Cluster(client) => Conn::Cluster(client.get_async_connection().await?),
            Backend::Sentinel(client) => {
                let settings = redis::AsyncConnectionConfig::new()
                    .set_connection_timeout(self.config.op_timeout)
                    .set_response_timeout(self.config.op_timeout);
                Conn::Sentinel(client.lock().await.get_async_connection_with_config(&settings).await?)
            }
        };
        *slot = Some(conn.clone());
        Ok(conn)
    }
}
