//! `cloud.crypto`: WXBizMsgCrypt for the user's own message handlers, a thin handle over `wechat_protocol::crypto`.
//! Failures throw a `NativeError` (-601002, named `crypto.<method>`) whose text is the crypto error's (which
//! never holds key material); the facade wraps it in an `OpenApiError`.

use super::outcome::thrown;
use wechat_client::error::Error;
use wechat_protocol::crypto::open_data::decrypt_data;
use wechat_protocol::crypto::push_schema::type_message;
use wechat_protocol::crypto::{parse_tree, MsgCrypt, PushQuery, MAX_PUSH_XML_BYTES};
use napi::bindgen_prelude::Buffer;
use napi::Env;
use napi_derive::napi;
use std::collections::HashMap;

/// How a failure of `crypto.<method>` reaches JS.
fn invalid(env: &Env, method: &str, e: impl ToString) -> napi::Error {
    thrown(env, &Error::invalid_argument(&format!("crypto.{method}"), e.to_string()))
}

#[napi]
pub struct NativeMsgCrypt {
    inner: MsgCrypt,
}

#[napi(object)]
pub struct EncryptedPush {
    pub body: String,
    pub msg_signature: String,
}

#[napi]
impl NativeMsgCrypt {
    #[napi(constructor)]
    pub fn new(env: Env, token: String, encoding_aes_key: String, appid: String, previous_encoding_aes_key: Option<String>) -> napi::Result<Self> {
        let mut inner = MsgCrypt::new(&token, &encoding_aes_key, &appid).map_err(|e| invalid(&env, "MsgCrypt", e))?;
        if let Some(previous) = previous_encoding_aes_key {
            inner = inner.with_previous_key(&previous).map_err(|e| invalid(&env, "MsgCrypt", e))?;
        }
        Ok(NativeMsgCrypt { inner })
    }

    #[napi]
    pub fn signature(&self, timestamp: String, nonce: String, encrypt: Option<String>) -> String {
        self.inner.signature(&timestamp, &nonce, encrypt.as_deref())
    }

    /// Constant-time check of msg_signature (with `encrypt`) or the plain signature (without).
    #[napi]
    pub fn verify(&self, signature: String, timestamp: String, nonce: String, encrypt: Option<String>) -> bool {
        match encrypt {
            Some(e) => self.inner.verify_msg_signature(&signature, &timestamp, &nonce, &e),
            None => self.inner.verify_signature(&signature, &timestamp, &nonce),
        }
    }

    /// `random`: a 16-byte prefix for reproducible output (tests); random when absent.
    #[napi]
    pub fn encrypt(&self, env: Env, plaintext: String, random: Option<Buffer>) -> napi::Result<String> {
        match random {
            None => Ok(self.inner.encrypt(&plaintext)),
            Some(r) => {
                let r: [u8; 16] = r.to_vec().try_into().map_err(|_| invalid(&env, "encrypt", "random must be 16 bytes"))?;
                Ok(self.inner.encrypt_with_random(&r, &plaintext))
            }
        }
    }

    /// Decrypts an already-authenticated `Encrypt` value (current key, then the previous one).
    #[napi]
    pub fn decrypt(&self, env: Env, encrypt: String) -> napi::Result<String> {
        self.inner.decrypt(&encrypt).map_err(|e| invalid(&env, "decrypt", e))
    }

    /// Verifies msg_signature and decrypts a pushed body; returns the inner XML.
    #[napi]
    pub fn decrypt_push(&self, env: Env, query: HashMap<String, String>, body: String) -> napi::Result<String> {
        self.inner.decrypt_push(&PushQuery::from_pairs(query), &body).map_err(|e| invalid(&env, "decryptPush", e))
    }

    #[napi]
    pub fn encrypt_reply(&self, reply_xml: String, timestamp: String, nonce: String) -> String {
        self.inner.encrypt_reply(&reply_xml, &timestamp, &nonce)
    }

    /// A push as WeChat would send it to this configuration (for testing your own handler).
    #[napi]
    pub fn encrypt_push(&self, inner_xml: String, timestamp: String, nonce: String) -> EncryptedPush {
        let (body, msg_signature) = self.inner.encrypt_push(&inner_xml, &timestamp, &nonce);
        EncryptedPush { body, msg_signature }
    }

    /// URL verification: the echostr to answer (decrypted in safe mode).
    #[napi]
    pub fn verify_url(&self, env: Env, query: HashMap<String, String>) -> napi::Result<String> {
        self.inner.verify_url(&PushQuery::from_pairs(query)).map_err(|e| invalid(&env, "verifyUrl", e))
    }
}

/// hex(sha1(sorted parts joined)).
#[napi]
pub fn crypto_sign(parts: Vec<String>) -> String {
    MsgCrypt::sign(&parts.iter().map(String::as_str).collect::<Vec<_>>())
}

/// A pushed `<xml>` message as JSON text: every element kept (repeated ones as arrays), documented numbers
/// typed (DTD-free, size-capped).
#[napi]
pub fn crypto_parse_xml(env: Env, xml: String) -> napi::Result<String> {
    let mut tree = parse_tree(&xml, MAX_PUSH_XML_BYTES).map_err(|e| invalid(&env, "parseXml", e))?;
    type_message(&mut tree);
    Ok(serde_json::Value::Object(tree).to_string())
}

/// `cloud.crypto.decryptData`: a mini program user's open data (AES-128-CBC under their session key) as JSON text,
/// once its watermark names `appid`.
#[napi]
pub fn crypto_decrypt_data(env: Env, session_key: String, encrypted_data: String, iv: String, appid: String) -> napi::Result<String> {
    decrypt_data(&session_key, &encrypted_data, &iv, &appid).map(|v| v.to_string()).map_err(|e| invalid(&env, "decryptData", e))
}
