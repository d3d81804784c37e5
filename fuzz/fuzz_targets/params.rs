//! Callers' params through the client's preparation (`exchange::prepare_params`: JSON, long integers, case
//! conversion, the table's checks) against every row of the table and a raw `openapi.request` path.
#![no_main]

use libfuzzer_sys::fuzz_target;
use wechat_client::exchange::{prepare_params, Target};
use wechat_protocol::catalogue::{catalogue, HttpVerb, TokenKind};

fuzz_target!(|data: &[u8]| {
    let [a, rest @ ..] = data else { return };
    let Ok(text) = std::str::from_utf8(rest) else { return };
    let rows = catalogue().all();
    let convert_case = *a & 0x80 == 0;
    let target = match (*a & 0x7f) as usize % (rows.len() + 1) {
        0 => Target { api: "request".into(), verb: HttpVerb::Post, path: "/x".into(), token: TokenKind::App, idempotent: false, endpoint: None },
        i => Target::row(&rows[i - 1].name).expect("a row of the table"),
    };
    if let Ok(params) = prepare_params(&target, text, convert_case) {
        // What goes out is an object that serializes.
        assert!(params.is_object(), "{params}");
        serde_json::to_vec(&params).expect("prepared params serialize");
    }
});
