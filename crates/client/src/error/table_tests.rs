//! The code table end to end: the emulator answers a code with the table's errmsg, and the client's error
//! for that answer carries the same row's meaning and category, in wx-server-sdk's message format.

use crate::client::config::ClientConfig;
use crate::client::{CallOptions, Client};
use wechat_emulator::{self as emulator, EmulatorConfig, DEMO_APPID, DEMO_SECRET};
use wechat_protocol::catalogue::catalogue;
use wechat_protocol::codes::{self, is_token_rejection};

const API: &str = "logistics.getAllAccount";

#[tokio::test]
async fn the_emulators_errmsg_and_the_clients_meaning_come_from_one_row() {
    let emu = emulator::start(EmulatorConfig::from_json("{}").unwrap()).await.unwrap();
    let config = format!(r#"{{"appid":"{DEMO_APPID}","secret":"{DEMO_SECRET}","apiBase":"{}"}}"#, emu.url());
    let client = Client::new(ClientConfig::from_json(&config).unwrap(), None).unwrap();
    let endpoint = catalogue().get(API).unwrap();
    let mut checked = 0;
    for row in codes::table().wechat() {
        // A code the row documents has the row's own meaning; a token rejection is retried with a new token.
        let Some(errmsg) = row.errmsg.as_deref() else { continue };
        if endpoint.error_meaning(row.code).is_some() || is_token_rejection(row.code) {
            continue;
        }
        // No errmsg in the fault: the emulator words it itself (wire::common_errmsg).
        let fault = format!(r#"{{"name":"{API}","errcode":{},"times":1}}"#, row.code);
        emu.control_json("injectFault", &fault).unwrap();
        let options = CallOptions::from_json(r#"{"maxAttempts":1}"#).unwrap();
        let e = client.call(API, "{}", options).await.unwrap_err();
        assert_eq!(e.code, row.code);
        assert!(e.message.starts_with(&format!("{errmsg} rid: ")), "{}: {}", row.code, e.message);
        // The code table's meaning; for a code it leaves without one, another endpoint's documented meaning.
        let expected = row.meaning.as_deref().or_else(|| catalogue().all().iter().find_map(|r| r.error_meaning(row.code)));
        assert_eq!(e.meaning.as_deref(), expected, "{}", row.code);
        assert_eq!(e.category, row.category, "{}", row.code);
        let meaning = expected.map(|m| format!(" {m}")).unwrap_or_default();
        assert_eq!(e.to_string(), format!("errCode: {}{meaning} | errMsg: openapi.{API}:fail {}", row.code, e.message));
        checked += 1;
    }
    assert!(checked >= 20, "only {checked} codes checked");
}
