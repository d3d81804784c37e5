//! When an authorizer's authorization last changed, so that state moves only forward in time. WeChat delivers a
//! push again until it is answered `success`, so an `unauthorized` push stamped before a re-authorization can
//! arrive after it; acted on, it would delete the new refresh token and every call for that merchant would fail
//! with 61023. Each change records its stamp; a push stamped earlier than the recorded one changes nothing.

use super::Core;
use crate::error::Error;
use crate::store::{keys, Store};

/// Whether `key` records a change stamped later than `stamp` (Unix seconds): a push older than what the store
/// already reflects changes nothing. The tickets' `CreateTime` and the authorizations' are read through this.
pub(super) async fn recorded_later(store: &dyn Store, key: &str, stamp: i64) -> Result<bool, Error> {
    let recorded = store.get(key).await?.and_then(|t| t.trim().parse::<i64>().ok());
    Ok(recorded.is_some_and(|t| t > stamp))
}

/// Records `stamp` (Unix seconds) as the authorizer's latest change unless a later one is recorded: true when
/// this change is the latest (act on it), false when it is stale.
pub(super) async fn advance(core: &Core, authorizer: &str, stamp: i64) -> Result<bool, Error> {
    let key = keys::authorization_time(&core.appid, authorizer);
    if recorded_later(core.store.as_ref(), &key, stamp).await? {
        return Ok(false);
    }
    core.store.set(&key, &stamp.to_string(), None).await?;
    Ok(true)
}
