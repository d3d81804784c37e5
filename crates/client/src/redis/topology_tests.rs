//! TLS, Redis Cluster and Sentinel against real servers this test starts: a CA, server and client
//! certificates made with the `openssl` CLI; a three-primary cluster (with replicas) joined by
//! `redis-cli --cluster create`; a primary, a replica and a `redis-sentinel`. In each, four "processes" (each its
//! own Redis client, SharedTokenSource and TokenCache) make 250 calls each on a cold cache: one token request.
//! Without the binaries the tests say so and pass as skipped, except under CI, where `.ci/run` installs them.

use super::config::{RawRedisOptions, RedisConfig};
use super::test_server::free_port;
use super::{Health, Redis};
use crate::error::Error;
use crate::store::keys::{access_token, TokenKeys};
use super::RedisStore;
use crate::token::{FreshToken, LockTimes, SharedTokenSource, TokenCache, TokenSource};
use futures::future::{BoxFuture, FutureExt};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};
use wechat_protocol::secret::Secret;

/// The client's default `timeout`, which bounds the wait for a refresh lock's holder.
const CALL_TIMEOUT: Duration = Duration::from_secs(15);

fn installed(test: &str, tools: &[&str]) -> bool {
    for tool in tools {
        // `openssl version`; the Redis tools take `--version`.
        let flag = if *tool == "openssl" { "version" } else { "--version" };
        let found = Command::new(tool).arg(flag).stdout(Stdio::null()).stderr(Stdio::null()).status().is_ok_and(|s| s.success());
        if !found {
            assert!(std::env::var_os("CI").is_none(), "{tool} is required in CI (.ci/run installs it)");
            eprintln!("SKIPPED {test}: {tool} is not installed (apt-get install redis-server redis-sentinel redis-tools openssl)");
            return false;
        }
    }
    true
}

/// Child processes (servers, sentinels) and their temp dir, all gone on drop.
struct Fleet {
    dir: PathBuf,
    children: Vec<(u16, Child)>,
}

impl Fleet {
    fn new(test: &str) -> Fleet {
        let dir = std::env::temp_dir().join(format!("wechat-openapi-{test}-{}-{}", std::process::id(), free_port()));
        std::fs::create_dir_all(&dir).expect("temp dir");
        Fleet { dir, children: Vec::new() }
    }

    fn spawn(&mut self, program: &str, port: u16, args: &[String]) {
        let dir = self.dir.join(port.to_string());
        std::fs::create_dir_all(&dir).unwrap();
        let child = Command::new(program)
            .args(args)
            .current_dir(&dir)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| panic!("{program} starts: {e}"));
        self.children.push((port, child));
    }

    fn server(&mut self, port: u16, extra: &[&str]) {
        // A replica's first sync starts at once (Redis 7 waits 5 s for more replicas to share a diskless sync).
        let mut args: Vec<String> = ["--port", &port.to_string(), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--repl-diskless-sync-delay", "0"]
            .map(String::from)
            .to_vec();
        args.extend(extra.iter().map(|s| s.to_string()));
        self.spawn("redis-server", port, &args);
        wait_until(|| cli(port, &["PING"]).is_some_and(|r| r == "PONG"), "redis-server answers");
    }

    fn kill(&mut self, port: u16) {
        if let Some(i) = self.children.iter().position(|(p, _)| *p == port) {
            let (_, mut child) = self.children.remove(i);
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

impl Drop for Fleet {
    fn drop(&mut self) {
        for (_, child) in &mut self.children {
            let _ = child.kill();
            let _ = child.wait();
        }
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

fn cli(port: u16, args: &[&str]) -> Option<String> {
    let out = Command::new("redis-cli").args(["-h", "127.0.0.1", "-p", &port.to_string()]).args(args).stderr(Stdio::null()).output().ok()?;
    out.status.success().then(|| String::from_utf8_lossy(&out.stdout).trim().to_owned())
}

fn wait_until(mut ok: impl FnMut() -> bool, what: &str) {
    // Generous: a loaded CI machine (a build beside the tests) is slow, not broken.
    let until = Instant::now() + Duration::from_secs(60);
    while Instant::now() < until {
        if ok() {
            return;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    panic!("timed out waiting: {what}");
}

fn openssl(dir: &Path, args: &[&str]) {
    let ok = Command::new("openssl").args(args).current_dir(dir).stdout(Stdio::null()).stderr(Stdio::null()).status().is_ok_and(|s| s.success());
    assert!(ok, "openssl {args:?}");
}

/// A CA, a server certificate for 127.0.0.1/localhost and a client certificate, as PEM files in `dir`.
fn certificates(dir: &Path) {
    openssl(dir, &["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "ca.key", "-out", "ca.pem", "-days", "1", "-subj", "/CN=test-ca"]);
    std::fs::write(dir.join("san.ext"), "subjectAltName=IP:127.0.0.1,DNS:localhost\n").unwrap();
    for name in ["server", "client"] {
        openssl(dir, &["req", "-newkey", "rsa:2048", "-nodes", "-keyout", &format!("{name}.key"), "-out", &format!("{name}.csr"), "-subj", &format!("/CN={name}")]);
        openssl(dir, &[
            "x509", "-req", "-in", &format!("{name}.csr"), "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial", "-days", "1",
            "-extfile", "san.ext", "-out", &format!("{name}.pem"),
        ]);
    }
}

fn pem(dir: &Path, file: &str) -> String {
    std::fs::read_to_string(dir.join(file)).unwrap()
}

/// WeChat's token endpoint: counts requests, answers `token-<n>` after a while.
struct Wechat(AtomicUsize);

impl TokenSource for Wechat {
    fn fetch(&self, _rejected: Option<Secret>) -> BoxFuture<'static, Result<FreshToken, Error>> {
        let n = self.0.fetch_add(1, Ordering::SeqCst) + 1;
        async move {
            tokio::time::sleep(Duration::from_millis(30)).await;
            Ok(FreshToken { value: Secret::new(format!("token-{n}")), expires_in: Some(Duration::from_secs(7200)) })
        }
        .boxed()
    }
}

/// Cluster outages logged by any client in this test binary (a process that saw one may have refreshed on its own).
static OUTAGES: AtomicUsize = AtomicUsize::new(0);

fn client(raw: impl Fn() -> RawRedisOptions) -> Arc<Redis> {
    let config = RedisConfig::from_raw(raw()).unwrap();
    let health = Health::with_log(
        config.label.clone(),
        Box::new(|l| {
            eprintln!("{l}");
            if l.contains("Redis at cluster ") && l.contains("is unavailable") {
                OUTAGES.fetch_add(1, Ordering::SeqCst);
            }
        }),
    );
    Arc::new(Redis::with_health(config, health).unwrap())
}

fn cache(redis: &Arc<Redis>, wechat: &Arc<Wechat>, account: &str) -> TokenCache {
    let store = Arc::new(RedisStore::new(redis.clone()));
    TokenCache::new(Arc::new(SharedTokenSource::new(wechat.clone(), store, TokenKeys::of(access_token(account)), LockTimes::new(redis.config().lock_ttl, CALL_TIMEOUT))))
}

/// Four processes × 250 calls on a cold cache, for three accounts (an app, the component, one merchant):
/// one token request each.
async fn one_request_per_account(raw: impl Fn() -> RawRedisOptions) -> Vec<Arc<Redis>> {
    let redis: Vec<Arc<Redis>> = (0..4).map(|_| client(&raw)).collect();
    for account in ["wxapp", "wxcomponent", "wxcomponent:wxmerchant"] {
        let wechat = Arc::new(Wechat(AtomicUsize::new(0)));
        let caches: Vec<TokenCache> = redis.iter().map(|r| cache(r, &wechat, account)).collect();
        let calls = caches.iter().flat_map(|c| (0..250).map(move |_| c.get()));
        let tokens = futures::future::join_all(calls).await;
        assert!(tokens.iter().all(|t| t.as_ref().unwrap().expose() == "token-1"), "{account}: {:?}", tokens.iter().find(|t| t.is_err()));
        assert_eq!(wechat.0.load(Ordering::SeqCst), 1, "{account}: one token request");
    }
    redis
}

fn raw_url(url: String) -> impl Fn() -> RawRedisOptions {
    move || RawRedisOptions { url: Some(url.clone()), timeout: Some(2000.0), ..Default::default() }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tls_and_mutual_tls_share_one_token() {
    if !installed("tls_and_mutual_tls_share_one_token", &["redis-server", "redis-cli", "openssl"]) {
        return;
    }
    let mut fleet = Fleet::new("tls");
    let dir = fleet.dir.clone();
    certificates(&dir);
    let (tls_port, mtls_port) = (free_port(), free_port());
    for (port, auth) in [(tls_port, "no"), (mtls_port, "yes")] {
        let args: Vec<String> = [
            "--port", "0", "--tls-port", &port.to_string(), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
            "--tls-cert-file", &dir.join("server.pem").display().to_string(), "--tls-key-file", &dir.join("server.key").display().to_string(),
            "--tls-ca-cert-file", &dir.join("ca.pem").display().to_string(), "--tls-auth-clients", auth,
        ]
        .map(String::from)
        .to_vec();
        fleet.spawn("redis-server", port, &args);
    }
    let ca = pem(&dir, "ca.pem");
    let url = |port: u16| format!("rediss://127.0.0.1:{port}/0");
    wait_until(|| std::net::TcpStream::connect(("127.0.0.1", tls_port)).is_ok() && std::net::TcpStream::connect(("127.0.0.1", mtls_port)).is_ok(), "TLS ports");
    // CA only (server authentication).
    let tls = |port: u16| {
        let (url, ca) = (url(port), ca.clone());
        move || RawRedisOptions { url: Some(url.clone()), ca: Some(ca.clone()), timeout: Some(2000.0), ..Default::default() }
    };
    one_request_per_account(tls(tls_port)).await;
    // Mutual TLS: the client certificate is required; without it the server refuses.
    let (cert, key) = (pem(&dir, "client.pem"), pem(&dir, "client.key"));
    let mtls = {
        let (url, ca) = (url(mtls_port), ca.clone());
        move || RawRedisOptions { url: Some(url.clone()), ca: Some(ca.clone()), cert: Some(cert.clone()), key: Some(key.clone()), timeout: Some(2000.0), ..Default::default() }
    };
    one_request_per_account(mtls).await;
    let refused = client(tls(mtls_port));
    assert!(refused.query::<String>("ping", redis::cmd("PING")).await.is_err(), "no client certificate, no connection");
    // A server certificate from an unknown CA is refused too (system roots only).
    let untrusted = client(raw_url(url(tls_port)));
    assert!(untrusted.query::<String>("ping", redis::cmd("PING")).await.is_err(), "unknown CA");
}

/// A free port whose cluster bus port (port + 10000) is free and in range too.
fn cluster_port() -> u16 {
    loop {
        let port = 20000 + rand::random::<u16>() % 30000;
        let free = |p: u16| std::net::TcpListener::bind(("127.0.0.1", p)).is_ok();
        if free(port) && free(port + 10000) {
            return port;
        }
    }
}

/// A three-primary cluster with one replica each, on loopback, with a short node timeout.
fn cluster(fleet: &mut Fleet) -> Vec<u16> {
    let ports: Vec<u16> = (0..6).map(|_| cluster_port()).collect();
    for &port in &ports {
        fleet.server(port, &["--cluster-enabled", "yes", "--cluster-node-timeout", "1000", "--cluster-config-file", "nodes.conf"]);
    }
    let nodes: Vec<String> = ports.iter().map(|p| format!("127.0.0.1:{p}")).collect();
    let ok = Command::new("redis-cli")
        .args(["--cluster", "create"])
        .args(&nodes)
        .args(["--cluster-replicas", "1", "--cluster-yes"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    assert!(ok, "redis-cli --cluster create");
    wait_until(
        || ports.iter().all(|p| cli(*p, &["CLUSTER", "INFO"]).is_some_and(|i| i.contains("cluster_state:ok"))),
        "cluster_state:ok on every node",
    );
    ports
}

fn cluster_raw(ports: &[u16]) -> impl Fn() -> RawRedisOptions {
    let nodes: Vec<String> = ports[..3].iter().map(|p| format!("redis://127.0.0.1:{p}")).collect();
    move || RawRedisOptions { cluster: Some(nodes.clone()), timeout: Some(2000.0), ..Default::default() }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_cluster_shares_one_token_and_survives_a_primary_failover() {
    if !installed("a_cluster_shares_one_token", &["redis-server", "redis-cli"]) {
        return;
    }
    let mut fleet = Fleet::new("cluster");
    let ports = cluster(&mut fleet);
    let redis = one_request_per_account(cluster_raw(&ports)).await;
    // Every key of one account (token, lock) sits in the slot its hash tag names, across the three primaries.
    let keys = TokenKeys::of(access_token("wxapp"));
    let slot = |k: &str| cli(ports[0], &["CLUSTER", "KEYSLOT", k]).unwrap();
    assert_eq!(slot(&keys.token), slot(&keys.lock));

    // The primary holding wxapp's slot fails over to its replica (CLUSTER FAILOVER on the replica) while calls run.
    // The primary that owns the slot answers GET; the others answer MOVED. Its ROLE lists its replica.
    let probe = "wechat-openapi:{wxfailover}:access_token";
    let owner = *ports
        .iter()
        .find(|p| cli(**p, &["ROLE"]).is_some_and(|r| r.starts_with("master")) && cli(**p, &["GET", probe]).is_some_and(|r| !r.contains("MOVED")))
        .expect("the slot's primary");
    wait_until(|| cli(owner, &["ROLE"]).is_some_and(|r| r.lines().any(|l| l == "127.0.0.1")), "the primary has its replica");
    let role = cli(owner, &["ROLE"]).unwrap();
    let lines: Vec<&str> = role.lines().collect();
    let replica: u16 = lines.iter().position(|l| *l == "127.0.0.1").and_then(|i| lines.get(i + 1)?.parse().ok()).unwrap_or_else(|| panic!("its replica: {role:?}"));
    let wechat = Arc::new(Wechat(AtomicUsize::new(0)));
    let caches: Vec<TokenCache> = redis.iter().map(|r| cache(r, &wechat, "wxfailover")).collect();
    let first = caches[0].get().await.unwrap();
    assert_eq!(cli(replica, &["CLUSTER", "FAILOVER"]).as_deref(), Some("OK"));
    let until = Instant::now() + Duration::from_secs(3);
    let mut calls = 0;
    while Instant::now() < until {
        // Fresh caches each round make every round go to Redis.
        let round: Vec<TokenCache> = redis.iter().map(|r| cache(r, &wechat, "wxfailover")).collect();
        for c in &round {
            c.get().await.unwrap();
            calls += 1;
        }
        if cli(replica, &["ROLE"]).is_some_and(|r| r.starts_with("master")) && calls > 40 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert!(cli(replica, &["ROLE"]).is_some_and(|r| r.starts_with("master")), "the replica was promoted");
    // After the failover the token is still the shared one, read from the new primary.
    let after: Vec<TokenCache> = redis.iter().map(|r| cache(r, &wechat, "wxfailover")).collect();
    for c in &after {
        let token = c.get().await.unwrap();
        assert!(token == first || OUTAGES.load(Ordering::SeqCst) > 0, "the shared token after the failover");
    }
    // Normally none: the cluster client follows the failover. On an overloaded machine an operation may outlast
    // the timeout; then (and only then) that process logged an outage and refreshed on its own.
    let requests = wechat.0.load(Ordering::SeqCst);
    assert!(requests == 1 || OUTAGES.load(Ordering::SeqCst) > 0, "no process fetched its own token during the failover ({calls} calls, {requests} requests)");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sentinel_follows_a_failover_and_tokens_stay_shared() {
    if !installed("sentinel_follows_a_failover", &["redis-server", "redis-sentinel", "redis-cli"]) {
        return;
    }
    let mut fleet = Fleet::new("sentinel");
    let (primary, replica, sentinel) = (free_port(), free_port(), free_port());
    fleet.server(primary, &[]);
    fleet.server(replica, &["--replicaof", "127.0.0.1", &primary.to_string()]);
    wait_until(|| cli(replica, &["INFO", "replication"]).is_some_and(|i| i.contains("master_link_status:up")), "replica in sync");
    let conf = fleet.dir.join("sentinel.conf");
    std::fs::write(
        &conf,
        format!(
            "port {sentinel}\nbind 127.0.0.1\nsentinel monitor mymaster 127.0.0.1 {primary} 1\nsentinel down-after-milliseconds mymaster 300\nsentinel failover-timeout mymaster 2000\n"
        ),
    )
    .unwrap();
    fleet.spawn("redis-sentinel", sentinel, &[conf.display().to_string()]);
    wait_until(|| cli(sentinel, &["SENTINEL", "replicas", "mymaster"]).is_some_and(|r| r.contains(&replica.to_string())), "sentinel sees the replica");
    let raw = move || RawRedisOptions {
        sentinels: Some(vec![format!("redis://127.0.0.1:{sentinel}")]),
        name: Some("mymaster".into()),
        timeout: Some(2000.0),
        ..Default::default()
    };
    let redis = one_request_per_account(raw).await;
    let wechat = Arc::new(Wechat(AtomicUsize::new(0)));
    let first = cache(&redis[0], &wechat, "wxfailover").get().await.unwrap();
    wait_until(|| cli(replica, &["GET", "wechat-openapi:{wxfailover}:access_token"]).is_some_and(|v| v.contains("token-1")), "replicated");
    fleet.kill(primary);
    // Calls go on while Sentinel promotes the replica (a process may refresh on its own meanwhile).
    let started = Instant::now();
    while !cli(replica, &["ROLE"]).is_some_and(|r| r.starts_with("master")) {
        for r in &redis {
            assert!(cache(r, &wechat, "wxfailover").get().await.is_ok());
        }
        assert!(started.elapsed() < Duration::from_secs(15), "promoted in time");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    // Afterwards every process reads the primary Sentinel names now, and they share one token again.
    // Once Sentinel names the new primary, each process's next Redis operation reaches it (and ends the
    // outage for that process: until then it refreshes on its own).
    // Settled: the replica is the primary and no longer flagged down (what clients check).
    wait_until(
        || {
            cli(sentinel, &["SENTINEL", "master", "mymaster"]).is_some_and(|m| {
                let lines: Vec<&str> = m.lines().collect();
                let field = |name: &str| lines.chunks(2).find(|kv| kv[0] == name).and_then(|kv| kv.get(1).copied());
                field("port") == Some(replica.to_string().as_str()) && field("flags") == Some("master")
            })
        },
        "Sentinel names the replica, settled",
    );
    for r in &redis {
        let until = Instant::now() + Duration::from_secs(8);
        while r.query::<String>("ping", redis::cmd("PING")).await.is_err() {
            assert!(Instant::now() < until, "reconnected to the new primary");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
    let during = wechat.0.load(Ordering::SeqCst);
    let after: Vec<TokenCache> = redis.iter().map(|r| cache(r, &wechat, "wxfailover")).collect();
    let tokens = futures::future::join_all(after.iter().map(TokenCache::get)).await;
    let tokens: Vec<Secret> = tokens.into_iter().map(Result::unwrap).collect();
    assert!(tokens.iter().all(|t| t == &tokens[0]), "one shared token after the failover: {:?}", tokens.iter().map(Secret::expose).collect::<Vec<_>>());
    assert!(wechat.0.load(Ordering::SeqCst) <= during + 1);
    if during == 1 {
        assert_eq!(tokens[0], first);
    }
    // And the new primary takes writes.
    let fresh = Arc::new(Wechat(AtomicUsize::new(0)));
    let caches: Vec<TokenCache> = redis.iter().map(|r| cache(r, &fresh, "wxafter")).collect();
    let all = futures::future::join_all(caches.iter().flat_map(|c| (0..50).map(move |_| c.get()))).await;
    assert!(all.iter().all(Result::is_ok));
    assert_eq!(fresh.0.load(Ordering::SeqCst), 1);
}
