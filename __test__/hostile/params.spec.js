'use strict'
// Hardening class 3: params that cannot be serialised are the caller's mistake (-601002 invalid-argument naming
// the problem, found before any I/O), never -604103 "internal error"; and a signal without a working
// removeEventListener cannot replace a real result.

const test = require('ava')
const cloud = require('../..')
const { rawServer, withToken } = require('./raw-server.js')

const TOKEN = 'hostile-params-token-000000001'
const OK = { errcode: 0, errmsg: 'ok', list: [] }

/** A raw WeChat answering every call with `answer` (OK by default), and a client with a fixed token on it. */
async function setup(t, answer = OK) {
  const wx = await rawServer(withToken(TOKEN, (req, reply) => reply.json(answer)))
  t.teardown(() => wx.close())
  const client = cloud.createClient({ accessToken: TOKEN, apiBase: wx.url, maxAttempts: 1 })
  return { wx, client }
}

/** Nested objects `depth` levels deep, the outermost counted: depth 1 is `{}`. */
function nested(depth) {
  let value = {}
  for (let i = 1; i < depth; i += 1) value = { a: value }
  return value
}

async function refused(t, client, params, pattern) {
  const err = await t.throwsAsync(client.openapi.logistics.getAllAccount(params))
  t.true(err instanceof cloud.OpenApiError)
  t.is(err.errCode, -601002, err.message)
  t.is(err.category, 'invalid-argument')
  t.regex(err.errMsg, pattern)
  const viaRequest = await t.throwsAsync(client.openapi.request({ path: '/cgi-bin/echo', data: params }))
  t.is(viaRequest.errCode, -601002, viaRequest.message)
  t.regex(viaRequest.errMsg, pattern)
  return err
}

test('cyclic params: -601002 naming the cycle, nothing sent', async (t) => {
  const { wx, client } = await setup(t)
  const params = { orderId: 'o1', deep: { list: [] } }
  params.deep.list.push(params)
  await refused(t, client, params, /params contain a cycle/)
  const withBigInt = { n: 12345678901234567890n }
  withBigInt.self = withBigInt
  await refused(t, client, withBigInt, /params contain a cycle/)
  t.is(wx.requests.length, 0)
})

test('a throwing getter or toJSON in params: -601002 with its message, nothing sent', async (t) => {
  const { wx, client } = await setup(t)
  await refused(t, client, { get orderId() { throw new Error('getter boom') } }, /params cannot be serialised: getter boom/)
  await refused(t, client, { inner: { toJSON() { throw new RangeError('toJSON boom') } } }, /params cannot be serialised: toJSON boom/)
  await refused(t, client, { inner: { toJSON() { throw null } } }, /params cannot be serialised: null/) // eslint-disable-line no-throw-literal
  t.is(wx.requests.length, 0)
})

test('params nested deeper than 64 levels: -601002 naming the limit; 64 levels are sent', async (t) => {
  const { wx, client } = await setup(t)
  t.is((await client.openapi.logistics.getAllAccount(nested(64))).errCode, 0)
  t.is(wx.requests.length, 1)
  await refused(t, client, nested(65), /params nest deeper than 64 levels/)
  await refused(t, client, { list: [[[[[[[[[[nested(60)]]]]]]]]]] }, /params nest deeper than 64 levels/)
  await refused(t, client, nested(200000), /params nest deeper than 64 levels/)
  // Strings holding brackets are not nesting.
  t.is((await client.openapi.logistics.getAllAccount({ note: '{'.repeat(100) + '["\\\\"' })).errCode, 0)
  t.is(wx.requests.length, 2)
})

test('per-call options that cannot be read are -601002 too, not a raw throw', async (t) => {
  const { client } = await setup(t)
  const hostile = { get timeout() { throw new Error('option getter boom') } }
  const err = t.throws(() => client.openapi(hostile))
  t.true(err instanceof cloud.OpenApiError)
  t.is(err.errCode, -601002)
  const cyclic = { timeout: 1000 }
  cyclic.appid = { cyclic }
  t.is(t.throws(() => client.openapi(cyclic)).errCode, -601002)
})

/** A signal-like object: AbortSignal's shape, with the listed parts missing or hostile. */
function fakeSignal(extra) {
  const base = { aborted: false, reason: undefined, addEventListener() {} }
  return Object.defineProperties(base, Object.getOwnPropertyDescriptors(extra)) // getters stay getters
}

test('a signal lacking removeEventListener, or with a throwing one, keeps the real result', async (t) => {
  const { client } = await setup(t)
  const lacking = fakeSignal({})
  t.is((await client.openapi({ signal: lacking }).logistics.getAllAccount({})).errCode, 0)
  const throwing = fakeSignal({ removeEventListener() { throw new Error('remove boom') } })
  t.is((await client.openapi({ signal: throwing }).logistics.getAllAccount({})).errCode, 0)
  t.is((await client.openapi({ signal: throwing }).request({ path: '/cgi-bin/echo', data: {} })).errCode, 0)
})

test('a signal with a throwing removeEventListener keeps a real error too', async (t) => {
  const { client } = await setup(t, { errcode: 48001, errmsg: 'api unauthorized rid: 0123-abcd' })
  const throwing = fakeSignal({ removeEventListener() { throw new Error('remove boom') } })
  const err = await t.throwsAsync(client.openapi({ signal: throwing }).logistics.getAllAccount({}))
  t.is(err.errCode, 48001)
})

test('a signal whose addEventListener or aborted throws is an invalid argument, not an internal error', async (t) => {
  const { wx, client } = await setup(t)
  const adding = fakeSignal({ addEventListener() { throw new Error('add boom') } })
  const e1 = await t.throwsAsync(client.openapi({ signal: adding }).logistics.getAllAccount({}))
  t.is(e1.errCode, -601002, e1.message)
  t.regex(e1.errMsg, /signal/)
  let reads = 0
  const flaky = fakeSignal({ get aborted() { reads += 1; if (reads > 1) throw new Error('aborted boom'); return false } })
  const e2 = await t.throwsAsync(client.openapi({ signal: flaky }).logistics.getAllAccount({}))
  t.is(e2.errCode, -601002, e2.message)
  const reason = { get message() { throw new Error('reason boom') } }
  const e3 = await t.throwsAsync(client.openapi({ signal: fakeSignal({ aborted: true, reason }) }).logistics.getAllAccount({}))
  t.is(e3.category, 'timeout', e3.message)
  t.is(wx.requests.length, 0)
})
