//! Integers too long for a JS number cross the N-API boundary as marked strings.
//! Answers cross as JSON text (cheaper than building objects through N-API), but `JSON.parse` would round
//! `12345678901234567890`; wx-server-sdk returns such integers (more than 15 digits) as BigInt. So the core
//! replaces them with `MARK + digits`, counts them, and the facade revives them with `BigInt` only when the
//! count is non-zero. The same mark carries BigInt arguments the other way.

use serde_json::{Number, Value};
use std::str::FromStr;

/// A NUL can never start a string WeChat sends in these fields, so the mark cannot collide with data.
pub const MARK: &str = "\u{0}wxbig:";

/// Whether a JSON number's text is an integer of more than 15 digits (json-bigint's rule in wx-server-sdk).
pub fn is_long_integer(text: &str) -> bool {
    let digits = text.strip_prefix('-').unwrap_or(text);
    digits.len() > 15 && digits.bytes().all(|b| b.is_ascii_digit())
}

/// Replaces long integers with marked strings; returns how many were replaced.
pub fn mark(value: &mut Value) -> usize {
    match value {
        Value::Number(n) => {
            let text = n.to_string();
            if is_long_integer(&text) {
                *value = Value::String(format!("{MARK}{text}"));
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
        Value::String(s) if s.starts_with(MARK) => {
            if let Ok(n) = Number::from_str(&s[MARK.len()..]) {
                *value = Value::Number(n);
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
        assert_eq!(v["a"], Value::String(format!("{MARK}12345678901234567890")));
        assert_eq!(v["b"], serde_json::json!(123456789012345_u64), "15 digits stay numbers");
        assert_eq!(v["d"][0], Value::String(format!("{MARK}-1234567890123456")));
        unmark(&mut v);
        assert_eq!(serde_json::to_string(&v).unwrap(), r#"{"a":12345678901234567890,"b":123456789012345,"c":1.5,"d":[-1234567890123456]}"#);
    }

    #[test]
    fn decimals_are_never_marked() {
        let mut v: Value = serde_json::from_str("[1234567890.1234567, 1e300]").unwrap();
        assert_eq!(mark(&mut v), 0);
    }
}
