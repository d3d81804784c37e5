//! Callers' params through the one preparation every call takes (`exchange::prepare`: JSON, long integers, case
//! conversion, the config values of rows marked fromConfig, the table's checks, the file field) against every
//! row of the table and a raw `openapi.request` path.
#![no_main]

use libfuzzer_sys::fuzz_target;
use wechat_client::exchange::{prepare, ConfigValues, FileInput, Target};
use wechat_protocol::catalogue::{catalogue, ConfigValue, HttpVerb, TokenKind};
use wechat_protocol::secret::Secret;

fuzz_target!(|data: &[u8]| {
    let [a, rest @ ..] = data else { return };
    let Ok(text) = std::str::from_utf8(rest) else { return };
    let rows = catalogue().all();
    let convert_case = *a & 0x80 == 0;
    let target = match (*a & 0x7f) as usize % (rows.len() + 1) {
        0 => Target { api: "request".into(), verb: HttpVerb::Post, path: "/x".into(), token: TokenKind::App, idempotent: false, endpoint: None },
        i => Target::row(&rows[i - 1].name).expect("a row of the table"),
    };
    // A client configured with every value a row may take from the config, as `Client::call` passes it.
    let config = ConfigValues {
        appid: Some("wxfuzzappid0000001".into()),
        app_secret: Some(Secret::new("fuzz-app-secret")),
        component_appid: Some("wxfuzzcomponent001".into()),
        component_secret: Some(Secret::new("fuzz-component-secret")),
    };
    if let Ok(prepared) = prepare(&target, text, FileInput::Field(None), &config, convert_case) {
        // What goes out is an object that serializes, and a secret in it is the config's, never the caller's.
        let params = prepared.params;
        assert!(params.is_object(), "{params}");
        serde_json::to_vec(&params).expect("prepared params serialize");
        for (key, source) in target.endpoint.map(|e| e.from_config.as_slice()).unwrap_or_default() {
            let configured = match source {
                ConfigValue::AppSecret => "fuzz-app-secret",
                ConfigValue::ComponentSecret => "fuzz-component-secret",
                ConfigValue::AppId | ConfigValue::ComponentAppId => continue,
            };
            assert_eq!(params.get(key).and_then(|v| v.as_str()), Some(configured), "{key}");
        }
    }
});
