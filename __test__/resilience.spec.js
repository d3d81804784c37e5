'use strict'
// Issue 7 (part): cancellation with AbortSignal and failover across WeChat's hosts.

const test = require('ava')
const { cloud, APP, emulator, localServer } = require('./helpers.js')

test('an AbortSignal stops a call in flight with a typed error', async (t) => {
  const hang = await localServer(() => null)
  t.teardown(() => hang.close())
  const c = cloud.createClient({ accessToken: 'x'.repeat(120), apiBase: hang.url, timeout: 10000 })
  const controller = new AbortController()
  const started = Date.now()
  setTimeout(() => controller.abort(new Error('user went away')), 100)
  const err = await t.throwsAsync(c.openapi({ signal: controller.signal }).logistics.getAllAccount({}))
  t.true(Date.now() - started < 2000)
  t.is(err.errCode, -604102)
  t.is(err.errMsg, "openapi.logistics.getAllAccount:fail aborted by the caller's AbortSignal")
  const already = await t.throwsAsync(c.openapi({ signal: AbortSignal.abort() }).logistics.getAllAccount({}))
  t.regex(already.errMsg, /aborted by the caller's AbortSignal/)
  t.is(hang.seen.length, 1, 'an already-aborted signal sends nothing')
  const bad = t.throws(() => c.openapi({ signal: {} }))
  t.is(bad.errCode, -601002)
})

test('a host that refuses connections fails over to the next one, for every kind of call', async (t) => {
  const emu = await emulator()
  t.teardown(() => emu.close())
  const c = cloud.createClient({ ...APP, apiBase: ['http://127.0.0.1:9', emu.url] })
  const res = await c.openapi.logistics.getAllAccount({})
  t.is(res.errCode, 0)
  // Non-idempotent calls fail over too: a refused connection provably never reached WeChat.
  const created = await c.openapi.openPlatform.createOpenAccount({ appid: APP.appid })
  t.is(created.errCode, 0)
  t.is(await emu.requestCount('openPlatform.createOpenAccount'), 1)
})
