'use strict'
// Hostile token answers, stores and signals (hardening classes 3, 4, 5, 6 and 13): absurd lifetimes, a store
// that never settles, an authorizer list without end, same-tick aborts, oversized tokens and odd options.

const test = require('ava')
const cloud = require('../..')
const { emulator, APP: EMU_APP } = require('../helpers.js')
const { rawServer, withToken } = require('./raw-server.js')

const APP = { appid: 'wxhostile000000001', secret: 'hostile-secret-000000000000001' }
const TOKEN = 'hostile-token-AAAAAAAAAAAAAAAAAAAAAAAAAAAAAA01'
const COMPONENT = {
  appid: 'wxcomponent0000001',
  secret: 'componentsecret00000000000000001',
  token: 'component-push-token',
  encodingAesKey: 'kWxPEV2UEDyxWpmPdKC3F4dgPDmOvfKX1HGnEUDS1aA',
}
const TICKET_KEY = `wechat-openapi:{${COMPONENT.appid}}:component_verify_ticket`
const refreshKey = (authorizer) => `wechat-openapi:{${COMPONENT.appid}:${authorizer}}:authorizer_refresh_token`
const HUGE = '10000000000000000000'

async function outcome(promise) {
  return promise.then((value) => ({ value }), (error) => ({ error }))
}

/** A Map-backed store; `stuck.get`/`stuck.set` true makes that operation never settle. */
function store(initial = {}) {
  const data = new Map(Object.entries(initial))
  const stuck = { get: false, set: false }
  const never = () => new Promise(() => {})
  return {
    data,
    stuck,
    get: (key) => (stuck.get ? never() : Promise.resolve(data.has(key) ? data.get(key) : null)),
    set: (key, value) => (stuck.set ? never() : Promise.resolve(void data.set(key, value))),
    del: (key) => Promise.resolve(void data.delete(key)),
  }
}

/** A raw WeChat for a platform: component token (with `componentExpires`), pre-auth codes, and `extra`. */
function platformWechat(componentExpires, extra = () => undefined) {
  return rawServer(async (req, reply) => {
    if (req.path === '/cgi-bin/component/api_component_token') {
      return reply.json(`{"component_access_token":"${TOKEN}-component","expires_in":${componentExpires}}`)
    }
    if (req.path === '/cgi-bin/component/api_create_preauthcode') return reply.json({ pre_auth_code: 'preauth@1', expires_in: 1800 })
    const handled = await extra(req, reply)
    if (handled !== undefined) return handled
    return reply.json({ errcode: 0, errmsg: 'ok' })
  })
}

const tokenRequests = (wx) => wx.requests.filter((r) => /token/.test(r.path)).length

// --- Class 3: an absurd expires_in panicked inside the shared token fetch, wedging every later call.

test('an app token answered with expires_in 10^19 is used and cached, and calls keep working', async (t) => {
  const wx = await rawServer((req, reply) => {
    if (req.path === '/cgi-bin/stable_token' || req.path === '/cgi-bin/token') return reply.json(`{"access_token":"${TOKEN}","expires_in":${HUGE}}`)
    return reply.json({ errcode: 0, errmsg: 'ok' })
  })
  t.teardown(() => wx.close())
  const client = cloud.createClient({ ...APP, apiBase: wx.url, maxAttempts: 1 })
  const events = []
  client.on('token', (e) => events.push(e))
  for (let i = 0; i < 3; i++) t.is((await client.openapi.logistics.getAllAccount({})).errCode, 0)
  t.is(tokenRequests(wx), 1)
  // The token event is not dropped: its expiry is clamped to a date the clock can hold.
  t.is(events.length, 1)
  const expires = events[0].expiresAt.getTime()
  t.true(expires > Date.now() && expires <= Date.now() + 367 * 24 * 3600e3, String(events[0].expiresAt))
  const [report] = client.tokens()
  t.true(report.cached && report.expiresAt.getTime() <= Date.now() + 367 * 24 * 3600e3)
})

test('a component token answered with expires_in 10^19 is used and cached', async (t) => {
  const wx = await platformWechat(HUGE)
  t.teardown(() => wx.close())
  const s = store({ [TICKET_KEY]: 'ticket@1' })
  const client = cloud.createClient({ apiBase: wx.url, component: COMPONENT, store: s, maxAttempts: 1 })
  for (let i = 0; i < 3; i++) t.is((await client.component.getPreAuthCode()).preAuthCode, 'preauth@1')
  t.is(tokenRequests(wx), 1)
})

test('an authorizer token answered with expires_in 10^19 is used and cached', async (t) => {
  const wx = await platformWechat(7200, (req, reply) => {
    if (req.path === '/cgi-bin/component/api_authorizer_token') {
      return reply.json(`{"authorizer_access_token":"${TOKEN}-authorizer","expires_in":${HUGE},"authorizer_refresh_token":"refresh@1"}`)
    }
  })
  t.teardown(() => wx.close())
  const s = store({ [TICKET_KEY]: 'ticket@1', [refreshKey('wxmerchant00000001')]: 'refresh@1' })
  const client = cloud.createClient({ apiBase: wx.url, component: COMPONENT, store: s, maxAttempts: 1 })
  const onBehalf = client.openapi({ appid: 'wxmerchant00000001' })
  for (let i = 0; i < 3; i++) t.is((await onBehalf.logistics.getAllAccount({})).errCode, 0)
  t.is(wx.requests.filter((r) => r.path === '/cgi-bin/component/api_authorizer_token').length, 1)
})

// --- Class 4: one store operation that never settles wedged the component token for good.

test('a store get that never settles fails calls with -604102 within the timeout, and they recover with the store', async (t) => {
  const wx = await platformWechat(7200)
  t.teardown(() => wx.close())
  const s = store({ [TICKET_KEY]: 'ticket@1' })
  s.stuck.get = true
  // 1 s, as below: the recovery must succeed on a loaded machine too.
  const client = cloud.createClient({ apiBase: wx.url, component: COMPONENT, store: s, timeout: 1000, maxAttempts: 1 })
  for (const call of [() => client.component.getPreAuthCode(), () => client.openapi.component.getPreAuthCode({ componentAppid: COMPONENT.appid })]) {
    const started = Date.now()
    const { error } = await outcome(call())
    t.true(error instanceof cloud.OpenApiError)
    t.is(error.errCode, -604102, error.message)
    t.true(Date.now() - started < 6000, `settled after ${Date.now() - started} ms`)
  }
  s.stuck.get = false
  t.is((await client.component.getPreAuthCode()).preAuthCode, 'preauth@1')
})

test('queryAuth and a pushed ticket honour the timeout when the store set never settles', async (t) => {
  const wx = await platformWechat(7200, (req, reply) => {
    if (req.path === '/cgi-bin/component/api_query_auth') {
      return reply.json({ authorization_info: { authorizer_appid: 'wxmerchant00000001', authorizer_access_token: 'a'.repeat(40), expires_in: 7200, authorizer_refresh_token: 'refresh@1' } })
    }
  })
  t.teardown(() => wx.close())
  const s = store({ [TICKET_KEY]: 'ticket@1' })
  // 1 s: enough for the calls that must succeed on a loaded machine (400 ms once was not, beside a build), and
  // far below "never" for the ones that must time out.
  const client = cloud.createClient({ apiBase: wx.url, component: COMPONENT, store: s, timeout: 1000, maxAttempts: 1 })
  await client.component.getPreAuthCode() // the component token is cached before the store wedges
  s.stuck.set = true
  const started = Date.now()
  const { error } = await outcome(client.component.queryAuth('auth-code@1'))
  t.is(error && error.errCode, -604102)
  t.true(Date.now() - started < 6000)
  const crypt = new cloud.crypto.MsgCrypt(COMPONENT)
  const push = (nonce) => crypt.encryptPush(`<xml><AppId>${COMPONENT.appid}</AppId><CreateTime>${Math.floor(Date.now() / 1000)}</CreateTime><InfoType>component_verify_ticket</InfoType><ComponentVerifyTicket>ticket@2</ComponentVerifyTicket></xml>`, { nonce })
  const pushed = await outcome(client.component.handlePush(push('nonce-1')))
  t.is(pushed.error && pushed.error.errCode, -604102)
  s.stuck.set = false
  t.is(await client.component.handlePush(push('nonce-2')), 'success')
  t.is(s.data.get(TICKET_KEY), 'ticket@2')
})

// --- Class 5: recovering a 61023 paged api_get_authorizer_list without end, long after the caller left.

test('a 61023 recovery reads a bounded number of list pages and stops when the caller gives up', async (t) => {
  let pages = 0
  const wx = await platformWechat(7200, async (req, reply) => {
    if (req.path === '/cgi-bin/component/api_authorizer_token') return reply.json({ errcode: 61023, errmsg: 'refresh_token is invalid' })
    if (req.path === '/cgi-bin/component/api_get_authorizer_list') {
      pages += 1
      await reply.sleep(5)
      const { offset = 0 } = JSON.parse(req.body || '{}')
      const list = Array.from({ length: 500 }, (_, i) => ({ authorizer_appid: `wx${offset + i}`, refresh_token: 'r', auth_time: 1 }))
      return reply.json(`{"total_count":1000000000000000,"list":${JSON.stringify(list)}}`)
    }
  })
  t.teardown(() => wx.close())
  const s = store({ [TICKET_KEY]: 'ticket@1', [refreshKey('wxmerchant00000001')]: 'stale' })
  const client = cloud.createClient({ apiBase: wx.url, component: COMPONENT, store: s, timeout: 600, maxAttempts: 1 })
  const { error } = await outcome(client.openapi({ appid: 'wxmerchant00000001' }).logistics.getAllAccount({}))
  t.true(error instanceof cloud.OpenApiError)
  const atFailure = pages
  await new Promise((resolve) => setTimeout(resolve, 800))
  t.true(pages <= 100, `${pages} pages`)
  t.true(pages <= atFailure + 1, `${pages - atFailure} pages after the call failed`)
  // Without a deadline cutting it short, the cap stops it.
  const patient = cloud.createClient({ apiBase: wx.url, component: COMPONENT, store: store({ [TICKET_KEY]: 'ticket@1', [refreshKey('wxm2')]: 'stale' }), timeout: 60000, maxAttempts: 1 })
  pages = 0
  const again = await outcome(patient.openapi({ appid: 'wxm2' }).logistics.getAllAccount({}))
  t.is(again.error && again.error.errCode, 61023)
  t.true(pages >= 1 && pages <= 100, `${pages} pages`)
})

// --- Class 6: an AbortSignal fired in the same tick as the call was lost.

test('10 concurrent calls each aborted in the same tick all reject with the abort error', async (t) => {
  const emu = await emulator()
  t.teardown(() => emu.close())
  const client = cloud.createClient({ ...EMU_APP, apiBase: emu.url, maxAttempts: 1, timeout: 20000 })
  await client.openapi.logistics.getAllAccount({}) // the token first, outside the delay
  await emu.setFaultRates({ seed: 1, delayMs: 1500, rates: { 'logistics.getAllAccount': { delay: 1 } } })
  const started = Date.now()
  const calls = Array.from({ length: 10 }, () => {
    const controller = new AbortController()
    const call = client.openapi({ signal: controller.signal }).logistics.getAllAccount({})
    controller.abort()
    return outcome(call)
  })
  const settled = await Promise.all(calls)
  await emu.control('clearFaults')
  for (const { value, error } of settled) {
    t.is(value, undefined)
    t.is(error && error.errCode, -604102)
    t.regex(error.errMsg, /aborted by the caller's AbortSignal/)
  }
  t.true(Date.now() - started < 1400, `took ${Date.now() - started} ms`)
})

// --- Class 13: smaller hardening.

test('a token larger than 2 KB is refused as an invalid answer, not cached', async (t) => {
  const big = 'T'.repeat(3 * 1024 * 1024)
  const wx = await rawServer((req, reply) => {
    if (req.path === '/cgi-bin/stable_token' || req.path === '/cgi-bin/token') return reply.json({ access_token: big, expires_in: 7200 })
    return reply.json({ errcode: 0, errmsg: 'ok' })
  })
  t.teardown(() => wx.close())
  const client = cloud.createClient({ ...APP, apiBase: wx.url, maxAttempts: 1 })
  const { error } = await outcome(client.openapi.logistics.getAllAccount({}))
  t.is(error && error.errCode, cloud.SDK_CODES ? cloud.SDK_CODES.INVALID_RESPONSE : -601001)
  t.false(error.retryable)
  t.false(error.message.includes('TTTTTTTTTT'))
  t.deepEqual(wx.requests.filter((r) => !/token/.test(r.path)), [], 'the oversized token was never sent')
})

test('expires_in 0 does not cost a token fetch per call', async (t) => {
  const wx = await rawServer((req, reply) => {
    if (req.path === '/cgi-bin/stable_token' || req.path === '/cgi-bin/token') return reply.json({ access_token: TOKEN, expires_in: 0 })
    return reply.json({ errcode: 0, errmsg: 'ok' })
  })
  t.teardown(() => wx.close())
  const client = cloud.createClient({ ...APP, apiBase: wx.url, maxAttempts: 1 })
  for (let i = 0; i < 5; i++) await client.openapi.logistics.getAllAccount({})
  t.is(tokenRequests(wx), 1)
})

test('NaN and Infinity options are refused naming the option', (t) => {
  for (const key of ['timeout', 'attemptTimeout', 'connectTimeout', 'maxAttempts']) {
    for (const value of [NaN, Infinity, -Infinity]) {
      const e = t.throws(() => cloud.createClient({ ...APP, [key]: value }).openapi.logistics)
      t.true(e instanceof cloud.OpenApiError)
      t.is(e.errCode, -601002)
      t.true(e.message.includes(key), e.message)
    }
  }
  const e = t.throws(() => cloud.createClient({ ...APP, store: { url: 'redis://127.0.0.1:1/0', timeout: NaN } }))
  t.true(e.message.includes('store.timeout'), e.message)
})

test('NaN per-call options are refused naming the option', (t) => {
  const client = cloud.createClient({ ...APP, apiBase: 'http://127.0.0.1:9', maxAttempts: 1 })
  for (const key of ['timeout', 'attemptTimeout', 'maxAttempts']) {
    const error = t.throws(() => client.openapi({ [key]: NaN }).logistics.getAllAccount({}))
    t.is(error.errCode, -601002)
    t.true(error.message.includes(key), error.message)
  }
})

test('appids are validated as WeChat appids, naming the field', async (t) => {
  for (const appid of ['a'.repeat(1 << 20), 'wx1/../../&a=b#']) {
    const e = t.throws(() => cloud.createClient({ appid, secret: 's3cret' }).openapi.logistics)
    t.is(e.errCode, -601002)
    t.regex(e.message, /appid must be a WeChat appid/)
    t.true(e.message.length < 400)
    const c = t.throws(() => cloud.createClient({ component: { ...COMPONENT, appid } }).openapi.logistics)
    t.regex(c.message, /component\.appid must be a WeChat appid/)
    const client = cloud.createClient({ component: COMPONENT, apiBase: 'http://127.0.0.1:9' })
    const { error } = await outcome(client.openapi({ appid }).logistics.getAllAccount({}))
    t.is(error && error.errCode, -601002)
    t.regex(error.message, /appid must be a WeChat appid/)
  }
})

test('every sync cloud.crypto method throws an OpenApiError on bad input', (t) => {
  const mc = new cloud.crypto.MsgCrypt(COMPONENT)
  const cases = [
    () => new cloud.crypto.MsgCrypt(null),
    () => mc.signature(null),
    () => mc.signature({ timestamp: 1, nonce: 2, encrypt: 5 }),
    () => mc.verify(null),
    () => mc.encrypt('x', { random: 5 }),
    () => mc.encrypt('x', null),
    () => mc.decrypt(5),
    () => mc.decryptPush(null),
    () => mc.encryptReply('<xml/>', { timestamp: Symbol('t') }),
    () => mc.encryptReply('<xml/>', null),
    () => mc.encryptPush('<xml/>', { nonce: Symbol('n') }),
    () => mc.verifyUrl(5),
    () => cloud.crypto.sign(Symbol('s')),
    () => cloud.crypto.parseXml(5),
  ]
  for (const [i, run] of cases.entries()) {
    let thrown
    try {
      run()
    } catch (e) {
      thrown = e
    }
    if (thrown === undefined) continue // a lenient answer is fine; a raw error is not
    t.true(thrown instanceof cloud.OpenApiError, `case ${i}: ${thrown && thrown.stack}`)
  }
  t.pass()
})
