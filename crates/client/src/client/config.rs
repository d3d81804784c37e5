//! Client configuration: parsed from the JSON the JS facade sends, checked once, so a bad option is a clear
//! synchronous error at `init`/`createClient` and never a surprise on the first call.

use crate::store::keys::check_appid;
use crate::component::config::{ComponentConfig, RawComponent};
use crate::push::config::{PushConfig, RawPush};
use crate::redis::{RawRedisOptions, RedisConfig};
use crate::token::TokenMode;
use wechat_protocol::secret::Secret;
use serde::Deserialize;
use std::time::Duration;
use url::Url;

/// WeChat's main host, then its documented disaster-recovery host.
pub const DEFAULT_API_BASES: [&str; 2] = ["https://api.weixin.qq.com", "https://api2.weixin.qq.com"];
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(15);
pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(5);

/// Where this client's own access token comes from.
#[derive(Clone, Debug)]
pub enum TokenOrigin {
    /// Fetched from WeChat with the app's credentials.
    Credentials { secret: Secret, mode: TokenMode },
    /// A token the caller manages; it cannot be refreshed here.
    Fixed(Secret),
    /// The caller's `getAccessToken` function.
    Provider,
}

#[derive(Clone, Debug)]
pub struct ClientConfig {
    pub appid: Option<String>,
    pub token: Option<TokenOrigin>,
    /// The first of `api_bases`: URLs are built with it, and the transport moves them to another host on failover.
    pub api_base: Url,
    /// Hosts in order of preference.
    pub api_bases: Vec<Url>,
    /// Deadline of one call, retries included.
    pub timeout: Duration,
    /// Attempts for an idempotent call that meets a transient failure (1 = no retry).
    pub max_attempts: u32,
    /// Largest answer body accepted, in bytes.
    pub max_response_bytes: usize,
    /// The third-party platform identity, when this client acts as one.
    pub component: Option<ComponentConfig>,
    /// The account's own message push (`push: { token, encodingAesKey }`).
    pub push: Option<PushConfig>,
    /// `store: 'redis://…'`: tokens shared with every process using the same Redis.
    pub redis: Option<RedisConfig>,
    /// How long opening a connection (TCP and TLS) may take; a host that does not answer in time is failed over.
    pub connect_timeout: Duration,
    /// Cap on one attempt, so a hung attempt leaves time for a retry; None: the rest of the deadline.
    pub attempt_timeout: Option<Duration>,
    /// Extra trusted root certificates (PEM), e.g. a corporate proxy's CA. Certificate checks stay on.
    pub ca: Option<String>,
}

/// The JSON shape the facade sends (camelCase, as users write it).
#[derive(Deserialize)]
#[serde(untagged)]
enum ApiBase {
    One(String),
    Many(Vec<String>),
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct RawConfig {
    appid: Option<String>,
    secret: Option<String>,
    /// One URL, or a list tried in order on connection failures.
    api_base: Option<ApiBase>,
    token_mode: Option<String>,
    access_token: Option<String>,
    /// Set by the facade when `getAccessToken` is a function (the function itself crosses separately).
    has_token_provider: Option<bool>,
    timeout: Option<f64>,
    max_attempts: Option<f64>,
    max_response_bytes: Option<f64>,
    component: Option<RawComponent>,
    push: Option<RawPush>,
    /// The facade's form of `store: 'redis://…'` / `store: { url, … }`.
    redis: Option<RawRedisOptions>,
    connect_timeout: Option<f64>,
    attempt_timeout: Option<f64>,
    /// PEM text (the facade turns a Buffer into text).
    ca: Option<String>,
}

impl ClientConfig {
    pub fn from_json(json: &str) -> Result<ClientConfig, String> {
        let value: serde_json::Value = serde_json::from_str(json).map_err(|e| describe_serde_error(&e))?;
        check_option_types(&value)?;
        let raw: RawConfig = serde_json::from_value(value).map_err(|e| describe_serde_error(&e))?;
        let appid = non_empty("appid", raw.appid)?;
        if let Some(a) = &appid {
            check_appid("appid", a)?;
        }
        let secret = non_empty("secret", raw.secret)?;
        let access_token = non_empty("accessToken", raw.access_token)?;
        let provider = raw.has_token_provider.unwrap_or(false);
        let mode = match raw.token_mode.as_deref() {
            None | Some("stable") => TokenMode::Stable,
            Some("classic") => TokenMode::Classic,
            Some(other) => return Err(format!("tokenMode must be 'stable' or 'classic', got {other:?}")),
        };
        let sources = [secret.is_some(), access_token.is_some(), provider].iter().filter(|x| **x).count();
        if sources > 1 {
            return Err("give only one of secret, accessToken and getAccessToken".into());
        }
        let token = match (secret, access_token, provider) {
            (Some(secret), _, _) => {
                if appid.is_none() {
                    return Err("appid is required with secret".into());
                }
                Some(TokenOrigin::Credentials { secret: Secret::new(secret), mode })
            }
            (_, Some(token), _) => Some(TokenOrigin::Fixed(Secret::new(token))),
            (_, _, true) => Some(TokenOrigin::Provider),
            _ => {
                if appid.is_some() {
                    return Err("secret is required with appid (or give accessToken or getAccessToken)".into());
                }
                None
            }
        };
        let api_bases = match raw.api_base {
            None => DEFAULT_API_BASES.iter().map(|u| parse_api_base(u)).collect::<Result<Vec<_>, _>>()?,
            Some(ApiBase::One(u)) => vec![parse_api_base(&u)?],
            Some(ApiBase::Many(list)) if list.is_empty() => return Err("apiBase must not be an empty list".into()),
            Some(ApiBase::Many(list)) => list.iter().map(|u| parse_api_base(u)).collect::<Result<Vec<_>, _>>()?,
        };
        let api_base = api_bases[0].clone();
        let timeout = match raw.timeout {
            None => DEFAULT_TIMEOUT,
            Some(ms) => Duration::from_millis(whole_number("timeout", ms, 1, 600_000)?),
        };
        let max_attempts = raw.max_attempts.map(|n| whole_number("maxAttempts", n, 1, 10)).transpose()?.unwrap_or(3) as u32;
        let max_response_bytes =
            raw.max_response_bytes.map(|n| whole_number("maxResponseBytes", n, 1024, 1 << 30)).transpose()?.unwrap_or(64 << 20) as usize;
        let component = raw.component.map(ComponentConfig::from_raw).transpose()?;
        let push = raw.push.map(|p| PushConfig::from_raw(p, appid.as_deref())).transpose()?;
        let redis = raw.redis.map(RedisConfig::from_raw).transpose()?;
        let millis = |name: &str, v: Option<f64>| v.map(|ms| whole_number(name, ms, 1, 600_000).map(Duration::from_millis)).transpose();
        let connect_timeout = millis("connectTimeout", raw.connect_timeout)?.unwrap_or(DEFAULT_CONNECT_TIMEOUT);
        let attempt_timeout = millis("attemptTimeout", raw.attempt_timeout)?;
        let ca = match raw.ca {
            Some(pem) if !pem.contains("-----BEGIN CERTIFICATE-----") => return Err("ca must be PEM text holding at least one certificate".into()),
            other => other,
        };
        Ok(ClientConfig {
            appid,
            token,
            api_base,
            api_bases,
            timeout,
            max_attempts,
            max_response_bytes,
            connect_timeout,
            attempt_timeout,
            ca,
            component,
            push,
            redis,
        })
    }
}

fn non_empty(name: &str, value: Option<String>) -> Result<Option<String>, String> {
    match value {
        Some(v) if v.trim().is_empty() => Err(format!("{name} must be a non-empty string")),
        Some(v) if v.chars().any(char::is_whitespace) => Err(format!("{name} must not contain whitespace")),
        other => Ok(other),
    }
}

fn whole_number(name: &str, value: f64, min: u64, max: u64) -> Result<u64, String> {
    if value.fract() != 0.0 || value < min as f64 || value > max as f64 {
        return Err(format!("{name} must be a whole number from {min} to {max}, got {value}"));
    }
    Ok(value as u64)
}

fn parse_api_base(text: &str) -> Result<Url, String> {
    let url = Url::parse(text).map_err(|_| format!("apiBase must be an http(s) URL, got {text:?}"))?;
    if !matches!(url.scheme(), "http" | "https") || url.host_str().is_none() {
        return Err(format!("apiBase must be an http(s) URL, got {text:?}"));
    }
    Ok(url)
}

/// What each option must be, in the words its error uses: `timeout must be a number of milliseconds, got string "5000"`.
const OPTION_TYPES: &[(&str, Kind, &str)] = &[
    ("appid", Kind::String, "a string"),
    ("secret", Kind::String, "a string"),
    ("accessToken", Kind::String, "a string"),
    ("tokenMode", Kind::String, "'stable' or 'classic'"),
    ("timeout", Kind::Number, "a number of milliseconds"),
    ("connectTimeout", Kind::Number, "a number of milliseconds"),
    ("attemptTimeout", Kind::Number, "a number of milliseconds"),
    ("maxAttempts", Kind::Number, "a number (of attempts)"),
    ("maxResponseBytes", Kind::Number, "a number of bytes"),
    ("ca", Kind::String, "PEM text (a string or Buffer)"),
    ("component", Kind::Object, "an object { appid, secret, token, encodingAesKey }"),
    ("push", Kind::Object, "an object { token, encodingAesKey? }"),
];
const COMPONENT_TYPES: &[(&str, Kind, &str)] = &[
    ("appid", Kind::String, "a string"),
    ("secret", Kind::String, "a string"),
    ("token", Kind::String, "a string"),
    ("encodingAesKey", Kind::String, "a 43-character string"),
    ("previousEncodingAesKey", Kind::String, "a 43-character string"),
    ("pushMaxAgeSeconds", Kind::Number, "a whole number from 1 to 43200 (seconds)"),
];
const PUSH_TYPES: &[(&str, Kind, &str)] = &[
    ("token", Kind::String, "a string"),
    ("encodingAesKey", Kind::String, "a 43-character string"),
    ("previousEncodingAesKey", Kind::String, "a 43-character string"),
    ("maxAgeSeconds", Kind::Number, "a whole number from 1 to 43200 (seconds)"),
];
const REDIS_TYPES: &[(&str, Kind, &str)] = &[
    ("url", Kind::String, "a redis:// URL string"),
    ("prefix", Kind::String, "a string"),
    ("timeout", Kind::Number, "a number of milliseconds"),
    ("lockTtl", Kind::Number, "a number of milliseconds"),
];
/// Options holding credentials: a wrong type is named, the value never shown.
const SECRET_OPTIONS: &[&str] = &["secret", "accessToken", "token", "encodingAesKey", "previousEncodingAesKey", "url"];

#[derive(Clone, Copy, PartialEq)]
enum Kind {
    String,
    Number,
    Object,
}

/// Refuses an option of the wrong JSON type, naming it (`component.token`, `store.timeout`) and what it takes.
fn check_option_types(value: &serde_json::Value) -> Result<(), String> {
    check_types("", value, OPTION_TYPES)?;
    if let Some(component) = value.get("component").filter(|c| c.is_object()) {
        check_types("component.", component, COMPONENT_TYPES)?;
    }
    if let Some(push) = value.get("push").filter(|c| c.is_object()) {
        check_types("push.", push, PUSH_TYPES)?;
    }
    if let Some(redis) = value.get("redis").filter(|c| c.is_object()) {
        check_types("store.", redis, REDIS_TYPES)?;
    }
    Ok(())
}

fn check_types(prefix: &str, value: &serde_json::Value, table: &[(&str, Kind, &str)]) -> Result<(), String> {
    use serde_json::Value;
    for (name, kind, expected) in table {
        let Some(got) = value.get(*name) else { continue };
        let fits = match (kind, got) {
            (_, Value::Null) => true,
            (Kind::String, Value::String(_)) | (Kind::Number, Value::Number(_)) | (Kind::Object, Value::Object(_)) => true,
            _ => false,
        };
        if fits {
            continue;
        }
        let shown = match got {
            Value::String(s) if !SECRET_OPTIONS.contains(name) => format!("string {s:?}"),
            Value::String(_) => "a string".to_owned(),
            Value::Number(n) if !SECRET_OPTIONS.contains(name) => format!("number {n}"),
            Value::Number(_) => "a number".to_owned(),
            Value::Bool(b) => format!("boolean {b}"),
            Value::Array(_) => "an array".to_owned(),
            Value::Object(_) => "an object".to_owned(),
            Value::Null => "null".to_owned(),
        };
        return Err(format!("{prefix}{name} must be {expected}, got {shown}"));
    }
    Ok(())
}

/// serde's messages name Rust types; say what the user wrote instead.
fn describe_serde_error(e: &serde_json::Error) -> String {
    let text = e.to_string();
    if let Some(rest) = text.strip_prefix("unknown field `") {
        let field = rest.split('`').next().unwrap_or(rest);
        return format!("unknown option {field:?}");
    }
    if let Some(rest) = text.strip_prefix("invalid type: ") {
        let what = rest.split(" at line").next().unwrap_or(rest);
        return format!("invalid option type: {what}");
    }
    if text.contains("untagged enum ApiBase") {
        return "apiBase must be a URL string or a list of them".into();
    }
    format!("invalid options: {}", text.split(" at line").next().unwrap_or(&text))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults() {
        let c = ClientConfig::from_json(r#"{"appid":"wx1","secret":"s3cr3tvalue"}"#).unwrap();
        assert_eq!(c.api_base.as_str(), "https://api.weixin.qq.com/");
        assert_eq!(c.api_bases.len(), 2);
        let listed = ClientConfig::from_json(r#"{"appid":"wx1","secret":"s3cr3tvalue","apiBase":["http://a:1","http://b:2"]}"#).unwrap();
        assert_eq!(listed.api_bases.iter().map(Url::as_str).collect::<Vec<_>>(), ["http://a:1/", "http://b:2/"]);
        assert_eq!(c.timeout, DEFAULT_TIMEOUT);
        assert_eq!((c.connect_timeout, c.attempt_timeout), (DEFAULT_CONNECT_TIMEOUT, None));
        let tuned = ClientConfig::from_json(r#"{"connectTimeout":250,"attemptTimeout":2000}"#).unwrap();
        assert_eq!((tuned.connect_timeout, tuned.attempt_timeout), (Duration::from_millis(250), Some(Duration::from_millis(2000))));
        assert!(matches!(c.token, Some(TokenOrigin::Credentials { mode: TokenMode::Stable, .. })));
        assert!(!format!("{c:?}").contains("s3cr3tvalue"));
    }

    #[test]
    fn clear_errors() {
        let err = |j: &str| ClientConfig::from_json(j).unwrap_err();
        assert_eq!(err(r#"{"appid":"wx1"}"#), "secret is required with appid (or give accessToken or getAccessToken)");
        assert_eq!(err(r#"{"secret":"x"}"#), "appid is required with secret");
        assert_eq!(err(r#"{"appid":"wx1","secret":"x","tokenMode":"fast"}"#), "tokenMode must be 'stable' or 'classic', got \"fast\"");
        assert_eq!(err(r#"{"appId":"wx1"}"#), "unknown option \"appId\"");
        assert_eq!(err(r#"{"appid":"wx1","secret":"x","timeout":-5}"#), "timeout must be a whole number from 1 to 600000, got -5");
        assert_eq!(err(r#"{"apiBase":"ftp://x"}"#), "apiBase must be an http(s) URL, got \"ftp://x\"");
        assert_eq!(err(r#"{"appid":"wx1","secret":"x","accessToken":"t"}"#), "give only one of secret, accessToken and getAccessToken");
        assert_eq!(err(r#"{"appid":5}"#), "appid must be a string, got number 5");
        assert_eq!(err(r#"{"appid":"wx1","secret":"x","timeout":"5000"}"#), "timeout must be a number of milliseconds, got string \"5000\"");
        assert_eq!(err(r#"{"appid":"wx1","secret":7}"#), "secret must be a string, got a number");
        assert_eq!(err(r#"{"redis":{"url":"redis://h/0","timeout":"1s"}}"#), "store.timeout must be a number of milliseconds, got string \"1s\"");
        assert_eq!(err(r#"{"component":{"appid":"wxc","pushMaxAgeSeconds":true}}"#), "component.pushMaxAgeSeconds must be a whole number from 1 to 43200 (seconds), got boolean true");
        assert_eq!(err(r#"{"apiBase":5}"#), "apiBase must be a URL string or a list of them");
        assert_eq!(err(r#"{"component":{"appid":"wxc"}}"#), "component.secret is required");
        assert_eq!(err(r#"{"redis":{"url":"redis://h/0","lockTTL":5}}"#), "unknown option \"lockTTL\"");
        assert_eq!(err(r#"{"connectTimeout":0}"#), "connectTimeout must be a whole number from 1 to 600000, got 0");
        assert_eq!(err(r#"{"attemptTimeout":1.5}"#), "attemptTimeout must be a whole number from 1 to 600000, got 1.5");
        assert_eq!(err(r#"{"ca":"not a certificate"}"#), "ca must be PEM text holding at least one certificate");
        // There is no switch that turns certificate checks off.
        assert_eq!(err(r#"{"rejectUnauthorized":false}"#), "unknown option \"rejectUnauthorized\"");
    }

    #[test]
    fn appids_are_wechat_appids_naming_the_field() {
        let err = |json: &str| ClientConfig::from_json(json).err().expect("refused");
        let e = err(r#"{"appid":"wx1/../../&a=b#","secret":"x"}"#);
        assert!(e.starts_with("appid must be a WeChat appid"), "{e}");
        let huge = "a".repeat(1 << 20);
        let e = err(&format!(r#"{{"appid":"{huge}","secret":"x"}}"#));
        assert!(e.starts_with("appid must be a WeChat appid") && e.len() < 200, "{}", e.len());
        let key = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG";
        let e = err(&format!(r#"{{"component":{{"appid":"wx?c","secret":"s","token":"t","encodingAesKey":"{key}"}}}}"#));
        assert!(e.starts_with("component.appid must be a WeChat appid"), "{e}");
        assert!(ClientConfig::from_json(r#"{"appid":"wx0123456789abcdef","secret":"x"}"#).is_ok());
        let max = crate::store::keys::MAX_APPID_LEN;
        assert!(check_appid("appid", &"a".repeat(max)).is_ok() && check_appid("appid", &"a".repeat(max + 1)).is_err());
    }

    #[test]
    fn a_component_alone_is_an_identity() {
        let key = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG";
        let json = format!(r#"{{"component":{{"appid":"wxc","secret":"csecret","token":"t0ken","encodingAesKey":"{key}"}}}}"#);
        let c = ClientConfig::from_json(&json).unwrap();
        assert!(c.token.is_none() && c.appid.is_none());
        assert_eq!(c.component.unwrap().appid, "wxc");
    }

    #[test]
    fn redis_store() {
        let c = ClientConfig::from_json(r#"{"appid":"wx1","secret":"s3cr3tvalue","redis":{"url":"redis://:pw12345678@h:6379/1"}}"#).unwrap();
        let redis = c.redis.as_ref().unwrap();
        assert_eq!((redis.label.as_str(), redis.prefix.as_str()), ("redis://:***@h:6379/1", "wechat-openapi:"));
        assert!(!format!("{c:?}").contains("pw12345678"));
        assert!(ClientConfig::from_json(r#"{"appid":"wx1","secret":"s3cr3tvalue"}"#).unwrap().redis.is_none());
    }
}
