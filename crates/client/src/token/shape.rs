//! What a token looks like, whoever hands it over: WeChat's answer, the caller's `getAccessToken`, or a shared
//! store (which any process, or a person, may have written). A token travels as a query value, so one that is
//! huge (a URI too long for every call) or carries characters a query string splits on is not sent: it is
//! refused (from WeChat, a provider) or treated as absent (from a store). Messages never show the value.

/// WeChat's tokens are at most 512 characters (its docs say to keep room for that); this leaves room to grow.
pub const MAX_TOKEN_BYTES: usize = 2048;

/// What is wrong with `value` as a token, in words that do not show it; None for a token.
pub fn flaw(value: &str) -> Option<String> {
    if value.is_empty() {
        return Some("empty".into());
    }
    if value.len() > MAX_TOKEN_BYTES {
        return Some(format!("{} bytes, more than a token's {MAX_TOKEN_BYTES}", value.len()));
    }
    let odd = value.bytes().find(|b| !fits(*b))?;
    let what = match odd {
        b' ' => "a space",
        0..=0x1f | 0x7f => "a control character",
        0x80.. => "a non-ASCII character",
        _ => "a character that breaks a query string",
    };
    Some(format!("{} bytes with {what}", value.len()))
}

/// The characters a query value carries as they are (RFC 3986's unreserved and sub-delimiters, `:`, `@`, `/`),
/// less `&` and `+`, which form decoding reads as a separator and a space. WeChat's tokens use far fewer.
fn fits(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b"-._~!$'()*,;=:@/".contains(&b)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_pass_and_anything_a_query_string_would_mangle_does_not() {
        let wechat_like = "78_Kc0-aB_zz9".repeat(10);
        assert_eq!(flaw(&wechat_like), None);
        assert_eq!(flaw(&"T".repeat(MAX_TOKEN_BYTES)), None);
        assert_eq!(flaw("a.b~c*d=="), None);
        for bad in ["", "a b", "a&b", "a#b", "a%20", "a?b", "a+b", "a\r\nb", "a\0", "令牌", "a\"b", "a<b", "a\\b"] {
            assert!(flaw(bad).is_some(), "{bad:?}");
        }
        assert!(flaw(&"T".repeat(MAX_TOKEN_BYTES + 1)).unwrap().contains("2049 bytes"));
    }

    #[test]
    fn the_flaw_never_shows_the_value() {
        for bad in ["SECRETVALUE with space", "SECRETVALUE&x=1", "SECRETVALUE\n"] {
            assert!(!flaw(bad).unwrap().contains("SECRET"), "{bad:?}");
        }
    }
}
