'use strict'
// `wechat-openapi emulator` (and the `wechat-emulator` command): a standalone fake WeChat server for test
// suites in any language. Prints its URL on stdout, serves until SIGINT/SIGTERM, and is driven through
// `POST <url>/__emulator/<action>` (the action `actions` lists them). It also stops when the process that started
// it exits (bin/cli/parents.js), so a CI script's `kill $!` of npx frees the port.

const fs = require('node:fs')
const { EXIT, parse, usage, configProblem } = require('./args.js')
const { whenOrphaned } = require('./parents.js')

const HELP = `Usage: wechat-openapi emulator [--port N] [--host ADDR] [--config file.json]

Starts a fake WeChat server on 127.0.0.1, prints its URL (one line on stdout) and serves until stopped: by
SIGINT or SIGTERM, or when the process that started it (npx, a shell, a test runner) exits.
Point a client at it with apiBase (or WECHAT_API_BASE). Without apps in the config it has the demo app
wxdemoappid0000001 (secret: DEMO_APP in wechat-openapi/emulator) with two logistics accounts.

  --port <n>              port to listen on (default 0: any free port)
  --host <addr>           interface to listen on (default 127.0.0.1; 0.0.0.0 lets other containers reach it: add
                          the name they use to controlHosts in --config for the control API)
  --config <file>         JSON with startEmulator's options: { port, apps, tokenTtl, components, headerTimeoutMs,
                          maxConnections, controlHosts }

Control API: POST <url>/__emulator/<action> with a JSON body labelled application/json, from a loopback Host
(or one of controlHosts), e.g.
  curl -XPOST $URL/__emulator/actions -H 'content-type: application/json' -d '{}'
  curl -XPOST $URL/__emulator/seedAccounts -H 'content-type: application/json' -d '{"accounts":[{"bizId":"b1","deliveryId":"SF"}]}'
  curl -XPOST $URL/__emulator/injectFault -H 'content-type: application/json' -d '{"name":"logistics.addOrder","errcode":-1}'`

function readConfig(file) {
  let text
  try {
    text = fs.readFileSync(file, 'utf8')
  } catch (e) {
    throw configProblem(`cannot read --config ${file}: ${e.code || e.message}`)
  }
  try {
    return JSON.parse(text)
  } catch (e) {
    throw configProblem(`--config ${file} is not JSON: ${e.message}`)
  }
}

/** Resolves once the server is up; `stopped` resolves when a signal has closed it. */
async function run(argv, io) {
  const { values, positionals } = parse(argv, { strings: ['port', 'host', 'config'] })
  if (values.help) return io.out(HELP), EXIT.OK
  if (positionals.length) throw usage(`unexpected argument ${JSON.stringify(positionals[0])}`)
  const options = values.config ? readConfig(values.config) : {}
  if (values.port !== undefined) {
    const port = Number(values.port)
    if (!Number.isInteger(port) || port < 0 || port > 65535) throw usage('--port must be a whole number from 0 to 65535')
    options.port = port
  }
  if (values.host !== undefined) {
    if (!/^[0-9A-Za-z.:[\]-]+$/.test(values.host)) throw usage('--host must be an interface address, like 0.0.0.0 or ::')
    options.host = values.host
  }
  // Listen for the stop signals before the URL is printed: a caller may signal as soon as it has read the URL (the
  // native server answers requests without this thread), before the lines below have run.
  const stopped = new Promise((resolve) => {
    process.once('SIGINT', resolve)
    process.once('SIGTERM', resolve)
    whenOrphaned(resolve)
  })
  const { startEmulator } = require('../../emulator.js')
  let emulator
  try {
    emulator = await startEmulator(options)
  } catch (e) {
    throw configProblem(e.message)
  }
  io.out(emulator.url)
  if (options.apps === undefined) {
    const { DEMO_APP } = require('../../emulator.js')
    io.err(`accepts the demo app: appid ${DEMO_APP.appid}, secret ${DEMO_APP.secret}`)
  } else {
    io.err(`accepts the apps of the config: ${options.apps.map((a) => a && a.appid).join(', ')}`)
  }
  io.err(`console: ${emulator.consoleUrl}`)
  io.err(`control API: POST ${emulator.url}/__emulator/<action> (try 'actions'); stop with Ctrl-C`)
  // The running emulator holds the process open until it is closed, here on a signal.
  await stopped
  await emulator.close()
  return EXIT.OK
}

module.exports = { run, HELP }
