//! The HTTP face: one route per row of the endpoint table (its own path; the verb is checked by the
//! pipeline so a wrong one answers WeChat's 43001/43002 instead of a bare 405), plus the control API at
//! `POST /__emulator/<action>`.
//!
//! The control API can reset and rewrite the emulator, so it answers only what a test or the console on this
//! machine sends (`guard`). The console and WeChat's authorization page are served by `console`. WeChat's
//! routes stay open as WeChat's are.
//!
//! `serve` accepts connections itself: at most `maxConnections` at once (the rest wait to be accepted), each
//! given `headerTimeoutMs` to send a request's headers (slow-loris sockets are closed).

use crate::console;
use crate::control;
use crate::families::route_for;
use crate::guard::Guard;
use crate::kit::context::Caller;
use crate::kit::state::{lock, Shared};
use crate::kit::upload::{read_form, Form};
use crate::pipeline::{self, Incoming, Row};
use crate::stages::counters::count_request;
use crate::stages::faults::answers as fault_answers;
use crate::stages::faults::queue::Faults;
use crate::stages::faults::rates::{Drawn, FaultRates};
use crate::stages::journal::{Answered, Journal};
use crate::wire::{answer_body, image_of, SuccessShape, WxError};
use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, Path, RawQuery};
use axum::http::{header, HeaderMap, Method, StatusCode};
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
pub fn router(shared: Shared, guard: Arc<Guard>) -> Result<Router, String> {
    let mut router = Router::new();
    // Rows that share a path and differ by the query they fix (`?action=create` / `?action=search`) are one route.
    let mut by_path: Vec<(&str, Vec<Arc<Row>>)> = Vec::new();
    for endpoint in catalogue().all() {
        let route = route_for(&endpoint.name).ok_or_else(|| format!("emulator: no handler for {}", endpoint.name))?;
        let row = Arc::new(Row::new(endpoint, route));
        match by_path.iter_mut().find(|(path, _)| *path == endpoint.bare_path()) {
            Some((_, rows)) => rows.push(row),
            None => by_path.push((endpoint.bare_path(), vec![row])),
        }
    }
    for (path, rows) in by_path {
        let (shared, rows) = (shared.clone(), Arc::new(rows));
        router = router.route(
            path,
            any(move |method: Method, RawQuery(query): RawQuery, headers: HeaderMap, body: Bytes| {
                let (shared, rows) = (shared.clone(), rows.clone());
                async move {
                    match row_for(&rows, query.as_deref()) {
                        Some(row) => serve_endpoint(shared, row, method, query, headers, body).await,
                        None => unknown_path().await,
                    }
                }
            }),
        );
    }
    let (control_state, control_guard) = (shared.clone(), guard.clone());
    let qrcode_state = shared.clone();
    router = router.route(
        "/__emulator/{action}",
        post(move |Path(action): Path<String>, headers: HeaderMap, body: Bytes| {
            let (shared, guard) = (control_state.clone(), control_guard.clone());
            async move {
                match guard.refuse_control(&headers, &body) {
                    Some((status, error)) => json_response(status, &json!({"ok": false, "error": error})),
                    None => serve_control(shared, action, body).await,
                }
            }
        }),
    );
    router = router.route("/cgi-bin/showqrcode", any(move |RawQuery(query): RawQuery| show_qrcode(qrcode_state.clone(), query)));
    router = router.merge(console::routes(shared, guard));
    Ok(router.fallback(unknown_path).layer(DefaultBodyLimit::max(MAX_BODY)))
}

/// mp.weixin.qq.com's `showqrcode?ticket=`: the image of a parametric QR code (no token, as at WeChat); this
/// server is the mp host too (`mpBase`). An unknown or expired ticket is a 404, as WeChat's error page.
async fn show_qrcode(shared: Shared, query: Option<String>) -> Response {
    let ticket = url::form_urlencoded::parse(query.unwrap_or_default().as_bytes()).find(|(k, _)| k == "ticket").map(|(_, v)| v.into_owned());
    let image = ticket.and_then(|t| crate::families::official::qrcodes::image(&lock(&shared), &t));
    match image {
        Some(png) => (StatusCode::OK, [(header::CONTENT_TYPE, "image/png")], png).into_response(),
        None => (StatusCode::NOT_FOUND, "no QR code has this ticket (expired, or never created)").into_response(),
    }
}

/// The row whose fixed query (`action=create`) the request carries; a row that fixes none takes any query.
fn row_for(rows: &[Arc<Row>], query: Option<&str>) -> Option<Arc<Row>> {
    if let [row] = rows {
        if !row.endpoint.path.contains('?') {
            return Some(row.clone());
        }
    }
    let pairs: Vec<(String, String)> = url::form_urlencoded::parse(query.unwrap_or_default().as_bytes()).into_owned().collect();
    rows.iter().find(|row| row.endpoint.fixed_query().iter().all(|fixed| pairs.contains(fixed))).cloned()
}

async fn serve_endpoint(shared: Shared, row: Arc<Row>, method: Method, query: Option<String>, headers: HeaderMap, body: Bytes) -> Response {
    let started = std::time::Instant::now();
    let endpoint = row.endpoint;
    let query: Vec<(String, String)> = url::form_urlencoded::parse(query.unwrap_or_default().as_bytes()).into_owned().collect();
    let (fault, drawn, rate_delay) = {
        let mut state = lock(&shared);
        count_request(&mut state, &endpoint.name);
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
    let verb = if method == Method::GET || method == Method::HEAD { HttpVerb::Get } else { HttpVerb::Post };
    // An upload row's body is read here, where waiting is allowed, not under the state's lock.
    let form = match endpoint.upload {
        Some(_) => read_form(headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()), body.clone()).await,
        None => Form::Absent,
    };
    let request = Incoming { verb, query: &query, body: &body, form: &form };
    if drawn == Some(Drawn::Http500) {
        Journaled { shared: &shared, row: &row, request: &request, caller: None, started }.record(500, Err("an injected error page"));
        return fault_answers::error_page(StatusCode::INTERNAL_SERVER_ERROR);
    }
    let (reply, caller, awaiting) = pipeline::handle(&mut lock(&shared), &row, &request, fault.as_ref());
    let reply = match awaiting {
        Some(awaiting) => awaiting.settle(&shared).await,
        None => reply,
    };
    if let Err(e) = &reply {
        tracing::debug!(api = %endpoint.name, errcode = e.code, "emulator answered a failure");
    }
    let journaled = Journaled { shared: &shared, row: &row, request: &request, caller, started };
    if let (SuccessShape::Image, Ok(data)) = (row.route.shape, &reply) {
        if let Some((content_type, bytes)) = image_of(data) {
            journaled.record(200, Err("image"));
            return (StatusCode::OK, [(header::CONTENT_TYPE, content_type)], bytes).into_response();
        }
    }
    let answer = answer_body(reply, row.route.shape);
    match drawn.and_then(|d| fault_answers::spoil(d, answer.to_string())) {
        Some(spoiled) => {
            journaled.record(spoiled.status().as_u16(), Err("an injected broken answer"));
            spoiled
        }
        None => {
            journaled.record(200, Ok(&answer));
            json_response(StatusCode::OK, &answer)
        }
    }
}

/// What the journal needs of a request the server answered.
struct Journaled<'a> {
    shared: &'a Shared,
    row: &'a Row,
    request: &'a Incoming<'a>,
    caller: Option<Caller>,
    started: std::time::Instant,
}

impl Journaled<'_> {
    fn record(self, status: u16, answer: Result<&Value, &'static str>) {
        let (appid, component_appid) = match self.caller {
            Some(Caller::Account { appid, via_component }) => (Some(appid), via_component),
            Some(Caller::Component { appid }) => (None, Some(appid)),
            Some(Caller::Anonymous) | None => (None, None),
        };
        let endpoint = self.row.endpoint;
        let answered = Answered {
            api: &endpoint.name,
            method: if self.request.verb == HttpVerb::Get { "GET" } else { "POST" },
            path: &endpoint.path,
            query: self.request.query,
            request_body: self.request.body,
            status,
            answer,
            ms: self.started.elapsed().as_secs_f64() * 1000.0,
            appid,
            component_appid,
        };
        let at = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_millis() as i64);
        let mut state = lock(self.shared);
        let clock = state.clock.unix();
        state.record::<Journal>().record(answered, at, clock);
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

/// Serves `router` on `listener` until `stopped`: at most `max_connections` at once (more wait in the listen
/// backlog until one closes, as a busy server makes them wait), each allowed `header_timeout` to send a
/// request's headers. On stop, connections finish their request in flight and close.
pub async fn serve(listener: tokio::net::TcpListener, router: Router, header_timeout: Duration, max_connections: usize, stopped: tokio::sync::oneshot::Receiver<()>) {
    use hyper_util::rt::{TokioIo, TokioTimer};
    use hyper_util::service::TowerToHyperService;
    let permits = Arc::new(tokio::sync::Semaphore::new(max_connections));
    let (closing, closing_seen) = tokio::sync::watch::channel(false);
    let mut connections = tokio::task::JoinSet::new();
    tokio::pin!(stopped);
    loop {
        let permit = tokio::select! {
            _ = &mut stopped => break,
            Some(_) = connections.join_next(), if !connections.is_empty() => continue,
            permit = permits.clone().acquire_owned() => permit.expect("the semaphore is never closed"),
        };
        let stream = tokio::select! {
            _ = &mut stopped => break,
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => stream,
                Err(e) => {
                    // Out of file descriptors and the like: wait a little rather than spin.
                    tracing::debug!("emulator: accept failed: {e}");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
        };
        let _ = stream.set_nodelay(true);
        let service = TowerToHyperService::new(router.clone());
        let mut closing_seen = closing_seen.clone();
        connections.spawn(async move {
            let _permit = permit;
            let mut builder = hyper::server::conn::http1::Builder::new();
            builder.timer(TokioTimer::new()).header_read_timeout(header_timeout);
            let connection = builder.serve_connection(TokioIo::new(stream), service);
            tokio::pin!(connection);
            tokio::select! {
                _ = connection.as_mut() => {}
                _ = closing_seen.changed() => {
                    connection.as_mut().graceful_shutdown();
                    let _ = connection.await;
                }
            }
        });
    }
    let _ = closing.send(true);
    while connections.join_next().await.is_some() {}
}

/// WeChat answers paths it does not serve with a JSON error too.
async fn unknown_path() -> Response {
    let body = answer_body(Err(WxError::new(-1, "invalid url, no such api")), SuccessShape::WithErrcode);
    json_response(StatusCode::NOT_FOUND, &body)
}

pub(crate) fn json_response(status: StatusCode, body: &Value) -> Response {
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
