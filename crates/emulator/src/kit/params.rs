//! The request's fields (body or query string), already checked against the table.

use serde_json::Value;

#[derive(Clone, Copy)]
pub struct Params<'a>(pub &'a Value);

impl<'a> Params<'a> {
    pub fn get(&self, key: &str) -> Option<&'a Value> {
        self.0.get(key)
    }

    /// A string field, or "" when absent.
    pub fn str(&self, key: &str) -> &'a str {
        self.opt_str(key).unwrap_or_default()
    }

    pub fn opt_str(&self, key: &str) -> Option<&'a str> {
        self.0.get(key).and_then(Value::as_str)
    }

    /// A number field (or a numeric string, where WeChat's pages allow either).
    pub fn int(&self, key: &str) -> Option<i64> {
        match self.0.get(key)? {
            Value::Number(n) => n.as_i64().or_else(|| n.as_f64().map(|f| f as i64)),
            Value::String(s) => s.trim().parse().ok(),
            _ => None,
        }
    }

    pub fn bool(&self, key: &str) -> Option<bool> {
        self.0.get(key).and_then(Value::as_bool)
    }

    /// The fields of a nested object (empty when absent).
    pub fn child(&self, key: &str) -> Params<'a> {
        static NULL: Value = Value::Null;
        Params(self.0.get(key).unwrap_or(&NULL))
    }
}

/// A non-empty query-string value (`access_token`, …).
pub fn query_value<'q>(query: &'q [(String, String)], key: &str) -> Option<&'q str> {
    query.iter().find(|(k, _)| k == key).map(|(_, v)| v.as_str()).filter(|v| !v.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn params_read_numbers_and_numeric_strings() {
        let v = serde_json::json!({"a": 1, "b": "2", "c": 1.5, "d": "x", "e": true});
        let p = Params(&v);
        assert_eq!((p.int("a"), p.int("b"), p.int("c"), p.int("d")), (Some(1), Some(2), Some(1), None));
        assert_eq!(p.bool("e"), Some(true));
        assert_eq!(p.str("missing"), "");
    }
}
