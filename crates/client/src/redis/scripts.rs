//! The Lua scripts: each compare-and-act runs atomically inside Redis, so no other process can slip in
//! between the comparison and the delete.

use std::sync::LazyLock;

/// Deletes the lock only if it still holds our random value: a holder whose lock expired (and was taken by
/// another process) must not release the other's lock.
pub static RELEASE_LOCK: LazyLock<redis::Script> = LazyLock::new(|| {
    redis::Script::new(
        r"
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('DEL', KEYS[1])
end
return 0",
    )
});

/// Deletes the shared token only if it is still the one WeChat rejected: a process holding a stale token must
/// not throw away the fresher one another process stored. The value is `{"token":…,"expiresAt":…}`.
pub static FORGET_TOKEN: LazyLock<redis::Script> = LazyLock::new(|| {
    redis::Script::new(
        r"
local v = redis.call('GET', KEYS[1])
if not v then return 0 end
local ok, stored = pcall(cjson.decode, v)
if ok and type(stored) == 'table' and stored.token == ARGV[1] then
  return redis.call('DEL', KEYS[1])
end
return 0",
    )
});

/// Deletes the lock only if it has no TTL (`PTTL` -1). Our locks are always set with `PX`, so a lock without one
/// was left by something else (a `SET` without `PX`, a `PERSIST`) and would otherwise stop every refresh until
/// the waiters give up.
pub static DROP_LOCK_WITHOUT_TTL: LazyLock<redis::Script> = LazyLock::new(|| {
    redis::Script::new(
        r"
if redis.call('PTTL', KEYS[1]) == -1 then
  return redis.call('DEL', KEYS[1])
end
return 0",
    )
});

/// Sets KEYS[1] to ARGV[2] (no TTL) only if it holds ARGV[1] or nothing: a rotated refresh token replaces only
/// the one it was rotated from, so a process that rotated an older token cannot overwrite a newer one.
pub static SET_IF_UNCHANGED: LazyLock<redis::Script> = LazyLock::new(|| {
    redis::Script::new(
        r"
local v = redis.call('GET', KEYS[1])
if v == false or v == ARGV[1] then
  redis.call('SET', KEYS[1], ARGV[2])
  return 1
end
return 0",
    )
});
