//! The HTTP face: one route per row of the endpoint table (its own path; the verb is checked by the
//! pipeline so a wrong one answers WeChat's 43001/43002 instead of a bare 405), plus the control API at
//! `POST /__emulator/<action>`.

use crate::control;
use crate::families::faults::answers as fault_answers;
use crate::families::faults::queue::Faults;
use crate::families::faults::rates::{Drawn, FaultRates};
use crate::families::route_for;
use crate::kit::state::{lock, Shared};
use crate::pipeline::{self, Incoming, Row};
use crate::wire::{answer_body, image_of, SuccessShape, WxError};
use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, Path, RawQuery};
use axum::http::{header, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{any, post};
use axum::Router;
use serde_json::{json, Value};
use std::sync::Arc;
use std::time::Duration;
use wechat_protocol::catalogue::{catalogue, HttpVerb};

/// Request bodies up to 16 MiB (axum's default of 2 MiB would refuse big waybill templates with a bare 413).
const MAX_BODY: usize = 16 << 20;

/// The router, built from the catalogue: a row without a handler is an error, not a silent 404.
pub fn router(shared: Shared) -> Result<Router, String> {
    let mut router = Router::new();
    for endpoint in catalogue().all() {
        let route = route_for(&endpoint.name).ok_or_else(|| format!("emulator: no handler for {}", endpoint.name))?;
        let (shared, row) = (shared.clone(), Arc::new(Row::new(endpoint, route)));
        router = router.route(
            &endpoint.path,
            any(move |method: Method, RawQuery(query): RawQuery, body: Bytes| serve_endpoint(shared.clone(), row.clone(), method, query, body)),
        );
    }
    let control_state = shared.clone();
    router = router.route(
        "/__emulator/{action}",
        post(move |Path(action): Path<String>, body: Bytes| serve_control(control_state.clone(), action, body)),
    );
    Ok(router.fallback(unknown_path).layer(DefaultBodyLimit::max(MAX_BODY)))
}

async fn serve_endpoint(shared: Shared, row: Arc<Row>, method: Method, query: Option<String>, body: Bytes) -> Response {
    let endpoint = row.endpoint;
    let query: Vec<(String, String)> = url::form_urlencoded::parse(query.unwrap_or_default().as_bytes()).into_owned().collect();
    let (fault, drawn, rate_delay) = {
        let mut state = lock(&shared);
        *state.counters.requests.entry(endpoint.name.clone()).or_default() += 1;
        let fault = state.record::<Faults>().take(&endpoint.name);
        // A queued fault wins over the dice, so a test's injected fault is exactly what it gets.
        let drawn = if fault.is_none() { state.record::<FaultRates>().draw(&endpoint.name) } else { None };
        if drawn == Some(Drawn::RevokedToken) {
            fault_answers::revoke_callers_tokens(&mut state, &query);
        }
        (fault, drawn, state.record::<FaultRates>().delay_ms())
    };
    let fault = fault.or_else(|| drawn.and_then(|d| fault_answers::refusal(d, &endpoint.name)));
    let delay = if drawn == Some(Drawn::Delay) { rate_delay } else { fault.as_ref().map_or(0, |f| f.delay_ms) };
    if delay > 0 {
        tokio::time::sleep(Duration::from_millis(delay)).await;
    }
    if drawn == Some(Drawn::Http500) {
        return fault_answers::error_page(StatusCode::INTERNAL_SERVER_ERROR);
    }
    let verb = if method == Method::GET || method == Method::HEAD { HttpVerb::Get } else { HttpVerb::Post };
    let request = Incoming { verb, query: &query, body: &body };
    let reply = pipeline::handle(&mut lock(&shared), &row, &request, fault.as_ref());
    if let Err(e) = &reply {
        tracing::debug!(api = %endpoint.name, errcode = e.code, "emulator answered a failure");
    }
    if let (SuccessShape::Image, Ok(data)) = (row.route.shape, &reply) {
        if let Some((content_type, bytes)) = image_of(data) {
            return (StatusCode::OK, [(header::CONTENT_TYPE, content_type)], bytes).into_response();
        }
    }
    let answer = answer_body(reply, row.route.shape);
    match drawn.and_then(|d| fault_answers::spoil(d, answer.to_string())) {
        Some(spoiled) => spoiled,
        None => json_response(StatusCode::OK, &answer),
    }
}

async fn serve_control(shared: Shared, action: String, body: Bytes) -> Response {
    let args = if body.iter().all(u8::is_ascii_whitespace) {
        Ok(json!({}))
    } else {
        serde_json::from_slice::<Value>(&body).map_err(|e| format!("{action}: the body is not JSON: {e}"))
    };
    let outcome = match args {
        Ok(args) => control::run_async(&shared, &action, args).await,
        Err(e) => Err(e),
    };
    match outcome {
        Ok(result) => json_response(StatusCode::OK, &json!({"ok": true, "result": result})),
        Err(error) => json_response(StatusCode::BAD_REQUEST, &json!({"ok": false, "error": error})),
    }
}

/// WeChat answers paths it does not serve with a JSON error too.
async fn unknown_path() -> Response {
    let body = answer_body(Err(WxError::new(-1, "invalid url, no such api")), SuccessShape::WithErrcode);
    json_response(StatusCode::NOT_FOUND, &body)
}

fn json_response(status: StatusCode, body: &Value) -> Response {
    // WeChat writes UTF-8 unescaped and labels it this way.
    (status, [(header::CONTENT_TYPE, "application/json; encoding=utf-8")], body.to_string()).into_response()
}

#[cfg(test)]
mod tests {
    use crate::test_support::{code, TestEmulator, APP};
    use serde_json::json;

    #[tokio::test]
    async fn wrong_verbs_and_unknown_paths_answer_in_wechat_shape() {
        let emu = TestEmulator::start(json!({})).await;
        let token = emu.stable_token(APP, false).await;
        let get_on_post = emu.raw_get(&format!("/cgi-bin/express/business/order/get?access_token={token}")).await;
        assert_eq!(code(&get_on_post), 43002);
        assert!(get_on_post["errmsg"].as_str().unwrap().starts_with("require POST method rid: "));
        let post_on_get = emu.raw_post(&format!("/cgi-bin/express/business/account/getall?access_token={token}"), json!({})).await;
        assert_eq!(code(&post_on_get), 43001);
        assert_eq!(code(&emu.raw_get("/cgi-bin/no/such/api").await), -1);
        let counts = emu.control("requestCounts", json!({})).await;
        assert_eq!((counts["logistics.getOrder"].as_i64(), counts["logistics.getAllAccount"].as_i64()), (Some(1), Some(1)));
    }

    #[tokio::test]
    async fn every_row_is_served_at_its_path() {
        let emu = TestEmulator::start(json!({})).await;
        for e in wechat_protocol::catalogue::catalogue().all() {
            // Without a token every row answers in WeChat's shape, never a bare 404.
            let answer = match e.http {
                wechat_protocol::catalogue::HttpVerb::Get => emu.raw_get(&e.path).await,
                wechat_protocol::catalogue::HttpVerb::Post => emu.raw_post(&e.path, json!({})).await,
            };
            assert_ne!(code(&answer), -1, "{} is not served", e.name);
        }
    }
}
