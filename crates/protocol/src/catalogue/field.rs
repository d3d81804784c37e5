//! Field descriptions of the endpoint table: a dotted path (`order_list[].order_id`) and a type.

use serde_json::{Map, Value};

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FieldType {
    String,
    Number,
    Boolean,
    Object,
    ObjectArray,
    StringArray,
    NumberArray,
    /// A file to upload, `{ contentType, value: Buffer }` (see `upload`); only in a row with `"upload"`.
    File,
    /// Where WeChat's own pages disagree (`"1"` vs `1`), either is accepted.
    AnyOf(Vec<FieldType>),
}

impl FieldType {
    fn parse(text: &str) -> Option<FieldType> {
        if text.contains('|') {
            let parts: Option<Vec<_>> = text.split('|').map(FieldType::parse).collect();
            return parts.map(FieldType::AnyOf);
        }
        Some(match text {
            "string" => FieldType::String,
            "number" => FieldType::Number,
            "boolean" => FieldType::Boolean,
            "object" => FieldType::Object,
            "object[]" => FieldType::ObjectArray,
            "string[]" => FieldType::StringArray,
            "number[]" => FieldType::NumberArray,
            "file" => FieldType::File,
            _ => return None,
        })
    }

    /// Whether a JSON value has this type.
    pub fn accepts(&self, value: &Value) -> bool {
        match self {
            FieldType::String => value.is_string(),
            FieldType::Number => value.is_number(),
            FieldType::Boolean => value.is_boolean(),
            FieldType::Object => value.is_object(),
            FieldType::ObjectArray => value.as_array().is_some_and(|a| a.iter().all(Value::is_object)),
            FieldType::StringArray => value.as_array().is_some_and(|a| a.iter().all(Value::is_string)),
            FieldType::NumberArray => value.as_array().is_some_and(|a| a.iter().all(Value::is_number)),
            // Its parts are checked by `upload::file_problem`, which names the one that is wrong.
            FieldType::File => value.is_object(),
            FieldType::AnyOf(types) => types.iter().any(|t| t.accepts(value)),
        }
    }

    /// How the type reads in messages and in the table (`object[]`, `number|string`).
    pub fn describe(&self) -> String {
        match self {
            FieldType::String => "string".into(),
            FieldType::Number => "number".into(),
            FieldType::Boolean => "boolean".into(),
            FieldType::Object => "object".into(),
            FieldType::ObjectArray => "object[]".into(),
            FieldType::StringArray => "string[]".into(),
            FieldType::NumberArray => "number[]".into(),
            FieldType::File => "file".into(),
            FieldType::AnyOf(types) => types.iter().map(FieldType::describe).collect::<Vec<_>>().join("|"),
        }
    }
}

/// How a JSON value's kind reads in messages.
pub fn kind_of(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

/// One step of a field path: `order_list[]` is `Key("order_list")` then `Each`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Segment {
    Key(String),
    Each,
}

#[derive(Clone, Debug)]
pub struct Field {
    /// As written in the table, snake_case: `order_list[].order_id`.
    pub path: String,
    pub segments: Vec<Segment>,
    pub ty: FieldType,
    /// Required when its parent is present (top-level fields: always).
    pub required: bool,
    pub doc: String,
    /// Value rules beyond the type (`rules.rs`).
    pub rules: super::rule_spec::Rules,
}

impl Field {
    /// The path of the object that holds this field (`order_list[]` for `order_list[].order_id`'s array).
    pub fn parent_path(&self) -> Option<&str> {
        let cut = self.path.rfind('.')?;
        let parent = &self.path[..cut];
        Some(parent.strip_suffix("[]").unwrap_or(parent))
    }

    /// The last key of the path.
    pub fn key(&self) -> &str {
        self.segments
            .iter()
            .rev()
            .find_map(|s| match s {
                Segment::Key(k) => Some(k.as_str()),
                Segment::Each => None,
            })
            .unwrap_or_default()
    }
}

fn parse_segments(path: &str) -> Vec<Segment> {
    let mut out = Vec::new();
    for part in path.split('.') {
        let mut key = part;
        let mut each = 0;
        while let Some(stripped) = key.strip_suffix("[]") {
            key = stripped;
            each += 1;
        }
        out.push(Segment::Key(key.to_owned()));
        out.extend(std::iter::repeat_n(Segment::Each, each));
    }
    out
}

pub(super) fn parse_fields(endpoint: &str, raw: Map<String, Value>, is_request: bool) -> Result<Vec<Field>, String> {
    let mut fields = Vec::with_capacity(raw.len());
    for (path, spec) in raw {
        let ty_text = spec.get("type").and_then(Value::as_str).unwrap_or_default();
        let ty = FieldType::parse(ty_text)
            .ok_or_else(|| format!("endpoint table: {endpoint}: field {path} has unknown type {ty_text:?}"))?;
        let required = spec.get("required").and_then(Value::as_bool);
        if is_request && required.is_none() {
            return Err(format!("endpoint table: {endpoint}: request field {path} lacks `required`"));
        }
        fields.push(Field {
            rules: super::rule_spec::Rules::parse(endpoint, &path, &spec)?,
            segments: parse_segments(&path),
            ty,
            required: required.unwrap_or(false),
            doc: spec.get("doc").and_then(Value::as_str).unwrap_or_default().to_owned(),
            path,
        });
    }
    Ok(fields)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn segments_and_parents() {
        let f = Field {
            path: "order_list[].waybill_data[].key".into(),
            segments: parse_segments("order_list[].waybill_data[].key"),
            ty: FieldType::String,
            required: true,
            doc: String::new(),
            rules: Default::default(),
        };
        assert_eq!(
            f.segments,
            [
                Segment::Key("order_list".into()),
                Segment::Each,
                Segment::Key("waybill_data".into()),
                Segment::Each,
                Segment::Key("key".into())
            ]
        );
        assert_eq!(f.parent_path(), Some("order_list[].waybill_data"));
        assert_eq!(f.key(), "key");
    }

    #[test]
    fn types_accept_what_they_say() {
        let t = FieldType::parse("number|string").unwrap();
        assert!(t.accepts(&json!(1)) && t.accepts(&json!("1")) && !t.accepts(&json!(true)));
        assert!(FieldType::ObjectArray.accepts(&json!([{}, {}])));
        assert!(!FieldType::ObjectArray.accepts(&json!([{}, 1])));
        assert!(FieldType::parse("date").is_none());
    }
}
