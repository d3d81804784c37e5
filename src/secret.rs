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

/// Replaces every occurrence of each secret in `text` with `[redacted]`; also masks `access_token=...`-style
/// query values, whatever their value, since URLs end up in transport errors.
pub fn scrub<'a>(text: &str, secrets: impl IntoIterator<Item = &'a Secret>) -> String {
    let mut out = text.to_owned();
    for s in secrets {
        // Very short values would redact ordinary words; real credentials are long.
        if s.expose().len() >= 6 && out.contains(s.expose()) {
            out = out.replace(s.expose(), "[redacted]");
        }
    }
    mask_token_params(&out)
}

const TOKEN_PARAMS: [&str; 4] = ["access_token=", "component_access_token=", "secret=", "appsecret="];

fn mask_token_params(text: &str) -> String {
    let mut out = text.to_owned();
    for param in TOKEN_PARAMS {
        let mut from = 0;
        while let Some(pos) = out[from..].find(param) {
            let start = from + pos + param.len();
            let end = out[start..]
                .find(|c: char| c == '&' || c == ' ' || c == '"' || c == ')' || c == '\'')
                .map_or(out.len(), |e| start + e);
            if end > start && &out[start..end] != "[redacted]" {
                out.replace_range(start..end, "[redacted]");
            }
            from = start + "[redacted]".len().min(out.len() - start);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

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
    }
}
