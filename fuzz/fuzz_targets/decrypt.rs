//! WXBizMsgCrypt decryption with a fixed key. The first byte picks the road: base64 text as sent (mostly
//! refused early), a raw plaintext the target encrypts with the key itself (so the fuzzer reaches the padding,
//! length and appid checks behind AES), or a whole push (outer XML, signature) around such a ciphertext.
#![no_main]

use aes::cipher::{block_padding::NoPadding, BlockEncryptMut, KeyIvInit};
use base64::alphabet;
use base64::engine::general_purpose::{GeneralPurpose, GeneralPurposeConfig, STANDARD};
use base64::Engine;
use libfuzzer_sys::fuzz_target;
use std::sync::LazyLock;
use wechat_protocol::crypto::{MsgCrypt, PushQuery};

const TOKEN: &str = "fuzz-token";
const KEY: &str = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG";
const APPID: &str = "wxfuzzappid0000001";

static CRYPT: LazyLock<MsgCrypt> = LazyLock::new(|| MsgCrypt::new(TOKEN, KEY, APPID).unwrap());
/// AESKey = base64_decode(EncodingAESKey + "="), whose last character may carry trailing bits, as WeChat's do.
static RAW_KEY: LazyLock<[u8; 32]> = LazyLock::new(|| {
    let lenient = GeneralPurpose::new(&alphabet::STANDARD, GeneralPurposeConfig::new().with_decode_allow_trailing_bits(true));
    lenient.decode(format!("{KEY}=")).unwrap().try_into().unwrap()
});

/// `plain` (zero-filled to whole blocks) encrypted with the key, as base64.
fn encrypt_raw(plain: &[u8]) -> String {
    let mut buf = plain.to_vec();
    buf.resize(plain.len().div_ceil(16).max(1) * 16, 0);
    let n = buf.len();
    let key = &*RAW_KEY;
    let ct = cbc::Encryptor::<aes::Aes256>::new(key.into(), key[..16].into()).encrypt_padded_mut::<NoPadding>(&mut buf, n).unwrap();
    STANDARD.encode(ct)
}

fuzz_target!(|data: &[u8]| {
    let [mode, rest @ ..] = data else { return };
    match mode % 3 {
        0 => {
            if let Ok(text) = std::str::from_utf8(rest) {
                let _ = CRYPT.decrypt(text);
            }
        }
        1 => {
            if let Ok(msg) = CRYPT.decrypt(&encrypt_raw(rest)) {
                // Whatever decrypts re-encrypts to something that decrypts to the same message.
                assert_eq!(CRYPT.decrypt(&CRYPT.encrypt(&msg)).unwrap(), msg);
            }
        }
        _ => {
            let encrypt = encrypt_raw(rest);
            let (timestamp, nonce) = ("1700000000", "nonce");
            let signature = CRYPT.signature(timestamp, nonce, Some(&encrypt));
            let query = PushQuery::from_pairs([("timestamp", timestamp), ("nonce", nonce), ("encrypt_type", "aes"), ("msg_signature", signature.as_str())]);
            let body = format!("<xml><AppId><![CDATA[{APPID}]]></AppId><Encrypt><![CDATA[{encrypt}]]></Encrypt></xml>");
            let _ = CRYPT.decrypt_push(&query, &body);
        }
    }
});
