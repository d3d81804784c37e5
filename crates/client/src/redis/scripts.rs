//! The Lua scripts: each compare-and-act runs atomically inside Redis, so no other process can slip in
//! between the comparison and the delete.

use std::sync::LazyLock;

/// Deletes KEYS[1] only if it holds exactly ARGV[1]: a lock holder whose lock expired (and was taken by another
/// process) must not release the other's lock, and a process holding a stale token must not throw away the
/// fresher one another process stored.
pub static DEL_IF_EQUAL: LazyLock<redis::Script> = LazyLock::new(|| {
    redis::Script::new(
        r"
if redis.call('GET', KEYS[1]) == ARGV[1] then
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

/// A push's claim: sets KEYS[1] to ARGV[1] with a TTL of ARGV[2] ms if it holds nothing, else returns what it
/// holds ("done", or another process's "running"), in one step so no process reads a claim half made.
pub static CLAIM: LazyLock<redis::Script> = LazyLock::new(|| {
    redis::Script::new(
        r"
local v = redis.call('GET', KEYS[1])
if v then
  return v
end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
return false",
    )
});

/// Sets KEYS[1] to ARGV[2] with a TTL of ARGV[3] ms only if it holds ARGV[1]: a push's claim becomes "done"
/// only while it is still this process's claim.
pub static REPLACE_IF_EQUAL: LazyLock<redis::Script> = LazyLock::new(|| {
    redis::Script::new(
        r"
if redis.call('GET', KEYS[1]) == ARGV[1] then
  redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[3])
  return 1
end
return 0",
    )
});
