//! An authorizer's refresh token in the store (no TTL: it is the one credential that cannot be fetched again
//! without the merchant), and the hook told whenever it changes. Used by queryAuth and by the token source.

use super::{Core, RotatedRefreshToken};
use crate::error::Error;
use crate::store::keys;
use std::time::Duration;
use wechat_protocol::secret::Secret;

/// How long a refresh-token hook is waited for. Bounded, because a hook that calls an API on behalf of the
/// same authorizer would otherwise wait for the very refresh that is waiting for it.
const HOOK_WAIT: Duration = Duration::from_secs(10);

/// Stores `current` as the authorizer's refresh token (no TTL), and tells the hook when it changed. A token
/// rotated from `previous` is written with compare-and-set: if the store already holds another one (a newer
/// rotation by another process), that one is kept.
pub(super) async fn save(core: &Core, appid: &str, previous: Option<&str>, current: &str) -> Result<(), Error> {
    let key = keys::refresh_token(&core.appid, appid);
    let saved = match previous {
        Some(previous) if previous != current => match core.store.compare_and_set(&key, previous, current).await {
            // Someone stored a newer token meanwhile: it stays, and there is nothing new to tell.
            Ok(false) => return Ok(()),
            other => other.map(|_| ()),
        },
        Some(_) => Ok(()),
        None => core.store.set(&key, current, None).await,
    };
    if previous != Some(current) {
        if let Some(hook) = &core.on_refresh_token {
            // Told even when the store failed: the hook may be the user's last chance to keep it.
            let told = hook(RotatedRefreshToken {
                component_appid: core.appid.clone(),
                authorizer_appid: appid.to_owned(),
                refresh_token: Secret::new(current),
            });
            let _ = tokio::time::timeout(HOOK_WAIT, told).await;
        }
    }
    saved.map_err(|e| Error { message: format!("could not save the refresh token of authorizer {appid}: {}", e.message), ..e })
}
