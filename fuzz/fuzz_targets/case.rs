//! wx-server-sdk's case conversion (`case`), on keys and on whole JSON trees in both directions.
#![no_main]

use libfuzzer_sys::fuzz_target;
use serde_json::Value;
use wechat_protocol::case::{camel_key, convert_keys, snake_key, Direction};

fn shape(v: &Value) -> String {
    match v {
        Value::Object(m) => format!("{{{}}}", m.values().map(shape).collect::<Vec<_>>().join(",")),
        Value::Array(a) => format!("[{}]", a.iter().map(shape).collect::<Vec<_>>().join(",")),
        other => other.to_string(),
    }
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    // Keys already in the target case are unchanged (REFERENCE §1).
    if !text.chars().any(|c| c.is_ascii_uppercase()) {
        assert_eq!(snake_key(text), text);
    }
    if !text.contains('_') {
        assert_eq!(camel_key(text), text);
    }
    // A camelCase key without `_` goes to snake_case and back unchanged (`openAppId` ↔ `open_app_id`).
    if !text.contains('_') && !text.starts_with(|c: char| c.is_ascii_uppercase()) {
        assert_eq!(camel_key(&snake_key(text)), text);
    }
    if let Ok(tree) = serde_json::from_str::<Value>(text) {
        for direction in [Direction::ToCamel, Direction::ToSnake] {
            let converted = convert_keys(tree.clone(), direction);
            // Only keys change: values, and their order when no two keys merge, stay.
            let count = |v: &Value| shape(v).len();
            assert!(count(&converted) <= count(&tree));
        }
    }
});
