'use strict'
// Every example in examples/ runs here, as a user would run it.

const test = require('ava')
const fs = require('node:fs')
const path = require('node:path')
const { execFile } = require('node:child_process')
const { startEmulator, DEMO_APP } = require('../emulator.js')
const cloud = require('..')

const EXAMPLES = path.join(__dirname, '..', 'examples')
const CLEAN_ENV = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('WECHAT_')))

function node(args, env = {}) {
  return new Promise((resolve) => {
    execFile(process.execPath, args, { env: { ...CLEAN_ENV, ...env }, cwd: path.join(__dirname, '..') }, (error, stdout, stderr) => {
      resolve({ code: error ? error.code : 0, stdout, stderr })
    })
  })
}

test('the cloud function moved from wx-server-sdk differs only in its require line', (t) => {
  const before = fs.readFileSync(path.join(EXAMPLES, 'cloud-function', 'wx-server-sdk.js'), 'utf8').split('\n')
  const after = fs.readFileSync(path.join(EXAMPLES, 'cloud-function', 'index.js'), 'utf8').split('\n')
  t.is(after.length, before.length)
  const changed = after.map((line, i) => [before[i], line]).filter(([a, b]) => a !== b)
  t.deepEqual(changed, [["const cloud = require('wx-server-sdk')", "const cloud = require('wechat-openapi')"]])
})

test('the cloud function runs against the emulator, configured by the environment only', async (t) => {
  const emu = await startEmulator()
  t.teardown(() => emu.close())
  const env = { WECHAT_APPID: DEMO_APP.appid, WECHAT_SECRET: DEMO_APP.secret, WECHAT_API_BASE: emu.url }
  const run = (event) => `require('./examples/cloud-function').main(${JSON.stringify(event)}, {}).then((r) => console.log(JSON.stringify(r)))`
  const ok = await node(['-e', run({ deliveryId: 'SF', bizId: 'demo_sf_monthly' })], env)
  t.is(ok.code, 0, ok.stderr)
  const result = JSON.parse(ok.stdout)
  t.deepEqual(result.accounts.map((a) => a.bizId), ['demo_sf_monthly', 'demo_zto_shop'])
  t.true(result.accounts.every((a) => typeof a.courier === 'string' && a.courier.length > 0))
  t.is(result.quota, 500) // the demo SF account's seeded quota
  const unbound = await node(['-e', run({ deliveryId: 'SF', bizId: 'nobody' })], env)
  t.is(JSON.parse(unbound.stdout).error, 9300525)
})

test("a user's own service tested against the emulator with node:test", async (t) => {
  const { code, stdout, stderr } = await node(['--test', '--test-reporter=tap', path.join(EXAMPLES, 'emulator-test', 'service.test.js')])
  t.is(code, 0, stdout + stderr)
  t.regex(stdout, /^# pass 4$/m)
  t.regex(stdout, /^# fail 0$/m)
})

// Needs the third-party platform facade (cloud.component), which lands with that work; skipped until then.
const withComponent = typeof cloud.component === 'object' && cloud.component !== null ? test : test.skip
withComponent('the third-party push server authorizes a merchant and opens its message plugin', async (t) => {
  const { code, stdout, stderr } = await node([path.join(EXAMPLES, 'third-party-server', 'server.js'), '--demo'])
  t.is(code, 0, stderr)
  t.regex(stdout, /wxmerchant00000001: applyMsgPlugin errCode 0/)
})
