//! Per-call options: wx-server-sdk's `cloud.openapi({ convertCase, appid })` plus our own deadline and retry knobs.

use super::progress::Progress;
use serde::Deserialize;
use std::sync::Arc;
use std::time::Duration;
use wechat_protocol::catalogue::TokenKind;

#[derive(Clone, Debug)]
pub struct CallOptions {
    pub convert_case: bool,
    /// Call on behalf of this account (a third-party platform's authorizer).
    pub appid: Option<String>,
    pub timeout: Option<Duration>,
    /// Cap on each attempt of this call (overrides the client's `attemptTimeout`).
    pub attempt_timeout: Option<Duration>,
    pub max_attempts: Option<u32>,
    /// For `openapi.request`: whether repeating the call is harmless.
    pub idempotent: Option<bool>,
    /// The caller accepts that a retry may execute a non-idempotent call twice.
    pub retry_unsafe: bool,
    /// For `openapi.request`: the token it carries (`token: false` none, `'component'` the platform's); the app's when None.
    pub token: Option<TokenKind>,
    /// Filled in as the call runs; read when it is cut short from outside.
    pub progress: Arc<Progress>,
}

impl Default for CallOptions {
    fn default() -> Self {
        CallOptions {
            convert_case: true,
            appid: None,
            timeout: None,
            attempt_timeout: None,
            max_attempts: None,
            idempotent: None,
            retry_unsafe: false,
            token: None,
            progress: Arc::default(),
        }
    }
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct RawOptions {
    convert_case: Option<bool>,
    appid: Option<String>,
    timeout: Option<f64>,
    attempt_timeout: Option<f64>,
    max_attempts: Option<f64>,
    idempotent: Option<bool>,
    retry_unsafe: Option<bool>,
    token: Option<serde_json::Value>,
}

impl CallOptions {
    pub fn from_json(json: &str) -> Result<CallOptions, String> {
        if json.trim().is_empty() {
            return Ok(CallOptions::default());
        }
        let raw: RawOptions = serde_json::from_str(json).map_err(|e| {
            let text = e.to_string();
            format!("invalid call options: {}", text.split(" at line").next().unwrap_or(&text))
        })?;
        let timeout = millis("timeout", raw.timeout)?;
        let attempt_timeout = millis("attemptTimeout", raw.attempt_timeout)?;
        let max_attempts = match raw.max_attempts {
            Some(n) if n.fract() != 0.0 || !(1.0..=10.0).contains(&n) => return Err(format!("maxAttempts must be a whole number from 1 to 10, got {n}")),
            other => other.map(|n| n as u32),
        };
        let appid = raw.appid.filter(|a| !a.is_empty());
        if let Some(a) = &appid {
            // It becomes part of store keys: only the characters an appid has.
            crate::store::keys::check_appid("appid", a)?;
        }
        let token = raw.token.map(|t| token_kind(&t)).transpose()?;
        Ok(CallOptions {
            convert_case: raw.convert_case.unwrap_or(true),
            appid,
            timeout,
            attempt_timeout,
            max_attempts,
            idempotent: raw.idempotent,
            retry_unsafe: raw.retry_unsafe.unwrap_or(false),
            token,
            progress: Arc::default(),
        })
    }
}

/// A raw request's `token`: false (none: /sns/jscode2session and the like), true or 'app', 'component'.
fn token_kind(value: &serde_json::Value) -> Result<TokenKind, String> {
    match value {
        serde_json::Value::Bool(false) => Ok(TokenKind::None),
        serde_json::Value::Bool(true) => Ok(TokenKind::App),
        serde_json::Value::String(s) if s == "app" => Ok(TokenKind::App),
        serde_json::Value::String(s) if s == "component" => Ok(TokenKind::Component),
        other => Err(format!("token must be false, true, 'app' or 'component', got {other}")),
    }
}

fn millis(name: &str, value: Option<f64>) -> Result<Option<Duration>, String> {
    match value {
        Some(ms) if ms.fract() != 0.0 || !(1.0..=600_000.0).contains(&ms) => {
            Err(format!("{name} must be a whole number of milliseconds from 1 to 600000, got {ms}"))
        }
        other => Ok(other.map(|ms| Duration::from_millis(ms as u64))),
    }
}
