//! The built-in emulator: a fake WeChat server for tests, demos and users' own tests. It serves every row
//! of the endpoint table with stateful handlers, issues and checks tokens the way WeChat does, and is driven
//! through one control surface (`Emulator::control`, also `POST {url}/__emulator/<action>`).
//!
//! It shares only the catalogue (routes, field checks) with the client, never the client's code.
//!
//! Layers, each using only those below it: `wire`/`config` → `kit` (state, context, params, route, failure,
//! actions) → `stages` (what runs on every request: counters, faults, token check, quota, journal) →
//! `families` (one file or folder per family, and the one list of them) → `pipeline`/`control` → `server`
//! (with `guard` and `console`) → this file.

mod config;
mod console;
mod control;
mod families;
mod guard;
mod kit;
mod pipeline;
mod server;
mod stages;
mod wire;

#[cfg(test)]
mod conformance;
#[cfg(test)]
mod test_support;

pub use config::{AppConfig, ComponentConfig, EmulatorConfig, DEMO_APPID, DEMO_SECRET};

use kit::state::{lock, Shared};
use serde_json::Value;
use std::sync::{Arc, Mutex};
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

/// A running emulator. Dropping it stops the server too; `close()` waits for it.
pub struct Emulator {
    url: String,
    console_url: String,
    state: Shared,
    shutdown: Mutex<Option<oneshot::Sender<()>>>,
    server: tokio::sync::Mutex<Option<JoinHandle<()>>>,
}

/// Starts an emulator on `<host>:<port>` (`config.host`, default 127.0.0.1; port 0: any free port). Must run inside a tokio runtime.
pub async fn start(config: EmulatorConfig) -> Result<Emulator, String> {
    let host = config.host.clone().unwrap_or_else(|| "127.0.0.1".to_owned());
    start_at(config, &host).await
}

/// `start` on another interface (the standalone binary's `--host`; e.g. `0.0.0.0` inside a container).
pub async fn start_at(config: EmulatorConfig, host: &str) -> Result<Emulator, String> {
    config.validate()?;
    let state: Shared = Arc::new(Mutex::new(families::new_state(&config)));
    let guard = Arc::new(guard::Guard::new(config.control_hosts.clone()));
    let router = server::router(state.clone(), guard.clone())?;
    let listener = tokio::net::TcpListener::bind((host, config.port))
        .await
        .map_err(|e| format!("emulator: cannot listen on {host}:{}: {e}", config.port))?;
    let address = listener.local_addr().map_err(|e| format!("emulator: {e}"))?;
    let (shutdown, stopped) = oneshot::channel::<()>();
    let (header_timeout, max_connections) = (config.header_timeout(), config.max_connections());
    let server = tokio::spawn(server::serve(listener, router, header_timeout, max_connections, stopped));
    Ok(Emulator {
        url: format!("http://{address}"),
        console_url: format!("http://{address}{}?token={}", console::PATH, guard.token),
        state,
        shutdown: Mutex::new(Some(shutdown)),
        server: tokio::sync::Mutex::new(Some(server)),
    })
}

/// The control actions as JSON (`[{name, args, doc, …}]`): what `actions` answers, and what the JS surface is
/// generated from.
pub fn actions_json() -> String {
    control::list().to_string()
}

/// `start` from the JSON the JS wrapper sends (camelCase options).
pub async fn start_from_json(config_json: &str) -> Result<Emulator, String> {
    start(EmulatorConfig::from_json(config_json)?).await
}

impl Emulator {
    /// `http://127.0.0.1:<port>`: use it as the client's WeChat host.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// The console (`{url}/__emulator/ui?token=…`): open it in a browser on this machine. The token is new at
    /// every start and is what lets a browser drive the control API.
    pub fn console_url(&self) -> &str {
        &self.console_url
    }

    /// Stops accepting, lets in-flight requests finish (at most a few seconds), then returns. Idempotent.
    pub async fn close(&self) {
        if let Some(shutdown) = self.shutdown.lock().unwrap_or_else(|p| p.into_inner()).take() {
            let _ = shutdown.send(());
        }
        let mut server = self.server.lock().await;
        if let Some(mut handle) = server.take() {
            if tokio::time::timeout(std::time::Duration::from_secs(5), &mut handle).await.is_err() {
                handle.abort();
            }
        }
    }

    /// Runs a control action (`actions` lists them) with JSON arguments. Actions that deliver HTTP pushes
    /// need `control_async`.
    pub fn control(&self, action: &str, args: Value) -> Result<Value, String> {
        control::run(&mut lock(&self.state), action, args)
    }

    /// `control`, plus the actions that deliver pushes (they await HTTP, outside the state lock).
    pub async fn control_async(&self, action: &str, args: Value) -> Result<Value, String> {
        control::run_async(&self.state, action, args).await
    }

    /// `control` with JSON text in and out.
    pub fn control_json(&self, action: &str, args_json: &str) -> Result<String, String> {
        self.control(action, json_args(action, args_json)?).map(|v| v.to_string())
    }

    /// `control_async` with JSON text in and out, for the Node binding.
    pub async fn control_json_async(&self, action: &str, args_json: &str) -> Result<String, String> {
        self.control_async(action, json_args(action, args_json)?).await.map(|v| v.to_string())
    }
}

/// Arguments given as JSON text; blank means none.
fn json_args(action: &str, args_json: &str) -> Result<Value, String> {
    if args_json.trim().is_empty() {
        return Ok(Value::Object(Default::default()));
    }
    serde_json::from_str(args_json).map_err(|e| format!("{action}: arguments are not JSON: {e}"))
}

impl Drop for Emulator {
    fn drop(&mut self) {
        if let Some(shutdown) = self.shutdown.get_mut().unwrap_or_else(|p| p.into_inner()).take() {
            let _ = shutdown.send(());
        }
    }
}
