//! Tests only: a real `redis-server` on a free loopback port, in a temp dir, stopped on drop. Without
//! `redis-server` on PATH the tests that need it say so and pass as skipped, except under CI (`CI` set), where
//! `.ci/run` installs it and its absence is a failure.

use super::config::{RawRedisOptions, RedisConfig};
use super::{Health, Redis};
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// A client for `url` whose log lines are collected rather than printed.
pub fn redis_at(url: &str, timeout_ms: f64) -> (Redis, Arc<Mutex<Vec<String>>>) {
    let raw = RawRedisOptions { url: Some(url.into()), timeout: Some(timeout_ms), ..Default::default() };
    let config = RedisConfig::from_raw(raw).unwrap();
    let lines = Arc::new(Mutex::new(Vec::new()));
    let sink = lines.clone();
    let health = Health::with_log(config.label.clone(), Box::new(move |l| sink.lock().unwrap().push(l.to_owned())));
    (Redis::with_health(config, health).unwrap(), lines)
}

pub struct TestRedis {
    child: Option<Child>,
    pub port: u16,
    dir: PathBuf,
    /// Append-only file on: data survives a restart.
    persist: bool,
}

pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).map(|a| a.port()).expect("a free port")
}

impl TestRedis {
    /// None (with a message) when `redis-server` is absent outside CI.
    pub fn start(test: &str) -> Option<TestRedis> {
        TestRedis::launch(test, false)
    }

    /// With the append-only file on, as a production Redis that must keep refresh tokens.
    pub fn start_persistent(test: &str) -> Option<TestRedis> {
        TestRedis::launch(test, true)
    }

    fn launch(test: &str, persist: bool) -> Option<TestRedis> {
        let found = Command::new("redis-server").arg("--version").stdout(Stdio::null()).status().is_ok_and(|s| s.success());
        if !found {
            assert!(std::env::var_os("CI").is_none(), "redis-server is required in CI (.ci/run installs it)");
            eprintln!("SKIPPED {test}: redis-server is not installed (apt-get install redis-server to run it)");
            return None;
        }
        let dir = std::env::temp_dir().join(format!("wechat-openapi-redis-{}-{}", std::process::id(), free_port()));
        std::fs::create_dir_all(&dir).expect("temp dir");
        let mut server = TestRedis { child: None, port: free_port(), dir, persist };
        server.resume();
        Some(server)
    }

    pub fn url(&self) -> String {
        format!("redis://127.0.0.1:{}/0", self.port)
    }

    /// Kills the server (like a crash or a stopped container).
    pub fn stop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// An ordinary restart's first half: SIGTERM, so Redis writes its data before it exits.
    pub fn shutdown(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = Command::new("kill").args(["-TERM", &child.id().to_string()]).status();
            let _ = child.wait();
        }
    }

    /// Starts it again on the same port, and waits until it answers.
    pub fn resume(&mut self) {
        let child = Command::new("redis-server")
            .args(["--port", &self.port.to_string(), "--bind", "127.0.0.1", "--save", ""])
            .args(["--appendonly", if self.persist { "yes" } else { "no" }])
            .arg("--dir")
            .arg(&self.dir)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("redis-server starts");
        self.child = Some(child);
        let until = Instant::now() + Duration::from_secs(10);
        while Instant::now() < until {
            if self.ping() {
                return;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        panic!("redis-server did not answer on port {}", self.port);
    }

    fn ping(&self) -> bool {
        let Ok(mut s) = TcpStream::connect(("127.0.0.1", self.port)) else { return false };
        let _ = s.set_read_timeout(Some(Duration::from_millis(200)));
        let mut buf = [0u8; 7];
        s.write_all(b"PING\r\n").is_ok() && s.read_exact(&mut buf).is_ok() && &buf == b"+PONG\r\n"
    }
}

impl Drop for TestRedis {
    fn drop(&mut self) {
        self.stop();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}
