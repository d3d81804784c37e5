//! What every endpoint handler receives and returns, and the registry that maps each table row to its handler.
//! The server builds its routes from the catalogue and looks each row up here: a row without a handler
//! stops the emulator from starting, and a test below fails.

use super::state::{AppData, State};
use super::wire::{common_errmsg, Reply, SuccessShape, WxError};
use super::{auth, component, links, logistics_accounts, logistics_delivery, logistics_msg, logistics_orders};
use super::{logistics_printers, open_platform, quota};
use wechat_protocol::catalogue::{catalogue, Endpoint};
use serde_json::Value;

/// Who is calling, as the token in the query string says.
#[derive(Clone, Debug, PartialEq)]
pub enum Caller {
    /// No token: the token endpoints themselves.
    Anonymous,
    /// An account, with its own token, or a platform's authorizer token on its behalf (`via_component`).
    Account { appid: String, via_component: Option<String> },
    /// A third-party platform with its component token.
    Component { appid: String },
}

/// The request's fields (body or query string), already checked against the table.
#[derive(Clone, Copy)]
pub struct Params<'a>(pub &'a Value);

impl<'a> Params<'a> {
    pub fn get(&self, key: &str) -> Option<&'a Value> {
        self.0.get(key)
    }

    /// A string field, or "" when absent.
    pub fn str(&self, key: &str) -> &'a str {
        self.opt_str(key).unwrap_or_default()
    }

    pub fn opt_str(&self, key: &str) -> Option<&'a str> {
        self.0.get(key).and_then(Value::as_str)
    }

    /// A number field (or a numeric string, where WeChat's pages allow either).
    pub fn int(&self, key: &str) -> Option<i64> {
        match self.0.get(key)? {
            Value::Number(n) => n.as_i64().or_else(|| n.as_f64().map(|f| f as i64)),
            Value::String(s) => s.trim().parse().ok(),
            _ => None,
        }
    }

    pub fn bool(&self, key: &str) -> Option<bool> {
        self.0.get(key).and_then(Value::as_bool)
    }

    /// The fields of a nested object (empty when absent).
    pub fn child(&self, key: &str) -> Params<'a> {
        static NULL: Value = Value::Null;
        Params(self.0.get(key).unwrap_or(&NULL))
    }
}

pub struct Ctx<'a> {
    pub state: &'a mut State,
    pub endpoint: &'static Endpoint,
    pub caller: &'a Caller,
    pub params: Params<'a>,
}

impl Ctx<'_> {
    /// A failure with this endpoint's documented meaning as errmsg (or WeChat's common wording).
    pub fn fail(&self, code: i64) -> WxError {
        fail(self.endpoint, code)
    }

    /// The account the call acts for (the platform, on component rows); empty on the token endpoints.
    pub fn appid(&self) -> String {
        match self.caller {
            Caller::Account { appid, .. } => appid.clone(),
            Caller::Component { appid } => appid.clone(),
            Caller::Anonymous => String::new(),
        }
    }

    /// The calling account's data.
    pub fn app(&mut self) -> &mut AppData {
        let appid = self.appid();
        self.state.app_mut(&appid)
    }

    pub fn unix_now(&self) -> i64 {
        self.state.clock.unix()
    }

    /// 40003 unless `openid` is a user of the calling account.
    pub fn require_openid(&mut self, openid: &str) -> Result<(), WxError> {
        if self.app().openids.iter().any(|o| o == openid) {
            Ok(())
        } else {
            Err(self.fail(40003))
        }
    }

    /// An optional `appid` field that must name the calling account itself (40013 otherwise).
    pub fn require_own_appid(&self, key: &str) -> Result<String, WxError> {
        let own = self.appid();
        match self.params.opt_str(key) {
            Some(given) if given != own => Err(self.fail(40013)),
            _ => Ok(own),
        }
    }
}

/// A failure worded as WeChat words it: this row's documented meaning, else the common wording, else the
/// meaning another row documents for the code, else the few logistics codes WeChat's pages list elsewhere.
pub fn fail(endpoint: &Endpoint, code: i64) -> WxError {
    let message = endpoint
        .error_meaning(code)
        .or_else(|| common_errmsg(code))
        .or_else(|| catalogue().all().iter().find_map(|e| e.error_meaning(code)))
        .or_else(|| UNTABLED_ERRMSGS.iter().find(|(c, _)| *c == code).map(|(_, m)| *m))
        .unwrap_or("error");
    WxError::new(code, message)
}

/// Codes from WeChat's logistics pages that no row of our table lists.
const UNTABLED_ERRMSGS: &[(i64, &str)] = &[
    (930563, "order not exist"),
    (9300506, "waybill already has a trace, cannot cancel"),
    (9300524, "cancel order failed, the order is already cancelled"),
];

pub type Handler = fn(&mut Ctx<'_>) -> Reply;

/// One table row's behaviour.
pub struct Route {
    pub name: &'static str,
    pub run: Handler,
    pub shape: SuccessShape,
    /// Whether the pipeline checks the fields against the table (47001); `auth.getAccessToken`'s table rows
    /// describe query-string literals, so it checks its own.
    pub table_check: bool,
}

impl Route {
    pub const fn new(name: &'static str, run: Handler) -> Route {
        Route { name, run, shape: SuccessShape::WithErrcode, table_check: true }
    }

    /// Answers a success without `errcode`/`errmsg`, as WeChat's token and code endpoints do.
    pub const fn bare(self) -> Route {
        Route { shape: SuccessShape::Bare, ..self }
    }

    pub const fn own_checks(self) -> Route {
        Route { table_check: false, ..self }
    }
}

const FAMILIES: &[&[Route]] = &[
    auth::ROUTES,
    component::ROUTES,
    logistics_accounts::ROUTES,
    logistics_orders::ROUTES,
    logistics_printers::ROUTES,
    logistics_msg::ROUTES,
    logistics_delivery::ROUTES,
    open_platform::ROUTES,
    links::ROUTES,
    quota::ROUTES,
];

pub fn all_routes() -> impl Iterator<Item = &'static Route> {
    FAMILIES.iter().flat_map(|family| family.iter())
}

pub fn route_for(name: &str) -> Option<&'static Route> {
    all_routes().find(|r| r.name == name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_table_row_has_exactly_one_handler_and_every_handler_a_row() {
        for e in catalogue().all() {
            let n = all_routes().filter(|r| r.name == e.name).count();
            assert_eq!(n, 1, "{} needs exactly one emulator handler, has {n}", e.name);
        }
        for r in all_routes() {
            assert!(catalogue().get(r.name).is_some(), "handler {} has no row in api/endpoints.json", r.name);
        }
    }

    #[test]
    fn params_read_numbers_and_numeric_strings() {
        let v = serde_json::json!({"a": 1, "b": "2", "c": 1.5, "d": "x", "e": true});
        let p = Params(&v);
        assert_eq!((p.int("a"), p.int("b"), p.int("c"), p.int("d")), (Some(1), Some(2), Some(1), None));
        assert_eq!(p.bool("e"), Some(true));
        assert_eq!(p.str("missing"), "");
    }
}
