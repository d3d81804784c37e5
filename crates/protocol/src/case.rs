//! wx-server-sdk's key conversion, both directions, exactly as its builds do it (REFERENCE §1).
//! Only keys change; values (strings, numbers, null) are never touched.

use serde_json::{Map, Value};

/// camelCase → snake_case: every ASCII capital becomes `_` + its lower case; a capital at index 0 is only lowered.
/// `openAppId` → `open_app_id`, `URL` → `u_r_l`, `order_id` stays.
pub fn snake_key(key: &str) -> String {
    let mut out = String::with_capacity(key.len() + 4);
    for (i, c) in key.char_indices() {
        if c.is_ascii_uppercase() {
            if i > 0 {
                out.push('_');
            }
            out.push(c.to_ascii_lowercase());
        } else {
            out.push(c);
        }
    }
    out
}

/// snake_case → camelCase: only `_` followed by a-z folds (`/_([a-z])/g`); `_1`, `_A` and a trailing `_` stay.
pub fn camel_key(key: &str) -> String {
    if !key.contains('_') {
        return key.to_owned();
    }
    let bytes = key.as_bytes();
    let mut out = String::with_capacity(key.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'_' && i + 1 < bytes.len() && bytes[i + 1].is_ascii_lowercase() {
            out.push(bytes[i + 1].to_ascii_uppercase() as char);
            i += 2;
        } else {
            // Copy one whole UTF-8 character.
            let ch = key[i..].chars().next().expect("index is on a char boundary");
            out.push(ch);
            i += ch.len_utf8();
        }
    }
    out
}

/// Which way keys are converted.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Direction {
    ToSnake,
    ToCamel,
}

/// Converts every object key, recursively through objects and arrays, in place order preserved.
pub fn convert_keys(value: Value, direction: Direction) -> Value {
    match value {
        Value::Object(map) => {
            let mut out = Map::with_capacity(map.len());
            for (k, v) in map {
                let key = match direction {
                    Direction::ToSnake => snake_key(&k),
                    Direction::ToCamel => camel_key(&k),
                };
                out.insert(key, convert_keys(v, direction));
            }
            Value::Object(out)
        }
        Value::Array(items) => Value::Array(items.into_iter().map(|v| convert_keys(v, direction)).collect()),
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn snake_follows_wx_server_sdk() {
        for (camel, snake) in [
            ("orderId", "order_id"),
            ("spaceX", "space_x"),
            ("openAppid", "open_appid"),
            ("openAppId", "open_app_id"),
            ("URL", "u_r_l"),
            ("Name", "name"),
            ("order_id", "order_id"),
            ("a1B2", "a1_b2"),
            ("", ""),
        ] {
            assert_eq!(snake_key(camel), snake, "{camel}");
        }
    }

    #[test]
    fn camel_follows_wx_server_sdk() {
        for (snake, camel) in [
            ("print_html", "printHtml"),
            ("delivery_resultcode", "deliveryResultcode"),
            ("open_appid", "openAppid"),
            ("have_open", "haveOpen"),
            ("path_1", "path_1"),
            ("a__b", "a_B"),
            ("__", "__"),
            ("trailing_", "trailing_"),
            ("keep_A", "keep_A"),
            ("_private", "Private"),
            ("名字_x", "名字X"),
        ] {
            assert_eq!(camel_key(snake), camel, "{snake}");
        }
    }

    #[test]
    fn converts_recursively_and_keeps_values() {
        let wire = json!({"biz_id": "x_y", "list": [{"service_type": [{"service_name": "a_b"}]}], "n": null, "big_num": 12});
        let camel = convert_keys(wire, Direction::ToCamel);
        assert_eq!(camel, json!({"bizId": "x_y", "list": [{"serviceType": [{"serviceName": "a_b"}]}], "n": null, "bigNum": 12}));
        let back = convert_keys(camel, Direction::ToSnake);
        assert_eq!(back["list"][0]["service_type"][0]["service_name"], "a_b");
    }

    #[test]
    fn keeps_key_order() {
        let v = convert_keys(json!({"z_a": 1, "a_b": 2, "m_c": 3}), Direction::ToCamel);
        let keys: Vec<_> = v.as_object().unwrap().keys().cloned().collect();
        assert_eq!(keys, ["zA", "aB", "mC"]);
    }
}
