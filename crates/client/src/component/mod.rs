//! Third-party platform mode: the component identity of a client, its tokens, its authorizers' tokens, the
//! push intake and the authorization flow. One concern per file:
//! - `config`: the `component: {...}` option.
//! - `refresh_token`: an authorizer's refresh token in the store, and the hook told when it changes.
//! - `component_token`: the component_access_token source (ticket → token).
//! - `authorizer_token`: authorizer access tokens from refresh tokens, rotation, 61023 recovery.
//! - `calls`: the flows JS calls directly: pre-auth code, queryAuth, start ticket.
//! - `authorization`: when an authorizer's authorization last changed (state moves only forward in time).
//!
//! Every request goes through the exchange on its table row; these files add only the domain step.
//! - `push`: acting on pushes to the authorization-event URL (tickets, authorization events, fast
//!   registration), opened by the one push intake (`crate::push::receiver`).
//! - `auth_url`: the authorization page URL (a pure function).

pub mod auth_url;
mod authorization;
mod authorizer_token;
mod calls;
mod component_token;
pub mod config;
mod push;
mod refresh_token;

pub use push::PushReport;

use crate::error::Error;
use crate::exchange::Exchange;
use crate::push::receiver::{Envelope, Receiver};
use wechat_protocol::secret::Secret;
use crate::store::Store;
use crate::store::keys::TokenKeys;
use crate::store::keys;
use crate::token::{LockTimes, SharedTokenSource, TokenCache, TokenSource};
use authorizer_token::AuthorizerSource;
use component_token::ComponentSource;
use config::ComponentConfig;
use futures::future::BoxFuture;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

/// What the refresh-token hook is told: the user's own store may want the value (it is theirs to keep).
#[derive(Clone, Debug)]
pub struct RotatedRefreshToken {
    pub component_appid: String,
    pub authorizer_appid: String,
    pub refresh_token: Secret,
}

/// Called whenever an authorizer's stored refresh token changes (queryAuth, rotation, recovery).
pub type RefreshTokenHook = Arc<dyn Fn(RotatedRefreshToken) -> BoxFuture<'static, ()> + Send + Sync>;

/// What the token sources and flows share.
pub(crate) struct Core {
    pub appid: String,
    pub secret: Secret,
    /// The client's one road to WeChat: its retries, deadline and events apply to every flow here.
    pub exchange: Arc<Exchange>,
    pub store: Arc<dyn Store>,
    /// Set (to the lock's times) when the store locks across processes (Redis, a user's store with setIfAbsent):
    /// the component and authorizer tokens are then refreshed by one process at a time
    /// (`SharedTokenSource`'s lock-and-wait), like app tokens.
    pub lock: Option<LockTimes>,
    pub on_refresh_token: Option<RefreshTokenHook>,
    /// Scrubbed from every message that leaves.
    pub credentials: Vec<Secret>,
}

pub struct Component {
    core: Arc<Core>,
    tokens: TokenCache,
    /// One cache per authorizer, made on first use; single-flight and invalidate-if-same like app tokens.
    authorizers: Mutex<HashMap<String, TokenCache>>,
    /// The platform's own pushes to its authorization-event URL (`push`): encrypted XML only.
    events: Receiver,
    /// The authorizers' message pushes to the platform's `$APPID$` URL.
    messages: Receiver,
}

impl Component {
    pub fn new(
        config: &ComponentConfig,
        exchange: Arc<Exchange>,
        store: Arc<dyn Store>,
        lock: Option<LockTimes>,
        on_refresh_token: Option<RefreshTokenHook>,
    ) -> Component {
        let core = Arc::new(Core {
            appid: config.appid.clone(),
            secret: config.secret.clone(),
            exchange,
            store,
            lock,
            on_refresh_token,
            credentials: config.credentials.clone(),
        });
        let source = shared(&core, Arc::new(ComponentSource { core: core.clone() }), keys::component_token(&core.appid));
        let tokens = TokenCache::new(source);
        // Both intakes verify with the platform's token and key, and decrypt for its appid; with a store that
        // locks, they catch duplicates fleet-wide.
        let shared = core.lock.is_some().then(|| core.store.clone());
        let intake = |api| {
            Receiver::new(api, "component.pushMaxAgeSeconds", config.token.clone(), Some(config.crypt.clone()), config.push_max_age).sharing(shared.clone())
        };
        Component {
            core,
            tokens,
            authorizers: Mutex::new(HashMap::new()),
            events: intake("component.handlePush").taking(Envelope::EncryptedXml),
            messages: intake("component.handleMessage"),
        }
    }

    pub fn appid(&self) -> &str {
        &self.core.appid
    }

    /// The intake of the authorizers' message pushes (verified with this platform's token and key).
    pub fn messages(&self) -> &Receiver {
        &self.messages
    }

    /// The component_access_token cache.
    pub fn tokens(&self) -> &TokenCache {
        &self.tokens
    }

    /// The access-token cache of one authorizer, created on demand.
    pub fn authorizer_tokens(&self, authorizer_appid: &str) -> TokenCache {
        let mut caches = self.authorizers.lock().expect("authorizer caches lock");
        caches
            .entry(authorizer_appid.to_owned())
            .or_insert_with(|| {
                let source = Arc::new(AuthorizerSource {
                    core: self.core.clone(),
                    component_tokens: self.tokens.clone(),
                    authorizer_appid: authorizer_appid.to_owned(),
                });
                TokenCache::new(shared(&self.core, source, keys::authorizer_token(&self.core.appid, authorizer_appid)))
            })
            .clone()
    }

    /// Forgets the in-process token of an authorizer, so the next call reads the store again.
    fn forget_authorizer(&self, authorizer_appid: &str) {
        self.authorizers.lock().expect("authorizer caches lock").remove(authorizer_appid);
    }

    /// Secrets of this identity, for scrubbing messages.
    pub fn credentials(&self) -> &[Secret] {
        &self.core.credentials
    }
}

/// `inner` behind the token's own store key (`key`), read and written in the one token codec like an app's token:
/// with a store that locks, under the same lock-and-wait (on the key's `:lock`, which shares its hash tag).
fn shared(core: &Core, inner: Arc<dyn TokenSource>, key: String) -> Arc<dyn TokenSource> {
    Arc::new(match core.lock {
        Some(times) => SharedTokenSource::new(inner, core.store.clone(), TokenKeys::of(key), times),
        None => SharedTokenSource::unlocked(inner, core.store.clone(), key),
    })
}

/// The error every flow gives when the client has no component config.
pub fn not_configured(api: &str) -> Error {
    Error::invalid_argument(api, "this client has no third-party platform identity: give component: { appid, secret, token, encodingAesKey } to init or createClient")
        .with_category(crate::error::Category::Auth)
}

