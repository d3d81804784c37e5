//! An authorizer's options, read and set by its platform with the merchant's authorizer token on the new
//! paths (`get_authorizer_option` / `set_authorizer_option`; the old `api_*_authorizer_option` ones are gone).
//! Every option starts at "0", as for an account that never changed them.

use crate::kit::context::Ctx;
use crate::wire::{fields, Reply, WxError};
use std::collections::BTreeMap;

/// Each option and the values it takes.
const OPTIONS: &[(&str, &[&str])] = &[("location_report", &["0", "1", "2"]), ("voice_recognize", &["0", "1"]), ("customer_service", &["0", "1"])];

/// An account's options that differ from "0".
#[derive(Debug, Default)]
pub struct AuthorizerOptions(BTreeMap<String, String>);

fn values_of(name: &str) -> Result<&'static [&'static str], WxError> {
    let known = OPTIONS.iter().find(|(n, _)| *n == name).map(|(_, values)| *values);
    known.ok_or_else(|| WxError::new(40097, format!("invalid args: option_name must be one of location_report, voice_recognize, customer_service, got {name:?}")))
}

/// `{option_name}` → `{option_name, option_value}`.
pub fn get_option(ctx: &mut Ctx<'_>) -> Reply {
    let name = ctx.params.str("option_name");
    values_of(name)?;
    let value = ctx.app_record::<AuthorizerOptions>().0.get(name).cloned().unwrap_or_else(|| "0".into());
    Ok(fields! { "option_name" => name, "option_value" => value })
}

/// `{option_name, option_value}`: 40097 for an unknown option or a value it does not take.
pub fn set_option(ctx: &mut Ctx<'_>) -> Reply {
    let (name, value) = (ctx.params.str("option_name"), ctx.params.str("option_value"));
    if !values_of(name)?.contains(&value) {
        return Err(WxError::new(40097, format!("invalid args: {name} takes {}, got {value:?}", values_of(name)?.join(", "))));
    }
    ctx.app_record::<AuthorizerOptions>().0.insert(name.to_owned(), value.to_owned());
    Ok(fields! {})
}
