//! The token check of every request: the token its row's kind asks for (none for the token rows themselves),
//! found live in the token store, of the right kind (a platform's or an account's, an authorizer's where the
//! row needs one), and for an authorizer within the permission sets the account granted.

use super::token_store::{Grant, TokenStore};
use crate::kit::context::Caller;
use crate::kit::failure::fail;
use crate::kit::params::query_value;
use crate::kit::state::State;
use crate::wire::WxError;
use wechat_protocol::catalogue::{Endpoint, TokenKind};

/// Who the request's token says is calling, or WeChat's refusal (41001 none, 40001 unknown or of the wrong
/// kind, 42001 expired, 933004 an account's own token on an authorizer row, 61007 a permission set not granted).
/// `permission_sets` are the sets that allow the row (none: any).
pub fn authenticate(state: &mut State, endpoint: &Endpoint, permission_sets: &[u32], query: &[(String, String)]) -> Result<Caller, WxError> {
    let now = state.clock.now();
    let token = match endpoint.token {
        TokenKind::None => return Ok(Caller::Anonymous),
        // WeChat's pages name it either way for component calls.
        TokenKind::Component => query_value(query, "component_access_token").or_else(|| query_value(query, "access_token")),
        TokenKind::App | TokenKind::Authorizer => query_value(query, "access_token"),
    };
    let token = token.ok_or_else(|| WxError::common(41001))?;
    let grant = state.record::<TokenStore>().resolve(token, now).map_err(|r| WxError::common(r.errcode()))?;
    match (endpoint.token, grant) {
        (TokenKind::Component, Grant::Component { component_appid }) => Ok(Caller::Component { appid: component_appid.clone() }),
        (TokenKind::Component, _) | (_, Grant::Component { .. }) => Err(WxError::common(40001)),
        (TokenKind::Authorizer, Grant::Classic { .. } | Grant::Stable { .. }) => Err(fail(endpoint, 933004)),
        (_, Grant::Classic { appid } | Grant::Stable { appid }) => Ok(Caller::Account { appid: appid.clone(), via_component: None }),
        (_, Grant::Authorizer { appid, component_appid, permission_sets: granted }) => {
            if !permission_sets.is_empty() && !permission_sets.iter().any(|id| granted.contains(id)) {
                return Err(WxError::common(61007));
            }
            Ok(Caller::Account { appid: appid.clone(), via_component: Some(component_appid.clone()) })
        }
    }
}
