//! The authorization page a merchant's administrator opens to authorize the platform: the PC form (scan a
//! QR code) and the mobile form (opened inside WeChat). A pure function of its inputs.
//!
//! A client whose apiBase is on this machine (a loopback host: the emulator) gets the same page from there: the
//! emulator serves WeChat's authorization page at WeChat's paths, so a platform's onboarding can be clicked
//! through on a laptop. Any other apiBase (WeChat, a forwarding proxy) gets WeChat's own page.

use serde::Deserialize;
use url::Url;

const PC: &str = "https://mp.weixin.qq.com/cgi-bin/componentloginpage";
const MOBILE: &str = "https://open.weixin.qq.com/wxaopen/safe/bindcomponent";

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct AuthUrlOptions {
    pub pre_auth_code: Option<String>,
    pub redirect_uri: Option<String>,
    /// 1 official accounts only, 2 mini programs only, 3 both (WeChat's default); later pages add more kinds.
    pub auth_type: Option<f64>,
    /// Only this account's administrator may authorize (wins over authType).
    pub biz_appid: Option<String>,
    /// The mobile form (`#wechat_redirect`) instead of the PC QR-code page.
    pub mobile: Option<bool>,
}

fn present<'a>(name: &str, value: &'a Option<String>) -> Result<&'a str, String> {
    match value.as_deref().map(str::trim) {
        Some(v) if !v.is_empty() => Ok(v),
        _ => Err(format!("{name} is required")),
    }
}

/// Where the authorization page is served for a client of `api_base`: WeChat's hosts (None), or the emulator's
/// when `api_base` is a loopback host.
pub fn emulated_page_base(api_base: &Url) -> Option<&Url> {
    let loopback = match api_base.host() {
        Some(url::Host::Domain(name)) => {
            let name = name.trim_end_matches('.').to_ascii_lowercase();
            name == "localhost" || name.ends_with(".localhost")
        }
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        None => false,
    };
    loopback.then_some(api_base)
}

/// Builds the URL; parameter values are percent-encoded (the redirect URI included). `page_base`: the
/// emulator's base URL (see `emulated_page_base`), whose host and path prefix replace WeChat's.
pub fn authorization_url(component_appid: &str, options: &AuthUrlOptions, page_base: Option<&Url>) -> Result<String, String> {
    let pre_auth_code = present("preAuthCode", &options.pre_auth_code)?;
    let redirect_uri = present("redirectUri", &options.redirect_uri)?;
    let redirect = Url::parse(redirect_uri).map_err(|_| format!("redirectUri must be an absolute http(s) URL, got {redirect_uri:?}"))?;
    if !matches!(redirect.scheme(), "http" | "https") {
        return Err(format!("redirectUri must be an absolute http(s) URL, got {redirect_uri:?}"));
    }
    let auth_type = match options.auth_type {
        None => 3,
        Some(t) if t.fract() == 0.0 && (1.0..=6.0).contains(&t) => t as u8,
        Some(t) => return Err(format!("authType must be a whole number from 1 to 6 (1 official accounts, 2 mini programs, 3 both), got {t}")),
    };
    let mobile = options.mobile.unwrap_or(false);
    let mut url = Url::parse(if mobile { MOBILE } else { PC }).expect("constant URL");
    if let Some(base) = page_base {
        let path = format!("{}{}", base.path().trim_end_matches('/'), url.path());
        url = base.clone();
        url.set_path(&path);
        url.set_query(None);
    }
    {
        let mut q = url.query_pairs_mut();
        if mobile {
            q.append_pair("action", "bindcomponent").append_pair("no_scan", "1");
        }
        q.append_pair("component_appid", component_appid)
            .append_pair("pre_auth_code", pre_auth_code)
            .append_pair("redirect_uri", redirect_uri)
            .append_pair("auth_type", &auth_type.to_string());
        if let Some(biz) = options.biz_appid.as_deref().filter(|b| !b.is_empty()) {
            q.append_pair("biz_appid", biz);
        }
    }
    if mobile {
        url.set_fragment(Some("wechat_redirect"));
    }
    Ok(url.into())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn options(json: &str) -> AuthUrlOptions {
        serde_json::from_str(json).unwrap()
    }

    #[test]
    fn pc_form() {
        let url = authorization_url("wxcomp", &options(r#"{"preAuthCode":"pre@AUTH_1","redirectUri":"https://shop.example.com/cb?x=1&y=2"}"#), None).unwrap();
        assert_eq!(
            url,
            "https://mp.weixin.qq.com/cgi-bin/componentloginpage?component_appid=wxcomp&pre_auth_code=pre%40AUTH_1\
             &redirect_uri=https%3A%2F%2Fshop.example.com%2Fcb%3Fx%3D1%26y%3D2&auth_type=3"
        );
    }

    #[test]
    fn mobile_form_with_type_and_biz_appid() {
        let url = authorization_url("wxcomp", &options(r#"{"preAuthCode":"p","redirectUri":"https://a.example/cb","authType":2,"bizAppid":"wxbiz","mobile":true}"#), None).unwrap();
        assert_eq!(
            url,
            "https://open.weixin.qq.com/wxaopen/safe/bindcomponent?action=bindcomponent&no_scan=1&component_appid=wxcomp\
             &pre_auth_code=p&redirect_uri=https%3A%2F%2Fa.example%2Fcb&auth_type=2&biz_appid=wxbiz#wechat_redirect"
        );
    }

    #[test]
    fn names_the_bad_field() {
        let err = |j: &str| authorization_url("wxc", &options(j), None).unwrap_err();
        assert_eq!(err(r#"{"redirectUri":"https://a/cb"}"#), "preAuthCode is required");
        assert_eq!(err(r#"{"preAuthCode":"p"}"#), "redirectUri is required");
        assert_eq!(err(r#"{"preAuthCode":"p","redirectUri":"/cb"}"#), "redirectUri must be an absolute http(s) URL, got \"/cb\"");
        assert!(err(r#"{"preAuthCode":"p","redirectUri":"https://a/cb","authType":0}"#).starts_with("authType must be a whole number"));
        assert!(serde_json::from_str::<AuthUrlOptions>(r#"{"redirectUrl":"x"}"#).is_err());
    }

    #[test]
    fn a_loopback_api_base_gets_the_emulators_page() {
        let base = |u: &str| Url::parse(u).unwrap();
        for local in ["http://127.0.0.1:4010", "http://localhost:4010/", "http://[::1]:9", "http://emu.localhost"] {
            assert!(emulated_page_base(&base(local)).is_some(), "{local}");
        }
        for remote in ["https://api.weixin.qq.com", "https://wxproxy.example.com", "http://10.0.0.2:8080"] {
            assert!(emulated_page_base(&base(remote)).is_none(), "{remote}");
        }
        let emulator = base("http://127.0.0.1:4010/prefix/");
        let url = authorization_url("wxcomp", &options(r#"{"preAuthCode":"p","redirectUri":"https://a.example/cb"}"#), emulated_page_base(&emulator)).unwrap();
        assert_eq!(url, "http://127.0.0.1:4010/prefix/cgi-bin/componentloginpage?component_appid=wxcomp&pre_auth_code=p&redirect_uri=https%3A%2F%2Fa.example%2Fcb&auth_type=3");
    }
}
