//! `push: { token, encodingAesKey?, previousEncodingAesKey?, maxAgeSeconds? }`: an account's message push.
//! Without encodingAesKey only plain-mode pushes are accepted; with it only encrypted ones (compatible or safe).

use super::receiver::Receiver;
use super::replay;
use wechat_protocol::crypto::MsgCrypt;
use wechat_protocol::secret::Secret;
use serde::Deserialize;
use std::time::Duration;

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RawPush {
    token: Option<String>,
    encoding_aes_key: Option<String>,
    previous_encoding_aes_key: Option<String>,
    max_age_seconds: Option<serde_json::Value>,
}

/// Debug is safe: `Secret` and `MsgCrypt` redact themselves.
#[derive(Clone, Debug)]
pub struct PushConfig {
    pub token: Secret,
    pub crypt: Option<MsgCrypt>,
    pub max_age: Duration,
    /// The token and keys, scrubbed from any message that leaves.
    pub credentials: Vec<Secret>,
}

fn key_error(field: &str, key: &str) -> String {
    if key.len() != 43 {
        format!("push.{field} must be 43 characters, got {}", key.len())
    } else {
        format!("push.{field} must be 43 base64 characters (the EncodingAESKey from the WeChat console)")
    }
}

impl PushConfig {
    /// `appid` is the client's: an encrypted push must trail it.
    pub fn from_raw(raw: RawPush, appid: Option<&str>) -> Result<PushConfig, String> {
        let token = match raw.token {
            Some(t) if !t.trim().is_empty() && !t.chars().any(char::is_whitespace) => t,
            Some(_) => return Err("push.token must be a non-empty string without whitespace".into()),
            None => return Err("push.token is required (the Token set beside the message push URL)".into()),
        };
        let mut credentials = vec![Secret::new(token.clone())];
        let crypt = match raw.encoding_aes_key {
            None if raw.previous_encoding_aes_key.is_some() => return Err("push.previousEncodingAesKey needs push.encodingAesKey".into()),
            None => None,
            Some(key) => {
                let appid = appid.ok_or("push.encodingAesKey needs the client's appid (encrypted pushes carry it)")?;
                let mut crypt = MsgCrypt::new(&token, &key, appid).map_err(|_| key_error("encodingAesKey", &key))?;
                credentials.push(Secret::new(key));
                if let Some(previous) = raw.previous_encoding_aes_key {
                    crypt = crypt.with_previous_key(&previous).map_err(|_| key_error("previousEncodingAesKey", &previous))?;
                    credentials.push(Secret::new(previous));
                }
                Some(crypt)
            }
        };
        let max_age = replay::max_age("push.maxAgeSeconds", raw.max_age_seconds)?;
        Ok(PushConfig { token: Secret::new(token), crypt, max_age, credentials })
    }

    pub fn receiver(&self) -> Receiver {
        Receiver::new("push.handlePush", "push.maxAgeSeconds", self.token.clone(), self.crypt.clone(), self.max_age)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(json: &str, appid: Option<&str>) -> Result<PushConfig, String> {
        PushConfig::from_raw(serde_json::from_str(json).map_err(|e| e.to_string())?, appid)
    }

    #[test]
    fn names_the_bad_field_and_never_prints_secrets() {
        let key = "kWxPEV2UEDyxWpmPdKC3F4dgPDmOvfKX1HGnEUDS1aA";
        let ok = parse(&format!(r#"{{"token":"tok-value","encodingAesKey":"{key}"}}"#), Some("wxa")).unwrap();
        assert!(!format!("{ok:?}").contains("tok-value") && !format!("{ok:?}").contains(key));
        assert_eq!(ok.max_age.as_secs(), replay::DEFAULT_MAX_AGE_SECONDS);
        assert!(parse(r#"{"token":"t"}"#, None).unwrap().crypt.is_none());
        assert_eq!(parse(r#"{}"#, None).unwrap_err(), "push.token is required (the Token set beside the message push URL)");
        assert_eq!(parse(r#"{"token":"t","encodingAesKey":"x"}"#, Some("wxa")).unwrap_err(), "push.encodingAesKey must be 43 characters, got 1");
        assert!(parse(&format!(r#"{{"token":"t","encodingAesKey":"{key}"}}"#), None).unwrap_err().contains("appid"));
        assert!(parse(r#"{"token":"t","maxAgeSeconds":0}"#, None).unwrap_err().contains("push.maxAgeSeconds"));
        assert!(parse(r#"{"token":"t","nope":1}"#, None).is_err());
    }
}
