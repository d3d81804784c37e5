'use strict'
// Issue 5: third-party platform mode through the real addon over real HTTP: message crypto against wechatpy's
// fixtures, push intake (node:http, Express, Koa), tickets, authorization, calls on behalf of a merchant,
// refresh-token rotation into a JS store, 61023 recovery, and rejected pushes that store nothing.

const test = require('ava')
const { cloud, COMPONENT, recordingStore, serve, expressLike, koaLike, post, pushXml } = require('./component-helpers.js')
const fixtures = require('../crates/protocol/src/crypto/fixtures/wechatpy.json')

const TICKET_KEY = `wechat-openapi:{${COMPONENT.appid}}:component_verify_ticket`

// ---------------------------------------------------------------------------------------------------------
// cloud.crypto

test('cloud.crypto round-trips every wechatpy fixture', (t) => {
  for (const c of fixtures.cases) {
    const key = c.current_encoding_aes_key || c.encoding_aes_key
    const mc = new cloud.crypto.MsgCrypt({ token: c.token, encodingAesKey: key, appid: c.appid, previousEncodingAesKey: c.previous_encoding_aes_key })
    const query = { timestamp: c.timestamp, nonce: c.nonce, msg_signature: c.msg_signature }
    switch (c.kind) {
      case 'message':
      case 'push':
      case 'previous_key':
        t.is(mc.decryptPush({ query, body: c.body_xml }), c.plaintext, c.name)
        t.is(mc.decrypt(c.encrypt), c.plaintext, c.name)
        t.true(mc.verify({ msgSignature: c.msg_signature, timestamp: c.timestamp, nonce: c.nonce, encrypt: c.encrypt }), c.name)
        if (c.kind !== 'previous_key') {
          t.is(mc.encrypt(c.plaintext, { random: c.random }), c.encrypt, `${c.name}: byte-for-byte with wechatpy`)
          t.is(mc.signature({ timestamp: c.timestamp, nonce: c.nonce, encrypt: c.encrypt }), c.msg_signature, c.name)
        }
        break
      case 'reply':
        t.is(mc.encrypt(c.plaintext, { random: c.random }), c.encrypt, c.name)
        t.is(mc.decryptPush({ query, body: c.reply_xml }), c.plaintext, c.name)
        {
          const envelope = mc.encryptReply(c.plaintext, { timestamp: c.timestamp, nonce: c.nonce })
          const { MsgSignature, TimeStamp, Nonce } = cloud.crypto.parseXml(envelope)
          t.is(mc.decryptPush({ query: { timestamp: TimeStamp, nonce: Nonce, msg_signature: MsgSignature }, body: envelope }), c.plaintext)
        }
        break
      case 'url_verify_safe':
        t.is(mc.verifyUrl({ ...query, echostr: c.encrypt }), c.plaintext, c.name)
        break
      case 'url_verify_plain':
        t.is(mc.verifyUrl(`signature=${c.signature}&timestamp=${c.timestamp}&nonce=${c.nonce}&echostr=${encodeURIComponent(c.echostr)}`), c.echostr, c.name)
        t.is(mc.signature({ timestamp: c.timestamp, nonce: c.nonce }), c.signature)
        t.is(cloud.crypto.sign(c.token, c.timestamp, c.nonce), c.signature)
        break
      default:
        t.fail(`unknown fixture kind ${c.kind}`)
    }
  }
  const authorized = fixtures.cases.find((c) => c.name === 'authorized_event')
  t.like(cloud.crypto.parseXml(authorized.plaintext), { InfoType: 'authorized', AuthorizationCode: authorized.expect_event.authorization_code })
})

test('cloud.crypto rejects tampering and bad keys with OpenApiErrors naming the method', (t) => {
  const c = fixtures.cases.find((x) => x.name === 'ascii_text')
  const mc = new cloud.crypto.MsgCrypt({ token: c.token, encodingAesKey: c.encoding_aes_key, appid: c.appid })
  const e = t.throws(() => mc.decryptPush({ query: { timestamp: c.timestamp, nonce: c.nonce, msg_signature: '0'.repeat(40) }, body: c.body_xml }))
  t.true(e instanceof cloud.OpenApiError)
  t.is(e.errCode, -601002)
  t.is(e.errMsg, 'openapi.crypto.decryptPush:fail signature mismatch')
  const other = new cloud.crypto.MsgCrypt({ token: c.token, encodingAesKey: c.encoding_aes_key, appid: 'wxsomeoneelse00001' })
  t.regex(t.throws(() => other.decrypt(c.encrypt)).errMsg, /appid in decrypted payload does not match/)
  t.regex(t.throws(() => new cloud.crypto.MsgCrypt({ token: 't', encodingAesKey: 'short', appid: 'wx1' })).errMsg, /encodingAesKey must be 43 characters, got 5/)
  t.false(mc.verify({ signature: 'nope', timestamp: '1', nonce: '2' }))
})

// ---------------------------------------------------------------------------------------------------------
// config

test('component config errors are synchronous and name the field', (t) => {
  const bad = (component, extra = {}) => t.throws(() => cloud.createClient({ component, ...extra }))
  t.regex(bad({ ...COMPONENT, encodingAesKey: 'x'.repeat(42) }).errMsg, /component\.encodingAesKey must be 43 characters, got 42/)
  t.regex(bad({ ...COMPONENT, encodingAESKey: 'x' }).errMsg, /unknown option "component\.encodingAESKey" \(did you mean "component\.encodingAesKey"\?\)/)
  t.regex(bad({ ...COMPONENT, token: '' }).errMsg, /component\.token must be a non-empty string/)
  t.regex(bad({ appid: COMPONENT.appid }).errMsg, /component\.secret is required/)
  t.regex(bad(COMPONENT, { store: { get() {}, set() {} } }).errMsg, /store\.del must be a function/)
  t.regex(bad(COMPONENT, { onRefreshTokenRotated: 'yes' }).errMsg, /onRefreshTokenRotated must be a function/)
  const e = bad({ ...COMPONENT, encodingAesKey: 'y'.repeat(10) })
  for (const secret of [COMPONENT.secret, COMPONENT.token]) t.false(JSON.stringify({ m: e.message, s: e.stack }).includes(secret))
})

test('a client without a component identity says so', async (t) => {
  const client = cloud.createClient({ appid: 'wxplainapp00000001', secret: 'plain-secret' })
  const e = await t.throwsAsync(client.component.getPreAuthCode())
  t.regex(e.errMsg, /^openapi\.component\.getPreAuthCode:fail this client has no third-party platform identity/)
  const e2 = await t.throwsAsync(client.openapi({ appid: 'wxmerchant00000001' }).logistics.applyMsgPlugin({}))
  t.regex(e2.errMsg, /no third-party platform identity/)
  t.throws(() => client.component.on('authorised', () => {}), { message: /unknown event "authorised"/ })
})

test('authorizationUrl builds the PC and mobile pages', (t) => {
  const client = cloud.createClient({ component: COMPONENT })
  t.is(
    client.component.authorizationUrl({ preAuthCode: 'preauthcode@@@x', redirectUri: 'https://shop.example.com/wx/cb?s=1' }),
    `https://mp.weixin.qq.com/cgi-bin/componentloginpage?component_appid=${COMPONENT.appid}&pre_auth_code=preauthcode%40%40%40x` +
      '&redirect_uri=https%3A%2F%2Fshop.example.com%2Fwx%2Fcb%3Fs%3D1&auth_type=3',
  )
  t.is(
    client.component.authorizationUrl({ preAuthCode: 'p', redirectUri: 'https://a.example/cb', authType: 2, mobile: true }),
    `https://open.weixin.qq.com/wxaopen/safe/bindcomponent?action=bindcomponent&no_scan=1&component_appid=${COMPONENT.appid}` +
      '&pre_auth_code=p&redirect_uri=https%3A%2F%2Fa.example%2Fcb&auth_type=2#wechat_redirect',
  )
  t.regex(t.throws(() => client.component.authorizationUrl({ preAuthCode: 'p' })).errMsg, /redirectUri is required/)
})

// ---------------------------------------------------------------------------------------------------------
// push intake without WeChat: pushes made with cloud.crypto

function platformCrypt(appid = COMPONENT.appid, token = COMPONENT.token) {
  return new cloud.crypto.MsgCrypt({ token, encodingAesKey: COMPONENT.encodingAesKey, appid })
}

test('pushHandler accepts a ticket under node:http, Express and Koa', async (t) => {
  for (const [name, wrap] of [['http', (h) => h], ['express', expressLike], ['koa', koaLike]]) {
    const store = recordingStore()
    const client = cloud.createClient({ component: COMPONENT, store })
    const tickets = []
    client.component.on('ticket', (e) => tickets.push(e))
    const server = await serve(wrap(client.component.pushHandler()))
    t.teardown(server.close)
    const { body, query } = platformCrypt().encryptPush(pushXml(COMPONENT.appid, 'component_verify_ticket', { ComponentVerifyTicket: `ticket@@@${name}` }))
    t.deepEqual(await post(server.url, query, body), { status: 200, text: 'success' }, name)
    t.is(store.data.get(TICKET_KEY).value, `ticket@@@${name}`)
    t.is(store.data.get(TICKET_KEY).ttlSeconds, 12 * 3600)
    t.is(tickets.length, 1)
    t.false(JSON.stringify(tickets).includes('ticket@@@'), 'listeners never see the ticket')
  }
})

test('tampered, foreign, malformed and oversized pushes get 400 and store nothing', async (t) => {
  const store = recordingStore()
  const client = cloud.createClient({ component: COMPONENT, store })
  const failures = []
  const server = await serve(client.component.pushHandler({ maxBytes: 4096, onError: (e) => failures.push(e) }))
  t.teardown(server.close)
  const inner = pushXml(COMPONENT.appid, 'component_verify_ticket', { ComponentVerifyTicket: 'ticket@@@evil' })
  const good = platformCrypt().encryptPush(inner)
  const cases = [
    ['bad signature', { ...good.query, msg_signature: 'f'.repeat(40) }, good.body, 'signature mismatch'],
    ['another token', ...Object.values(platformCrypt(COMPONENT.appid, 'not-our-token').encryptPush(inner)).reverse(), 'signature mismatch'],
    ['another platform', ...Object.values(platformCrypt('wxanotherplatform1').encryptPush(inner)).reverse(), 'appid in decrypted payload does not match'],
    ['inner AppId', ...Object.values(platformCrypt().encryptPush(pushXml('wxanotherplatform1', 'component_verify_ticket', { ComponentVerifyTicket: 'x' }))).reverse(), "not this platform's appid"],
    ['no signature', { timestamp: '1', nonce: '2' }, good.body, 'missing field: msg_signature'],
    ['malformed XML', good.query, '<xml><Encrypt>abc', 'invalid push XML'],
    ['entity expansion', good.query, '<!DOCTYPE x [<!ENTITY a "b">]><xml><Encrypt>&a;</Encrypt></xml>', 'DOCTYPE'],
    ['oversized', good.query, `<xml><Encrypt>${'A'.repeat(5000)}</Encrypt></xml>`, 'body exceeds 4096 bytes'],
  ]
  for (const [name, query, body, reason] of cases) {
    const res = await post(server.url, query, body)
    t.is(res.status, 400, name)
    t.true(res.text.includes(reason), `${name}: ${res.text}`)
    t.false(res.text.includes('evil'))
  }
  t.deepEqual(await post(server.url, good.query, '', 'GET'), { status: 400, text: 'pushes are POSTed' })
  t.is(failures.length, cases.length + 1)
  t.true(failures.every((e) => e instanceof cloud.OpenApiError && e.errCode === -601002 && e.category === 'invalid-argument'))
  t.deepEqual(store.log.filter(([op]) => op !== 'get'), [], 'nothing was stored')
  // The same through handlePush directly.
  const e = await t.throwsAsync(client.component.handlePush({ query: cases[0][1], body: good.body }))
  t.is(e.errMsg, 'openapi.component.handlePush:fail push rejected: signature mismatch')
})

test('authorization events reach async listeners before the push is answered', async (t) => {
  const client = cloud.createClient({ component: COMPONENT, store: recordingStore() })
  const seen = []
  client.component.on('authorized', async (e) => {
    await new Promise((r) => setTimeout(r, 20))
    seen.push(e)
  })
  client.component.once('push', (e) => seen.push(e.infoType))
  const fields = {
    AuthorizerAppid: 'wxmerchant00000001',
    AuthorizationCode: 'queryauthcode@@@abc',
    AuthorizationCodeExpiredTime: '1700003600',
    PreAuthCode: 'preauthcode@@@p',
  }
  t.is(await client.component.handlePush(platformCrypt().encryptPush(pushXml(COMPONENT.appid, 'authorized', fields))), 'success')
  t.is(seen.length, 2)
  t.like(seen[0], { infoType: 'authorized', componentAppid: COMPONENT.appid, authorizerAppid: 'wxmerchant00000001', authorizationCode: 'queryauthcode@@@abc' })
  t.is(seen[1], 'authorized')
  // A listener that fails makes the handler answer 500 (WeChat pushes again), not 400.
  client.component.on('updateauthorized', () => { throw new Error('listener down') })
  const server = await serve(client.component.pushHandler())
  t.teardown(server.close)
  const update = platformCrypt().encryptPush(pushXml(COMPONENT.appid, 'updateauthorized', fields))
  t.deepEqual(await post(server.url, update.query, update.body), { status: 500, text: 'internal error' })
})

// ---------------------------------------------------------------------------------------------------------
// End to end with the emulator: real pushes into a real handler, real tokens over real HTTP.

const OWN_APP = { appid: 'wxplatformownapp01', secret: 'platform-own-app-secret-000001' }
const MERCHANT = 'wxmerchant00000001'
const ALL_SETS = [45, 24, 25, 33]

/** An emulator, a client with both identities and a recording JS store, and its push URL served by pushHandler(). */
async function platform(t, extra = {}) {
  const emu = await cloud.startEmulator({ port: 0, apps: [OWN_APP], components: [COMPONENT] })
  t.teardown(() => emu.close())
  const store = recordingStore()
  const rotations = []
  const client = cloud.createClient({ ...OWN_APP, component: COMPONENT, apiBase: emu.url, store, onRefreshTokenRotated: (e) => rotations.push(e), ...extra })
  const server = await serve(client.component.pushHandler())
  t.teardown(server.close)
  return { emu, store, rotations, client, server }
}

/** The merchant authorizes; the `authorized` push is answered by queryAuth. Resolves to the events seen. */
async function authorize(t, p, permissionSets = ALL_SETS) {
  const events = []
  p.client.component.on('authorized', async (e) => {
    events.push(e)
    await p.client.component.queryAuth(e.authorizationCode)
  })
  const res = await p.emu.authorize({ componentAppid: COMPONENT.appid, authorizerAppid: MERCHANT, permissionSets })
  t.deepEqual(res.delivery, { status: 200, answer: 'success' })
  return events
}

const refreshKey = (authorizer = MERCHANT) => `wechat-openapi:{${COMPONENT.appid}:${authorizer}}:authorizer_refresh_token`
const accessKey = (authorizer = MERCHANT) => `wechat-openapi:{${COMPONENT.appid}:${authorizer}}:authorizer_access_token`

test('the emulator pushes a ticket into pushHandler, and the component token follows from it', async (t) => {
  const p = await platform(t)
  const pushed = await p.emu.pushTicket(p.server.url)
  t.deepEqual(pushed.delivery, { status: 200, answer: 'success' })
  t.is(p.store.data.get(TICKET_KEY).value, pushed.ticket)
  const { preAuthCode, expiresIn } = await p.client.component.getPreAuthCode()
  t.true(preAuthCode.startsWith('preauthcode@@@'))
  t.is(typeof expiresIn, 'number')
  t.regex(p.client.component.authorizationUrl({ preAuthCode, redirectUri: 'https://shop.example.com/cb' }), /componentloginpage\?component_appid=wxcomponent0000001&pre_auth_code=preauthcode%40%40%40/)
  const stored = JSON.parse(p.store.data.get(`wechat-openapi:{${COMPONENT.appid}}:component_access_token`).value)
  t.true(stored.expiresAt > Date.now())
  // The component.* rows stay callable through openapi, with the same component token.
  const listed = await p.client.openapi.component.getAuthorizerList({ componentAppid: COMPONENT.appid, offset: 0, count: 10 })
  t.is(listed.totalCount, 0)
  t.is(await p.emu.requestCount('component.getComponentAccessToken'), 1)
})

test('a merchant authorizes; the three third-party seed APIs run on its behalf; the own token gets 933004', async (t) => {
  const p = await platform(t)
  await p.emu.pushTicket(p.server.url)
  const events = await authorize(t, p)
  t.is(events.length, 1)
  t.like(events[0], { infoType: 'authorized', componentAppid: COMPONENT.appid, authorizerAppid: MERCHANT })
  t.true(events[0].authorizationCodeExpiredTime > events[0].createTime)
  t.is(p.store.data.get(refreshKey()).ttlSeconds, undefined, 'refresh tokens never expire in the store')
  t.deepEqual(p.rotations.map((r) => [r.authorizerAppid, r.refreshToken]), [[MERCHANT, p.store.data.get(refreshKey()).value]])

  const merchant = p.client.openapi({ appid: MERCHANT })
  t.like(await merchant.logistics.applyMsgPlugin({}), { errCode: 0, errMsg: 'openapi.logistics.applyMsgPlugin:ok' })
  const open = await merchant.openPlatform.createOpenAccount({ appid: MERCHANT })
  t.true(typeof open.openAppid === 'string' && open.openAppid.length > 0)
  t.like(await merchant.officialAccount.linkMiniprogram({ appid: 'wxlinkedminiprog01', notifyUsers: 1, showProfile: 0 }), { errCode: 0 })
  t.is(await p.emu.requestCount('component.getAuthorizerAccessToken'), 0, "queryAuth's access token was used as is")

  for (const own of [p.client.openapi, p.client.openapi({ appid: OWN_APP.appid })]) {
    const e = await t.throwsAsync(own.logistics.applyMsgPlugin({}))
    t.is(e.errCode, 933004)
    t.is(e.category, 'permission')
  }
})

test('a call outside the granted permission sets answers 61007', async (t) => {
  const p = await platform(t)
  await p.emu.pushTicket(p.server.url)
  await authorize(t, p, [45])
  const e = await t.throwsAsync(p.client.openapi({ appid: MERCHANT }).openPlatform.createOpenAccount({ appid: MERCHANT }))
  t.is(e.errCode, 61007)
  t.is(e.category, 'permission')
})

test('an expired authorizer token is refreshed once for all callers; the rotated refresh token reaches the JS store first', async (t) => {
  const p = await platform(t)
  await p.emu.pushTicket(p.server.url)
  await authorize(t, p)
  const heard = []
  p.client.component.on('refreshToken', (e) => heard.push(e))
  const merchant = p.client.openapi({ appid: MERCHANT })
  await merchant.logistics.getAllAccount({})
  const first = p.store.data.get(refreshKey()).value
  await p.emu.expireToken(MERCHANT)
  p.store.log.length = 0
  const all = await Promise.all(Array.from({ length: 20 }, () => merchant.logistics.getAllAccount({})))
  t.true(all.every((r) => r.errCode === 0))
  t.is(await p.emu.requestCount('component.getAuthorizerAccessToken'), 1, 'single-flight')
  const second = p.store.data.get(refreshKey()).value
  t.not(second, first, 'WeChat rotated it')
  const sets = p.store.log.filter(([op]) => op === 'set').map(([, key]) => key)
  t.deepEqual(sets, [refreshKey(), accessKey()], 'the refresh token is saved before the new access token')
  t.deepEqual(p.rotations.map((r) => r.refreshToken), [first, second])
  t.deepEqual(heard, [{ componentAppid: COMPONENT.appid, authorizerAppid: MERCHANT, refreshToken: second }])
  const listed = await p.client.openapi({ convertCase: false }).component.getAuthorizerList({ component_appid: COMPONENT.appid, offset: 0, count: 10 })
  t.is(listed.list[0].refresh_token, second, 'what we stored is what WeChat holds')
})

test('61023: a refresh token rotated behind our back is recovered through the authorizer list', async (t) => {
  const p = await platform(t)
  await p.emu.pushTicket(p.server.url)
  await authorize(t, p)
  const stale = p.store.data.get(refreshKey()).value
  await p.emu.rotateRefreshToken({ componentAppid: COMPONENT.appid, authorizerAppid: MERCHANT })
  await p.emu.expireToken(MERCHANT)
  const res = await p.client.openapi({ appid: MERCHANT }).logistics.getAllAccount({})
  t.is(res.errCode, 0)
  t.is(await p.emu.requestCount('component.getAuthorizerList'), 1)
  const recovered = p.store.data.get(refreshKey()).value
  t.not(recovered, stale)
  t.is(p.rotations.at(-1).refreshToken, recovered)
})

test('without a refresh token WeChat knows, the error says the merchant must authorize again', async (t) => {
  const p = await platform(t)
  await p.emu.pushTicket(p.server.url)
  // A stale refresh token of a merchant WeChat does not list.
  p.store.data.set(refreshKey('wxformermerchant01'), { value: 'refreshtoken@@@long-gone' })
  const e = await t.throwsAsync(p.client.openapi({ appid: 'wxformermerchant01' }).logistics.getAllAccount({}))
  t.is(e.errCode, 61023)
  t.is(e.category, 'auth')
  t.regex(e.errMsg, /must authorize again/)
  t.false(JSON.stringify([e.message, e.errMsg, e.stack]).includes('long-gone'))
  // An unauthorized push removes the merchant's tokens at once.
  await authorize(t, p)
  const gone = await p.emu.unauthorize({ componentAppid: COMPONENT.appid, authorizerAppid: MERCHANT })
  t.deepEqual(gone.delivery, { status: 200, answer: 'success' })
  t.false(p.store.data.has(refreshKey()))
  const e2 = await t.throwsAsync(p.client.openapi({ appid: MERCHANT }).logistics.getAllAccount({}))
  t.regex(e2.errMsg, /must authorize this platform first/)
})

test('no ticket yet: the error names startPushTicket, which brings a fresh ticket to the push URL', async (t) => {
  const p = await platform(t)
  const e = await t.throwsAsync(p.client.component.getPreAuthCode())
  t.is(e.errCode, 61005)
  t.regex(e.errMsg, /cloud\.component\.startPushTicket\(\)/)
  t.is(await p.emu.requestCount('component.getComponentAccessToken'), 0)
  const first = await p.emu.pushTicket(p.server.url)
  const next = new Promise((resolve) => p.client.component.once('ticket', resolve))
  t.like(await p.client.component.startPushTicket(), { errCode: 0 })
  await next
  const second = p.store.data.get(TICKET_KEY).value
  t.not(second, first.ticket, 'the ticket pushed after startPushTicket replaced the first')
  t.true((await p.client.component.getPreAuthCode()).preAuthCode.length > 0)
})

test('the default client has a component side too', async (t) => {
  const emu = await cloud.startEmulator({ port: 0, components: [COMPONENT] })
  t.teardown(() => emu.close())
  const store = recordingStore()
  cloud.init({ component: COMPONENT, apiBase: emu.url, store })
  const server = await serve(cloud.component.pushHandler())
  t.teardown(server.close)
  await emu.pushTicket(server.url)
  t.true(store.data.has(TICKET_KEY))
  t.true((await cloud.component.getPreAuthCode()).preAuthCode.startsWith('preauthcode@@@'))
})
