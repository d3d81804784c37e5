//! A mini program user's open data and login state, keyed by the session key `code2Session` gave:
//! - `session_signature`: the login-state signature `checkSessionKey` / `resetUserSessionKey` send instead of the
//!   key (WeChat's "user login state signature": HMAC-SHA256 keyed by the session key text over the request body,
//!   "" for a GET, hex).
//! - `decrypt_data` / `encrypt_data`: the payloads `wx.getUserProfile`-era APIs and the phone button hand the mini
//!   program (AES-128-CBC, PKCS#7, key = base64-decoded session key, base64 in and out), with the watermark check.
//!
//! Errors name what is wrong, never a key, IV or plaintext.

use aes::Aes128;
use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use cbc::cipher::block_padding::Pkcs7;
use cbc::cipher::{BlockDecryptMut, BlockEncryptMut, KeyIvInit};
use hmac::{Hmac, Mac};
use serde_json::Value;
use sha2::Sha256;

/// hex(hmac_sha256(key = session_key, message = "")).
pub fn session_signature(session_key: &str) -> String {
    let mac = Hmac::<Sha256>::new_from_slice(session_key.as_bytes()).expect("HMAC takes a key of any length");
    hex::encode(mac.finalize().into_bytes())
}

/// Why open data could not be read; the text is safe to show (it quotes no input but appids).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum OpenDataError {
    /// `sessionKey` is not base64 of 16 bytes.
    BadSessionKey,
    /// `iv` is not base64 of 16 bytes.
    BadIv,
    /// `encryptedData` is not base64 of whole AES blocks.
    BadCipher,
    /// Padding or JSON wrong after decryption: another key or IV, or damaged data.
    Undecryptable,
    /// The plaintext has no `watermark.appid`.
    NoWatermark,
    /// The watermark names another mini program.
    WrongAppid { expected: String, found: String },
}

impl std::fmt::Display for OpenDataError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            OpenDataError::BadSessionKey => f.write_str("sessionKey must be the base64 of 16 bytes, as code2Session returns it"),
            OpenDataError::BadIv => f.write_str("iv must be the base64 of 16 bytes, as the mini program API returns it"),
            OpenDataError::BadCipher => f.write_str("encryptedData must be base64 of whole 16-byte AES blocks"),
            OpenDataError::Undecryptable => {
                f.write_str("encryptedData does not decrypt to JSON with this sessionKey and iv (a rotated session key, or data of another user or login)")
            }
            OpenDataError::NoWatermark => f.write_str("the decrypted data has no watermark.appid"),
            OpenDataError::WrongAppid { expected, found } => {
                write!(f, "the data's watermark is for appid {found}, not {expected}: it was not encrypted for this mini program")
            }
        }
    }
}

impl std::error::Error for OpenDataError {}

fn block16(text: &str, error: OpenDataError) -> Result<[u8; 16], OpenDataError> {
    STANDARD.decode(text.trim()).ok().and_then(|b| <[u8; 16]>::try_from(b.as_slice()).ok()).ok_or(error)
}

/// The JSON object `encrypted_data` holds, once its `watermark.appid` is `appid`.
pub fn decrypt_data(session_key: &str, encrypted_data: &str, iv: &str, appid: &str) -> Result<Value, OpenDataError> {
    let key = block16(session_key, OpenDataError::BadSessionKey)?;
    let iv = block16(iv, OpenDataError::BadIv)?;
    let cipher = STANDARD.decode(encrypted_data.trim()).map_err(|_| OpenDataError::BadCipher)?;
    if cipher.is_empty() || cipher.len() % 16 != 0 {
        return Err(OpenDataError::BadCipher);
    }
    let mut buf = cipher;
    let plain = cbc::Decryptor::<Aes128>::new(&key.into(), &iv.into()).decrypt_padded_mut::<Pkcs7>(&mut buf).map_err(|_| OpenDataError::Undecryptable)?;
    let value: Value = serde_json::from_slice(plain).map_err(|_| OpenDataError::Undecryptable)?;
    if !value.is_object() {
        return Err(OpenDataError::Undecryptable);
    }
    let found = value.pointer("/watermark/appid").and_then(Value::as_str).ok_or(OpenDataError::NoWatermark)?;
    if found != appid {
        return Err(OpenDataError::WrongAppid { expected: appid.to_owned(), found: found.to_owned() });
    }
    Ok(value)
}

/// `plaintext` encrypted as WeChat hands it to the mini program (base64), for the emulator and tests.
pub fn encrypt_data(session_key: &str, plaintext: &str, iv: &str) -> Result<String, OpenDataError> {
    let key = block16(session_key, OpenDataError::BadSessionKey)?;
    let iv = block16(iv, OpenDataError::BadIv)?;
    let len = plaintext.len();
    let mut buf = plaintext.as_bytes().to_vec();
    buf.resize(len + 16 - len % 16, 0);
    let cipher = cbc::Encryptor::<Aes128>::new(&key.into(), &iv.into()).encrypt_padded_mut::<Pkcs7>(&mut buf, len).expect("room for a block of padding");
    Ok(STANDARD.encode(cipher))
}

#[cfg(test)]
mod tests {
    use super::*;
    use hmac::Mac;

    #[test]
    fn the_signature_pages_example_holds() {
        // "User Login State Signature": hmac_sha256('{"foo":"bar"}', 'o0q0otL8aEzpcZL/FT9WsQ==') = 654571f7…, keyed by the key text.
        let mut mac = Hmac::<Sha256>::new_from_slice(b"o0q0otL8aEzpcZL/FT9WsQ==").unwrap();
        mac.update(br#"{"foo":"bar"}"#);
        assert_eq!(hex::encode(mac.finalize().into_bytes()), "654571f79995b2ce1e149e53c0a33dc39c0a74090db514261454e8dbe432aa0b");
        // A GET signs "".
        assert_eq!(session_signature("o0q0otL8aEzpcZL/FT9WsQ=="), "46e043c5525c2d817c44be603d30837a808a1d930d038f6fdc3e62a201fed128");
    }

    // The official sample of "开放数据校验与解密" (WXBizDataCrypt demo: appid wx4f4bc4dec97d474b).
    const KEY: &str = "tiihtNczf5v6AKRyjwEUhQ==";
    const IV: &str = "r7BXXKkLb8qrSNn05n0qiA==";
    const DATA: &str = "CiyLU1Aw2KjvrjMdj8YKliAjtP4gsMZMQmRzooG2xrDcvSnxIMXFufNstNGTyaGS9uT5geRa0W4oTOb1WT7fJlAC+oNPdbB+3hVbJSRgv+4lGOETKUQz6OYStslQ142dNCuabNPGBzlooOmB231qMM85d2/fV6ChevvXvQP8Hkue1poOFtnEtpyxVLW1zAo6/1Xx1COxFvrc2d7UL/lmHInNlxuacJXwu0fjpXfz/YqYzBIBzD6WUfTIF9GRHpOn/Hz7saL8xz+W//FRAUid1OksQaQx4CMs8LOddcQhULW4ucetDf96JcR3g0gfRK4PC7E/r7Z6xNrXd2UIeorGj5Ef7b1pJAYB6Y5anaHqZ9J6nKEBvB4DnNLIVWSgARns/8wR2SiRS7MNACwTyrGvt9ts8p12PKFdlqYTopNHR1Vf7XjfhQlVsAJdNiKdYmYVoKlaRv85IfVunYzO0IKXsyl7JCUjCpoG20f0a04COwfneQAGGwd5oa+T8yO5hzuyDb/XcxxmK01EpqOyuxINew==";

    #[test]
    fn the_official_sample_decrypts_and_its_watermark_is_checked() {
        let data = decrypt_data(KEY, DATA, IV, "wx4f4bc4dec97d474b").unwrap();
        assert_eq!(data["openId"], "oGZUI0egBJY1zhBYw2KhdUfwVJJE");
        assert_eq!(data["watermark"]["timestamp"], 1477314187);
        let e = decrypt_data(KEY, DATA, IV, "wxother").unwrap_err();
        assert_eq!(e.to_string(), "the data's watermark is for appid wx4f4bc4dec97d474b, not wxother: it was not encrypted for this mini program");
    }

    #[test]
    fn wrong_inputs_are_named_without_their_values() {
        assert_eq!(decrypt_data("short", DATA, IV, "wx").unwrap_err(), OpenDataError::BadSessionKey);
        assert_eq!(decrypt_data(KEY, DATA, "AAAA", "wx").unwrap_err(), OpenDataError::BadIv);
        assert_eq!(decrypt_data(KEY, "AAAA", IV, "wx").unwrap_err(), OpenDataError::BadCipher);
        let other = "AAAAAAAAAAAAAAAAAAAAAA==";
        assert_eq!(decrypt_data(other, DATA, IV, "wx").unwrap_err(), OpenDataError::Undecryptable);
        let no_mark = encrypt_data(KEY, r#"{"a":1}"#, IV).unwrap();
        assert_eq!(decrypt_data(KEY, &no_mark, IV, "wx").unwrap_err(), OpenDataError::NoWatermark);
        for e in [OpenDataError::BadSessionKey, OpenDataError::BadIv, OpenDataError::BadCipher, OpenDataError::Undecryptable] {
            assert!(!e.to_string().contains(KEY) && !e.to_string().contains(IV));
        }
    }

    #[test]
    fn encrypt_then_decrypt_round_trips() {
        let text = r#"{"phoneNumber":"13800138000","watermark":{"appid":"wxa","timestamp":1}}"#;
        let sealed = encrypt_data(KEY, text, IV).unwrap();
        assert_eq!(decrypt_data(KEY, &sealed, IV, "wxa").unwrap()["phoneNumber"], "13800138000");
    }
}
