//! What a `notify_third_fasteregister` push tells the platform (a fast-registered mini program was created, or
//! its task failed): `appid`, `status`, `authCode`, `msg` and the applicant's `info`, for the listeners of that
//! event. The push is verified and decrypted before this reads it, with the one push reader (nested `<info>`
//! kept, numbers typed as the push schema documents), then named in camelCase like every event's fields.

use serde_json::{Map, Value};
use wechat_protocol::case::{convert_keys, Direction};
use wechat_protocol::crypto::push_schema::type_message;
use wechat_protocol::crypto::{parse_tree, CryptoError, MAX_PUSH_XML_BYTES};

pub const INFO_TYPE: &str = "notify_third_fasteregister";

/// The event's own fields (camelCase), beside the ones every push has.
pub fn details(inner_xml: &str) -> Result<Map<String, Value>, CryptoError> {
    let mut message = parse_tree(inner_xml, MAX_PUSH_XML_BYTES)?;
    type_message(&mut message);
    let own: Map<String, Value> = message.into_iter().filter(|(key, _)| matches!(key.as_str(), "appid" | "status" | "auth_code" | "msg" | "info")).collect();
    match convert_keys(Value::Object(own), Direction::ToCamel) {
        Value::Object(map) => Ok(map),
        _ => Ok(Map::new()),
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
