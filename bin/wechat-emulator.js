#!/usr/bin/env node
'use strict'

// A standalone emulator for tests written in any language: prints its URL, serves until SIGINT/SIGTERM,
// and is driven through `POST <url>/__emulator/<action>` (try the action `actions`).
//   wechat-emulator [--port 8080] [--config emulator.json]
// The config file holds the same camelCase options as startEmulator (port, apps, tokenTtl, components).

const fs = require('node:fs')
const { parseArgs } = require('node:util')
const { startEmulator } = require('../emulator.js')

async function main() {
  const { values } = parseArgs({ options: { port: { type: 'string' }, config: { type: 'string' } } })
  const options = values.config ? JSON.parse(fs.readFileSync(values.config, 'utf8')) : {}
  if (values.port !== undefined) options.port = Number(values.port)
  const emulator = await startEmulator(options)
  console.log(emulator.url)
  // The native server does not hold Node's event loop open; this does, until a signal stops it.
  const keepAlive = setInterval(() => {}, 1 << 30)
  const stop = async () => {
    clearInterval(keepAlive)
    await emulator.close()
  }
  process.once('SIGINT', stop)
  process.once('SIGTERM', stop)
}

main().catch((err) => {
  console.error(err.message)
  process.exitCode = 1
})
