//! The emulator for JS: JSON text in, JSON text out; the wrapper in `emulator.js` gives it its shape.

use wechat_emulator::{self as emulator, Emulator};
use napi::{Error, Result, Status};
use napi_derive::napi;
use std::sync::Arc;

/// A running emulator (see `emulator.js`).
#[napi]
pub struct NativeEmulator {
    inner: Arc<Emulator>,
}

/// Starts an emulator from its options as JSON (`EmulatorConfig`, camelCase).
// Registered with Node by the napi macro; a `cargo test` build has no Node to register it with.
#[napi]
pub async fn start_emulator(config_json: String) -> Result<NativeEmulator> {
    let started = emulator::start_from_json(&config_json).await.map_err(|e| Error::new(Status::InvalidArg, e))?;
    Ok(NativeEmulator { inner: Arc::new(started) })
}

/// The control actions as JSON: name, family, arguments, doc and JS signature of each. `scripts/gen.js` writes
/// `emulator.js` and `emulator.d.ts` from it.
#[napi]
pub fn emulator_actions() -> String {
    emulator::actions_json()
}

#[napi]
impl NativeEmulator {
    /// `http://127.0.0.1:<port>`
    #[napi(getter)]
    pub fn url(&self) -> String {
        self.inner.url().to_owned()
    }

    /// `http://127.0.0.1:<port>/__emulator/ui?token=…`
    #[napi(getter)]
    pub fn console_url(&self) -> String {
        self.inner.console_url().to_owned()
    }

    /// Stops the server; resolves once it has stopped. Safe to call twice.
    #[napi]
    pub async fn close(&self) -> Result<()> {
        self.inner.close().await;
        Ok(())
    }

    /// Runs a control action; arguments and result are JSON text.
    #[napi]
    pub async fn control(&self, action: String, args_json: String) -> Result<String> {
        self.inner.control_json_async(&action, &args_json).await.map_err(Error::from_reason)
    }
}
