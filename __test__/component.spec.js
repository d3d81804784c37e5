'use strict'
// Issue 5: third-party platform mode through the real addon over real HTTP: message crypto against wechatpy's
// fixtures, push intake (node:http, Express, Koa), tickets, authorization, calls on behalf of a merchant,
// refresh-token rotation into a JS store, 61023 recovery, and rejected pushes that store nothing.

const test = require('ava')
const { cloud, COMPONENT, recordingStore, serve, expressLike, koaLike, post, pushXml } = require('./component-helpers.js')
const fixtures = require('../src/crypto/fixtures/wechatpy.json')

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
