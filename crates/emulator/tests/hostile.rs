//! The emulator against hostile peers, over real TCP: web pages and rebinding DNS aiming at the control API,
//! slow-loris sockets, connection floods, and push receivers that answer without end.

use serde_json::{json, Value};
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use wechat_emulator::{start, Emulator, EmulatorConfig};

const COMPONENT: &str = "wxcomponent0000001";
const KEY: &str = "kWxPEV2UEDyxWpmPdKC3F4dgPDmOvfKX1HGnEUDS1aA";

async fn emulator(config: Value) -> Emulator {
    start(EmulatorConfig::from_json(&config.to_string()).unwrap()).await.unwrap()
}

fn address(emu: &Emulator) -> String {
    emu.url().trim_start_matches("http://").to_owned()
}

/// Sends `head` (request line and headers, without the blank line) and `body` exactly as given; the status.
async fn raw(emu: &Emulator, head: &str, body: &str) -> (u16, String) {
    let mut stream = TcpStream::connect(address(emu)).await.unwrap();
    let request = format!("{head}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}", body.len());
    stream.write_all(request.as_bytes()).await.unwrap();
    let mut answer = String::new();
    stream.read_to_string(&mut answer).await.unwrap();
    let status = answer.split(' ').nth(1).and_then(|s| s.parse().ok()).unwrap_or(0);
    (status, answer.split("\r\n\r\n").nth(1).unwrap_or("").to_owned())
}

async fn faults_injected(emu: &Emulator) -> usize {
    emu.control("state", json!({})).unwrap()["pendingFaults"].as_u64().unwrap() as usize
}

#[tokio::test]
async fn the_control_api_answers_only_json_from_this_machine() {
    let emu = emulator(json!({"controlHosts": ["wechat-emu"]})).await;
    let here = address(&emu);
    let port = here.rsplit(':').next().unwrap().to_owned();
    let fault = r#"{"name":"logistics.addOrder","errcode":-1}"#;
    let post = |host: &str, extra: &str| format!("POST /__emulator/injectFault HTTP/1.1\r\nHost: {host}{extra}");
    let json_type = "\r\nContent-Type: application/json";

    // What a web page can send cross-origin without a preflight: refused, and nothing happens.
    for content_type in ["text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x"] {
        let (status, body) = raw(&emu, &post(&here, &format!("\r\nContent-Type: {content_type}")), fault).await;
        assert_eq!(status, 415, "{content_type}: {body}");
        assert!(body.contains("application/json"), "{body}");
    }
    let (status, _) = raw(&emu, &post(&here, ""), fault).await;
    assert_eq!(status, 415, "a body without a Content-Type");
    // A page of another origin, even with the right type (a preflight would have been needed).
    let (status, body) = raw(&emu, &post(&here, &format!("{json_type}\r\nOrigin: http://evil.example")), fault).await;
    assert_eq!((status, body.contains("cross-origin")), (403, true), "{body}");
    let (status, _) = raw(&emu, &post(&here, &format!("{json_type}\r\nOrigin: null")), fault).await;
    assert_eq!(status, 403);
    // DNS rebinding: evil.example resolves to 127.0.0.1, so the browser sends its own name as Host.
    for host in [format!("evil.example:{port}"), "evil.example".to_owned(), format!("127.0.0.1.evil.example:{port}")] {
        let (status, body) = raw(&emu, &post(&host, json_type), fault).await;
        assert_eq!(status, 403, "{host}: {body}");
        assert!(body.contains("loopback hosts only"), "{body}");
    }
    assert_eq!(faults_injected(&emu).await, 0, "no refused request acted");

    // A test on this machine: loopback names and addresses, its own origin, controlHosts, or no body at all.
    for host in [here.clone(), format!("localhost:{port}"), format!("[::1]:{port}"), format!("wechat-emu:{port}")] {
        let (status, body) = raw(&emu, &post(&host, &format!("{json_type}; charset=utf-8")), fault).await;
        assert_eq!(status, 200, "{host}: {body}");
    }
    // A browser on the emulator's own origin (the console) must also carry this start's token, which only the
    // console URL holds.
    let own_origin = format!("{json_type}\r\nOrigin: http://{here}\r\nSec-Fetch-Site: same-origin");
    let (status, body) = raw(&emu, &post(&here, &own_origin), fault).await;
    assert_eq!((status, body.contains("console's token")), (403, true), "{body}");
    let token = emu.console_url().rsplit_once("token=").unwrap().1.to_owned();
    let (status, body) = raw(&emu, &post(&here, &format!("{own_origin}\r\nX-Emulator-Token: {token}")), fault).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(faults_injected(&emu).await, 5);
    let (status, body) = raw(&emu, &format!("POST /__emulator/clearFaults HTTP/1.1\r\nHost: {here}"), "").await;
    assert_eq!(status, 200, "no body needs no Content-Type: {body}");

    // WeChat's own routes stay as open as WeChat's.
    let (status, body) = raw(&emu, &format!("POST /cgi-bin/stable_token HTTP/1.1\r\nHost: evil.example\r\nOrigin: http://evil.example\r\nContent-Type: text/plain"), "{}").await;
    assert_eq!(status, 200);
    assert!(body.contains("errcode"), "{body}");
}

/// Reads until the peer closes (Ok(0)) or resets; false if it is still open after `within`.
async fn closed_within(stream: &mut TcpStream, within: Duration) -> bool {
    let mut buf = [0u8; 1024];
    let deadline = Instant::now() + within;
    loop {
        match tokio::time::timeout_at(deadline.into(), stream.read(&mut buf)).await {
            Err(_) => return false,
            Ok(Ok(0)) | Ok(Err(_)) => return true,
            Ok(Ok(_)) => continue, // a 408 page, then the close
        }
    }
}

#[tokio::test]
async fn slow_loris_sockets_are_closed_after_the_header_timeout() {
    let emu = emulator(json!({"headerTimeoutMs": 300})).await;
    let mut sockets = Vec::new();
    for i in 0..200 {
        let mut s = TcpStream::connect(address(&emu)).await.unwrap();
        // Half the sockets dribble a request's first header lines, half never say a word.
        if i % 2 == 0 {
            s.write_all(b"POST /cgi-bin/stable_token HTTP/1.1\r\nHost: 127.0.0.1\r\nX-A: ").await.unwrap();
        }
        sockets.push(s);
    }
    tokio::time::sleep(Duration::from_millis(150)).await;
    for s in sockets.iter_mut().step_by(2) {
        let _ = s.write_all(b"a").await; // still sending, too slowly
    }
    for (i, s) in sockets.iter_mut().enumerate() {
        assert!(closed_within(s, Duration::from_secs(3)).await, "socket {i} is still open");
    }
    // A request sent at once is still served.
    let (status, _) = raw(&emu, "GET /cgi-bin/token HTTP/1.1\r\nHost: 127.0.0.1", "").await;
    assert_eq!(status, 200);
}

#[tokio::test]
async fn connections_beyond_the_cap_wait_until_one_closes() {
    let emu = emulator(json!({"maxConnections": 8, "headerTimeoutMs": 60_000})).await;
    let mut held = Vec::new();
    for _ in 0..8 {
        held.push(TcpStream::connect(address(&emu)).await.unwrap());
    }
    tokio::time::sleep(Duration::from_millis(100)).await;
    let mut ninth = TcpStream::connect(address(&emu)).await.unwrap();
    ninth.write_all(b"GET /cgi-bin/token HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n").await.unwrap();
    let mut answer = [0u8; 4096];
    let early = tokio::time::timeout(Duration::from_millis(500), ninth.read(&mut answer)).await;
    assert!(early.is_err(), "the ninth connection is not served while eight are open");
    for s in held.iter_mut() {
        assert!(!closed_within(s, Duration::from_millis(10)).await, "the first eight are kept");
    }
    drop(held.pop());
    let n = tokio::time::timeout(Duration::from_secs(3), ninth.read(&mut answer)).await.expect("served once one closed").unwrap();
    assert!(answer[..n].starts_with(b"HTTP/1.1 200"), "{}", String::from_utf8_lossy(&answer[..n]));
}

#[tokio::test]
async fn a_push_receivers_endless_answer_is_read_up_to_64_kib() {
    let emu = emulator(json!({"components": [{"appid": COMPONENT, "secret": "componentsecret00000000000000001", "token": "t", "encodingAesKey": KEY}]})).await;
    // A receiver announcing 400 MB and sending for as long as anyone reads. Its answer is not `success`, so the
    // emulator tries again, as WeChat does: every attempt meets the same receiver.
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/events", listener.local_addr().unwrap());
    let sent = tokio::spawn(async move {
        let mut attempts = Vec::new();
        for _ in 0..4 {
            let (mut s, _) = listener.accept().await.unwrap();
            attempts.push(tokio::spawn(async move {
                let mut request = vec![0u8; 64 * 1024];
                let _ = s.read(&mut request).await;
                let _ = s.write_all(b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 400000000\r\n\r\n").await;
                let chunk = vec![b'x'; 64 * 1024];
                let mut total = 0usize;
                while total < 400_000_000 {
                    match s.write(&chunk).await {
                        Ok(n) if n > 0 => total += n,
                        _ => break,
                    }
                }
                total
            }));
        }
        let mut most = 0;
        for a in attempts {
            most = most.max(a.await.unwrap());
        }
        most
    });
    let started = Instant::now();
    let pushed = emu.control_async("pushTicket", json!({"url": url})).await.unwrap();
    assert!(started.elapsed() < Duration::from_secs(10), "took {:?}", started.elapsed());
    assert_eq!(pushed["delivery"]["status"], 200);
    assert_eq!(pushed["delivery"]["answer"].as_str().unwrap().len(), 64 * 1024);
    let total = tokio::time::timeout(Duration::from_secs(5), sent).await.expect("the receiver is hung up on").unwrap();
    assert!(total < 32 << 20, "the emulator read {total} bytes of an answer");
}
