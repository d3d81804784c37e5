//! The emulator in a browser: the console at `/__emulator/ui` (a page and a small script that read and steer
//! the emulator through the control API, as tests do) and WeChat's authorization page (`authorize`).
//! Everything is embedded in the crate: no front-end toolchain, works offline.

mod authorize;

use crate::guard::{page_headers, Guard};
use crate::kit::state::Shared;
use axum::extract::{Path, RawQuery};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use std::sync::Arc;

const PAGE: &str = include_str!("page.html");
const SCRIPT: &str = include_str!("console.js");
const STYLE: &str = include_str!("console.css");

/// Where the console is served; `?token=` follows.
pub const PATH: &str = "/__emulator/ui";

/// The console's routes and the authorization page's.
pub fn routes(shared: Shared, guard: Arc<Guard>) -> Router {
    Router::new()
        .route(PATH, get(move |headers: HeaderMap, RawQuery(query): RawQuery| page(guard.clone(), headers, query)))
        .route("/__emulator/ui/{file}", get(|Path(file): Path<String>| async move { asset(&file) }))
        .merge(authorize::routes(shared))
}

/// The console page, for a loopback Host and the token of this start (the URL the emulator printed).
async fn page(guard: Arc<Guard>, headers: HeaderMap, query: Option<String>) -> Response {
    let query = query.unwrap_or_default();
    let token = url::form_urlencoded::parse(query.as_bytes()).find(|(k, _)| k == "token").map(|(_, v)| v.into_owned());
    let token = token.as_deref();
    // Opened from the address bar, a page carries no Origin: it is a browser's request all the same.
    let mut asked = headers;
    if !asked.contains_key("sec-fetch-site") {
        asked.insert("sec-fetch-site", HeaderValue::from_static("none"));
    }
    let refusal = guard.refuse_browser(&asked, token);
    match refusal {
        Some((status, message)) => (status, page_headers(), message).into_response(),
        None => (StatusCode::OK, page_headers(), [(header::CONTENT_TYPE, "text/html; charset=utf-8")], PAGE).into_response(),
    }
}

/// The page's script and style (static, no token needed: they hold nothing secret).
fn asset(file: &str) -> Response {
    let (content_type, body) = match file {
        "console.js" => ("text/javascript; charset=utf-8", SCRIPT),
        "console.css" => ("text/css; charset=utf-8", STYLE),
        _ => return (StatusCode::NOT_FOUND, "no such file").into_response(),
    };
    ([(header::CONTENT_TYPE, content_type), (header::CACHE_CONTROL, "no-cache")], body).into_response()
}
