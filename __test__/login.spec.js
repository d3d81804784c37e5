'use strict'
// Issue 29, part 1: users log in through the emulator over real HTTP — an app's user (no access token for the
// login), then a platform merchant's user (the component token only) — and no session key or AppSecret appears in
// any error, event, debug log line, journal entry, state dump or inspected object of the run.

const test = require('ava')
const path = require('node:path')
const { fork } = require('node:child_process')

test('an app and a platform log users in; session keys and secrets never show', async (t) => {
  t.timeout(60_000)
  const child = fork(path.join(__dirname, 'helpers', 'login-child.js'), [], { silent: true, env: { ...process.env, WECHAT_OPENAPI_LOG: 'debug' } })
  let output = ''
  child.stdout.on('data', (c) => { output += c })
  child.stderr.on('data', (c) => { output += c })
  let report
  child.on('message', (m) => { report = m })
  const code = await new Promise((resolve) => child.on('exit', resolve))
  t.is(code, 0, output.slice(-3000))
  t.is(report.tokensAfterLogin, 0, 'code2Session made no access-token request')
  t.is(report.counts['auth.code2Session'], 4, 'the raw request to its path counts too')
  t.is(report.counts['component.code2Session'], 3)
  t.is(report.counts['auth.checkSessionKey'], 3)
  t.is(report.secrets.length, 7)
  t.true(output.includes('[wechat-openapi] request /sns/jscode2session status=200 errcode=0'), 'a raw request logs its path')
  t.true(output.includes('[wechat-openapi] request /sns/component/jscode2session status=200 errcode=0'))
  t.true(output.includes('[wechat-openapi] auth.code2Session status=200 errcode=0'), 'the debug log ran')
  t.true(output.includes('[wechat-openapi] component.code2Session status=200 errcode=0'))
  for (const secret of [...report.secrets, ...report.signatures]) {
    const at = output.indexOf(secret)
    t.is(at, -1, `a credential leaked: …${output.slice(Math.max(0, at - 300), at)}…`)
  }
})
