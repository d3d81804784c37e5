//! The transport against real sockets: tiny HTTP/1.1 servers (plain and TLS) and a tiny forwarding/CONNECT
//! proxy, each a tokio listener started by the test.

use super::*;
use hyper_util::client::proxy::matcher::Matcher;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio_rustls::rustls;

const CA: &str = include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/../../__test__/fixtures/tls/ca.pem"));
const CERT: &str = include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/../../__test__/fixtures/tls/server.pem"));
const KEY: &str = include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/../../__test__/fixtures/tls/server-key.pem"));

fn urls(list: &[&str]) -> Vec<Url> {
    list.iter().map(|u| Url::parse(u).unwrap()).collect()
}

fn ok(body: &str) -> Vec<u8> {
    format!("HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\r\n{body}", body.len()).into_bytes()
}

/// Reads one request (head and Content-Length body); None at the end of the connection.
async fn read_request<S: AsyncRead + Unpin>(sock: &mut S, pending: &mut Vec<u8>) -> Option<String> {
    loop {
        if let Some(end) = memchr::memmem::find(pending, b"\r\n\r\n") {
            let head = String::from_utf8_lossy(&pending[..end]).into_owned();
            let length = head.lines().find_map(|l| l.to_ascii_lowercase().strip_prefix("content-length: ").map(|v| v.parse::<usize>().unwrap())).unwrap_or(0);
            while pending.len() < end + 4 + length {
                if sock.read_buf(pending).await.ok()? == 0 {
                    return None;
                }
            }
            pending.drain(..end + 4 + length);
            return Some(head);
        }
        if sock.read_buf(pending).await.ok()? == 0 {
            return None;
        }
    }
}

/// A server that answers every request with `answer`, keeps connections alive unless `close_after_answer`,
/// counts the connections it accepted and keeps the request heads it read.
struct Server {
    port: u16,
    scheme: &'static str,
    accepted: Arc<AtomicUsize>,
    heads: Arc<Mutex<Vec<String>>>,
}

async fn serve(answer: Vec<u8>, close_after_answer: bool, tls: Option<tokio_rustls::TlsAcceptor>) -> Server {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let (accepted, heads) = (Arc::new(AtomicUsize::new(0)), Arc::new(Mutex::new(Vec::new())));
    let (count, seen, acceptor) = (accepted.clone(), heads.clone(), tls.clone());
    tokio::spawn(async move {
        loop {
            let (sock, _) = listener.accept().await.unwrap();
            count.fetch_add(1, Ordering::SeqCst);
            let (answer, seen, tls) = (answer.clone(), seen.clone(), acceptor.clone());
            tokio::spawn(async move {
                match tls {
                    Some(acceptor) => {
                        if let Ok(sock) = acceptor.accept(sock).await {
                            answer_each(sock, &answer, close_after_answer, &seen).await
                        }
                    }
                    None => answer_each(sock, &answer, close_after_answer, &seen).await,
                }
            });
        }
    });
    Server { port, scheme: if tls.is_some() { "https" } else { "http" }, accepted, heads }
}

impl Server {
    fn hosts(&self) -> Vec<Url> {
        urls(&[&format!("{}://127.0.0.1:{}", self.scheme, self.port)])
    }
}

async fn answer_each<S: AsyncRead + AsyncWrite + Unpin>(mut sock: S, answer: &[u8], close_after_answer: bool, seen: &Mutex<Vec<String>>) {
    let mut pending = Vec::new();
    while let Some(head) = read_request(&mut sock, &mut pending).await {
        seen.lock().unwrap().push(head);
        if sock.write_all(answer).await.is_err() || close_after_answer {
            let _ = sock.shutdown().await;
            return;
        }
    }
}

/// A server for one connection that reads one request and then does `then` with the socket; its URL.
async fn after_one_request<F, Fut>(then: F) -> Vec<Url>
where
    F: FnOnce(TcpStream) -> Fut + Send + 'static,
    Fut: std::future::Future<Output = ()> + Send,
{
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    tokio::spawn(async move {
        let (mut sock, _) = listener.accept().await.unwrap();
        read_request(&mut sock, &mut Vec::new()).await;
        then(sock).await
    });
    urls(&[&format!("http://127.0.0.1:{port}")])
}

fn tls_acceptor() -> tokio_rustls::TlsAcceptor {
    use rustls::pki_types::pem::PemObject;
    use rustls::pki_types::{CertificateDer, PrivateKeyDer};
    let certs = CertificateDer::pem_slice_iter(CERT.as_bytes()).collect::<Result<Vec<_>, _>>().unwrap();
    let key = PrivateKeyDer::from_pem_slice(KEY.as_bytes()).unwrap();
    let config = rustls::ServerConfig::builder_with_provider(Arc::new(rustls::crypto::ring::default_provider()))
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_no_client_auth()
        .with_single_cert(certs, key)
        .unwrap();
    tokio_rustls::TlsAcceptor::from(Arc::new(config))
}

fn with_ca() -> TransportSettings {
    TransportSettings { ca_pem: Some(CA.into()), ..TransportSettings::default() }
}

const PATIENCE: Duration = Duration::from_secs(5);

#[tokio::test]
async fn a_refused_host_fails_over_to_the_next_and_is_benched() {
    // Port 9 (discard) refuses on loopback; the second host is a real listener.
    let server = serve(ok("{\"errcode\":0}"), false, None).await;
    let hosts = urls(&["http://127.0.0.1:9", &format!("http://127.0.0.1:{}", server.port)]);
    let t = Transport::new(&hosts, 1 << 20).unwrap();
    let url = Url::parse("http://127.0.0.1:9/cgi-bin/x?access_token=a").unwrap();
    let answer = t.send(HttpVerb::Get, url.clone(), Body::Empty, PATIENCE).await.unwrap();
    assert_eq!((answer.status, &answer.body[..]), (200, &b"{\"errcode\":0}"[..]));
    assert_eq!(t.host_order(&url), vec![Some(1), Some(0)], "the refused host is tried last for a while");
    let foreign = Url::parse("http://example.invalid/x").unwrap();
    assert_eq!(t.host_order(&foreign), vec![None]);
}

#[tokio::test]
async fn a_refused_connection_says_so_and_where_without_the_query_or_userinfo() {
    let t = Transport::new(&urls(&["http://127.0.0.1:9/gw"]), 1 << 20).unwrap();
    let url = Url::parse("http://user:pw@127.0.0.1:9/gw/cgi-bin/x?access_token=secret").unwrap();
    let err = t.send(HttpVerb::Get, url, Body::Empty, PATIENCE).await.unwrap_err();
    assert_eq!(err, TransportError::Connect("connection refused (http://127.0.0.1:9/gw/cgi-bin/x)".into()));
}

#[tokio::test]
async fn oversized_answers_are_cut_off() {
    let server = serve(ok(&"x".repeat(5000)), false, None).await;
    let hosts = server.hosts();
    let t = Transport::new(&hosts, 4096).unwrap();
    let err = t.send(HttpVerb::Get, hosts[0].clone(), Body::Empty, PATIENCE).await.unwrap_err();
    assert_eq!(err, TransportError::TooLarge(4096));
    // Just under the cap is read whole.
    let t = Transport::new(&hosts, 5000).unwrap();
    assert_eq!(t.send(HttpVerb::Get, hosts[0].clone(), Body::Empty, PATIENCE).await.unwrap().body.len(), 5000);
}

#[tokio::test]
async fn an_endless_chunked_answer_is_cut_off_at_the_cap() {
    let hosts = after_one_request(|mut sock| async move {
        sock.write_all(b"HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n").await.unwrap();
        let chunk = format!("400\r\n{}\r\n", "y".repeat(1024));
        while sock.write_all(chunk.as_bytes()).await.is_ok() {}
    })
    .await;
    let t = Transport::new(&hosts, 10_000).unwrap();
    let err = t.send(HttpVerb::Get, hosts[0].clone(), Body::Empty, PATIENCE).await.unwrap_err();
    assert_eq!(err, TransportError::TooLarge(10_000));
}

#[tokio::test]
async fn an_answer_that_never_comes_is_a_timeout() {
    let hosts = after_one_request(|sock| async move {
        tokio::time::sleep(Duration::from_secs(60)).await;
        drop(sock)
    })
    .await;
    let t = Transport::new(&hosts, 1 << 20).unwrap();
    let err = t.send(HttpVerb::Get, hosts[0].clone(), Body::Empty, Duration::from_millis(300)).await.unwrap_err();
    assert_eq!(err, TransportError::Timeout);
}

#[tokio::test]
async fn sequential_requests_share_one_kept_alive_connection() {
    let server = serve(ok("{\"errcode\":0}"), false, None).await;
    let hosts = server.hosts();
    let t = Transport::new(&hosts, 1 << 20).unwrap();
    for i in 0..5 {
        let url = Url::parse(&format!("http://127.0.0.1:{}/cgi-bin/x?n={i}", server.port)).unwrap();
        let body = Body::Json(Bytes::from_static(b"{\"a\":1}"));
        assert_eq!(t.send(HttpVerb::Post, url, body, PATIENCE).await.unwrap().status, 200);
    }
    assert_eq!(server.accepted.load(Ordering::SeqCst), 1, "one connection for five requests");
    let heads = server.heads.lock().unwrap().clone();
    assert_eq!(heads.len(), 5);
    let head = heads[4].to_ascii_lowercase();
    assert!(head.starts_with("post /cgi-bin/x?n=4 http/1.1\r\n"), "{head}");
    for line in [
        format!("host: 127.0.0.1:{}", server.port),
        concat!("user-agent: wechat-openapi/", env!("CARGO_PKG_VERSION")).to_owned(),
        "content-type: application/json".to_owned(),
        "content-length: 7".to_owned(),
    ] {
        assert!(head.lines().any(|l| l == line), "{line:?} in {head}");
    }
}

#[tokio::test]
async fn a_connection_the_server_closed_after_answering_is_not_used_again() {
    let server = serve(ok("{}"), true, None).await;
    let hosts = server.hosts();
    let t = Transport::new(&hosts, 1 << 20).unwrap();
    for _ in 0..3 {
        assert_eq!(t.send(HttpVerb::Get, hosts[0].clone(), Body::Empty, PATIENCE).await.unwrap().status, 200);
    }
    assert_eq!(server.accepted.load(Ordering::SeqCst), 3);
}

#[tokio::test]
async fn an_answer_not_read_to_the_end_leaves_its_connection_out_of_the_pool() {
    let server = serve(ok(&"x".repeat(5000)), false, None).await;
    let hosts = server.hosts();
    let t = Transport::new(&hosts, 4096).unwrap();
    for _ in 0..2 {
        assert_eq!(t.send(HttpVerb::Get, hosts[0].clone(), Body::Empty, PATIENCE).await.unwrap_err(), TransportError::TooLarge(4096));
    }
    assert_eq!(server.accepted.load(Ordering::SeqCst), 2);
}

#[tokio::test]
async fn tls_is_checked_and_a_given_ca_is_trusted_in_addition() {
    let server = serve(ok("{\"tls\":true}"), false, Some(tls_acceptor())).await;
    let hosts = server.hosts();
    let untrusted = Transport::new(&hosts, 1 << 20).unwrap();
    match untrusted.send(HttpVerb::Get, hosts[0].clone(), Body::Empty, PATIENCE).await {
        Err(TransportError::Connect(m)) => assert!(m.starts_with("tls: ") && m.contains("certificate"), "{m}"),
        other => panic!("{other:?}"),
    }
    let trusted = Transport::with_settings(&hosts, 1 << 20, &with_ca()).unwrap();
    for _ in 0..3 {
        assert_eq!(&trusted.send(HttpVerb::Get, hosts[0].clone(), Body::Empty, PATIENCE).await.unwrap().body[..], b"{\"tls\":true}");
    }
    assert_eq!(server.accepted.load(Ordering::SeqCst), 2, "one refused handshake, one kept-alive TLS connection");
}

#[test]
fn a_ca_that_is_not_pem_certificates_is_refused() {
    let settings = |pem: &str| TransportSettings { ca_pem: Some(pem.into()), ..TransportSettings::default() };
    let err = |pem: &str| Transport::with_settings(&[], 1, &settings(pem)).err().unwrap();
    assert_eq!(err("not a certificate"), "ca must be PEM text holding at least one certificate");
    assert!(err("-----BEGIN CERTIFICATE-----\n!!!\n-----END CERTIFICATE-----\n").starts_with("ca: cannot read the PEM certificates: "));
}

/// A proxy as Squid would be for this: CONNECT tunnels and absolute-form forwarding, each request head kept.
/// With `refuse` it answers every CONNECT with 407 (and the credentials it got, which must not be shown).
async fn proxy(refuse: bool) -> (u16, Arc<Mutex<Vec<String>>>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let heads = Arc::new(Mutex::new(Vec::new()));
    let seen = heads.clone();
    tokio::spawn(async move {
        loop {
            let (mut client, _) = listener.accept().await.unwrap();
            let seen = seen.clone();
            tokio::spawn(async move {
                let mut pending = Vec::new();
                let end = loop {
                    client.read_buf(&mut pending).await.unwrap();
                    if let Some(end) = memchr::memmem::find(&pending, b"\r\n\r\n") {
                        break end + 4;
                    }
                };
                let head = String::from_utf8_lossy(&pending[..end]).into_owned();
                seen.lock().unwrap().push(head.clone());
                let target = head.split(' ').nth(1).unwrap().to_owned();
                if let Some(authority) = head.strip_prefix("CONNECT ").and(Some(&target)) {
                    if refuse {
                        let auth = head.lines().find(|l| l.to_ascii_lowercase().starts_with("proxy-authorization")).unwrap_or_default().to_owned();
                        let _ = client.write_all(format!("HTTP/1.1 407 {auth}\r\ncontent-length: 0\r\n\r\n").as_bytes()).await;
                        return;
                    }
                    let mut upstream = TcpStream::connect(authority.as_str()).await.unwrap();
                    client.write_all(b"HTTP/1.1 200 Connection established\r\n\r\n").await.unwrap();
                    let _ = tokio::io::copy_bidirectional(&mut client, &mut upstream).await;
                } else {
                    let origin = Url::parse(&target).unwrap();
                    let mut upstream = TcpStream::connect((origin.host_str().unwrap(), origin.port().unwrap())).await.unwrap();
                    upstream.write_all(&pending).await.unwrap();
                    let _ = tokio::io::copy_bidirectional(&mut client, &mut upstream).await;
                }
            });
        }
    });
    (port, heads)
}

fn through(proxy_url: &str, hosts: &[Url], settings: &TransportSettings) -> Transport {
    let matcher = Matcher::builder().http(proxy_url).https(proxy_url).build();
    Transport::with_proxies(hosts, 1 << 20, settings, proxy::Proxies::from_matcher(matcher)).unwrap()
}

#[tokio::test]
async fn an_http_target_goes_through_the_proxy_in_absolute_form_with_its_credentials() {
    let server = serve(ok("{\"via\":\"proxy\"}"), false, None).await;
    let (proxy_port, heads) = proxy(false).await;
    let hosts = server.hosts();
    let t = through(&format!("http://user:secret@127.0.0.1:{proxy_port}"), &hosts, &TransportSettings::default());
    let url = Url::parse(&format!("http://127.0.0.1:{}/cgi-bin/x?access_token=a", server.port)).unwrap();
    assert_eq!(&t.send(HttpVerb::Get, url, Body::Empty, PATIENCE).await.unwrap().body[..], b"{\"via\":\"proxy\"}");
    let head = heads.lock().unwrap()[0].to_ascii_lowercase();
    assert!(head.starts_with(&format!("get http://127.0.0.1:{}/cgi-bin/x?access_token=a http/1.1\r\n", server.port)), "{head}");
    assert!(head.lines().any(|l| l == "proxy-authorization: basic dxnlcjpzzwnyzxq="), "{head}");
}

#[tokio::test]
async fn an_https_target_goes_through_a_connect_tunnel() {
    let server = serve(ok("{\"tls\":true}"), false, Some(tls_acceptor())).await;
    let (proxy_port, heads) = proxy(false).await;
    let hosts = server.hosts();
    let t = through(&format!("http://user:secret@127.0.0.1:{proxy_port}"), &hosts, &with_ca());
    for _ in 0..2 {
        assert_eq!(&t.send(HttpVerb::Get, hosts[0].clone(), Body::Empty, PATIENCE).await.unwrap().body[..], b"{\"tls\":true}");
    }
    let heads = heads.lock().unwrap().clone();
    assert_eq!(heads.len(), 1, "one tunnel, kept alive");
    assert!(heads[0].starts_with(&format!("CONNECT 127.0.0.1:{} HTTP/1.1\r\n", server.port)), "{}", heads[0]);
    assert!(heads[0].contains("Proxy-Authorization: Basic dXNlcjpzZWNyZXQ="), "{}", heads[0]);
}

#[tokio::test]
async fn a_proxy_that_refuses_or_is_down_is_a_connect_failure_that_never_shows_the_credentials() {
    let (proxy_port, _) = proxy(true).await;
    let hosts = urls(&["https://127.0.0.1:1"]);
    let refusing = through(&format!("http://user:secret@127.0.0.1:{proxy_port}"), &hosts, &TransportSettings::default());
    let err = refusing.send(HttpVerb::Get, hosts[0].clone(), Body::Empty, PATIENCE).await.unwrap_err();
    assert_eq!(err, TransportError::Connect(format!("proxy 127.0.0.1:{proxy_port}: the proxy refused the tunnel (HTTP 407) (https://127.0.0.1:1/)")));
    let down = through("http://user:secret@127.0.0.1:9", &hosts, &TransportSettings::default());
    let err = down.send(HttpVerb::Get, hosts[0].clone(), Body::Empty, PATIENCE).await.unwrap_err();
    assert_eq!(err, TransportError::Connect("proxy 127.0.0.1:9: connection refused (https://127.0.0.1:1/)".into()));
}

#[tokio::test]
async fn no_proxy_exempts_a_host() {
    let server = serve(ok("{}"), false, None).await;
    let hosts = server.hosts();
    let matcher = Matcher::builder().http("http://127.0.0.1:9").no("127.0.0.1").build();
    let t = Transport::with_proxies(&hosts, 1 << 20, &TransportSettings::default(), proxy::Proxies::from_matcher(matcher)).unwrap();
    assert_eq!(t.send(HttpVerb::Get, hosts[0].clone(), Body::Empty, PATIENCE).await.unwrap().status, 200);
}

#[tokio::test]
async fn an_upload_is_sent_with_its_length_and_boundary() {
    let server = serve(ok("{}"), false, None).await;
    let hosts = server.hosts();
    let t = Transport::new(&hosts, 1 << 20).unwrap();
    let file = crate::form::FilePart { name: "media".into(), filename: "a.png".into(), content_type: "image/png".into(), bytes: Bytes::from(vec![7u8; 100_000]) };
    assert_eq!(t.send(HttpVerb::Post, hosts[0].clone(), Body::Form(Arc::new(file)), PATIENCE).await.unwrap().status, 200);
    let head = server.heads.lock().unwrap()[0].to_ascii_lowercase();
    let length: usize = head.lines().find_map(|l| l.strip_prefix("content-length: ")).unwrap().parse().unwrap();
    let boundary = head.lines().find_map(|l| l.strip_prefix("content-type: multipart/form-data; boundary=")).unwrap();
    // The head of the part, the file and the closing boundary, nothing else.
    let part_head = format!("--{boundary}\r\ncontent-disposition: form-data; name=\"media\"; filename=\"a.png\"\r\ncontent-type: image/png\r\n\r\n");
    assert_eq!(length, part_head.len() + 100_000 + format!("\r\n--{boundary}--\r\n").len());
}
