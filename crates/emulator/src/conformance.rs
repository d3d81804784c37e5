//! One walk through every row of the endpoint table against a single emulator: each call must succeed and
//! answer every response field its row lists, with the listed type. A row added to the table without a step
//! here fails the walk, so the emulator cannot silently fall behind the table.

use crate::test_support::{code, TestEmulator, APP, SECRET};
use wechat_protocol::catalogue::{catalogue, Endpoint, FieldType, Segment};
use base64::Engine;
use serde_json::{json, Value};
use std::collections::BTreeSet;

/// The long tail of cloud calls (issue 30), walked in its own file.
mod longtail;

const SHOP_B: &str = "wxshopbbbbbbbbbbb2";
const COMPONENT: &str = "wxcomponent0000001";
const COMPONENT_SECRET: &str = "componentsecret00000000000000001";
const MERCHANT: &str = "wxmerchant00000001";
const MINIPROGRAM: &str = "wxminiprogram00001";

/// Answer fields WeChat sends only for kinds of account the emulator's authorizers (mini programs) are not.
const OTHER_KINDS_ONLY: &[(&str, &str)] = &[
    ("component.getAuthorizerInfo", "authorizer_info.channels_info"),
    ("component.getAuthorizerInfo", "authorizer_info.store_info"),
    ("component.getAuthorizerInfo", "authorizer_info.talent_info"),
    ("component.getAuthorizerInfo", "authorizer_info.supplier_info"),
];

/// Asserts that `answer` has every response field of `endpoint`, typed as the table says, in every array element.
fn assert_response_fields(endpoint: &Endpoint, answer: &Value) {
    for field in endpoint.response.iter().filter(|f| !OTHER_KINDS_ONLY.contains(&(endpoint.name.as_str(), f.path.as_str()))) {
        // `openid[]: string[]` names the array itself (getPrinter's rows are written that way).
        let names_array = matches!(field.ty, FieldType::StringArray | FieldType::NumberArray | FieldType::ObjectArray);
        let segments = match field.segments.split_last() {
            Some((Segment::Each, rest)) if names_array => rest,
            _ => &field.segments[..],
        };
        let mut holders = vec![answer];
        for (i, segment) in segments.iter().enumerate() {
            let last = i + 1 == segments.len();
            let mut next = Vec::new();
            for holder in holders {
                match segment {
                    Segment::Key(key) => {
                        let value = holder.get(key).unwrap_or_else(|| panic!("{}: {} missing in {holder}", endpoint.name, field.path));
                        if last {
                            assert!(field.ty.accepts(value), "{}: {} should be {}: {value}", endpoint.name, field.path, field.ty.describe());
                        }
                        next.push(value);
                    }
                    Segment::Each => {
                        let items = holder.as_array().unwrap_or_else(|| panic!("{}: {} is no array", endpoint.name, field.path));
                        assert!(!items.is_empty(), "{}: the walk must fill {} to check its fields", endpoint.name, field.path);
                        next.extend(items);
                    }
                }
            }
            holders = next;
        }
    }
}

struct Walk {
    emu: TestEmulator,
    called: BTreeSet<String>,
}

impl Walk {
    /// Calls a row, asserts success and its response fields, and returns the answer.
    async fn call(&mut self, name: &str, token: &str, body: Value) -> Value {
        let answer = self.emu.call(name, token, body).await;
        self.check(name, answer)
    }

    /// Calls an image row: a PNG, not JSON.
    async fn image(&mut self, name: &str, token: &str, body: Value) {
        let (content_type, bytes) = self.emu.call_bytes(name, token, body).await;
        assert_eq!(content_type, "image/png", "{name}: {}", String::from_utf8_lossy(&bytes));
        assert!(bytes.starts_with(b"\x89PNG"), "{name}");
        self.called.insert(name.to_owned());
    }

    fn check(&mut self, name: &str, answer: Value) -> Value {
        let endpoint = catalogue().get(name).unwrap();
        if answer.get("errcode").is_some() {
            assert_eq!(code(&answer), 0, "{name}: {answer}");
        }
        assert_response_fields(endpoint, &answer);
        self.called.insert(name.to_owned());
        answer
    }
}

#[tokio::test]
async fn every_row_answers_its_table_fields() {
    let emu = TestEmulator::start(json!({
        "apps": [{"appid": APP, "secret": SECRET}, {"appid": SHOP_B, "secret": "secret-b"}],
        "components": [{"appid": COMPONENT, "secret": COMPONENT_SECRET, "token": "t", "encodingAesKey": "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG"}]
    }))
    .await;
    let mut w = Walk { emu, called: BTreeSet::new() };
    let users = w.emu.openids(APP).await;
    let user = users[0].as_str();
    let seeded = json!({"appid": APP, "accounts": [{"bizId": "demo_sf", "deliveryId": "SF"}]});
    w.emu.control("seedAccounts", seeded).await;

    // Tokens.
    let classic = w.emu.raw_get(&format!("/cgi-bin/token?grant_type=client_credential&appid={APP}&secret={SECRET}")).await;
    w.check("auth.getAccessToken", classic);
    let stable = json!({"grant_type": "client_credential", "appid": APP, "secret": SECRET});
    let t = w.check("auth.getStableAccessToken", w.emu.raw_post("/cgi-bin/stable_token", stable).await)["access_token"]
        .as_str()
        .unwrap()
        .to_owned();

    // Accounts and quota.
    w.call("logistics.getAllDelivery", &t, json!({})).await;
    w.call("logistics.getAllAccount", &t, json!({})).await;
    w.call("logistics.bindAccount", &t, json!({"type": "bind", "biz_id": "ems_1", "delivery_id": "EMS"})).await;
    let review = json!({"shop_app_id": APP, "biz_id": "ems_1", "result_code": 0});
    w.call("logistics.updateBusiness", &t, review).await;
    w.call("logistics.getQuota", &t, json!({"delivery_id": "SF", "biz_id": "demo_sf"})).await;

    // Orders.
    let order = crate::families::logistics::orders::tests::order_body(user, "walk-1", "TEST", "test_biz_id");
    let waybill = w.call("logistics.addOrder", &t, order).await["waybill_id"].as_str().unwrap().to_owned();
    let event = json!({"biz_id": "test_biz_id", "order_id": "walk-1", "delivery_id": "TEST", "waybill_id": waybill,
        "action_time": 1_700_000_000, "action_type": 100001, "action_msg": "揽件成功"});
    w.call("logistics.testUpdateOrder", &t, event).await;
    w.call("logistics.getOrder", &t, json!({"order_id": "walk-1", "delivery_id": "TEST", "print_type": 1})).await;
    w.call("logistics.batchGetOrder", &t, json!({"order_list": [{"order_id": "walk-1", "delivery_id": "TEST"}]})).await;
    w.call("logistics.getPath", &t, json!({"delivery_id": "TEST", "waybill_id": waybill})).await;
    let second = crate::families::logistics::orders::tests::order_body(user, "walk-2", "TEST", "test_biz_id");
    let second_waybill = w.call("logistics.addOrder", &t, second).await["waybill_id"].clone();
    let cancel = json!({"order_id": "walk-2", "delivery_id": "TEST", "waybill_id": second_waybill});
    w.call("logistics.cancelOrder", &t, cancel).await;

    // Printers.
    w.call("logistics.updatePrinter", &t, json!({"openid": user, "update_type": "bind", "tagid_list": "7,8"})).await;
    w.call("logistics.getPrinter", &t, json!({})).await;

    // The courier's side, through the order's token.
    let courier_token = w.emu.control("order", json!({"appid": APP, "orderId": "walk-1"})).await["deliveryToken"].clone();
    let path = json!({"token": courier_token, "waybill_id": waybill, "action_time": 1_700_000_100, "action_type": 200001, "action_msg": "运输中"});
    w.call("logistics.updatePath", &t, path).await;
    w.call("logistics.getContact", &t, json!({"token": courier_token, "waybill_id": waybill})).await;
    let template = base64::engine::general_purpose::STANDARD.encode("<p>{{waybill_id}}</p>");
    let preview = json!({"waybill_id": waybill, "waybill_template": template, "waybill_data": "x", "custom": {}});
    w.call("logistics.previewTemplate", &t, preview).await;
    let fee = json!({"token": courier_token, "waybill_id": waybill, "need_pay": 1, "fee": 1000, "original_fee": 1000, "base_fee": 1000, "remark": 1});
    w.call("logistics.scatterUpdateOrderFee", &t, fee).await;
    w.call("logistics.scatterDeliveryRefund", &t, json!({"token": courier_token, "fee": 100})).await;
    w.call("logistics.scatterGetBill", &t, json!({"date": "20240101", "type": "ALL"})).await;
    let complaint = json!({"token": courier_token, "waybill_id": waybill, "result": "ok", "desc": "done"});
    w.call("logistics.scatterUpdateComplainResult", &t, complaint).await;
    let status = json!({"token": courier_token, "action_time": 1, "action_type": 300003, "action_msg": "签收",
        "pickup_courier_name": "a", "pickup_courier_phone": "1", "delivery_courier_name": "b", "delivery_courier_phone": "2"});
    w.call("logistics.scatterUpdateOrderStatus", &t, status).await;
    w.call("logistics.scatterDeliveryCancel", &t, json!({"token": courier_token, "reason": "test"})).await;

    // Logistics components.
    let goods = json!({"detail_list": [{"goods_name": "书", "goods_img_url": "https://i/1.png"}]});
    let register = json!({"openid": user, "receiver_phone": "1", "waybill_id": waybill, "goods_info": goods, "trans_id": "420", "order_detail_path": "/p"});
    let trace = w.call("logistics.traceWaybill", &t, register.clone()).await["waybill_token"].clone();
    w.call("logistics.queryTrace", &t, json!({"waybill_token": trace})).await;
    w.call("logistics.updateWaybillGoods", &t, json!({"waybill_token": trace, "goods_info": goods})).await;
    let follow = w.call("logistics.followWaybill", &t, register).await["waybill_token"].clone();
    w.call("logistics.queryFollowTrace", &t, json!({"waybill_token": follow})).await;
    w.call("logistics.updateFollowWaybillGoods", &t, json!({"waybill_token": follow, "goods_info": goods})).await;
    w.call("logistics.getDeliveryList", &t, json!({})).await;

    // Open platform.
    let open = w.call("openPlatform.createOpenAccount", &t, json!({"appid": APP})).await["open_appid"].clone();
    w.call("openPlatform.getOpenAccount", &t, json!({})).await;
    w.call("openPlatform.getBindOpenAccount", &t, json!({})).await;
    let tb = w.emu.stable_token(SHOP_B, false).await;
    w.call("openPlatform.bindOpenAccount", &tb, json!({"open_appid": open})).await;
    w.call("openPlatform.unbindOpenAccount", &tb, json!({"open_appid": open})).await;

    // Links.
    w.call("officialAccount.linkMiniprogram", &t, json!({"appid": MINIPROGRAM, "notify_users": 1, "show_profile": 1})).await;
    w.call("officialAccount.getLinkMiniprogram", &t, json!({})).await;
    w.call("officialAccount.unlinkMiniprogram", &t, json!({"appid": MINIPROGRAM})).await;

    // Third-party platform.
    let push = json!({"component_appid": COMPONENT, "component_secret": COMPONENT_SECRET});
    w.check("component.startPushTicket", w.emu.raw_post("/cgi-bin/component/api_start_push_ticket", push).await);
    let ticket = w.emu.control("setTicket", json!({"componentAppid": COMPONENT})).await["ticket"].clone();
    let asked = json!({"component_appid": COMPONENT, "component_appsecret": COMPONENT_SECRET, "component_verify_ticket": ticket});
    let answer = w.emu.raw_post("/cgi-bin/component/api_component_token", asked).await;
    let ct = w.check("component.getComponentAccessToken", answer)["component_access_token"].as_str().unwrap().to_owned();
    w.call("component.getPreAuthCode", &ct, json!({"component_appid": COMPONENT})).await;
    let grant = json!({"componentAppid": COMPONENT, "authorizerAppid": MERCHANT, "permissionSets": [45, 24]});
    let auth_code = w.emu.control("authorize", grant).await["authorizationCode"].clone();
    let info = w.call("component.queryAuth", &ct, json!({"component_appid": COMPONENT, "authorization_code": auth_code})).await;
    let refresh = info["authorization_info"]["authorizer_refresh_token"].clone();
    let refresh_body = json!({"component_appid": COMPONENT, "authorizer_appid": MERCHANT, "authorizer_refresh_token": refresh});
    let refreshed = w.call("component.getAuthorizerAccessToken", &ct, refresh_body).await;
    w.call("component.getAuthorizerList", &ct, json!({"component_appid": COMPONENT, "offset": 0, "count": 100})).await;
    let authorizer_token = refreshed["authorizer_access_token"].as_str().unwrap().to_owned();
    w.call("logistics.applyMsgPlugin", &authorizer_token, json!({})).await;

    // A platform's everyday operations: its merchant's details and options, fast registration, the quota rescue.
    w.call("component.getAuthorizerInfo", &ct, json!({"component_appid": COMPONENT, "authorizer_appid": MERCHANT})).await;
    w.call("component.setAuthorizerOption", &authorizer_token, json!({"option_name": "voice_recognize", "option_value": "1"})).await;
    w.call("component.getAuthorizerOption", &authorizer_token, json!({"option_name": "voice_recognize"})).await;
    let company = json!({"name": "Walk Co.", "code": "91440300708461136T", "code_type": 1, "legal_persona_wechat": "w", "legal_persona_name": "n"});
    w.call("component.fastRegisterWeapp", &ct, company).await;
    let created = w.emu.control("confirmFastRegister", json!({"name": "Walk Co."})).await;
    w.call("component.searchFastRegisterWeapp", &ct, json!({"name": "Walk Co.", "legal_persona_wechat": "w", "legal_persona_name": "n"})).await;
    w.call("component.fastRegisterPersonalWeapp", &ct, json!({"idname": "张三", "wxuser": "zs"})).await;
    let exchanged = |code: &Value| json!({"component_appid": COMPONENT, "authorization_code": code});
    let new_app = w.emu.call("component.queryAuth", &ct, exchanged(&created["authorizationCode"])).await;
    let new_token = new_app["authorization_info"]["authorizer_access_token"].as_str().unwrap().to_owned();
    w.call("account.getAccountBasicInfo", &new_token, json!({})).await;
    let official = json!({"componentAppid": COMPONENT, "authorizerAppid": "wxofficialwalk0001", "permissionSets": [27]});
    let official_code = w.emu.control("authorize", official).await["authorizationCode"].clone();
    let official_app = w.emu.call("component.queryAuth", &ct, exchanged(&official_code)).await;
    let official_token = official_app["authorization_info"]["authorizer_access_token"].as_str().unwrap().to_owned();
    let reuse = w.emu.control("fastRegisterTicket", json!({"officialAccount": "wxofficialwalk0001"})).await["ticket"].clone();
    w.call("account.fastRegister", &official_token, json!({"ticket": reuse})).await;
    let rescue = json!({"component_appid": COMPONENT, "appsecret": COMPONENT_SECRET});
    w.check("component.clearQuotaByAppSecret", w.emu.raw_post("/cgi-bin/component/clear_quota/v2", rescue).await);

    // Quota, and a failure's rid.
    w.call("auth.getApiQuota", &t, json!({"cgi_path": "/cgi-bin/express/business/order/add"})).await;
    w.call("auth.clearQuota", &t, json!({"appid": APP})).await;
    let own = json!({"appid": APP, "appsecret": SECRET});
    w.check("auth.clearQuotaByAppSecret", w.emu.raw_post("/cgi-bin/clear_quota/v2", own).await);
    let failed = w.emu.call("auth.clearQuota", &t, json!({"appid": SHOP_B})).await;
    let rid = failed["errmsg"].as_str().unwrap().rsplit("rid: ").next().unwrap().to_owned();
    w.call("auth.getRidInfo", &t, json!({"rid": rid})).await;

    // Cloud calls: subscribe messages, content security, mini program codes.
    let template = w.emu.control("addSubscribeTemplate", json!({"appid": APP, "keys": ["thing1"]})).await["templateId"].clone();
    w.emu.control("subscribeUser", json!({"appid": APP, "openid": user, "templateId": template})).await;
    let message = json!({"touser": user, "template_id": template, "data": {"thing1": {"value": "x"}}});
    w.call("subscribeMessage.send", &t, message).await;
    w.call("security.msgSecCheck", &t, json!({"content": "hello", "version": 2, "scene": 1, "openid": user})).await;
    w.image("wxacode.getUnlimited", &t, json!({"scene": "a=1"})).await;
    w.image("wxacode.get", &t, json!({"path": "pages/index/index"})).await;
    w.image("wxacode.createQRCode", &t, json!({"path": "pages/index/index"})).await;
    w.call("subscribeMessage.getTemplateList", &t, json!({})).await;
    let phone = w.emu.control("seedPhoneCode", json!({"appid": APP, "phoneNumber": "13800138000"})).await["code"].clone();
    w.call("phonenumber.getPhoneNumber", &t, json!({"code": phone})).await;
    w.call("urllink.generate", &t, json!({"path": "pages/index/index", "expire_type": 1, "expire_interval": 1})).await;
    w.call("urlscheme.generate", &t, json!({"jump_wxa": {"path": "pages/index/index"}, "expire_type": 1, "expire_interval": 1})).await;
    w.emu.control("userWrote", json!({"appid": APP, "openid": user})).await;
    let text = json!({"touser": user, "msgtype": "text", "text": {"content": "hi"}});
    w.call("customerServiceMessage.send", &t, text).await;
    let media = json!({"media_url": "https://img.example/a.png", "media_type": 2, "version": 2, "scene": 1, "openid": user});
    w.call("security.mediaCheckAsync", &t, media).await;
    // Order shipping: two seeded payments, one shipped, one reported as a test order.
    let pay = |no: &str| json!({"appid": APP, "openid": user, "merchantId": "1230000109", "merchantTradeNo": no, "amount": 100});
    let tx = w.emu.control("seedPayment", pay("W1")).await["transactionId"].clone();
    w.emu.control("seedPayment", pay("W2")).await;
    let shipping = json!({"order_key": {"order_number_type": 2, "transaction_id": tx}, "logistics_type": 1, "delivery_mode": 1,
        "shipping_list": [{"tracking_no": "SF1", "express_company": "SF", "item_desc": "tea", "contact": {"receiver_contact": "189****1234"}}],
        "upload_time": "2024-01-01T10:00:00+08:00", "payer": {"openid": user}});
    w.call("wxa.sec.order.uploadShippingInfo", &t, shipping.clone()).await;
    let mut combined = json!({"order_key": {"order_number_type": 2, "transaction_id": "combined"}, "upload_time": "2024-01-01T11:00:00+08:00", "payer": {"openid": user}});
    combined["sub_orders"] = json!([{"order_key": shipping["order_key"], "delivery_mode": 1, "logistics_type": 1, "shipping_list": shipping["shipping_list"]}]);
    w.call("wxa.sec.order.uploadCombinedShippingInfo", &t, combined).await;
    let paid_at = w.call("wxa.sec.order.getOrder", &t, json!({"transaction_id": tx})).await["order"]["pay_time"].clone();
    w.call("wxa.sec.order.getOrderList", &t, json!({"openid": user, "order_state": 2})).await;
    w.call("wxa.sec.order.notifyConfirmReceive", &t, json!({"transaction_id": tx, "received_time": paid_at})).await;
    w.call("wxa.sec.order.setMsgJumpPath", &t, json!({"path": "pages/order/detail"})).await;
    w.call("wxa.sec.order.isTradeManaged", &t, json!({"appid": APP})).await;
    w.call("wxa.sec.order.isTradeManagementConfirmationCompleted", &t, json!({"appid": APP})).await;
    w.call("wxa.sec.order.opSpecialOrder", &t, json!({"order_id": "W2", "type": 2})).await;

    // Uploads: multipart/form-data with the row's file field; the OCR rows read a seeded image.
    let image = crate::test_support::png(b"walk");
    let sha = crate::kit::upload::sha256_hex(&image);
    let file = |field: &'static str| Some((field, "a.png", "image/png", image.as_slice()));
    let answer = w.emu.upload("security.imgSecCheck", &t, "", file("media")).await;
    w.check("security.imgSecCheck", answer);
    let answer = w.emu.upload("customerServiceMessage.uploadTempMedia", &t, "&type=image", file("media")).await;
    w.check("customerServiceMessage.uploadTempMedia", answer);
    let items = json!([{"text": "hi", "pos": {"left_top": {"x": 0, "y": 0}, "right_top": {"x": 9, "y": 0}, "right_bottom": {"x": 9, "y": 5}, "left_bottom": {"x": 0, "y": 5}}}]);
    let printed = json!({"appid": APP, "api": "printedText", "sha256": sha, "answer": {"items": items, "img_size": {"w": 1, "h": 1}}});
    w.emu.control("seedOcr", printed).await;
    let answer = w.emu.upload("ocr.printedText", &t, "", file("img")).await;
    w.check("ocr.printedText", answer);
    // Every field the row lists at once (a real card answers one side's).
    let card = json!({"type": "Front", "name": "n", "id": "1", "addr": "a", "gender": "g", "nationality": "h", "valid_date": "20070105-20270105"});
    w.emu.control("seedOcr", json!({"appid": APP, "api": "idcard", "imageUrl": "https://img.example/id.jpg", "answer": card})).await;
    let answer = w.emu.upload("ocr.idcard", &t, "&type=photo&img_url=https%3A%2F%2Fimg.example%2Fid.jpg", None).await;
    w.check("ocr.idcard", answer);

    // The official account: menus, tags, followers, templates and a QR code.
    let button = json!([{"type": "click", "name": "a", "key": "A"}]);
    w.call("officialAccount.menu.create", &t, json!({"button": button})).await;
    let tag = w.call("officialAccount.tags.create", &t, json!({"tag": {"name": "walk"}})).await["tag"]["id"].clone();
    let rule = json!({"tag_id": tag.to_string()});
    let menuid = w.call("officialAccount.menu.addConditional", &t, json!({"button": button, "matchrule": rule})).await["menuid"].clone();
    w.call("officialAccount.menu.get", &t, json!({})).await;
    w.call("officialAccount.menu.tryMatch", &t, json!({"user_id": user})).await;
    w.call("officialAccount.menu.delConditional", &t, json!({"menuid": menuid})).await;
    w.call("officialAccount.menu.delete", &t, json!({})).await;
    w.call("officialAccount.tags.update", &t, json!({"tag": {"id": tag, "name": "walked"}})).await;
    w.call("officialAccount.tags.batchTagging", &t, json!({"openid_list": [user], "tagid": tag})).await;
    w.call("officialAccount.tags.get", &t, json!({})).await;
    w.call("officialAccount.tags.getIdList", &t, json!({"openid": user})).await;
    let info = w.emu.raw_get(&format!("/cgi-bin/user/info?access_token={t}&openid={user}")).await;
    w.check("officialAccount.user.info", info);
    w.call("officialAccount.user.batchGetInfo", &t, json!({"user_list": [{"openid": user}]})).await;
    w.call("officialAccount.user.getList", &t, json!({})).await;
    w.call("officialAccount.tags.batchUntagging", &t, json!({"openid_list": [user], "tagid": tag})).await;
    w.call("officialAccount.tags.delete", &t, json!({"tag": {"id": tag}})).await;
    w.emu.control("seedTemplateLibrary", json!({"appid": APP, "templateIdShort": "TM1", "title": "t", "keys": ["first"]})).await;
    let tpl = w.call("officialAccount.messageTemplate.addTemplate", &t, json!({"template_id_short": "TM1"})).await["template_id"].clone();
    w.call("officialAccount.messageTemplate.setIndustry", &t, json!({"industry_id1": "1", "industry_id2": "2"})).await;
    w.call("officialAccount.messageTemplate.getIndustry", &t, json!({})).await;
    w.call("officialAccount.messageTemplate.getAllTemplates", &t, json!({})).await;
    w.call("officialAccount.messageTemplate.send", &t, json!({"touser": user, "template_id": tpl, "data": {"first": {"value": "x"}}})).await;
    w.call("officialAccount.messageTemplate.deleteTemplate", &t, json!({"template_id": tpl})).await;
    let scene = json!({"scene": {"scene_id": 7}});
    w.call("officialAccount.qrcode.create", &t, json!({"expire_seconds": 60, "action_name": "QR_SCENE", "action_info": scene})).await;

    longtail::walk(&mut w, &t).await;

    // User login: a code, the session, its signature, a reset; a payment's unionid; a merchant's user via the platform.
    let minted = w.emu.control("loginCode", json!({"appid": APP, "user": {"openid": user, "unionid": "uWalk"}})).await;
    let login = format!("/sns/jscode2session?grant_type=authorization_code&appid={APP}&secret={SECRET}&js_code={}", minted["code"].as_str().unwrap());
    let key = w.check("auth.code2Session", w.emu.raw_get(&login).await)["session_key"].as_str().unwrap().to_owned();
    let signed = format!("access_token={t}&openid={user}&signature={}&sig_method=hmac_sha256", wechat_protocol::crypto::open_data::session_signature(&key));
    w.check("auth.checkSessionKey", w.emu.raw_get(&format!("/wxa/checksession?{signed}")).await);
    w.check("auth.resetUserSessionKey", w.emu.raw_get(&format!("/wxa/resetusersessionkey?{signed}")).await);
    let paid = w.emu.control("userPaid", json!({"appid": APP, "openid": user})).await["transactionId"].as_str().unwrap().to_owned();
    w.check("auth.getPaidUnionId", w.emu.raw_get(&format!("/wxa/getpaidunionid?access_token={t}&openid={user}&transaction_id={paid}")).await);
    let merchant_code = w.emu.control("loginCode", json!({"appid": MERCHANT, "user": {"unionid": "uMerchant"}})).await["code"].as_str().unwrap().to_owned();
    let via = format!("/sns/component/jscode2session?grant_type=authorization_code&appid={MERCHANT}&js_code={merchant_code}&component_appid={COMPONENT}&component_access_token={ct}");
    w.check("component.code2Session", w.emu.raw_get(&via).await);

    let every_row: BTreeSet<String> = catalogue().all().iter().map(|e| e.name.clone()).collect();
    let missed: Vec<&String> = every_row.difference(&w.called).collect();
    assert!(missed.is_empty(), "the walk does not cover {missed:?}");
}
