//! A tiny scripted WeChat for the component tests: just the `component/*` token endpoints, over real HTTP,
//! so the sources are tested through the same transport they use in production.

use axum::extract::State;
use axum::http::Uri;
use axum::Json;
use serde_json::{json, Value};
use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

#[derive(Default)]
pub struct Fake {
    /// The one ticket api_component_token accepts.
    pub ticket: Option<String>,
    pub component_token: Option<String>,
    /// Current refresh token per authorizer, as WeChat knows it.
    pub refresh: BTreeMap<String, String>,
    /// Hand out a new refresh token on every api_authorizer_token.
    pub rotate: bool,
    /// Requests received per path (last segment).
    pub hits: BTreeMap<String, u32>,
    serial: u32,
}

pub type Shared = Arc<Mutex<Fake>>;

fn error(code: i64, msg: &str) -> Json<Value> {
    Json(json!({ "errcode": code, "errmsg": msg }))
}

async fn handle(State(fake): State<Shared>, uri: Uri, body: String) -> Json<Value> {
    let mut f = fake.lock().unwrap();
    let name = uri.path().rsplit('/').next().unwrap_or("").to_owned();
    *f.hits.entry(name.clone()).or_default() += 1;
    f.serial += 1;
    let n = f.serial;
    let body: Value = serde_json::from_str(&body).unwrap_or(Value::Null);
    let token_ok = uri.query().unwrap_or("").split('&').any(|p| Some(p) == f.component_token.as_ref().map(|t| format!("component_access_token={t}")).as_deref());
    if name != "api_component_token" && !token_ok {
        return error(40001, "invalid credential, access_token is invalid or not latest rid: 1-2-3");
    }
    match name.as_str() {
        "api_component_token" => {
            if f.ticket.is_none() || body["component_verify_ticket"].as_str() != f.ticket.as_deref() {
                return error(61006, "component ticket is invalid");
            }
            let token = format!("ctoken-{n}");
            f.component_token = Some(token.clone());
            Json(json!({ "component_access_token": token, "expires_in": 7200 }))
        }
        "api_create_preauthcode" => Json(json!({ "pre_auth_code": format!("preauth-{n}"), "expires_in": 600 })),
        "api_query_auth" if body["authorization_code"] == "code-wxa" => {
            let refresh = format!("refresh-{n}");
            f.refresh.insert("wxa".into(), refresh.clone());
            Json(json!({ "authorization_info": {
                "authorizer_appid": "wxa", "authorizer_access_token": format!("atoken-{n}"), "expires_in": 7200,
                "authorizer_refresh_token": refresh, "func_info": [{ "funcscope_category": { "id": 45 } }] } }))
        }
        "api_query_auth" => error(61010, "code is expired"),
        "api_authorizer_token" => {
            let appid = body["authorizer_appid"].as_str().unwrap_or("").to_owned();
            if f.refresh.get(&appid).map(String::as_str) != body["authorizer_refresh_token"].as_str() {
                return error(61023, "refresh_token is invalid");
            }
            let mut answer = json!({ "authorizer_access_token": format!("atoken-{n}"), "expires_in": 7200 });
            let refresh = if f.rotate { format!("refresh-{n}") } else { f.refresh[&appid].clone() };
            f.refresh.insert(appid, refresh.clone());
            answer["authorizer_refresh_token"] = json!(refresh);
            Json(answer)
        }
        "api_get_authorizer_list" => {
            let list: Vec<Value> = f.refresh.iter().map(|(a, r)| json!({ "authorizer_appid": a, "refresh_token": r, "auth_time": 1 })).collect();
            let offset = body["offset"].as_u64().unwrap_or(0) as usize;
            Json(json!({ "total_count": list.len(), "list": list.into_iter().skip(offset).take(1).collect::<Vec<_>>() }))
        }
        _ => error(-1, "not faked"),
    }
}

/// Starts the fake on a free loopback port; returns its state and base URL.
pub async fn start() -> (Shared, String) {
    let fake: Shared = Arc::default();
    let app = axum::Router::new().fallback(handle).with_state(fake.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (fake, url)
}
