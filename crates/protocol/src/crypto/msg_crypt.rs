//! WXBizMsgCrypt: WeChat's message signature and AES envelope (REFERENCE.md section 4).
//!
//! - AESKey = base64(EncodingAESKey + "="), 32 bytes; AES-256-CBC with IV = AESKey[..16] and no
//!   cipher-level padding.
//! - Plaintext = random(16) ‖ u32 BE len(msg) ‖ msg ‖ appid, PKCS#7-padded to a multiple of 32.
//! - msg_signature = hex(sha1(concat(sorted([token, timestamp, nonce, Encrypt])))).
//!
//! CBC has no integrity of its own: only the signature authenticates a push, so every entry point
//! that takes network input checks the signature before decrypting. `decrypt` alone is for
//! already-authenticated ciphertext (or tests).

use std::fmt;

use aes::Aes256;
use base64::alphabet;
use base64::engine::general_purpose::{GeneralPurpose, GeneralPurposeConfig, STANDARD};
use base64::engine::DecodePaddingMode;
use base64::Engine;
use cbc::cipher::block_padding::NoPadding;
use cbc::cipher::{BlockDecryptMut, BlockEncryptMut, KeyIvInit};
use rand::RngCore;
use sha1::{Digest, Sha1};
use subtle::ConstantTimeEq;

use crate::crypto::push_xml::{parse_flat, push_cdata, push_text, MAX_PUSH_XML_BYTES};
use crate::crypto::CryptoError;

/// Largest base64 ciphertext `decrypt` accepts; matches the push-body limit.
pub const MAX_ENCRYPT_LEN: usize = MAX_PUSH_XML_BYTES;

/// WeChat's block size for PKCS#7 here is 32 (not AES's 16).
const PAD_BLOCK: usize = 32;

/// EncodingAESKey decoder. Lenient about the last character's two unused bits: the WeChat console
/// generates 43 random alphanumerics, so ~3 in 4 real keys (including Tencent's own sample key
/// `abc...ABCDEFG`) are non-canonical base64 that a strict decoder would refuse.
const KEY_B64: GeneralPurpose = GeneralPurpose::new(
    &alphabet::STANDARD,
    GeneralPurposeConfig::new()
        .with_decode_allow_trailing_bits(true)
        .with_decode_padding_mode(DecodePaddingMode::Indifferent),
);

fn decode_key(encoding_aes_key: &str) -> Result<[u8; 32], CryptoError> {
    if encoding_aes_key.len() != 43 {
        return Err(CryptoError::BadKey);
    }
    let bytes = KEY_B64
        .decode(encoding_aes_key)
        .map_err(|_| CryptoError::BadKey)?;
    bytes.try_into().map_err(|_| CryptoError::BadKey)
}

/// Query parameters of a push (POST) or URL-verification (GET) request, already percent-decoded.
/// Note that a base64 `echostr` contains `+`: decode it as a query component, not as a form
/// field where `+` means space.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PushQuery {
    pub timestamp: String,
    pub nonce: String,
    pub msg_signature: Option<String>,
    pub signature: Option<String>,
    pub encrypt_type: Option<String>,
    pub echostr: Option<String>,
}

impl PushQuery {
    /// Collects the known parameters from decoded `(name, value)` pairs; others are ignored, and the
    /// first occurrence of a name wins.
    pub fn from_pairs<I, K, V>(pairs: I) -> PushQuery
    where
        I: IntoIterator<Item = (K, V)>,
        K: AsRef<str>,
        V: Into<String>,
    {
        let mut q = PushQuery::default();
        let (mut ts, mut nonce) = (None, None);
        for (k, v) in pairs {
            let slot = match k.as_ref() {
                "timestamp" => &mut ts,
                "nonce" => &mut nonce,
                "msg_signature" => &mut q.msg_signature,
                "signature" => &mut q.signature,
                "encrypt_type" => &mut q.encrypt_type,
                "echostr" => &mut q.echostr,
                _ => continue,
            };
            if slot.is_none() {
                *slot = Some(v.into());
            }
        }
        q.timestamp = ts.unwrap_or_default();
        q.nonce = nonce.unwrap_or_default();
        q
    }

    fn check_ts_nonce(&self) -> Result<(), CryptoError> {
        if self.timestamp.is_empty() {
            return Err(CryptoError::MissingField("timestamp"));
        }
        if self.nonce.is_empty() {
            return Err(CryptoError::MissingField("nonce"));
        }
        Ok(())
    }
}

/// One WeChat message-encryption configuration: token, EncodingAESKey and the appid (or corpid)
/// that must trail every message. Optionally a previous EncodingAESKey, tried second on decrypt so
/// pushes encrypted just before a key rotation still open.
#[derive(Clone)]
pub struct MsgCrypt {
    token: String,
    appid: String,
    key: [u8; 32],
    previous_key: Option<[u8; 32]>,
}

/// Hand-written so the token and keys never reach a log.
impl fmt::Debug for MsgCrypt {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MsgCrypt")
            .field("appid", &self.appid)
            .field("token", &"<redacted>")
            .field("encoding_aes_key", &"<redacted>")
            .field(
                "previous_key",
                &self.previous_key.as_ref().map(|_| "<redacted>"),
            )
            .finish()
    }
}

impl MsgCrypt {
    /// `encoding_aes_key` is the 43-character EncodingAESKey from the WeChat console.
    pub fn new(token: &str, encoding_aes_key: &str, appid: &str) -> Result<MsgCrypt, CryptoError> {
        if token.is_empty() {
            return Err(CryptoError::BadToken);
        }
        if appid.is_empty() {
            return Err(CryptoError::BadAppId);
        }
        Ok(MsgCrypt {
            token: token.to_string(),
            appid: appid.to_string(),
            key: decode_key(encoding_aes_key)?,
            previous_key: None,
        })
    }

    /// Adds the EncodingAESKey in use before the last rotation (decrypt only; encrypt always uses
    /// the current key).
    pub fn with_previous_key(
        mut self,
        previous_encoding_aes_key: &str,
    ) -> Result<MsgCrypt, CryptoError> {
        self.previous_key = Some(decode_key(previous_encoding_aes_key)?);
        Ok(self)
    }

    pub fn appid(&self) -> &str {
        &self.appid
    }

    /// hex(sha1(concatenation of the parts sorted bytewise)). With `[token, timestamp, nonce,
    /// encrypt]` it is msg_signature; with `[token, timestamp, nonce]` the plain URL signature.
    pub fn sign(parts: &[&str]) -> String {
        let mut sorted = parts.to_vec();
        sorted.sort_unstable();
        let mut h = Sha1::new();
        for p in sorted {
            h.update(p.as_bytes());
        }
        hex::encode(h.finalize())
    }

    /// This configuration's signature: msg_signature with `encrypt`, the plain URL signature without.
    pub fn signature(&self, timestamp: &str, nonce: &str, encrypt: Option<&str>) -> String {
        match encrypt {
            Some(e) => Self::sign(&[&self.token, timestamp, nonce, e]),
            None => Self::sign(&[&self.token, timestamp, nonce]),
        }
    }

    fn ct_eq_str(a: &str, b: &str) -> bool {
        a.as_bytes().ct_eq(b.as_bytes()).into()
    }

    /// Checks msg_signature (lower-case hex, as WeChat sends it) in constant time.
    pub fn verify_msg_signature(
        &self,
        msg_signature: &str,
        timestamp: &str,
        nonce: &str,
        encrypt: &str,
    ) -> bool {
        let expected = Self::sign(&[&self.token, timestamp, nonce, encrypt]);
        Self::ct_eq_str(&expected, msg_signature)
    }

    /// Checks the plain `signature` (token, timestamp, nonce) in constant time.
    pub fn verify_signature(&self, signature: &str, timestamp: &str, nonce: &str) -> bool {
        let expected = Self::sign(&[&self.token, timestamp, nonce]);
        Self::ct_eq_str(&expected, signature)
    }

    /// Encrypts with a fresh random 16-byte prefix; returns the base64 `Encrypt` value.
    pub fn encrypt(&self, plaintext: &str) -> String {
        let mut random = [0u8; 16];
        rand::thread_rng().fill_bytes(&mut random);
        self.encrypt_with_random(&random, plaintext)
    }

    /// Deterministic encryption for tests and fixtures: the caller supplies the 16-byte prefix.
    pub fn encrypt_with_random(&self, random16: &[u8; 16], plaintext: &str) -> String {
        let msg = plaintext.as_bytes();
        // A Node string cannot approach 4 GiB, so this cannot fire in practice.
        let len = u32::try_from(msg.len()).expect("message longer than 4 GiB");
        let body_len = 16 + 4 + msg.len() + self.appid.len();
        let pad = PAD_BLOCK - body_len % PAD_BLOCK; // 1..=32: a full block when aligned
        let mut buf = Vec::with_capacity(body_len + pad);
        buf.extend_from_slice(random16);
        buf.extend_from_slice(&len.to_be_bytes());
        buf.extend_from_slice(msg);
        buf.extend_from_slice(self.appid.as_bytes());
        buf.resize(body_len + pad, pad as u8);
        let n = buf.len();
        let ct = cbc::Encryptor::<Aes256>::new((&self.key).into(), self.key[..16].into())
            .encrypt_padded_mut::<NoPadding>(&mut buf, n)
            .expect("buffer is a whole number of blocks");
        STANDARD.encode(ct)
    }

    /// Decrypts a base64 `Encrypt` value and checks the appid trailer. Tries the current key, then
    /// the previous one; on double failure the current key's error is returned.
    /// Does NOT check a signature: use `decrypt_push` / `verify_url` for network input.
    pub fn decrypt(&self, encrypt_b64: &str) -> Result<String, CryptoError> {
        if encrypt_b64.len() > MAX_ENCRYPT_LEN {
            return Err(CryptoError::TooLarge);
        }
        // WeChat's ciphertext is canonical, padded base64; anything else is not from WeChat.
        let ct = STANDARD
            .decode(encrypt_b64)
            .map_err(|_| CryptoError::BadBase64)?;
        match self.decrypt_with(&self.key, ct.clone()) {
            Ok(s) => Ok(s),
            Err(first) => match &self.previous_key {
                Some(prev) => self.decrypt_with(prev, ct).map_err(|_| first),
                None => Err(first),
            },
        }
    }

    fn decrypt_with(&self, key: &[u8; 32], mut buf: Vec<u8>) -> Result<String, CryptoError> {
        if buf.is_empty() || !buf.len().is_multiple_of(16) {
            return Err(CryptoError::BadCipher);
        }
        let plain = cbc::Decryptor::<Aes256>::new(key.into(), key[..16].into())
            .decrypt_padded_mut::<NoPadding>(&mut buf)
            .map_err(|_| CryptoError::BadCipher)?;

        // PKCS#7, block 32: last byte n in 1..=32 and the last n bytes all equal n.
        // (wechatpy and Tencent's samples only read the last byte; we check them all.)
        let n = plain[plain.len() - 1] as usize;
        if n == 0 || n > PAD_BLOCK || n > plain.len() {
            return Err(CryptoError::BadPadding);
        }
        let bad_pad = plain[plain.len() - n..]
            .iter()
            .fold(0u8, |acc, &b| acc | (b ^ n as u8));
        if bad_pad != 0 {
            return Err(CryptoError::BadPadding);
        }
        let content = &plain[..plain.len() - n];

        if content.len() < 20 {
            return Err(CryptoError::BadLength);
        }
        let msg_len =
            u32::from_be_bytes([content[16], content[17], content[18], content[19]]) as usize;
        let rest = &content[20..];
        if msg_len > rest.len() {
            return Err(CryptoError::BadLength);
        }
        let (msg, trailer) = rest.split_at(msg_len);
        if !bool::from(trailer.ct_eq(self.appid.as_bytes())) {
            return Err(CryptoError::AppIdMismatch);
        }
        String::from_utf8(msg.to_vec()).map_err(|_| CryptoError::BadUtf8)
    }

    /// Opens an encrypted push: parses the outer `<xml>` (`<AppId>`+`<Encrypt>` from the
    /// third-party platform, or `<ToUserName>`+`<Encrypt>`), verifies msg_signature, decrypts,
    /// and returns the inner XML. The outer AppId/ToUserName are not compared with anything: they
    /// are outside the signature, and the authenticated appid trailer is checked instead. The
    /// plain `signature` parameter is redundant with msg_signature and is ignored here.
    ///
    /// The public `cloud.crypto` primitive (`decryptPush`). The SDK's own intakes do not use it: every push
    /// they take is opened by `push_message::open`, which also reads and types the message.
    pub fn decrypt_push(&self, query: &PushQuery, body_xml: &str) -> Result<String, CryptoError> {
        if query.encrypt_type.as_deref().is_some_and(|t| t != "aes") {
            return Err(CryptoError::UnsupportedEncryptType);
        }
        let msg_signature = query
            .msg_signature
            .as_deref()
            .ok_or(CryptoError::MissingField("msg_signature"))?;
        query.check_ts_nonce()?;

        let fields = parse_flat(body_xml, MAX_PUSH_XML_BYTES)?;
        let mut encrypt = None;
        for (k, v) in &fields {
            if k == "Encrypt" {
                if encrypt.is_some() {
                    return Err(CryptoError::BadXml("duplicate field Encrypt".into()));
                }
                encrypt = Some(v.trim_matches(|c| matches!(c, ' ' | '\t' | '\r' | '\n')));
            }
        }
        let encrypt = encrypt.ok_or(CryptoError::MissingField("Encrypt"))?;

        if !self.verify_msg_signature(msg_signature, &query.timestamp, &query.nonce, encrypt) {
            return Err(CryptoError::BadSignature);
        }
        self.decrypt(encrypt)
    }

    /// Encrypts a passive reply into WeChat's reply envelope.
    pub fn encrypt_reply(&self, reply_xml: &str, timestamp: &str, nonce: &str) -> String {
        self.reply_envelope(&self.encrypt(reply_xml), timestamp, nonce)
    }

    fn reply_envelope(&self, encrypt: &str, timestamp: &str, nonce: &str) -> String {
        let sig = Self::sign(&[&self.token, timestamp, nonce, encrypt]);
        let mut out = String::with_capacity(encrypt.len() + 200);
        out.push_str("<xml><Encrypt>");
        push_cdata(&mut out, encrypt);
        out.push_str("</Encrypt><MsgSignature>");
        push_cdata(&mut out, &sig);
        out.push_str("</MsgSignature><TimeStamp>");
        push_text(&mut out, timestamp);
        out.push_str("</TimeStamp><Nonce>");
        push_cdata(&mut out, nonce);
        out.push_str("</Nonce></xml>");
        out
    }

    /// What WeChat's server sends to a third-party platform: returns `(body_xml, msg_signature)`,
    /// body `<xml><AppId>appid</AppId><Encrypt>..</Encrypt></xml>`. For emulators and tests.
    pub fn encrypt_push(&self, inner_xml: &str, timestamp: &str, nonce: &str) -> (String, String) {
        let encrypt = self.encrypt(inner_xml);
        let sig = Self::sign(&[&self.token, timestamp, nonce, &encrypt]);
        let mut body = String::with_capacity(encrypt.len() + self.appid.len() + 80);
        body.push_str("<xml><AppId>");
        push_cdata(&mut body, &self.appid);
        body.push_str("</AppId><Encrypt>");
        push_cdata(&mut body, &encrypt);
        body.push_str("</Encrypt></xml>");
        (body, sig)
    }

    /// URL verification (GET). Safe mode when `msg_signature` is present: it must sign
    /// (token, timestamp, nonce, echostr) and the decrypted echostr is returned. Otherwise plain
    /// mode: `signature` must sign (token, timestamp, nonce) and echostr is returned as is.
    pub fn verify_url(&self, query: &PushQuery) -> Result<String, CryptoError> {
        let echostr = query
            .echostr
            .as_deref()
            .ok_or(CryptoError::MissingField("echostr"))?;
        query.check_ts_nonce()?;
        if let Some(msg_signature) = query.msg_signature.as_deref() {
            if !self.verify_msg_signature(msg_signature, &query.timestamp, &query.nonce, echostr) {
                return Err(CryptoError::BadSignature);
            }
            return self.decrypt(echostr);
        }
        let signature = query
            .signature
            .as_deref()
            .ok_or(CryptoError::MissingField("signature"))?;
        if !self.verify_signature(signature, &query.timestamp, &query.nonce) {
            return Err(CryptoError::BadSignature);
        }
        Ok(echostr.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::{rngs::StdRng, Rng, SeedableRng};
    use serde_json::Value;

    const FIXTURE: &str = include_str!("fixtures/wechatpy.json");

    fn fixture() -> Value {
        serde_json::from_str(FIXTURE).expect("fixture is JSON")
    }

    fn cases() -> Vec<Value> {
        fixture()["cases"].as_array().unwrap().clone()
    }

    fn s<'a>(c: &'a Value, k: &str) -> &'a str {
        c[k].as_str()
            .unwrap_or_else(|| panic!("{} lacks {k}", c["name"]))
    }

    fn crypt(c: &Value) -> MsgCrypt {
        MsgCrypt::new(s(c, "token"), s(c, "encoding_aes_key"), s(c, "appid")).unwrap()
    }

    fn random16(c: &Value) -> [u8; 16] {
        s(c, "random").as_bytes().try_into().unwrap()
    }

    fn encrypted(c: &Value) -> bool {
        c.get("encrypt").is_some()
    }

    fn push_query(c: &Value) -> PushQuery {
        PushQuery {
            timestamp: s(c, "timestamp").into(),
            nonce: s(c, "nonce").into(),
            msg_signature: Some(s(c, "msg_signature").into()),
            signature: Some(MsgCrypt::sign(&[
                s(c, "token"),
                s(c, "timestamp"),
                s(c, "nonce"),
            ])),
            encrypt_type: Some("aes".into()),
            echostr: None,
        }
    }

    /// Raw AES-CBC of an arbitrary (already padded) plaintext, to build malformed payloads.
    fn raw_encrypt(key43: &str, mut plain: Vec<u8>) -> String {
        let key = decode_key(key43).unwrap();
        let n = plain.len();
        let ct = cbc::Encryptor::<Aes256>::new((&key).into(), key[..16].into())
            .encrypt_padded_mut::<NoPadding>(&mut plain, n)
            .unwrap();
        STANDARD.encode(ct)
    }

    fn payload(msg: &[u8], appid: &[u8]) -> Vec<u8> {
        let mut v = b"0123456789abcdef".to_vec();
        v.extend_from_slice(&(msg.len() as u32).to_be_bytes());
        v.extend_from_slice(msg);
        v.extend_from_slice(appid);
        v
    }

    fn pkcs7_32(mut v: Vec<u8>) -> Vec<u8> {
        let pad = 32 - v.len() % 32;
        v.resize(v.len() + pad, pad as u8);
        v
    }

    #[test]
    fn fixture_records_wechatpy_version() {
        let f = fixture();
        let v = f["wechatpy_version"].as_str().unwrap();
        assert!(v.starts_with("1."), "{v}");
        assert!(cases().len() >= 8);
    }

    #[test]
    fn decrypts_every_wechatpy_ciphertext() {
        let mut n = 0;
        for c in cases().iter().filter(|c| encrypted(c)) {
            let mc = if c["kind"] == "previous_key" {
                MsgCrypt::new(
                    s(c, "token"),
                    s(c, "current_encoding_aes_key"),
                    s(c, "appid"),
                )
                .unwrap()
                .with_previous_key(s(c, "previous_encoding_aes_key"))
                .unwrap()
            } else {
                crypt(c)
            };
            assert_eq!(
                mc.decrypt(s(c, "encrypt")).unwrap(),
                s(c, "plaintext"),
                "{}",
                c["name"]
            );
            n += 1;
        }
        assert!(n >= 8);
    }

    #[test]
    fn encrypts_byte_identical_to_wechatpy() {
        for c in cases().iter().filter(|c| encrypted(c)) {
            let mc = crypt(c);
            let enc = mc.encrypt_with_random(&random16(c), s(c, "plaintext"));
            assert_eq!(enc, s(c, "encrypt"), "{}", c["name"]);
            let sig = MsgCrypt::sign(&[s(c, "token"), s(c, "timestamp"), s(c, "nonce"), &enc]);
            assert_eq!(sig, s(c, "msg_signature"), "{}", c["name"]);
        }
    }

    #[test]
    fn padding_edge_cases_match_wechatpy() {
        let all = cases();
        let by_name = |n: &str| all.iter().find(|c| c["name"] == n).unwrap().clone();
        for (name, pad) in [("full_block_padding", 32u64), ("one_byte_padding", 1)] {
            let c = by_name(name);
            assert_eq!(c["padding"].as_u64(), Some(pad));
            // Byte-identical encryption above already proves our padding; check the size too.
            let ct = STANDARD.decode(s(&c, "encrypt")).unwrap();
            let body = 20 + s(&c, "plaintext").len() + s(&c, "appid").len();
            assert_eq!(ct.len(), body + pad as usize, "{name}");
        }
    }

    #[test]
    fn verifies_wechatpy_signatures() {
        for c in cases().iter().filter(|c| encrypted(c)) {
            let mc = crypt(c);
            assert!(
                mc.verify_msg_signature(
                    s(c, "msg_signature"),
                    s(c, "timestamp"),
                    s(c, "nonce"),
                    s(c, "encrypt")
                ),
                "{}",
                c["name"]
            );
        }
    }

    #[test]
    fn decrypt_push_accepts_wechatpy_bodies() {
        let mut opened = 0;
        for c in cases().iter().filter(|c| c.get("body_xml").is_some()) {
            let mc = if c["kind"] == "previous_key" {
                MsgCrypt::new(
                    s(c, "token"),
                    s(c, "current_encoding_aes_key"),
                    s(c, "appid"),
                )
                .unwrap()
                .with_previous_key(s(c, "previous_encoding_aes_key"))
                .unwrap()
            } else {
                crypt(c)
            };
            let inner = mc.decrypt_push(&push_query(c), s(c, "body_xml")).unwrap();
            assert_eq!(inner, s(c, "plaintext"), "{}", c["name"]);
            opened += 1;
        }
        // The platform events among them are read as events by `push_message` (its wechatpy test).
        assert_eq!(opened, 8);
    }

    #[test]
    fn reply_envelope_matches_wechatpy() {
        let c = cases().into_iter().find(|c| c["kind"] == "reply").unwrap();
        let mc = crypt(&c);
        let ours = mc.reply_envelope(s(&c, "encrypt"), s(&c, "timestamp"), s(&c, "nonce"));
        let theirs = parse_flat(s(&c, "reply_xml"), MAX_PUSH_XML_BYTES).unwrap();
        assert_eq!(parse_flat(&ours, MAX_PUSH_XML_BYTES).unwrap(), theirs);
        assert_eq!(
            ours,
            format!(
                "<xml><Encrypt><![CDATA[{}]]></Encrypt><MsgSignature><![CDATA[{}]]></MsgSignature>\
                 <TimeStamp>{}</TimeStamp><Nonce><![CDATA[{}]]></Nonce></xml>",
                s(&c, "encrypt"),
                s(&c, "msg_signature"),
                s(&c, "timestamp"),
                s(&c, "nonce")
            )
        );
        // A fresh (randomised) reply opens with the same code path WeChat's client uses.
        let reply = mc.encrypt_reply(s(&c, "plaintext"), "1409735670", "nonce123");
        let f = parse_flat(&reply, MAX_PUSH_XML_BYTES).unwrap();
        let get = |k: &str| f.iter().find(|(n, _)| n == k).unwrap().1.clone();
        let q = PushQuery {
            msg_signature: Some(get("MsgSignature")),
            ..push_query(&c)
        };
        assert_eq!(mc.decrypt_push(&q, &reply).unwrap(), s(&c, "plaintext"));
    }

    #[test]
    fn url_verification_plain_and_safe() {
        let all = cases();
        let plain = all
            .iter()
            .find(|c| c["kind"] == "url_verify_plain")
            .unwrap();
        let mc = crypt(plain);
        let mut q = PushQuery::from_pairs([
            ("signature", s(plain, "signature")),
            ("timestamp", s(plain, "timestamp")),
            ("nonce", s(plain, "nonce")),
            ("echostr", s(plain, "echostr")),
        ]);
        assert_eq!(mc.verify_url(&q).unwrap(), s(plain, "echostr"));
        q.nonce.push('1');
        assert_eq!(mc.verify_url(&q), Err(CryptoError::BadSignature));
        q.signature = None;
        assert_eq!(
            mc.verify_url(&q),
            Err(CryptoError::MissingField("signature"))
        );

        let safe = all.iter().find(|c| c["kind"] == "url_verify_safe").unwrap();
        let mc = crypt(safe);
        let mut q = PushQuery::from_pairs([
            ("msg_signature", s(safe, "msg_signature")),
            ("timestamp", s(safe, "timestamp")),
            ("nonce", s(safe, "nonce")),
            ("echostr", s(safe, "encrypt")),
            ("unrelated", "x"),
        ]);
        assert_eq!(mc.verify_url(&q).unwrap(), s(safe, "plaintext"));
        q.timestamp = "1409659590".into();
        assert_eq!(mc.verify_url(&q), Err(CryptoError::BadSignature));
        q.echostr = None;
        assert_eq!(mc.verify_url(&q), Err(CryptoError::MissingField("echostr")));
    }

    #[test]
    fn rejects_tampered_signature() {
        for c in cases().iter().filter(|c| c.get("body_xml").is_some()) {
            let mc = crypt(c);
            let good = s(c, "msg_signature");
            let mut bad = good.as_bytes().to_vec();
            bad[0] = if bad[0] == b'0' { b'1' } else { b'0' };
            let bad = String::from_utf8(bad).unwrap();
            for sig in [bad.as_str(), "", &good[..39], &good.to_uppercase()] {
                let q = PushQuery {
                    msg_signature: Some(sig.into()),
                    ..push_query(c)
                };
                assert_eq!(
                    mc.decrypt_push(&q, s(c, "body_xml")),
                    Err(CryptoError::BadSignature)
                );
            }
            let q = PushQuery {
                nonce: "other".into(),
                ..push_query(c)
            };
            assert_eq!(
                mc.decrypt_push(&q, s(c, "body_xml")),
                Err(CryptoError::BadSignature)
            );
            let q = PushQuery {
                msg_signature: None,
                ..push_query(c)
            };
            assert_eq!(
                mc.decrypt_push(&q, s(c, "body_xml")),
                Err(CryptoError::MissingField("msg_signature"))
            );
            let q = PushQuery {
                encrypt_type: Some("raw".into()),
                ..push_query(c)
            };
            assert_eq!(
                mc.decrypt_push(&q, s(c, "body_xml")),
                Err(CryptoError::UnsupportedEncryptType)
            );
            // Another token signs differently.
            let other = MsgCrypt::new("other", s(c, "encoding_aes_key"), s(c, "appid")).unwrap();
            assert_eq!(
                other.decrypt_push(&push_query(c), s(c, "body_xml")),
                Err(CryptoError::BadSignature)
            );
        }
    }

    #[test]
    fn rejects_flipped_ciphertext_bytes() {
        let c = cases()
            .into_iter()
            .find(|c| c["name"] == "component_verify_ticket")
            .unwrap();
        let mc = crypt(&c);
        let ct = STANDARD.decode(s(&c, "encrypt")).unwrap();
        for i in 0..ct.len() {
            let mut t = ct.clone();
            t[i] ^= 0x01;
            let enc = STANDARD.encode(&t);
            // Through the authenticated path every flip is caught by the signature.
            let body = format!(
                "<xml><AppId><![CDATA[x]]></AppId><Encrypt><![CDATA[{enc}]]></Encrypt></xml>"
            );
            assert_eq!(
                mc.decrypt_push(&push_query(&c), &body),
                Err(CryptoError::BadSignature)
            );
            // Raw CBC is malleable: a flip in the last two blocks breaks padding or the appid
            // trailer; earlier flips may yield a (different) message, which is why the
            // signature must be checked first.
            match mc.decrypt(&enc) {
                Ok(m) => {
                    assert!(i < ct.len() - 32, "flip at {i} accepted");
                    assert_ne!(m, s(&c, "plaintext"));
                }
                Err(e) => assert!(matches!(
                    e,
                    CryptoError::BadPadding
                        | CryptoError::BadLength
                        | CryptoError::AppIdMismatch
                        | CryptoError::BadUtf8
                )),
            }
        }
    }

    #[test]
    fn rejects_wrong_appid() {
        let c = cases()
            .into_iter()
            .find(|c| c["name"] == "ascii_text")
            .unwrap();
        let appid = s(&c, "appid");
        for other in [
            "wx0000000000000000",
            &appid[..appid.len() - 1],
            &format!("{appid}x"),
            "WX5823BF96D3BD56C7",
        ] {
            let mc = MsgCrypt::new(s(&c, "token"), s(&c, "encoding_aes_key"), other).unwrap();
            let e = mc.decrypt(s(&c, "encrypt")).unwrap_err();
            assert_eq!(e, CryptoError::AppIdMismatch);
            assert!(!e.to_string().contains(other) && !e.to_string().contains(appid));
            assert_eq!(
                mc.decrypt_push(&push_query(&c), s(&c, "body_xml")),
                Err(CryptoError::AppIdMismatch)
            );
        }
    }

    #[test]
    fn rejects_wrong_padding() {
        let key = "kWxPEV2UEDyxWpmPdKC3F4dgPDmOvfKX1HGnEUDS1aA";
        let mc = MsgCrypt::new("t", key, "wxapp").unwrap();
        let good = pkcs7_32(payload(b"<xml/>", b"wxapp"));
        assert_eq!(
            mc.decrypt(&raw_encrypt(key, good.clone())).unwrap(),
            "<xml/>"
        );

        let base = payload(b"<xml/>", b"wxapp"); // 31 bytes
        let with = |pad: &[u8]| {
            let mut v = base.clone();
            v.extend_from_slice(pad);
            raw_encrypt(key, v)
        };
        // pad byte 0, pad byte 33, inconsistent pad bytes.
        assert_eq!(mc.decrypt(&with(&[0])), Err(CryptoError::BadPadding));
        assert_eq!(mc.decrypt(&with(&[33; 33])), Err(CryptoError::BadPadding));
        let mut mixed = vec![33u8; 33];
        mixed[32] = 2;
        mixed[31] = 3;
        assert_eq!(mc.decrypt(&with(&mixed)), Err(CryptoError::BadPadding));
        // Padding longer than the whole plaintext.
        assert_eq!(
            mc.decrypt(&raw_encrypt(key, vec![32u8; 16])),
            Err(CryptoError::BadPadding)
        );
        // AES-style 16-byte-block PKCS#7 with a consistent value is still well-formed PKCS#7.
        assert_eq!(mc.decrypt(&with(&[1])).unwrap(), "<xml/>");
    }

    #[test]
    fn rejects_truncated_and_malformed_input() {
        let c = cases()
            .into_iter()
            .find(|c| c["name"] == "chinese_utf8")
            .unwrap();
        let mc = crypt(&c);
        let enc = s(&c, "encrypt");
        let ct = STANDARD.decode(enc).unwrap();
        assert_eq!(mc.decrypt(""), Err(CryptoError::BadCipher));
        assert_eq!(
            mc.decrypt(&enc[..enc.len() - 1]),
            Err(CryptoError::BadBase64)
        );
        assert!(
            enc.contains('+'),
            "fixture should exercise '+' (form-decoding pitfall)"
        );
        assert_eq!(
            mc.decrypt(&enc.replace('+', " ")),
            Err(CryptoError::BadBase64)
        );
        assert_eq!(mc.decrypt("not base64!"), Err(CryptoError::BadBase64));
        assert_eq!(
            mc.decrypt(&STANDARD.encode(&ct[..ct.len() - 1])),
            Err(CryptoError::BadCipher)
        );
        for keep in (16..ct.len()).step_by(16) {
            assert!(
                mc.decrypt(&STANDARD.encode(&ct[..keep])).is_err(),
                "kept {keep}"
            );
        }
        // Length field pointing past the end, and a plaintext too short to hold it.
        let key = s(&c, "encoding_aes_key");
        let mut p = payload(b"abc", s(&c, "appid").as_bytes());
        p[16..20].copy_from_slice(&u32::MAX.to_be_bytes());
        assert_eq!(
            mc.decrypt(&raw_encrypt(key, pkcs7_32(p))),
            Err(CryptoError::BadLength)
        );
        assert_eq!(
            mc.decrypt(&raw_encrypt(key, pkcs7_32(vec![7u8; 19]))),
            Err(CryptoError::BadLength)
        );
        // Invalid UTF-8 message with a valid trailer.
        let p = payload(&[0xff, 0xfe], s(&c, "appid").as_bytes());
        assert_eq!(
            mc.decrypt(&raw_encrypt(key, pkcs7_32(p))),
            Err(CryptoError::BadUtf8)
        );
        // Oversized input is refused before decoding.
        assert_eq!(
            mc.decrypt(&"A".repeat(MAX_ENCRYPT_LEN + 4)),
            Err(CryptoError::TooLarge)
        );
        // Push bodies missing Encrypt, or with two.
        let q = push_query(&c);
        assert_eq!(
            mc.decrypt_push(&q, "<xml><AppId>a</AppId></xml>"),
            Err(CryptoError::MissingField("Encrypt"))
        );
        assert!(matches!(
            mc.decrypt_push(&q, "<xml><Encrypt>a</Encrypt><Encrypt>b</Encrypt></xml>"),
            Err(CryptoError::BadXml(_))
        ));
        let q2 = PushQuery {
            timestamp: String::new(),
            ..q.clone()
        };
        assert_eq!(
            mc.decrypt_push(&q2, s(&c, "body_xml")),
            Err(CryptoError::MissingField("timestamp"))
        );
    }

    #[test]
    fn rejects_doctype_and_oversized_push_bodies() {
        let c = cases()
            .into_iter()
            .find(|c| c["name"] == "component_verify_ticket")
            .unwrap();
        let mc = crypt(&c);
        let enc = s(&c, "encrypt");
        let body = format!(
            "<!DOCTYPE xml [<!ENTITY e \"{enc}\">]><xml><AppId>a</AppId><Encrypt>&e;</Encrypt></xml>"
        );
        assert_eq!(
            mc.decrypt_push(&push_query(&c), &body),
            Err(CryptoError::BadXml("DOCTYPE is not allowed".into()))
        );
        let big = format!(
            "<xml><AppId>{}</AppId><Encrypt>{enc}</Encrypt></xml>",
            "a".repeat(MAX_PUSH_XML_BYTES)
        );
        assert_eq!(
            mc.decrypt_push(&push_query(&c), &big),
            Err(CryptoError::TooLarge)
        );
    }

    #[test]
    fn previous_key_fallback() {
        let c = cases()
            .into_iter()
            .find(|c| c["kind"] == "previous_key")
            .unwrap();
        let (cur, old) = (
            s(&c, "current_encoding_aes_key"),
            s(&c, "previous_encoding_aes_key"),
        );
        let only_new = MsgCrypt::new(s(&c, "token"), cur, s(&c, "appid")).unwrap();
        assert!(only_new.decrypt(s(&c, "encrypt")).is_err());
        let rotated = only_new.clone().with_previous_key(old).unwrap();
        assert_eq!(
            rotated.decrypt(s(&c, "encrypt")).unwrap(),
            s(&c, "plaintext")
        );
        assert_eq!(
            rotated
                .decrypt_push(&push_query(&c), s(&c, "body_xml"))
                .unwrap(),
            s(&c, "plaintext")
        );
        // New messages use the current key only.
        let fresh = rotated.encrypt("after rotation");
        assert_eq!(only_new.decrypt(&fresh).unwrap(), "after rotation");
        let only_old = MsgCrypt::new(s(&c, "token"), old, s(&c, "appid")).unwrap();
        assert!(only_old.decrypt(&fresh).is_err());
        // A wrong previous key does not help.
        let wrong = only_new
            .with_previous_key("abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG")
            .unwrap();
        assert!(wrong.decrypt(s(&c, "encrypt")).is_err());
    }

    #[test]
    fn key_token_and_appid_validation() {
        let ok = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG"; // non-zero trailing bits
        assert!(MsgCrypt::new("t", ok, "a").is_ok());
        assert!(MsgCrypt::new("t", "kWxPEV2UEDyxWpmPdKC3F4dgPDmOvfKX1HGnEUDS1aA", "a").is_ok());
        for bad in [
            "",
            &ok[..42],
            &format!("{ok}="),
            &format!("{ok}A"),
            &ok.replace('a', "!"),
            &ok.replace('a', "中"),
        ] {
            assert_eq!(
                MsgCrypt::new("t", bad, "a").unwrap_err(),
                CryptoError::BadKey,
                "{bad:?}"
            );
        }
        assert_eq!(
            MsgCrypt::new("", ok, "a").unwrap_err(),
            CryptoError::BadToken
        );
        assert_eq!(
            MsgCrypt::new("t", ok, "").unwrap_err(),
            CryptoError::BadAppId
        );
        assert_eq!(
            MsgCrypt::new("t", ok, "a")
                .unwrap()
                .with_previous_key("short")
                .unwrap_err(),
            CryptoError::BadKey
        );
    }

    #[test]
    fn debug_redacts_secrets() {
        let key = "kWxPEV2UEDyxWpmPdKC3F4dgPDmOvfKX1HGnEUDS1aA";
        let mc = MsgCrypt::new("SecretToken", key, "wxappid")
            .unwrap()
            .with_previous_key("abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG")
            .unwrap();
        let d = format!("{mc:?}");
        assert!(
            !d.contains("SecretToken") && !d.contains(key) && !d.contains("abcdefghij"),
            "{d}"
        );
        assert!(d.contains("<redacted>"));
        assert!(d.contains("wxappid"));
    }

    #[test]
    fn sign_sorts_bytewise_and_matches_known_value() {
        // Order of arguments does not matter.
        assert_eq!(
            MsgCrypt::sign(&["b", "a", "c"]),
            MsgCrypt::sign(&["c", "b", "a"])
        );
        // sha1("abc")
        assert_eq!(
            MsgCrypt::sign(&["c", "a", "b"]),
            "a9993e364706816aba3e25717850c26c9cd0d89d"
        );
    }

    #[test]
    fn encrypt_push_round_trips_and_randomises() {
        let mc = MsgCrypt::new(
            "tok",
            "kWxPEV2UEDyxWpmPdKC3F4dgPDmOvfKX1HGnEUDS1aA",
            "wx0123456789abcdef",
        )
        .unwrap();
        let inner = build_ticket();
        let (body, sig) = mc.encrypt_push(&inner, "1413192605", "1496893582");
        assert!(body
            .starts_with("<xml><AppId><![CDATA[wx0123456789abcdef]]></AppId><Encrypt><![CDATA["));
        let q = PushQuery::from_pairs([
            ("timestamp", "1413192605"),
            ("nonce", "1496893582"),
            ("encrypt_type", "aes"),
            ("msg_signature", sig.as_str()),
        ]);
        let out = mc.decrypt_push(&q, &body).unwrap();
        assert_eq!(out, inner);
        assert_ne!(mc.encrypt("same"), mc.encrypt("same"));
        // Empty message and a message exactly filling blocks round-trip.
        for m in ["", &"x".repeat(32 - (20 + 18) % 32), &"中".repeat(100)] {
            assert_eq!(mc.decrypt(&mc.encrypt(m)).unwrap(), m);
        }
    }

    fn build_ticket() -> String {
        crate::crypto::build_flat(&[
            ("AppId", "wx0123456789abcdef"),
            ("CreateTime", "1413192605"),
            ("InfoType", "component_verify_ticket"),
            ("ComponentVerifyTicket", "ticket@@@x]]>y"),
        ])
    }

    /// Property-style: a few thousand random inputs through every decrypt entry point; any
    /// result is fine, a panic is not.
    #[test]
    fn fuzz_decrypt_never_panics() {
        let mut rng = StdRng::seed_from_u64(0x5EED_0002);
        let c = cases()
            .into_iter()
            .find(|c| c["name"] == "ascii_text")
            .unwrap();
        let mc = crypt(&c)
            .with_previous_key("kWxPEV2UEDyxWpmPdKC3F4dgPDmOvfKX1HGnEUDS1aA")
            .unwrap();
        let good = STANDARD.decode(s(&c, "encrypt")).unwrap();
        let b64chars = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=";
        for i in 0..6000 {
            let input = match i % 4 {
                // Random bytes, lossily as text.
                0 => {
                    let bytes: Vec<u8> = (0..rng.gen_range(0..120)).map(|_| rng.gen()).collect();
                    String::from_utf8_lossy(&bytes).into_owned()
                }
                // Random base64-alphabet strings (often invalid base64).
                1 => (0..rng.gen_range(0..200))
                    .map(|_| b64chars[rng.gen_range(0..b64chars.len())] as char)
                    .collect(),
                // Valid base64 of random block-aligned ciphertexts.
                2 => {
                    let n = 16 * rng.gen_range(0..12);
                    STANDARD.encode((0..n).map(|_| rng.gen::<u8>()).collect::<Vec<_>>())
                }
                // The real ciphertext with random byte edits / truncation.
                _ => {
                    let mut t = good.clone();
                    for _ in 0..rng.gen_range(1..4) {
                        let at = rng.gen_range(0..t.len());
                        t[at] = rng.gen();
                    }
                    t.truncate(rng.gen_range(0..=t.len()));
                    STANDARD.encode(t)
                }
            };
            let _ = mc.decrypt(&input);
            let body = format!("<xml><Encrypt><![CDATA[{input}]]></Encrypt></xml>");
            let sig = MsgCrypt::sign(&[s(&c, "token"), "1", "2", &input]);
            let q = PushQuery::from_pairs([
                ("timestamp", "1"),
                ("nonce", "2"),
                ("msg_signature", sig.as_str()),
            ]);
            let _ = mc.decrypt_push(&q, &body);
            let q = PushQuery {
                echostr: Some(input.clone()),
                ..q
            };
            let _ = mc.verify_url(&q);
        }
    }
}
