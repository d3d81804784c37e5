//! Who may drive the emulator: the control API and the console answer only what a test or a developer on this
//! machine sends, so a web page the developer visits cannot reset or rewrite it.
//!
//! - a `Host` that is a loopback name or address (or one of `controlHosts`): DNS rebinding;
//! - no `Origin` but the emulator's own: a web page's cross-origin request;
//! - a request a browser made (it carries `Origin` or `Sec-Fetch-Site`) must also carry this start's token,
//!   which only the console URL holds (`x-emulator-token`, or `?token=` for the console page itself); tests,
//!   the JS emulator, the CLI and curl send neither header and need no token;
//! - a control body must be labelled `application/json` (a "simple" cross-origin request cannot send that label).

use axum::body::Bytes;
use axum::http::{header, HeaderMap, StatusCode};

/// The header the console's script sends the token in.
pub const TOKEN_HEADER: &str = "x-emulator-token";

pub struct Guard {
    /// Made fresh at every start; in the console URL only.
    pub token: String,
    /// `Host` names besides loopback ones (the config's `controlHosts`).
    hosts: Vec<String>,
}

pub type Refusal = (StatusCode, String);

impl Guard {
    pub fn new(hosts: Vec<String>) -> Guard {
        Guard { token: crate::kit::ids::random_token(32), hosts }
    }

    /// Why a control request is refused, or None.
    pub fn refuse_control(&self, headers: &HeaderMap, body: &Bytes) -> Option<Refusal> {
        if let Some(refusal) = self.refuse_browser(headers, header_text(headers, TOKEN_HEADER)) {
            return Some(refusal);
        }
        if !body.iter().all(u8::is_ascii_whitespace) {
            let content_type = header_text(headers, header::CONTENT_TYPE.as_str()).unwrap_or("");
            let essence = content_type.split(';').next().unwrap_or("").trim();
            if !essence.eq_ignore_ascii_case("application/json") {
                return Some((StatusCode::UNSUPPORTED_MEDIA_TYPE, format!("the control API takes Content-Type: application/json, not {content_type:?}")));
            }
        }
        None
    }

    /// Why a request is refused on Host, Origin or token grounds (`token`: what the request carried), or None.
    pub fn refuse_browser(&self, headers: &HeaderMap, token: Option<&str>) -> Option<Refusal> {
        let Some(host) = header_text(headers, header::HOST.as_str()) else {
            return Some((StatusCode::FORBIDDEN, "the control API needs a Host header".into()));
        };
        let name = host_name(host);
        if !is_loopback_name(name) && !self.hosts.iter().any(|a| a.eq_ignore_ascii_case(name)) {
            return Some((
                StatusCode::FORBIDDEN,
                format!("the control API answers loopback hosts only, not Host {host:?} (add it to the emulator's controlHosts)"),
            ));
        }
        let origin = headers.get(header::ORIGIN);
        if let Some(origin) = origin {
            let own = [format!("http://{host}"), format!("https://{host}")];
            if !origin.to_str().is_ok_and(|o| own.iter().any(|own| own.eq_ignore_ascii_case(o))) {
                return Some((StatusCode::FORBIDDEN, "the control API refuses cross-origin requests".into()));
            }
        }
        let site = header_text(headers, "sec-fetch-site");
        if site.is_some_and(|s| !matches!(s, "same-origin" | "none")) {
            return Some((StatusCode::FORBIDDEN, "the control API refuses cross-origin requests".into()));
        }
        let from_browser = origin.is_some() || site.is_some();
        if from_browser && !token.is_some_and(|t| same_text(t, &self.token)) {
            return Some((StatusCode::FORBIDDEN, "a browser needs the console's token: open the console URL the emulator printed (emu.consoleUrl)".into()));
        }
        None
    }
}

/// Headers of every page the emulator serves a browser: no framing (clickjacking), no scripts but its own,
/// no Referer (the console URL holds the token), no caching.
pub fn page_headers() -> [(header::HeaderName, &'static str); 5] {
    [
        (header::CONTENT_SECURITY_POLICY, "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self' data:; form-action 'self' http: https:; frame-ancestors 'none'; base-uri 'none'"),
        (header::X_FRAME_OPTIONS, "DENY"),
        (header::REFERRER_POLICY, "no-referrer"),
        (header::CACHE_CONTROL, "no-store"),
        (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
    ]
}

fn header_text<'h>(headers: &'h HeaderMap, name: &str) -> Option<&'h str> {
    headers.get(name).and_then(|h| h.to_str().ok())
}

/// Compares in time that does not depend on where the texts differ.
fn same_text(a: &str, b: &str) -> bool {
    a.len() == b.len() && a.bytes().zip(b.bytes()).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// Whether `host` (a `Host` header's name, port removed) names this machine's loopback interface.
fn is_loopback_name(host: &str) -> bool {
    let host = host.trim_end_matches('.').to_ascii_lowercase();
    if host == "localhost" || host.ends_with(".localhost") {
        return true;
    }
    let bare = host.trim_start_matches('[').trim_end_matches(']');
    bare.parse::<std::net::IpAddr>().is_ok_and(|ip| ip.is_loopback())
}

/// The host part of a `Host` header (`name:port`, `[v6]:port`).
fn host_name(host: &str) -> &str {
    if host.starts_with('[') {
        return host.split_once(']').map_or(host, |(name, _)| &host[..name.len() + 1]);
    }
    host.rsplit_once(':').map_or(host, |(name, _)| name)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            map.insert(*name, value.parse().unwrap());
        }
        map
    }

    #[test]
    fn tools_need_no_token_browsers_do() {
        let guard = Guard::new(vec!["emulator".into()]);
        let json = Bytes::from_static(b"{}");
        let tool = headers(&[("host", "127.0.0.1:9"), ("content-type", "application/json")]);
        assert!(guard.refuse_control(&tool, &json).is_none());
        let browser = headers(&[("host", "127.0.0.1:9"), ("content-type", "application/json"), ("origin", "http://127.0.0.1:9"), ("sec-fetch-site", "same-origin")]);
        assert!(guard.refuse_control(&browser, &json).unwrap().1.contains("console's token"));
        let mut with_token = browser.clone();
        with_token.insert(TOKEN_HEADER, guard.token.parse().unwrap());
        assert!(guard.refuse_control(&with_token, &json).is_none());
        let mut wrong = browser.clone();
        wrong.insert(TOKEN_HEADER, "x".repeat(32).parse().unwrap());
        assert!(guard.refuse_control(&wrong, &json).is_some());
        let mut cross = with_token.clone();
        cross.insert("origin", "https://evil.example".parse().unwrap());
        assert!(guard.refuse_control(&cross, &json).unwrap().1.contains("cross-origin"));
        let mut cross_site = with_token.clone();
        cross_site.insert("sec-fetch-site", "cross-site".parse().unwrap());
        assert!(guard.refuse_control(&cross_site, &json).is_some());
        assert!(guard.refuse_control(&headers(&[("host", "evil.example"), ("content-type", "application/json")]), &json).unwrap().1.contains("loopback hosts only"));
        assert!(guard.refuse_control(&headers(&[("host", "emulator:8080"), ("content-type", "application/json")]), &json).is_none());
        assert_eq!(guard.refuse_control(&headers(&[("host", "localhost")]), &json).unwrap().0, StatusCode::UNSUPPORTED_MEDIA_TYPE);
        assert_ne!(Guard::new(vec![]).token, guard.token, "a token per start");
    }
}
