//! WeChat message encryption (WXBizMsgCrypt) and the push XML used by
//! third-party platforms (component_verify_ticket, authorization events).
//!
//! Layout, one concern per file:
//! - `msg_crypt`: keys, signatures, AES-256-CBC envelope, push/reply/URL-verification helpers.
//! - `push_xml`: a small, DTD-free XML reader/writer for WeChat's flat `<xml>` envelopes.
//! - `push_tree`: the reader that never drops data (repeated elements as arrays, nested as objects)
//!   and its writer, for message content.
//! - `push_schema`: which fields the official pages type as numbers or lists, per event.
//! - `open_data`: a mini program user's login-state signature and encrypted open data (session key).
//! - `push_message`: a message push in plain, compatible and safe modes, XML or JSON: an account's,
//!   an authorizer's, or a third-party platform's own (tickets, authorization events).
//!
//! Self-contained on purpose: nothing here refers outside `crate::crypto`, so the directory
//! can be dropped into another crate as `src/crypto/`.

use std::fmt;

pub mod msg_crypt;
pub mod open_data;
pub mod push_message;
pub mod push_schema;
pub mod push_tree;
pub mod push_xml;

pub use msg_crypt::{MsgCrypt, PushQuery, MAX_ENCRYPT_LEN};
pub use push_tree::{build_tree, parse_tree};
pub use push_xml::{build_flat, parse_flat, MAX_PUSH_XML_BYTES};

/// Everything that can go wrong while verifying, decrypting or parsing a push.
///
/// `Display` names *what* failed and never *with what*: no key material, token, plaintext,
/// ciphertext or expected appid ever reaches a message, so these errors are safe to log and to
/// hand to JavaScript as-is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CryptoError {
    /// EncodingAESKey is not 43 base64 characters decoding to 32 bytes.
    BadKey,
    /// The token is empty (an empty token makes every signature forgeable).
    BadToken,
    /// The configured appid is empty.
    BadAppId,
    /// msg_signature / signature did not match.
    BadSignature,
    /// The ciphertext is not valid base64.
    BadBase64,
    /// The ciphertext is empty or not a whole number of AES blocks.
    BadCipher,
    /// PKCS#7 padding (block size 32) is malformed: usually a wrong key.
    BadPadding,
    /// The 4-byte length prefix points outside the plaintext.
    BadLength,
    /// The message is not UTF-8.
    BadUtf8,
    /// The appid trailing the message is not ours.
    AppIdMismatch,
    /// Malformed or disallowed XML; the text is ours (never echoes input).
    BadXml(String),
    /// Input over the configured size limit; rejected before any parsing.
    TooLarge,
    /// A required field or query parameter is absent.
    MissingField(&'static str),
    /// `encrypt_type` is present and is not `aes`.
    UnsupportedEncryptType,
}

impl fmt::Display for CryptoError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CryptoError::BadKey => {
                f.write_str("invalid EncodingAESKey (expected 43 base64 characters)")
            }
            CryptoError::BadToken => f.write_str("invalid token (empty)"),
            CryptoError::BadAppId => f.write_str("invalid appid (empty)"),
            CryptoError::BadSignature => f.write_str("signature mismatch"),
            CryptoError::BadBase64 => f.write_str("ciphertext is not valid base64"),
            CryptoError::BadCipher => {
                f.write_str("ciphertext length is not a multiple of the AES block size")
            }
            CryptoError::BadPadding => f.write_str("invalid PKCS#7 padding after decryption"),
            CryptoError::BadLength => f.write_str("invalid message length in decrypted payload"),
            CryptoError::BadUtf8 => f.write_str("decrypted message is not valid UTF-8"),
            CryptoError::AppIdMismatch => f.write_str("appid in decrypted payload does not match"),
            CryptoError::BadXml(why) => write!(f, "invalid push XML: {why}"),
            CryptoError::TooLarge => f.write_str("input exceeds the size limit"),
            CryptoError::MissingField(name) => write!(f, "missing field: {name}"),
            CryptoError::UnsupportedEncryptType => {
                f.write_str("unsupported encrypt_type (expected aes)")
            }
        }
    }
}

impl std::error::Error for CryptoError {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_names_failure_without_data() {
        let all = [
            CryptoError::BadKey,
            CryptoError::BadToken,
            CryptoError::BadAppId,
            CryptoError::BadSignature,
            CryptoError::BadBase64,
            CryptoError::BadCipher,
            CryptoError::BadPadding,
            CryptoError::BadLength,
            CryptoError::BadUtf8,
            CryptoError::AppIdMismatch,
            CryptoError::BadXml("DOCTYPE is not allowed".into()),
            CryptoError::TooLarge,
            CryptoError::MissingField("Encrypt"),
            CryptoError::UnsupportedEncryptType,
        ];
        for e in all {
            let s = e.to_string();
            assert!(!s.is_empty());
            // Nothing that looks like an appid or key can appear.
            assert!(!s.contains("wx"), "{s}");
            let _: &dyn std::error::Error = &e;
        }
    }
}
