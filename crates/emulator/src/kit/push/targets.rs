//! Where each account's pushes go: its own message-push URL (set by `setPushTarget {appid, url, format, mode,
//! token, encodingAesKey}`), or, for an account that authorized a third-party platform, the platform's message
//! URL with `$APPID$` replaced by the account's appid (`setPushTarget {componentAppid, url, format}`), sealed
//! with the platform's token and key. The platform family registers its keys and its authorizers here, so this
//! kit needs no family.

use super::delivery::ANSWER_TIMEOUT;
use crate::kit::state::State;
use serde_json::{json, Map, Value};
use std::collections::BTreeMap;
use std::time::Duration;
use wechat_protocol::crypto::push_message::{Format, Mode};
use wechat_protocol::secret::Secret;

/// A message-push URL and how its pushes are written.
#[derive(Clone)]
pub struct Target {
    pub url: String,
    pub format: Format,
    pub mode: Mode,
    pub token: Secret,
    pub encoding_aes_key: Option<Secret>,
    /// The appid encrypted content trails: the account's own, or the platform's.
    pub crypt_appid: String,
    /// Set only through the platform: whose URL it is.
    pub component_appid: Option<String>,
    pub answer_timeout: Duration,
}

#[derive(Default)]
pub struct PushTargets {
    apps: BTreeMap<String, Target>,
    /// Per platform: its message URL (with `$APPID$`), format and answer timeout, once set.
    component_urls: BTreeMap<String, (String, Format, Duration)>,
    /// Per platform: its message token and EncodingAESKey (registered by the platform family).
    component_keys: BTreeMap<String, (Secret, Secret)>,
    /// Authorizer → the platform it authorized (the latest).
    authorizers: BTreeMap<String, String>,
}

pub fn register_component(state: &mut State, component_appid: &str, token: Secret, encoding_aes_key: Secret) {
    state.record::<PushTargets>().component_keys.insert(component_appid.to_owned(), (token, encoding_aes_key));
}

/// `component`: the platform `authorizer` now authorized, or None when it withdrew.
pub fn set_authorizer(state: &mut State, authorizer: &str, component: Option<&str>) {
    let map = &mut state.record::<PushTargets>().authorizers;
    match component {
        Some(c) => map.insert(authorizer.to_owned(), c.to_owned()),
        None => map.remove(authorizer),
    };
}

/// What `setPushTarget` takes.
pub struct Wanted {
    pub url: String,
    pub format: Format,
    pub mode: Mode,
    pub token: Option<String>,
    pub encoding_aes_key: Option<String>,
    pub answer_timeout: Option<Duration>,
}

fn check_url(url: &str) -> Result<(), String> {
    match url::Url::parse(&url.replace("$APPID$", "wx")) {
        Ok(u) if matches!(u.scheme(), "http" | "https") => Ok(()),
        _ => Err(format!("url must be an http(s) URL, got {url:?}")),
    }
}

pub fn set_app(state: &mut State, appid: &str, wanted: Wanted) -> Result<Value, String> {
    check_url(&wanted.url)?;
    let token = wanted.token.filter(|t| !t.is_empty()).ok_or("token is required (the Token beside the push URL)")?;
    if wanted.mode != Mode::Plain && wanted.encoding_aes_key.as_ref().is_none_or(|k| k.len() != 43) {
        return Err("encodingAesKey (43 characters) is required in compatible and safe modes".into());
    }
    let target = Target {
        url: wanted.url,
        format: wanted.format,
        mode: wanted.mode,
        token: Secret::new(token),
        encoding_aes_key: wanted.encoding_aes_key.map(Secret::new),
        crypt_appid: appid.to_owned(),
        component_appid: None,
        answer_timeout: wanted.answer_timeout.unwrap_or(ANSWER_TIMEOUT),
    };
    let shown = describe(&target);
    state.record::<PushTargets>().apps.insert(appid.to_owned(), target);
    Ok(shown)
}

pub fn set_component(state: &mut State, component_appid: &str, wanted: Wanted) -> Result<Value, String> {
    check_url(&wanted.url)?;
    if !wanted.url.contains("$APPID$") {
        return Err("a platform's message URL holds $APPID$, replaced by each authorizer's appid".into());
    }
    let targets = state.record::<PushTargets>();
    if !targets.component_keys.contains_key(component_appid) {
        return Err(format!("unknown componentAppid {component_appid}"));
    }
    let timeout = wanted.answer_timeout.unwrap_or(ANSWER_TIMEOUT);
    targets.component_urls.insert(component_appid.to_owned(), (wanted.url.clone(), wanted.format, timeout));
    Ok(json!({"componentAppid": component_appid, "url": wanted.url, "format": wanted.format.as_str(), "mode": "safe"}))
}

/// Where `appid`'s pushes go: its own URL, else its platform's message URL.
pub fn resolve(state: &mut State, appid: &str) -> Option<Target> {
    let targets = state.record::<PushTargets>();
    if let Some(own) = targets.apps.get(appid) {
        return Some(own.clone());
    }
    let component = targets.authorizers.get(appid)?;
    let (url, format, answer_timeout) = targets.component_urls.get(component)?.clone();
    let (token, key) = targets.component_keys.get(component)?.clone();
    Some(Target {
        url: url.replace("$APPID$", appid),
        format,
        mode: Mode::Safe,
        token,
        encoding_aes_key: Some(key),
        crypt_appid: component.clone(),
        component_appid: Some(component.clone()),
        answer_timeout,
    })
}

/// A target as shown (never its token or key).
fn describe(t: &Target) -> Value {
    json!({"url": t.url, "format": t.format.as_str(), "mode": t.mode.as_str(), "componentAppid": t.component_appid})
}

/// The configured targets, for the state dump.
pub fn describe_all(targets: &PushTargets) -> Value {
    let apps: Map<String, Value> = targets.apps.iter().map(|(k, t)| (k.clone(), describe(t))).collect();
    let components: Map<String, Value> =
        targets.component_urls.iter().map(|(k, (url, format, _))| (k.clone(), json!({"url": url, "format": format.as_str(), "mode": "safe"}))).collect();
    json!({"apps": apps, "components": components})
}
