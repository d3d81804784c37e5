//! Argument checks against the endpoint table, shared by the client (before any I/O) and the emulator (to answer 47001).
//! Every message names the field the way the caller wrote it (camelCase unless `convertCase: false`): `orderList[2].orderId`.

use super::walk::{places, shown_name};
use super::{Endpoint, Field};
use serde_json::Value;

/// Checks `params` (already snake_case) against `endpoint`'s request fields.
/// Unknown fields pass: WeChat adds fields faster than tables are updated.
pub fn check(endpoint: &Endpoint, params: &Value, camel_names: bool) -> Result<(), String> {
    if !params.is_object() {
        return Err(format!("params must be an object, got {}", super::field::kind_of(params)));
    }
    for field in endpoint.request.iter().filter(|f| !is_placeholder(f)) {
        check_field(field, params, camel_names)?;
    }
    if let Some(upload) = &endpoint.upload {
        let given = |key: &str| params.get(key).is_some_and(|v| !v.is_null());
        if let Some(alt) = upload.alternative.as_deref().filter(|alt| !given(alt) && !given(&upload.field)) {
            let name = |key: &str| shown_name(key, camel_names);
            return Err(format!("give {} (the image as {{ contentType, value: Buffer }}) or {} (its URL)", name(&upload.field), name(alt)));
        }
    }
    Ok(())
}

/// A row like `custom.<addOrder body>` describes a shape in words, not a key anyone sends.
fn is_placeholder(field: &Field) -> bool {
    field.key().starts_with('<')
}

fn check_field(field: &Field, root: &Value, camel_names: bool) -> Result<(), String> {
    for place in places(field, root, camel_names) {
        let shown = place.shown;
        match place.value {
            None if field.required => return Err(format!("{shown} is required")),
            None => {}
            Some(v) if field.ty == super::FieldType::File => {
                if let Some(problem) = super::upload::file_problem(&shown, v, camel_names) {
                    return Err(problem);
                }
            }
            Some(v) if !field.ty.accepts(v) => {
                let expected = field.rules.expects().unwrap_or_else(|| article(&field.ty.describe()));
                return Err(format!("{shown} must be {expected}, got {}", super::field::kind_of(v)));
            }
            Some(_) => {}
        }
    }
    Ok(())
}

fn article(ty: &str) -> String {
    match ty.chars().next() {
        Some('o') if ty.ends_with("[]") => "an array of objects".into(),
        Some('s') if ty.ends_with("[]") => "an array of strings".into(),
        Some('n') if ty.ends_with("[]") => "an array of numbers".into(),
        Some('o') => format!("an {ty}"),
        _ => format!("a {ty}"),
    }
}


#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalogue::catalogue;
    use serde_json::json;

    fn check_api(name: &str, params: Value) -> Result<(), String> {
        check(catalogue().get(name).unwrap(), &params, true)
    }

    #[test]
    fn requires_an_object() {
        assert_eq!(check_api("logistics.getAllAccount", json!([])), Err("params must be an object, got array".into()));
        assert_eq!(check_api("logistics.getAllAccount", json!({"anything": 1})), Ok(()));
    }

    #[test]
    fn names_missing_and_mistyped_fields_in_camel_case() {
        let ok = json!({"order_list": [{"order_id": "a", "delivery_id": "SF"}]});
        assert_eq!(check_api("logistics.batchGetOrder", ok), Ok(()));
        let missing = json!({"order_list": [{"order_id": "a", "delivery_id": "SF"}, {"order_id": "b"}]});
        assert_eq!(check_api("logistics.batchGetOrder", missing), Err("orderList[1].deliveryId is required".into()));
        let wrong = json!({"order_list": [{"order_id": 7, "delivery_id": "SF"}]});
        assert_eq!(check_api("logistics.batchGetOrder", wrong), Err("orderList[0].orderId must be a string, got number".into()));
        assert_eq!(check_api("logistics.batchGetOrder", json!({})), Err("orderList is required".into()));
        assert_eq!(
            check_api("logistics.batchGetOrder", json!({"order_list": {}})),
            Err("orderList must be an array of objects, got object".into())
        );
    }

    #[test]
    fn snake_names_without_case_conversion_and_unions() {
        let e = catalogue().get("officialAccount.linkMiniprogram").unwrap();
        assert_eq!(check(e, &json!({"appid": "wx1", "notify_users": "1", "show_profile": 0}), false), Ok(()));
        assert_eq!(
            check(e, &json!({"appid": "wx1", "notify_users": true, "show_profile": 0}), false),
            Err("notify_users must be a number|string, got boolean".into())
        );
        assert_eq!(check(e, &json!({"appid": null, "notify_users": 1, "show_profile": 0}), false), Err("appid must be a string, got null".into()));
    }

    #[test]
    fn placeholder_rows_are_not_keys() {
        let e = catalogue().get("logistics.previewTemplate").unwrap();
        let body = json!({"waybill_id": "w", "waybill_template": "PGI+", "waybill_data": "d", "custom": {"order_id": "o"}});
        assert_eq!(check(e, &body, false), Ok(()));
        let no_custom = json!({"waybill_id": "w", "waybill_template": "PGI+", "waybill_data": "d"});
        assert_eq!(check(e, &no_custom, false), Err("custom is required".into()));
    }

    #[test]
    fn nested_required_fields_only_when_parent_present() {
        let e = catalogue().get("logistics.traceWaybill").unwrap();
        let base = json!({"openid": "o", "receiver_phone": "1", "waybill_id": "w", "trans_id": "t", "order_detail_path": "p",
            "goods_info": {"detail_list": [{"goods_name": "g", "goods_img_url": "u"}]}});
        assert_eq!(check(e, &base, true), Ok(()));
        let mut bad = base.clone();
        bad["goods_info"]["detail_list"][0].as_object_mut().unwrap().remove("goods_img_url");
        assert_eq!(check(e, &bad, true), Err("goodsInfo.detailList[0].goodsImgUrl is required".into()));
    }
}
