//! Uploads through the exchange against the emulator: the file reaches WeChat as multipart/form-data byte for
//! byte (the emulator's stored copy is compared), an injected busy answer is retried with the whole file again,
//! and an oversized file never leaves.

use base64::Engine;
use bytes::Bytes;
use serde_json::json;
use wechat_client::client::config::ClientConfig;
use wechat_client::client::{CallOptions, Client, Outcome};
use wechat_emulator::{self as emulator, EmulatorConfig, DEMO_APPID, DEMO_SECRET};
use wechat_protocol::catalogue::upload::placeholder;

fn image() -> Vec<u8> {
    let mut bytes = b"\x89PNG\r\n\x1a\n".to_vec();
    bytes.extend((0..=255u8).chain(*b"\r\n--x\r\n").chain(0..=255u8));
    bytes
}

fn params() -> String {
    json!({"type": "image", "media": {"contentType": "image/png", "value": placeholder()}}).to_string()
}

#[tokio::test]
async fn an_uploaded_file_is_stored_byte_for_byte_and_retried_whole() {
    let emu = emulator::start(EmulatorConfig::from_json("{}").unwrap()).await.unwrap();
    let config = format!(r#"{{"appid":"{DEMO_APPID}","secret":"{DEMO_SECRET}","apiBase":"{}","maxAttempts":3}}"#, emu.url());
    let client = Client::new(ClientConfig::from_json(&config).unwrap(), None).unwrap();
    let sent = image();
    // A busy answer first: retried (retryUnsafe, since an upload makes a new media_id), the whole file again.
    emu.control_json("injectFault", r#"{"name":"customerServiceMessage.uploadTempMedia","errcode":-1,"times":1}"#).unwrap();
    let options = CallOptions { retry_unsafe: true, ..CallOptions::default() };
    let outcome = client.call_with_file("customerServiceMessage.uploadTempMedia", &params(), Bytes::from(sent.clone()), options).await.unwrap();
    let Outcome::Json { text, .. } = outcome else { panic!("a JSON answer") };
    let answer: serde_json::Value = serde_json::from_str(&text).unwrap();
    let media_id = answer["mediaId"].as_str().unwrap();
    let stored: serde_json::Value = serde_json::from_str(&emu.control_json("tempMedia", &json!({"mediaId": media_id}).to_string()).unwrap()).unwrap();
    let bytes = base64::engine::general_purpose::STANDARD.decode(stored["media"][0]["base64"].as_str().unwrap()).unwrap();
    assert_eq!(bytes, sent);
    let requests: serde_json::Value = serde_json::from_str(&emu.control_json("requestCounts", "{}").unwrap()).unwrap();
    assert_eq!(requests["customerServiceMessage.uploadTempMedia"], 2, "{requests}");
}

#[tokio::test]
async fn an_oversized_file_never_leaves() {
    let emu = emulator::start(EmulatorConfig::from_json("{}").unwrap()).await.unwrap();
    let config = format!(r#"{{"appid":"{DEMO_APPID}","secret":"{DEMO_SECRET}","apiBase":"{}"}}"#, emu.url());
    let client = Client::new(ClientConfig::from_json(&config).unwrap(), None).unwrap();
    let big = Bytes::from(vec![0u8; 10 * 1024 * 1024 + 1]);
    let e = client.call_with_file("customerServiceMessage.uploadTempMedia", &params(), big, CallOptions::default()).await.unwrap_err();
    assert_eq!((e.code, e.attempts), (-601002, 0));
    assert!(e.to_string().contains("media.value is 10485761 bytes: WeChat's limit for openapi.customerServiceMessage.uploadTempMedia is at most 10 MB"), "{e}");
    let requests: serde_json::Value = serde_json::from_str(&emu.control_json("requestCounts", "{}").unwrap()).unwrap();
    assert!(requests.get("customerServiceMessage.uploadTempMedia").is_none(), "{requests}");
}

#[tokio::test]
async fn a_raw_request_sends_a_described_file_like_a_row() {
    let emu = emulator::start(EmulatorConfig::from_json("{}").unwrap()).await.unwrap();
    let config = format!(r#"{{"appid":"{DEMO_APPID}","secret":"{DEMO_SECRET}","apiBase":"{}"}}"#, emu.url());
    let client = Client::new(ClientConfig::from_json(&config).unwrap(), None).unwrap();
    let sent = image();
    let file = json!({"field": "media", "content_type": "image/png", "value": placeholder(), "filename": "raw.png"}).to_string();
    let outcome = client.request_with_file("POST", "/cgi-bin/media/upload", r#"{"type":"image"}"#, &file, Some(Bytes::from(sent.clone())), CallOptions::default()).await.unwrap();
    let Outcome::Json { text, .. } = outcome else { panic!("a JSON answer") };
    let answer: serde_json::Value = serde_json::from_str(&text).unwrap();
    let stored: serde_json::Value = serde_json::from_str(&emu.control_json("tempMedia", &json!({"mediaId": answer["mediaId"]}).to_string()).unwrap()).unwrap();
    let bytes = base64::engine::general_purpose::STANDARD.decode(stored["media"][0]["base64"].as_str().unwrap()).unwrap();
    assert_eq!((bytes, stored["media"][0]["filename"].as_str()), (sent, Some("raw.png")));

    // A GET cannot carry a file; nothing is sent.
    let e = client.request_with_file("GET", "/cgi-bin/media/upload", "{}", &file, Some(Bytes::from_static(b"x")), CallOptions::default()).await.unwrap_err();
    assert_eq!((e.code, e.attempts), (-601002, 0));
    assert!(e.to_string().contains("method must be POST when file is given"), "{e}");
    let requests: serde_json::Value = serde_json::from_str(&emu.control_json("requestCounts", "{}").unwrap()).unwrap();
    assert_eq!(requests["customerServiceMessage.uploadTempMedia"], 1, "{requests}");
}
