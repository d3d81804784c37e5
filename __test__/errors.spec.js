'use strict'
// Errors are made in one place, the native core: misuse the facade finds in JS (a bad config key, a push that
// is not a POST, a wrong argument) has exactly the fields and message format of an error made by a native
// call, and SDK_CODES comes from the same code table (api/error-codes.json).

const test = require('ava')
const http = require('node:http')
const { cloud, COMPONENT, recordingStore, serve, post } = require('./component-helpers.js')
const { makeError } = require('../lib/errors.js')

/** The shape every SDK error has, whoever found the problem. */
function assertSdkShape(t, e, api, code, label) {
  t.true(e instanceof cloud.OpenApiError, label)
  t.is(e.name, 'OpenApiError', label)
  t.is(e.api, api, label)
  t.is(e.errCode, code, label)
  t.true(e.errMsg.startsWith(`openapi.${api}:fail `), `${label}: ${e.errMsg}`)
  t.is(typeof e.meaning, 'string', label)
  t.is(e.message, `errCode: ${e.errCode} ${e.meaning} | errMsg: ${e.errMsg}`, label)
  t.is(e.attempts, 0, `${label}: nothing was sent`)
  t.is(typeof e.retryable, 'boolean', label)
  t.is(typeof e.category, 'string', label)
}

/** The fields two errors of the same kind share (all but the text). */
const kindOf = (e) => ({ errCode: e.errCode, api: e.api, category: e.category, meaning: e.meaning, retryable: e.retryable, attempts: e.attempts })

test('a bad config refused in JS reads like one refused by the core', (t) => {
  const js = t.throws(() => cloud.createClient({ appId: 'wx1', secret: 'x' }))
  const native = t.throws(() => cloud.createClient({ appid: 'wx1', secret: 's', tokenMode: 'fast' }))
  t.is(js.errMsg, 'openapi.createClient:fail unknown option "appId" (did you mean "appid"?)')
  t.regex(native.errMsg, /^openapi\.createClient:fail tokenMode must be 'stable' or 'classic'/)
  assertSdkShape(t, js, 'createClient', cloud.SDK_CODES.BAD_ARGUMENTS, 'js')
  assertSdkShape(t, native, 'createClient', cloud.SDK_CODES.BAD_ARGUMENTS, 'native')
  t.deepEqual(kindOf(js), kindOf(native))
  t.deepEqual([js.category, js.meaning, js.retryable], ['invalid-argument', 'invalid arguments', false])
  const store = t.throws(() => cloud.createClient({ appid: 'wx1', secret: 's', store: { get() {} } }))
  t.deepEqual(kindOf(store), kindOf(native))
})

test('a config error never quotes a credential, without any scrubbing in JS', (t) => {
  const secret = 'do-not-print-this-secret-0001'
  const e = t.throws(() => cloud.createClient({ appid: 'wx1', secret, apiBase: `ftp://user:${secret}@h/` }))
  t.regex(e.errMsg, /apiBase must be an http\(s\) URL/)
  t.false(`${e.message} ${e.errMsg} ${e.stack}`.includes(secret), e.errMsg)
  t.true(e.errMsg.includes('[redacted]'), e.errMsg)
})

test('the default client before init: the core says what is missing and what to do', (t) => {
  // An appid in the environment without its secret: a config the core refuses.
  const childEnv = { ...process.env, WECHAT_APPID: 'wxenvonly000001' }
  delete childEnv.WECHAT_SECRET
  const { execFileSync } = require('node:child_process')
  const script = `
    const cloud = require(${JSON.stringify(require.resolve('..'))})
    cloud.openapi.logistics.getAllAccount({}).catch((e) => { console.log(JSON.stringify({ ...e, message: e.message })) })`
  const e = JSON.parse(execFileSync(process.execPath, ['-e', script], { env: childEnv, encoding: 'utf8' }))
  t.is(e.errCode, -601002)
  t.is(e.errMsg, 'openapi.init:fail secret is required with appid (or give accessToken or getAccessToken); call cloud.init({ appid, secret }) first')
  t.is(e.message, `errCode: -601002 invalid arguments | errMsg: ${e.errMsg}`)
})

test('a bad push query rejected by the core and a push rejected in JS are the same kind of error', async (t) => {
  const client = cloud.createClient({ component: COMPONENT, store: recordingStore() })
  const native = await t.throwsAsync(client.component.handlePush({ query: { timestamp: '1', nonce: '2' }, body: '<xml><Encrypt>x</Encrypt></xml>' }))
  t.is(native.errMsg, 'openapi.component.handlePush:fail push rejected: missing field: msg_signature')
  const js = await t.throwsAsync(client.component.handlePush({ query: { timestamp: '1', nonce: '2' }, body: 42 }))
  t.is(js.errMsg, 'openapi.component.handlePush:fail push rejected: body must be the raw XML (string or Buffer)')
  assertSdkShape(t, native, 'component.handlePush', -601002, 'native')
  assertSdkShape(t, js, 'component.handlePush', -601002, 'js')
  t.deepEqual(kindOf(js), kindOf(native))

  // Through pushHandler: a GET (refused in JS) and a query without a signature (refused by the core).
  const failures = []
  const server = await serve(client.component.pushHandler({ onError: (e) => failures.push(e) }))
  t.teardown(server.close)
  t.deepEqual(await post(server.url, { timestamp: '1' }, '', 'GET'), { status: 400, text: 'pushes are POSTed' })
  t.is((await post(server.url, { timestamp: '1', nonce: '2' }, '<xml><Encrypt>x</Encrypt></xml>')).status, 400)
  t.is(failures.length, 2)
  assertSdkShape(t, failures[0], 'component.handlePush', -601002, 'GET')
  assertSdkShape(t, failures[1], 'component.handlePush', -601002, 'unsigned')
  t.deepEqual(kindOf(failures[0]), kindOf(failures[1]))
})

test('an AbortSignal that fired before the call reads like one that fired during it', async (t) => {
  const hang = http.createServer(() => {})
  await new Promise((resolve) => hang.listen(0, '127.0.0.1', resolve))
  t.teardown(() => new Promise((resolve) => { hang.closeAllConnections(); hang.close(resolve) }))
  const c = cloud.createClient({ accessToken: 't'.repeat(64), apiBase: `http://127.0.0.1:${hang.address().port}` })
  const before = await t.throwsAsync(c.openapi({ signal: AbortSignal.abort() }).logistics.getAllAccount({}))
  const controller = new AbortController()
  const during = c.openapi({ signal: controller.signal }).logistics.getAllAccount({})
  setTimeout(() => controller.abort(), 50)
  const after = await t.throwsAsync(during)
  t.is(before.errMsg, "openapi.logistics.getAllAccount:fail aborted by the caller's AbortSignal: This operation was aborted")
  t.is(after.errMsg, "openapi.logistics.getAllAccount:fail aborted by the caller's AbortSignal")
  for (const e of [before, after]) {
    t.is(e.message, `errCode: -604102 call timed out | errMsg: ${e.errMsg}`)
    t.deepEqual([e.errCode, e.category, e.meaning], [-604102, 'timeout', 'call timed out'])
  }
  t.is(before.attempts, 0)
  t.is(before.retryable, true, 'nothing was sent: trying again is safe')
})

test('crypto and argument misuse are made by the core, named after the method', (t) => {
  const bad = t.throws(() => new cloud.crypto.MsgCrypt({ token: 't', encodingAesKey: '!'.repeat(43), appid: 'wx1' }))
  assertSdkShape(t, bad, 'crypto.MsgCrypt', -601002, 'MsgCrypt')
  const mc = new cloud.crypto.MsgCrypt({ token: 't', encodingAesKey: COMPONENT.encodingAesKey, appid: 'wx1' })
  const undecryptable = t.throws(() => mc.decrypt('bm90IGNpcGhlcnRleHQ='))
  assertSdkShape(t, undecryptable, 'crypto.decrypt', -601002, 'decrypt')
  const notXml = t.throws(() => cloud.crypto.parseXml('<nope'))
  assertSdkShape(t, notXml, 'crypto.parseXml', -601002, 'parseXml')
  const empty = t.throws(() => mc.decrypt(''))
  assertSdkShape(t, empty, 'crypto.decrypt', -601002, 'empty')
  const option = t.throws(() => cloud.createClient({ accessToken: 't'.repeat(64) }).openapi({ nope: 1 }))
  assertSdkShape(t, option, 'openapi', -601002, 'option')
})

test('SDK_CODES is the code table, and makeError fills every field in the core', (t) => {
  t.deepEqual({ ...cloud.SDK_CODES }, {
    INVALID_RESPONSE: -601001,
    BAD_ARGUMENTS: -601002,
    NETWORK: -601003,
    UNKNOWN_API: -604100,
    NO_PERMISSION: -604101,
    TIMEOUT: -604102,
    SYSTEM: -604103,
  })
  t.true(Object.isFrozen(cloud.SDK_CODES))
  const internal = makeError('a.b', 'internal', 'boom access_token=abc123456')
  t.deepEqual(kindOf(internal), { errCode: -604103, api: 'a.b', category: 'busy', meaning: 'open API system error', retryable: false, attempts: 0 })
  t.is(internal.errMsg, 'openapi.a.b:fail internal error in wechat-openapi: boom access_token=[redacted]')
})

test('a call before init with no credentials anywhere: invalid-argument, 0 attempts, the way out named', async (t) => {
  const { execFile } = require('node:child_process')
  const script = `
    const cloud = require(${JSON.stringify(require.resolve('..'))})
    let event
    cloud.on('response', (e) => { event = e })
    cloud.openapi.logistics.getAllAccount().catch((e) => {
      console.log(JSON.stringify({ category: e.category, attempts: e.attempts, errCode: e.errCode, errMsg: e.errMsg, message: e.message, event }))
    })`
  const env = { ...process.env }
  for (const key of ['WECHAT_APPID', 'WECHAT_SECRET', 'WECHAT_API_BASE']) delete env[key]
  const stdout = await new Promise((resolve, reject) =>
    execFile(process.execPath, ['-e', script], { env }, (error, out) => (error ? reject(error) : resolve(out))),
  )
  const got = JSON.parse(stdout)
  t.is(got.errCode, -601002)
  t.is(got.category, 'invalid-argument')
  t.is(got.attempts, 0)
  t.is(got.event.attempts, 0)
  t.regex(got.errMsg, /no credentials: give appid and secret \(or WECHAT_APPID \/ WECHAT_SECRET\)/)
  t.false(got.message.includes('  '), got.message)
})

test('a code this endpoint does not list takes a sibling endpoint\'s meaning; no meaning leaves no double space', async (t) => {
  const { startEmulator, DEMO_APP } = require('../emulator.js')
  const emu = await startEmulator()
  t.teardown(() => emu.close())
  const client = cloud.createClient({ ...DEMO_APP, apiBase: emu.url })
  const unbound = await t.throwsAsync(client.openapi.logistics.getQuota({ deliveryId: 'SF', bizId: 'not-bound' }))
  t.is(unbound.errCode, 9300525)
  t.is(unbound.meaning, 'biz_id not bound')
  t.false(unbound.message.includes('  '), unbound.message)
  await emu.injectFault({ name: 'logistics.getAllAccount', errcode: 7654321, errmsg: 'something new', times: 1 })
  const odd = await t.throwsAsync(client.openapi.logistics.getAllAccount())
  t.is(odd.meaning, undefined)
  t.true(odd.message.startsWith('errCode: 7654321 | errMsg: '), odd.message)
})

test("WeChat's other answer fields travel on the error as details: why addOrder failed, camelCased, nothing more", async (t) => {
  const { sandboxOrder } = require('./helpers/sandbox-order.js')
  const APP = { appid: 'wxdetails000000001', secret: 'details-secret-00000000001' }
  const emu = await cloud.startEmulator({ apps: [APP] })
  t.teardown(() => emu.close())
  const client = cloud.createClient({ ...APP, apiBase: emu.url })
  await sandboxOrder(client, emu, APP.appid, 'twice-1')
  // The same order id again: WeChat answers 9300501 and names the courier's reason beside it.
  const e = await t.throwsAsync(sandboxOrder(client, emu, APP.appid, 'twice-1'))
  t.is(e.errCode, 9300501)
  t.deepEqual(e.details, { deliveryResultcode: 10002, deliveryResultmsg: 'order_id already used' })
  const raw = await t.throwsAsync(client.openapi({ convertCase: false }).logistics.getQuota({ delivery_id: 'TEST', biz_id: 'not-bound' }))
  t.is(raw.details, undefined, `nothing beside errcode and errmsg, nothing added (${raw.errCode})`)
  t.false('details' in raw)
})

test('details of a hostile answer that echoes the request keep no credential', async (t) => {
  const TOKEN = 'echoed-access-token-000000000001'
  const SECRET = 'echoed-component-secret-000000001'
  const server = http.createServer((req, res) => {
    let body = ''
    req.on('data', (c) => { body += c })
    req.on('end', () => {
      res.writeHead(200, { 'content-type': 'application/json' })
      // Every shape an echo takes: the URL, the body as text, the body as fields, a key that is the token.
      res.end(JSON.stringify({ errcode: 45009, errmsg: 'echo', url: req.url, body, fields: JSON.parse(body || '{}'), [TOKEN]: 1, nested: [{ note: `token ${TOKEN}` }] }))
    })
  })
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve))
  t.teardown(() => server.close())
  const client = cloud.createClient({ accessToken: TOKEN, apiBase: `http://127.0.0.1:${server.address().port}`, maxAttempts: 1 })
  const e = await t.throwsAsync(client.openapi.request({ path: '/cgi-bin/component/api_start_push_ticket', data: { componentAppid: 'wxc', componentSecret: SECRET } }))
  t.is(e.errCode, 45009)
  t.truthy(e.details && e.details.fields, 'the echo is there')
  const seen = JSON.stringify(e.details) + require('node:util').inspect(e, { depth: 10 })
  t.false(seen.includes(TOKEN), seen)
  t.false(seen.includes(SECRET), seen)
  t.is(e.details.url, '/cgi-bin/component/api_start_push_ticket?access_token=[redacted]', 'masked once, whatever passes scrub it')
})
