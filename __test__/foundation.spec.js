'use strict'
// Issue 3: the cloud-call facade, tokens, errors and case conversion, through the real addon and the emulator.

const test = require('ava')
const { cloud, APP, OTHER, emulator, localServer, everythingAbout } = require('./helpers.js')

const ACCOUNTS = [
  { bizId: 'biz-sf-001', deliveryId: 'SF', alias: 'Shenzhen warehouse' },
  { bizId: 'biz-zto-002', deliveryId: 'ZTO' },
]

test.before(async (t) => {
  t.context.emu = await emulator()
  await t.context.emu.seedAccounts(APP.appid, ACCOUNTS)
})
test.after.always(async (t) => t.context.emu.close())

function client(t, extra = {}) {
  return cloud.createClient({ ...APP, apiBase: t.context.emu.url, ...extra })
}

/** Tests that count requests or revoke tokens get an emulator of their own (ava runs tests concurrently). */
async function ownEmulator(t) {
  const emu = await emulator()
  t.teardown(() => emu.close())
  return emu
}

test('getAllAccount answers in wx-server-sdk shape, camelCase all the way down', async (t) => {
  const res = await client(t).openapi.logistics.getAllAccount({})
  t.is(res.count, 2)
  t.deepEqual(res.list.map((a) => [a.bizId, a.deliveryId]), [['biz-sf-001', 'SF'], ['biz-zto-002', 'ZTO']])
  t.true(Array.isArray(res.list[0].serviceType))
  t.is(typeof res.list[0].serviceType[0].serviceName, 'string')
  t.is(typeof res.list[0].createTime, 'number')
  t.is(res.errMsg, 'openapi.logistics.getAllAccount:ok')
  t.is(res.errCode, 0)
  const keys = Object.keys(res)
  t.deepEqual(keys.slice(-2), ['errMsg', 'errCode'], 'errMsg and errCode come last')
  t.false('errcode' in res || 'errmsg' in res)
})

test('the default client: init, then cloud.openapi; a cloud function body runs unchanged', async (t) => {
  cloud.init({ ...APP, apiBase: t.context.emu.url, env: cloud.DYNAMIC_CURRENT_ENV })
  const main = async () => cloud.openapi.logistics.getAllAccount({})
  const res = await main()
  t.is(res.count, 2)
})

test('convertCase: false keeps snake_case both ways', async (t) => {
  const res = await client(t).openapi({ convertCase: false }).logistics.getAllAccount({})
  t.is(res.list[0].biz_id, 'biz-sf-001')
  t.is(typeof res.list[0].service_type[0].service_name, 'string')
  t.is(res.errMsg, 'openapi.logistics.getAllAccount:ok')
  // Snake-case params pass the checks and reach WeChat unchanged.
  const err = await t.throwsAsync(client(t).openapi({ convertCase: false }).logistics.batchGetOrder({ order_list: [{ order_id: 1 }] }))
  t.is(err.errMsg, 'openapi.logistics.batchGetOrder:fail order_list[0].order_id must be a string, got number')
})

test('createClient gives independent clients with their own tokens', async (t) => {
  const { emu } = t.context
  await emu.seedAccounts(OTHER.appid, [{ bizId: 'other-biz', deliveryId: 'YTO' }])
  const a = client(t)
  const b = cloud.createClient({ ...OTHER, apiBase: emu.url })
  const [ra, rb] = await Promise.all([a.openapi.logistics.getAllAccount({}), b.openapi.logistics.getAllAccount({})])
  t.is(ra.count, 2)
  t.deepEqual(rb.list.map((x) => x.bizId), ['other-biz'])
})

test('the four seed APIs: createOpenAccount, its 89000 repeat, linkMiniprogram, its 89010 repeat, applyMsgPlugin 933004', async (t) => {
  const c = client(t)
  const created = await c.openapi.openPlatform.createOpenAccount({ appid: APP.appid })
  t.regex(created.openAppid, /^wx/)
  t.is(created.errCode, 0)
  const again = await t.throwsAsync(c.openapi.openPlatform.createOpenAccount({ appid: APP.appid }))
  t.is(again.errCode, 89000)
  t.true(again instanceof cloud.OpenApiError)

  const linked = await c.openapi.officialAccount.linkMiniprogram({ appid: 'wxminiprogram00001', notifyUsers: 1, showProfile: 0 })
  t.is(linked.errMsg, 'openapi.officialAccount.linkMiniprogram:ok')
  const twice = await t.throwsAsync(c.openapi.officialAccount.linkMiniprogram({ appid: 'wxminiprogram00001', notifyUsers: 1, showProfile: 0 }))
  t.is(twice.errCode, 89010)

  const plugin = await t.throwsAsync(c.openapi.logistics.applyMsgPlugin({}))
  t.is(plugin.errCode, 933004)
  t.is(plugin.category, 'permission')
  t.regex(plugin.rid, /^[0-9a-f]+-[0-9a-f]+-[0-9a-f]+$/)
  t.true(plugin.errMsg.startsWith('openapi.logistics.applyMsgPlugin:fail '))
  t.true(plugin.errMsg.endsWith(`rid: ${plugin.rid}`))
  t.is(plugin.message, `errCode: 933004 ${plugin.meaning} | errMsg: ${plugin.errMsg}`)
  t.truthy(plugin.meaning)
  t.false(plugin.retryable)
  t.is(plugin.attempts, 1)
})

test('bad arguments are rejected before any I/O, naming the field', async (t) => {
  // An emulator of its own: other tests of this file call batchGetOrder at the same time.
  const emu = await emulator()
  t.teardown(() => emu.close())
  const c = client(t, { apiBase: emu.url })
  await c.openapi.logistics.getAllAccount({}) // warm the token so only API requests could be counted
  const before = await emu.requestCount('logistics.batchGetOrder')
  const missing = await t.throwsAsync(c.openapi.logistics.batchGetOrder({ orderList: [{ orderId: 'o1' }] }))
  t.is(missing.errCode, -601002)
  t.is(missing.errMsg, 'openapi.logistics.batchGetOrder:fail orderList[0].deliveryId is required')
  t.is(missing.category, 'invalid-argument')
  const wrongType = await t.throwsAsync(c.openapi.officialAccount.linkMiniprogram({ appid: 42, notifyUsers: 1, showProfile: 1 }))
  t.is(wrongType.errMsg, 'openapi.officialAccount.linkMiniprogram:fail appid must be a string, got number')
  const notObject = await t.throwsAsync(c.openapi.logistics.getAllAccount('nope'))
  t.is(notObject.errMsg, 'openapi.logistics.getAllAccount:fail params must be an object, got string')
  const fnParams = await t.throwsAsync(c.openapi.logistics.getAllAccount(() => 1))
  t.is(fnParams.errCode, -601002)
  t.is(await emu.requestCount('logistics.batchGetOrder'), before)
})

test('an unknown API rejects with -604100 naming it', async (t) => {
  const err = await t.throwsAsync(client(t).openapi.logistics.nope({}))
  t.is(err.errCode, -604100)
  t.is(err.errMsg, 'openapi.logistics.nope:fail unknown API openapi.logistics.nope; for a path the table does not have, call openapi.request({ method, path, data })')
  const option = t.throws(() => client(t).openapi({ timout: 5 }))
  t.is(option.errMsg, 'openapi.openapi:fail unknown option "timout" (did you mean "timeout"?)')
  const near = await t.throwsAsync(client(t).openapi.logistics.getAllAcount())
  t.is(near.errCode, -604100)
  t.true(near.errMsg.includes('unknown API openapi.logistics.getAllAcount (did you mean openapi.logistics.getAllAccount?)'), near.errMsg)
})

test('invalid config is a synchronous OpenApiError at init and createClient', (t) => {
  const cases = [
    [{ appid: 'wx1' }, 'secret is required with appid'],
    [{ appId: 'wx1', secret: 'x' }, 'unknown option "appId" (did you mean "appid"?)'],
    [{ appid: 'wx1', secret: 'x', tokenMod: 'stable' }, 'unknown option "tokenMod" (did you mean "tokenMode"?)'],
    [{ appid: 'wx1', secret: 'x', timout: 5000 }, 'unknown option "timout" (did you mean "timeout"?)'],
    [{ appid: 'wx1', secret: 'x', timeout: '5000' }, 'timeout must be a number of milliseconds, got string "5000"'],
    [{ appid: 'wx1', secret: 'x', store: { url: 'redis://h/0', lockTTL: 5 } }, 'unknown option "store.lockTTL" (did you mean "store.lockTtl"?)'],
    [{ appid: 'wx1', secret: 's', tokenMode: 'fast' }, "tokenMode must be 'stable' or 'classic'"],
    [{ appid: 'wx1', secret: 's', timeout: 0 }, 'timeout must be a whole number from 1 to 600000'],
    [{ appid: 'wx1', secret: 's', apiBase: 'not a url' }, 'apiBase must be an http(s) URL'],
    [{ getAccessToken: 'token' }, 'getAccessToken must be a function'],
  ]
  for (const [config, text] of cases) {
    const e1 = t.throws(() => cloud.createClient(config), { instanceOf: cloud.OpenApiError })
    t.true(e1.errMsg.includes(text), e1.errMsg)
    t.is(e1.errCode, -601002)
    const e2 = t.throws(() => cloud.init(config), { instanceOf: cloud.OpenApiError })
    t.true(e2.errMsg.startsWith('openapi.init:fail '))
  }
})

test('tokenMode picks the token endpoint; classic and stable tokens are separate', async (t) => {
  const emu = await ownEmulator(t)
  await cloud.createClient({ ...APP, apiBase: emu.url, tokenMode: 'classic' }).openapi.logistics.getAllAccount({})
  t.is(await emu.requestCount('auth.getAccessToken'), 1)
  t.is(await emu.requestCount('auth.getStableAccessToken'), 0)
  await cloud.createClient({ ...APP, apiBase: emu.url }).openapi.logistics.getAllAccount({})
  t.is(await emu.requestCount('auth.getStableAccessToken'), 1)
})

test('accessToken: a fixed token is used as given, and its rejection is reported, not retried forever', async (t) => {
  const emu = await ownEmulator(t)
  const raw = cloud.createClient({ apiBase: emu.url })
  const { accessToken } = await raw.openapi.auth.getStableAccessToken({ grantType: 'client_credential', appid: OTHER.appid, secret: OTHER.secret })
  t.true(accessToken.length >= 100)
  const fixed = cloud.createClient({ accessToken, apiBase: emu.url })
  t.is((await fixed.openapi.logistics.getAllAccount({})).errCode, 0)
  await emu.revokeToken(OTHER.appid)
  const err = await t.throwsAsync(fixed.openapi.logistics.getAllAccount({}))
  t.is(err.errCode, 40001)
  t.false(everythingAbout(err).includes(accessToken))
})

test('getAccessToken: the caller supplies tokens, once for a burst, again with forceRefresh after a rejection', async (t) => {
  const emu = await ownEmulator(t)
  const raw = cloud.createClient({ apiBase: emu.url })
  const calls = []
  const c = cloud.createClient({
    apiBase: emu.url,
    appid: OTHER.appid,
    getAccessToken: async (req) => {
      calls.push(req)
      const r = await raw.openapi.auth.getStableAccessToken({ grantType: 'client_credential', appid: OTHER.appid, secret: OTHER.secret })
      return { accessToken: r.accessToken, expiresIn: r.expiresIn }
    },
  })
  const all = await Promise.all(Array.from({ length: 50 }, () => c.openapi.logistics.getAllAccount({})))
  t.true(all.every((r) => r.errCode === 0))
  t.deepEqual(calls, [{ appid: OTHER.appid, forceRefresh: false }])
  await emu.revokeToken(OTHER.appid)
  t.is((await c.openapi.logistics.getAllAccount({})).errCode, 0)
  t.deepEqual(calls[1], { appid: OTHER.appid, forceRefresh: true })
})

test('getAccessToken that throws rejects the call with a typed error', async (t) => {
  const c = cloud.createClient({ apiBase: t.context.emu.url, getAccessToken: () => { throw new Error('vault is sealed') } })
  const err = await t.throwsAsync(c.openapi.logistics.getAllAccount({}))
  t.true(err instanceof cloud.OpenApiError)
  t.is(err.category, 'auth')
  t.true(err.errMsg.includes('vault is sealed'))
})

test('500 concurrent calls on a cold cache make exactly one token request', async (t) => {
  const emu = await ownEmulator(t)
  const c = cloud.createClient({ ...APP, apiBase: emu.url })
  const results = await Promise.all(Array.from({ length: 500 }, () => c.openapi.logistics.getAllAccount({})))
  t.is(results.length, 500)
  t.true(results.every((r) => r.errCode === 0))
  t.is(await emu.tokenRequests(), 1)
  t.is(await emu.requestCount('logistics.getAllAccount'), 500)
})

test('a token revoked mid-run: every call still succeeds, with one refresh', async (t) => {
  const emu = await ownEmulator(t)
  const c = cloud.createClient({ ...APP, apiBase: emu.url })
  await c.openapi.logistics.getAllAccount({})
  const wave = () => Promise.all(Array.from({ length: 100 }, () => c.openapi.logistics.getAllAccount({})))
  const first = wave()
  await emu.revokeToken(APP.appid)
  const results = [...(await first), ...(await wave())]
  t.true(results.every((r) => r.errCode === 0))
  t.is(await emu.tokenRequests(), 2, 'one initial fetch and one refresh')
})

test('an expired token (42001) is renewed transparently', async (t) => {
  const emu = await ownEmulator(t)
  const c = cloud.createClient({ ...APP, apiBase: emu.url })
  await c.openapi.logistics.getAllAccount({})
  await emu.expireToken(APP.appid)
  t.is((await c.openapi.logistics.getAllAccount({})).errCode, 0)
  t.is(await emu.tokenRequests(), 2)
})

test('wrong credentials: 40125 and 40013 with WeChat meaning, no secret anywhere', async (t) => {
  const { emu } = t.context
  const badSecret = 'definitely-wrong-secret-123'
  const wrong = cloud.createClient({ appid: APP.appid, secret: badSecret, apiBase: emu.url })
  const e1 = await t.throwsAsync(wrong.openapi.logistics.getAllAccount({}))
  t.is(e1.errCode, 40125)
  t.is(e1.category, 'auth')
  t.false(everythingAbout(e1).includes(badSecret))
  const unknown = cloud.createClient({ appid: 'wxunknownapp000000', secret: badSecret, apiBase: emu.url })
  const e2 = await t.throwsAsync(unknown.openapi.logistics.getAllAccount({}))
  t.is(e2.errCode, 40013)
  t.false(everythingAbout(e2).includes(badSecret))
})

test('no credential appears in errors from any failure path', async (t) => {
  const { emu } = t.context
  const raw = cloud.createClient({ apiBase: emu.url })
  const { accessToken } = await raw.openapi.auth.getStableAccessToken({ grantType: 'client_credential', appid: APP.appid, secret: APP.secret })
  const hang = await localServer(() => null)
  t.teardown(() => hang.close())
  const failures = [
    cloud.createClient({ ...APP, apiBase: 'http://127.0.0.1:9' }).openapi.logistics.getAllAccount({}),
    cloud.createClient({ ...APP, apiBase: hang.url, timeout: 300 }).openapi.logistics.getAllAccount({}),
    cloud.createClient({ accessToken, apiBase: hang.url, timeout: 300 }).openapi.logistics.getAllAccount({}),
    cloud.createClient({ accessToken, apiBase: 'http://127.0.0.1:9' }).openapi.logistics.getAllAccount({}),
    client(t).openapi.logistics.applyMsgPlugin({}),
    client(t).openapi.logistics.batchGetOrder({}),
    client(t).openapi.logistics.nope({}),
  ]
  const errors = await Promise.all(failures.map((p) => p.then(() => null, (e) => e)))
  for (const err of errors) {
    t.true(err instanceof cloud.OpenApiError)
    const text = everythingAbout(err)
    t.false(text.includes(APP.secret), err.errMsg)
    t.false(text.includes(accessToken), err.errMsg)
  }
})

test('timeout is the deadline of the whole call: -604102 when WeChat never answers', async (t) => {
  const hang = await localServer(() => null)
  t.teardown(() => hang.close())
  const c = cloud.createClient({ accessToken: 'x'.repeat(120), apiBase: hang.url, timeout: 400 })
  const started = Date.now()
  const err = await t.throwsAsync(c.openapi.logistics.getAllAccount({}))
  const took = Date.now() - started
  t.is(err.errCode, -604102)
  t.is(err.category, 'timeout')
  t.true(took >= 380 && took < 3000, `took ${took} ms`)
  const perCall = await t.throwsAsync(cloud.createClient({ accessToken: 'x'.repeat(120), apiBase: hang.url }).openapi({ timeout: 200 }).logistics.getAllAccount({}))
  t.is(perCall.errCode, -604102)
})

test('integers above 2^53 arrive as BigInt and BigInt arguments are sent exactly', async (t) => {
  const echo = await localServer((req, body) => ({
    body: `{"errcode":0,"errmsg":"ok","order_id":12345678901234567890,"small_id":123456789012345,"echo":${body || '{}'}}`,
  }))
  t.teardown(() => echo.close())
  const c = cloud.createClient({ accessToken: 't'.repeat(120), apiBase: echo.url })
  const res = await c.openapi.request({ method: 'POST', path: '/cgi-bin/echo', data: { orderId: 98765432109876543210n, note: '中文' } })
  t.is(res.orderId, 12345678901234567890n)
  t.is(res.smallId, 123456789012345)
  t.is(res.echo.orderId, 98765432109876543210n)
  t.is(echo.seen[0].body, '{"order_id":98765432109876543210,"note":"中文"}', 'UTF-8 unescaped, exact digits, snake_case')
  t.true(echo.seen[0].url.startsWith('/cgi-bin/echo?access_token='))
})

test('a non-JSON answer comes back as { contentType, buffer }', async (t) => {
  const png = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 1, 2, 3])
  const img = await localServer(() => ({ headers: { 'content-type': 'image/png' }, body: png }))
  t.teardown(() => img.close())
  const c = cloud.createClient({ accessToken: 't'.repeat(120), apiBase: img.url })
  const res = await c.openapi.request({ method: 'POST', path: '/wxa/getwxacodeunlimit', data: { scene: 'a=1' } })
  t.is(res.contentType, 'image/png')
  t.true(Buffer.isBuffer(res.buffer))
  t.true(res.buffer.equals(png))
  t.is(res.errCode, 0)
})

test('openapi enumerates the table: namespaces and methods', (t) => {
  t.true(Object.keys(cloud.openapi).includes('logistics'))
  t.true(Object.keys(cloud.openapi.logistics).includes('getAllAccount'))
  t.is(typeof cloud.openapi.logistics.getAllAccount, 'function')
})

test('the emulator validates what it receives: a wrong type answers 47001, unknown fields are fine', async (t) => {
  // openapi.request skips the SDK's own checks, so the emulator sees the malformed body.
  const c = client(t)
  const err = await t.throwsAsync(c.openapi.request({ method: 'POST', path: '/cgi-bin/express/business/order/batchget', data: { orderList: 'not-a-list' } }))
  t.is(err.errCode, 47001)
  t.is(err.category, 'invalid-argument')
  t.regex(err.errMsg, /^openapi\.request:fail .*order_list/)
  const ok = await c.openapi.logistics.getAllAccount({ someFutureField: true })
  t.is(ok.errCode, 0)
})
