//! The name a push is known by: HMAC-SHA256 keyed with the push token over the account and the authenticated
//! content. The same in every process of a fleet (so a retry reaching another process is recognised), and it
//! says nothing about the push to whoever reads the store.

use hmac::{Hmac, Mac};
use sha2::Sha256;
use wechat_protocol::secret::Secret;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct PushKey([u8; 32]);

impl PushKey {
    /// `appid`: the account the push is about (an authorizer's pushes share the platform's token).
    pub fn of(token: &Secret, appid: &str, content: &str) -> PushKey {
        let mut mac = Hmac::<Sha256>::new_from_slice(token.expose().as_bytes()).expect("HMAC takes any key length");
        for part in [appid.as_bytes(), b"\0", content.as_bytes()] {
            mac.update(part);
        }
        PushKey(mac.finalize().into_bytes().into())
    }

    /// The key as JS holds it (and hands back to settle the push).
    pub fn to_text(self) -> String {
        hex::encode(self.0)
    }

    pub fn parse(text: &str) -> Option<PushKey> {
        let mut bytes = [0u8; 32];
        hex::decode_to_slice(text, &mut bytes).ok()?;
        Some(PushKey(bytes))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_same_everywhere_keyed_by_the_token_and_readable_back() {
        let token = Secret::new("tok".to_owned());
        let key = PushKey::of(&token, "wxa", "<xml/>");
        assert_eq!(key, PushKey::of(&Secret::new("tok".to_owned()), "wxa", "<xml/>"), "no per-process seed");
        assert_ne!(key, PushKey::of(&Secret::new("other".to_owned()), "wxa", "<xml/>"));
        assert_ne!(key, PushKey::of(&token, "wxb", "<xml/>"));
        // Checked against Python's hmac: HMAC-SHA256(b"tok", b"wxa\0<xml/>").
        assert_eq!(key.to_text(), "90901eaa085913b7ffcd3a66b23c42df4afb60b52a3ad43ee74b47ffc15752d6");
        assert_eq!(PushKey::parse(&key.to_text()), Some(key));
        assert_eq!(PushKey::parse("nope"), None);
    }
}
