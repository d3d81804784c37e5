//! One request, in WeChat's order: verb, token (kind and permission set), body, daily quota, field checks,
//! then the endpoint's handler. HTTP is the server's business; this file only decides the answer. The
//! checks every row shares are stages (`stages::`); the row's own work is its family's route.

use crate::kit::context::{Awaiting, Caller, Ctx};
use crate::kit::failure::fail;
use crate::kit::params::Params;
use crate::kit::permissions::allowed_sets;
use crate::kit::route::Route;
use crate::kit::state::State;
use crate::kit::upload::{Form, Uploaded};
use crate::stages::counters::count_execution;
use crate::stages::faults::queue::Fault;
use crate::stages::quota;
use crate::stages::token_check::authenticate;
use crate::wire::{common_errmsg, Reply, WxError};
use serde_json::{json, Map, Value};
use wechat_protocol::catalogue::check::check;
use wechat_protocol::catalogue::rules;
use wechat_protocol::catalogue::upload::{image_kind, placeholder};
use wechat_protocol::catalogue::{Endpoint, FieldType, HttpVerb, Upload};

/// A row as the server serves it: the table's endpoint, the family's route and the permission sets that allow
/// it (read once for the whole table).
pub struct Row {
    pub endpoint: &'static Endpoint,
    pub route: &'static Route,
    pub permission_sets: &'static [u32],
}

impl Row {
    pub fn new(endpoint: &'static Endpoint, route: &'static Route) -> Row {
        Row { endpoint, route, permission_sets: allowed_sets(endpoint) }
    }
}

/// A request as the pipeline sees it.
pub struct Incoming<'a> {
    pub verb: HttpVerb,
    pub query: &'a [(String, String)],
    pub body: &'a [u8],
    /// An upload row's multipart body, read by the server (Absent for every other row).
    pub form: &'a Form,
}

/// The answer, and who the token said was calling (for the journal) when it got that far.
/// The third part is set when the answer waits for a push's reply (`Ctx::await_reply`): the caller then sends
/// it without the lock and answers with what `Awaiting::settle` gives.
pub fn handle(state: &mut State, row: &Row, req: &Incoming, fault: Option<&Fault>) -> (Reply, Option<Caller>, Option<Awaiting>) {
    if req.verb != row.endpoint.http {
        return (Err(WxError::common(if row.endpoint.http == HttpVerb::Get { 43001 } else { 43002 })), None, None);
    }
    let caller = match authenticate(state, row.endpoint, row.permission_sets, req.query) {
        Ok(caller) => caller,
        Err(e) => return (Err(e), None, None),
    };
    let mut awaiting = None;
    let reply = run(state, row, req, fault, &caller, &mut awaiting);
    (reply, Some(caller), awaiting)
}

fn run(state: &mut State, row: &Row, req: &Incoming, fault: Option<&Fault>, caller: &Caller, awaiting: &mut Option<Awaiting>) -> Reply {
    let (endpoint, route) = (row.endpoint, row.route);
    let params = read_params(endpoint, req)?;
    let upload = endpoint.upload.as_ref().and_then(|u| req.form.part(&u.field));
    if let Caller::Account { appid, .. } = caller {
        quota::charge(state.app_mut(appid), endpoint)?;
    }
    if route.table_check {
        check(endpoint, &params, false).map_err(WxError::data_format)?;
        // A value rule WeChat enforces answers its own code (268485216 for a bad upload_time, …).
        rules::check(endpoint, &params, false).map_err(|v| v.errcode.map_or_else(|| WxError::data_format(&v.message), |code| fail(endpoint, code)))?;
    }
    if let (Some(file), Some(limits)) = (upload, &endpoint.upload) {
        check_file(endpoint, limits, file)?;
    }
    let injected = fault.and_then(injected_error);
    if let (Some(err), Some(f)) = (&injected, fault) {
        if !f.after_execute {
            return Err(err.clone());
        }
    }
    count_execution(state, endpoint, &params);
    let mut ctx = Ctx { state, endpoint, caller, params: Params(&params), upload, awaiting: None };
    let reply = (route.run)(&mut ctx);
    match injected {
        // An error injected after execution answers at once: a push the route wanted to wait for is not sent.
        Some(err) => Err(err),
        None => {
            *awaiting = ctx.awaiting.take();
            reply
        }
    }
}

fn injected_error(fault: &Fault) -> Option<WxError> {
    let code = fault.errcode?;
    let message = fault.errmsg.clone().or_else(|| common_errmsg(code).map(str::to_owned));
    Some(WxError::new(code, message.unwrap_or_else(|| "injected fault".into())))
}

/// WeChat's size limit (40006) and image kinds (40004) of an upload row's file.
fn check_file(endpoint: &Endpoint, limits: &Upload, file: &Uploaded) -> Result<(), WxError> {
    if file.bytes.len() as u64 > limits.max_bytes {
        return Err(fail(endpoint, 40006));
    }
    let kind = image_kind(&file.bytes);
    if !limits.kinds.is_empty() && !kind.is_some_and(|k| limits.kinds.iter().any(|allowed| allowed == k)) {
        return Err(fail(endpoint, 40004));
    }
    Ok(())
}

/// An upload row's fields: the query string's, and its file (when the form has one) as the client's checks
/// see it, `{content_type, filename, value: <placeholder>}`. Without a file, the row's alternative (a URL)
/// must be given; otherwise WeChat answers 41005.
fn read_upload_params(endpoint: &Endpoint, upload: &Upload, req: &Incoming) -> Result<Value, WxError> {
    if let Form::Broken(why) = req.form {
        return Err(WxError::data_format(format!("unreadable multipart body: {why}")));
    }
    let mut params = query_params(endpoint, req.query);
    match req.form.part(&upload.field) {
        Some(file) => {
            let mut described = json!({"content_type": file.content_type.clone().unwrap_or_else(|| "application/octet-stream".into()), "value": placeholder()});
            // A part without a file name is still a file (WeChat reads the bytes).
            if let Some(name) = &file.filename {
                described["filename"] = json!(name);
            }
            params.insert(upload.field.clone(), described);
        }
        None if upload.alternative.as_ref().is_some_and(|alt| params.contains_key(alt)) => {}
        None => return Err(WxError::common(41005)),
    }
    Ok(Value::Object(params))
}

/// The query string's fields but the token (numbers read as numbers where the table says so).
fn query_params(endpoint: &Endpoint, query: &[(String, String)]) -> Map<String, Value> {
    let mut map = Map::new();
    for (key, value) in query {
        if key == "access_token" || key == "component_access_token" {
            continue;
        }
        let numeric = endpoint.request.iter().any(|f| f.path == *key && f.ty == FieldType::Number);
        let parsed = numeric.then(|| value.parse::<i64>().ok()).flatten();
        map.insert(key.clone(), parsed.map_or_else(|| Value::from(value.as_str()), Value::from));
    }
    map
}

/// The fields of the call: the JSON body of a POST, the query string of a GET (numbers read as numbers
/// where the table says so), the query string and the file of an upload.
fn read_params(endpoint: &Endpoint, req: &Incoming) -> Result<Value, WxError> {
    if let Some(upload) = &endpoint.upload {
        return read_upload_params(endpoint, upload, req);
    }
    if endpoint.http == HttpVerb::Get {
        return Ok(Value::Object(query_params(endpoint, req.query)));
    }
    if req.body.is_empty() {
        return Err(WxError::common(44002));
    }
    let value: Value = serde_json::from_slice(req.body).map_err(|e| WxError::data_format(format!("invalid JSON: {e}")))?;
    if !value.is_object() {
        return Err(WxError::data_format("the body must be a JSON object"));
    }
    Ok(value)
}
