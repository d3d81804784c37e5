//! Who a merchant is, as the platform reads it: `api_get_authorizer_info` (component token: the account's
//! profile and the permission sets it granted when it authorized) and `getaccountbasicinfo` (the merchant's
//! own authorizer token). Profiles come from the account's data in the emulator (name, subject); what is not
//! kept there is answered with the values a new mini program has.

use super::records::Platforms;
use crate::kit::context::Ctx;
use crate::kit::ids::pseudo_id;
use crate::wire::{fields, Reply};
use serde_json::{json, Value};

/// `{component_appid, authorizer_appid}` → `{authorizer_info, authorization_info}`; 40013 for another
/// platform's appid, 61003 for an account that has not authorized this platform.
pub fn get_authorizer_info(ctx: &mut Ctx<'_>) -> Reply {
    let own = ctx.appid();
    if ctx.params.str("component_appid") != own {
        return Err(ctx.fail(40013));
    }
    let authorizer = ctx.params.str("authorizer_appid").to_owned();
    let not_authorized = ctx.fail(61003);
    let platform = ctx.state.record::<Platforms>().0.get(&own).ok_or_else(|| not_authorized.clone())?;
    let authorization = platform.authorization(&authorizer).ok_or(not_authorized)?;
    let func_info: Vec<Value> = authorization.permission_sets.iter().map(|id| json!({"funcscope_category": {"id": id}})).collect();
    let refresh_token = authorization.refresh_token.expose().to_owned();
    let app = ctx.state.app_mut(&authorizer);
    Ok(fields! {
        "authorizer_info" => json!({
            "nick_name": app.name,
            "head_img": format!("https://wx.qlogo.cn/mmhead/{}/0", pseudo_id(&authorizer, 'Q', 32)),
            "service_type_info": {"id": 0},
            "verify_type_info": {"id": -1},
            "user_name": original_id(&authorizer),
            "alias": "",
            "qrcode_url": format!("https://mmbiz.qpic.cn/mmbiz_jpg/{}/0", pseudo_id(&authorizer, 'R', 32)),
            "business_info": {"open_pay": 0, "open_shake": 0, "open_scan": 0, "open_card": 0, "open_store": 0},
            "idc": 1,
            "principal_name": app.subject,
            "signature": "",
            "MiniProgramInfo": {"network": {"RequestDomain": [], "WsRequestDomain": [], "UploadDomain": [], "DownloadDomain": [], "UDPDomain": [], "TCPDomain": []}, "categories": [], "visit_status": 0},
            "register_type": 0,
            "account_status": 1,
            "basic_config": {"is_phone_configured": true, "is_email_configured": false},
        }),
        "authorization_info" => json!({
            "authorizer_appid": authorizer,
            "authorizer_refresh_token": refresh_token,
            "func_info": func_info,
        }),
    })
}

/// `getaccountbasicinfo` with the merchant's authorizer token (sets 3/30/61, checked by the pipeline).
pub fn get_account_basic_info(ctx: &mut Ctx<'_>) -> Reply {
    let appid = ctx.appid();
    let app = ctx.app();
    Ok(fields! {
        "appid" => appid.clone(),
        "account_type" => 3,
        "principal_type" => 1,
        "principal_name" => app.subject.clone(),
        "credential" => pseudo_id(&app.subject, '9', 18).to_ascii_uppercase(),
        "realname_status" => 1,
        "wx_verify_info" => json!({"qualification_verify": false, "naming_verify": false, "annual_review": false}),
        "signature_info" => json!({"signature": "", "modify_used_count": 0, "modify_quota": 5}),
        "head_image_info" => json!({"head_image_url": "", "modify_used_count": 0, "modify_quota": 5}),
        "nickname" => app.name.clone(),
        "nickname_info" => json!({"nickname": app.name, "modify_used_count": 0, "modify_quota": 2}),
        "registered_country" => 1,
        "customer_type" => 0,
    })
}

/// The account's original id, `gh_` and 12 characters, the same every time.
fn original_id(appid: &str) -> String {
    let id: String = pseudo_id(appid, 'a', 12).chars().map(|c| if c.is_ascii_alphanumeric() { c.to_ascii_lowercase() } else { '0' }).collect();
    format!("gh_{id}")
}
