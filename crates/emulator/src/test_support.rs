//! Test helpers: an emulator on port 0 and a small HTTP client that speaks to it the way a WeChat client does.

use super::{start, Emulator, EmulatorConfig, DEMO_APPID, DEMO_SECRET};
use wechat_protocol::catalogue::{catalogue, HttpVerb};
use serde_json::{json, Value};
use std::collections::HashMap;

pub const APP: &str = DEMO_APPID;
pub const SECRET: &str = DEMO_SECRET;

pub struct TestEmulator {
    pub emu: Emulator,
    http: reqwest::Client,
    secrets: HashMap<String, String>,
}

impl TestEmulator {
    pub async fn start(config: Value) -> TestEmulator {
        let mut secrets = HashMap::from([(APP.to_owned(), SECRET.to_owned())]);
        for app in config["apps"].as_array().into_iter().flatten() {
            secrets.insert(app["appid"].as_str().unwrap().into(), app["secret"].as_str().unwrap().into());
        }
        let config = EmulatorConfig::from_json(&config.to_string()).unwrap();
        let emu = start(config).await.unwrap();
        TestEmulator { emu, http: reqwest::Client::new(), secrets }
    }

    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.emu.url())
    }

    async fn read(response: reqwest::Response) -> Value {
        let text = response.text().await.unwrap();
        serde_json::from_str(&text).unwrap_or_else(|e| panic!("not JSON ({e}): {text}"))
    }

    pub async fn raw_get(&self, path: &str) -> Value {
        Self::read(self.http.get(self.url(path)).send().await.unwrap()).await
    }

    pub async fn raw_post_bytes(&self, path: &str, body: impl Into<reqwest::Body>) -> Value {
        Self::read(self.http.post(self.url(path)).header("content-type", "application/json").body(body).send().await.unwrap()).await
    }

    pub async fn raw_post(&self, path: &str, body: Value) -> Value {
        self.raw_post_bytes(path, body.to_string()).await
    }

    pub async fn classic_token(&self, appid: &str) -> String {
        let secret = &self.secrets[appid];
        let v = self.raw_get(&format!("/cgi-bin/token?grant_type=client_credential&appid={appid}&secret={secret}")).await;
        v["access_token"].as_str().unwrap_or_else(|| panic!("no token: {v}")).to_owned()
    }

    pub async fn stable_token(&self, appid: &str, force_refresh: bool) -> String {
        let body = json!({"grant_type": "client_credential", "appid": appid, "secret": self.secrets[appid], "force_refresh": force_refresh});
        let v = self.raw_post("/cgi-bin/stable_token", body).await;
        v["access_token"].as_str().unwrap_or_else(|| panic!("no token: {v}")).to_owned()
    }

    /// Calls a table row by name with `token` in the query string (`component_access_token` for component rows).
    pub async fn call(&self, name: &str, token: &str, body: Value) -> Value {
        let e = catalogue().get(name).unwrap_or_else(|| panic!("no row {name}"));
        let key = if e.token == wechat_protocol::catalogue::TokenKind::Component { "component_access_token" } else { "access_token" };
        let join = if e.path.contains('?') { '&' } else { '?' };
        match e.http {
            HttpVerb::Get => self.raw_get(&format!("{}{join}{key}={token}", e.path)).await,
            HttpVerb::Post => self.raw_post(&format!("{}{join}{key}={token}", e.path), body).await,
        }
    }

    /// POSTs a row and returns the answer's content type and bytes (image rows answer PNG, not JSON).
    pub async fn call_bytes(&self, name: &str, token: &str, body: Value) -> (String, Vec<u8>) {
        let e = catalogue().get(name).unwrap_or_else(|| panic!("no row {name}"));
        let res = self.http.post(self.url(&format!("{}?access_token={token}", e.path))).body(body.to_string()).send().await.unwrap();
        let content_type = res.headers().get("content-type").and_then(|v| v.to_str().ok()).unwrap_or_default().to_owned();
        (content_type, res.bytes().await.unwrap().to_vec())
    }

    /// POSTs an upload row as multipart/form-data: one file part `field` (when `file` is given: file name,
    /// content type, bytes), `query` added to the token's query string.
    pub async fn upload(&self, name: &str, token: &str, query: &str, file: Option<(&str, &str, &str, &[u8])>) -> Value {
        let e = catalogue().get(name).unwrap_or_else(|| panic!("no row {name}"));
        let url = self.url(&format!("{}?access_token={token}{query}", e.path));
        let request = match file {
            Some((field, filename, content_type, bytes)) => {
                let (label, body) = multipart_body(field, filename, content_type, bytes);
                self.http.post(url).header("content-type", label).body(body)
            }
            None => self.http.post(url),
        };
        Self::read(request.send().await.unwrap()).await
    }

    pub async fn get_with(&self, name: &str, token: &str) -> Value {
        self.call(name, token, json!({})).await
    }

    /// Calls as the demo app with a stable token.
    pub async fn app_call(&self, name: &str, body: Value) -> Value {
        let token = self.stable_token(APP, false).await;
        self.call(name, &token, body).await
    }

    /// `POST /__emulator/<action>` and the result, asserting `ok: true`.
    pub async fn control(&self, action: &str, args: Value) -> Value {
        let v = self.raw_post(&format!("/__emulator/{action}"), args).await;
        assert_eq!(v["ok"], true, "{action} failed: {v}");
        v["result"].clone()
    }

    pub async fn openids(&self, appid: &str) -> Vec<String> {
        let v = self.control("openids", json!({"appid": appid})).await;
        serde_json::from_value(v["openids"].clone()).unwrap()
    }
}

/// `errcode` of an answer.
/// A multipart/form-data body with one file part, written by hand (independent of the client's encoder): its
/// Content-Type label and bytes.
pub fn multipart_body(field: &str, filename: &str, content_type: &str, bytes: &[u8]) -> (String, Vec<u8>) {
    let boundary = "emulator-test-boundary-7d1f";
    let mut body = format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{field}\"; filename=\"{filename}\"\r\nContent-Type: {content_type}\r\n\r\n").into_bytes();
    body.extend_from_slice(bytes);
    body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

/// A small real PNG (1 x 1, grey) followed by `salt`, so tests can make distinct images.
pub fn png(salt: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    {
        let mut encoder = png::Encoder::new(&mut out, 1, 1);
        encoder.set_color(png::ColorType::Grayscale);
        encoder.write_header().unwrap().write_image_data(&[128]).unwrap();
    }
    out.extend_from_slice(salt);
    out
}

pub fn code(v: &Value) -> i64 {
    v["errcode"].as_i64().unwrap_or_else(|| panic!("no errcode in {v}"))
}
