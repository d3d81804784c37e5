//! Phone numbers: a test seeds the code a getPhoneNumber button would hand the mini program (`seedPhoneCode`);
//! `phonenumber.getPhoneNumber` exchanges it once, within 5 minutes on the emulator's clock, for that number.
//! Anything else (unknown, used, expired, another user's when `openid` is given) answers 40029.

use crate::kit::action::{account, parse, Action};
use crate::kit::context::Ctx;
use crate::kit::family::Family;
use crate::kit::ids::random_token;
use crate::kit::route::Route;
use crate::kit::state::State;
use crate::wire::{fields, Reply};
use serde::Deserialize;
use serde_json::{json, Value};

pub const FAMILY: Family = Family::new("phone").routes(ROUTES).actions(ACTIONS);

const ACTIONS: &[Action] = &[Action::new(
    "seedPhoneCode",
    "{appid?, phoneNumber, countryCode?, openid?}",
    "A code for getPhoneNumber, as the button hands it to the mini program: valid once, for 5 minutes. countryCode defaults to 86; openid to the account's first user. Returns {appid, code, openid}.",
    seed_code,
)
.js("args: { phoneNumber: string; countryCode?: string; openid?: string; appid?: string }", "string")
.pick("code")];

const ROUTES: &[Route] = &[Route::new("phonenumber.getPhoneNumber", get_phone_number)];

const LIFETIME: i64 = 300;

#[derive(Clone, Debug)]
struct PhoneCode {
    code: String,
    openid: String,
    pure: String,
    country: String,
    issued: i64,
}

#[derive(Default)]
struct PhoneCodes(Vec<PhoneCode>);

fn get_phone_number(ctx: &mut Ctx<'_>) -> Reply {
    let (code, openid) = (ctx.params.str("code"), ctx.params.opt_str("openid"));
    let (invalid, now) = (ctx.fail(40029), ctx.unix_now());
    let codes = &mut ctx.app_record::<PhoneCodes>().0;
    let at = codes.iter().position(|c| c.code == code).ok_or(invalid.clone())?;
    // Used once, whatever the outcome.
    let found = codes.remove(at);
    if now - found.issued >= LIFETIME || openid.is_some_and(|o| o != found.openid) {
        return Err(invalid);
    }
    let phone = if found.country == "86" { found.pure.clone() } else { format!("+{}{}", found.country, found.pure) };
    let country: Value = found.country.parse::<i64>().map_or_else(|_| Value::from(found.country.clone()), Value::from);
    Ok(fields! {
        "phone_info" => json!({
            "phoneNumber": phone, "purePhoneNumber": found.pure, "countryCode": country,
            "watermark": {"timestamp": found.issued, "appid": ctx.appid()},
        }),
    })
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct SeedArgs {
    appid: Option<String>,
    phone_number: String,
    country_code: Option<String>,
    openid: Option<String>,
}

fn seed_code(state: &mut State, args: Value) -> Result<Value, String> {
    let args: SeedArgs = parse(args)?;
    let appid = account(state, args.appid)?;
    if args.phone_number.is_empty() || !args.phone_number.bytes().all(|b| b.is_ascii_digit()) {
        return Err("phoneNumber: digits only, without the country code".into());
    }
    let issued = state.clock.unix();
    let app = state.app_mut(&appid);
    let openid = match args.openid {
        Some(o) if app.openids.contains(&o) => o,
        Some(o) => return Err(format!("{o} is not a user of {appid}")),
        None => app.openids[0].clone(),
    };
    let code = random_token(64).to_ascii_lowercase();
    let country = args.country_code.unwrap_or_else(|| "86".into());
    app.record::<PhoneCodes>().0.push(PhoneCode { code: code.clone(), openid: openid.clone(), pure: args.phone_number, country, issued });
    Ok(json!({"appid": appid, "code": code, "openid": openid}))
}

#[cfg(test)]
mod tests {
    use crate::test_support::{code, TestEmulator};
    use serde_json::json;

    #[tokio::test]
    async fn a_code_gives_its_number_once_within_five_minutes() {
        let emu = TestEmulator::start(json!({})).await;
        let seeded = emu.control("seedPhoneCode", json!({"phoneNumber": "13800138000"})).await;
        let c = seeded["code"].as_str().unwrap();
        let answer = emu.app_call("phonenumber.getPhoneNumber", json!({"code": c, "openid": seeded["openid"]})).await;
        assert_eq!(code(&answer), 0);
        assert_eq!(answer["phone_info"]["phoneNumber"], "13800138000");
        assert_eq!(answer["phone_info"]["countryCode"], 86);
        assert_eq!(code(&emu.app_call("phonenumber.getPhoneNumber", json!({"code": c})).await), 40029, "used");
        let late = emu.control("seedPhoneCode", json!({"phoneNumber": "5551234", "countryCode": "1"})).await;
        emu.control("advanceTime", json!({"seconds": 300})).await;
        assert_eq!(code(&emu.app_call("phonenumber.getPhoneNumber", json!({"code": late["code"]})).await), 40029, "expired");
        let foreign = emu.control("seedPhoneCode", json!({"phoneNumber": "5551234", "countryCode": "1"})).await;
        let fine = emu.app_call("phonenumber.getPhoneNumber", json!({"code": foreign["code"]})).await;
        assert_eq!(fine["phone_info"]["phoneNumber"], "+15551234");
    }
}
