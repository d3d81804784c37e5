//! The lock and the scripts against a real redis-server, and the bounds on a dead or silent one.

use super::test_server::{free_port, redis_at, TestRedis};
use super::{Lock, Redis, FORGET_TOKEN};
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
async fn the_lock_is_exclusive_expires_and_is_released_only_by_its_holder() {
    let Some(server) = TestRedis::start("the_lock_is_exclusive") else { return };
    let (redis, _) = redis_at(&server.url(), 500.0);
    let first = Lock::try_acquire(&redis, "t:{wx1}:lock", Duration::from_millis(200)).await.unwrap().expect("free lock");
    assert!(Lock::try_acquire(&redis, "t:{wx1}:lock", Duration::from_secs(5)).await.unwrap().is_none(), "held");
    tokio::time::sleep(Duration::from_millis(300)).await;
    let second = Lock::try_acquire(&redis, "t:{wx1}:lock", Duration::from_secs(5)).await.unwrap().expect("expired lock is free");
    let second_value = get(&redis, "t:{wx1}:lock").await.unwrap();
    assert!(!first.release(&redis).await.unwrap(), "a holder whose lock expired cannot release the new holder's lock");
    assert_eq!(get(&redis, "t:{wx1}:lock").await.as_deref(), Some(second_value.as_str()));
    assert!(second.release(&redis).await.unwrap());
    assert_eq!(get(&redis, "t:{wx1}:lock").await, None);
}

#[tokio::test]
async fn forget_token_deletes_only_the_rejected_token() {
    let Some(server) = TestRedis::start("forget_token_deletes_only_the_rejected_token") else { return };
    let (redis, _) = redis_at(&server.url(), 500.0);
    let forget = |token: &'static str| {
        redis.run("forget", move |mut conn| async move { FORGET_TOKEN.key("t:{wx1}:access_token").arg(token).invoke_async::<i64>(&mut conn).await })
    };
    set(&redis, "t:{wx1}:access_token", r#"{"token":"FRESH-2","expiresAt":1}"#).await;
    assert_eq!(forget("STALE-1").await.unwrap(), 0);
    assert_eq!(get(&redis, "t:{wx1}:access_token").await.as_deref(), Some(r#"{"token":"FRESH-2","expiresAt":1}"#));
    assert_eq!(forget("FRESH-2").await.unwrap(), 1);
    assert_eq!(get(&redis, "t:{wx1}:access_token").await, None);
    assert_eq!(forget("FRESH-2").await.unwrap(), 0, "absent");
    set(&redis, "t:{wx1}:access_token", "not json").await;
    assert_eq!(forget("not json").await.unwrap(), 0, "unreadable values are left alone");
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
