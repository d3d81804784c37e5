//! Integers too long for a JS number cross the N-API boundary as marked strings.
//! Answers cross as JSON text (cheaper than building objects through N-API), but `JSON.parse` would round
//! `12345678901234567890`; wx-server-sdk returns such integers (more than 15 digits) as BigInt. So the core
//! replaces them with `MARK + digits`, counts them, and the facade revives them with `BigInt` only when the
//! count is non-zero. The same mark carries BigInt arguments the other way.
//!
//! The mark holds a per-process random nonce (`"\0wxbig:<32 hex>:"`), handed to the facade once through the
//! binding: data cannot forge it, so a caller's string or WeChat's never changes type, whatever it looks like.

use serde_json::{Number, Value};
use std::str::FromStr;
use std::sync::OnceLock;

/// The mark of this process: a NUL, a name and 128 random bits, made once.
pub fn marker() -> &'static str {
    static MARK: OnceLock<String> = OnceLock::new();
    MARK.get_or_init(|| format!("\u{0}wxbig:{:016x}{:016x}:", rand::random::<u64>(), rand::random::<u64>()))
}

/// `marker()` followed by a long integer's digits.
pub fn marked(digits: &str) -> String {
    let mark = marker();
    let mut out = String::with_capacity(mark.len() + digits.len());
    out.push_str(mark);
    out.push_str(digits);
    out
}

/// Whether a JSON number's text is an integer of more than 15 digits (json-bigint's rule in wx-server-sdk).
pub fn is_long_integer(text: &str) -> bool {
    let digits = text.strip_prefix('-').unwrap_or(text);
    digits.len() > 15 && digits.bytes().all(|b| b.is_ascii_digit())
}

fn is_integer(text: &str) -> bool {
    let digits = text.strip_prefix('-').unwrap_or(text);
    !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit())
}

/// Replaces long integers with marked strings; returns how many were replaced.
pub fn mark(value: &mut Value) -> usize {
    match value {
        Value::Number(n) => {
            let text = n.to_string();
            if is_long_integer(&text) {
                *value = Value::String(marked(&text));
                1
            } else {
                0
            }
        }
        Value::Array(items) => items.iter_mut().map(mark).sum(),
        Value::Object(map) => map.values_mut().map(mark).sum(),
        _ => 0,
    }
}

/// Turns marked strings back into exact JSON numbers (arguments that were BigInt in JS).
pub fn unmark(value: &mut Value) {
    match value {
        Value::String(s) if s.starts_with(marker()) => {
            // Only an integer's digits, as `markBig` writes them: nothing else becomes a number.
            let digits = &s[marker().len()..];
            if is_integer(digits) {
                if let Ok(n) = Number::from_str(digits) {
                    *value = Value::Number(n);
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(unmark),
        Value::Object(map) => map.values_mut().for_each(unmark),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_integers_round_trip_exactly() {
        let mut v: Value = serde_json::from_str(r#"{"a":12345678901234567890,"b":123456789012345,"c":1.5,"d":[-1234567890123456]}"#).unwrap();
        assert_eq!(mark(&mut v), 2);
        assert_eq!(v["a"], Value::String(marked("12345678901234567890")));
        assert_eq!(v["b"], serde_json::json!(123456789012345_u64), "15 digits stay numbers");
        assert_eq!(v["d"][0], Value::String(marked("-1234567890123456")));
        unmark(&mut v);
        assert_eq!(serde_json::to_string(&v).unwrap(), r#"{"a":12345678901234567890,"b":123456789012345,"c":1.5,"d":[-1234567890123456]}"#);
    }

    #[test]
    fn decimals_are_never_marked() {
        let mut v: Value = serde_json::from_str("[1234567890.1234567, 1e300]").unwrap();
        assert_eq!(mark(&mut v), 0);
    }

    #[test]
    fn the_mark_cannot_be_forged_by_data() {
        let mark = marker();
        assert_eq!(mark, marker(), "one mark per process");
        assert!(mark.starts_with("\u{0}wxbig:") && mark.len() == "\u{0}wxbig:".len() + 33 && mark.ends_with(':'));
        // What the old fixed mark looked like, and near misses, stay strings.
        let forged = ["\u{0}wxbig:42".to_owned(), format!("{}42", &mark[..mark.len() - 1]), format!("{mark}4x2"), format!("{mark}"), format!("{mark}1.5")];
        let mut v = Value::Array(forged.iter().cloned().map(Value::String).collect());
        unmark(&mut v);
        assert_eq!(v, Value::Array(forged.into_iter().map(Value::String).collect()));
        let mut real = Value::String(marked("-42"));
        unmark(&mut real);
        assert_eq!(real, serde_json::json!(-42));
    }
}
