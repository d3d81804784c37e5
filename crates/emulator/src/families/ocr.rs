//! OCR and image reading (`ocr.*`, `img.aiCrop`, `img.scanQRCode`): the emulator reads no pixels; it answers what a test seeded for that
//! image (`seedOcr`), named by the sha256 of its bytes (an upload) or by its URL (`img_url`). Bytes that are no
//! image answer 101002; a URL nobody seeded answers 101000 (WeChat could not download it: the emulator never
//! fetches); an unseeded image has no text (`printedText`: no items) or no card (`idcard`: 101001).

use crate::kit::action::{account, parse, Action};
use crate::kit::context::Ctx;
use crate::kit::family::Family;
use crate::kit::route::Route;
use crate::kit::state::{AppData, State};
use crate::wire::{Reply, WxError};
use serde::Deserialize;
use serde_json::{json, Map, Value};
use std::collections::BTreeMap;
use wechat_protocol::catalogue::upload::image_kind;

pub const FAMILY: Family = Family::new("ocr").routes(ROUTES).actions(ACTIONS).describe_app(describe_app);

const ROUTES: &[Route] = &[
    Route::new("ocr.printedText", printed_text),
    Route::new("ocr.idcard", idcard),
    Route::new("ocr.bankcard", read_seeded),
    Route::new("ocr.driverLicense", read_seeded),
    Route::new("ocr.vehicleLicense", read_seeded),
    Route::new("ocr.businessLicense", read_seeded),
    Route::new("img.aiCrop", read_seeded),
    Route::new("img.scanQRCode", read_seeded),
];

/// The `api` names seedOcr takes: each route's method.
const APIS: &[&str] = &["printedText", "idcard", "bankcard", "driverLicense", "vehicleLicense", "businessLicense", "aiCrop", "scanQRCode"];

const ACTIONS: &[Action] = &[Action::new(
    "seedOcr",
    "{appid?, api, sha256?, imageUrl?, answer}",
    "What `ocr.<api>` or `img.<api>` answers for one image, named by the sha256 (hex) of its bytes or by its URL: `answer` holds WeChat's fields as on the wire (printedText {items, img_size}, idcard {type: Front|Back, name, id, addr, gender, nationality, valid_date}, bankcard {number}, driverLicense, vehicleLicense, businessLicense, aiCrop {results, img_size}, scanQRCode {code_results, img_size}). Returns {appid, api, image}.",
    seed,
)
.js("args: { api: 'printedText' | 'idcard' | 'bankcard' | 'driverLicense' | 'vehicleLicense' | 'businessLicense' | 'aiCrop' | 'scanQRCode'; sha256?: string; imageUrl?: string; answer: Record<string, unknown>; appid?: string }", "{ appid: string; api: string; image: string }")];

/// Seeded answers by (api, image): the image is `sha256:<hex>` or `url:<URL>`.
#[derive(Default)]
struct Seeds(BTreeMap<(String, String), Map<String, Value>>);

/// The image the call names, or why it cannot be read.
fn image_key(ctx: &Ctx<'_>) -> Result<String, WxError> {
    if let Some(file) = ctx.upload {
        if image_kind(&file.bytes).is_none() {
            return Err(ctx.fail(101002));
        }
        return Ok(format!("sha256:{}", file.sha256));
    }
    let url = ctx.params.str("img_url");
    if !(url.starts_with("http://") || url.starts_with("https://")) {
        return Err(ctx.fail(101000));
    }
    Ok(format!("url:{url}"))
}

fn seeded(ctx: &mut Ctx<'_>, api: &str, key: &str) -> Option<Map<String, Value>> {
    ctx.app_record::<Seeds>().0.get(&(api.to_owned(), key.to_owned())).cloned()
}

fn printed_text(ctx: &mut Ctx<'_>) -> Reply {
    let key = image_key(ctx)?;
    if let Some(answer) = seeded(ctx, "printedText", &key) {
        return Ok(answer);
    }
    match ctx.upload {
        Some(file) => {
            let (w, h) = png_size(&file.bytes).unwrap_or((0, 0));
            Ok(crate::wire::fields! { "items" => json!([]), "img_size" => json!({"w": w, "h": h}) })
        }
        None => Err(ctx.fail(101000)),
    }
}

fn idcard(ctx: &mut Ctx<'_>) -> Reply {
    if !matches!(ctx.params.opt_str("type"), None | Some("photo" | "scan")) {
        return Err(WxError::data_format("type is photo or scan"));
    }
    let key = image_key(ctx)?;
    match seeded(ctx, "idcard", &key) {
        Some(answer) => Ok(answer),
        None if ctx.upload.is_some() => Err(ctx.fail(101001)),
        None => Err(ctx.fail(101000)),
    }
}

/// The card, licence and image rows: the seeded answer, else what an image with nothing seeded gives.
fn read_seeded(ctx: &mut Ctx<'_>) -> Reply {
    if !matches!(ctx.params.opt_str("type"), None | Some("photo" | "scan")) {
        return Err(WxError::data_format("type is photo or scan"));
    }
    let api = ctx.endpoint.method.as_str();
    let key = image_key(ctx)?;
    if let Some(answer) = seeded(ctx, api, &key) {
        return Ok(answer);
    }
    let Some(file) = ctx.upload else { return Err(ctx.fail(101000)) };
    let (w, h) = png_size(&file.bytes).unwrap_or((0, 0));
    let size = json!({"w": w, "h": h});
    match api {
        "aiCrop" => Ok(crate::wire::fields! { "results" => json!([{"crop_left": 0, "crop_top": 0, "crop_right": w, "crop_bottom": h}]), "img_size" => size }),
        "scanQRCode" => Ok(crate::wire::fields! { "code_results" => json!([]), "img_size" => size }),
        _ => Err(ctx.fail(101001)),
    }
}

/// Width and height from a PNG's header (what WeChat's img_size reports for an image with no text).
fn png_size(bytes: &[u8]) -> Option<(u32, u32)> {
    if image_kind(bytes) != Some("png") || bytes.len() < 24 {
        return None;
    }
    let read = |at: usize| u32::from_be_bytes([bytes[at], bytes[at + 1], bytes[at + 2], bytes[at + 3]]);
    Some((read(16), read(20)))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct SeedArgs {
    appid: Option<String>,
    api: String,
    sha256: Option<String>,
    image_url: Option<String>,
    answer: Map<String, Value>,
}

fn seed(state: &mut State, args: Value) -> Result<Value, String> {
    let args: SeedArgs = parse(args)?;
    let appid = account(state, args.appid)?;
    if !APIS.contains(&args.api.as_str()) {
        return Err(format!("api is one of {}, got {:?}", APIS.join(", "), args.api));
    }
    let image = match (args.sha256, args.image_url) {
        (Some(hash), None) if hash.len() == 64 && hash.bytes().all(|b| b.is_ascii_hexdigit()) => format!("sha256:{}", hash.to_ascii_lowercase()),
        (Some(hash), None) => return Err(format!("sha256 is 64 hex characters, got {hash:?}")),
        (None, Some(url)) if url.starts_with("http://") || url.starts_with("https://") => format!("url:{url}"),
        (None, Some(url)) => return Err(format!("imageUrl must be an http(s) URL, got {url:?}")),
        _ => return Err("name the image by sha256 or by imageUrl (one of them)".into()),
    };
    if args.api == "idcard" && !matches!(args.answer.get("type").and_then(Value::as_str), Some("Front" | "Back")) {
        return Err("an idcard answer needs type Front or Back".into());
    }
    if args.answer.keys().any(|k| k == "errcode" || k == "errmsg") {
        return Err("answer holds the fields of a success; inject failures with the faults actions".into());
    }
    state.app_mut(&appid).record::<Seeds>().0.insert((args.api.clone(), image.clone()), args.answer);
    Ok(json!({"appid": appid, "api": args.api, "image": image}))
}

fn describe_app(_: &State, _: &str, app: &AppData, out: &mut Map<String, Value>) {
    if let Some(seeds) = app.records.peek::<Seeds>() {
        out.insert("ocrSeeds".into(), json!(seeds.0.len()));
    }
}

#[cfg(test)]
mod tests {
    use crate::kit::upload::sha256_hex;
    use crate::test_support::{code, png, TestEmulator, APP};
    use serde_json::json;

    #[tokio::test]
    async fn answers_what_was_seeded_for_the_image() {
        let emu = TestEmulator::start(json!({})).await;
        let t = emu.stable_token(APP, false).await;
        let card = png(b"card");
        let front = json!({"type": "Front", "name": "张三", "id": "110101199003071234", "addr": "北京市", "gender": "男", "nationality": "汉"});
        emu.control("seedOcr", json!({"api": "idcard", "sha256": sha256_hex(&card), "answer": front})).await;
        let read = emu.upload("ocr.idcard", &t, "&type=photo", Some(("img", "c.png", "image/png", &card))).await;
        assert_eq!((code(&read), read["name"].as_str(), read["id"].as_str()), (0, Some("张三"), Some("110101199003071234")));
        let other = png(b"other");
        assert_eq!(code(&emu.upload("ocr.idcard", &t, "", Some(("img", "c.png", "image/png", &other))).await), 101001);
        assert_eq!(code(&emu.upload("ocr.idcard", &t, "&type=sideways", Some(("img", "c.png", "image/png", &card))).await), 47001);

        let text = emu.upload("ocr.printedText", &t, "", Some(("img", "o.png", "image/png", &other))).await;
        assert_eq!((code(&text), &text["items"], &text["img_size"]), (0, &json!([]), &json!({"w": 1, "h": 1})));
        let url = "https://img.example/menu.png";
        emu.control("seedOcr", json!({"api": "printedText", "imageUrl": url, "answer": {"items": [{"text": "菜单"}], "img_size": {"w": 10, "h": 10}}})).await;
        let by_url = emu.upload("ocr.printedText", &t, "&img_url=https%3A%2F%2Fimg.example%2Fmenu.png", None).await;
        assert_eq!(by_url["items"][0]["text"], "菜单");
        assert_eq!(code(&emu.upload("ocr.printedText", &t, "&img_url=https%3A%2F%2Fimg.example%2Fnobody.png", None).await), 101000);
        assert_eq!(code(&emu.upload("ocr.printedText", &t, "&img_url=ftp%3A%2F%2Fx", None).await), 101000);
        assert_eq!(code(&emu.upload("ocr.printedText", &t, "", Some(("img", "x.bin", "image/png", b"not an image"))).await), 101002);
        assert_eq!(code(&emu.upload("ocr.printedText", &t, "", None).await), 41005);
        let big = png(&vec![0; 2 * 1024 * 1024]);
        assert_eq!(code(&emu.upload("ocr.printedText", &t, "", Some(("img", "b.png", "image/png", &big))).await), 40006);
    }

    #[tokio::test]
    async fn cards_and_images_answer_their_seeds_or_what_an_unseeded_image_gives() {
        let emu = TestEmulator::start(json!({})).await;
        let t = emu.stable_token(APP, false).await;
        let card = png(b"bank");
        emu.control("seedOcr", json!({"api": "bankcard", "sha256": sha256_hex(&card), "answer": {"number": "622213******1234"}})).await;
        let read = emu.upload("ocr.bankcard", &t, "&type=photo", Some(("img", "b.png", "image/png", &card))).await;
        assert_eq!((code(&read), read["number"].as_str()), (0, Some("622213******1234")));
        let blank = png(b"blank");
        for api in ["ocr.driverLicense", "ocr.vehicleLicense", "ocr.businessLicense", "ocr.bankcard"] {
            assert_eq!(code(&emu.upload(api, &t, "", Some(("img", "x.png", "image/png", &blank))).await), 101001, "{api}");
        }
        let crop = emu.upload("img.aiCrop", &t, "", Some(("img", "x.png", "image/png", &blank))).await;
        assert_eq!(crop["results"], json!([{"crop_left": 0, "crop_top": 0, "crop_right": 1, "crop_bottom": 1}]));
        let codes = emu.upload("img.scanQRCode", &t, "", Some(("img", "x.png", "image/png", &blank))).await;
        assert_eq!((code(&codes), &codes["code_results"]), (0, &json!([])));
        assert_eq!(code(&emu.upload("img.scanQRCode", &t, "&img_url=https%3A%2F%2Fimg.example%2Fnone.png", None).await), 101000);
        assert_eq!(code(&emu.upload("img.scanQRCode", &t, "", None).await), 41005);
    }

    #[tokio::test]
    async fn a_part_without_a_file_name_or_type_is_still_the_file() {
        let emu = TestEmulator::start(json!({})).await;
        let t = emu.stable_token(APP, false).await;
        let url = format!("{}/cv/ocr/comm?access_token={t}", emu.emu.url());
        let mut body = b"--zz\r\nContent-Disposition: form-data; name=\"img\"\r\n\r\n".to_vec();
        body.extend_from_slice(&png(b"bare"));
        body.extend_from_slice(b"\r\n--zz--\r\n");
        let res = reqwest::Client::new().post(url).header("content-type", "multipart/form-data; boundary=zz").body(body).send().await.unwrap();
        let v: serde_json::Value = serde_json::from_str(&res.text().await.unwrap()).unwrap();
        assert_eq!((code(&v), &v["items"]), (0, &json!([])), "{v}");
    }

    #[tokio::test]
    async fn a_broken_form_is_a_format_error() {
        let emu = TestEmulator::start(json!({})).await;
        let t = emu.stable_token(APP, false).await;
        let url = format!("{}/cv/ocr/comm?access_token={t}", emu.emu.url());
        let res = reqwest::Client::new().post(url).header("content-type", "multipart/form-data; boundary=zz").body("--zz\r\nbroken").send().await.unwrap();
        let v: serde_json::Value = serde_json::from_str(&res.text().await.unwrap()).unwrap();
        assert_eq!(code(&v), 47001, "{v}");
    }
}
