//! Rows that carry the client's own credentials instead of a token (`fromConfig` in the table: the AppSecret
//! quota resets). The values come from the config, never from the caller's params: a secret is never typed
//! into code that may log its params, and it stays among the credentials scrubbed from every error and event.

use super::config::{ClientConfig, TokenOrigin};
use crate::error::{Category, Error};
use crate::exchange::Target;
use serde_json::Value;
use wechat_protocol::case::camel_key;
use wechat_protocol::catalogue::ConfigValue;

/// Adds the row's config values to `params` (snake_case): a secret always, refusing one the caller passed;
/// an appid when the caller left it out.
pub fn fill(target: &Target, mut params: Value, config: &ClientConfig, camel_names: bool) -> Result<Value, Error> {
    let Some(endpoint) = target.endpoint.filter(|e| !e.from_config.is_empty()) else { return Ok(params) };
    let Some(map) = params.as_object_mut() else { return Ok(params) };
    let shown = |key: &str| if camel_names { camel_key(key) } else { key.to_owned() };
    for (key, source) in &endpoint.from_config {
        if map.contains_key(key) {
            if source.is_secret() {
                let text = format!("{} comes from the client's config ({}), never from params: leave it out", shown(key), source.option());
                return Err(Error::invalid_argument(&target.api, text));
            }
            continue;
        }
        let value = value_of(*source, config).ok_or_else(|| {
            let text = format!("{} needs {} in the client's config (it is sent as {})", target.api, source.option(), shown(key));
            Error::invalid_argument(&target.api, text).with_category(Category::Auth)
        })?;
        map.insert(key.clone(), Value::String(value.to_owned()));
    }
    Ok(params)
}

fn value_of(source: ConfigValue, config: &ClientConfig) -> Option<&str> {
    match source {
        ConfigValue::AppId => config.appid.as_deref(),
        ConfigValue::AppSecret => match &config.token {
            Some(TokenOrigin::Credentials { secret, .. }) => Some(secret.expose()),
            _ => None,
        },
        ConfigValue::ComponentAppId => config.component.as_ref().map(|c| c.appid.as_str()),
        ConfigValue::ComponentSecret => config.component.as_ref().map(|c| c.secret.expose()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const KEY: &str = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG";

    fn config(json: &str) -> ClientConfig {
        ClientConfig::from_json(json).unwrap()
    }

    #[test]
    fn secrets_come_from_the_config_only() {
        let both = config(&format!(r#"{{"appid":"wxown","secret":"own-s3cret","component":{{"appid":"wxc","secret":"c-s3cret","token":"t0ken","encodingAesKey":"{KEY}"}}}}"#));
        let own = Target::row("auth.clearQuotaByAppSecret").unwrap();
        assert_eq!(fill(&own, json!({}), &both, true).unwrap(), json!({"appid": "wxown", "appsecret": "own-s3cret"}));
        let e = fill(&own, json!({"appsecret": "typed"}), &both, true).unwrap_err();
        assert_eq!(e.message, "appsecret comes from the client's config (secret), never from params: leave it out");
        let platform = Target::row("component.clearQuotaByAppSecret").unwrap();
        let filled = fill(&platform, json!({"appid": "wxmerchant"}), &both, true).unwrap();
        assert_eq!(filled, json!({"appid": "wxmerchant", "component_appid": "wxc", "appsecret": "c-s3cret"}));
        let info = Target::row("component.getAuthorizerInfo").unwrap();
        assert_eq!(fill(&info, json!({"authorizer_appid": "wxm"}), &both, true).unwrap(), json!({"authorizer_appid": "wxm", "component_appid": "wxc"}));
        assert_eq!(fill(&info, json!({"component_appid": "wxmine"}), &both, true).unwrap(), json!({"component_appid": "wxmine"}), "an appid given is kept");
        let plain = Target::row("logistics.getAllAccount").unwrap();
        assert_eq!(fill(&plain, json!({"x": 1}), &both, true).unwrap(), json!({"x": 1}), "rows without fromConfig are untouched");
        let fixed = config(r#"{"accessToken":"a-fixed-token"}"#);
        let e = fill(&own, json!({}), &fixed, false).unwrap_err();
        assert_eq!((e.message.as_str(), e.category), ("auth.clearQuotaByAppSecret needs appid in the client's config (it is sent as appid)", Category::Auth));
        let e = fill(&platform, json!({}), &fixed, true).unwrap_err();
        assert!(e.message.contains("needs component.appid"), "{}", e.message);
    }
}
