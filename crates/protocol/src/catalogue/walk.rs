//! Where a field of the table may appear in params: every object that may hold it, one per element of each
//! enclosing array, with its name as the caller wrote it. The type checks and the value rules both walk here.

use crate::case::camel_key;
use super::{Field, Segment};
use serde_json::{Map, Value};

/// One place a field may appear: the object that holds it, its value there, and its name as the caller wrote it.
pub(super) struct Place<'v> {
    pub holder: &'v Map<String, Value>,
    pub value: Option<&'v Value>,
    pub shown: String,
}

/// A key as the caller wrote it (camelCase unless `convertCase: false`).
pub(super) fn shown_name(key: &str, camel_names: bool) -> String {
    if camel_names { camel_key(key) } else { key.to_owned() }
}

/// Every object that may hold the field (one per element of each enclosing array), with its value there.
pub(super) fn places<'v>(field: &Field, root: &'v Value, camel_names: bool) -> Vec<Place<'v>> {
    let mut holders: Vec<(&Value, String)> = vec![(root, String::new())];
    let Some((Segment::Key(last), inner)) = field.segments.split_last() else { return Vec::new() };
    let join = |shown: &str, key: &str| if shown.is_empty() { shown_name(key, camel_names) } else { format!("{shown}.{}", shown_name(key, camel_names)) };
    for seg in inner {
        let mut next = Vec::new();
        for (value, shown) in holders {
            match seg {
                Segment::Key(key) => next.extend(value.get(key).map(|v| (v, join(&shown, key)))),
                Segment::Each => {
                    let Some(items) = value.as_array() else { continue };
                    next.extend(items.iter().enumerate().map(|(n, v)| (v, format!("{shown}[{n}]"))));
                }
            }
        }
        holders = next;
    }
    holders
        .into_iter()
        .filter_map(|(value, shown)| value.as_object().map(|holder| Place { holder, value: holder.get(last), shown: join(&shown, last) }))
        .collect()
}

