//! Temporary media: `customerServiceMessage.uploadTempMedia` keeps each uploaded image (type, content type,
//! file name, size, sha256, the bytes, created_at) under a new media_id that lives three days, as WeChat's page
//! says; `customerServiceMessage.send` accepts only live ones (40007). A test reads them back (`tempMedia`) to
//! prove a file reached WeChat byte for byte.

use crate::kit::action::{account, parse, Action};
use crate::kit::context::Ctx;
use crate::kit::family::Family;
use crate::kit::ids::random_token;
use crate::kit::route::Route;
use crate::kit::state::{AppData, State};
use crate::wire::{fields, Reply, WxError};
use base64::Engine;
use serde::Deserialize;
use serde_json::{json, Map, Value};

pub const FAMILY: Family = Family::new("tempMedia").routes(ROUTES).actions(ACTIONS).describe_app(describe_app);

const ROUTES: &[Route] = &[Route::new("customerServiceMessage.uploadTempMedia", upload)];

const ACTIONS: &[Action] = &[Action::new(
    "tempMedia",
    "{appid?, mediaId?}",
    "The temporary media the account uploaded, oldest first (one when mediaId is given): {media_id, type, content_type, filename, size, sha256, created_at, expires_at, base64}.",
    list,
)
.js("args?: { appid?: string; mediaId?: string }", "Array<{ media_id: string; type: string; content_type: string; filename: string; size: number; sha256: string; created_at: number; expires_at: number; base64: string }>")
.pick("media")];

/// Three days, WeChat's lifetime of a temporary media_id.
const LIFETIME: i64 = 3 * 24 * 3600;

#[derive(Default)]
struct Stored(Vec<Value>);

fn upload(ctx: &mut Ctx<'_>) -> Reply {
    if ctx.params.str("type") != "image" {
        // A mini program uploads images only (the page's one type value).
        return Err(ctx.fail(40004));
    }
    let Some(file) = ctx.upload else { return Err(WxError::common(41005)) };
    let media_id = random_token(64);
    let created_at = ctx.unix_now();
    let record = json!({
        "media_id": media_id, "type": "image",
        "content_type": file.content_type, "filename": file.filename, "size": file.bytes.len(), "sha256": file.sha256,
        "created_at": created_at, "expires_at": created_at + LIFETIME,
        "base64": base64::engine::general_purpose::STANDARD.encode(&file.bytes),
    });
    ctx.app_record::<Stored>().0.push(record);
    Ok(fields! { "type" => "image", "media_id" => media_id, "created_at" => created_at })
}

/// Whether `media_id` is a temporary media of the account that has not expired at `now`.
pub fn is_live(app: &mut AppData, media_id: &str, now: i64) -> bool {
    app.record::<Stored>().0.iter().any(|m| m["media_id"] == media_id && m["expires_at"].as_i64().is_some_and(|t| now < t))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct ListArgs {
    appid: Option<String>,
    media_id: Option<String>,
}

fn list(state: &mut State, args: Value) -> Result<Value, String> {
    let args: ListArgs = parse(if args.is_null() { json!({}) } else { args })?;
    let appid = account(state, args.appid)?;
    let all = state.app_mut(&appid).record::<Stored>().0.clone();
    let media: Vec<Value> = all.into_iter().filter(|m| args.media_id.as_ref().is_none_or(|id| m["media_id"] == id.as_str())).collect();
    Ok(json!({"appid": appid, "media": media}))
}

fn describe_app(_: &State, _: &str, app: &AppData, out: &mut Map<String, Value>) {
    if let Some(stored) = app.records.peek::<Stored>() {
        out.insert("tempMedia".into(), json!(stored.0.len()));
    }
}

#[cfg(test)]
mod tests {
    use crate::kit::upload::sha256_hex;
    use crate::test_support::{code, png, TestEmulator, APP};
    use base64::Engine;
    use serde_json::json;

    #[tokio::test]
    async fn uploads_are_kept_byte_for_byte_and_sent_by_media_id() {
        let emu = TestEmulator::start(json!({})).await;
        let t = emu.stable_token(APP, false).await;
        let mut image = png(b"");
        image.extend((0..=255u8).chain([b'\r', b'\n', b'-', b'-']));
        let up = emu.upload("customerServiceMessage.uploadTempMedia", &t, "&type=image", Some(("media", "a.png", "image/png", &image))).await;
        assert_eq!((code(&up), up["type"].as_str()), (0, Some("image")));
        let id = up["media_id"].as_str().unwrap();
        let stored = emu.control("tempMedia", json!({"mediaId": id})).await["media"][0].clone();
        let bytes = base64::engine::general_purpose::STANDARD.decode(stored["base64"].as_str().unwrap()).unwrap();
        assert_eq!(bytes, image);
        assert_eq!((stored["sha256"].as_str(), stored["size"].as_u64(), stored["filename"].as_str()), (Some(sha256_hex(&image).as_str()), Some(image.len() as u64), Some("a.png")));
        assert_eq!(stored["expires_at"].as_i64().unwrap() - stored["created_at"].as_i64().unwrap(), 3 * 24 * 3600);

        let user = emu.openids(APP).await[0].clone();
        emu.control("userWrote", json!({"openid": user})).await;
        let send = |media_id: &str| json!({"touser": user, "msgtype": "image", "image": {"media_id": media_id}});
        assert_eq!(code(&emu.call("customerServiceMessage.send", &t, send(id)).await), 0);
        assert_eq!(code(&emu.call("customerServiceMessage.send", &t, send("nope")).await), 40007);

        let voice = emu.upload("customerServiceMessage.uploadTempMedia", &t, "&type=voice", Some(("media", "a.png", "image/png", &image))).await;
        assert_eq!(code(&voice), 40004);
        let text = emu.upload("customerServiceMessage.uploadTempMedia", &t, "&type=image", Some(("media", "a.txt", "text/plain", b"hello"))).await;
        assert_eq!(code(&text), 40004, "not an image: {text}");
        let big = png(&vec![0; 10 * 1024 * 1024]);
        let too_big = emu.upload("customerServiceMessage.uploadTempMedia", &t, "&type=image", Some(("media", "a.png", "image/png", &big))).await;
        assert_eq!(code(&too_big), 40006);
        assert_eq!(code(&emu.upload("customerServiceMessage.uploadTempMedia", &t, "&type=image", None).await), 41005);
        let json_body = emu.call("customerServiceMessage.uploadTempMedia", &t, json!({"type": "image"})).await;
        assert_eq!(code(&json_body), 41005, "a JSON body carries no file: {json_body}");
    }
}
