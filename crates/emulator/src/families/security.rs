//! Content security (version 2): `msgSecCheck` judges the text, title, nickname and signature against the
//! blocklist a test sets (`setSecurityBlocklist`): a risky word gives `suggest: "risky"` with its label, a
//! review word `"review"`, anything else `"pass"` with label 100. As on WeChat, a risky text is still errcode 0:
//! the verdict is in `result`. `imgSecCheck` (version 1) answers 87014 for an image whose sha256 is on the
//! blocklist's `images`, errcode 0 otherwise (its size and kind are checked by the pipeline from the row).

use crate::kit::action::{account, parse, Action};
use crate::kit::context::Ctx;
use crate::kit::family::Family;
use crate::kit::route::Route;
use crate::kit::state::{AppData, State};
use crate::wire::{fields, new_rid, Reply, WxError};
use serde::Deserialize;
use serde_json::{json, Map, Value};

pub const FAMILY: Family = Family::new("security").routes(ROUTES).actions(ACTIONS).describe_app(describe_app);

const ACTIONS: &[Action] = &[
    Action::new(
        "setSecurityBlocklist",
        "{appid?, risky?, review?, label?, images?}",
        "The words msgSecCheck flags for the account: `risky` ones give suggest risky with `label` (default 20001), `review` ones suggest review (label 21000); `images` are the sha256 (hex) of images imgSecCheck answers 87014 for. Replaces the previous lists. Returns {appid, risky, review, label, images}.",
        set_blocklist,
    )
    .js("args: { risky?: string[]; review?: string[]; label?: number; images?: string[]; appid?: string }", "{ appid: string; risky: string[]; review: string[]; label: number; images: string[] }"),
    Action::new(
        "mediaCheckResults",
        "{appid?}",
        "The wxa_media_check events mediaCheckAsync would push, oldest first: {trace_id, appid, media_url, media_type, version, result: {suggest, label}, detail} (also pushed to the push target, when one is set).",
        media_results,
    )
    .js("appid?: string", "Array<{ trace_id: string; media_url: string; result: { suggest: string; label: number } }>")
    .pick("events"),
];

const ROUTES: &[Route] = &[
    Route::new("security.msgSecCheck", msg_sec_check),
    Route::new("security.imgSecCheck", img_sec_check),
    Route::new("security.mediaCheckAsync", media_check_async),
];

/// Version 1: 87014 risky content for a blocklisted image (by sha256), errcode 0 for any other.
fn img_sec_check(ctx: &mut Ctx<'_>) -> Reply {
    let Some(file) = ctx.upload else { return Err(WxError::common(41005)) };
    let sha256 = file.sha256.clone();
    if ctx.app_record::<Blocklist>().images.contains(&sha256) {
        return Err(ctx.fail(87014));
    }
    Ok(fields! {})
}

/// The verdicts mediaCheckAsync would push.
#[derive(Default)]
struct MediaChecks(Vec<Value>);

/// `{media_url, media_type, version, scene, openid}`: judged at once against the blocklist (the URL's text);
/// the event is kept for `mediaCheckResults` and pushed to the account's push target (`setPushTarget`).
fn media_check_async(ctx: &mut Ctx<'_>) -> Reply {
    if ctx.params.int("version") != Some(2) {
        return Err(WxError::data_format("version must be 2"));
    }
    if !matches!(ctx.params.int("scene"), Some(1..=4)) {
        return Err(ctx.fail(40129));
    }
    let media_type = ctx.params.int("media_type");
    if !matches!(media_type, Some(1 | 2)) {
        return Err(WxError::data_format("media_type is 1 (audio) or 2 (image)"));
    }
    ctx.require_openid(ctx.params.str("openid"))?;
    let url = ctx.params.str("media_url");
    if !(url.starts_with("http://") || url.starts_with("https://")) {
        return Err(WxError::data_format("media_url must be an http(s) URL WeChat can download"));
    }
    let list = ctx.app_record::<Blocklist>().clone();
    let (suggest, label, _) = judge(&list, &[url]);
    let trace_id = new_rid();
    let event = json!({
        "ToUserName": crate::kit::push::original_id(&ctx.appid()), "FromUserName": ctx.params.str("openid"), "CreateTime": ctx.unix_now(),
        "MsgType": "event", "Event": "wxa_media_check", "appid": ctx.appid(), "trace_id": trace_id, "version": 2,
        "media_url": url, "media_type": media_type,
        "result": {"suggest": suggest, "label": label},
        "detail": [{"strategy": "content_model", "errcode": 0, "suggest": suggest, "label": label, "prob": 90}],
    });
    ctx.app_record::<MediaChecks>().0.push(event.clone());
    if let Value::Object(mut fields) = event {
        // Stamped with the wall clock, which the receiver checks freshness against.
        fields.insert("CreateTime".into(), crate::kit::push::wall_unix().into());
        let message = crate::kit::push::Message { appid: ctx.appid(), event: "wxa_media_check".into(), fields };
        crate::kit::push::send(ctx.state, message);
    }
    Ok(fields! { "trace_id" => trace_id })
}

fn media_results(state: &mut State, args: Value) -> Result<Value, String> {
    let args: crate::kit::action::AppidArgs = parse(args)?;
    let appid = account(state, args.appid)?;
    let events = state.app_mut(&appid).record::<MediaChecks>().0.clone();
    Ok(json!({"appid": appid, "events": events}))
}

pub const NORMAL: i64 = 100;
pub const DEFAULT_RISKY_LABEL: i64 = 20001;
pub const OTHER: i64 = 21000;

#[derive(Clone, Debug)]
pub struct Blocklist {
    pub risky: Vec<String>,
    pub review: Vec<String>,
    pub label: i64,
    /// sha256 (lower-case hex) of the images imgSecCheck finds risky.
    pub images: Vec<String>,
}

impl Default for Blocklist {
    fn default() -> Blocklist {
        Blocklist { risky: Vec::new(), review: Vec::new(), label: DEFAULT_RISKY_LABEL, images: Vec::new() }
    }
}

/// The verdict on some texts: suggest, label and the word that decided it.
pub fn judge(list: &Blocklist, texts: &[&str]) -> (&'static str, i64, Option<String>) {
    let hit = |words: &[String]| words.iter().find(|w| texts.iter().any(|t| t.contains(w.as_str()))).cloned();
    if let Some(word) = hit(&list.risky) {
        return ("risky", list.label, Some(word));
    }
    if let Some(word) = hit(&list.review) {
        return ("review", OTHER, Some(word));
    }
    ("pass", NORMAL, None)
}

fn msg_sec_check(ctx: &mut Ctx<'_>) -> Reply {
    if ctx.params.int("version") != Some(2) {
        return Err(WxError::data_format("version must be 2"));
    }
    if !matches!(ctx.params.int("scene"), Some(1..=4)) {
        return Err(ctx.fail(40129));
    }
    ctx.require_openid(ctx.params.str("openid"))?;
    let content = ctx.params.str("content");
    if content.is_empty() {
        return Err(ctx.fail(44002));
    }
    if content.chars().count() > 2500 {
        return Err(WxError::data_format("content is longer than 2500 characters"));
    }
    let texts: Vec<&str> = ["content", "title", "nickname", "signature"].iter().filter_map(|k| ctx.params.opt_str(k)).collect();
    let list = ctx.app_record::<Blocklist>().clone();
    let (suggest, label, word) = judge(&list, &texts);
    let mut keyword = json!({"strategy": "keyword", "errcode": 0});
    if let Some(word) = &word {
        keyword = json!({"strategy": "keyword", "errcode": 0, "suggest": suggest, "label": label, "level": 90, "keyword": word});
    }
    let model = json!({"strategy": "content_model", "errcode": 0, "suggest": suggest, "label": label, "prob": 90});
    Ok(fields! {
        "detail" => json!([model, keyword]),
        "trace_id" => new_rid(),
        "result" => json!({"suggest": suggest, "label": label}),
    })
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct BlocklistArgs {
    appid: Option<String>,
    risky: Option<Vec<String>>,
    review: Option<Vec<String>>,
    label: Option<i64>,
    images: Option<Vec<String>>,
}

fn set_blocklist(state: &mut State, args: Value) -> Result<Value, String> {
    let args: BlocklistArgs = parse(args)?;
    let appid = account(state, args.appid)?;
    let images: Vec<String> = args.images.unwrap_or_default().iter().map(|h| h.to_ascii_lowercase()).collect();
    if let Some(bad) = images.iter().find(|h| h.len() != 64 || !h.bytes().all(|b| b.is_ascii_hexdigit())) {
        return Err(format!("images are sha256 hashes in hex (64 characters), got {bad:?}"));
    }
    let list = Blocklist { risky: args.risky.unwrap_or_default(), review: args.review.unwrap_or_default(), label: args.label.unwrap_or(DEFAULT_RISKY_LABEL), images };
    if list.risky.iter().chain(&list.review).any(String::is_empty) {
        return Err("an empty word would flag every text".into());
    }
    let out = json!({"appid": appid, "risky": list.risky, "review": list.review, "label": list.label, "images": list.images});
    *state.app_mut(&appid).record::<Blocklist>() = list;
    Ok(out)
}

fn describe_app(_: &State, _: &str, app: &AppData, out: &mut Map<String, Value>) {
    if let Some(list) = app.records.peek::<Blocklist>() {
        out.insert("securityBlocklist".into(), json!({"risky": list.risky.len(), "review": list.review.len(), "label": list.label, "images": list.images.len()}));
    }
}

#[cfg(test)]
mod tests {
    use crate::test_support::{code, TestEmulator, APP};
    use serde_json::json;

    #[tokio::test]
    async fn texts_are_judged_by_the_blocklist() {
        let emu = TestEmulator::start(json!({})).await;
        let user = emu.openids(APP).await[0].clone();
        let check = |content: &str, extra: serde_json::Value| {
            let mut body = json!({"content": content, "version": 2, "scene": 2, "openid": user});
            body.as_object_mut().unwrap().extend(extra.as_object().unwrap().clone());
            body
        };
        let clean = emu.app_call("security.msgSecCheck", check("hello", json!({}))).await;
        assert_eq!((code(&clean), clean["result"]["suggest"].as_str(), clean["result"]["label"].as_i64()), (0, Some("pass"), Some(100)));
        emu.control("setSecurityBlocklist", json!({"risky": ["badword"], "review": ["hmm"], "label": 20003})).await;
        let risky = emu.app_call("security.msgSecCheck", check("a badword here", json!({}))).await;
        assert_eq!((code(&risky), risky["result"]["suggest"].as_str(), risky["result"]["label"].as_i64()), (0, Some("risky"), Some(20003)));
        assert_eq!(risky["detail"][1]["keyword"], "badword");
        let titled = emu.app_call("security.msgSecCheck", check("fine", json!({"title": "hmm"}))).await;
        assert_eq!(titled["result"]["suggest"], "review");
        assert_eq!(code(&emu.app_call("security.msgSecCheck", check("x", json!({"scene": 5}))).await), 40129);
        assert_eq!(code(&emu.app_call("security.msgSecCheck", check("x", json!({"openid": "o-nobody"}))).await), 40003);
        assert_eq!(code(&emu.app_call("security.msgSecCheck", check("x", json!({"version": 1}))).await), 47001);
        assert_eq!(code(&emu.app_call("security.msgSecCheck", check("", json!({}))).await), 44002);
        let media = |url: &str| json!({"media_url": url, "media_type": 2, "version": 2, "scene": 1, "openid": user});
        let traced = emu.app_call("security.mediaCheckAsync", media("https://img.example/badword.png")).await;
        assert_eq!(code(&traced), 0);
        emu.app_call("security.mediaCheckAsync", media("https://img.example/fine.png")).await;
        let events = emu.control("mediaCheckResults", json!({})).await["events"].clone();
        assert_eq!(events[0]["trace_id"], traced["trace_id"]);
        assert_eq!((events[0]["result"]["suggest"].as_str(), events[1]["result"]["suggest"].as_str()), (Some("risky"), Some("pass")));
        assert_eq!(code(&emu.app_call("security.mediaCheckAsync", json!({"media_url": "x", "media_type": 3, "version": 2, "scene": 1, "openid": user})).await), 47001);
    }

    #[tokio::test]
    async fn images_are_judged_by_their_hash() {
        use crate::kit::upload::sha256_hex;
        use crate::test_support::png;
        let emu = TestEmulator::start(json!({})).await;
        let t = emu.stable_token(APP, false).await;
        let (bad, good) = (png(b"bad"), png(b"good"));
        let check = |bytes: &[u8], content_type: &str| {
            let bytes = bytes.to_vec();
            let content_type = content_type.to_owned();
            let (emu, t) = (&emu, &t);
            async move { code(&emu.upload("security.imgSecCheck", t, "", Some(("media", "i.png", &content_type, &bytes))).await) }
        };
        assert_eq!(check(&bad, "image/png").await, 0);
        let set = emu.control("setSecurityBlocklist", json!({"images": [sha256_hex(&bad).to_uppercase()]})).await;
        assert_eq!(set["images"][0], sha256_hex(&bad));
        assert_eq!((check(&bad, "image/png").await, check(&good, "image/png").await), (87014, 0));
        assert_eq!(check(b"%PDF-1.4", "application/pdf").await, 40004);
        assert_eq!(check(&png(&vec![1; 1024 * 1024]), "image/png").await, 40006);
        assert_eq!(code(&emu.upload("security.imgSecCheck", &t, "", None).await), 41005);
        assert_eq!(code(&emu.upload("security.imgSecCheck", &t, "", Some(("file", "i.png", "image/png", &good))).await), 41005, "another field name");
    }
}
