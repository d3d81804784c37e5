//! Mini program codes: `getUnlimited` (page + scene), `get` and `createQRCode` (path with query) answer a real
//! PNG QR code a scanner reads back. WeChat draws round "sun codes" for the first two; the emulator draws a
//! square QR code for all three, whose text is
//! `https://mp.weixin.qq.com/a/emulator?appid=…&page=…&scene=…&env_version=…` (`path=…` for the other two), so a
//! test can decode what it asked for. A test may name the published pages (`setMiniprogramPages`): from then
//! on a page outside them answers 41030 (unless `check_path` is false), and so does a subscribe message's page.

use crate::kit::action::{account, parse, Action};
use crate::kit::context::Ctx;
use crate::kit::family::Family;
use crate::kit::route::Route;
use crate::kit::state::{AppData, State};
use crate::wire::{fields, Reply, WxError};
use qrcode::{Color, EcLevel, QrCode};
use serde::Deserialize;
use serde_json::{json, Map, Value};

pub const FAMILY: Family = Family::new("wxacode").routes(ROUTES).actions(ACTIONS).describe_app(describe_app);

const ACTIONS: &[Action] = &[Action::new(
    "setMiniprogramPages",
    "{appid?, pages}",
    "The pages of the published mini program: wxacode.getUnlimited (check_path on) and subscribeMessage.send answer 41030 for any other page. An empty list accepts every page again. Returns {appid, pages}.",
    set_pages,
)
.js("pages: string[], appid?: string", "{ appid: string; pages: string[] }")];

const ROUTES: &[Route] = &[
    Route::new("wxacode.getUnlimited", get_unlimited).image(),
    Route::new("wxacode.get", get).image(),
    Route::new("wxacode.createQRCode", create_qrcode).image(),
];

/// Where the codes of a mini program lead when scanned (the host is WeChat's short-link host).
pub const CODE_BASE: &str = "https://mp.weixin.qq.com/a/emulator";

/// What `getUnlimited`'s scene may hold (WeChat's page: visible characters among these).
const SCENE_EXTRA: &str = "!#$&'()*+,/:;=?@-._~";

/// The published pages a test named; empty: every page exists.
#[derive(Default)]
pub struct Pages(pub Vec<String>);

/// Codes handed out by `get` and `createQRCode` (WeChat caps them at 100000 an account).
#[derive(Default)]
struct Issued(u64);

const LIMITED_CODES: u64 = 100_000;

/// 41030 unless `page` (without its query) is a published page, when a test named the pages.
pub fn require_page(ctx: &mut Ctx<'_>, page: &str) -> Result<(), WxError> {
    let bare = page.split('?').next().unwrap_or_default();
    let unknown = ctx.fail(41030);
    let pages = &ctx.app_record::<Pages>().0;
    if pages.is_empty() || pages.iter().any(|p| p == bare) {
        Ok(())
    } else {
        Err(unknown)
    }
}

fn get_unlimited(ctx: &mut Ctx<'_>) -> Reply {
    let scene = ctx.params.str("scene");
    let legal = |c: char| c.is_ascii_alphanumeric() || SCENE_EXTRA.contains(c);
    if scene.is_empty() || scene.chars().count() > 32 || !scene.chars().all(legal) {
        return Err(ctx.fail(40169));
    }
    let page = ctx.params.str("page");
    if page.starts_with('/') || page.contains('?') {
        return Err(ctx.fail(41030));
    }
    if page.contains("scancode_time") {
        return Err(ctx.fail(85096));
    }
    if ctx.params.bool("check_path") != Some(false) && !page.is_empty() {
        require_page(ctx, page)?;
    }
    let env = env_version(ctx)?;
    let text = code_text(ctx, &[("page", page), ("scene", scene), ("env_version", &env)]);
    png_reply(ctx, &text)
}

fn get(ctx: &mut Ctx<'_>) -> Reply {
    let path = limited_path(ctx, 1024)?;
    let env = env_version(ctx)?;
    let text = code_text(ctx, &[("path", &path), ("env_version", &env)]);
    png_reply(ctx, &text)
}

fn create_qrcode(ctx: &mut Ctx<'_>) -> Reply {
    let path = limited_path(ctx, 128)?;
    let text = code_text(ctx, &[("path", &path)]);
    png_reply(ctx, &text)
}

/// `path` of the limited codes: 40159 when empty or longer than `max` bytes, 45029 past the account's limit.
fn limited_path(ctx: &mut Ctx<'_>, max: usize) -> Result<String, WxError> {
    let path = ctx.params.str("path").to_owned();
    if path.is_empty() || path.len() > max {
        return Err(ctx.fail(40159));
    }
    let spent = ctx.fail(45029);
    let issued = ctx.app_record::<Issued>();
    if issued.0 >= LIMITED_CODES {
        return Err(spent);
    }
    issued.0 += 1;
    Ok(path)
}

fn env_version(ctx: &Ctx<'_>) -> Result<String, WxError> {
    match ctx.params.opt_str("env_version").unwrap_or("release") {
        env @ ("release" | "trial" | "develop") => Ok(env.to_owned()),
        _ => Err(ctx.fail(40097)),
    }
}

fn code_text(ctx: &Ctx<'_>, pairs: &[(&str, &str)]) -> String {
    let mut query = url::form_urlencoded::Serializer::new(String::new());
    query.append_pair("appid", &ctx.appid());
    for (k, v) in pairs {
        query.append_pair(k, v);
    }
    format!("{CODE_BASE}?{}", query.finish())
}

/// The PNG of `text`, drawn `width` pixels wide (280–1280, default 430) in `line_color` on white (or on a
/// transparent background with `is_hyaline`).
fn png_reply(ctx: &Ctx<'_>, text: &str) -> Reply {
    use base64::Engine;
    let width = ctx.params.int("width").unwrap_or(430);
    if !(280..=1280).contains(&width) {
        return Err(ctx.fail(40097));
    }
    let color = ctx.params.child("line_color");
    let channel = |k: &str| color.int(k).unwrap_or(0).clamp(0, 255) as u8;
    let line = if ctx.params.bool("auto_color") == Some(true) { [0, 0, 0] } else { [channel("r"), channel("g"), channel("b")] };
    let png = render_png(text, width as u32, line, ctx.params.bool("is_hyaline") == Some(true)).map_err(|e| WxError::new(-1, e))?;
    Ok(fields! {
        "content_type" => "image/png",
        "image_base64" => base64::engine::general_purpose::STANDARD.encode(png),
    })
}

/// A QR code of `text` as an RGBA PNG about `width` pixels square, with a 4-module quiet zone.
pub fn render_png(text: &str, width: u32, line: [u8; 3], hyaline: bool) -> Result<Vec<u8>, String> {
    let code = QrCode::with_error_correction_level(text.as_bytes(), EcLevel::M).map_err(|e| format!("QR code: {e}"))?;
    let modules = code.width() as u32;
    let colors = code.to_colors();
    let total = modules + 8;
    let scale = (width / total).max(1);
    let side = total * scale;
    let background = if hyaline { [255, 255, 255, 0] } else { [255, 255, 255, 255] };
    let mut pixels = Vec::with_capacity((side * side * 4) as usize);
    for y in 0..side {
        for x in 0..side {
            let (mx, my) = ((x / scale) as i64 - 4, (y / scale) as i64 - 4);
            let dark = (0..modules as i64).contains(&mx)
                && (0..modules as i64).contains(&my)
                && colors[(my as u32 * modules + mx as u32) as usize] == Color::Dark;
            pixels.extend_from_slice(&if dark { [line[0], line[1], line[2], 255] } else { background });
        }
    }
    let mut out = Vec::new();
    let mut encoder = png::Encoder::new(&mut out, side, side);
    encoder.set_color(png::ColorType::Rgba);
    encoder.set_depth(png::BitDepth::Eight);
    let mut writer = encoder.write_header().map_err(|e| e.to_string())?;
    writer.write_image_data(&pixels).map_err(|e| e.to_string())?;
    writer.finish().map_err(|e| e.to_string())?;
    Ok(out)
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PagesArgs {
    appid: Option<String>,
    pages: Vec<String>,
}

fn set_pages(state: &mut State, args: Value) -> Result<Value, String> {
    let args: PagesArgs = parse(args)?;
    let appid = account(state, args.appid)?;
    if let Some(bad) = args.pages.iter().find(|p| p.is_empty() || p.starts_with('/') || p.contains('?')) {
        return Err(format!("{bad:?} is not a page path (pages/index/index: no leading /, no query)"));
    }
    state.app_mut(&appid).record::<Pages>().0 = args.pages.clone();
    Ok(json!({"appid": appid, "pages": args.pages}))
}

fn describe_app(_: &State, _: &str, app: &AppData, out: &mut Map<String, Value>) {
    let pages = app.records.peek::<Pages>().map_or_else(Vec::new, |p| p.0.clone());
    out.insert("pages".into(), pages.into());
    out.insert("limitedCodes".into(), app.records.peek::<Issued>().map_or(0, |i| i.0).into());
}

#[cfg(test)]
pub(crate) mod tests {
    use crate::test_support::{code, TestEmulator, APP};
    use serde_json::json;

    /// The text of the QR code in a PNG, read back by a scanner (rqrr).
    pub fn decode_png(png: &[u8]) -> String {
        let decoder = png::Decoder::new(std::io::Cursor::new(png));
        let mut reader = decoder.read_info().unwrap();
        let mut buf = vec![0; reader.output_buffer_size()];
        let info = reader.next_frame(&mut buf).unwrap();
        let channels = info.color_type.samples();
        let (w, h) = (info.width as usize, info.height as usize);
        let mut img = rqrr::PreparedImage::prepare_from_greyscale(w, h, |x, y| {
            let at = (y * w + x) * channels;
            // Transparent pixels read as white, the way a scanner sees them on a page.
            if channels == 4 && buf[at + 3] == 0 {
                255
            } else {
                buf[at]
            }
        });
        let grids = img.detect_grids();
        assert_eq!(grids.len(), 1, "one QR code in the image");
        grids[0].decode().unwrap().1
    }

    async fn post_image(emu: &TestEmulator, name: &str, body: serde_json::Value) -> Result<(String, Vec<u8>), serde_json::Value> {
        let token = emu.stable_token(APP, false).await;
        let e = wechat_protocol::catalogue::catalogue().get(name).unwrap();
        let url = format!("{}{}?access_token={token}", emu.emu.url(), e.path);
        let res = reqwest::Client::new().post(url).body(body.to_string()).send().await.unwrap();
        let ct = res.headers().get("content-type").unwrap().to_str().unwrap().to_owned();
        let bytes = res.bytes().await.unwrap().to_vec();
        if ct.starts_with("image/") {
            Ok((ct, bytes))
        } else {
            Err(serde_json::from_slice(&bytes).unwrap())
        }
    }

    #[tokio::test]
    async fn unlimited_codes_decode_to_their_page_and_scene() {
        let emu = TestEmulator::start(json!({})).await;
        let (ct, png) = post_image(&emu, "wxacode.getUnlimited", json!({"scene": "id=42&x=y", "page": "pages/item/item", "width": 300})).await.unwrap();
        assert_eq!(ct, "image/png");
        assert!(png.starts_with(b"\x89PNG"));
        let text = decode_png(&png);
        let url = url::Url::parse(&text).unwrap();
        let q: std::collections::HashMap<_, _> = url.query_pairs().into_owned().collect();
        assert_eq!((q["page"].as_str(), q["scene"].as_str(), q["appid"].as_str()), ("pages/item/item", "id=42&x=y", APP));
        assert_eq!(q["env_version"], "release");
        let coloured = post_image(&emu, "wxacode.getUnlimited", json!({"scene": "a", "line_color": {"r": 10, "g": "20", "b": 30}, "is_hyaline": true})).await.unwrap();
        assert!(decode_png(&coloured.1).contains("scene=a"));
        let long = post_image(&emu, "wxacode.getUnlimited", json!({"scene": "x".repeat(33)})).await.unwrap_err();
        assert_eq!(code(&long), 40169);
        assert_eq!(code(&post_image(&emu, "wxacode.getUnlimited", json!({"scene": "中文"})).await.unwrap_err()), 40169);
        assert_eq!(code(&post_image(&emu, "wxacode.getUnlimited", json!({"scene": "a", "width": 100})).await.unwrap_err()), 40097);
        emu.control("setMiniprogramPages", json!({"pages": ["pages/index/index"]})).await;
        let missing = post_image(&emu, "wxacode.getUnlimited", json!({"scene": "a", "page": "pages/nope/nope"})).await.unwrap_err();
        assert_eq!(code(&missing), 41030);
        assert!(post_image(&emu, "wxacode.getUnlimited", json!({"scene": "a", "page": "pages/nope/nope", "check_path": false})).await.is_ok());
        assert!(post_image(&emu, "wxacode.getUnlimited", json!({"scene": "a", "page": "pages/index/index"})).await.is_ok());
    }

    #[tokio::test]
    async fn limited_codes_decode_to_their_path() {
        let emu = TestEmulator::start(json!({})).await;
        let (_, png) = post_image(&emu, "wxacode.get", json!({"path": "pages/a/a?x=1", "env_version": "trial"})).await.unwrap();
        let text = decode_png(&png);
        assert!(text.starts_with(super::CODE_BASE) && text.contains("path=pages%2Fa%2Fa%3Fx%3D1") && text.contains("env_version=trial"), "{text}");
        let (_, png) = post_image(&emu, "wxacode.createQRCode", json!({"path": "pages/b/b?y=2", "width": 430})).await.unwrap();
        assert!(decode_png(&png).contains("path=pages%2Fb%2Fb%3Fy%3D2"));
        assert_eq!(code(&post_image(&emu, "wxacode.createQRCode", json!({"path": "p".repeat(129)})).await.unwrap_err()), 40159);
        assert_eq!(code(&post_image(&emu, "wxacode.get", json!({"path": ""})).await.unwrap_err()), 40159);
    }
}
