//! Push XML as WeChat (or anyone) may POST it: the flat `<xml>` reader and the event parser on top of it.
#![no_main]

use libfuzzer_sys::fuzz_target;
use wechat_protocol::crypto::{build_flat, parse_flat, PushEvent, MAX_PUSH_XML_BYTES};

fuzz_target!(|data: &[u8]| {
    let Ok(xml) = std::str::from_utf8(data) else { return };
    if let Ok(fields) = parse_flat(xml, MAX_PUSH_XML_BYTES) {
        // What was read builds back into XML that reads the same.
        let pairs: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        if pairs.iter().all(|(k, v)| !k.is_empty() && !v.contains('\u{0}')) {
            let rebuilt = build_flat(&pairs);
            if let Ok(again) = parse_flat(&rebuilt, usize::MAX) {
                assert_eq!(again, fields, "{rebuilt}");
            }
        }
    }
    let _ = PushEvent::parse(xml);
});
