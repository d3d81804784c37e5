//! What a field's spec says beyond its type (`"format"`, `"enum"`, `"maxItems"`, `"errcode"`, …), read once with
//! the table; `rules` checks values against it.

use super::time::RFC3339_EXAMPLE;
use serde_json::Value;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TimeFormat {
    /// A string in RFC 3339 (`2022-12-15T13:29:35.120+08:00`); a JS `Date` becomes one (its ISO form).
    Rfc3339,
    /// Unix seconds; the client turns a `Date` (an RFC 3339 string by then) into them.
    UnixSeconds,
}

#[derive(Clone, Debug, Default)]
pub struct Rules {
    pub format: Option<TimeFormat>,
    /// Documented values and their constant names (`[("EXPRESS", 1), …]`), in table order.
    pub values: Vec<(String, i64)>,
    /// The name of the constants object the package exports for `values` (`LogisticsType`).
    pub enum_name: Option<String>,
    pub min_items: Option<usize>,
    pub max_items: Option<usize>,
    /// In characters, as WeChat counts them.
    pub max_length: Option<usize>,
    /// Shown to the buyer, so WeChat wants it masked (`189****1234`).
    pub masked: bool,
    /// Required when the sibling field (first) holds one of these strings (second).
    pub required_when: Option<(String, Vec<String>)>,
    /// An object that must carry at least one of these keys.
    pub any_of: Vec<String>,
    /// What WeChat answers when the rule is broken.
    pub errcode: Option<i64>,
}

impl Rules {
    pub(super) fn parse(endpoint: &str, path: &str, spec: &Value) -> Result<Rules, String> {
        let bad = |what: &str| format!("endpoint table: {endpoint}: field {path}: {what}");
        let count = |key: &str| spec.get(key).map(|v| v.as_u64().map(|n| n as usize).ok_or_else(|| bad(&format!("{key} must be a count")))).transpose();
        let format = match spec.get("format").and_then(Value::as_str) {
            None => None,
            Some("rfc3339") => Some(TimeFormat::Rfc3339),
            Some("unix-seconds") => Some(TimeFormat::UnixSeconds),
            Some(other) => return Err(bad(&format!("unknown format {other}"))),
        };
        let mut values = Vec::new();
        if let Some(map) = spec.get("enum") {
            let map = map.as_object().ok_or_else(|| bad("enum must map constant names to numbers"))?;
            for (name, n) in map {
                values.push((name.clone(), n.as_i64().ok_or_else(|| bad("enum values are numbers"))?));
            }
        }
        let enum_name = spec.get("enumName").and_then(Value::as_str).map(str::to_owned);
        if enum_name.is_some() != !values.is_empty() {
            return Err(bad("enum and enumName go together"));
        }
        let strings = |v: &Value| v.as_array().map(|a| a.iter().filter_map(Value::as_str).map(str::to_owned).collect::<Vec<_>>());
        let required_when = match spec.get("requiredWhen") {
            None => None,
            Some(w) => {
                let field = w.get("field").and_then(Value::as_str).ok_or_else(|| bad("requiredWhen needs a sibling field"))?;
                let within = w.get("in").and_then(strings).ok_or_else(|| bad("requiredWhen needs `in`"))?;
                Some((field.to_owned(), within))
            }
        };
        Ok(Rules {
            format,
            values,
            enum_name,
            min_items: count("minItems")?,
            max_items: count("maxItems")?,
            max_length: count("maxLength")?,
            masked: spec.get("masked").and_then(Value::as_bool).unwrap_or(false),
            required_when,
            any_of: spec.get("anyOf").and_then(strings).unwrap_or_default(),
            errcode: spec.get("errcode").and_then(Value::as_i64),
        })
    }

    pub(super) fn is_empty(&self) -> bool {
        self.format.is_none() && self.values.is_empty() && self.min_items.is_none() && self.max_items.is_none()
            && self.max_length.is_none() && !self.masked && self.required_when.is_none() && self.any_of.is_empty()
    }

    /// What the field takes, for a type mismatch's message (None: the plain type says it).
    pub fn expects(&self) -> Option<String> {
        match self.format {
            Some(TimeFormat::Rfc3339) => return Some(format!("a Date or an RFC 3339 string such as {RFC3339_EXAMPLE}")),
            Some(TimeFormat::UnixSeconds) => return Some("a Date or Unix seconds (a number)".into()),
            None => {}
        }
        let name = self.enum_name.as_deref()?;
        let listed: Vec<String> = self.values.iter().map(|(k, v)| format!("{name}.{k} = {v}")).collect();
        Some(format!("a number ({})", listed.join(", ")))
    }
}

