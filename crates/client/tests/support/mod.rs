//! What the integration tests share: a recorder of events, a client with a platform identity against the
//! emulator, a scripted server for answers the emulator never gives, and a silent host.

#![allow(dead_code)] // each test file uses its own part

use axum::http::Uri;
use futures::FutureExt;
use serde_json::Value;
use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use wechat_client::client::config::ClientConfig;
use wechat_client::client::events::{CallEvent, Observer};
use wechat_client::client::{Bridges, Client};
use wechat_client::component::RefreshTokenHook;
use wechat_client::store::{MemoryStore, Store};
use wechat_emulator::{self as emulator, EmulatorConfig};

pub const COMPONENT: &str = "wxcomponent0000001";
pub const COMPONENT_SECRET: &str = "componentsecret00000000000000001";
pub const PUSH_TOKEN: &str = "component-push-token";
pub const KEY: &str = "kWxPEV2UEDyxWpmPdKC3F4dgPDmOvfKX1HGnEUDS1aA";

#[derive(Default)]
pub struct Recorder(pub Mutex<Vec<CallEvent>>);

impl Observer for Recorder {
    fn event(&self, e: &CallEvent) {
        self.0.lock().unwrap().push(e.clone());
    }
}

impl Recorder {
    /// (kind, api, attempt) of every event so far.
    pub fn seen(&self) -> Vec<(&'static str, String, u32)> {
        self.0.lock().unwrap().iter().map(|e| (e.kind.as_str(), e.api.clone(), e.attempt)).collect()
    }
}

/// A client acting as the platform against `api_base`, its store, and the refresh tokens its hook was told.
pub struct Platform {
    pub client: Client,
    pub store: Arc<MemoryStore>,
    pub rotations: Arc<Mutex<Vec<(String, String)>>>,
    pub events: Arc<Recorder>,
}

pub fn platform(api_base: &str, extra_options: &str) -> Platform {
    let config = format!(
        r#"{{"apiBase":"{api_base}"{extra_options},"component":{{"appid":"{COMPONENT}","secret":"{COMPONENT_SECRET}","token":"{PUSH_TOKEN}","encodingAesKey":"{KEY}"}}}}"#
    );
    let store = Arc::new(MemoryStore::new());
    let rotations: Arc<Mutex<Vec<(String, String)>>> = Arc::default();
    let seen = rotations.clone();
    let hook: RefreshTokenHook = Arc::new(move |r| {
        seen.lock().unwrap().push((r.authorizer_appid, r.refresh_token.expose().to_owned()));
        async {}.boxed()
    });
    let bridges = Bridges { provider: None, store: Some(store.clone() as Arc<dyn Store>), on_refresh_token: Some(hook) };
    let client = Client::with_bridges(ClientConfig::from_json(&config).unwrap(), bridges).unwrap();
    let events = Arc::new(Recorder::default());
    client.observers().set(Some(events.clone()));
    Platform { client, store, rotations, events }
}

/// The emulator with this platform configured (and the demo app).
pub async fn emulator_with_platform() -> emulator::Emulator {
    let config = format!(
        r#"{{"components":[{{"appid":"{COMPONENT}","secret":"{COMPONENT_SECRET}","token":"{PUSH_TOKEN}","encodingAesKey":"{KEY}"}}]}}"#
    );
    emulator::start(EmulatorConfig::from_json(&config).unwrap()).await.unwrap()
}

/// Requests the emulator received for one endpoint.
pub fn requests(emu: &emulator::Emulator, api: &str) -> u64 {
    let counts: Value = serde_json::from_str(&emu.control_json("requestCounts", "{}").unwrap()).unwrap();
    counts[api].as_u64().unwrap_or(0)
}

/// A server that answers each request with `answer(last path segment, JSON body)`, counting requests per
/// segment: for answers the emulator never gives (a short page, a refresh token that does not rotate).
pub struct Scripted {
    pub url: String,
    hits: Arc<Mutex<BTreeMap<String, u32>>>,
}

impl Scripted {
    pub fn hits(&self, name: &str) -> u32 {
        self.hits.lock().unwrap().get(name).copied().unwrap_or(0)
    }
}

pub async fn scripted(answer: impl Fn(&str, &Value) -> Value + Send + Sync + 'static) -> Scripted {
    let hits: Arc<Mutex<BTreeMap<String, u32>>> = Arc::default();
    let counted = hits.clone();
    let answer = Arc::new(answer);
    let app = axum::Router::new().fallback(move |uri: Uri, body: String| {
        let (counted, answer) = (counted.clone(), answer.clone());
        async move {
            let name = uri.path().rsplit('/').next().unwrap_or("").to_owned();
            *counted.lock().unwrap().entry(name.clone()).or_default() += 1;
            let body: Value = serde_json::from_str(&body).unwrap_or(Value::Null);
            axum::Json(answer(&name, &body))
        }
    });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    Scripted { url, hits }
}

/// A host that accepts connections and never answers; its URL.
pub async fn silent_host() -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move {
        let mut held = Vec::new();
        while let Ok((socket, _)) = listener.accept().await {
            held.push(socket);
        }
    });
    url
}
