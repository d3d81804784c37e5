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

test('the cloud function sends a subscribe message and returns a mini program code', async (t) => {
  const emu = await startEmulator()
  t.teardown(() => emu.close())
  const env = { WECHAT_APPID: DEMO_APP.appid, WECHAT_SECRET: DEMO_APP.secret, WECHAT_API_BASE: emu.url }
  const [openid] = await emu.openids(DEMO_APP.appid)
  const templateId = await emu.addSubscribeTemplate({ appid: DEMO_APP.appid, keys: ['thing1', 'character_string2'] })
  await emu.subscribeUser(openid, templateId, 1, DEMO_APP.appid)
  const event = { openid, templateId, orderId: 'A1001', title: '已发货' }
  const run = `require('./examples/cloud-function').notify(${JSON.stringify(event)}, {}).then((r) => console.log(JSON.stringify(r)))`
  const { code, stdout, stderr } = await node(['-e', run], env)
  t.is(code, 0, stderr)
  const result = JSON.parse(stdout)
  t.is(result.sent, 0)
  t.is(result.contentType, 'image/png')
  t.deepEqual([...Buffer.from(result.qrcode, 'base64').subarray(0, 4)], [0x89, 0x50, 0x4e, 0x47])
  const [message] = await emu.sentSubscribeMessages(DEMO_APP.appid)
  t.like(message, { touser: openid, templateId, page: 'pages/order/order?id=A1001', data: { character_string2: { value: 'A1001' } } })
  // The subscription was one-time: a second run is refused with WeChat's 43101.
  const refused = `require('./examples/cloud-function').notify(${JSON.stringify(event)}, {}).catch((e) => console.log(e.errCode))`
  const again = await node(['-e', refused], env)
  t.is(again.stdout.trim(), '43101', again.stderr)
})

test('the cloud function checks an uploaded photo, stores it and sends it back; a risky one is refused', async (t) => {
  const emu = await startEmulator()
  t.teardown(() => emu.close())
  const env = { WECHAT_APPID: DEMO_APP.appid, WECHAT_SECRET: DEMO_APP.secret, WECHAT_API_BASE: emu.url }
  const [openid] = await emu.openids(DEMO_APP.appid)
  await emu.userWrote(openid, DEMO_APP.appid)
  const photo = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.from([...Array(256).keys()])])
  const run = (image) => `require('./examples/cloud-function').checkAvatar(${JSON.stringify({ openid, imageBase64: image.toString('base64') })}, {}).then((r) => console.log(JSON.stringify(r)))`
  const ok = await node(['-e', run(photo)], env)
  t.is(ok.code, 0, ok.stderr)
  const { mediaId } = JSON.parse(ok.stdout)
  const [stored] = await emu.tempMedia({ appid: DEMO_APP.appid, mediaId })
  t.true(Buffer.from(stored.base64, 'base64').equals(photo))
  const [message] = await emu.sentCustomerMessages(DEMO_APP.appid)
  t.like(message, { touser: openid, msgtype: 'image', image: { media_id: mediaId } })
  const risky = Buffer.concat([photo, Buffer.from('risky')])
  await emu.setSecurityBlocklist({ appid: DEMO_APP.appid, images: [require('node:crypto').createHash('sha256').update(risky).digest('hex')] })
  const refused = await node(['-e', run(risky)], env)
  t.deepEqual(JSON.parse(refused.stdout), { ok: false, errCode: 87014 })
})

test('the cloud function uploads a paid order\'s shipping; WeChat\'s refusals come back as codes', async (t) => {
  const emu = await startEmulator()
  t.teardown(() => emu.close())
  const env = { WECHAT_APPID: DEMO_APP.appid, WECHAT_SECRET: DEMO_APP.secret, WECHAT_API_BASE: emu.url }
  const [openid] = await emu.openids(DEMO_APP.appid)
  const transactionId = await emu.seedPayment(DEMO_APP.appid, { openid, merchantId: '1230000109', merchantTradeNo: 'CF-1', amount: 990 })
  const event = (tx) => ({ transactionId: tx, openid, trackingNo: 'SF1001', itemDesc: '保温杯*1', receiverContact: '189****1234' })
  const run = (tx) => `require('./examples/cloud-function').ship(${JSON.stringify(event(tx))}, {}).then((r) => console.log(JSON.stringify(r)))`
  const shipped = await node(['-e', run(transactionId)], env)
  t.is(shipped.code, 0, shipped.stderr)
  t.deepEqual(JSON.parse(shipped.stdout), { ok: true })
  const [order] = (await emu.state()).apps[DEMO_APP.appid].shipping.orders
  t.like(order, { transactionId, orderState: 2, shipments: 1 })
  const devtools = await node(['-e', run('4200000000devtools')], env)
  t.deepEqual(JSON.parse(devtools.stdout), { ok: false, errCode: 10060001 })
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
