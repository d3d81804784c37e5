//! How an emulator is started: `EmulatorConfig`, read from camelCase JSON (the JS wrapper's options).

use serde::Deserialize;
use std::fmt;

/// The demo mini program every emulator has when no `apps` are given; `npm run demo` uses it.
pub const DEMO_APPID: &str = "wxdemoappid0000001";
pub const DEMO_SECRET: &str = "demoappsecret0000000000000000001";
pub const DEMO_NAME: &str = "Emulator Demo Mini Program";

/// Who stands behind an account unless told otherwise: accounts of one subject may share an open-platform account.
pub const DEFAULT_SUBJECT: &str = "Emulator Demo Co., Ltd.";

pub const DEFAULT_TOKEN_TTL: u64 = 7200;

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct EmulatorConfig {
    /// 0 (the default) picks any free port.
    #[serde(default)]
    pub port: u16,
    /// The interface to listen on: 127.0.0.1 unless given (`0.0.0.0` inside a container, so that others reach it;
    /// their `Host` then goes in `controlHosts` for the control API).
    pub host: Option<String>,
    /// The accounts that may fetch tokens. When omitted: the demo app, seeded with two logistics accounts.
    pub apps: Option<Vec<AppConfig>>,
    /// Lifetime of every token the emulator issues, in seconds (WeChat: 7200).
    pub token_ttl: Option<u64>,
    /// Third-party platforms (accepted and kept for the component flows).
    #[serde(default)]
    pub components: Vec<ComponentConfig>,
    /// How long a connection may take to send a request's headers, in ms (default 10 000): slow-loris guard.
    pub header_timeout_ms: Option<u64>,
    /// Connections served at once (default 4096); more wait to be accepted until one closes.
    pub max_connections: Option<usize>,
    /// `Host` names, besides loopback ones (`localhost`, `127.0.0.1`, `[::1]`), under which the control API
    /// answers: e.g. a container's service name. Guards the control API against DNS rebinding.
    #[serde(default)]
    pub control_hosts: Vec<String>,
}

pub const DEFAULT_HEADER_TIMEOUT_MS: u64 = 10_000;
pub const DEFAULT_MAX_CONNECTIONS: usize = 4096;

#[derive(Clone, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct AppConfig {
    pub appid: String,
    pub secret: String,
    pub name: Option<String>,
    /// The company behind the account (open-platform binding needs the same subject: 89001).
    pub subject: Option<String>,
}

#[derive(Clone, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ComponentConfig {
    pub appid: String,
    pub secret: String,
    /// The message-verification token of the platform (used by encrypted pushes).
    pub token: String,
    pub encoding_aes_key: String,
}

// Written by hand so that printing a config never prints its credentials.
impl fmt::Debug for AppConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AppConfig")
            .field("appid", &self.appid)
            .field("secret", &"[redacted]")
            .field("name", &self.name)
            .field("subject", &self.subject)
            .finish()
    }
}

impl fmt::Debug for ComponentConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ComponentConfig")
            .field("appid", &self.appid)
            .field("secret", &"[redacted]")
            .field("token", &"[redacted]")
            .field("encoding_aes_key", &"[redacted]")
            .finish()
    }
}

/// serde's "unknown field `prot`, expected one of `port`, …": " (did you mean \"port\"?)" when one is near.
fn did_you_mean(message: &str) -> String {
    let Some(rest) = message.strip_prefix("unknown field `") else { return String::new() };
    let field = rest.split('`').next().unwrap_or_default();
    let known: Vec<&str> = rest.split("expected ").nth(1).unwrap_or_default().split('`').skip(1).step_by(2).collect();
    wechat_protocol::suggest::nearest(field, known).map(|n| format!(" (did you mean {n:?}?)")).unwrap_or_default()
}

impl EmulatorConfig {
    pub fn from_json(json: &str) -> Result<EmulatorConfig, String> {
        let text = if json.trim().is_empty() { "{}" } else { json };
        serde_json::from_str(text).map_err(|e| format!("emulator config: {e}{}", did_you_mean(&e.to_string())))
    }

    pub fn header_timeout(&self) -> std::time::Duration {
        std::time::Duration::from_millis(self.header_timeout_ms.unwrap_or(DEFAULT_HEADER_TIMEOUT_MS))
    }

    pub fn max_connections(&self) -> usize {
        self.max_connections.unwrap_or(DEFAULT_MAX_CONNECTIONS)
    }

    pub fn token_ttl_seconds(&self) -> u64 {
        self.token_ttl.unwrap_or(DEFAULT_TOKEN_TTL)
    }

    /// The configured apps, or the demo app; and whether the demo seed applies.
    pub fn apps_or_demo(&self) -> (Vec<AppConfig>, bool) {
        match &self.apps {
            Some(apps) => (apps.clone(), false),
            None => {
                let demo = AppConfig {
                    appid: DEMO_APPID.into(),
                    secret: DEMO_SECRET.into(),
                    name: Some(DEMO_NAME.into()),
                    subject: None,
                };
                (vec![demo], true)
            }
        }
    }

    pub fn validate(&self) -> Result<(), String> {
        if self.token_ttl == Some(0) {
            return Err("emulator config: tokenTtl must be at least 1 second".into());
        }
        if self.header_timeout_ms == Some(0) || self.max_connections == Some(0) {
            return Err("emulator config: headerTimeoutMs and maxConnections must be at least 1".into());
        }
        let (apps, _) = self.apps_or_demo();
        let mut seen = std::collections::HashSet::new();
        for app in &apps {
            if app.appid.is_empty() || app.secret.is_empty() {
                return Err("emulator config: every app needs an appid and a secret".into());
            }
            if !seen.insert(app.appid.as_str()) {
                return Err(format!("emulator config: app {} appears twice", app.appid));
            }
        }
        for c in &self.components {
            if c.appid.is_empty() || c.secret.is_empty() {
                return Err("emulator config: every component needs an appid and a secret".into());
            }
            if !seen.insert(c.appid.as_str()) {
                return Err(format!("emulator config: appid {} appears twice", c.appid));
            }
            if c.token.is_empty() {
                return Err(format!("emulator config: component {}: token must be a non-empty string", c.appid));
            }
            if wechat_protocol::crypto::MsgCrypt::new(&c.token, &c.encoding_aes_key, &c.appid).is_err() {
                return Err(format!(
                    "emulator config: component {}: encodingAesKey must be 43 base64 characters, got {} characters",
                    c.appid,
                    c.encoding_aes_key.chars().count()
                ));
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_camel_case_and_defaults_to_the_demo_app() {
        let c = EmulatorConfig::from_json("").unwrap();
        assert_eq!(c.port, 0);
        assert_eq!(c.token_ttl_seconds(), 7200);
        let (apps, demo) = c.apps_or_demo();
        assert!(demo);
        assert_eq!(apps[0].appid, DEMO_APPID);
        let c = EmulatorConfig::from_json(r#"{"port":0,"tokenTtl":2,"apps":[{"appid":"wx1","secret":"s"}],
            "components":[{"appid":"wxc","secret":"cs","token":"t","encodingAesKey":"kWxPEV2UEDyxWpmPdKC3F4dgPDmOvfKX1HGnEUDS1aA"}]}"#)
        .unwrap();
        assert_eq!(c.token_ttl_seconds(), 2);
        assert!(!c.apps_or_demo().1);
        assert_eq!(c.components[0].encoding_aes_key.len(), 43);
        assert!(c.validate().is_ok());
        let shown = format!("{c:?}");
        assert!(shown.contains("wx1") && !shown.contains("\"cs\"") && !shown.contains("\"s\""), "{shown}");
    }

    #[test]
    fn rejects_typos_and_duplicates() {
        assert!(EmulatorConfig::from_json(r#"{"tokenTTL": 5}"#).unwrap_err().contains("unknown field"));
        assert!(EmulatorConfig::from_json(r#"{"prot": 5}"#).unwrap_err().ends_with(" (did you mean \"port\"?)"));
        let dup = EmulatorConfig::from_json(r#"{"apps":[{"appid":"wx1","secret":"s"},{"appid":"wx1","secret":"t"}]}"#).unwrap();
        assert!(dup.validate().unwrap_err().contains("twice"));
    }

    #[test]
    fn a_component_key_must_be_43_base64_characters() {
        let with_key = |key: &str| {
            let json = format!(r#"{{"components":[{{"appid":"wxc","secret":"cs","token":"t","encodingAesKey":"{key}"}}]}}"#);
            EmulatorConfig::from_json(&json).unwrap().validate()
        };
        assert_eq!(with_key("abcde").unwrap_err(), "emulator config: component wxc: encodingAesKey must be 43 base64 characters, got 5 characters");
        assert!(with_key(&"!".repeat(43)).unwrap_err().contains("encodingAesKey must be 43 base64 characters"));
        assert!(with_key("kWxPEV2UEDyxWpmPdKC3F4dgPDmOvfKX1HGnEUDS1aA").is_ok());
    }
}
