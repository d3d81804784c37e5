use crate::test_support::{code, TestEmulator, APP, SECRET};
use serde_json::{json, Value};
use wechat_protocol::crypto::open_data::{decrypt_data, session_signature};

const COMPONENT: &str = "wxcomponent0000001";
const MERCHANT: &str = "wxmerchant00000001";

async fn login(emu: &TestEmulator, js_code: &str) -> Value {
    emu.raw_get(&format!("/sns/jscode2session?grant_type=authorization_code&appid={APP}&secret={SECRET}&js_code={js_code}")).await
}

async fn signed(emu: &TestEmulator, path: &str, openid: &str, key: &str) -> Value {
    let token = emu.stable_token(APP, false).await;
    let sig = session_signature(key);
    emu.raw_get(&format!("{path}?access_token={token}&openid={openid}&signature={sig}&sig_method=hmac_sha256")).await
}

#[tokio::test]
async fn a_code_logs_in_once_and_the_key_rotates_on_reset() {
    let emu = TestEmulator::start(json!({})).await;
    let minted = emu.control("loginCode", json!({"user": {"openid": "oNewUser", "unionid": "uUnion1"}})).await;
    let c = minted["code"].as_str().unwrap();
    let session = login(&emu, c).await;
    assert_eq!((session["openid"].as_str(), session["unionid"].as_str()), (Some("oNewUser"), Some("uUnion1")));
    assert!(session.get("errcode").is_none(), "a bare success, as WeChat answers it: {session}");
    let key = session["session_key"].as_str().unwrap().to_owned();
    assert_eq!(code(&login(&emu, c).await), 40029, "used");
    let wrong = emu.raw_get(&format!("/sns/jscode2session?grant_type=authorization_code&appid={APP}&secret=nope&js_code=x")).await;
    assert_eq!(code(&wrong), 40125);
    assert_eq!(code(&signed(&emu, "/wxa/checksession", "oNewUser", &key).await), 0);
    let reset = signed(&emu, "/wxa/resetusersessionkey", "oNewUser", &key).await;
    let new_key = reset["session_key"].as_str().unwrap();
    assert_ne!(new_key, key);
    assert_eq!(code(&signed(&emu, "/wxa/checksession", "oNewUser", &key).await), 87009, "the old key is refused");
    assert_eq!(code(&signed(&emu, "/wxa/checksession", "oNewUser", new_key).await), 0);
    let late = emu.control("loginCode", json!({})).await;
    emu.control("advanceTime", json!({"seconds": 300})).await;
    assert_eq!(code(&login(&emu, late["code"].as_str().unwrap()).await), 40029, "expired");
    let state = emu.control("state", json!({})).await.to_string();
    assert!(state.contains("\"resets\":1") && !state.contains(new_key), "{state}");
    let journal = emu.control("journal", json!({})).await.to_string();
    for secret in [SECRET, &key, new_key] {
        assert!(!journal.contains(secret), "{secret} in the journal: {journal}");
    }
}

#[tokio::test]
async fn open_data_is_sealed_with_the_current_key_and_paid_users_have_their_unionid() {
    let emu = TestEmulator::start(json!({})).await;
    let minted = emu.control("loginCode", json!({"user": {"unionid": "uPaid"}})).await;
    let openid = minted["openid"].as_str().unwrap().to_owned();
    let key = login(&emu, minted["code"].as_str().unwrap()).await["session_key"].as_str().unwrap().to_owned();
    let sealed = emu.control("sealUserData", json!({"openid": openid, "data": {"nickName": "Band"}})).await;
    let data = decrypt_data(&key, sealed["encryptedData"].as_str().unwrap(), sealed["iv"].as_str().unwrap(), APP).unwrap();
    assert_eq!((data["nickName"].as_str(), data["watermark"]["appid"].as_str()), (Some("Band"), Some(APP)));
    let paid = emu.control("userPaid", json!({"openid": openid})).await;
    let token = emu.stable_token(APP, false).await;
    let ask = |query: String| format!("/wxa/getpaidunionid?access_token={token}&openid={openid}{query}");
    assert_eq!(emu.raw_get(&ask(format!("&transaction_id={}", paid["transactionId"].as_str().unwrap()))).await["unionid"], "uPaid");
    assert_eq!(code(&emu.raw_get(&ask("&transaction_id=nope".into())).await), 89300);
}

#[tokio::test]
async fn a_merchants_code_works_only_through_its_platform() {
    let emu = TestEmulator::start(json!({
        "components": [{"appid": COMPONENT, "secret": "componentsecret00000000000000001", "token": "tok", "encodingAesKey": "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG"}]
    }))
    .await;
    let ticket = emu.control("setTicket", json!({"componentAppid": COMPONENT})).await["ticket"].clone();
    let body = json!({"component_appid": COMPONENT, "component_appsecret": "componentsecret00000000000000001", "component_verify_ticket": ticket});
    let token = emu.raw_post("/cgi-bin/component/api_component_token", body).await["component_access_token"].as_str().unwrap().to_owned();
    let auth = emu.control("authorize", json!({"componentAppid": COMPONENT, "authorizerAppid": MERCHANT, "permissionSets": [18]})).await;
    let query = json!({"component_appid": COMPONENT, "authorization_code": auth["authorizationCode"]});
    emu.raw_post(&format!("/cgi-bin/component/api_query_auth?component_access_token={token}"), query).await;
    let minted = emu.control("loginCode", json!({"appid": MERCHANT})).await;
    assert_eq!(minted["componentAppid"], COMPONENT);
    let c = minted["code"].as_str().unwrap();
    let via = |appid: &str, c: &str| {
        format!("/sns/component/jscode2session?grant_type=authorization_code&appid={appid}&js_code={c}&component_appid={COMPONENT}&component_access_token={token}")
    };
    assert_eq!(code(&emu.raw_get(&via("wxnotauthorized0001", c)).await), 61003);
    let session = emu.raw_get(&via(MERCHANT, c)).await;
    assert_eq!(session["openid"], minted["openid"]);
    assert!(session["session_key"].is_string());
    let own = emu.control("loginCode", json!({})).await;
    assert_eq!(code(&emu.raw_get(&via(MERCHANT, own["code"].as_str().unwrap())).await), 40029, "another mini program's code");
}
