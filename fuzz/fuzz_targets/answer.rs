//! WeChat's answers, read as every request reads them (`exchange::answer` and `transcode`): status, content type,
//! the row it answers (or a raw `openapi.request` path) and the body all come from the input. Any result is
//! fine; a panic, or text for JS that is not JSON, or the two readings disagreeing, is not.
#![no_main]

use bytes::Bytes;
use libfuzzer_sys::fuzz_target;
use wechat_client::exchange::fuzz_read_answer;
use wechat_client::transport::HttpAnswer;
use wechat_protocol::catalogue::catalogue;

const STATUSES: [u16; 8] = [200, 200, 200, 204, 400, 500, 502, 599];
const TYPES: [Option<&str>; 5] = [Some("application/json"), Some("application/json; encoding=utf-8"), Some("text/plain"), Some("image/png"), None];

fuzz_target!(|data: &[u8]| {
    let [a, b, rest @ ..] = data else { return };
    let rows = catalogue().all();
    let endpoint = (*a as usize % (rows.len() + 1)).checked_sub(1).map(|i| &rows[i]);
    let status = STATUSES[(*b & 7) as usize];
    let content_type = TYPES[((*b >> 3) % 5) as usize].map(str::to_owned);
    let convert_case = *b & 0x80 == 0;
    let answer = HttpAnswer { status, content_type, body: Bytes::copy_from_slice(rest) };
    let _ = fuzz_read_answer(endpoint, answer, convert_case);
});
