//! The platform's control actions: tickets, authorizations made and withdrawn, refresh tokens rotated behind
//! its back. `authorize`, `unauthorize` and `pushTicket` also deliver pushes when awaited (`deliver`).

use super::pushes;
use super::records::{self, Platforms};
use crate::kit::action::{needs_async, parse, Action};
use crate::kit::state::{lock, Shared, State};
use futures::future::{BoxFuture, FutureExt};
use serde::Deserialize;
use serde_json::Value;

pub const ACTIONS: &[Action] = &[
    Action::new("setTicket", "{componentAppid, ticket?}", "Sets the platform's component_verify_ticket as if WeChat pushed it (a fresh one when ticket is omitted). Returns {ticket, expiresIn}.", set_ticket)
        .js("componentAppid: string, ticket?: string", "{ ticket: string; expiresIn: number }"),
    Action::new("authorize", "{componentAppid, authorizerAppid, permissionSets: [number]}", "The account authorizes the platform for these permission sets; an `authorized` (or `updateauthorized`) push carries the code to the platform's push URL when one is known. Returns {authorizationCode, expiresIn} for component.queryAuth.", authorize)
        .js("args: { componentAppid: string; authorizerAppid: string; permissionSets: number[] }", "{ authorizationCode: string; expiresIn: number; delivery?: PushDelivery }")
        .deliver(authorize_and_push),
    Action::new("unauthorize", "{componentAppid, authorizerAppid}", "The account withdraws its authorization: its refresh and authorizer tokens stop working; an `unauthorized` push goes to the platform's push URL when one is known. Returns {removed}.", unauthorize)
        .js("args: { componentAppid: string; authorizerAppid: string }", "{ removed: boolean; delivery?: PushDelivery }")
        .deliver(unauthorize_and_push),
    Action::new("pushTicket", "{url, componentAppid?}", "WeChat's ticket push: a fresh component_verify_ticket (the only one api_component_token accepts from now on) is encrypted and POSTed to url, which becomes the platform's push URL (authorize, unauthorize and api_start_push_ticket then push there too). JS and HTTP only. Returns {ticket, expiresIn, delivery: {status, answer}}.", needs_async)
        .js("url: string, componentAppid?: string", "{ ticket: string; expiresIn: number; delivery: PushDelivery }")
        .deliver(push_ticket),
    Action::new("rotateRefreshToken", "{componentAppid, authorizerAppid}", "WeChat replaces the authorizer's refresh token behind the platform's back (as when another instance refreshed it): the stored one answers 61023, api_get_authorizer_list has the new one. Returns {rotated}.", rotate_refresh_token)
        .js("args: { componentAppid: string; authorizerAppid: string }", "{ rotated: true }"),
];

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
    records::set_ticket(state, &args.component_appid, args.ticket)
}

fn authorize(state: &mut State, args: Value) -> Result<Value, String> {
    let args: AuthorizationArgs = parse(args)?;
    records::authorize(state, &args.component_appid, &args.authorizer_appid, args.permission_sets)
}

fn unauthorize(state: &mut State, args: Value) -> Result<Value, String> {
    let args: AuthorizationArgs = parse(args)?;
    records::unauthorize(state, &args.component_appid, &args.authorizer_appid)
}

fn rotate_refresh_token(state: &mut State, args: Value) -> Result<Value, String> {
    let args: AuthorizationArgs = parse(args)?;
    records::rotate_refresh_token(state, &args.component_appid, &args.authorizer_appid)
}

/// An action's result and the push to deliver, prepared under the lock.
pub(super) type Ready = Result<(Value, Option<pushes::Prepared>), String>;

/// Prepares the result and its push under the lock, then delivers the push without it and adds how the
/// receiver answered as `delivery`.
pub(super) fn prepare_then_deliver(shared: Shared, prepare: impl FnOnce(&mut State) -> Ready) -> BoxFuture<'static, Result<Value, String>> {
    let ready = prepare(&mut lock(&shared));
    async move {
        let (mut result, push) = ready?;
        if let Some(push) = push {
            result["delivery"] = pushes::deliver(push).await?;
        }
        Ok(result)
    }
    .boxed()
}

fn authorize_and_push(shared: Shared, args: Value) -> BoxFuture<'static, Result<Value, String>> {
    prepare_then_deliver(shared, move |state| {
        let parsed: AuthorizationArgs = parse(args.clone())?;
        let platform = state.record::<Platforms>().0.get(&parsed.component_appid);
        let update = platform.is_some_and(|p| p.has_authorized(&parsed.authorizer_appid));
        let result = authorize(state, args)?;
        let push = pushes::authorized_event(state, &parsed.component_appid, &parsed.authorizer_appid, update, &result)?;
        Ok((result, push))
    })
}

fn unauthorize_and_push(shared: Shared, args: Value) -> BoxFuture<'static, Result<Value, String>> {
    prepare_then_deliver(shared, move |state| {
        let parsed: AuthorizationArgs = parse(args.clone())?;
        let result = unauthorize(state, args)?;
        let push = pushes::unauthorized_event(state, &parsed.component_appid, &parsed.authorizer_appid)?;
        Ok((result, push))
    })
}

fn push_ticket(shared: Shared, args: Value) -> BoxFuture<'static, Result<Value, String>> {
    #[derive(Deserialize)]
    #[serde(rename_all = "camelCase", deny_unknown_fields)]
    struct Args {
        url: String,
        component_appid: Option<String>,
    }
    prepare_then_deliver(shared, move |state| {
        let args: Args = parse(args)?;
        let appid = pushes::component_of(state, args.component_appid)?;
        let (result, push) = pushes::prepare_ticket(state, &appid, &args.url)?;
        Ok((result, Some(push)))
    })
}
