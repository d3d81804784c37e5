//! `wechat-emulator`: the fake WeChat as a process, for test suites in any language. Prints its URL and the
//! credentials it accepts, then serves until SIGINT or SIGTERM. Driven through `POST <url>/__emulator/<action>`.

use std::process::ExitCode;
use wechat_emulator::{start_at, EmulatorConfig, DEMO_APPID, DEMO_SECRET};

const HELP: &str = "Usage: wechat-emulator [--port N] [--host ADDR] [--config file.json] [--token-ttl SECONDS]

Starts a fake WeChat server, prints its URL (the first line on stdout) and the credentials it accepts,
and serves until SIGINT or SIGTERM. Without apps in the config it has the demo app with two logistics accounts.

  --port <n>            port to listen on (default 0: any free port)
  --host <addr>         interface to listen on (default 127.0.0.1)
  --config <file>       JSON with startEmulator's options: { port, apps, tokenTtl, components, headerTimeoutMs,
                        maxConnections, controlHosts }
  --token-ttl <s>       lifetime of every token it issues (default 7200)
  --actions             print the control actions as JSON and exit
  --help                this text

Control API: POST <url>/__emulator/<action> with a JSON body labelled application/json, from a loopback Host
(or one of controlHosts, e.g. a container's name), e.g.
  curl -XPOST $URL/__emulator/actions -H 'content-type: application/json' -d '{}'
  curl -XPOST $URL/__emulator/injectFault -H 'content-type: application/json' -d '{\"name\":\"logistics.addOrder\",\"errcode\":-1}'";

/// What the command line asks for.
struct Options {
    config: EmulatorConfig,
    host: String,
}

enum Command {
    Serve(Options),
    Help,
    Actions,
}

/// Exit codes as `wechat-openapi emulator` uses them: 2 a wrong command line, 3 a config that cannot be used.
enum Problem {
    Usage(String),
    Config(String),
}

impl From<String> for Problem {
    fn from(message: String) -> Problem {
        Problem::Usage(message)
    }
}

impl From<&str> for Problem {
    fn from(message: &str) -> Problem {
        Problem::Usage(message.to_owned())
    }
}

fn parse(mut args: impl Iterator<Item = String>) -> Result<Command, Problem> {
    let (mut config_file, mut port, mut host, mut ttl) = (None, None, None, None);
    while let Some(arg) = args.next() {
        // `--port=8080` and `--port 8080` alike.
        let (flag, inline) = match arg.split_once('=') {
            Some((f, v)) if f.starts_with("--") => (f.to_owned(), Some(v.to_owned())),
            _ => (arg.clone(), None),
        };
        let mut value = || inline.clone().or_else(|| args.next()).ok_or_else(|| Problem::from(format!("{flag} needs a value")));
        match flag.as_str() {
            "--help" | "-h" => return Ok(Command::Help),
            "--actions" => return Ok(Command::Actions),
            "--port" => port = Some(value()?.parse::<u16>().map_err(|_| "--port must be a whole number from 0 to 65535")?),
            "--host" => host = Some(value()?),
            "--config" => config_file = Some(value()?),
            "--token-ttl" => ttl = Some(value()?.parse::<u64>().map_err(|_| "--token-ttl must be a whole number of seconds")?),
            _ => return Err(format!("unexpected argument {arg:?} (try --help)").into()),
        }
    }
    let mut config = match config_file {
        Some(file) => {
            let text = std::fs::read_to_string(&file).map_err(|e| Problem::Config(format!("cannot read --config {file}: {e}")))?;
            EmulatorConfig::from_json(&text).map_err(Problem::Config)?
        }
        None => EmulatorConfig::default(),
    };
    // Flags win over the file.
    config.port = port.unwrap_or(config.port);
    config.token_ttl = ttl.or(config.token_ttl);
    Ok(Command::Serve(Options { config, host: host.unwrap_or_else(|| "127.0.0.1".into()) }))
}

#[tokio::main]
async fn main() -> ExitCode {
    let options = match parse(std::env::args().skip(1)) {
        Ok(Command::Serve(options)) => options,
        Ok(Command::Help) => {
            println!("{HELP}");
            return ExitCode::SUCCESS;
        }
        Ok(Command::Actions) => {
            println!("{}", wechat_emulator::actions_json());
            return ExitCode::SUCCESS;
        }
        Err(Problem::Usage(e)) => {
            eprintln!("wechat-emulator: {e}");
            return ExitCode::from(2);
        }
        Err(Problem::Config(e)) => {
            eprintln!("wechat-emulator: {e}");
            return ExitCode::from(3);
        }
    };
    let demo = options.config.apps.is_none();
    let emulator = match start_at(options.config, &options.host).await {
        Ok(emulator) => emulator,
        Err(e) => {
            eprintln!("wechat-emulator: {e}");
            return ExitCode::from(3);
        }
    };
    // Listen for signals before telling anyone the URL: a supervisor may stop us right after reading it.
    let stop = Stop::listen();
    println!("{}", emulator.url());
    if demo {
        println!("demo app: appid {DEMO_APPID} secret {DEMO_SECRET}");
    }
    eprintln!("console: {}", emulator.console_url());
    eprintln!("control API: POST {}/__emulator/<action> (try 'actions'); stop with Ctrl-C", emulator.url());
    stop.wait().await;
    emulator.close().await;
    ExitCode::SUCCESS
}

/// SIGINT or SIGTERM (Ctrl-C elsewhere), listened for from creation on.
struct Stop {
    #[cfg(unix)]
    signals: Option<(tokio::signal::unix::Signal, tokio::signal::unix::Signal)>,
}

impl Stop {
    fn listen() -> Stop {
        #[cfg(unix)]
        {
            use tokio::signal::unix::{signal, SignalKind};
            Stop { signals: signal(SignalKind::interrupt()).ok().zip(signal(SignalKind::terminate()).ok()) }
        }
        #[cfg(not(unix))]
        Stop {}
    }

    async fn wait(self) {
        #[cfg(unix)]
        if let Some((mut interrupt, mut terminate)) = self.signals {
            tokio::select! {
                _ = interrupt.recv() => {}
                _ = terminate.recv() => {}
            }
            return;
        }
        let _ = tokio::signal::ctrl_c().await;
    }
}
