//! What a handler is given: who calls (as the token says), the state, the row and the request's fields.

use super::failure::fail;
use super::params::Params;
use super::state::{AppData, State};
use super::upload::Uploaded;
use super::push::Asking;
use crate::wire::{Reply, WxError};
use serde_json::{Map, Value};
use wechat_protocol::catalogue::Endpoint;

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

pub struct Ctx<'a> {
    pub state: &'a mut State,
    pub endpoint: &'static Endpoint,
    pub caller: &'a Caller,
    pub params: Params<'a>,
    /// An upload row's file, when the form had one (its size and kind already checked against the row).
    pub upload: Option<&'a Uploaded>,
    /// Set by a route that answers only once a receiver's passive reply is in (a courier's `add_waybill`).
    pub awaiting: Option<Awaiting>,
}

/// How a route finishes once its push's reply is in (or why there is none), under the lock again.
pub type Finish = Box<dyn FnOnce(&mut State, Result<Map<String, Value>, String>) -> Reply + Send>;

/// A route's push in flight and how it answers its caller: the server sends the push without the lock and
/// hands the reply to `finish`.
pub struct Awaiting {
    pub asking: Asking,
    pub finish: Finish,
}

impl Awaiting {
    pub async fn settle(self, shared: &super::state::Shared) -> Reply {
        let answer = self.asking.answer().await;
        (self.finish)(&mut super::state::lock(shared), answer)
    }
}

impl Ctx<'_> {
    /// Answers the caller once `asking`'s reply is in: `finish` decides then.
    pub fn await_reply(&mut self, asking: Asking, finish: Finish) -> Reply {
        self.awaiting = Some(Awaiting { asking, finish });
        Ok(Map::new())
    }

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

    /// A family's records of the calling account.
    pub fn app_record<T: std::any::Any + Send + Default>(&mut self) -> &mut T {
        self.app().record::<T>()
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
