//! Value rules of the endpoint table, beyond a field's type: a time format, a documented enum, list and text
//! bounds, masking, and "required when another field says so". Written in a field's spec
//! (`"format": "rfc3339"`, `"enum": {"EXPRESS": 1}`, `"maxItems": 15`, `"errcode": 10060024`, …), they are
//! checked by the client before any I/O (a message naming the field and the fix) and by the emulator, which
//! answers the `errcode` WeChat answers for the same mistake.

use super::walk::{places, shown_name, Place};
pub use super::rule_spec::{Rules, TimeFormat};
use super::time::{parse_rfc3339, RFC3339_EXAMPLE};
use super::{Endpoint, Field, Segment};
use serde_json::Value;

/// The largest Unix time in seconds a field takes; anything above (year 5138 on) can only be milliseconds.
const MAX_UNIX_SECONDS: i64 = 99_999_999_999;

/// A broken rule: what the client says, and what the emulator answers.
#[derive(Debug, PartialEq)]
pub struct Violation {
    pub message: String,
    pub errcode: Option<i64>,
}

/// Checks every rule of `endpoint`'s request fields (after `check::check` passed).
pub fn check(endpoint: &Endpoint, params: &Value, camel_names: bool) -> Result<(), Violation> {
    for field in endpoint.request.iter().filter(|f| !f.rules.is_empty()) {
        for place in places(field, params, camel_names) {
            check_place(field, &place, camel_names).map_err(|message| Violation { message, errcode: field.rules.errcode })?;
        }
    }
    Ok(())
}

fn check_place(field: &Field, place: &Place<'_>, camel_names: bool) -> Result<(), String> {
    let (rules, shown) = (&field.rules, &place.shown);
    let Some(value) = place.value else {
        if let Some((sibling, within)) = &rules.required_when {
            if let Some(said) = place.holder.get(sibling).and_then(Value::as_str).filter(|s| within.iter().any(|w| w == s)) {
                let parent = shown.rsplit_once('.').map_or(String::new(), |(p, _)| format!("{p}."));
                let sibling = format!("{parent}{}", shown_name(sibling, camel_names));
                return Err(format!("{shown} is required when {sibling} is {said}"));
            }
        }
        return Ok(());
    };
    match rules.format {
        Some(TimeFormat::Rfc3339) => {
            let text = value.as_str().unwrap_or_default();
            if parse_rfc3339(text).is_none() {
                return Err(format!("{shown} must be a Date or an RFC 3339 time such as {RFC3339_EXAMPLE}, got {text:?}"));
            }
        }
        Some(TimeFormat::UnixSeconds) => {
            let n = value.as_f64().unwrap_or_default();
            if n > MAX_UNIX_SECONDS as f64 {
                return Err(format!("{shown} is {value}, which can only be milliseconds: give Unix seconds (Math.floor(ms / 1000)) or a Date"));
            }
            if n < 0.0 || n.fract() != 0.0 {
                return Err(format!("{shown} must be whole Unix seconds (or a Date), got {value}"));
            }
        }
        None => {}
    }
    if !rules.values.is_empty() && !rules.values.iter().any(|(_, v)| value.as_i64() == Some(*v)) {
        return Err(format!("{shown} must be {}, got {value}", rules.expects().unwrap_or_default()));
    }
    if let Some(items) = value.as_array() {
        let (min, max) = (rules.min_items.unwrap_or(0), rules.max_items.unwrap_or(usize::MAX));
        if items.len() < min || items.len() > max {
            return Err(format!("{shown} must hold {min} to {max} items, got {}", items.len()));
        }
    }
    if let (Some(max), Some(text)) = (rules.max_length, value.as_str()) {
        let length = text.chars().count();
        if length > max {
            return Err(format!("{shown} must be at most {max} characters, got {length}"));
        }
    }
    if rules.masked && value.as_str().is_some_and(|t| !t.is_empty() && !t.contains('*')) {
        return Err(format!("{shown} must be masked, e.g. 189****1234 (WeChat shows it to the buyer)"));
    }
    if !rules.any_of.is_empty() {
        let given = |key: &String| value.get(key).and_then(Value::as_str).is_some_and(|s| !s.is_empty());
        if !rules.any_of.iter().any(given) {
            let names: Vec<String> = rules.any_of.iter().map(|k| format!("{shown}.{}", shown_name(k, camel_names))).collect();
            return Err(format!("{shown} needs {}", names.join(" or ")));
        }
    }
    Ok(())
}

/// The client's one conversion before the checks: a Unix-seconds field given as an RFC 3339 string (what a JS
/// `Date` is once serialised) becomes its seconds. Anything else is left for the checks to judge.
pub fn normalise(endpoint: &Endpoint, params: &mut Value) {
    for field in endpoint.request.iter().filter(|f| f.rules.format == Some(TimeFormat::UnixSeconds)) {
        convert_at(params, &field.segments);
    }
}

fn convert_at(value: &mut Value, segments: &[Segment]) {
    let Some((first, rest)) = segments.split_first() else {
        if let Some(seconds) = value.as_str().and_then(parse_rfc3339) {
            *value = Value::from(seconds.div_euclid(1000));
        }
        return;
    };
    match (first, value) {
        (Segment::Key(key), Value::Object(map)) => {
            if let Some(next) = map.get_mut(key) {
                convert_at(next, rest);
            }
        }
        (Segment::Each, Value::Array(items)) => items.iter_mut().for_each(|item| convert_at(item, rest)),
        _ => {}
    }
}

/// The enums the package exports as named constants: `(enumName, [(constant, value)])`, first use wins.
pub fn exported_enums(endpoints: &[Endpoint]) -> Vec<(String, Vec<(String, i64)>)> {
    let mut out: Vec<(String, Vec<(String, i64)>)> = Vec::new();
    for f in endpoints.iter().flat_map(|e| e.request.iter().chain(e.response.iter())) {
        if let Some(name) = &f.rules.enum_name {
            if !out.iter().any(|(n, _)| n == name) {
                out.push((name.clone(), f.rules.values.clone()));
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalogue::catalogue;
    use serde_json::json;

    fn shipping(mut edit: impl FnMut(&mut Value)) -> Result<(), Violation> {
        let e = catalogue().get("wxa.sec.order.uploadShippingInfo").unwrap();
        let mut p = json!({"order_key": {"order_number_type": 2, "transaction_id": "42"}, "logistics_type": 1, "delivery_mode": 1,
            "shipping_list": [{"tracking_no": "SF1", "express_company": "SF", "item_desc": "tea", "contact": {"receiver_contact": "189****1234"}}],
            "upload_time": "2022-12-15T13:29:35.120+08:00", "payer": {"openid": "o"}});
        edit(&mut p);
        crate::catalogue::check::check(e, &p, true).map_err(|m| Violation { message: m, errcode: None })?;
        check(e, &p, true)
    }

    #[test]
    fn shipping_rules_name_the_field_and_the_fix() {
        assert_eq!(shipping(|_| {}), Ok(()));
        let bad = |edit: &dyn Fn(&mut Value)| shipping(|p| edit(p)).unwrap_err();
        let v = bad(&|p| p["upload_time"] = json!("2022-12-15 13:29"));
        assert!(v.message.starts_with("uploadTime must be a Date or an RFC 3339 time") && v.errcode == Some(268485216), "{v:?}");
        assert!(bad(&|p| p["upload_time"] = json!(1670000000)).message.contains("uploadTime must be a Date or an RFC 3339 string"));
        assert!(bad(&|p| p["delivery_mode"] = json!("1")).message.contains("DeliveryMode.UNIFIED_DELIVERY = 1"));
        assert_eq!(bad(&|p| p["logistics_type"] = json!(9)).errcode, Some(10060005));
        let many: Vec<Value> = (0..16).map(|_| json!({"tracking_no": "t", "express_company": "YTO", "item_desc": "x"})).collect();
        assert!(bad(&|p| p["shipping_list"] = json!(many)).message.contains("shippingList must hold 1 to 15 items, got 16"));
        assert!(bad(&|p| p["shipping_list"][0]["item_desc"] = json!("字".repeat(121))).message.contains("shippingList[0].itemDesc must be at most 120"));
        let none = bad(&|p| p["shipping_list"][0].as_object_mut().unwrap().remove("contact").map(drop).unwrap_or(()));
        assert_eq!(none.message, "shippingList[0].contact is required when shippingList[0].expressCompany is SF");
        assert!(bad(&|p| p["shipping_list"][0]["contact"] = json!({})).message.contains("receiverContact"));
        assert!(bad(&|p| p["shipping_list"][0]["contact"] = json!({"consignor_contact": "18912341234"})).message.contains("must be masked"));
    }

    #[test]
    fn received_time_takes_seconds_or_a_date_never_milliseconds() {
        let e = catalogue().get("wxa.sec.order.notifyConfirmReceive").unwrap();
        let mut p = json!({"transaction_id": "42", "received_time": "2023-11-14T22:13:20.000Z"});
        normalise(e, &mut p);
        assert_eq!(p["received_time"], json!(1700000000));
        assert_eq!(check(e, &p, true), Ok(()));
        let ms = check(e, &json!({"received_time": 1700000000000i64}), true).unwrap_err();
        assert!(ms.message.contains("receivedTime is 1700000000000, which can only be milliseconds") && ms.errcode == Some(10060029), "{ms:?}");
    }
}
