//! URL Links (`https://wxaurl.cn/…`) and URL Schemes (`weixin://dl/business/?t=…`) that open a page of the mini
//! program. Both expire within 30 days (WeChat's rule since 2022-04-11), on the emulator's clock: a test reads a
//! link back with `resolveLink` and sees it expire after `advanceTime`. A page outside the pages a test named
//! (`setMiniprogramPages`) answers 40165; a query outside WeChat's character set or over 1024 characters 40212.

use super::wxacode::Pages;
use crate::kit::action::{parse, Action};
use crate::kit::context::Ctx;
use crate::kit::family::Family;
use crate::kit::ids::random_token;
use crate::kit::route::Route;
use crate::kit::state::State;
use crate::wire::{fields, Reply, WxError};
use serde::Deserialize;
use serde_json::{json, Value};

pub const FAMILY: Family = Family::new("wxaLinks").routes(ROUTES).actions(ACTIONS);

const ACTIONS: &[Action] = &[Action::new(
    "resolveLink",
    "{link}",
    "What a URL Link or URL Scheme the emulator generated opens: {appid, path, query, envVersion, expireTime, expired} (expired on the emulator's clock).",
    resolve_link,
)
.js("link: string", "{ appid: string; path: string; query: string; envVersion: string; expireTime: number; expired: boolean }")];

const ROUTES: &[Route] = &[Route::new("urllink.generate", generate_urllink), Route::new("urlscheme.generate", generate_scheme)];

const MAX_DAYS: i64 = 30;
const DAY: i64 = 86_400;
const QUERY_EXTRA: &str = "!#$&'()*+,/:;=?@-._~%";

#[derive(Clone, Debug)]
pub struct Link {
    pub link: String,
    pub appid: String,
    pub path: String,
    pub query: String,
    pub env_version: String,
    pub expire_time: i64,
}

/// Every link and scheme handed out, across accounts.
#[derive(Default)]
pub struct Links(pub Vec<Link>);

fn generate_urllink(ctx: &mut Ctx<'_>) -> Reply {
    let target = ctx.params;
    let link = make(ctx, target.str("path"), target.str("query"), target.opt_str("env_version"), || {
        format!("https://wxaurl.cn/{}", random_token(12))
    })?;
    Ok(fields! { "url_link" => link })
}

fn generate_scheme(ctx: &mut Ctx<'_>) -> Reply {
    let jump = ctx.params.child("jump_wxa");
    let link = make(ctx, jump.str("path"), jump.str("query"), jump.opt_str("env_version"), || {
        format!("weixin://dl/business/?t={}", random_token(13))
    })?;
    Ok(fields! { "openlink" => link })
}

fn make(ctx: &mut Ctx<'_>, path: &str, query: &str, env: Option<&str>, mint: impl Fn() -> String) -> Result<String, WxError> {
    let path = path.trim_start_matches('/').to_owned();
    if path.contains('?') {
        return Err(ctx.fail(40165));
    }
    let legal = |c: char| c.is_ascii_alphanumeric() || QUERY_EXTRA.contains(c);
    if query.chars().count() > 1024 || !query.chars().all(legal) {
        return Err(ctx.fail(40212));
    }
    let env = env.unwrap_or("release");
    if !matches!(env, "release" | "trial" | "develop") {
        return Err(WxError::data_format("env_version is release, trial or develop"));
    }
    let pages_named = !ctx.app_record::<Pages>().0.is_empty();
    if pages_named && !path.is_empty() && !ctx.app_record::<Pages>().0.contains(&path) {
        return Err(ctx.fail(40165));
    }
    let now = ctx.unix_now();
    let expire_time = match ctx.params.int("expire_type").unwrap_or(0) {
        0 => match ctx.params.int("expire_time") {
            Some(t) if t > now && t <= now + MAX_DAYS * DAY => t,
            _ => return Err(ctx.fail(85401)),
        },
        1 => match ctx.params.int("expire_interval") {
            Some(days @ 1..=MAX_DAYS) => now + days * DAY,
            _ => return Err(ctx.fail(85402)),
        },
        _ => return Err(WxError::data_format("expire_type is 0 or 1")),
    };
    let link = mint();
    let record = Link { link: link.clone(), appid: ctx.appid(), path, query: query.to_owned(), env_version: env.to_owned(), expire_time };
    ctx.state.record::<Links>().0.push(record);
    Ok(link)
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ResolveArgs {
    link: String,
}

fn resolve_link(state: &mut State, args: Value) -> Result<Value, String> {
    let args: ResolveArgs = parse(args)?;
    let now = state.clock.unix();
    let link = state.record::<Links>().0.iter().find(|l| l.link == args.link).cloned();
    let link = link.ok_or_else(|| format!("{} is no link the emulator generated", args.link))?;
    Ok(json!({
        "appid": link.appid, "path": link.path, "query": link.query, "envVersion": link.env_version,
        "expireTime": link.expire_time, "expired": now >= link.expire_time,
    }))
}

#[cfg(test)]
mod tests {
    use crate::test_support::{code, TestEmulator};
    use serde_json::json;

    #[tokio::test]
    async fn links_and_schemes_resolve_and_expire() {
        let emu = TestEmulator::start(json!({})).await;
        let made = emu.app_call("urllink.generate", json!({"path": "pages/a/a", "query": "id=1", "expire_type": 1, "expire_interval": 2})).await;
        assert_eq!(code(&made), 0);
        let link = made["url_link"].as_str().unwrap();
        assert!(link.starts_with("https://wxaurl.cn/") && link.len() == 30, "{link}");
        let seen = emu.control("resolveLink", json!({"link": link})).await;
        assert_eq!((seen["path"].as_str(), seen["query"].as_str(), seen["expired"].as_bool()), (Some("pages/a/a"), Some("id=1"), Some(false)));
        emu.control("advanceTime", json!({"seconds": 2 * 86_400})).await;
        assert_eq!(emu.control("resolveLink", json!({"link": link})).await["expired"], true);
        let scheme = emu.app_call("urlscheme.generate", json!({"jump_wxa": {"path": "pages/b/b", "env_version": "trial"}, "expire_type": 1, "expire_interval": 30})).await;
        let openlink = scheme["openlink"].as_str().unwrap();
        assert!(openlink.starts_with("weixin://dl/business/?t="), "{openlink}");
        assert_eq!(emu.control("resolveLink", json!({"link": openlink})).await["envVersion"], "trial");
        assert_eq!(code(&emu.app_call("urllink.generate", json!({"expire_type": 1, "expire_interval": 31})).await), 85402);
        assert_eq!(code(&emu.app_call("urllink.generate", json!({"expire_time": 1})).await), 85401);
        assert_eq!(code(&emu.app_call("urllink.generate", json!({"query": "a=中", "expire_type": 1, "expire_interval": 1})).await), 40212);
        emu.control("setMiniprogramPages", json!({"pages": ["pages/a/a"]})).await;
        let missing = json!({"jump_wxa": {"path": "pages/z/z"}, "expire_type": 1, "expire_interval": 1});
        assert_eq!(code(&emu.app_call("urlscheme.generate", missing).await), 40165);
    }
}
