//! The one control surface of the emulator: `Emulator::control(action, args)` in Rust, `control(action, args)`
//! in JS, `POST {url}/__emulator/<action>` with a JSON body over HTTP. Every action is a row of `ACTIONS`
//! (name, arguments, what it does); `actions` lists them. `appid` may be left out when one app is configured.

use super::component;
use super::fault_rates::RatesConfig;
use super::faults::Fault;
use super::links::{self, LINKED, REFUSED};
use super::logistics_accounts::{self, SeedAccount};
use super::logistics_delivery::beijing_date;
use super::open_platform::{new_open_appid, open_appid_of, OpenAccount};
use super::state::State;
use serde::de::DeserializeOwned;
use serde::Deserialize;
use serde_json::{json, Map, Value};
use std::time::Duration;

pub struct Action {
    pub name: &'static str,
    pub args: &'static str,
    pub doc: &'static str,
    run: fn(&mut State, Value) -> Result<Value, String>,
}

pub const ACTIONS: &[Action] = &[
    Action { name: "actions", args: "{}", doc: "Lists the control actions with their arguments.", run: list_actions },
    Action { name: "state", args: "{}", doc: "A JSON dump of the emulator's state for debugging: accounts, orders, links, tokens (kinds and lifetimes only), counters. Never secrets or token values.", run: dump_state },
    Action { name: "seedAccounts", args: "{appid?, accounts: [{bizId, deliveryId, alias?, quotaNum?, statusCode?, remarkContent?, remarkWrongMsg?}]}", doc: "Adds bound logistics accounts (snake_case keys work too); replaces one with the same bizId and deliveryId. Returns {count}.", run: seed_accounts },
    Action { name: "openids", args: "{appid?}", doc: "The openids the account knows (three seeded ones first). Returns {openids}.", run: openids },
    Action { name: "addOpenids", args: "{appid?, openids: [string]}", doc: "Adds users to the account; calls naming unknown openids answer 40003. Returns {openids}.", run: add_openids },
    Action { name: "requestCounts", args: "{}", doc: "Requests received per endpoint (`namespace.method`), token endpoints included, whatever their outcome.", run: request_counts },
    Action { name: "executions", args: "{}", doc: "How many times each non-idempotent endpoint actually ran (past token, quota and field checks): duplicates show here.", run: executions },
    Action { name: "executionsByOrder", args: "{name?}", doc: "Executions of non-idempotent endpoints per order_id they named ({name: {orderId: n}}, or one endpoint's map): more than one is a duplicate order.", run: executions_by_order },
    Action { name: "resetCounts", args: "{}", doc: "Sets requestCounts and executions back to zero.", run: reset_counts },
    Action { name: "expireToken", args: "{appid?} or {componentAppid}", doc: "Every live token of the account (classic, stable, authorizer) or platform now answers 42001. Returns {expired}.", run: expire_token },
    Action { name: "revokeToken", args: "{appid?} or {componentAppid}", doc: "Every token of the account or platform now answers 40001; the next fetch issues a fresh one. Returns {revoked}.", run: revoke_token },
    Action { name: "advanceTime", args: "{seconds}", doc: "Moves the emulator's clock forward (token expiry, the 5-minute overlap, ticket and code lifetimes). Returns {skewSeconds}.", run: advance_time },
    Action { name: "approveLink", args: "{appid?, miniprogramAppid}", doc: "The mini program's administrator accepts the pending link: status 1. Returns {appid, miniprogramAppid, status}.", run: approve_link },
    Action { name: "rejectLink", args: "{appid?, miniprogramAppid}", doc: "The administrator refuses the pending link: status 3.", run: reject_link },
    Action { name: "setPrintHtmlSize", args: "{kb}", doc: "Pads every waybill's HTML to at least kb KiB before base64 (0: natural size). Returns {kb}.", run: set_print_html_size },
    Action { name: "order", args: "{appid?, orderId}", doc: "An order as stored, with its courier-side deliveryToken (for updatePath, getContact and scatter calls), path, fees and complaint.", run: order },
    Action { name: "seedOpenAccount", args: "{openAppid?, subject?, createdByApi?: false, boundAppids?: [appid]}", doc: "Creates an open-platform account as if made on the website (createdByApi false: unbind answers 89003, bind 89036). Returns {openAppid}.", run: seed_open_account },
    Action { name: "setSubject", args: "{appid?, subject}", doc: "Changes the company behind an account (open-platform binding needs the same subject: 89001).", run: set_subject },
    Action { name: "setDailyLimit", args: "{appid?, name, limit}", doc: "The account's daily quota for one endpoint; past it calls answer 45009 until auth.clearQuota.", run: set_daily_limit },
    Action { name: "injectFault", args: "{name, errcode?, errmsg?, delayMs?, afterExecute?: false, times?: 1}", doc: "The next `times` calls of `name` (or `*`) wait delayMs, then answer errcode: before running, or after running when afterExecute. Returns {pending}.", run: inject_fault },
    Action { name: "setFaultRates", args: "{seed?: 0, delayMs?: 100, rates: {\"*\" | name: {busy?, http500?, http502?, reset?, delay?, malformedJson?, truncated?, rateLimit?, revokedToken?}}}", doc: "Random faults at these rates (0..1 each, at most 1 in all) from a seeded generator: busy (-1), rateLimit (45011) and http500 answer before the call runs; revokedToken revokes the caller's tokens (40001); http502, reset (connection dropped), malformedJson and truncated (body cut off) let the call run, then spoil its answer; delay holds it delayMs. An endpoint's own rates replace `*`. Returns {seed, endpoints}.", run: set_fault_rates },
    Action { name: "faultStats", args: "{}", doc: "How many faults of each kind setFaultRates has drawn.", run: fault_stats },
    Action { name: "clearFaults", args: "{}", doc: "Drops every injected fault still waiting and the fault rates.", run: clear_faults },
    Action { name: "setTicket", args: "{componentAppid, ticket?}", doc: "Sets the platform's component_verify_ticket as if WeChat pushed it (a fresh one when ticket is omitted). Returns {ticket, expiresIn}.", run: set_ticket },
    Action { name: "authorize", args: "{componentAppid, authorizerAppid, permissionSets: [number]}", doc: "The account authorizes the platform for these permission sets; an `authorized` (or `updateauthorized`) push carries the code to the platform's push URL when one is known. Returns {authorizationCode, expiresIn} for component.queryAuth.", run: authorize },
    Action { name: "unauthorize", args: "{componentAppid, authorizerAppid}", doc: "The account withdraws its authorization: its refresh and authorizer tokens stop working; an `unauthorized` push goes to the platform's push URL when one is known. Returns {removed}.", run: unauthorize },
    Action { name: "pushTicket", args: "{url, componentAppid?}", doc: "WeChat's ticket push: a fresh component_verify_ticket (the only one api_component_token accepts from now on) is encrypted and POSTed to url, which becomes the platform's push URL (authorize, unauthorize and api_start_push_ticket then push there too). JS and HTTP only. Returns {ticket, expiresIn, delivery: {status, answer}}.", run: super::pushes::needs_async },
    Action { name: "rotateRefreshToken", args: "{componentAppid, authorizerAppid}", doc: "WeChat replaces the authorizer's refresh token behind the platform's back (as when another instance refreshed it): the stored one answers 61023, api_get_authorizer_list has the new one. Returns {rotated}.", run: rotate_refresh_token },
];

pub fn run(state: &mut State, action: &str, args: Value) -> Result<Value, String> {
    let Some(found) = ACTIONS.iter().find(|a| a.name == action) else {
        let known: Vec<&str> = ACTIONS.iter().map(|a| a.name).collect();
        return Err(format!("unknown control action {action:?}; known: {}", known.join(", ")));
    };
    if !args.is_object() {
        return Err(format!("{action}: arguments must be a JSON object"));
    }
    (found.run)(state, args).map_err(|e| format!("{action}: {e}"))
}

fn parse<T: DeserializeOwned>(args: Value) -> Result<T, String> {
    serde_json::from_value(args).map_err(|e| e.to_string())
}

/// The account named, or the only configured one.
fn account(state: &State, appid: Option<String>) -> Result<String, String> {
    match appid {
        Some(appid) if state.apps.contains_key(&appid) => Ok(appid),
        Some(appid) => Err(format!("unknown appid {appid}")),
        None if state.credentials.len() == 1 => Ok(state.credentials.keys().next().cloned().unwrap_or_default()),
        None => Err("appid is required when several apps are configured".into()),
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct AppidArgs {
    appid: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct CredentialArgs {
    appid: Option<String>,
    component_appid: Option<String>,
}

fn list_actions(_: &mut State, _: Value) -> Result<Value, String> {
    Ok(ACTIONS.iter().map(|a| json!({"name": a.name, "args": a.args, "doc": a.doc})).collect())
}

fn seed_accounts(state: &mut State, args: Value) -> Result<Value, String> {
    #[derive(Deserialize)]
    #[serde(deny_unknown_fields)]
    struct Args {
        appid: Option<String>,
        accounts: Vec<SeedAccount>,
    }
    let args: Args = parse(args)?;
    let appid = account(state, args.appid)?;
    let count = logistics_accounts::seed(state, &appid, args.accounts)?;
    Ok(json!({"count": count}))
}

fn openids(state: &mut State, args: Value) -> Result<Value, String> {
    let appid = account(state, parse::<AppidArgs>(args)?.appid)?;
    Ok(json!({"openids": state.app_mut(&appid).openids}))
}

fn add_openids(state: &mut State, args: Value) -> Result<Value, String> {
    #[derive(Deserialize)]
    #[serde(deny_unknown_fields)]
    struct Args {
        appid: Option<String>,
        openids: Vec<String>,
    }
    let args: Args = parse(args)?;
    let appid = account(state, args.appid)?;
    let known = &mut state.app_mut(&appid).openids;
    for openid in args.openids {
        if openid.is_empty() {
            return Err("an openid cannot be empty".into());
        }
        if !known.contains(&openid) {
            known.push(openid);
        }
    }
    Ok(json!({"openids": known}))
}

fn request_counts(state: &mut State, _: Value) -> Result<Value, String> {
    Ok(json!(state.counters.requests))
}

fn executions(state: &mut State, _: Value) -> Result<Value, String> {
    Ok(json!(state.counters.executions))
}

fn executions_by_order(state: &mut State, args: Value) -> Result<Value, String> {
    #[derive(Deserialize)]
    #[serde(deny_unknown_fields)]
    struct Args {
        name: Option<String>,
    }
    let by_order = &state.counters.executions_by_order;
    Ok(match parse::<Args>(args)?.name {
        Some(name) => json!(by_order.get(&name).cloned().unwrap_or_default()),
        None => json!(by_order),
    })
}

fn reset_counts(state: &mut State, _: Value) -> Result<Value, String> {
    state.counters = Default::default();
    Ok(json!({}))
}

/// The appid whose tokens a credential action touches: an account or a platform.
fn credential_holder(state: &State, args: Value) -> Result<String, String> {
    let args: CredentialArgs = parse(args)?;
    match args.component_appid {
        Some(c) if state.components.contains_key(&c) => Ok(c),
        Some(c) => Err(format!("unknown componentAppid {c}")),
        None => account(state, args.appid),
    }
}

fn expire_token(state: &mut State, args: Value) -> Result<Value, String> {
    let holder = credential_holder(state, args)?;
    let now = state.clock.now();
    Ok(json!({"expired": state.tokens.expire_for(&holder, now)}))
}

fn revoke_token(state: &mut State, args: Value) -> Result<Value, String> {
    let holder = credential_holder(state, args)?;
    let now = state.clock.now();
    Ok(json!({"revoked": state.tokens.revoke_for(&holder, now)}))
}

fn advance_time(state: &mut State, args: Value) -> Result<Value, String> {
    #[derive(Deserialize)]
    #[serde(deny_unknown_fields)]
    struct Args {
        seconds: f64,
    }
    let seconds = parse::<Args>(args)?.seconds;
    if !(0.0..=1e9).contains(&seconds) {
        return Err("seconds must be between 0 and 1e9".into());
    }
    state.clock.advance(Duration::from_secs_f64(seconds));
    Ok(json!({"skewSeconds": state.clock.skew().as_secs_f64()}))
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct LinkArgs {
    appid: Option<String>,
    miniprogram_appid: String,
}

fn approve_link(state: &mut State, args: Value) -> Result<Value, String> {
    let args: LinkArgs = parse(args)?;
    links::settle(state, args.appid.as_deref(), &args.miniprogram_appid, LINKED)
}

fn reject_link(state: &mut State, args: Value) -> Result<Value, String> {
    let args: LinkArgs = parse(args)?;
    links::settle(state, args.appid.as_deref(), &args.miniprogram_appid, REFUSED)
}

fn set_print_html_size(state: &mut State, args: Value) -> Result<Value, String> {
    #[derive(Deserialize)]
    #[serde(deny_unknown_fields)]
    struct Args {
        kb: usize,
    }
    let kb = parse::<Args>(args)?.kb;
    if kb > 10 * 1024 {
        return Err("kb must be at most 10240 (10 MiB a waybill)".into());
    }
    state.print_html_kib = kb;
    Ok(json!({"kb": kb}))
}

fn order(state: &mut State, args: Value) -> Result<Value, String> {
    #[derive(Deserialize)]
    #[serde(rename_all = "camelCase", deny_unknown_fields)]
    struct Args {
        appid: Option<String>,
        order_id: String,
    }
    let args: Args = parse(args)?;
    let appid = account(state, args.appid)?;
    let order = state.app_mut(&appid).orders.get(&args.order_id).ok_or_else(|| format!("no order {}", args.order_id))?;
    Ok(order.describe())
}

fn seed_open_account(state: &mut State, args: Value) -> Result<Value, String> {
    #[derive(Deserialize)]
    #[serde(rename_all = "camelCase", deny_unknown_fields)]
    struct Args {
        open_appid: Option<String>,
        subject: Option<String>,
        #[serde(default)]
        created_by_api: bool,
        #[serde(default)]
        bound_appids: Vec<String>,
    }
    let args: Args = parse(args)?;
    let open_appid = args.open_appid.unwrap_or_else(|| new_open_appid(state));
    if state.open_accounts.contains_key(&open_appid) {
        return Err(format!("open account {open_appid} exists"));
    }
    if let Some(taken) = args.bound_appids.iter().find(|a| open_appid_of(state, a).is_some()) {
        return Err(format!("{taken} is already bound to an open account"));
    }
    let subject = args.subject.unwrap_or_else(|| super::config::DEFAULT_SUBJECT.to_owned());
    let account = OpenAccount { open_appid: open_appid.clone(), subject, created_by_api: args.created_by_api, bound: args.bound_appids };
    state.open_accounts.insert(open_appid.clone(), account);
    Ok(json!({"openAppid": open_appid}))
}

fn set_subject(state: &mut State, args: Value) -> Result<Value, String> {
    #[derive(Deserialize)]
    #[serde(deny_unknown_fields)]
    struct Args {
        appid: Option<String>,
        subject: String,
    }
    let args: Args = parse(args)?;
    let appid = account(state, args.appid)?;
    state.app_mut(&appid).subject = args.subject.clone();
    Ok(json!({"appid": appid, "subject": args.subject}))
}

fn set_daily_limit(state: &mut State, args: Value) -> Result<Value, String> {
    #[derive(Deserialize)]
    #[serde(deny_unknown_fields)]
    struct Args {
        appid: Option<String>,
        name: String,
        limit: u64,
    }
    let args: Args = parse(args)?;
    if wechat_protocol::catalogue::catalogue().get(&args.name).is_none() {
        return Err(format!("unknown endpoint {}", args.name));
    }
    let appid = account(state, args.appid)?;
    state.app_mut(&appid).usage.set_limit(&args.name, args.limit);
    Ok(json!({"appid": appid, "name": args.name, "limit": args.limit}))
}

fn inject_fault(state: &mut State, args: Value) -> Result<Value, String> {
    let fault: Fault = parse(args)?;
    if fault.name != "*" && wechat_protocol::catalogue::catalogue().get(&fault.name).is_none() {
        return Err(format!("unknown endpoint {}", fault.name));
    }
    if fault.errcode.is_none() && fault.delay_ms == 0 {
        return Err("give errcode, delayMs or both".into());
    }
    Ok(json!({"pending": state.faults.add(fault)}))
}

fn set_fault_rates(state: &mut State, args: Value) -> Result<Value, String> {
    let config: RatesConfig = parse(args)?;
    state.fault_rates.set(config)
}

fn fault_stats(state: &mut State, _: Value) -> Result<Value, String> {
    Ok(state.fault_rates.stats())
}

fn clear_faults(state: &mut State, _: Value) -> Result<Value, String> {
    state.faults.clear();
    state.fault_rates = Default::default();
    Ok(json!({}))
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct AuthorizationArgs {
    component_appid: String,
    authorizer_appid: String,
    #[serde(default)]
    permission_sets: Vec<u32>,
}

fn set_ticket(state: &mut State, args: Value) -> Result<Value, String> {
    #[derive(Deserialize)]
    #[serde(rename_all = "camelCase", deny_unknown_fields)]
    struct Args {
        component_appid: String,
        ticket: Option<String>,
    }
    let args: Args = parse(args)?;
    component::set_ticket(state, &args.component_appid, args.ticket)
}

fn authorize(state: &mut State, args: Value) -> Result<Value, String> {
    let args: AuthorizationArgs = parse(args)?;
    component::authorize(state, &args.component_appid, &args.authorizer_appid, args.permission_sets)
}

fn unauthorize(state: &mut State, args: Value) -> Result<Value, String> {
    let args: AuthorizationArgs = parse(args)?;
    component::unauthorize(state, &args.component_appid, &args.authorizer_appid)
}

fn rotate_refresh_token(state: &mut State, args: Value) -> Result<Value, String> {
    let args: AuthorizationArgs = parse(args)?;
    component::rotate_refresh_token(state, &args.component_appid, &args.authorizer_appid)
}

/// Everything worth seeing while debugging, and nothing secret: no app or platform secrets, no token values,
/// no tickets or refresh tokens, no courier-side order tokens.
fn dump_state(state: &mut State, _: Value) -> Result<Value, String> {
    let now = state.clock.now();
    let mut apps = Map::new();
    for (appid, app) in &state.apps {
        let orders: Vec<Value> = app
            .orders
            .values()
            .map(|o| json!({"orderId": o.order_id, "waybillId": o.waybill_id, "deliveryId": o.delivery_id,
                "orderStatus": i64::from(o.cancelled), "pathItems": o.path.len()}))
            .collect();
        let links: Vec<Value> = app.links.iter().map(|l| json!({"appid": l.appid, "status": l.status, "notifyUsers": l.notify_users, "showProfile": l.show_profile})).collect();
        let printers: Vec<Value> = app.printers.iter().map(|p| json!({"openid": p.openid, "tagids": p.tagids})).collect();
        apps.insert(appid.clone(), json!({
            "name": app.name,
            "subject": app.subject,
            "configured": state.credentials.contains_key(appid),
            "openids": app.openids,
            "logisticsAccounts": app.logistics_accounts.iter().map(|a| a.to_wire()).collect::<Vec<_>>(),
            "sandboxOrdersLeft": app.sandbox_orders_left,
            "orders": orders,
            "printers": printers,
            "trackedWaybills": app.waybills.len(),
            "msgPluginOpen": app.msg_plugin_open,
            "links": links,
            "openAppid": open_appid_of(state, appid),
            "usage": app.usage.describe(),
        }));
    }
    let components: Map<String, Value> = state.components.iter().map(|(id, c)| (id.clone(), c.describe(now))).collect();
    Ok(json!({
        "unixTime": state.clock.unix(),
        "today": beijing_date(state.clock.unix()),
        "skewSeconds": state.clock.skew().as_secs_f64(),
        "tokenTtl": state.token_ttl.as_secs(),
        "printHtmlKb": state.print_html_kib,
        "apps": apps,
        "components": components,
        "openAccounts": state.open_accounts.values().map(OpenAccount::describe).collect::<Vec<_>>(),
        "tokens": state.tokens.describe(now),
        "requestCounts": state.counters.requests,
        "executions": state.counters.executions,
        "pendingFaults": state.faults.count(),
    }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::EmulatorConfig;
    use crate::test_support::{code, TestEmulator, APP, SECRET};

    #[test]
    fn unknown_actions_and_bad_arguments_are_named() {
        let mut state = State::new(&EmulatorConfig::default());
        let e = run(&mut state, "nope", json!({})).unwrap_err();
        assert!(e.starts_with("unknown control action \"nope\"; known: actions, state, seedAccounts"), "{e}");
        let e = run(&mut state, "seedAccounts", json!({"accounts": [{"bizId": "x"}]})).unwrap_err();
        assert!(e.contains("missing field `deliveryId`"), "{e}");
        assert!(run(&mut state, "advanceTime", json!([])).unwrap_err().contains("must be a JSON object"));
        assert_eq!(run(&mut state, "actions", json!({})).unwrap().as_array().unwrap().len(), ACTIONS.len());
    }

    #[tokio::test]
    async fn state_dumps_hold_no_secrets() {
        let emu = TestEmulator::start(json!({})).await;
        let token = emu.stable_token(APP, false).await;
        let classic = emu.classic_token(APP).await;
        let dump = emu.control("state", json!({})).await;
        let text = dump.to_string();
        for secret in [SECRET, token.as_str(), classic.as_str()] {
            assert!(!text.contains(secret), "state leaks a credential");
        }
        assert_eq!(dump["apps"][APP]["logisticsAccounts"].as_array().unwrap().len(), 2);
        assert_eq!(dump["tokens"].as_array().unwrap().len(), 2);
        assert_eq!(dump["apps"][APP]["usage"]["auth.getStableAccessToken"], 1);
    }

    #[tokio::test]
    async fn counts_executions_and_faults() {
        let emu = TestEmulator::start(json!({})).await;
        let token = emu.stable_token(APP, false).await;
        let bind = json!({"type": "bind", "biz_id": "b", "delivery_id": "SF"});
        emu.control("injectFault", json!({"name": "logistics.bindAccount", "errcode": -1, "afterExecute": true})).await;
        let failed = emu.call("logistics.bindAccount", &token, bind.clone()).await;
        assert_eq!(code(&failed), -1);
        assert!(failed["errmsg"].as_str().unwrap().starts_with("system error rid: "));
        assert_eq!(emu.app_call("logistics.getAllAccount", json!({})).await["count"], 3, "it ran before failing");
        emu.control("injectFault", json!({"name": "*", "errcode": 45011, "times": 2})).await;
        assert_eq!(code(&emu.call("logistics.bindAccount", &token, bind.clone()).await), 45011);
        assert_eq!(code(&emu.get_with("logistics.getAllAccount", &token).await), 45011);
        assert_eq!(code(&emu.call("logistics.bindAccount", &token, bind.clone()).await), 0);
        let executions = emu.control("executions", json!({})).await;
        assert_eq!(executions, json!({"auth.getStableAccessToken": 2, "logistics.bindAccount": 2}));
        let counts = emu.control("requestCounts", json!({})).await;
        assert_eq!(counts["logistics.bindAccount"], 3);
        assert_eq!(counts["logistics.getAllAccount"], 2);
        emu.control("injectFault", json!({"name": "logistics.getAllAccount", "delayMs": 300})).await;
        let started = std::time::Instant::now();
        assert_eq!(code(&emu.get_with("logistics.getAllAccount", &token).await), 0);
        assert!(started.elapsed() >= std::time::Duration::from_millis(300));
        emu.control("resetCounts", json!({})).await;
        assert_eq!(emu.control("requestCounts", json!({})).await, json!({}));
        let bad = emu.raw_post("/__emulator/injectFault", json!({"name": "nope.nope", "errcode": 1})).await;
        assert_eq!(bad["ok"], false);
        assert_eq!(bad["error"], "injectFault: unknown endpoint nope.nope");
    }

    #[tokio::test]
    async fn openids_and_the_in_process_surface() {
        let emu = TestEmulator::start(json!({})).await;
        let added = emu.emu.control("addOpenids", json!({"openids": ["oCustomUser"]})).unwrap();
        assert_eq!(added["openids"].as_array().unwrap().len(), 4);
        assert_eq!(emu.emu.control_json("openids", "").unwrap(), json!({"openids": added["openids"]}).to_string());
        let printer = json!({"openid": "oCustomUser", "update_type": "bind"});
        assert_eq!(code(&emu.app_call("logistics.updatePrinter", printer).await), 0);
        assert!(emu.emu.control("openids", json!({"appid": "wxnobody"})).unwrap_err().contains("unknown appid wxnobody"));
    }
}
