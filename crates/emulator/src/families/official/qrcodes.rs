//! Parametric QR codes: `qrcode.create` issues a ticket (temporary ones expire on the emulator's clock) and
//! the mp host's `/cgi-bin/showqrcode?ticket=` draws its URL as a PNG; scanning it (`scanQrcode`) is `events`'.

use super::records::{official, Qrcode};
use crate::families::wxacode::render_png;
use crate::kit::context::Ctx;
use crate::kit::ids::random_token;
use crate::kit::state::State;
use crate::wire::{fields, Reply, WxError};

/// WeChat's bounds: 30 days for a temporary code (60 s when not given), permanent scene ids 1 to 100000.
const MAX_EXPIRE: i64 = 2_592_000;
const DEFAULT_EXPIRE: i64 = 60;
const MAX_PERMANENT_SCENE: i64 = 100_000;

pub fn create(ctx: &mut Ctx<'_>) -> Reply {
    let action = ctx.params.str("action_name");
    let scene = ctx.params.child("action_info").child("scene");
    let invalid = |why: &str| WxError::new(40097, format!("invalid args: {why}"));
    let (permanent, by_string) = match action {
        "QR_SCENE" => (false, false),
        "QR_STR_SCENE" => (false, true),
        "QR_LIMIT_SCENE" => (true, false),
        "QR_LIMIT_STR_SCENE" => (true, true),
        _ => return Err(invalid("action_name")),
    };
    let (scene_id, scene_str) = if by_string {
        let s = scene.str("scene_str");
        if s.is_empty() || s.chars().count() > 64 {
            return Err(invalid("scene_str is 1 to 64 characters"));
        }
        (None, Some(s.to_owned()))
    } else {
        let id = scene.int("scene_id").unwrap_or(0);
        let fits = if permanent { (1..=MAX_PERMANENT_SCENE).contains(&id) } else { id != 0 && i32::try_from(id).is_ok() };
        if !fits {
            return Err(invalid("scene_id"));
        }
        (Some(id), None)
    };
    let expire = ctx.params.int("expire_seconds").unwrap_or(DEFAULT_EXPIRE).clamp(1, MAX_EXPIRE);
    let now = ctx.unix_now();
    let ticket = format!("gQ{}", random_token(94));
    let url = format!("http://weixin.qq.com/q/{}", random_token(22));
    let code = Qrcode { ticket: ticket.clone(), scene_id, scene_str, expires_at: (!permanent).then_some(now + expire), url: url.clone() };
    official(ctx.app(), now).qrcodes.push(code);
    let mut out = fields! { "ticket" => ticket, "url" => url };
    if !permanent {
        out.insert("expire_seconds".into(), expire.into());
    }
    Ok(out)
}

/// The code a ticket names, with its account, while it is valid.
pub fn find(state: &State, ticket: &str) -> Option<(String, Qrcode)> {
    let now = state.clock.unix();
    state.apps.iter().find_map(|(appid, app)| {
        let book = app.records.peek::<super::records::Official>()?;
        let code = book.qrcodes.iter().find(|q| q.ticket == ticket)?;
        code.expires_at.is_none_or(|t| now < t).then(|| (appid.clone(), code.clone()))
    })
}

/// The PNG `showqrcode` answers for a ticket: its URL drawn as a QR code (430 px, as WeChat's are about).
pub fn image(state: &State, ticket: &str) -> Option<Vec<u8>> {
    let (_, code) = find(state, ticket)?;
    render_png(&code.url, 430, [0, 0, 0], false).ok()
}
