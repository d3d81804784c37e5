//! The built-in emulator: a fake WeChat server for tests, demos and users' own tests. It serves every row
//! of the endpoint table with stateful handlers, issues and checks tokens the way WeChat does, and is driven
//! through one control surface (`Emulator::control`, also `POST {url}/__emulator/<action>`).
//!
//! It shares only the catalogue (routes, field checks) with the client, never the client's code.

mod auth;
mod carriers;
mod clock;
mod component;
mod config;
mod control;
mod fault_answers;
mod fault_rates;
mod faults;
mod handlers;
mod links;
mod logistics_accounts;
mod logistics_delivery;
mod logistics_msg;
mod logistics_orders;
mod logistics_printers;
mod open_platform;
mod pipeline;
mod pushes;
mod print_html;
mod quota;
mod server;
mod state;
mod tokens;
mod wire;

#[cfg(test)]
mod conformance;
#[cfg(test)]
mod test_support;

pub use config::{AppConfig, ComponentConfig, EmulatorConfig, DEMO_APPID, DEMO_SECRET};
pub use control::ACTIONS;

use serde_json::Value;
use server::Shared;
use std::sync::{Arc, Mutex};
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

/// A running emulator. Dropping it stops the server too; `close()` waits for it.
pub struct Emulator {
    url: String,
    state: Shared,
    shutdown: Mutex<Option<oneshot::Sender<()>>>,
    server: tokio::sync::Mutex<Option<JoinHandle<()>>>,
}

/// Starts an emulator on `127.0.0.1:<port>` (port 0: any free port). Must run inside a tokio runtime.
pub async fn start(config: EmulatorConfig) -> Result<Emulator, String> {
    config.validate()?;
    let state: Shared = Arc::new(Mutex::new(state::State::new(&config)));
    let router = server::router(state.clone())?;
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", config.port))
        .await
        .map_err(|e| format!("emulator: cannot listen on 127.0.0.1:{}: {e}", config.port))?;
    let address = listener.local_addr().map_err(|e| format!("emulator: {e}"))?;
    let (shutdown, stopped) = oneshot::channel::<()>();
    let server = tokio::spawn(async move {
        let serving = axum::serve(listener, router).with_graceful_shutdown(async {
            let _ = stopped.await;
        });
        if let Err(e) = serving.await {
            tracing::warn!("emulator server stopped: {e}");
        }
    });
    Ok(Emulator {
        url: format!("http://{address}"),
        state,
        shutdown: Mutex::new(Some(shutdown)),
        server: tokio::sync::Mutex::new(Some(server)),
    })
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

    /// Runs a control action (see `control.rs` for the list) with JSON arguments.
    pub fn control(&self, action: &str, args: Value) -> Result<Value, String> {
        control::run(&mut server::lock(&self.state), action, args)
    }

    /// `control` with JSON text in and out, for the Node binding.
    pub fn control_json(&self, action: &str, args_json: &str) -> Result<String, String> {
        let args = if args_json.trim().is_empty() {
            Value::Object(Default::default())
        } else {
            serde_json::from_str(args_json).map_err(|e| format!("{action}: arguments are not JSON: {e}"))?
        };
        self.control(action, args).map(|v| v.to_string())
    }
}

impl Drop for Emulator {
    fn drop(&mut self) {
        if let Some(shutdown) = self.shutdown.get_mut().unwrap_or_else(|p| p.into_inner()).take() {
            let _ = shutdown.send(());
        }
    }
}
