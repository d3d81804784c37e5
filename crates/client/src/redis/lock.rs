//! The refresh lock: `SET key <random> NX PX ttl` to take it, compare-and-delete to release it. A holder that
//! dies leaves a lock that expires on its own, and another process then refreshes.

use super::conn::Redis;
use super::scripts::RELEASE_LOCK;
use crate::error::Error;
use std::time::Duration;

#[derive(Debug)]
pub struct Lock {
    key: String,
    /// Random per acquisition, so only this holder can release it.
    value: String,
}

impl Lock {
    /// Takes the lock if nobody holds it.
    pub async fn try_acquire(redis: &Redis, key: &str, ttl: Duration) -> Result<Option<Lock>, Error> {
        let value = hex::encode(rand::random::<[u8; 16]>());
        let mut cmd = redis::cmd("SET");
        cmd.arg(key).arg(&value).arg("NX").arg("PX").arg(ttl.as_millis() as u64);
        let set: Option<String> = redis.query("lock", cmd).await?;
        Ok(set.map(|_| Lock { key: key.to_owned(), value }))
    }

    /// True if it was still ours.
    pub async fn release(self, redis: &Redis) -> Result<bool, Error> {
        let deleted: i64 = redis
            .run("unlock", |mut conn| {
                let (key, value) = (self.key.clone(), self.value.clone());
                async move { RELEASE_LOCK.key(key).arg(value).invoke_async(&mut conn).await }
            })
            .await?;
        Ok(deleted == 1)
    }
}
