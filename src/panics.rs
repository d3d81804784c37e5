//! What a panic inside the addon prints: one line on stderr saying where, and that the caller got a typed
//! error (-604103), instead of Rust's default report with a backtrace in the middle of a Node program's logs.
//! The call itself is failed by the guard in `client.rs`; this only shapes the report.

use std::panic;

pub fn install_hook() {
    panic::set_hook(Box::new(|info| {
        let what = info
            .payload()
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| info.payload().downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "unknown panic".into());
        let at = info.location().map(|l| format!(" at {}:{}", l.file(), l.line())).unwrap_or_default();
        // Scrubbed like error messages: a panic text should never hold a credential, but make sure.
        eprintln!("wechat-openapi: internal error{at}: {} (the call fails with errCode -604103)", wechat_protocol::secret::scrub(&what, []));
    }));
}
