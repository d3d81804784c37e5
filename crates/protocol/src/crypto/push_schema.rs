//! What the official event pages document about each pushed message's fields: which are numbers and which
//! are lists. `type_message` applies it to a tree read by `push_tree::parse_tree` (or a JSON push): a
//! documented number that parses becomes a number, a documented list is always an array (a lone element
//! wrapped, an absent one empty), and everything else is left exactly as sent — unknown fields included.
//! A documented number that does not parse stays the string it was: data is never lost to typing.
//!
//! Evidence, by event (pages under developers.weixin.qq.com/miniprogram/dev/server/event_push/ unless said):
//! - every message: `CreateTime` "number" on every page. `MsgId` (64-bit) stays a string: a JS number would
//!   round it.
//! - `add_express_path` (express/provider/logistics.onPathUpdate): Version, Count, Actions[].ActionTime,
//!   Actions[].ActionType are "number"; Actions is "objarray". Real pushes add Lat/Lng inside an action and
//!   ActionType 300001 (not in the enum): kept.
//! - `add_waybill` (logistics.onAddOrder): Cargo/Insured/Service fields typed as in addOrder's request
//!   (Count, Weight, SpaceX/Y/Z, DetailList[].Count, UseInsured, InsuredValue, ServiceType: "number");
//!   the page types Sender/Receiver/Cargo/Insured/Service as "Array.<Object>" but its sample sends one
//!   element each: kept as sent (an object), while DetailList is a list.
//! - `cancel_waybill`, `check_biz`, `get_quota`: only strings besides CreateTime.
//! - `update_business_bind_result` (express/business/Bind_merchant_review_result_update_event): no table,
//!   only samples, whose XML and JSON agree that errcode is a number (delivery_id, biz_id, errmsg strings).
//! - `wxa_media_check` (security.mediaCheckAsync's page): version, result.label, detail[].errcode,
//!   detail[].label, detail[].prob are numbers; detail is a list.
//! - `notify_third_fasteregister` (open platform, fast registration): status and info.code_type are
//!   numbers (the page's samples; the type is not stated in a table).
//! - `authorized` / `updateauthorized`: AuthorizationCodeExpiredTime is a unix time (number).
//! - official accounts (doc/service "接收普通消息" / "接收事件推送"): a `location` message's Location_X,
//!   Location_Y (degrees) and Scale, and the `LOCATION` event's Latitude, Longitude, Precision are numbers; MsgId,
//!   MsgID (TEMPLATESENDJOBFINISH) and EventKey stay strings (64-bit ids; a scene may be a string).
//! - `trade_manage_order_settlement`, `trade_manage_remind_shipping`, `trade_manage_remind_access_api` (order
//!   shipping management, "相关消息推送"): pay_time, shipped_time, estimated_settlement_time (on shipping),
//!   confirm_receive_method (1 automatic, 2 by the buyer), confirm_receive_time, settlement_time (on settlement)
//!   are numbers, times in Unix seconds; ids and msg are strings.

use serde_json::{Map, Number, Value};

/// `(event, dotted paths of numbers, dotted paths of lists)`.
type Schema = (&'static str, &'static [&'static str], &'static [&'static str]);

const SCHEMAS: &[Schema] = &[
    ("add_express_path", &["Version", "Count", "Actions.ActionTime", "Actions.ActionType"], &["Actions"]),
    (
        "add_waybill",
        &["Cargo.Count", "Cargo.Weight", "Cargo.SpaceX", "Cargo.SpaceY", "Cargo.SpaceZ", "Cargo.DetailList.Count",
          "Insured.UseInsured", "Insured.InsuredValue", "Service.ServiceType"],
        &["Cargo.DetailList"],
    ),
    ("update_business_bind_result", &["errcode"], &[]),
    ("wxa_media_check", &["version", "result.label", "detail.errcode", "detail.label", "detail.prob"], &["detail"]),
    ("notify_third_fasteregister", &["status", "info.code_type"], &[]),
    ("authorized", &["AuthorizationCodeExpiredTime"], &[]),
    ("updateauthorized", &["AuthorizationCodeExpiredTime"], &[]),
    (
        "trade_manage_order_settlement",
        &["pay_time", "shipped_time", "estimated_settlement_time", "confirm_receive_method", "confirm_receive_time", "settlement_time"],
        &[],
    ),
    ("trade_manage_remind_shipping", &["pay_time"], &[]),
    // The official account's location message (MsgType) and LOCATION event share the lower-cased name.
    ("location", &["Location_X", "Location_Y", "Scale", "Latitude", "Longitude", "Precision"], &[]),
];

/// The numbers every message has.
const COMMON_NUMBERS: &[&str] = &["CreateTime"];

/// The event a message is about: its `Event` (lower-cased: WeChat says some are case-insensitive) or its
/// `InfoType` (third-party platform pushes), else its `MsgType` (plain messages).
pub fn event_name(message: &Map<String, Value>) -> Option<String> {
    let text = |k: &str| message.get(k).and_then(Value::as_str).map(|s| s.trim()).filter(|s| !s.is_empty());
    text("Event").map(str::to_ascii_lowercase).or_else(|| text("InfoType").map(str::to_owned)).or_else(|| text("MsgType").map(str::to_owned))
}

/// Applies the documented types of `message`'s event (see the module docs).
pub fn type_message(message: &mut Map<String, Value>) {
    let schema = event_name(message).and_then(|name| SCHEMAS.iter().find(|(event, ..)| *event == name));
    if let Some((_, _, lists)) = schema {
        for path in *lists {
            make_list(message, &path.split('.').collect::<Vec<_>>());
        }
    }
    let numbers = COMMON_NUMBERS.iter().chain(schema.map_or(&[][..], |(_, numbers, _)| numbers).iter());
    for path in numbers {
        at_path(message, &path.split('.').collect::<Vec<_>>(), &mut to_number);
    }
}

/// Calls `f` on every value at `path` (through arrays, at any level).
fn at_path(map: &mut Map<String, Value>, path: &[&str], f: &mut dyn FnMut(&mut Value)) {
    let Some((first, rest)) = path.split_first() else { return };
    let Some(value) = map.get_mut(*first) else { return };
    visit(value, rest, f);
}

fn visit(value: &mut Value, rest: &[&str], f: &mut dyn FnMut(&mut Value)) {
    match value {
        Value::Array(items) => items.iter_mut().for_each(|item| visit(item, rest, f)),
        Value::Object(map) if !rest.is_empty() => at_path(map, rest, f),
        leaf if rest.is_empty() => f(leaf),
        _ => {}
    }
}

/// The list at `path`: a lone element wrapped; absent at the top level: empty.
fn make_list(map: &mut Map<String, Value>, path: &[&str]) {
    let Some((last, parents)) = path.split_last() else { return };
    let mut wrap = |container: &mut Value| {
        if let Value::Object(m) = container {
            match m.get_mut(*last) {
                Some(Value::Array(_)) => {}
                Some(one) => *one = Value::Array(vec![one.take()]),
                None => {
                    m.insert((*last).to_owned(), Value::Array(Vec::new()));
                }
            }
        }
    };
    if parents.is_empty() {
        let mut whole = Value::Object(std::mem::take(map));
        wrap(&mut whole);
        if let Value::Object(m) = whole {
            *map = m;
        }
    } else {
        at_path(map, parents, &mut wrap);
    }
}

/// A string holding a number becomes that number; anything else is left as it is.
fn to_number(value: &mut Value) {
    let Value::String(text) = value else { return };
    let t = text.trim();
    let number = t.parse::<i64>().ok().map(Number::from).or_else(|| t.parse::<f64>().ok().filter(|f| f.is_finite()).and_then(Number::from_f64));
    if let Some(n) = number {
        *value = Value::Number(n);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::crypto::push_tree::parse_tree;
    use serde_json::json;

    fn typed(xml: &str) -> Value {
        let mut t = parse_tree(xml, 1 << 20).unwrap();
        type_message(&mut t);
        Value::Object(t)
    }

    #[test]
    fn documented_numbers_and_lists_only() {
        let xml = "<xml><CreateTime>1546924844</CreateTime><Event>add_express_path</Event><WayBillId>0123</WayBillId>\
                   <Version>3</Version><Count>x</Count><MsgId>9223372036854775807123</MsgId>\
                   <Actions><ActionTime>1</ActionTime><ActionType>300001</ActionType><ActionMsg>42</ActionMsg><Lat>23.1</Lat></Actions></xml>";
        assert_eq!(
            typed(xml),
            json!({"CreateTime": 1546924844, "Event": "add_express_path", "WayBillId": "0123", "Version": 3, "Count": "x",
                   "MsgId": "9223372036854775807123",
                   "Actions": [{"ActionTime": 1, "ActionType": 300001, "ActionMsg": "42", "Lat": "23.1"}]})
        );
        let none = typed("<xml><CreateTime>1</CreateTime><Event>add_express_path</Event></xml>");
        assert_eq!(none["Actions"], json!([]));
    }

    #[test]
    fn nested_lists_media_checks_and_registration() {
        let waybill = typed("<xml><Event>ADD_WAYBILL</Event><Cargo><Count>2</Count><DetailList><Name>a</Name><Count>1</Count></DetailList></Cargo></xml>");
        assert_eq!(waybill["Cargo"], json!({"Count": 2, "DetailList": [{"Name": "a", "Count": 1}]}));
        let media = typed("<xml><Event>wxa_media_check</Event><version>2</version><result><suggest>risky</suggest><label>20002</label></result>\
                           <detail><strategy>content_model</strategy><errcode>0</errcode><prob>90.5</prob></detail></xml>");
        assert_eq!(media["result"], json!({"suggest": "risky", "label": 20002}));
        assert_eq!(media["detail"][0]["prob"], json!(90.5));
        let reg = typed("<xml><InfoType>notify_third_fasteregister</InfoType><status>0</status><info><code_type>1</code_type><name>n</name></info></xml>");
        assert_eq!((reg["status"].clone(), reg["info"]["code_type"].clone(), reg["info"]["name"].clone()), (json!(0), json!(1), json!("n")));
        assert_eq!(event_name(&json!({"MsgType": "text"}).as_object().unwrap().clone()).as_deref(), Some("text"));
    }
}
