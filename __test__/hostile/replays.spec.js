// Class 12, replayed pushes: a push that verifies is still refused when its stamps are stale or from the future,
// a push already handled is answered `success` without acting twice, and a ticket never rolls the stored one back.

const test = require('ava')
const { cloud, COMPONENT, recordingStore, serve, post, pushXml } = require('../component-helpers.js')
const fixtures = require('../../crates/protocol/src/crypto/fixtures/wechatpy.json').cases

const TICKET_KEY = `wechat-openapi:{${COMPONENT.appid}}:component_verify_ticket`
const OWN_APP = { appid: 'wxownapp000000001', secret: 'ownappsecret0000000000000000001' }
const now = () => Math.floor(Date.now() / 1000)

function crypt(c = COMPONENT) {
  return new cloud.crypto.MsgCrypt({ token: c.token, encodingAesKey: c.encodingAesKey, appid: c.appid })
}

/** A push as WeChat seals it, with its query `timestamp` and XML `CreateTime` at `stamp` (unix seconds). */
function sealed(infoType, fields, stamp = now(), createTime = stamp) {
  const xml = pushXml(COMPONENT.appid, infoType, fields).replace(/<CreateTime>\d+<\/CreateTime>/, `<CreateTime>${createTime}</CreateTime>`)
  return crypt().encryptPush(xml, { timestamp: stamp })
}

async function intake(t, options = {}) {
  const store = recordingStore()
  const client = cloud.createClient({ component: { ...COMPONENT, ...options }, store })
  const heard = []
  for (const event of ['ticket', 'authorized', 'push']) client.component.on(event, (e) => heard.push([event, e.createTime]))
  const server = await serve(client.component.pushHandler())
  t.teardown(server.close)
  const send = ({ query, body }) => post(server.url, query, body)
  const sets = () => store.log.filter(([op]) => op === 'set').length
  return { store, client, heard, send, sets }
}

test('a correctly signed push stamped in 2001, or an hour ahead, is refused with 400 and stores nothing', async (t) => {
  const p = await intake(t)
  const y2001 = Date.UTC(2001, 0, 1) / 1000
  const cases = [
    ['2001', sealed('component_verify_ticket', { ComponentVerifyTicket: 'ticket@@@2001' }, y2001), 'stale push: its query timestamp is'],
    ['old CreateTime, fresh query', sealed('component_verify_ticket', { ComponentVerifyTicket: 'ticket@@@old' }, now(), y2001), 'stale push: its CreateTime is'],
    ['fresh CreateTime, old query', sealed('component_verify_ticket', { ComponentVerifyTicket: 'ticket@@@oldq' }, now() - 301, now()), 'stale push: its query timestamp is 30'],
    ['an hour ahead', sealed('component_verify_ticket', { ComponentVerifyTicket: 'ticket@@@future' }, now() + 3600), 'push from the future: its query timestamp is 3'],
    ['an authorization event', sealed('authorized', { AuthorizerAppid: 'wxmerchant', AuthorizationCode: 'code@@@1' }, y2001), 'stale push'],
  ]
  for (const [name, push, reason] of cases) {
    const res = await p.send(push)
    t.is(res.status, 400, name)
    t.true(res.text.startsWith(reason), `${name}: ${res.text}`)
    t.true(res.text.includes('component.pushMaxAgeSeconds') || reason.includes('future'), res.text)
  }
  t.is(p.sets(), 0, 'nothing was stored')
  t.deepEqual(p.heard, [], 'no listener heard of them')

  // handlePush: a typed error, the same kind as every rejected push.
  const e = await t.throwsAsync(p.client.component.handlePush(sealed('component_verify_ticket', { ComponentVerifyTicket: 't' }, y2001)))
  t.is(e.errCode, -601002)
  t.regex(e.errMsg, /^openapi\.component\.handlePush:fail push rejected: stale push: its query timestamp is \d+ s old, more than the 300 s allowed/)
  // Inside the window, and a little ahead (clock skew), pushes are taken.
  t.deepEqual(await p.send(sealed('component_verify_ticket', { ComponentVerifyTicket: 'ticket@@@skewed' }, now() - 250, now() + 30)), { status: 200, text: 'success' })
  t.is(p.store.data.get(TICKET_KEY).value, 'ticket@@@skewed')
})

test("wechatpy's ticket push (signed in 2014) still decrypts with cloud.crypto but is refused as a push", async (t) => {
  const c = fixtures.find((f) => f.name === 'component_verify_ticket')
  const component = { appid: c.appid, secret: 'componentsecret00000000000000001', token: c.token, encodingAesKey: c.encoding_aes_key }
  const query = { timestamp: c.timestamp, nonce: c.nonce, msg_signature: c.msg_signature, encrypt_type: 'aes' }
  t.is(crypt(component).decryptPush({ query, body: c.body_xml }), c.plaintext, 'freshness is not decryption')
  const store = recordingStore()
  const client = cloud.createClient({ component, store })
  const server = await serve(client.component.pushHandler())
  t.teardown(server.close)
  const res = await post(server.url, query, c.body_xml)
  t.is(res.status, 400)
  t.regex(res.text, /^stale push: its query timestamp is \d+ s old/)
  t.is(store.data.size, 0)
})

test('the same push delivered again is answered success without acting twice', async (t) => {
  const p = await intake(t)
  const ticket = sealed('component_verify_ticket', { ComponentVerifyTicket: 'ticket@@@once' })
  const authorized = sealed('authorized', { AuthorizerAppid: 'wxmerchant00000001', AuthorizationCode: 'code@@@once', AuthorizationCodeExpiredTime: now() + 3600 })
  for (let i = 0; i < 3; i++) {
    t.deepEqual(await p.send(ticket), { status: 200, text: 'success' })
    t.deepEqual(await p.send(authorized), { status: 200, text: 'success' })
  }
  t.deepEqual(p.heard.map(([event]) => event), ['ticket', 'push', 'authorized', 'push'], 'each push acted on once')
  t.is(p.sets(), 3, 'the ticket and its CreateTime, and the authorization\'s time, once')
  // The same content re-signed with another nonce (how a retry may come) is the same push.
  const xml = crypt().decryptPush(ticket)
  t.deepEqual(await p.send(crypt().encryptPush(xml, { nonce: '424242' })), { status: 200, text: 'success' })
  t.is(p.heard.length, 4)
  // Through handlePush too: 'success', and no listener.
  t.is(await p.client.component.handlePush(ticket), 'success')
  t.is(p.heard.length, 4)
})

test('a listener that failed (500) hears the retry of its push', async (t) => {
  const p = await intake(t)
  let fail = true
  p.client.component.on('authorized', () => {
    if (fail) {
      fail = false
      throw new Error('database down')
    }
  })
  const push = sealed('authorized', { AuthorizerAppid: 'wxmerchant00000001', AuthorizationCode: 'code@@@retry' })
  t.is((await p.send(push)).status, 500)
  t.deepEqual(await p.send(push), { status: 200, text: 'success' })
  t.deepEqual(p.heard.filter(([e]) => e === 'authorized').length, 2, 'acted on again')
  t.deepEqual(await p.send(push), { status: 200, text: 'success' })
  t.deepEqual(p.heard.filter(([e]) => e === 'authorized').length, 2, 'then done')
})

test('a ticket older than the stored one never replaces it', async (t) => {
  const p = await intake(t)
  const t0 = now()
  t.deepEqual(await p.send(sealed('component_verify_ticket', { ComponentVerifyTicket: 'ticket@@@new' }, t0, t0)), { status: 200, text: 'success' })
  t.deepEqual(await p.send(sealed('component_verify_ticket', { ComponentVerifyTicket: 'ticket@@@older' }, t0, t0 - 60)), { status: 200, text: 'success' })
  t.is(p.store.data.get(TICKET_KEY).value, 'ticket@@@new')
  t.is(p.store.data.get(`${TICKET_KEY}_time`).value, String(t0))
  t.deepEqual(p.heard, [['ticket', t0], ['push', t0]], 'the older ticket is not announced')
  // Another process (no memory of what was handled) reads the same store: the rule holds there too.
  const other = cloud.createClient({ component: COMPONENT, store: p.store })
  t.is(await other.component.handlePush(sealed('component_verify_ticket', { ComponentVerifyTicket: 'ticket@@@older2' }, t0, t0 - 30)), 'success')
  t.is(p.store.data.get(TICKET_KEY).value, 'ticket@@@new')
  t.is(await other.component.handlePush(sealed('component_verify_ticket', { ComponentVerifyTicket: 'ticket@@@newer' }, t0, t0 + 1)), 'success')
  t.is(p.store.data.get(TICKET_KEY).value, 'ticket@@@newer')
})

test('component.pushMaxAgeSeconds sets the window', async (t) => {
  const p = await intake(t, { pushMaxAgeSeconds: 30 })
  const res = await p.send(sealed('component_verify_ticket', { ComponentVerifyTicket: 'ticket@@@60s' }, now() - 60))
  t.is(res.status, 400)
  t.regex(res.text, /more than the 30 s allowed/)
  t.deepEqual(await p.send(sealed('component_verify_ticket', { ComponentVerifyTicket: 'ticket@@@10s' }, now() - 10)), { status: 200, text: 'success' })
  for (const bad of [0, -1, 1.5, 43201, '60']) {
    const e = t.throws(() => cloud.createClient({ component: { ...COMPONENT, pushMaxAgeSeconds: bad } }))
    t.regex(e.errMsg, /component\.pushMaxAgeSeconds must be a whole number from 1 to 43200/, String(bad))
  }
})

test("end to end with the emulator: replaying an old ticket push does not roll the ticket back (no 61006)", async (t) => {
  const emu = await cloud.startEmulator({ port: 0, apps: [OWN_APP], components: [COMPONENT] })
  t.teardown(() => emu.close())
  const store = recordingStore()
  const client = cloud.createClient({ ...OWN_APP, component: COMPONENT, apiBase: emu.url, store })
  const handler = client.component.pushHandler()
  const recorded = []
  const server = await serve((req, res) => {
    const chunks = []
    req.on('data', (c) => chunks.push(c))
    req.on('end', () => {
      recorded.push({ url: req.url, body: Buffer.concat(chunks).toString() })
      req.body = Buffer.concat(chunks)
      handler(req, res)
    })
  })
  t.teardown(server.close)
  const first = await emu.pushTicket(server.url)
  t.deepEqual(first.delivery, { status: 200, answer: 'success' })
  // The next ticket comes a second later (WeChat: every 10 minutes), so its CreateTime is later.
  await new Promise((resolve) => setTimeout(resolve, 1100))
  const second = await emu.pushTicket(server.url)
  t.deepEqual(second.delivery, { status: 200, answer: 'success' })
  t.is(store.data.get(TICKET_KEY).value, second.ticket)

  // An attacker replays the first push, to this process and to a fresh one sharing the store.
  const replay = recorded[0]
  const query = Object.fromEntries(new URL(replay.url, 'http://x').searchParams)
  t.deepEqual(await post(server.url, query, replay.body), { status: 200, text: 'success' })
  const fresh = cloud.createClient({ ...OWN_APP, component: COMPONENT, apiBase: emu.url, store })
  t.is(await fresh.component.handlePush({ query, body: replay.body }), 'success')
  t.is(store.data.get(TICKET_KEY).value, second.ticket, 'the stored ticket is still the newest')
  // The component token is renewed from the stored ticket: the emulator only accepts the newest one.
  const code = await client.component.getPreAuthCode()
  t.truthy(code.preAuthCode)
  t.is(await emu.requestCount('component.getComponentAccessToken'), 1)
})
