#!/usr/bin/env node
'use strict'

// A standalone emulator for tests written in any language: prints its URL, serves until SIGINT/SIGTERM,
// and is driven through `POST <url>/__emulator/<action>` (try the action `actions`).
//   wechat-emulator [--port 8080] [--config emulator.json]
// The same as `wechat-openapi emulator` (bin/cli/emulator.js), kept as its own command.

const { CliError } = require('./cli/args.js')
const { run } = require('./cli/emulator.js')

const io = { out: (t) => process.stdout.write(t + '\n'), err: (t) => process.stderr.write(t + '\n') }

run(process.argv.slice(2), io).then(
  (code) => {
    process.exitCode = code
  },
  (err) => {
    console.error(`wechat-emulator: ${err.message}`)
    process.exitCode = err instanceof CliError ? err.exitCode : 1
  },
)
