//! The refresh lock: `SET key <random> NX PX ttl` to take it, compare-and-delete to release it. A holder that
//! dies leaves a lock that expires on its own, and another process then refreshes.

use super::conn::Redis;
use super::scripts::{DROP_LOCK_WITHOUT_TTL, RELEASE_LOCK};
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
        // Always with PX (at least 1 ms): a lock without a TTL would outlive a holder that dies.
        let ttl_ms = u64::try_from(ttl.as_millis()).unwrap_or(u64::MAX).max(1);
        cmd.arg(key).arg(&value).arg("NX").arg("PX").arg(ttl_ms);
        let set: Option<String> = redis.query("lock", cmd).await?;
        Ok(set.map(|_| Lock { key: key.to_owned(), value }))
    }

    /// Deletes the lock at `key` if it has no TTL (see [`DROP_LOCK_WITHOUT_TTL`]); true if it did.
    pub async fn drop_if_without_ttl(redis: &Redis, key: &str) -> Result<bool, Error> {
        let deleted: i64 = redis
            .run("repair lock", |mut conn| {
                let key = key.to_owned();
                async move { DROP_LOCK_WITHOUT_TTL.key(key).invoke_async(&mut conn).await }
            })
            .await?;
        Ok(deleted == 1)
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
