//! What a `notify_third_fasteregister` push tells the platform (a fast-registered mini program was created, or
//! its task failed): `appid`, `status`, `authCode`, `msg` and the applicant's `info`, for the listeners of that
//! event. The push is verified and decrypted before this reads it; the flat reader skips the nested `<info>`,
//! so that block is read on its own.

use serde_json::{Map, Value};
use wechat_protocol::case::camel_key;
use wechat_protocol::crypto::{parse_flat, CryptoError, MAX_PUSH_XML_BYTES};

pub const INFO_TYPE: &str = "notify_third_fasteregister";

/// Fields whose value WeChat writes as a number.
const NUMBERS: [&str; 2] = ["status", "code_type"];

/// The event's own fields (camelCase), beside the ones every push has.
pub fn details(inner_xml: &str) -> Result<Map<String, Value>, CryptoError> {
    let mut out = Map::new();
    for (key, value) in parse_flat(inner_xml, MAX_PUSH_XML_BYTES)? {
        if matches!(key.as_str(), "appid" | "status" | "auth_code" | "msg") {
            out.insert(camel_key(&key), typed(&key, value));
        }
    }
    if let (Some(start), Some(end)) = (inner_xml.find("<info>"), inner_xml.rfind("</info>")) {
        if start < end {
            let block = format!("<xml>{}</xml>", &inner_xml[start + "<info>".len()..end]);
            let info: Map<String, Value> = parse_flat(&block, MAX_PUSH_XML_BYTES)?.into_iter().map(|(k, v)| (camel_key(&k), typed(&k, v))).collect();
            out.insert("info".into(), Value::Object(info));
        }
    }
    Ok(out)
}

fn typed(key: &str, value: String) -> Value {
    match value.trim().parse::<i64>() {
        Ok(n) if NUMBERS.contains(&key) => Value::from(n),
        _ => Value::String(value),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn reads_the_flat_fields_and_the_info_block() {
        let xml = "<xml><AppId><![CDATA[wxc]]></AppId><CreateTime>1535442403</CreateTime><InfoType><![CDATA[notify_third_fasteregister]]></InfoType>\
            <appid>wxnew</appid><status>0</status><auth_code>code-1</auth_code><msg>OK</msg>\
            <info><name><![CDATA[腾讯]]></name><code><![CDATA[123]]></code><code_type>1</code_type><legal_persona_wechat><![CDATA[w]]></legal_persona_wechat></info></xml>";
        assert_eq!(
            Value::Object(details(xml).unwrap()),
            json!({"appid": "wxnew", "status": 0, "authCode": "code-1", "msg": "OK", "info": {"name": "腾讯", "code": "123", "codeType": 1, "legalPersonaWechat": "w"}})
        );
        let failed = "<xml><AppId>wxc</AppId><CreateTime>1</CreateTime><InfoType>notify_third_fasteregister</InfoType><status>89251</status><msg>legal person checking</msg></xml>";
        assert_eq!(Value::Object(details(failed).unwrap()), json!({"status": 89251, "msg": "legal person checking"}));
    }
}
