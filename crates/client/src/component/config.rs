//! The third-party platform identity of a client: `component: { appid, secret, token, encodingAesKey,
//! previousEncodingAesKey? }`. Checked once at init, so a mistyped key is a clear sync error naming the field.

use wechat_protocol::crypto::{CryptoError, MsgCrypt};
use wechat_protocol::secret::Secret;
use serde::Deserialize;

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RawComponent {
    appid: Option<String>,
    secret: Option<String>,
    token: Option<String>,
    encoding_aes_key: Option<String>,
    previous_encoding_aes_key: Option<String>,
    push_max_age_seconds: Option<serde_json::Value>,
}

/// Debug is safe: `Secret` and `MsgCrypt` redact themselves.
#[derive(Clone, Debug)]
pub struct ComponentConfig {
    pub appid: String,
    pub secret: Secret,
    /// The message token, for the authorizers' plain-signature checks (`messages`).
    pub token: Secret,
    /// Message token and keys of the authorization-event URL; kept only inside the crypt.
    pub crypt: MsgCrypt,
    /// The token and keys as secrets, so they can be scrubbed from any message that leaves.
    pub credentials: Vec<Secret>,
    /// Pushes stamped (query `timestamp`, XML `CreateTime`) longer ago than this are refused as replays.
    pub push_max_age: std::time::Duration,
}

fn required(field: &str, value: Option<String>) -> Result<String, String> {
    match value {
        None => Err(format!("component.{field} is required")),
        Some(v) if v.trim().is_empty() => Err(format!("component.{field} must be a non-empty string")),
        Some(v) if v.chars().any(char::is_whitespace) => Err(format!("component.{field} must not contain whitespace")),
        Some(v) => Ok(v),
    }
}

fn key_error(field: &str, key: &str, e: CryptoError) -> String {
    match e {
        CryptoError::BadKey if key.len() != 43 => format!("component.{field} must be 43 characters, got {}", key.len()),
        _ => format!("component.{field} must be 43 base64 characters (the EncodingAESKey from the WeChat console)"),
    }
}

impl ComponentConfig {
    pub fn from_raw(raw: RawComponent) -> Result<ComponentConfig, String> {
        let appid = required("appid", raw.appid)?;
        crate::store::keys::check_appid("component.appid", &appid)?;
        let secret = required("secret", raw.secret)?;
        let token = required("token", raw.token)?;
        let key = required("encodingAesKey", raw.encoding_aes_key)?;
        let mut crypt = MsgCrypt::new(&token, &key, &appid).map_err(|e| key_error("encodingAesKey", &key, e))?;
        let mut credentials = vec![Secret::new(secret.clone()), Secret::new(token.clone()), Secret::new(key)];
        if let Some(previous) = raw.previous_encoding_aes_key {
            let previous = required("previousEncodingAesKey", Some(previous))?;
            crypt = crypt.with_previous_key(&previous).map_err(|e| key_error("previousEncodingAesKey", &previous, e))?;
            credentials.push(Secret::new(previous));
        }
        let push_max_age = crate::push::replay::max_age("component.pushMaxAgeSeconds", raw.push_max_age_seconds)?;
        Ok(ComponentConfig { appid, secret: Secret::new(secret), token: Secret::new(token), crypt, credentials, push_max_age })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEY: &str = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG";

    fn parse(json: &str) -> Result<ComponentConfig, String> {
        ComponentConfig::from_raw(serde_json::from_str(json).map_err(|e| e.to_string())?)
    }

    #[test]
    fn accepts_a_full_identity_and_never_prints_it() {
        let c = parse(&format!(r#"{{"appid":"wxc","secret":"csecret-value","token":"msgtoken","encodingAesKey":"{KEY}","previousEncodingAesKey":"{KEY}"}}"#)).unwrap();
        assert_eq!(c.appid, "wxc");
        let shown = format!("{c:?}");
        assert!(!shown.contains("csecret-value") && !shown.contains("msgtoken") && !shown.contains(KEY), "{shown}");
        assert_eq!(c.credentials.len(), 4);
        assert_eq!(c.push_max_age.as_secs(), crate::push::replay::DEFAULT_MAX_AGE_SECONDS);
    }

    #[test]
    fn names_the_bad_field() {
        let err = |j: &str| parse(j).unwrap_err();
        assert_eq!(err(r#"{"secret":"s","token":"t","encodingAesKey":"k"}"#), "component.appid is required");
        assert_eq!(err(r#"{"appid":"wxc","secret":"s","token":" ","encodingAesKey":"k"}"#), "component.token must be a non-empty string");
        assert_eq!(err(r#"{"appid":"wxc","secret":"s","token":"t","encodingAesKey":"short"}"#), "component.encodingAesKey must be 43 characters, got 5");
        let bad_b64 = "!".repeat(43);
        assert_eq!(
            err(&format!(r#"{{"appid":"wxc","secret":"s","token":"t","encodingAesKey":"{bad_b64}"}}"#)),
            "component.encodingAesKey must be 43 base64 characters (the EncodingAESKey from the WeChat console)"
        );
        assert_eq!(
            err(&format!(r#"{{"appid":"wxc","secret":"s","token":"t","encodingAesKey":"{KEY}","previousEncodingAesKey":"x"}}"#)),
            "component.previousEncodingAesKey must be 43 characters, got 1"
        );
        assert_eq!(
            err(&format!(r#"{{"appid":"wxc","secret":"s","token":"t","encodingAesKey":"{KEY}","pushMaxAgeSeconds":0}}"#)),
            "component.pushMaxAgeSeconds must be a whole number from 1 to 43200"
        );
        let c = parse(&format!(r#"{{"appid":"wxc","secret":"s","token":"t","encodingAesKey":"{KEY}","pushMaxAgeSeconds":60}}"#)).unwrap();
        assert_eq!(c.push_max_age.as_secs(), 60);
    }
}
