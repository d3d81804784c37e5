//! User login: `loginCode` mints what `wx.login` hands a mini program (once, 5 minutes on the emulator's clock);
//! `auth.code2Session` (the app's AppSecret, no token) or, for a platform's merchant, `component.code2Session` (the
//! component token) exchanges it for the openid and the user's session key. The key stays until
//! `resetUserSessionKey` rotates it; `checkSessionKey` / `resetUserSessionKey` take only its signature.
//! `userPaid` records a payment that `auth.getPaidUnionId` answers for five minutes. The `state` dump shows users,
//! pending codes and payments, never a session key.

mod actions;
mod records;
mod routes;
#[cfg(test)]
mod tests;

use crate::kit::family::Family;

pub const FAMILY: Family = Family::new("login").routes(routes::ROUTES).actions(actions::ACTIONS).describe_app(records::describe_app);
