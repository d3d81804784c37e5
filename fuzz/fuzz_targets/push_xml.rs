//! Push XML as WeChat (or anyone) may POST it: the flat `<xml>` envelope reader and its writer. Message content
//! (events included) is read by `push_tree`, fuzzed by its own target.
#![no_main]

use libfuzzer_sys::fuzz_target;
use wechat_protocol::crypto::{build_flat, parse_flat, MAX_PUSH_XML_BYTES};

fn is_xml_name(name: &str) -> bool {
    let mut bytes = name.bytes();
    matches!(bytes.next(), Some(b) if b.is_ascii_alphabetic() || b == b'_')
        && bytes.all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b'-'))
}

fuzz_target!(|data: &[u8]| {
    let Ok(xml) = std::str::from_utf8(data) else { return };
    if let Ok(fields) = parse_flat(xml, MAX_PUSH_XML_BYTES) {
        // What was read builds back into XML that reads the same.
        let pairs: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        // build_flat takes names that are program constants (ASCII XML names); the reader is more lenient
        // (`<Tim%>` parses), so only such names are rebuilt.
        if pairs.iter().all(|(k, v)| is_xml_name(k) && !v.contains('\u{0}')) {
            let rebuilt = build_flat(&pairs);
            if let Ok(again) = parse_flat(&rebuilt, usize::MAX) {
                assert_eq!(again, fields, "{rebuilt}");
            }
        }
    }
});
