use crate::families::wxacode::tests::decode_png;
use crate::test_support::{code, TestEmulator, APP};
use serde_json::json;

#[tokio::test]
async fn a_menu_is_checked_kept_and_matched_by_tag() {
    let emu = TestEmulator::start(json!({})).await;
    let user = emu.openids(APP).await[0].clone();
    assert_eq!(code(&emu.app_call("officialAccount.menu.get", json!({})).await), 46003);
    let four = json!({"button": [{"type": "click", "name": "a", "key": "A"}, {"type": "click", "name": "b", "key": "B"}, {"type": "click", "name": "c", "key": "C"}, {"type": "click", "name": "d", "key": "D"}]});
    assert_eq!(code(&emu.app_call("officialAccount.menu.create", four).await), 40016);
    assert_eq!(code(&emu.app_call("officialAccount.menu.create", json!({"button": [{"type": "click", "name": "a"}]})).await), 40019);
    let tag = json!({"tag_id": "100"});
    assert_eq!(code(&emu.app_call("officialAccount.menu.addConditional", json!({"button": [{"type": "view", "name": "v", "url": "https://a"}], "matchrule": tag})).await), 65303);
    let menu = json!({"button": [{"type": "click", "name": "今日歌曲", "key": "V1001"}, {"name": "菜单", "sub_button": [{"type": "view", "name": "搜索", "url": "https://www.soso.com/"}]}]});
    assert_eq!(code(&emu.app_call("officialAccount.menu.create", menu).await), 0);
    let got = emu.app_call("officialAccount.menu.get", json!({})).await;
    assert_eq!(got["menu"]["button"][0], json!({"type": "click", "name": "今日歌曲", "key": "V1001", "sub_button": []}));
    assert_eq!(got["menu"]["button"][1]["sub_button"][0]["url"], "https://www.soso.com/");

    let created = emu.app_call("officialAccount.tags.create", json!({"tag": {"name": "VIP"}})).await;
    let tag_id = created["tag"]["id"].as_i64().unwrap();
    assert_eq!(code(&emu.app_call("officialAccount.menu.addConditional", json!({"button": [{"type": "click", "name": "x", "key": "X"}], "matchrule": {"sex": "1"}})).await), 65320);
    let vip = json!({"button": [{"type": "click", "name": "VIP", "key": "VIP"}], "matchrule": {"tag_id": tag_id.to_string()}});
    let menuid = emu.app_call("officialAccount.menu.addConditional", vip).await["menuid"].as_str().unwrap().to_owned();
    assert_eq!(emu.app_call("officialAccount.menu.tryMatch", json!({"user_id": user})).await["button"][0]["key"], "V1001");
    emu.app_call("officialAccount.tags.batchTagging", json!({"openid_list": [user], "tagid": tag_id})).await;
    assert_eq!(emu.app_call("officialAccount.menu.tryMatch", json!({"user_id": user})).await["button"][0]["key"], "VIP");
    assert_eq!(code(&emu.app_call("officialAccount.menu.delConditional", json!({"menuid": menuid})).await), 0);
    assert_eq!(code(&emu.app_call("officialAccount.menu.delConditional", json!({"menuid": menuid})).await), 65301);
    assert_eq!(code(&emu.app_call("officialAccount.menu.delete", json!({})).await), 0);
    assert_eq!(code(&emu.app_call("officialAccount.menu.get", json!({})).await), 46003);
}

#[tokio::test]
async fn tags_keep_their_limits_and_followers_page() {
    let emu = TestEmulator::start(json!({})).await;
    let users = emu.openids(APP).await;
    let t = emu.app_call("officialAccount.tags.create", json!({"tag": {"name": "广东"}})).await["tag"]["id"].as_i64().unwrap();
    assert_eq!(code(&emu.app_call("officialAccount.tags.create", json!({"tag": {"name": "广东"}})).await), 45157);
    assert_eq!(code(&emu.app_call("officialAccount.tags.create", json!({"tag": {"name": "x".repeat(31)}})).await), 45158);
    assert_eq!(code(&emu.app_call("officialAccount.tags.update", json!({"tag": {"id": 2, "name": "y"}})).await), 45058);
    assert_eq!(code(&emu.app_call("officialAccount.tags.batchTagging", json!({"openid_list": [users[0]], "tagid": 999})).await), 45159);
    assert_eq!(code(&emu.app_call("officialAccount.tags.batchTagging", json!({"openid_list": ["o-stranger"], "tagid": t})).await), 40003);
    assert_eq!(code(&emu.app_call("officialAccount.tags.batchTagging", json!({"openid_list": [users[0], users[1]], "tagid": t})).await), 0);
    assert_eq!(emu.app_call("officialAccount.tags.get", json!({})).await["tags"][0], json!({"id": t, "name": "广东", "count": 2}));
    assert_eq!(emu.app_call("officialAccount.tags.getIdList", json!({"openid": users[0]})).await["tagid_list"], json!([t]));
    emu.app_call("officialAccount.tags.batchUntagging", json!({"openid_list": [users[0]], "tagid": t})).await;
    let info = emu.app_call("officialAccount.user.batchGetInfo", json!({"user_list": [{"openid": users[0]}, {"openid": users[1]}]})).await;
    assert_eq!((info["user_info_list"][0]["tagid_list"].clone(), info["user_info_list"][1]["tagid_list"].clone()), (json!([]), json!([t])));
    let token = emu.stable_token(APP, false).await;
    let page = emu.get_with("officialAccount.user.getList", &token).await;
    assert_eq!((page["total"].as_u64(), page["count"].as_u64()), (Some(3), Some(3)));
    let last = page["next_openid"].as_str().unwrap();
    let rest = emu.raw_get(&format!("/cgi-bin/user/get?access_token={token}&next_openid={last}")).await;
    assert_eq!((rest["count"].as_u64(), rest["next_openid"].as_str()), (Some(0), Some("")));
    let one = emu.raw_get(&format!("/cgi-bin/user/info?access_token={token}&openid={}", users[2])).await;
    assert_eq!((one["subscribe"].as_i64(), one["subscribe_scene"].as_str()), (Some(1), Some("ADD_SCENE_SEARCH")));
}

#[tokio::test]
async fn templates_come_from_the_library_and_sends_are_checked() {
    let emu = TestEmulator::start(json!({})).await;
    let user = emu.openids(APP).await[0].clone();
    assert_eq!(code(&emu.app_call("officialAccount.messageTemplate.addTemplate", json!({"template_id_short": "TM00015"})).await), 40220);
    emu.control("seedTemplateLibrary", json!({"templateIdShort": "TM00015", "title": "订单支付成功", "keys": ["first", "keyword1", "remark"]})).await;
    let id = emu.app_call("officialAccount.messageTemplate.addTemplate", json!({"template_id_short": "TM00015"})).await["template_id"].as_str().unwrap().to_owned();
    let list = emu.app_call("officialAccount.messageTemplate.getAllTemplates", json!({})).await;
    assert_eq!(list["template_list"][0]["content"], "{{first.DATA}}\n{{keyword1.DATA}}\n{{remark.DATA}}");
    let msg = |tpl: &str, data: serde_json::Value| json!({"touser": user, "template_id": tpl, "data": data});
    let good = json!({"first": {"value": "您好"}, "keyword1": {"value": "¥9.90"}, "remark": {"value": "谢谢"}});
    assert_eq!(code(&emu.app_call("officialAccount.messageTemplate.send", msg("nope", good.clone())).await), 40037);
    let missing = emu.app_call("officialAccount.messageTemplate.send", msg(&id, json!({"first": {"value": "x"}}))).await;
    assert_eq!(code(&missing), 47003);
    assert!(missing["errmsg"].as_str().unwrap().contains("data.keyword1.value"));
    let sent = emu.app_call("officialAccount.messageTemplate.send", msg(&id, good)).await;
    assert!(sent["msgid"].as_i64().unwrap() > 0);
    assert_eq!(emu.control("sentTemplateMessages", json!({})).await["messages"][0]["msgid"], sent["msgid"]);
    assert_eq!(code(&emu.app_call("officialAccount.messageTemplate.deleteTemplate", json!({"template_id": id})).await), 0);
    assert_eq!(code(&emu.app_call("officialAccount.messageTemplate.setIndustry", json!({"industry_id1": "1", "industry_id2": "4"})).await), 0);
    assert_eq!(code(&emu.app_call("officialAccount.messageTemplate.setIndustry", json!({"industry_id1": "1", "industry_id2": "2"})).await), 43100);
}

#[tokio::test]
async fn a_qr_code_ticket_shows_a_png_of_its_url_until_it_expires() {
    let emu = TestEmulator::start(json!({})).await;
    let bad = json!({"action_name": "QR_LIMIT_SCENE", "action_info": {"scene": {"scene_id": 100_001}}});
    assert_eq!(code(&emu.app_call("officialAccount.qrcode.create", bad).await), 40097);
    let made = emu.app_call("officialAccount.qrcode.create", json!({"expire_seconds": 600, "action_name": "QR_STR_SCENE", "action_info": {"scene": {"scene_str": "shop-7"}}})).await;
    assert_eq!(made["expire_seconds"], 600);
    let (ticket, url) = (made["ticket"].as_str().unwrap(), made["url"].as_str().unwrap());
    let show = format!("{}/cgi-bin/showqrcode?ticket={}", emu.emu.url(), url::form_urlencoded::byte_serialize(ticket.as_bytes()).collect::<String>());
    let res = reqwest::get(&show).await.unwrap();
    assert_eq!(res.headers()["content-type"], "image/png");
    assert_eq!(decode_png(&res.bytes().await.unwrap()), url);
    emu.control("advanceTime", json!({"seconds": 601})).await;
    assert_eq!(reqwest::get(&show).await.unwrap().status(), 404);
}
