//! A credential that cannot be printed: Debug and Display redact it, so leaking one through a log line
//! or an error message would need an explicit `expose()` call that reviewers can grep for.

use std::fmt;
use std::sync::Arc;

#[derive(Clone, PartialEq, Eq, Hash)]
pub struct Secret(Arc<str>);

impl Secret {
    pub fn new(value: impl Into<Arc<str>>) -> Self {
        Secret(value.into())
    }

    /// The raw value, for the one place that must send it (a query string or a request body).
    pub fn expose(&self) -> &str {
        &self.0
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret([redacted])")
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[redacted]")
    }
}

/// Replaces every occurrence of each secret in `text` with `[redacted]`; also masks the value of every
/// credential-looking key (`access_token=...`, `"component_appsecret":"..."`), whatever its value, and the
/// user and password of a URL (`redis://:pw@host`), since URLs and request bodies can come back inside
/// transport errors, an echoing proxy's answer or a config error quoting what was given.
/// The SDK's only scrubber: the facade has none of its own.
pub fn scrub<'a>(text: &str, secrets: impl IntoIterator<Item = &'a Secret>) -> String {
    let mut out = text.to_owned();
    for s in secrets {
        // Very short values would redact ordinary words; real credentials are long.
        if s.expose().len() >= 6 && out.contains(s.expose()) {
            out = out.replace(s.expose(), "[redacted]");
        }
    }
    mask_credential_values(&mask_url_userinfo(&out))
}

/// `value` with the same scrubbing as [`scrub`], done on the tree: every key and string is scrubbed of
/// `secrets`, URLs' userinfo and `key=value` credentials, and every string under a credential-looking key
/// (`access_token`, `componentAppsecret`…) is masked whole. For JSON that leaves the core as data (an error's
/// answer fields), where scrubbing its text could miss a credential JSON escapes or break the JSON.
pub fn scrub_value<'a>(value: &serde_json::Value, secrets: impl IntoIterator<Item = &'a Secret> + Clone) -> serde_json::Value {
    use serde_json::Value;
    match value {
        Value::String(s) => Value::String(scrub(s, secrets)),
        Value::Array(items) => Value::Array(items.iter().map(|v| scrub_value(v, secrets.clone())).collect()),
        Value::Object(map) => Value::Object(
            map.iter()
                .map(|(k, v)| {
                    let masked = matches!(v, Value::String(_)) && is_credential_key(k);
                    let v = if masked { Value::String("[redacted]".into()) } else { scrub_value(v, secrets.clone()) };
                    (scrub(k, secrets.clone()), v)
                })
                .collect(),
        ),
        other => other.clone(),
    }
}

/// Every string a credential-looking key holds anywhere in `value` (`secret`, `accessToken`,
/// `component.encodingAesKey`…), and the user and password of every URL it holds under any key (`apiBase`,
/// a store URL), in each form a text may quote them: what a text about that value (a config error, an echo of
/// a request) must not quote, whatever characters they contain.
pub fn credentials_in(value: &serde_json::Value) -> Vec<Secret> {
    fn walk(value: &serde_json::Value, under_credential: bool, out: &mut Vec<Secret>) {
        match value {
            serde_json::Value::String(s) if under_credential => out.push(Secret::new(s.as_str())),
            serde_json::Value::String(s) => out.extend(url_credentials(s)),
            serde_json::Value::Array(items) => items.iter().for_each(|v| walk(v, under_credential, out)),
            serde_json::Value::Object(map) => map.iter().for_each(|(k, v)| walk(v, is_credential_key(k), out)),
            _ => {}
        }
    }
    let mut out = Vec::new();
    walk(value, false, &mut out);
    out
}

/// The userinfo of a URL given whole (`scheme://user:pass@host…`, everything up to its last `@`), as
/// written, as Rust's `{:?}` and JSON escape it, percent-encoded as a URL parser writes it back, and its user
/// and password alone in those forms.
fn url_credentials(text: &str) -> Vec<Secret> {
    let Some(start) = text.find("://").map(|i| i + 3) else { return Vec::new() };
    let Some(end) = text[start..].rfind('@').map(|i| start + i).filter(|&end| end > start) else { return Vec::new() };
    let userinfo = &text[start..end];
    let mut parts = vec![userinfo];
    if let Some((user, password)) = userinfo.split_once(':') {
        parts.extend([user, password]);
    }
    let mut out = Vec::new();
    for part in parts.into_iter().filter(|p| !p.is_empty()) {
        let debug = format!("{part:?}");
        let json = serde_json::to_string(part).unwrap_or_default();
        for form in [part.to_owned(), debug[1..debug.len() - 1].to_owned(), json[1..json.len() - 1].to_owned(), percent_encoded(part)] {
            if !out.iter().any(|s: &Secret| s.expose() == form) {
                out.push(Secret::new(form));
            }
        }
    }
    out
}

/// WHATWG's userinfo percent-encode set.
fn percent_encoded(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for b in text.bytes() {
        if b <= 0x20 || b >= 0x7f || b"\"#<>?`{}/:;=@[\\]^|".contains(&b) {
            out.push_str(&format!("%{b:02X}"));
        } else {
            out.push(b as char);
        }
    }
    out
}

/// `scheme://user:password@host` → `scheme://[redacted]@host`; an escaped character (`\"`, `\t` in quoted
/// text) does not end the userinfo.
fn mask_url_userinfo(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find("://") {
        out.push_str(&rest[..at + 3]);
        rest = &rest[at + 3..];
        let mut escaped = false;
        let authority_end = rest
            .char_indices()
            .find(|&(_, c)| {
                let ends = !escaped && (c.is_whitespace() || matches!(c, '/' | '?' | '#' | '"' | '\'' | ')' | ',' | '<' | '>'));
                escaped = !escaped && c == '\\';
                ends
            })
            .map_or(rest.len(), |(i, _)| i);
        // Already masked (`:***@`, `user:***@`, `[redacted]@`): left as it is.
        let masked = |user: &str| user.chars().all(|c| matches!(c, ':' | '*')) || user.ends_with(":***") || user.ends_with(REDACTED);
        if let Some(user_end) = rest[..authority_end].rfind('@').filter(|i| *i > 0 && !masked(&rest[..*i])) {
            out.push_str(REDACTED);
            rest = &rest[user_end..];
        }
    }
    out.push_str(rest);
    out
}

/// Key names ending like these hold credentials: tokens, secrets, tickets, AES keys, passwords, a user's session key.
const CREDENTIAL_ENDINGS: [&str; 9] = ["token", "secret", "ticket", "aeskey", "aes_key", "password", "passwd", "session_key", "sessionkey"];
/// Whole key names that hold credentials (`redis+unix:///s.sock?pass=…`); `signature` proves a user's session key
/// to checkSessionKey / resetUserSessionKey, so it is shown no more than the key.
const CREDENTIAL_KEYS: [&str; 3] = ["pass", "pwd", "signature"];
const REDACTED: &str = "[redacted]";

/// Masks `key=value` (query strings) and `"key":"value"` (JSON) when `key` names a credential.
fn mask_credential_values(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some((key_end, value_start, quoted)) = next_assignment(rest) {
        let key = key_before(&rest[..key_end]);
        out.push_str(&rest[..value_start]);
        rest = &rest[value_start..];
        if !is_credential_key(key) {
            continue;
        }
        // Already masked (a text scrubbed twice): `]` would otherwise end the value one character early.
        if let Some(after) = rest.strip_prefix(REDACTED) {
            out.push_str(REDACTED);
            rest = after;
            continue;
        }
        let end = if quoted {
            rest.find('"').unwrap_or(rest.len())
        } else {
            rest.find(|c: char| matches!(c, '&' | ' ' | '"' | ')' | '\'' | ',' | '\n' | '}' | ']')).unwrap_or(rest.len())
        };
        if end > 0 {
            out.push_str(REDACTED);
        }
        rest = &rest[end..];
    }
    out.push_str(rest);
    out
}

/// The next `=` or `":"` (optionally `": "`): where its key ends, where its value starts, and whether the value is quoted.
fn next_assignment(text: &str) -> Option<(usize, usize, bool)> {
    let eq = text.find('=').map(|i| (i, i + 1, false));
    let colon = text.find("\":").map(|i| {
        let after = i + 2 + text[i + 2..].len() - text[i + 2..].trim_start().len();
        if text[after..].starts_with('"') {
            (i, after + 1, true)
        } else {
            (i, after, false)
        }
    });
    match (eq, colon) {
        (Some(a), Some(b)) => Some(if a.0 < b.0 { a } else { b }),
        (a, b) => a.or(b),
    }
}

fn key_before(text: &str) -> &str {
    let start = text.char_indices().rev().find(|(_, c)| !(c.is_ascii_alphanumeric() || *c == '_')).map_or(0, |(i, c)| i + c.len_utf8());
    &text[start..]
}

fn is_credential_key(key: &str) -> bool {
    let key = key.to_ascii_lowercase();
    !key.is_empty() && (CREDENTIAL_ENDINGS.iter().any(|e| key.ends_with(e)) || CREDENTIAL_KEYS.contains(&key.as_str()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scrubs_a_tree_keys_values_and_credential_keys() {
        let s = Secret::new("abcdef123456");
        let v = serde_json::json!({
            "delivery_resultmsg": "refused abcdef123456",
            "accessToken": "anything",
            "list": [{"url": "redis://u:pw@h:1", "abcdef123456": 1}],
            "n": 12345678901234567890u64,
        });
        let clean = scrub_value(&v, [&s]);
        assert_eq!(clean["delivery_resultmsg"], "refused [redacted]");
        assert_eq!(clean["accessToken"], "[redacted]");
        assert!(!clean.to_string().contains("abcdef123456") && !clean.to_string().contains("pw@"));
        assert_eq!(clean["n"], v["n"], "numbers are kept as they are");
    }

    #[test]
    fn scrubbing_twice_changes_nothing() {
        let s = Secret::new("abcdef123456");
        for text in ["/x?access_token=abcdef123456&a=1", "/x?access_token=abcdef123456", r#"{"secret":"abcdef123456"}"#, "secret=zz) and token=abcdef123456]"] {
            let once = scrub(text, [&s]);
            assert_eq!(scrub(&once, [&s]), once, "{text}");
        }
        assert_eq!(scrub("/x?access_token=abcdef123456", [&s]), "/x?access_token=[redacted]");
    }

    #[test]
    fn never_prints() {
        let s = Secret::new("supersecretvalue");
        assert_eq!(format!("{s} {s:?}"), "[redacted] Secret([redacted])");
        assert_eq!(s.expose(), "supersecretvalue");
    }

    #[test]
    fn scrubs_values_and_query_params() {
        let s = Secret::new("abcdef123456");
        let text = "failed for https://x/cgi?access_token=TOKENVALUE&a=1 with abcdef123456";
        let clean = scrub(text, [&s]);
        assert_eq!(clean, "failed for https://x/cgi?access_token=[redacted]&a=1 with [redacted]");
        assert_eq!(scrub("secret=xyz", []), "secret=[redacted]");
        let echoed = r#"bad body {"component_appsecret": "s1", "component_verify_ticket":"t2", "appid":"wx1", "n":5} url /x?authorizer_refresh_token=r3&appid=wx1&encodingAesKey=k4"#;
        assert_eq!(
            scrub(echoed, []),
            r#"bad body {"component_appsecret": "[redacted]", "component_verify_ticket":"[redacted]", "appid":"wx1", "n":5} url /x?authorizer_refresh_token=[redacted]&appid=wx1&encodingAesKey=[redacted]"#
        );
        assert_eq!(scrub("access_token is invalid or not latest", []), "access_token is invalid or not latest");
        assert_eq!(scrub("a=b=c \"x\":", []), "a=b=c \"x\":");
        assert_eq!(scrub("中=1 中token=2", []), "中=1 中token=[redacted]");
    }

    #[test]
    fn scrubs_url_credentials() {
        assert_eq!(scrub("cannot reach redis://:pw123@cache:6379/0 now", []), "cannot reach redis://[redacted]@cache:6379/0 now");
        assert_eq!(scrub(r#"apiBase "http://user:p@ss@h/x""#, []), r#"apiBase "http://[redacted]@h/x""#);
        assert_eq!(scrub("https://api.weixin.qq.com/cgi-bin/token and a@b", []), "https://api.weixin.qq.com/cgi-bin/token and a@b");
        assert_eq!(scrub("x://@h ://", []), "x://@h ://");
        assert_eq!(scrub("rediss://:***@h:6380/0 redis://[redacted]@h", []), "rediss://:***@h:6380/0 redis://[redacted]@h");
    }

    /// Hardening class 8: a URL's credentials are scrubbed whatever characters they hold, quoted any way.
    #[test]
    fn url_credentials_of_any_characters_are_scrubbed() {
        for password in ["pa\"ss-word-1", "pa\tss-word-2", "p a s s-word-3", "pä'ss)w,ord<4>", "pass/word#5?"] {
            let url = format!("http://proxyuser:{password}@proxy.example:8080/");
            let config = serde_json::json!({ "apiBase": url, "list": [url] });
            let secrets = credentials_in(&config);
            for text in [format!("apiBase must be an http(s) URL, got {url:?}"), format!("got {url}"), serde_json::to_string(&config).unwrap()] {
                let clean = scrub(&text, &secrets);
                assert!(!clean.contains(password) && !clean.contains("word-") && !clean.contains("w,ord"), "{password:?}: {clean}");
            }
        }
        assert_eq!(scrub(r#"got "http://u:p\"w@h/""#, []), r#"got "http://[redacted]@h/""#);
        assert_eq!(scrub("redis+unix:///run/redis.sock?db=0&pass=hunter2hunter2", []), "redis+unix:///run/redis.sock?db=0&pass=[redacted]");
        assert_eq!(scrub("redis+unix:///s?password=hunter2&bypass=1", []), "redis+unix:///s?password=[redacted]&bypass=1");
    }

    #[test]
    fn finds_credentials_in_a_config() {
        let config = serde_json::json!({
            "appid": "wxappid000001", "secret": "s3cret-value", "accessToken": "tok-value-1",
            "component": { "appid": "wxc", "token": "msgtoken", "encodingAesKey": "k".repeat(43) },
            "apiBase": ["http://a", "http://b"], "timeout": 5
        });
        let found: Vec<String> = credentials_in(&config).iter().map(|s| s.expose().to_owned()).collect();
        assert_eq!(found, ["s3cret-value", "tok-value-1", "msgtoken", &"k".repeat(43)]);
        let text = "secret s3cret-value and tok-value-1 for wxappid000001";
        assert_eq!(scrub(text, &credentials_in(&config)), "secret [redacted] and [redacted] for wxappid000001");
    }

    /// Property-style: random text built around known secrets never keeps one, and never panics.
    #[test]
    fn fuzz_scrub_never_leaks_or_panics() {
        use rand::{rngs::StdRng, Rng, SeedableRng};
        let secret = Secret::new("S3cr3tValue-0123456789");
        let atoms = ["=", "\":", "\": \"", "\"", "token", "secret", "ticket", "access_token=", "中", "&", " ", "a", "[redacted]", secret.expose(), "S3cr3t"];
        let mut rng = StdRng::seed_from_u64(0x5EED_0009);
        for _ in 0..20_000 {
            let text: String = (0..rng.gen_range(0..30)).map(|_| atoms[rng.gen_range(0..atoms.len())]).collect();
            assert!(!scrub(&text, [&secret]).contains(secret.expose()), "{text}");
        }
    }
}
