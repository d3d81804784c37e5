'use strict'
// The README's "Receiving events" examples run as a user would run them (node + Express), fed by the emulator;
// the README shows each file as it is.

const test = require('ava')
const fs = require('node:fs')
const path = require('node:path')
const { spawn } = require('node:child_process')
const cloud = require('..')
const { sandboxOrder } = require('./helpers/sandbox-order.js')

const EXAMPLES = path.join(__dirname, '..', 'examples', 'receiving-events')
const APP = { appid: 'wxpushexample00001', secret: 'pushexamplesecret00000000000001' }
const PUSH = { token: 'example-push-token', encodingAesKey: 'kWxPEV2UEDyxWpmPdKC3F4dgPDmOvfKX1HGnEUDS1aA' }
const CLEAN_ENV = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('WECHAT_')))

/** Starts an example; resolves to its URL, a way to wait for an output line, and a stop. */
async function run(t, file, emu) {
  const env = { ...CLEAN_ENV, PORT: '0', WECHAT_APPID: APP.appid, WECHAT_SECRET: APP.secret, WECHAT_API_BASE: emu.url, WECHAT_PUSH_TOKEN: PUSH.token, WECHAT_PUSH_KEY: PUSH.encodingAesKey }
  const child = spawn(process.execPath, [path.join(EXAMPLES, file)], { env, cwd: path.join(__dirname, '..') })
  t.teardown(() => child.kill())
  let out = ''
  let err = ''
  child.stdout.on('data', (d) => { out += d })
  child.stderr.on('data', (d) => { err += d })
  const line = async (pattern) => {
    for (let i = 0; i < 250; i++) {
      const found = out.split('\n').find((l) => pattern.test(l))
      if (found) return found
      await new Promise((resolve) => setTimeout(resolve, 20))
    }
    throw new Error(`no line ${pattern} in output ${JSON.stringify(out)}; stderr ${JSON.stringify(err)}`)
  }
  const port = (await line(/^listening on \d+/)).match(/\d+/)[0]
  return { url: `http://127.0.0.1:${port}/wechat/push`, line }
}

test('the README shows both examples as they are', (t) => {
  const readme = fs.readFileSync(path.join(__dirname, '..', 'README.md'), 'utf8')
  for (const file of ['merchant.js', 'courier.js']) t.true(readme.includes(fs.readFileSync(path.join(EXAMPLES, file), 'utf8').trim()), file)
})

test('the merchant example logs every path update and the bind result', async (t) => {
  const emu = await cloud.startEmulator({ apps: [APP] })
  t.teardown(() => emu.close())
  const merchant = await run(t, 'merchant.js', emu)
  await emu.setPushTarget({ url: merchant.url, ...PUSH })
  const client = cloud.createClient({ ...APP, apiBase: emu.url })
  const { waybillId, event: step } = await sandboxOrder(client, emu, APP.appid, 'readme-1')
  await step(100001, '揽件成功')
  await merchant.line(/1 steps/)
  await step(300003, '已签收')
  t.is(await merchant.line(/2 steps/), `waybill ${waybillId}: 300003 已签收 (2 steps)`)
  await client.openapi.logistics.bindAccount({ type: 'bind', bizId: 'ems_9', deliveryId: 'EMS' })
  await client.openapi.logistics.updateBusiness({ shopAppId: APP.appid, bizId: 'ems_9', resultCode: 0 })
  t.is(await merchant.line(/ems_9/), 'courier account ems_9: bound')
})

test('the courier example answers orders, cancellations, account checks and quota questions', async (t) => {
  const emu = await cloud.startEmulator({ apps: [APP] })
  t.teardown(() => emu.close())
  const courier = await run(t, 'courier.js', emu)
  await emu.setPushTarget({ url: courier.url, ...PUSH })
  const mc = new cloud.crypto.MsgCrypt({ ...PUSH, appid: APP.appid })
  const answerOf = (pushed) => cloud.crypto.parseXml(mc.decrypt(cloud.crypto.parseXml(pushed.delivery.answer).Encrypt))
  const order = await emu.pushEvent({ event: 'add_waybill', fields: { Token: 't', OrderID: 'o-7', BizID: 'b', ShopAppID: 'wxshop', WayBillID: '0' } })
  const reply = answerOf(order)
  t.like(reply, { Event: 'add_waybill', OrderID: 'o-7', BizID: 'b', ResultCode: '0' })
  t.regex(reply.WayBillID, /^CO\d+/)
  t.regex(await courier.line(/order o-7/), /waybill CO\d+/)
  t.like(answerOf(await emu.pushEvent({ event: 'check_biz', fields: { BizID: 'b' } })), { ResultCode: '0', Quota: '100' })
  t.like(answerOf(await emu.pushEvent({ event: 'get_quota', fields: { BizID: 'b', ShopAppID: 'wxshop' } })), { Event: 'get_quota', BizID: 'b', Quota: '100' })
  const cancel = { OrderID: 'o-7', BizID: 'b', WayBillID: reply.WayBillID }
  const cancelled = answerOf(await emu.pushEvent({ event: 'cancel_waybill', fields: { ...cancel, ShopAppID: 'wxshop' } }))
  t.like(cancelled, { Event: 'cancel_waybill', ...cancel, ResultCode: '0', ResultMsg: 'ok' })
  t.is(cancelled.ShopAppID, undefined, 'the reply echoes only what the page says')
})

test('registered with addCourier, the courier example serves merchants: their orders, cancellations and quota questions go through it', async (t) => {
  const MERCHANT = { appid: 'wxcouriermerchant1', secret: 'couriermerchantsecret000000001' }
  const emu = await cloud.startEmulator({ apps: [APP, MERCHANT] })
  t.teardown(() => emu.close())
  const courier = await run(t, 'courier.js', emu)
  await emu.addCourier({ deliveryId: 'MYCO', name: 'My Courier', appid: APP.appid, url: courier.url, ...PUSH })
  const merchant = cloud.createClient({ ...MERCHANT, apiBase: emu.url })
  t.true((await merchant.openapi.logistics.getAllDelivery({})).data.some((d) => d.deliveryId === 'MYCO'))
  const { waybillId } = await sandboxOrder(merchant, emu, MERCHANT.appid, 'courier-1', { deliveryId: 'MYCO', bizId: 'myco_biz', serviceType: 1 })
  // The waybill the courier's listener made is the one the merchant gets.
  t.regex(waybillId, /^CO\d+/)
  t.is(await courier.line(/order courier-1/), `order courier-1 from ${MERCHANT.appid}: waybill ${waybillId}`)
  const cancelled = await merchant.openapi.logistics.cancelOrder({ orderId: 'courier-1', openid: (await emu.openids(MERCHANT.appid))[0], deliveryId: 'MYCO', waybillId })
  t.is(cancelled.errCode, 0)
  t.is((await merchant.openapi.logistics.getQuota({ deliveryId: 'MYCO', bizId: 'myco_biz' })).quotaNum, 100)
  const log = await emu.pushLog()
  t.deepEqual(log.map((p) => p.event).filter((e) => ['add_waybill', 'cancel_waybill', 'get_quota'].includes(e)), ['add_waybill', 'cancel_waybill', 'get_quota'])
})

test('a courier that never answers gives the merchant 9300502 in bounded time', async (t) => {
  const MERCHANT = { appid: 'wxcouriermerchant2', secret: 'couriermerchantsecret000000002' }
  const emu = await cloud.startEmulator({ apps: [APP, MERCHANT] })
  t.teardown(() => emu.close())
  const silent = require('node:http').createServer(() => {})
  await new Promise((resolve) => silent.listen(0, '127.0.0.1', resolve))
  t.teardown(() => { silent.closeAllConnections(); silent.close() })
  await emu.addCourier({ deliveryId: 'SLOW', appid: APP.appid, url: `http://127.0.0.1:${silent.address().port}/push`, ...PUSH, answerTimeoutMs: 500 })
  const merchant = cloud.createClient({ ...MERCHANT, apiBase: emu.url })
  const started = Date.now()
  const e = await t.throwsAsync(sandboxOrder(merchant, emu, MERCHANT.appid, 'slow-1', { deliveryId: 'SLOW', bizId: 'slow_biz', serviceType: 1 }))
  t.true(e instanceof cloud.OpenApiError)
  t.is(e.errCode, 9300502)
  t.true(Date.now() - started < 10000)
})

test("a courier's refusal reaches the merchant as 9300501 with the courier's code and message in details", async (t) => {
  const MERCHANT = { appid: 'wxcouriermerchant3', secret: 'couriermerchantsecret000000003' }
  const emu = await cloud.startEmulator({ apps: [APP, MERCHANT] })
  t.teardown(() => emu.close())
  const courier = cloud.createClient({ ...APP, apiBase: emu.url, push: PUSH })
  courier.push.on('add_waybill', (event) => cloud.replies.addWaybill(event, { resultCode: 10001, resultMsg: 'no such customer' }))
  const server = require('node:http').createServer(courier.push.pushHandler())
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve))
  t.teardown(() => server.close())
  await emu.addCourier({ deliveryId: 'NOPE', appid: APP.appid, url: `http://127.0.0.1:${server.address().port}/push`, ...PUSH })
  const merchant = cloud.createClient({ ...MERCHANT, apiBase: emu.url })
  const e = await t.throwsAsync(sandboxOrder(merchant, emu, MERCHANT.appid, 'refused-1', { deliveryId: 'NOPE', bizId: 'nope_biz', serviceType: 1 }))
  t.is(e.errCode, 9300501)
  t.deepEqual(e.details, { deliveryResultcode: 10001, deliveryResultmsg: 'no such customer' })
})
