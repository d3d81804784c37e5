//! The standalone binary, as a user runs it: spawned, its URL read from stdout, spoken to over real HTTP.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};

const BIN: &str = env!("CARGO_BIN_EXE_wechat-emulator");

/// Kills the child even when an assertion fails.
struct Running(Child);

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Starts the binary and reads the lines it prints before serving: the URL, then the demo credentials.
fn spawn(args: &[&str]) -> (Running, String, String) {
    let mut child = Command::new(BIN).args(args).stdout(Stdio::piped()).stderr(Stdio::null()).spawn().expect("spawn wechat-emulator");
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let url = lines.next().expect("a URL line").unwrap();
    let credentials = lines.next().expect("a credentials line").unwrap();
    (Running(child), url, credentials)
}

/// Sends the request and reads its JSON answer.
async fn json(request: reqwest::RequestBuilder) -> serde_json::Value {
    let text = request.send().await.expect("the emulator answers").text().await.unwrap();
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("not JSON ({e}): {text}"))
}

#[tokio::test]
async fn the_binary_serves_tokens_to_the_demo_credentials_over_http() {
    let (_running, url, credentials) = spawn(&["--port", "0"]);
    assert!(url.starts_with("http://127.0.0.1:") && !url.ends_with(":0"), "{url}");
    // "demo app: appid <appid> secret <secret>"
    let words: Vec<&str> = credentials.split_whitespace().collect();
    assert_eq!(words[..3], ["demo", "app:", "appid"], "{credentials}");
    let (appid, secret) = (words[3], words[5]);
    let http = reqwest::Client::new();
    let token = json(http.get(format!("{url}/cgi-bin/token?grant_type=client_credential&appid={appid}&secret={secret}"))).await;
    let token = token["access_token"].as_str().unwrap_or_else(|| panic!("a token: {token}")).to_owned();
    let accounts = json(http.get(format!("{url}/cgi-bin/express/business/account/getall?access_token={token}"))).await;
    assert_eq!(accounts["errcode"], 0);
    assert_eq!(accounts["count"], 2, "the demo app's two logistics accounts");
    let control = json(http.post(format!("{url}/__emulator/requestCounts")).header("content-type", "application/json").body("{}")).await;
    assert_eq!(control["result"]["auth.getAccessToken"], 1);
}

#[test]
fn the_binary_takes_a_config_file_and_stops_on_sigterm() {
    let dir = std::env::temp_dir().join(format!("wechat-emulator-test-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("config.json");
    std::fs::write(&file, r#"{"apps": [{"appid": "wxconfigured00001", "secret": "s3cret"}], "tokenTtl": 60}"#).unwrap();
    let mut child = Command::new(BIN).args(["--config", file.to_str().unwrap()]).stdout(Stdio::piped()).stderr(Stdio::null()).spawn().unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let url = lines.next().unwrap().unwrap();
    assert!(url.starts_with("http://127.0.0.1:"), "{url}");
    let status = Command::new("kill").args(["-TERM", &child.id().to_string()]).status().unwrap();
    assert!(status.success());
    let exit = child.wait().unwrap();
    assert!(exit.success(), "SIGTERM is a clean stop: {exit:?}");
    assert!(lines.next().is_none(), "no demo credentials when apps are configured");
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn help_actions_and_bad_arguments() {
    let help = Command::new(BIN).arg("--help").output().unwrap();
    assert!(help.status.success());
    assert!(String::from_utf8_lossy(&help.stdout).contains("--config <file>"));
    let actions = Command::new(BIN).arg("--actions").output().unwrap();
    let list: serde_json::Value = serde_json::from_slice(&actions.stdout).unwrap();
    assert!(list.as_array().unwrap().iter().any(|a| a["name"] == "injectFault"));
    let bad = Command::new(BIN).args(["--port", "nope"]).output().unwrap();
    assert_eq!(bad.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&bad.stderr).contains("--port must be"));
    let missing = Command::new(BIN).args(["--config", "/nonexistent/emulator.json"]).output().unwrap();
    assert_eq!(missing.status.code(), Some(3), "a config that cannot be used");
    assert!(String::from_utf8_lossy(&missing.stderr).contains("cannot read --config"));
}
