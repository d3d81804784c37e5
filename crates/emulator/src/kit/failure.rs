//! How a failure is worded, in one place: this row's documented meaning, else WeChat's common wording
//! (`wire::common_errmsg`), else the meaning another row documents for the code.

use crate::wire::{common_errmsg, WxError};
use wechat_protocol::catalogue::{catalogue, Endpoint};

pub fn fail(endpoint: &Endpoint, code: i64) -> WxError {
    let message = endpoint
        .error_meaning(code)
        .or_else(|| common_errmsg(code))
        .or_else(|| catalogue().all().iter().find_map(|e| e.error_meaning(code)))
        .unwrap_or("error");
    WxError::new(code, message)
}
