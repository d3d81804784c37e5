//! The `store: 'redis://…'` option, checked once at `init`/`createClient`. A Redis URL may carry a password,
//! so the URL is kept as a `Secret` and every message shows the redacted form only.

use super::keys::DEFAULT_PREFIX;
use wechat_protocol::secret::{scrub, Secret};
use serde::Deserialize;
use std::time::Duration;

/// A Redis round trip on a healthy network takes about a millisecond; past this, Redis is "slow" and the
/// process refreshes on its own rather than hold calls up.
pub const DEFAULT_OP_TIMEOUT: Duration = Duration::from_millis(300);
/// Longer than one token request normally takes; a holder that dies blocks the others at most this long.
pub const DEFAULT_LOCK_TTL: Duration = Duration::from_secs(10);

#[derive(Clone, Debug)]
pub struct RedisConfig {
    /// The URL as given, password included: only ever handed to the redis crate.
    pub url: Secret,
    /// The URL with its password replaced, for messages.
    pub label: String,
    /// The password alone, scrubbed from any message the redis crate writes.
    pub password: Option<Secret>,
    pub prefix: String,
    /// Bound on every Redis operation (connect included).
    pub op_timeout: Duration,
    pub lock_ttl: Duration,
}

/// The JSON the facade sends under `redis` (from `store: 'redis://…'` or `store: { url, prefix, timeout, lockTtl }`).
#[derive(Deserialize, Debug, Default)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RawRedisOptions {
    pub url: Option<String>,
    pub prefix: Option<String>,
    pub timeout: Option<f64>,
    pub lock_ttl: Option<f64>,
}

impl RedisConfig {
    pub fn from_raw(raw: RawRedisOptions) -> Result<RedisConfig, String> {
        let url = raw.url.filter(|u| !u.trim().is_empty()).ok_or("store.url must be a redis:// URL")?;
        let (label, password) = redact(&url)?;
        let prefix = raw.prefix.unwrap_or_else(|| DEFAULT_PREFIX.to_owned());
        if prefix.contains(['{', '}']) || prefix.chars().any(char::is_whitespace) {
            return Err(format!("store.prefix must not contain braces or whitespace (they would break the key layout), got {prefix:?}"));
        }
        let op_timeout = millis("store.timeout", raw.timeout, DEFAULT_OP_TIMEOUT, 10, 10_000)?;
        let lock_ttl = millis("store.lockTtl", raw.lock_ttl, DEFAULT_LOCK_TTL, 100, 600_000)?;
        Ok(RedisConfig { url: Secret::new(url), label, password, prefix, op_timeout, lock_ttl })
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

/// Checks the URL and returns it with the password masked, plus the password itself.
fn redact(text: &str) -> Result<(String, Option<Secret>), String> {
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
    match url.scheme() {
        "redis" | "redis+unix" | "unix" => {}
        "rediss" => return Err(format!("store: TLS (rediss://) is not supported, use redis:// (got {label})")),
        _ => return Err(format!("store must be a redis:// URL like redis://host:6379/0, got {label}")),
    }
    if redis::Client::open(text).is_err() {
        return Err(format!("store: Redis cannot use this URL: {label}"));
    }
    Ok((label, password))
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
        let raw = RawRedisOptions { url: Some("redis://h:1/0".into()), prefix: Some("prod:".into()), timeout: Some(250.0), lock_ttl: Some(1500.0) };
        let c = RedisConfig::from_raw(raw).unwrap();
        assert_eq!((c.prefix.as_str(), c.op_timeout.as_millis(), c.lock_ttl.as_millis()), ("prod:", 250, 1500));
    }

    #[test]
    fn passwords_never_reach_messages() {
        let c = parse("redis://user:hunter2hunter2@10.0.0.1:6380/1").unwrap();
        assert_eq!(c.label, "redis://user:***@10.0.0.1:6380/1");
        assert_eq!(c.password.as_ref().map(Secret::expose), Some("hunter2hunter2"));
        assert!(!format!("{c:?}").contains("hunter2"));
        let err = parse("rediss://:hunter2hunter2@10.0.0.1:6380/1").unwrap_err();
        assert_eq!(err, "store: TLS (rediss://) is not supported, use redis:// (got rediss://:***@10.0.0.1:6380/1)");
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
}
