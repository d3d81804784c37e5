'use strict'
// client.on('request' | 'response' | 'retry' | 'token') and tokens(): real calls against the emulator.

const test = require('ava')
const { cloud, APP, emulator, everythingAbout } = require('./helpers.js')

/** Events are delivered on the JS thread just before the call settles; one macrotask makes sure. */
const settled = () => new Promise((resolve) => setImmediate(resolve))

function record(client) {
  const seen = []
  for (const kind of ['request', 'response', 'retry', 'token']) client.on(kind, (e) => seen.push({ kind, ...e }))
  return seen
}

test('a call that meets WeChat busy once: token, request, retry, request, response', async (t) => {
  const emu = await emulator()
  t.teardown(() => emu.close())
  const client = cloud.createClient({ ...APP, apiBase: emu.url })
  const seen = record(client)
  await emu.injectFault({ name: 'logistics.getAllAccount', errcode: -1, times: 1 })
  await client.openapi.logistics.getAllAccount({})
  await settled()
  t.deepEqual(seen.map((e) => e.kind), ['token', 'request', 'retry', 'request', 'response'])
  const [token, first, retry, second, response] = seen
  t.like(token, { api: 'auth.getAccessToken', appid: APP.appid, reason: 'fetch', errCode: 0 })
  t.true(token.expiresAt instanceof Date)
  t.true(Math.abs(token.expiresAt - Date.now() - 7200e3) < 10e3)
  t.deepEqual([first.attempt, second.attempt], [1, 2])
  t.like(retry, { api: 'logistics.getAllAccount', attempt: 1, errCode: -1, category: 'busy', reason: 'transient', httpStatus: 200 })
  t.true(retry.delayMs >= 0 && retry.delayMs <= 100)
  t.like(response, { api: 'logistics.getAllAccount', attempts: 2, errCode: 0, httpStatus: 200 })
  t.true(response.durationMs > 0)
  t.deepEqual(Object.keys(response).sort(), ['api', 'attempts', 'durationMs', 'errCode', 'httpStatus', 'kind', 'path'])
  t.false(everythingAbout(seen).includes(APP.secret))
})

test('a revoked token shows as a token-rejected retry and a refresh, and the failure event carries the rid', async (t) => {
  const emu = await emulator()
  t.teardown(() => emu.close())
  const client = cloud.createClient({ ...APP, apiBase: emu.url })
  await client.openapi.logistics.getAllAccount({})
  const seen = record(client)
  await emu.revokeToken(APP.appid)
  await client.openapi.logistics.getAllAccount({})
  const err = await client.openapi.logistics.getQuota({ deliveryId: 'SF', bizId: 'unbound' }).catch((e) => e)
  await settled()
  t.deepEqual(seen.map((e) => `${e.kind}:${e.reason ?? ''}`), [
    'request:', 'retry:token-rejected', 'token:refresh', 'request:', 'response:', 'request:', 'response:',
  ])
  t.like(seen[1], { errCode: 40001, delayMs: 0 })
  const failed = seen[6]
  t.like(failed, { api: 'logistics.getQuota', errCode: err.errCode, category: err.category, attempts: 1, httpStatus: 200 })
  t.is(failed.rid, err.rid)
  t.truthy(failed.rid)
})

test('off() stops the stream; a throwing listener does not break calls', async (t) => {
  const emu = await emulator()
  t.teardown(() => emu.close())
  const client = cloud.createClient({ ...APP, apiBase: emu.url })
  const seen = []
  const listener = (e) => seen.push(e)
  const warnings = []
  const onWarning = (w) => warnings.push(w.message)
  process.on('warning', onWarning)
  t.teardown(() => process.off('warning', onWarning))
  client.on('response', () => {
    throw new Error('metrics backend down')
  })
  client.on('response', listener)
  t.is((await client.openapi.logistics.getAllDelivery({})).errCode, 0)
  await settled()
  client.off('response', listener)
  await client.openapi.logistics.getAllDelivery({})
  await settled()
  t.is(seen.length, 1)
  t.true(warnings.some((m) => m.includes("'response' listener threw: metrics backend down")))
  t.throws(() => client.on('reponse', listener), { message: /unknown event "reponse"/ })
})

test('tokens() reports what is cached and until when, never the value', async (t) => {
  const emu = await emulator()
  t.teardown(() => emu.close())
  const client = cloud.createClient({ ...APP, apiBase: emu.url })
  t.deepEqual(client.tokens(), [{ kind: 'app', appid: APP.appid, cached: false, expiresAt: null }])
  await client.openapi.logistics.getAllAccount({})
  const [report] = client.tokens()
  t.like(report, { kind: 'app', appid: APP.appid, cached: true })
  t.true(Math.abs(report.expiresAt - Date.now() - 7200e3) < 10e3)
  t.deepEqual(Object.keys(report), ['kind', 'appid', 'cached', 'expiresAt'])
  const fixed = cloud.createClient({ accessToken: 'fixed-token-value-000000000000001', apiBase: emu.url })
  t.false(JSON.stringify(fixed.tokens()).includes('fixed-token-value'))
})

test('the default client: cloud.on() listeners survive init(); cloud.tokens()', async (t) => {
  const emu = await emulator()
  t.teardown(() => emu.close())
  const seen = []
  cloud.on('response', (e) => seen.push(e.api))
  cloud.init({ ...APP, apiBase: emu.url })
  await cloud.openapi.logistics.getAllDelivery({})
  cloud.init({ ...APP, apiBase: emu.url })
  await cloud.openapi.logistics.getAllAccount({})
  await settled()
  t.deepEqual(seen, ['logistics.getAllDelivery', 'logistics.getAllAccount'])
  t.like(cloud.tokens()[0], { kind: 'app', appid: APP.appid, cached: true })
})

test('a dropped client with listeners is garbage-collected', async (t) => {
  const { execFile } = require('node:child_process')
  const script = require.resolve('./helpers/gc-client.js')
  const stdout = await new Promise((resolve, reject) => {
    execFile(process.execPath, ['--expose-gc', script], (error, out) => (error ? reject(error) : resolve(out)))
  })
  t.deepEqual(JSON.parse(stdout), { collected: true })
})
