//! Any message body WeChat (or anyone) may POST to a push URL: the tree reader, the documented typing on top of
//! it, and the message-push reader (signature first, so garbage must be refused without a panic).
#![no_main]

use libfuzzer_sys::fuzz_target;
use wechat_protocol::crypto::push_message::{open, Keys};
use wechat_protocol::crypto::push_schema::type_message;
use wechat_protocol::crypto::{build_tree, parse_tree, MsgCrypt, PushQuery, MAX_PUSH_XML_BYTES};

fuzz_target!(|data: &[u8]| {
    let Ok(xml) = std::str::from_utf8(data) else { return };
    if let Ok(tree) = parse_tree(xml, MAX_PUSH_XML_BYTES) {
        // What was read writes back into XML that reads the same (names the reader accepted are kept as given).
        if let Ok(again) = parse_tree(&build_tree(&tree), usize::MAX) {
            assert_eq!(again, tree);
        }
        let mut typed = tree;
        type_message(&mut typed);
    }
    let crypt = MsgCrypt::new("token", "kWxPEV2UEDyxWpmPdKC3F4dgPDmOvfKX1HGnEUDS1aA", "wx0123456789abcdef").expect("a valid key");
    let query = PushQuery::from_pairs([("timestamp", "1"), ("nonce", "2"), ("signature", "x"), ("encrypt_type", "aes"), ("msg_signature", "y")]);
    let _ = open(Keys { token: "token", crypt: Some(&crypt) }, &query, xml);
    let _ = open(Keys { token: "token", crypt: None }, &PushQuery::from_pairs([("timestamp", "1"), ("nonce", "2"), ("signature", "x")]), xml);
});
