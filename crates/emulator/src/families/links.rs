//! Official accounts linking mini programs: `linkMiniprogram` sends an invitation that waits for the official
//! account's administrator (status 12), then for the mini program's (2: the emulator moves it there once a
//! `getLinkMiniprogram` has shown it at 12), until a test approves (1) or refuses (3) it through the control API
//! (`approveLink` / `rejectLink`). `unlinkMiniprogram` removes a link or a pending invitation.

use crate::kit::action::{parse, Action};
use crate::kit::context::Ctx;
use crate::kit::family::Family;
use crate::kit::ids::pseudo_id;
use crate::kit::route::Route;
use crate::kit::state::{AppData, State};
use crate::wire::{fields, Reply, WxError};
use serde::Deserialize;
use serde_json::{json, Map, Value};

pub const FAMILY: Family = Family::new("links").routes(ROUTES).actions(ACTIONS).describe_app(describe_app);

const ACTIONS: &[Action] = &[
    Action::new("approveLink", "{appid?, miniprogramAppid}", "The mini program's administrator accepts the pending link: status 1. Returns {appid, miniprogramAppid, status}.", approve_link)
        .js("miniprogramAppid: string, appid?: string", "{ appid: string; miniprogramAppid: string; status: number }"),
    Action::new("rejectLink", "{appid?, miniprogramAppid}", "The administrator refuses the pending link: status 3.", reject_link)
        .js("miniprogramAppid: string, appid?: string", "{ appid: string; miniprogramAppid: string; status: number }"),
];

const ROUTES: &[Route] = &[
    Route::new("officialAccount.linkMiniprogram", link_miniprogram),
    Route::new("officialAccount.getLinkMiniprogram", get_link_miniprogram),
    Route::new("officialAccount.unlinkMiniprogram", unlink_miniprogram),
];

pub const LINKED: i64 = 1;
pub const AWAITING_MINIPROGRAM_ADMIN: i64 = 2;
pub const REFUSED: i64 = 3;
pub const AWAITING_ACCOUNT_ADMIN: i64 = 12;

/// An official account's links and invitations.
#[derive(Default)]
pub struct Links(Vec<MiniprogramLink>);

#[derive(Clone, Debug)]
pub struct MiniprogramLink {
    pub appid: String,
    pub status: i64,
    pub notify_users: i64,
    pub show_profile: i64,
}

/// `"1"` and `1` alike (WeChat's page and its example disagree); only 0 and 1 mean something.
fn flag(ctx: &Ctx<'_>, key: &str) -> Result<i64, WxError> {
    match ctx.params.int(key) {
        Some(v @ (0 | 1)) => Ok(v),
        _ => Err(WxError::data_format(format!("{key} must be 0 or 1"))),
    }
}

/// `{appid, notify_users, show_profile}`: 89010 while an invitation or link to that mini program exists.
fn link_miniprogram(ctx: &mut Ctx<'_>) -> Reply {
    let (notify_users, show_profile) = (flag(ctx, "notify_users")?, flag(ctx, "show_profile")?);
    let miniprogram = ctx.params.str("appid");
    let already = ctx.fail(89010);
    let links = &mut ctx.app_record::<Links>().0;
    if links.iter().any(|l| l.appid == miniprogram && l.status != REFUSED) {
        return Err(already);
    }
    links.retain(|l| l.appid != miniprogram);
    links.push(MiniprogramLink { appid: miniprogram.to_owned(), status: AWAITING_ACCOUNT_ADMIN, notify_users, show_profile });
    Ok(fields! {})
}

fn get_link_miniprogram(ctx: &mut Ctx<'_>) -> Reply {
    let links = ctx.app_record::<Links>().0.clone();
    let items: Vec<Value> = links.iter().map(|l| item(ctx.state, l)).collect();
    // The account's administrator confirms once the invitation has been seen: next time it waits for the mini program's.
    for link in ctx.app_record::<Links>().0.iter_mut().filter(|l| l.status == AWAITING_ACCOUNT_ADMIN) {
        link.status = AWAITING_MINIPROGRAM_ADMIN;
    }
    Ok(fields! { "wxopens" => json!({"items": items}) })
}

fn item(state: &State, link: &MiniprogramLink) -> Value {
    let nickname = state.apps.get(&link.appid).map_or_else(|| format!("小程序 {}", tail(&link.appid)), |a| a.name.clone());
    let original_id = pseudo_id(&link.appid, 'g', 12).to_ascii_lowercase();
    json!({
        "status": link.status,
        "appid": link.appid,
        "username": format!("gh_{}", &original_id[1..]),
        "nickname": nickname,
        "headimg_url": format!("http://wx.qlogo.cn/mmhead/{}/0", pseudo_id(&link.appid, 'Q', 40)),
        "selected": link.show_profile,
        "nearby_display_status": 0,
        "released": 1,
        "func_infos": [{"id": 1, "status": 1, "name": "微信认证"}, {"id": 2, "status": 0, "name": "微信支付"}],
        "email": "",
        "source": "SOURCE_NORMAL",
    })
}

fn tail(appid: &str) -> &str {
    appid.get(appid.len().saturating_sub(4)..).unwrap_or(appid)
}

/// `{appid}`: removes the link or invitation (40013 when there is none; WeChat's page names no code for it).
fn unlink_miniprogram(ctx: &mut Ctx<'_>) -> Reply {
    let miniprogram = ctx.params.str("appid");
    let unknown = ctx.fail(40013);
    let links = &mut ctx.app_record::<Links>().0;
    let at = links.iter().position(|l| l.appid == miniprogram).ok_or(unknown)?;
    links.remove(at);
    Ok(fields! {})
}

/// Control API: settles a pending invitation to `miniprogram` as `status` (approved or refused). Without
/// `appid`, the one official account that has such an invitation.
fn settle(state: &mut State, appid: Option<&str>, miniprogram: &str, status: i64) -> Result<Value, String> {
    let pending = |l: &MiniprogramLink| l.appid == miniprogram && matches!(l.status, AWAITING_ACCOUNT_ADMIN | AWAITING_MINIPROGRAM_ADMIN);
    let has_pending = |app: &AppData| app.records.peek::<Links>().is_some_and(|links| links.0.iter().any(pending));
    let mut holders = state.apps.iter_mut().filter(|(id, app)| appid.is_none_or(|a| a == *id) && has_pending(app));
    let (account, app) = holders.next().ok_or_else(|| format!("no pending link to {miniprogram}"))?;
    if holders.next().is_some() {
        return Err(format!("several accounts invited {miniprogram}: name the appid"));
    }
    let link = app.record::<Links>().0.iter_mut().find(|l| pending(l)).expect("filtered above");
    link.status = status;
    Ok(json!({"appid": account, "miniprogramAppid": miniprogram, "status": status}))
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct LinkArgs {
    appid: Option<String>,
    miniprogram_appid: String,
}

fn approve_link(state: &mut State, args: Value) -> Result<Value, String> {
    let args: LinkArgs = parse(args)?;
    settle(state, args.appid.as_deref(), &args.miniprogram_appid, LINKED)
}

fn reject_link(state: &mut State, args: Value) -> Result<Value, String> {
    let args: LinkArgs = parse(args)?;
    settle(state, args.appid.as_deref(), &args.miniprogram_appid, REFUSED)
}

fn describe_app(_: &State, _: &str, app: &AppData, out: &mut Map<String, Value>) {
    let links: Vec<Value> = app.records.peek::<Links>().map_or_else(Vec::new, |links| {
        links.0.iter().map(|l| json!({"appid": l.appid, "status": l.status, "notifyUsers": l.notify_users, "showProfile": l.show_profile})).collect()
    });
    out.insert("links".into(), links.into());
}

#[cfg(test)]
mod tests {
    use crate::test_support::{code, TestEmulator};
    use serde_json::json;

    const MP: &str = "wxminiprogram00001";

    #[tokio::test]
    async fn a_link_waits_for_both_admins_until_approved() {
        let emu = TestEmulator::start(json!({})).await;
        let link = json!({"appid": MP, "notify_users": "1", "show_profile": 0});
        assert_eq!(code(&emu.app_call("officialAccount.linkMiniprogram", link.clone()).await), 0);
        assert_eq!(code(&emu.app_call("officialAccount.linkMiniprogram", link.clone()).await), 89010);
        let status = |v: serde_json::Value| v["wxopens"]["items"][0]["status"].as_i64().unwrap();
        let first = emu.app_call("officialAccount.getLinkMiniprogram", json!({})).await;
        assert_eq!(status(first.clone()), 12);
        assert_eq!(first["wxopens"]["items"][0]["appid"], MP);
        assert!(first["wxopens"]["items"][0]["username"].as_str().unwrap().starts_with("gh_"));
        assert_eq!(status(emu.app_call("officialAccount.getLinkMiniprogram", json!({})).await), 2);
        assert_eq!(status(emu.app_call("officialAccount.getLinkMiniprogram", json!({})).await), 2);
        let approved = emu.control("approveLink", json!({"miniprogramAppid": MP})).await;
        assert_eq!(approved["status"], 1);
        assert_eq!(status(emu.app_call("officialAccount.getLinkMiniprogram", json!({})).await), 1);
        assert_eq!(code(&emu.app_call("officialAccount.linkMiniprogram", link).await), 89010);
        assert_eq!(code(&emu.app_call("officialAccount.unlinkMiniprogram", json!({"appid": MP})).await), 0);
        let after = emu.app_call("officialAccount.getLinkMiniprogram", json!({})).await;
        assert_eq!(after["wxopens"]["items"], json!([]));
        assert_eq!(code(&emu.app_call("officialAccount.unlinkMiniprogram", json!({"appid": MP})).await), 40013);
    }

    #[tokio::test]
    async fn refused_links_can_be_asked_again_and_flags_are_checked() {
        let emu = TestEmulator::start(json!({})).await;
        let link = json!({"appid": MP, "notify_users": 0, "show_profile": 1});
        assert_eq!(code(&emu.app_call("officialAccount.linkMiniprogram", link.clone()).await), 0);
        emu.control("rejectLink", json!({"miniprogramAppid": MP})).await;
        let items = emu.app_call("officialAccount.getLinkMiniprogram", json!({})).await;
        assert_eq!(items["wxopens"]["items"][0]["status"], 3);
        assert_eq!(code(&emu.app_call("officialAccount.linkMiniprogram", link).await), 0);
        let bad = json!({"appid": MP, "notify_users": 2, "show_profile": 1});
        assert_eq!(code(&emu.app_call("officialAccount.linkMiniprogram", bad).await), 47001);
        let wrong_type = json!({"appid": MP, "notify_users": true, "show_profile": 1});
        assert_eq!(code(&emu.app_call("officialAccount.linkMiniprogram", wrong_type).await), 47001);
        let v = emu.raw_post("/__emulator/approveLink", json!({"miniprogramAppid": "wxnobody"})).await;
        assert_eq!((v["ok"].as_bool(), v["error"].as_str()), (Some(false), Some("approveLink: no pending link to wxnobody")));
    }
}
