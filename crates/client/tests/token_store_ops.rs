//! What one token refresh asks of a store that locks (Redis, a user's store with setIfAbsent — where every
//! operation of a user's store is a round trip to JS): for an app token, a component token and an authorizer
//! token alike, the token's key is read once to learn a refresh is needed, then, under the refresh lock, read
//! once more (another process may have stored one meanwhile) and written once. A counting store around the
//! memory store records every operation; WeChat is a scripted server.

mod support;

use futures::future::BoxFuture;
use serde_json::json;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use support::{scripted, COMPONENT, COMPONENT_SECRET, KEY, PUSH_TOKEN};
use wechat_client::client::config::ClientConfig;
use wechat_client::client::{Bridges, Client};
use wechat_client::error::Error;
use wechat_client::store::{keys, MemoryStore, Store};

const APPID: &str = "wxapp000000000001";
const MERCHANT: &str = "wxmerchant00000001";

/// The memory store, with every operation logged as `op key`; locking, or (`unlocked`) not.
#[derive(Default)]
struct Counting {
    inner: MemoryStore,
    log: Mutex<Vec<String>>,
    unlocked: bool,
}

impl Counting {
    fn note(&self, op: &str, key: &str) {
        self.log.lock().unwrap().push(format!("{op} {key}"));
    }

    fn take(&self) -> Vec<String> {
        std::mem::take(&mut *self.log.lock().unwrap())
    }
}

impl Store for Counting {
    fn get(&self, key: &str) -> BoxFuture<'static, Result<Option<String>, Error>> {
        self.note("get", key);
        self.inner.get(key)
    }
    fn set(&self, key: &str, value: &str, ttl: Option<Duration>) -> BoxFuture<'static, Result<(), Error>> {
        self.note("set", key);
        self.inner.set(key, value, ttl)
    }
    fn del(&self, key: &str) -> BoxFuture<'static, Result<(), Error>> {
        self.note("del", key);
        self.inner.del(key)
    }
    fn compare_and_set<'a>(&'a self, key: &'a str, expected: &'a str, value: &'a str) -> BoxFuture<'a, Result<bool, Error>> {
        self.note("compareAndSet", key);
        self.inner.compare_and_set(key, expected, value)
    }
    fn locks(&self) -> bool {
        !self.unlocked
    }
    fn set_if_absent<'a>(&'a self, key: &'a str, value: &'a str, ttl: Duration) -> BoxFuture<'a, Result<bool, Error>> {
        self.note("setIfAbsent", key);
        self.inner.set_if_absent(key, value, ttl)
    }
    fn del_if<'a>(&'a self, key: &'a str, expected: &'a str) -> BoxFuture<'a, Result<bool, Error>> {
        self.note("delIf", key);
        self.inner.del_if(key, expected)
    }
}

/// WeChat's token endpoints, each answering a new token.
async fn wechat() -> support::Scripted {
    let n = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    scripted(move |name, _| {
        let n = n.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        match name {
            "stable_token" | "token" => json!({ "access_token": format!("app-{n}"), "expires_in": 7200 }),
            "api_component_token" => json!({ "component_access_token": format!("component-{n}"), "expires_in": 7200 }),
            "api_authorizer_token" => {
                json!({ "authorizer_access_token": format!("authorizer-{n}"), "expires_in": 7200, "authorizer_refresh_token": "refresh-1" })
            }
            _ => json!({ "errcode": -1, "errmsg": "not scripted" }),
        }
    })
    .await
}

fn client(api_base: &str, store: &Arc<Counting>) -> Client {
    let config = format!(
        r#"{{"apiBase":"{api_base}","appid":"{APPID}","secret":"appsecret","component":{{"appid":"{COMPONENT}","secret":"{COMPONENT_SECRET}","token":"{PUSH_TOKEN}","encodingAesKey":"{KEY}"}}}}"#
    );
    let bridges = Bridges { store: Some(store.clone() as Arc<dyn Store>), ..Bridges::default() };
    Client::with_bridges(ClientConfig::from_json(&config).unwrap(), bridges).unwrap()
}

/// The operations of `log` on `key` (and its lock), as `op key-suffix`.
fn on(log: &[String], key: &str) -> Vec<String> {
    log.iter().filter(|l| l.ends_with(key) || l.ends_with(&format!("{key}:lock"))).map(|l| l.replace(key, "<key>")).collect()
}

/// Under a lock: read (a refresh is needed), take the lock, read again, fetch, write, release.
fn one_refresh() -> Vec<String> {
    ["get <key>", "setIfAbsent <key>:lock", "get <key>", "set <key>", "delIf <key>:lock"].map(String::from).to_vec()
}

#[tokio::test]
async fn a_refresh_reads_the_token_key_once_under_the_lock_and_writes_it_once() {
    let wechat = wechat().await;
    let store = Arc::new(Counting::default());
    store.inner.set(&keys::ticket(COMPONENT), "ticket@1", None).await.unwrap();
    store.inner.set(&keys::refresh_token(COMPONENT, MERCHANT), "refresh-0", None).await.unwrap();
    let c = client(&wechat.url, &store);

    c.app_tokens().unwrap().get().await.unwrap();
    let app = store.take();
    println!("app token refresh: {app:?}");
    assert_eq!(on(&app, &keys::access_token(APPID)), one_refresh(), "{app:?}");

    let component = c.component("test").unwrap();
    component.tokens().get().await.unwrap();
    let platform = store.take();
    println!("component token refresh: {platform:?}");
    assert_eq!(on(&platform, &keys::component_token(COMPONENT)), one_refresh(), "{platform:?}");
    assert_eq!(platform.len(), one_refresh().len() + 1, "and the ticket: {platform:?}");

    component.authorizer_tokens(MERCHANT).get().await.unwrap();
    let merchant = store.take();
    println!("authorizer token refresh: {merchant:?}");
    assert_eq!(on(&merchant, &keys::authorizer_token(COMPONENT, MERCHANT)), one_refresh(), "{merchant:?}");
    // And the refresh token: read, then its rotation written (compare-and-set) before the access token is used.
    let refresh = keys::refresh_token(COMPONENT, MERCHANT);
    assert_eq!(on(&merchant, &refresh), ["get <key>", "compareAndSet <key>"], "{merchant:?}");
    assert_eq!(merchant.len(), one_refresh().len() + 2, "{merchant:?}");
    assert_eq!((wechat.hits("stable_token"), wechat.hits("api_component_token"), wechat.hits("api_authorizer_token")), (1, 1, 1));
}

/// Records written before the token codecs were one (`{"token","expiresAt"}`, no `refreshAt`) are still read: a
/// fleet upgrading keeps its tokens.
#[tokio::test]
async fn a_record_without_refresh_at_is_still_used() {
    let wechat = wechat().await;
    let store = Arc::new(Counting::default());
    let expires_at = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_millis() as u64 + 3_600_000;
    let old = |token: &str| format!(r#"{{"token":"{token}","expiresAt":{expires_at}}}"#);
    store.inner.set(&keys::component_token(COMPONENT), &old("component-old"), None).await.unwrap();
    store.inner.set(&keys::authorizer_token(COMPONENT, MERCHANT), &old("authorizer-old"), None).await.unwrap();
    let c = client(&wechat.url, &store);
    let component = c.component("test").unwrap();
    assert_eq!(component.tokens().get().await.unwrap().expose(), "component-old");
    assert_eq!(component.authorizer_tokens(MERCHANT).get().await.unwrap().expose(), "authorizer-old");
    assert_eq!(store.take().len(), 2, "one read each");
    assert_eq!((wechat.hits("api_component_token"), wechat.hits("api_authorizer_token")), (0, 0));
}

/// A store that cannot lock (a user's store without setIfAbsent): the platform's tokens are still kept there,
/// read once and written once per refresh, without a lock; a rejected one is deleted if it is still stored.
#[tokio::test]
async fn without_a_lock_a_refresh_reads_once_and_writes_once() {
    let wechat = wechat().await;
    let store = Arc::new(Counting { unlocked: true, ..Counting::default() });
    store.inner.set(&keys::ticket(COMPONENT), "ticket@1", None).await.unwrap();
    let c = client(&wechat.url, &store);
    let tokens = c.component("test").unwrap().tokens();
    let first = tokens.get().await.unwrap();
    let platform = store.take();
    let key = keys::component_token(COMPONENT);
    assert_eq!(on(&platform, &key), ["get <key>", "set <key>"], "{platform:?}");
    assert_eq!(platform.len(), 3, "and the ticket: {platform:?}");
    let second = tokens.replace_rejected(&first).await.unwrap();
    assert_ne!(first, second);
    assert_eq!(on(&store.take(), &key), ["get <key>", "del <key>", "get <key>", "set <key>"]);
    assert!(store.inner.get(&key).await.unwrap().unwrap().contains(second.expose()));
}
