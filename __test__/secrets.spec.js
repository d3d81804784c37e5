'use strict'
// Issue 7: credentials never leave. A child process with every debug switch on drives the failure paths with
// known secrets (app and component secrets, access, component, authorizer and refresh tokens, tickets, the
// EncodingAESKey) and prints every error, client and emulator object it gets; none of them may appear.

const test = require('ava')
const path = require('node:path')
const { fork } = require('node:child_process')

test('no credential appears in errors, inspected objects or any output, on any failure path', async (t) => {
  t.timeout(110_000)
  const child = fork(path.join(__dirname, 'helpers', 'secrets-child.js'), [], {
    silent: true,
    env: { ...process.env, WECHAT_OPENAPI_LOG: 'debug', RUST_LOG: 'trace', RUST_BACKTRACE: 'full' },
  })
  let output = ''
  child.stdout.on('data', (c) => { output += c })
  child.stderr.on('data', (c) => { output += c })
  let secrets = []
  child.on('message', (m) => { secrets = m.secrets })
  const code = await new Promise((resolve) => child.on('exit', resolve))
  t.is(code, 0, output.slice(-2000))
  t.is(secrets.length, 9)
  t.true(secrets.every((s) => typeof s === 'string' && s.length >= 20), 'every credential was obtained')
  const shown = Number(/errors shown: (\d+)/.exec(output)?.[1])
  t.true(shown >= 300, `${shown} errors shown`)
  t.true(output.includes('[redacted]'), 'echoed credentials were found and masked')
  for (const secret of secrets) {
    const at = output.indexOf(secret)
    t.is(at, -1, `a credential leaked: …${output.slice(Math.max(0, at - 200), at)}…`)
  }
})
