//! The walk's steps for the long tail of cloud calls (issue 30): each row called once with what it needs seeded.

use super::Walk;
use crate::test_support::APP;
use serde_json::json;

pub(super) async fn walk(w: &mut Walk, t: &str) {
    let user = w.emu.openids(APP).await[0].clone();

    let made = w.call("updatableMessage.createActivityId", t, json!({})).await;
    let joining = json!({"parameter_list": [{"name": "member_count", "value": "1"}, {"name": "room_limit", "value": "4"}]});
    w.call("updatableMessage.setUpdatableMsg", t, json!({"activity_id": made["activity_id"], "target_state": 0, "template_info": joining})).await;

    w.emu.control("userVisited", json!({"appid": APP, "openid": user})).await;
    w.call("riskControl.getUserRiskRank", t, json!({"appid": APP, "openid": user, "scene": 0, "client_ip": "1.2.3.4"})).await;
    let json_string = r#"{"raw":"walk"}"#;
    let sig = w.emu.control("soterSign", json!({"appid": APP, "openid": user, "jsonString": json_string})).await["jsonSignature"].clone();
    w.call("soter.verifySignature", t, json!({"openid": user, "json_string": json_string, "json_signature": sig})).await;

    // The card, licence and image rows read what was seeded for an image URL, every field the row lists at once.
    let pos = json!({"left_top": {"x": 0, "y": 0}, "right_top": {"x": 9, "y": 0}, "right_bottom": {"x": 9, "y": 5}, "left_bottom": {"x": 0, "y": 5}});
    let size = json!({"w": 10, "h": 6});
    let answers = [
        ("ocr.bankcard", json!({"number": "6222"})),
        ("ocr.driverLicense", json!({"id_num": "1", "name": "n", "sex": "s", "nationality": "c", "address": "a", "birth_date": "b", "issue_date": "i", "car_class": "C1", "valid_from": "f", "valid_to": "t", "official_seal": "o"})),
        ("ocr.vehicleLicense", json!({"vehicle_type": "v", "owner": "o", "addr": "a", "use_character": "u", "model": "m", "vin": "v", "engine_num": "e", "register_date": "r", "issue_date": "i", "plate_num_b": "p", "record": "r", "passengers_num": "5", "total_quality": "t", "prepare_quality": "p"})),
        ("ocr.businessLicense", json!({"reg_num": "r", "serial": "s", "legal_representative": "l", "enterprise_name": "e", "type_of_organization": "t", "address": "a", "type_of_enterprise": "t", "business_scope": "b", "registered_capital": "c", "paid_in_capital": "p", "valid_period": "v", "registered_date": "d", "cert_position": {"pos": pos}, "img_size": size})),
        ("img.aiCrop", json!({"results": [{"crop_left": 0, "crop_top": 0, "crop_right": 10, "crop_bottom": 6}], "img_size": size})),
        ("img.scanQRCode", json!({"code_results": [{"type_name": "QR_CODE", "data": "hi", "pos": pos}], "img_size": size})),
    ];
    for (name, answer) in answers {
        let api = name.split_once('.').map(|(_, m)| m).unwrap_or(name);
        w.emu.control("seedOcr", json!({"appid": APP, "api": api, "imageUrl": "https://img.example/walk.jpg", "answer": answer})).await;
        let read = w.emu.upload(name, t, "&img_url=https%3A%2F%2Fimg.example%2Fwalk.jpg", None).await;
        w.check(name, read);
    }
}
