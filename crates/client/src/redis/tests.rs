//! The store's lock operations against a real redis-server, and the bounds on a dead or silent one.

use super::test_server::{free_port, redis_at, TestRedis};
use super::{Redis, RedisStore};
use crate::store::Store;
use std::sync::Arc;
use std::time::{Duration, Instant};

async fn get(redis: &Redis, key: &str) -> Option<String> {
    let mut cmd = redis::cmd("GET");
    cmd.arg(key);
    redis.query("get", cmd).await.unwrap()
}

async fn set(redis: &Redis, key: &str, value: &str) {
    let mut cmd = redis::cmd("SET");
    cmd.arg(key).arg(value);
    redis.query::<()>("set", cmd).await.unwrap()
}

#[tokio::test]
async fn set_if_absent_is_exclusive_and_expires_and_del_if_deletes_only_what_it_names() {
    let Some(server) = TestRedis::start("set_if_absent_is_exclusive") else { return };
    let (redis, _) = redis_at(&server.url(), 500.0);
    let redis = Arc::new(redis);
    let store = RedisStore::new(redis.clone());
    let lock = "wechat-openapi:{wx1}:access_token:lock";
    assert!(store.locks());
    assert!(store.set_if_absent(lock, "first", Duration::from_millis(200)).await.unwrap(), "free");
    assert!(!store.set_if_absent(lock, "other", Duration::from_secs(5)).await.unwrap(), "held");
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(store.set_if_absent(lock, "second", Duration::from_secs(5)).await.unwrap(), "an expired lock is free");
    assert!(!store.del_if(lock, "first").await.unwrap(), "a holder whose lock expired cannot release the next holder's");
    assert_eq!(get(&redis, lock).await.as_deref(), Some("second"));
    assert!(store.del_if(lock, "second").await.unwrap());
    assert_eq!(get(&redis, lock).await, None);
    assert!(!store.del_if(lock, "second").await.unwrap(), "absent");
}

#[tokio::test]
async fn only_a_lock_without_a_ttl_is_repaired() {
    let Some(server) = TestRedis::start("only_a_lock_without_a_ttl_is_repaired") else { return };
    let (redis, _) = redis_at(&server.url(), 500.0);
    let redis = Arc::new(redis);
    let store = RedisStore::new(redis.clone());
    let lock = "wechat-openapi:{wx1}:access_token:lock";
    assert!(store.set_if_absent(lock, "ours", Duration::from_secs(5)).await.unwrap());
    assert!(!store.repair_lock(lock).await.unwrap(), "a lock with a TTL is a holder's");
    store.del_if(lock, "ours").await.unwrap();
    set(&redis, lock, "left-without-ttl").await;
    assert!(store.repair_lock(lock).await.unwrap());
    assert_eq!(get(&redis, lock).await, None);
}

#[tokio::test]
async fn a_dead_redis_fails_fast_and_is_logged_once() {
    let (redis, lines) = redis_at(&format!("redis://127.0.0.1:{}/0", free_port()), 300.0);
    let started = Instant::now();
    let err = redis.query::<Option<String>>("read token", redis::cmd("PING")).await.unwrap_err();
    assert!(started.elapsed() < Duration::from_millis(400), "took {:?}", started.elapsed());
    assert_eq!(err.code, crate::error::sdk_code::NETWORK);
    assert!(err.message.starts_with("Redis read token failed: "), "{}", err.message);
    assert!(!redis.available(), "backing off");
    let _ = redis.query::<()>("again", redis::cmd("PING")).await;
    assert_eq!(lines.lock().unwrap().len(), 1);
}

#[tokio::test]
async fn a_silent_redis_costs_at_most_the_operation_timeout() {
    // Accepts connections and never answers: a hung server or a black-holed network.
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    tokio::spawn(async move {
        let mut held = Vec::new();
        while let Ok((socket, _)) = listener.accept().await {
            held.push(socket);
        }
    });
    let (redis, lines) = redis_at(&format!("redis://:pw-secret-123@127.0.0.1:{port}/0"), 200.0);
    let started = Instant::now();
    let err = redis.query::<()>("read token", redis::cmd("PING")).await.unwrap_err();
    let took = started.elapsed();
    assert!(took >= Duration::from_millis(190) && took < Duration::from_millis(400), "took {took:?}");
    assert_eq!(err.message, "Redis read token failed: no answer within 200 ms");
    let line = lines.lock().unwrap()[0].clone();
    assert!(line.contains("redis://:***@127.0.0.1:") && !line.contains("pw-secret-123"), "{line}");
}
