//! The `store` option for Redis, checked once at `init`/`createClient`: one server (`redis://…`, or `rediss://…`
//! for TLS), a Redis Cluster (`{ cluster: [urls] }`) or a primary found through Sentinel
//! (`{ sentinels: [urls], name }`), with optional PEM `ca`, `cert` and `key` for TLS (and mutual TLS). A Redis URL
//! may carry a password, so URLs are kept as `Secret`s and every message shows the redacted form only.

use super::keys::DEFAULT_PREFIX;
use wechat_protocol::secret::{scrub, Secret};
use serde::Deserialize;
use std::time::Duration;

/// A Redis round trip on a healthy network takes about a millisecond; past this, Redis is "slow" and the
/// process refreshes on its own rather than hold calls up.
pub const DEFAULT_OP_TIMEOUT: Duration = Duration::from_millis(300);
/// Longer than one token request normally takes; a holder that dies blocks the others at most this long.
pub use crate::store::DEFAULT_LOCK_TTL;

/// Where the data lives.
#[derive(Clone, Debug)]
pub enum Topology {
    /// One server (`url`).
    Single,
    /// A Redis Cluster reached through any of these nodes.
    Cluster { nodes: Vec<Secret> },
    /// The primary named `name`, as these sentinels report it (followed through failovers).
    Sentinel { sentinels: Vec<Secret>, name: String },
}

/// PEM text for TLS: `ca` replaces the system roots, `cert` + `key` are the client's (mutual TLS).
#[derive(Clone, Debug, Default)]
pub struct TlsPem {
    pub ca: Option<String>,
    pub cert: Option<String>,
    pub key: Option<Secret>,
}

impl TlsPem {
    pub fn certificates(&self) -> redis::TlsCertificates {
        redis::TlsCertificates {
            client_tls: match (&self.cert, &self.key) {
                (Some(cert), Some(key)) => {
                    Some(redis::ClientTlsConfig { client_cert: cert.as_bytes().to_vec(), client_key: key.expose().as_bytes().to_vec() })
                }
                _ => None,
            },
            root_cert: self.ca.as_ref().map(|ca| ca.as_bytes().to_vec()),
        }
    }
}

#[derive(Clone, Debug)]
pub struct RedisConfig {
    /// The URL as given, password included: only ever handed to the redis crate. For a cluster or Sentinel,
    /// the first node's or sentinel's URL (the rest are in `topology`).
    pub url: Secret,
    /// The URL(s) with passwords replaced, for messages.
    pub label: String,
    /// The password alone, scrubbed from any message the redis crate writes.
    pub password: Option<Secret>,
    pub prefix: String,
    /// Bound on every Redis operation (connect included).
    pub op_timeout: Duration,
    pub lock_ttl: Duration,
    pub topology: Topology,
    /// Set when TLS is used (a `rediss://` URL) and PEM was given; with `rediss://` alone the system roots apply.
    pub tls: Option<TlsPem>,
}

/// The JSON the facade sends under `redis` (from `store: 'redis://…'` or
/// `store: { url | cluster | sentinels + name, ca, cert, key, prefix, timeout, lockTtl }`).
#[derive(Deserialize, Debug, Default)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RawRedisOptions {
    pub url: Option<String>,
    pub prefix: Option<String>,
    pub timeout: Option<f64>,
    pub lock_ttl: Option<f64>,
    pub cluster: Option<Vec<String>>,
    pub sentinels: Option<Vec<String>>,
    pub name: Option<String>,
    pub ca: Option<String>,
    pub cert: Option<String>,
    pub key: Option<String>,
}

const ONE_OF: &str = "store needs one of url ('redis://host:6379/0'), cluster (['redis://host:7000', …]) or sentinels (['redis://host:26379', …]) with name";

impl RedisConfig {
    pub fn from_raw(raw: RawRedisOptions) -> Result<RedisConfig, String> {
        let nonempty = |u: &String| !u.trim().is_empty();
        let url = raw.url.filter(nonempty);
        let cluster = raw.cluster.filter(|l| !l.is_empty());
        let sentinels = raw.sentinels.filter(|l| !l.is_empty());
        let (urls, topology_of): (Vec<String>, Box<dyn Fn(Vec<Secret>) -> Topology>) = match (url, cluster, sentinels) {
            (Some(url), None, None) => {
                if raw.name.is_some() {
                    return Err("store.name names a Sentinel primary: give it with store.sentinels".into());
                }
                (vec![url], Box::new(|_| Topology::Single))
            }
            (None, Some(nodes), None) => (nodes, Box::new(|nodes| Topology::Cluster { nodes })),
            (None, None, Some(sentinels)) => {
                let name = raw.name.clone().filter(|n| !n.trim().is_empty()).ok_or("store.sentinels needs store.name (the primary's name in sentinel.conf, like 'mymaster')")?;
                (sentinels, Box::new(move |sentinels| Topology::Sentinel { sentinels, name: name.clone() }))
            }
            (None, None, None) => return Err(if raw.name.is_some() { ONE_OF.into() } else { "store.url must be a redis:// URL".into() }),
            _ => return Err(format!("{ONE_OF}, not several")),
        };
        let mut labels = Vec::new();
        let mut password = None;
        let mut tls_urls = 0;
        for url in &urls {
            let (label, pw, tls) = redact(url)?;
            labels.push(label);
            password = password.or(pw);
            tls_urls += usize::from(tls);
        }
        if tls_urls != 0 && tls_urls != urls.len() {
            return Err(format!("store: either every URL is rediss:// (TLS) or none is, got {}", labels.join(", ")));
        }
        let label = match &topology_of(Vec::new()) {
            Topology::Single => labels[0].clone(),
            Topology::Cluster { .. } => format!("cluster {}", labels.join(",")),
            Topology::Sentinel { name, .. } => format!("sentinel {name} via {}", labels.join(",")),
        };
        let pem = TlsPem { ca: raw.ca.filter(nonempty), cert: raw.cert.filter(nonempty), key: raw.key.filter(nonempty).map(Secret::new) };
        if pem.cert.is_some() != pem.key.is_some() {
            return Err("store.cert and store.key go together (the client certificate and its private key, PEM)".into());
        }
        let given = pem.ca.is_some() || pem.cert.is_some();
        if given && tls_urls == 0 {
            return Err(format!("store.ca/cert/key are for TLS: use rediss:// URLs (got {})", labels.join(", ")));
        }
        for (name, pem_text) in [("ca", pem.ca.as_deref()), ("cert", pem.cert.as_deref()), ("key", pem.key.as_ref().map(Secret::expose))] {
            if pem_text.is_some_and(|t| !t.contains("-----BEGIN ")) {
                return Err(format!("store.{name} must be PEM text (-----BEGIN …), not a file name: read the file first"));
            }
        }
        let tls = (tls_urls != 0).then_some(pem);
        let prefix = raw.prefix.unwrap_or_else(|| DEFAULT_PREFIX.to_owned());
        if prefix.contains(['{', '}']) || prefix.chars().any(char::is_whitespace) {
            return Err(format!("store.prefix must not contain braces or whitespace (they would break the key layout), got {prefix:?}"));
        }
        let op_timeout = millis("store.timeout", raw.timeout, DEFAULT_OP_TIMEOUT, 10, 10_000)?;
        let lock_ttl = millis("store.lockTtl", raw.lock_ttl, DEFAULT_LOCK_TTL, 100, 600_000)?;
        let secrets: Vec<Secret> = urls.iter().map(|u| Secret::new(u.clone())).collect();
        Ok(RedisConfig { url: secrets[0].clone(), label, password, prefix, op_timeout, lock_ttl, topology: topology_of(secrets), tls })
    }
}

fn millis(name: &str, value: Option<f64>, default: Duration, min: u64, max: u64) -> Result<Duration, String> {
    match value {
        None => Ok(default),
        Some(ms) if ms.fract() != 0.0 || ms < min as f64 || ms > max as f64 => {
            Err(format!("{name} must be a whole number of milliseconds from {min} to {max}, got {ms}"))
        }
        Some(ms) => Ok(Duration::from_millis(ms as u64)),
    }
}

/// Checks the URL and returns it with the password masked, the password itself, and whether it is TLS.
fn redact(text: &str) -> Result<(String, Option<Secret>, bool), String> {
    let Ok(mut url) = url::Url::parse(text) else {
        return Err("store must be a redis:// URL like redis://host:6379/0 (the value given does not parse)".into());
    };
    // The password is the userinfo's or, for `redis+unix://`, the query's `pass`/`password`.
    let in_query = url.query_pairs().find(|(k, v)| matches!(k.as_ref(), "pass" | "password") && !v.is_empty()).map(|(_, v)| v.into_owned());
    let password = url.password().filter(|p| !p.is_empty()).map(str::to_owned).or(in_query).map(Secret::new);
    // Before any check that echoes the URL.
    if url.password().is_some_and(|p| !p.is_empty()) {
        url.set_password(Some("***")).map_err(|_| "store: the Redis URL has no host".to_owned())?;
    }
    // The scrubber masks query-string passwords (`pass=[redacted]`) and the password wherever else it shows.
    let label = scrub(url.as_str(), password.as_ref());
    let tls = match url.scheme() {
        "redis" | "redis+unix" | "unix" => false,
        "rediss" => true,
        _ => return Err(format!("store must be a redis:// or rediss:// URL like redis://host:6379/0, got {label}")),
    };
    if redis::Client::open(text).is_err() {
        return Err(format!("store: Redis cannot use this URL: {label}"));
    }
    Ok((label, password, tls))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(url: &str) -> Result<RedisConfig, String> {
        RedisConfig::from_raw(RawRedisOptions { url: Some(url.into()), ..Default::default() })
    }

    #[test]
    fn defaults_and_knobs() {
        let c = parse("redis://127.0.0.1:6379/2").unwrap();
        assert_eq!((c.prefix.as_str(), c.op_timeout, c.lock_ttl), ("wechat-openapi:", DEFAULT_OP_TIMEOUT, DEFAULT_LOCK_TTL));
        assert_eq!(c.label, "redis://127.0.0.1:6379/2");
        let raw = RawRedisOptions { url: Some("redis://h:1/0".into()), prefix: Some("prod:".into()), timeout: Some(250.0), lock_ttl: Some(1500.0), ..Default::default() };
        let c = RedisConfig::from_raw(raw).unwrap();
        assert_eq!((c.prefix.as_str(), c.op_timeout.as_millis(), c.lock_ttl.as_millis()), ("prod:", 250, 1500));
    }

    #[test]
    fn passwords_never_reach_messages() {
        let c = parse("redis://user:hunter2hunter2@10.0.0.1:6380/1").unwrap();
        assert_eq!(c.label, "redis://user:***@10.0.0.1:6380/1");
        assert_eq!(c.password.as_ref().map(Secret::expose), Some("hunter2hunter2"));
        assert!(!format!("{c:?}").contains("hunter2"));
        let c = parse("rediss://:hunter2hunter2@10.0.0.1:6380/1").unwrap();
        assert_eq!(c.label, "rediss://:***@10.0.0.1:6380/1");
        assert!(c.tls.is_some(), "rediss:// is TLS (system roots unless ca is given)");
        let err = parse("http://:hunter2hunter2@10.0.0.1/").unwrap_err();
        assert!(!err.contains("hunter2"), "{err}");
    }

    /// Hardening class 8: `redis+unix://` carries its password in the query string; the label (printed on
    /// stderr when Redis goes down or comes back) never shows it.
    #[test]
    fn query_string_passwords_never_reach_messages() {
        for (url, password) in [("redis+unix:///tmp/redis.sock?db=1&pass=hunter2hunter2", "hunter2hunter2"), ("redis+unix:///tmp/r.sock?password=s3cr3t%22pw", "s3cr3t\"pw")] {
            let c = parse(url).unwrap();
            assert!(!c.label.contains("hunter2") && !c.label.contains("s3cr3t"), "{}", c.label);
            assert!(c.label.starts_with("redis+unix:///tmp/") && c.label.contains("=[redacted]"), "{}", c.label);
            assert_eq!(c.password.as_ref().map(Secret::expose), Some(password));
        }
    }

    #[test]
    fn clear_errors() {
        assert_eq!(parse("localhost").unwrap_err(), "store must be a redis:// URL like redis://host:6379/0 (the value given does not parse)");
        let raw = |prefix: &str| RawRedisOptions { url: Some("redis://h/0".into()), prefix: Some(prefix.into()), ..Default::default() };
        assert!(RedisConfig::from_raw(raw("a{b}")).unwrap_err().starts_with("store.prefix must not contain braces"));
        let raw = RawRedisOptions { url: Some("redis://h/0".into()), lock_ttl: Some(5.0), ..Default::default() };
        assert_eq!(RedisConfig::from_raw(raw).unwrap_err(), "store.lockTtl must be a whole number of milliseconds from 100 to 600000, got 5");
        assert_eq!(RedisConfig::from_raw(RawRedisOptions::default()).unwrap_err(), "store.url must be a redis:// URL");
    }

    const PEM: &str = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n";

    #[test]
    fn cluster_sentinel_and_tls_options() {
        let raw = RawRedisOptions { cluster: Some(vec!["redis://:pw-123@h1:7000".into(), "redis://h2:7001".into()]), ..Default::default() };
        let c = RedisConfig::from_raw(raw).unwrap();
        assert_eq!(c.label, "cluster redis://:***@h1:7000,redis://h2:7001");
        assert!(matches!(&c.topology, Topology::Cluster { nodes } if nodes.len() == 2));
        assert_eq!(c.password.as_ref().map(Secret::expose), Some("pw-123"));
        let raw = RawRedisOptions { sentinels: Some(vec!["redis://h:26379".into()]), name: Some("mymaster".into()), ..Default::default() };
        let c = RedisConfig::from_raw(raw).unwrap();
        assert_eq!(c.label, "sentinel mymaster via redis://h:26379");
        let raw = RawRedisOptions { sentinels: Some(vec!["redis://h:26379".into()]), ..Default::default() };
        assert!(RedisConfig::from_raw(raw).unwrap_err().starts_with("store.sentinels needs store.name"));
        let raw = RawRedisOptions { url: Some("redis://h/0".into()), cluster: Some(vec!["redis://h:7000".into()]), ..Default::default() };
        assert!(RedisConfig::from_raw(raw).unwrap_err().ends_with("not several"));
        let raw = RawRedisOptions { cluster: Some(vec!["rediss://h:7000".into(), "redis://h:7001".into()]), ..Default::default() };
        assert!(RedisConfig::from_raw(raw).unwrap_err().starts_with("store: either every URL is rediss://"));
        // TLS material.
        let tls = |url: &str, ca: Option<&str>, cert: Option<&str>, key: Option<&str>| {
            RedisConfig::from_raw(RawRedisOptions { url: Some(url.into()), ca: ca.map(Into::into), cert: cert.map(Into::into), key: key.map(Into::into), ..Default::default() })
        };
        let c = tls("rediss://h:6380/0", Some(PEM), Some(PEM), Some(PEM)).unwrap();
        let certs = c.tls.unwrap().certificates();
        assert!(certs.root_cert.is_some() && certs.client_tls.is_some());
        assert!(tls("redis://h:6379/0", Some(PEM), None, None).unwrap_err().starts_with("store.ca/cert/key are for TLS"));
        assert!(tls("rediss://h/0", None, Some(PEM), None).unwrap_err().starts_with("store.cert and store.key go together"));
        assert!(tls("rediss://h/0", Some("/etc/ca.pem"), None, None).unwrap_err().starts_with("store.ca must be PEM text"));
        let err = tls("rediss://h/0", None, Some(PEM), Some("secret-key-material")).unwrap_err();
        assert!(err.starts_with("store.key must be PEM text") && !err.contains("secret-key-material"), "{err}");
    }
}
