'use strict'
// Message pushes end to end: the emulator pushes (plain, compatible and safe; XML and JSON) over real HTTP to a
// client.push.pushHandler(), whose listeners get typed events once; tampered, stale and replayed pushes are
// refused or answered without running listeners; courier replies; the delivery log and WeChat's retries.

const test = require('ava')
const http = require('node:http')
const cloud = require('..')

const APP = { appid: 'wxpushapp000000001', secret: 'pushappsecret000000000000000001' }
const TOKEN = 'app-push-token'
const KEY = 'kWxPEV2UEDyxWpmPdKC3F4dgPDmOvfKX1HGnEUDS1aA'

const PATH_SAMPLE = `<xml><ToUserName><![CDATA[toUser]]></ToUserName><FromUserName><![CDATA[fromUser]]></FromUserName>
<CreateTime>1546924844</CreateTime><MsgType><![CDATA[event]]></MsgType><Event><![CDATA[add_express_path]]></Event>
<DeliveryID><![CDATA[SF]]></DeliveryID><WayBillId><![CDATA[123456789]]></WayBillId><OrderId><![CDATA[123456]]></OrderId>
<Version>3</Version><Count>3</Count>
<Actions><ActionTime>1546924840</ActionTime><ActionType>100001</ActionType><ActionMsg><![CDATA[小哥A揽件成功]]></ActionMsg></Actions>
<Actions><ActionTime>1546924841</ActionTime><ActionType>200001</ActionType><ActionMsg><![CDATA[到达广州]]></ActionMsg><Lat>23.1</Lat><Lng>113.2</Lng></Actions>
<Actions><ActionTime>1546924842</ActionTime><ActionType>300001</ActionType><ActionMsg><![CDATA[派件中]]></ActionMsg></Actions></xml>`

test('parseXml keeps every Actions element, typed as documented', (t) => {
  const parsed = cloud.crypto.parseXml(PATH_SAMPLE)
  t.is(parsed.WayBillId, '123456789')
  t.is(parsed.Version, 3)
  t.is(parsed.Actions.length, 3)
  t.deepEqual(parsed.Actions[1], { ActionTime: 1546924841, ActionType: 200001, ActionMsg: '到达广州', Lat: '23.1', Lng: '113.2' })
  t.is(parsed.Actions[2].ActionType, 300001)
  t.throws(() => cloud.crypto.parseXml('<!DOCTYPE x [<!ENTITY a "b">]><xml><A>&a;</A></xml>'), { message: /DOCTYPE/ })
})

/** A loopback server; `record` sees each raw request before the handler. */
async function serve(handler, record = () => {}) {
  const server = http.createServer((req, res) => {
    const chunks = []
    req.on('data', (c) => chunks.push(c))
    req.on('end', () => {
      const body = Buffer.concat(chunks)
      record({ url: req.url, method: req.method, body: body.toString('utf8') })
      req.body = body
      handler(req, res)
    })
  })
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve))
  const base = `http://127.0.0.1:${server.address().port}`
  return { base, url: `${base}/wechat/push`, close: () => new Promise((resolve) => { server.closeAllConnections(); server.close(resolve) }) }
}

async function until(check, what) {
  for (let i = 0; i < 200; i++) {
    const value = await check()
    if (value) return value
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
  throw new Error(`timed out waiting for ${what}`)
}

const sandboxOrder = (client, emu, orderId) => require('./helpers/sandbox-order.js').sandboxOrder(client, emu, APP.appid, orderId)

for (const format of ['xml', 'json']) {
  for (const mode of ['plain', 'compatible', 'safe']) {
    test.serial(`add_express_path after testUpdateOrder reaches the listener (${mode}, ${format})`, async (t) => {
      const emu = await cloud.startEmulator({ apps: [APP] })
      const push = mode === 'plain' ? { token: TOKEN } : { token: TOKEN, encodingAesKey: KEY }
      const client = cloud.createClient({ ...APP, apiBase: emu.url, push })
      const seen = []
      client.push.on('add_express_path', (event, context) => { seen.push({ event, context }) })
      const raw = []
      const server = await serve(client.push.pushHandler(), (r) => raw.push(r))
      t.teardown(async () => { await server.close(); await emu.close() })
      await emu.control('setPushTarget', { appid: APP.appid, url: server.url, format, mode, token: TOKEN, ...(mode === 'plain' ? {} : { encodingAesKey: KEY }) })

      const order = await sandboxOrder(client, emu, `o-${mode}-${format}`)
      await order.event(100001, '揽件成功')
      await order.event(200001, '运输中')
      await until(() => seen.length === 2, 'two pushes')
      // Pushes travel independently and may arrive in either order, as at WeChat: Version tells them apart.
      const { event, context } = seen.find((s) => s.event.Version === 2)
      t.is(event.Event, 'add_express_path')
      t.is(event.WayBillId, order.waybillId)
      t.is(event.Count, 2)
      t.deepEqual(event.Actions.map((a) => [a.ActionType, a.ActionMsg]), [[100001, '揽件成功'], [200001, '运输中']])
      t.is(typeof event.Actions[0].ActionTime, 'number')
      t.deepEqual(context, { appid: APP.appid, event: 'add_express_path', format, encrypted: mode !== 'plain' })
      if (mode === 'safe') t.false(raw[0].body.includes('揽件成功'), 'safe mode sends only ciphertext')
      if (mode === 'plain') t.true(raw[0].body.includes('揽件成功'))

      // A replay of a handled push is answered success and runs no listener twice.
      const replayed = await fetch(server.base + raw[1].url, { method: 'POST', body: raw[1].body })
      t.is(await replayed.text(), 'success')
      t.is(seen.length, 2)

      const log = await emu.control('pushLog', { appid: APP.appid })
      t.is(log.length, 2)
      t.like(log[1], { appid: APP.appid, componentAppid: null, event: 'add_express_path', format, mode, outcome: 'delivered', to: server.url })
      t.deepEqual(Object.keys(log[1].attempts[0]).sort(), ['answer', 'at', 'error', 'ms', 'status'])
      t.like(log[1].attempts[0], { status: 200, answer: 'success', error: null })
    })
  }
}

test.serial('tampered, stale and unsigned pushes are refused; a URL check is answered', async (t) => {
  const client = cloud.createClient({ ...APP, push: { token: TOKEN, encodingAesKey: KEY } })
  const mc = new cloud.crypto.MsgCrypt({ token: TOKEN, encodingAesKey: KEY, appid: APP.appid })
  const ran = []
  client.push.on('push', (m) => ran.push(m)) // returns a number: not a reply, so the answer stays 'success'
  const now = Math.floor(Date.now() / 1000)
  const inner = `<xml><ToUserName>gh_x</ToUserName><FromUserName>o</FromUserName><CreateTime>${now}</CreateTime><MsgType>event</MsgType><Event>update_business_bind_result</Event><errcode>0</errcode><errmsg>ok</errmsg><delivery_id>EMS</delivery_id><biz_id>b1</biz_id></xml>`
  const good = mc.encryptPush(inner)
  t.is(await client.push.handlePush(good), 'success')
  t.is(ran[0].errcode, 0)
  const tampered = { query: { ...good.query, msg_signature: '0'.repeat(40) }, body: good.body }
  await t.throwsAsync(client.push.handlePush(tampered), { message: /signature mismatch/ })
  const stale = mc.encryptPush(inner.replace(String(now), String(now - 3600)), { timestamp: now - 3600 })
  await t.throwsAsync(client.push.handlePush(stale), { message: /stale push/ })
  const plain = { query: { timestamp: String(now), nonce: '1', signature: cloud.crypto.sign(TOKEN, String(now), '1') }, body: inner }
  await t.throwsAsync(client.push.handlePush(plain), { message: /encrypt_type/ }, 'with a key, plain pushes are unsigned bodies')
  t.is(ran.length, 1)
  // The URL check (GET with echostr), in safe mode: the echostr is encrypted.
  const echostr = mc.encrypt('echo-123')
  const check = { timestamp: String(now), nonce: '7', echostr, msg_signature: mc.signature({ timestamp: now, nonce: 7, encrypt: echostr }) }
  t.is(await client.push.handlePush({ query: check }), 'echo-123')
  // An error never carries the token or key.
  const e = await t.throwsAsync(client.push.handlePush(tampered))
  t.false(JSON.stringify({ ...e, message: e.message }).includes(KEY))
})

test.serial('a listener that fails is retried by the emulator and then runs again', async (t) => {
  const emu = await cloud.startEmulator({ apps: [APP] })
  const client = cloud.createClient({ ...APP, apiBase: emu.url, push: { token: TOKEN, encodingAesKey: KEY } })
  let calls = 0
  client.push.on('add_express_path', () => {
    calls += 1
    if (calls === 1) throw new Error('database down')
  })
  const server = await serve(client.push.pushHandler())
  t.teardown(async () => { await server.close(); await emu.close() })
  await emu.control('setPushTarget', { url: server.url, token: TOKEN, encodingAesKey: KEY })
  const order = await sandboxOrder(client, emu, 'o-retry')
  await order.event(100001, '揽件成功')
  const log = await until(async () => {
    const entries = await emu.control('pushLog', {})
    return entries.length === 1 && entries[0].outcome !== 'pending' && entries
  }, 'the delivery to settle')
  t.is(calls, 2)
  t.is(log[0].outcome, 'delivered')
  t.deepEqual(log[0].attempts.map((a) => a.status), [500, 200])
})

test.serial('bind review, media check and courier events reach their listeners; courier replies are sealed', async (t) => {
  const emu = await cloud.startEmulator({ apps: [APP] })
  const client = cloud.createClient({ ...APP, apiBase: emu.url, push: { token: TOKEN, encodingAesKey: KEY } })
  const got = {}
  for (const name of ['update_business_bind_result', 'wxa_media_check']) client.push.on(name, (m) => { got[name] = m })
  client.push.on('add_waybill', (event) => cloud.replies.addWaybill(event, { resultCode: 0, wayBillId: 'YT123', waybillData: 'x' }))
  client.push.on('check_biz', (event) => client.push.replies.checkBiz(event, { resultCode: 0, quota: 12 }))
  const server = await serve(client.push.pushHandler())
  t.teardown(async () => { await server.close(); await emu.close() })
  await emu.control('setPushTarget', { url: server.url, format: 'json', token: TOKEN, encodingAesKey: KEY })

  await client.openapi.logistics.bindAccount({ type: 'bind', bizId: 'ems_1', deliveryId: 'EMS' })
  await client.openapi.logistics.updateBusiness({ shopAppId: APP.appid, bizId: 'ems_1', resultCode: 1, resultMsg: 'bad remark' })
  await until(() => got.update_business_bind_result, 'the bind result')
  t.like(got.update_business_bind_result, { errcode: 1, errmsg: 'bad remark', delivery_id: 'EMS', biz_id: 'ems_1' })

  const [openid] = await emu.openids(APP.appid)
  const { traceId } = await client.openapi.security.mediaCheckAsync({ mediaUrl: 'https://img.example/fine.png', mediaType: 2, version: 2, scene: 1, openid })
  await until(() => got.wxa_media_check, 'the media check')
  t.is(got.wxa_media_check.trace_id, traceId)
  t.is(got.wxa_media_check.result.suggest, 'pass')
  t.is(typeof got.wxa_media_check.detail[0].prob, 'number')

  const mc = new cloud.crypto.MsgCrypt({ token: TOKEN, encodingAesKey: KEY, appid: APP.appid })
  const waybill = await emu.control('pushEvent', { event: 'add_waybill', fields: { Token: 'tk', OrderID: 'o1', BizID: 'b1', WayBillID: '0', Cargo: { Count: '1', DetailList: { Name: '书', Count: 1 } } } })
  const answer = JSON.parse(waybill.delivery.answer)
  const reply = JSON.parse(mc.decrypt(answer.Encrypt))
  t.like(reply, { Event: 'add_waybill', BizID: 'b1', OrderID: 'o1', WayBillID: 'YT123', WaybillData: 'x', ResultCode: 0, ResultMsg: 'ok', MsgType: 'event' })
  t.is(mc.signature({ timestamp: answer.TimeStamp, nonce: answer.Nonce, encrypt: answer.Encrypt }), answer.MsgSignature)
  const biz = await emu.control('pushEvent', { event: 'check_biz', fields: { BizID: 'b2', ShopAppID: 'wxshop' } })
  t.like(JSON.parse(mc.decrypt(JSON.parse(biz.delivery.answer).Encrypt)), { BizID: 'b2', Quota: 12, ResultCode: 0 })
})

test.serial("authorizers' pushes reach the platform's $APPID$ URL and component.messages", async (t) => {
  const COMPONENT = { appid: 'wxcomponent0000001', secret: 'componentsecret00000000000000001', token: 'component-push-token', encodingAesKey: KEY }
  const MERCHANT = 'wxmerchant00000001'
  const emu = await cloud.startEmulator({ apps: [APP], components: [COMPONENT] })
  const platform = cloud.createClient({ apiBase: emu.url, component: COMPONENT })
  const seen = []
  platform.component.messages.on('add_express_path', (m, context) => { seen.push({ m, context }) })
  const server = await serve(platform.component.messages.pushHandler())
  t.teardown(async () => { await server.close(); await emu.close() })
  await emu.control('setPushTarget', { componentAppid: COMPONENT.appid, url: `${server.base}/wechat/$APPID$/messages` })
  await emu.control('authorize', { componentAppid: COMPONENT.appid, authorizerAppid: MERCHANT, permissionSets: [45] })
  await emu.control('pushEvent', { appid: MERCHANT, event: 'add_express_path', fields: { WayBillId: 'W9', Actions: [{ ActionTime: 1, ActionType: 100001, ActionMsg: 'a' }] } })
  await until(() => seen.length === 1, 'the authorizer push')
  t.is(seen[0].context.appid, MERCHANT)
  t.deepEqual(seen[0].m.Actions, [{ ActionTime: 1, ActionType: 100001, ActionMsg: 'a' }])
  const [entry] = await emu.control('pushLog', { appid: MERCHANT })
  t.like(entry, { componentAppid: COMPONENT.appid, mode: 'safe', to: `${server.base}/wechat/${MERCHANT}/messages`, outcome: 'delivered' })

  // notify_third_fasteregister arrives at the authorization-event URL, typed.
  const fast = []
  platform.component.on('notify_third_fasteregister', (m) => { fast.push(m) })
  const mc = new cloud.crypto.MsgCrypt({ token: COMPONENT.token, encodingAesKey: KEY, appid: COMPONENT.appid })
  const now = Math.floor(Date.now() / 1000)
  const inner = `<xml><AppId>${COMPONENT.appid}</AppId><CreateTime>${now}</CreateTime><InfoType>notify_third_fasteregister</InfoType><appid>wxnew0000000000001</appid><status>0</status><auth_code>code@@@1</auth_code><msg>OK</msg><info><name>n</name><code>c</code><code_type>1</code_type></info></xml>`
  t.is(await platform.component.handlePush(mc.encryptPush(inner)), 'success')
  t.like(fast[0], { status: 0, appid: 'wxnew0000000000001', authCode: 'code@@@1', info: { name: 'n', codeType: 1 } })
})

test('a bad push config names the field before any I/O', (t) => {
  t.throws(() => cloud.createClient({ ...APP, push: { token: TOKEN, encodingAesKey: 'short' } }), { message: /push\.encodingAesKey must be 43 characters/ })
  t.throws(() => cloud.createClient({ ...APP, push: { tokn: TOKEN } }), { message: /push\.tokn/ })
  t.throws(() => cloud.createClient({ ...APP, push: {} }), { message: /push\.token is required/ })
  const bare = cloud.createClient(APP)
  return t.throwsAsync(bare.push.handlePush({ query: {}, body: '<xml/>' }), { message: /no message push configured/ })
})

test.serial("a courier's updatePath reaches the merchant's listener; the handler answers WeChat's URL check", async (t) => {
  const { DEMO_APP } = require('../emulator.js')
  const emu = await cloud.startEmulator()
  const client = cloud.createClient({ ...DEMO_APP, apiBase: emu.url, push: { token: TOKEN } })
  const seen = []
  client.push.on('add_express_path', (m) => { seen.push(m) })
  const server = await serve(client.push.pushHandler())
  t.teardown(async () => { await server.close(); await emu.close() })
  await emu.setPushTarget({ url: server.url, token: TOKEN })

  // The URL check: a GET signed with the token, answered with its echostr (plain mode).
  const now = String(Math.floor(Date.now() / 1000))
  const check = new URLSearchParams({ signature: cloud.crypto.sign(TOKEN, now, '5'), timestamp: now, nonce: '5', echostr: 'hello-42' })
  const answered = await fetch(`${server.url}?${check}`)
  t.is(await answered.text(), 'hello-42')
  check.set('signature', '0'.repeat(40))
  t.is((await fetch(`${server.url}?${check}`)).status, 400)

  const company = { deliveryId: 'SF', bizId: 'demo_sf_monthly', serviceType: 0 }
  const { waybillId, openid } = await require('./helpers/sandbox-order.js').sandboxOrder(client, emu, DEMO_APP.appid, 'sf-1', company)
  const { deliveryToken } = await emu.order({ orderId: 'sf-1' })
  await client.openapi.logistics.updatePath({ token: deliveryToken, waybillId, actionTime: 1700000000, actionType: 100001, actionMsg: '顺丰已揽件' })
  await until(() => seen.length === 1, 'the path push')
  t.like(seen[0], { WayBillId: waybillId, DeliveryID: 'SF', OrderId: 'sf-1', FromUserName: openid, Count: 1 })
  t.deepEqual(seen[0].Actions, [{ ActionTime: 1700000000, ActionType: 100001, ActionMsg: '顺丰已揽件' }])
})
