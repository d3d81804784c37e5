//! A call's parameters and file, prepared before any I/O: the one preparation of `openapi.*` (with a file or
//! without) and `openapi.request` (with a file or without), which the `params` fuzz target runs too. The caller's
//! JSON is parsed (long integers restored), its keys converted to snake_case, the row's config values filled in
//! (`fromConfig`), checked against the row (or as a raw request's object), and the file taken: an upload row's
//! field joined with the bytes that crossed apart, or a raw request's described file (see `upload`).

use super::upload::{described_file, query_data, take_file};
use super::Target;
use crate::error::{Category, Error};
use crate::form::FilePart;
use bytes::Bytes;
use serde_json::Value;
use std::sync::Arc;
use wechat_protocol::bigint;
use wechat_protocol::case::{camel_key, convert_keys, Direction};
use wechat_protocol::catalogue::{check, rules, ConfigValue};
use wechat_protocol::crypto::open_data::session_signature;
use wechat_protocol::secret::Secret;

/// The client's own values that rows marked `fromConfig` in the table send (the AppSecret quota resets, the
/// platform's appid). They come from the config, never from the caller's params: a secret is never typed into
/// code that may log its params, and it stays among the credentials scrubbed from every error and event.
#[derive(Clone, Debug, Default)]
pub struct ConfigValues {
    /// `appid`.
    pub appid: Option<String>,
    /// `secret`, when the app's token comes from its credentials.
    pub app_secret: Option<Secret>,
    /// `component.appid`.
    pub component_appid: Option<String>,
    /// `component.secret`.
    pub component_secret: Option<Secret>,
}

impl ConfigValues {
    fn get(&self, source: ConfigValue) -> Option<&str> {
        match source {
            ConfigValue::AppId => self.appid.as_deref(),
            ConfigValue::AppSecret => self.app_secret.as_ref().map(Secret::expose),
            ConfigValue::ComponentAppId => self.component_appid.as_deref(),
            ConfigValue::ComponentSecret => self.component_secret.as_ref().map(Secret::expose),
        }
    }
}

/// The file a call brings.
pub enum FileInput<'a> {
    /// The bytes of an upload row's file field, which crossed the boundary apart (None: no file crossed).
    Field(Option<Bytes>),
    /// `openapi.request({ ..., file })`: the caller's description of the file (JSON, see `described_file`) and its
    /// bytes. The parameters then travel in the query string.
    Described { json: &'a str, bytes: Option<Bytes> },
}

/// What the request needs: the parameters as WeChat names them, and the file it sends as multipart/form-data.
#[derive(Debug)]
pub struct Prepared {
    pub params: Value,
    pub file: Option<Arc<FilePart>>,
}

/// The call's parameters (`json`, the facade's text) and file, ready for the request, or why they are refused.
/// `convert_case`: the caller names keys in camelCase (and is told of them so).
pub fn prepare(target: &Target, json: &str, file: FileInput<'_>, config: &ConfigValues, convert_case: bool) -> Result<Prepared, Error> {
    match file {
        FileInput::Field(bytes) => {
            let mut params = params(target, json, config, convert_case)?;
            let file = take_file(&target.api, target.endpoint, &mut params, bytes, convert_case)?;
            Ok(Prepared { params, file })
        }
        // The file is judged before the data, which must then fit in a query string.
        FileInput::Described { json: file_json, bytes } => {
            let described: Value =
                serde_json::from_str(file_json).map_err(|e| Error::invalid_argument(&target.api, format!("file is not valid JSON: {e}")))?;
            let file = described_file(&target.api, &described, bytes, convert_case)?;
            let params = params(target, json, config, convert_case)?;
            query_data(&target.api, &params)?;
            Ok(Prepared { params, file: Some(file) })
        }
    }
}

/// The caller's parameters as WeChat names them, filled from the config and checked against the row.
fn params(target: &Target, json: &str, config: &ConfigValues, convert_case: bool) -> Result<Value, Error> {
    let params = parse(target, json, convert_case)?;
    let params = fill(target, params, config, convert_case)?;
    let params = check_params(target, params, convert_case)?;
    Ok(signed(target, params))
}

/// A row marked `sessionSignature` never sends the user's session key: `signature` = hmac_sha256 keyed by it over
/// "" goes instead (the row's path fixes `sig_method=hmac_sha256`). Checked before, so the key is a string.
fn signed(target: &Target, mut params: Value) -> Value {
    let Some(map) = params.as_object_mut().filter(|_| target.endpoint.is_some_and(|e| e.session_signature)) else { return params };
    if let Some(Value::String(key)) = map.remove("session_key") {
        map.insert("signature".into(), Value::String(session_signature(&key)));
    }
    params
}

/// The facade's JSON as snake_case params (long integers restored), not yet checked.
fn parse(target: &Target, json: &str, convert_case: bool) -> Result<Value, Error> {
    let mut params: Value = if json.trim().is_empty() {
        Value::Object(Default::default())
    } else {
        serde_json::from_str(json).map_err(|e| Error::invalid_argument(&target.api, format!("params are not valid JSON: {e}")))?
    };
    if params.is_null() {
        params = Value::Object(Default::default());
    }
    bigint::unmark(&mut params);
    if convert_case {
        params = convert_keys(params, Direction::ToSnake);
    }
    Ok(params)
}

/// Adds the row's config values to `params` (snake_case): a secret, and an appid that goes with one, always,
/// refusing them when the caller passed them; another appid when the caller left it out.
fn fill(target: &Target, mut params: Value, config: &ConfigValues, camel_names: bool) -> Result<Value, Error> {
    let Some(endpoint) = target.endpoint.filter(|e| !e.from_config.is_empty()) else { return Ok(params) };
    let Some(map) = params.as_object_mut() else { return Ok(params) };
    let shown = |key: &str| if camel_names { camel_key(key) } else { key.to_owned() };
    // An appid sent with a config secret is that secret's account: it comes from the config too.
    let pairs_secret = endpoint.from_config.iter().any(|(_, s)| s.is_secret());
    for (key, source) in &endpoint.from_config {
        if map.contains_key(key) {
            if source.is_secret() || pairs_secret {
                let text = format!("{} comes from the client's config ({}), never from params: leave it out", shown(key), source.option());
                return Err(Error::invalid_argument(&target.api, text));
            }
            continue;
        }
        let value = config.get(*source).ok_or_else(|| {
            let text = format!("{} needs {} in the client's config (it is sent as {})", target.api, source.option(), shown(key));
            Error::invalid_argument(&target.api, text).with_category(Category::Auth)
        })?;
        map.insert(key.clone(), Value::String(value.to_owned()));
    }
    Ok(params)
}

/// The checks before I/O: the row's fields, or an object for a raw path. Also for the rows the core calls itself
/// (`Request::row`) and the lookups that reconcile an unknown outcome, whose params are snake_case already.
pub(super) fn check_params(target: &Target, mut params: Value, convert_case: bool) -> Result<Value, Error> {
    match target.endpoint {
        Some(endpoint) => {
            // A Date reaches here as RFC 3339 text; a seconds field takes its seconds (rules.rs).
            rules::normalise(endpoint, &mut params);
            check::check(endpoint, &params, convert_case).and_then(|()| rules::check(endpoint, &params, convert_case).map_err(|v| v.message))
        }
        None if !params.is_object() => Err("data must be an object".to_owned()),
        None => Ok(()),
    }
    .map_err(|m| Error::invalid_argument(&target.api, m))?;
    Ok(params)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn both() -> ConfigValues {
        ConfigValues {
            appid: Some("wxown".into()),
            app_secret: Some(Secret::new("own-s3cret")),
            component_appid: Some("wxc".into()),
            component_secret: Some(Secret::new("c-s3cret")),
        }
    }

    #[test]
    fn secrets_come_from_the_config_only() {
        let both = both();
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
        // A fixed accessToken only: no config value to send.
        let fixed = ConfigValues::default();
        let e = fill(&own, json!({}), &fixed, false).unwrap_err();
        assert_eq!((e.message.as_str(), e.category), ("auth.clearQuotaByAppSecret needs appid in the client's config (it is sent as appid)", Category::Auth));
        let e = fill(&platform, json!({}), &fixed, true).unwrap_err();
        assert!(e.message.contains("needs component.appid"), "{}", e.message);
    }

    #[test]
    fn a_session_key_is_turned_into_its_signature_and_never_sent() {
        let check = Target::row("auth.checkSessionKey").unwrap();
        let prepared = prepare(&check, r#"{"openid":"o1","sessionKey":"o0q0otL8aEzpcZL/FT9WsQ=="}"#, FileInput::Field(None), &both(), true).unwrap();
        let signature = "46e043c5525c2d817c44be603d30837a808a1d930d038f6fdc3e62a201fed128";
        assert_eq!(prepared.params, json!({"openid": "o1", "signature": signature}));
        let e = prepare(&check, r#"{"openid":"o1"}"#, FileInput::Field(None), &both(), true).unwrap_err();
        assert!(e.message.contains("sessionKey"), "{}", e.message);
        let login = Target::row("auth.code2Session").unwrap();
        let prepared = prepare(&login, r#"{"jsCode":"c"}"#, FileInput::Field(None), &both(), true).unwrap();
        assert_eq!(prepared.params, json!({"js_code": "c", "appid": "wxown", "secret": "own-s3cret"}));
        let e = prepare(&login, r#"{"jsCode":"c","secret":"typed"}"#, FileInput::Field(None), &both(), true).unwrap_err();
        assert!(e.message.starts_with("secret comes from the client's config"), "{}", e.message);
        let e = prepare(&login, r#"{"jsCode":"c","appid":"wxother"}"#, FileInput::Field(None), &both(), true).unwrap_err();
        assert_eq!(e.message, "appid comes from the client's config (appid), never from params: leave it out");
    }

    #[test]
    fn prepare_parses_converts_fills_and_checks() {
        let info = Target::row("component.getAuthorizerInfo").unwrap();
        let prepared = prepare(&info, r#"{"authorizerAppid":"wxm"}"#, FileInput::Field(None), &both(), true).unwrap();
        assert_eq!(prepared.params, json!({"authorizer_appid": "wxm", "component_appid": "wxc"}));
        assert!(prepared.file.is_none());
        let e = prepare(&info, "{", FileInput::Field(None), &both(), true).unwrap_err();
        assert!(e.message.starts_with("params are not valid JSON"), "{}", e.message);
        let e = prepare(&info, r#"{"authorizerAppid":"wxm"}"#, FileInput::Field(Some(Bytes::from_static(b"x"))), &both(), true).unwrap_err();
        assert_eq!(e.message, "this API takes no file");
    }

    #[test]
    fn a_described_file_is_judged_before_the_data() {
        let raw = Target { api: "request".into(), verb: wechat_protocol::catalogue::HttpVerb::Post, path: "/x".into(), token: wechat_protocol::catalogue::TokenKind::App, idempotent: false, endpoint: None };
        let file = |json| FileInput::Described { json, bytes: Some(Bytes::from_static(b"x")) };
        let e = prepare(&raw, "[]", file("{"), &both(), true).unwrap_err();
        assert!(e.message.starts_with("file is not valid JSON"), "{}", e.message);
        let e = prepare(&raw, "[]", file("{}"), &both(), true).unwrap_err();
        assert!(e.message.starts_with("file.field is required"), "{}", e.message);
        let described = json!({"field": "media", "content_type": "image/png", "value": wechat_protocol::catalogue::upload::placeholder()}).to_string();
        let e = prepare(&raw, "[]", file(&described), &both(), true).unwrap_err();
        assert_eq!(e.message, "data must be an object");
        let e = prepare(&raw, r#"{"d":{"a":1}}"#, file(&described), &both(), true).unwrap_err();
        assert!(e.message.starts_with("data.d must be a string, number or boolean"), "{}", e.message);
        let prepared = prepare(&raw, r#"{"type":"image"}"#, file(&described), &both(), true).unwrap();
        assert_eq!((prepared.params, prepared.file.unwrap().name.as_str()), (json!({"type": "image"}), "media"));
    }
}
