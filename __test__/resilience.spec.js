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

// --- Timeouts: per attempt, connect, and the whole deadline; `retryable` and `attempts` as the policy decided ---

const fs = require('node:fs')
const net = require('node:net')
const path = require('node:path')
const TOKEN = 'r'.repeat(120)

/** A server whose first `hangs` requests never get an answer; the others get `{errcode: 0}`. */
async function hangsThenAnswers(hangs) {
  let seen = 0
  return localServer(() => (++seen <= hangs ? null : { body: '{"errcode":0,"errmsg":"ok","n":1}' }))
}

test('attemptTimeout cuts a hung attempt short, so an idempotent call is retried within its deadline', async (t) => {
  const server = await hangsThenAnswers(1)
  t.teardown(() => server.close())
  const c = cloud.createClient({ accessToken: TOKEN, apiBase: server.url, timeout: 5000, attemptTimeout: 300 })
  const started = Date.now()
  const res = await c.openapi.logistics.getAllAccount({})
  t.is(res.n, 1)
  t.is(server.seen.length, 2)
  t.true(Date.now() - started < 2500)
  // Per call, too.
  const again = await hangsThenAnswers(1)
  t.teardown(() => again.close())
  const c2 = cloud.createClient({ accessToken: TOKEN, apiBase: again.url, timeout: 5000 })
  t.is((await c2.openapi({ attemptTimeout: 300 }).logistics.getAllAccount({})).n, 1)
  t.is(again.seen.length, 2)
})

test('a timed-out non-idempotent call is not retried and is not retryable: it may have run', async (t) => {
  const server = await hangsThenAnswers(10)
  t.teardown(() => server.close())
  const c = cloud.createClient({ accessToken: TOKEN, apiBase: server.url, timeout: 5000, attemptTimeout: 200 })
  const err = await t.throwsAsync(c.openapi.request({ method: 'POST', path: '/cgi-bin/express/business/order/add', data: { orderId: 'o1' } }))
  t.is(err.errCode, -604102)
  t.is(err.category, 'timeout')
  t.false(err.retryable)
  t.is(err.attempts, 1)
  t.is(server.seen.length, 1)
  // The same hang on the call's whole deadline says the same, with the attempts made.
  const deadline = await t.throwsAsync(cloud.createClient({ accessToken: TOKEN, apiBase: server.url, timeout: 300 })
    .openapi.request({ method: 'POST', path: '/x', data: {} }))
  t.deepEqual([deadline.errCode, deadline.retryable, deadline.attempts], [-604102, false, 1])
  // An idempotent call that ran out of attempts is retryable: trying later is safe.
  const read = await t.throwsAsync(c.openapi({ maxAttempts: 2 }).logistics.getAllAccount({}))
  t.deepEqual([read.errCode, read.retryable, read.attempts], [-604102, true, 2])
})

test('an AbortSignal after sending a non-idempotent call reports the attempt and retryable: false', async (t) => {
  const server = await hangsThenAnswers(10)
  t.teardown(() => server.close())
  const c = cloud.createClient({ accessToken: TOKEN, apiBase: server.url, timeout: 5000 })
  const controller = new AbortController()
  setTimeout(() => controller.abort(), 150)
  const err = await t.throwsAsync(c.openapi({ signal: controller.signal }).request({ method: 'POST', path: '/x', data: {} }))
  t.deepEqual([err.errCode, err.attempts, err.retryable], [-604102, 1, false])
})

test('connectTimeout: a host that never finishes the handshake is unsent, so even a non-idempotent call is retried', async (t) => {
  // Accepts TCP and then says nothing: the TLS handshake never completes.
  const sockets = []
  const silent = net.createServer((s) => sockets.push(s))
  await new Promise((resolve) => silent.listen(0, '127.0.0.1', resolve))
  t.teardown(() => { sockets.forEach((s) => s.destroy()); silent.close() })
  const c = cloud.createClient({ accessToken: TOKEN, apiBase: `https://127.0.0.1:${silent.address().port}`, connectTimeout: 200, timeout: 5000 })
  const started = Date.now()
  const err = await t.throwsAsync(c.openapi.request({ method: 'POST', path: '/x', data: {} }))
  t.is(err.category, 'network')
  t.is(err.errCode, -601003)
  t.true(err.retryable, 'nothing reached WeChat')
  t.is(err.attempts, 3)
  t.is(sockets.length, 3)
  t.true(Date.now() - started < 3000, `${Date.now() - started} ms`)
})

test('timeouts are checked at createClient and per call', (t) => {
  for (const [config, text] of [
    [{ connectTimeout: 0 }, 'connectTimeout must be a whole number from 1 to 600000'],
    [{ attemptTimeout: 'fast' }, 'attemptTimeout must be a number of milliseconds, got string "fast"'],
  ]) {
    const err = t.throws(() => cloud.createClient({ accessToken: TOKEN, ...config }))
    t.true(err.errMsg.includes(text), err.errMsg)
  }
})

test('an oversized answer is not retried: the same answer would come back', async (t) => {
  const big = await localServer(() => ({ body: `{"errcode":0,"pad":"${'x'.repeat(5000)}"}` }))
  t.teardown(() => big.close())
  const c = cloud.createClient({ accessToken: TOKEN, apiBase: big.url, maxResponseBytes: 1024 })
  const err = await t.throwsAsync(c.openapi.logistics.getAllAccount({}))
  t.is(err.errCode, -601001)
  t.regex(err.errMsg, /exceeds maxResponseBytes \(1024 bytes\)/)
  t.deepEqual([err.retryable, err.attempts, big.seen.length], [false, 1, 1])
})

test('busy answers: idempotent calls use their attempts, non-idempotent ones stop at the first', async (t) => {
  const emu = await emulator()
  t.teardown(() => emu.close())
  const c = cloud.createClient({ ...APP, apiBase: emu.url })
  await emu.injectFault({ name: 'logistics.getAllAccount', errcode: -1, times: 3 })
  const read = await t.throwsAsync(c.openapi.logistics.getAllAccount({}))
  t.deepEqual([read.errCode, read.category, read.retryable, read.attempts], [-1, 'busy', true, 3])
  await emu.injectFault({ name: 'openPlatform.createOpenAccount', errcode: -1 })
  const write = await t.throwsAsync(c.openapi.openPlatform.createOpenAccount({ appid: APP.appid }))
  t.deepEqual([write.errCode, write.retryable, write.attempts], [-1, false, 1])
  await emu.injectFault({ name: 'logistics.getAllAccount', errcode: 45009 })
  const quota = await t.throwsAsync(c.openapi.logistics.getAllAccount({}))
  t.deepEqual([quota.category, quota.retryable, quota.attempts], ['quota', false, 1])
  // With retryUnsafe the caller accepts the risk: the busy write is retried and says so.
  await emu.injectFault({ name: 'openPlatform.createOpenAccount', errcode: -1, times: 2 })
  const unsafe = await t.throwsAsync(c.openapi({ retryUnsafe: true, maxAttempts: 2 }).openPlatform.createOpenAccount({ appid: APP.appid }))
  t.deepEqual([unsafe.retryable, unsafe.attempts], [true, 2])
})

// --- TLS: always checked; a custom CA adds trust ---

const TLS = path.join(__dirname, 'fixtures', 'tls')

async function httpsServer() {
  const https = require('node:https')
  const server = https.createServer({ key: fs.readFileSync(path.join(TLS, 'server-key.pem')), cert: fs.readFileSync(path.join(TLS, 'server.pem')) },
    (req, res) => { res.writeHead(200, { 'content-type': 'application/json' }); res.end('{"errcode":0,"errmsg":"ok","tls":true}') })
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve))
  return { url: `https://127.0.0.1:${server.address().port}`, close: () => new Promise((resolve) => { server.closeAllConnections(); server.close(resolve) }) }
}

test('TLS certificates are always checked; a custom CA (PEM text or Buffer) is trusted in addition', async (t) => {
  const server = await httpsServer()
  t.teardown(() => server.close())
  const untrusted = cloud.createClient({ accessToken: TOKEN, apiBase: server.url })
  const err = await t.throwsAsync(untrusted.openapi.logistics.getAllAccount({}))
  t.is(err.category, 'network')
  t.regex(err.errMsg, /certificate/i)
  t.deepEqual([err.retryable, err.attempts], [false, 1], 'a certificate that fails fails again')
  const ca = fs.readFileSync(path.join(TLS, 'ca.pem'))
  for (const given of [ca, ca.toString('utf8')]) {
    const trusted = cloud.createClient({ accessToken: TOKEN, apiBase: server.url, ca: given })
    t.true((await trusted.openapi.logistics.getAllAccount({})).tls)
  }
  for (const off of [{ rejectUnauthorized: false }, { insecure: true }, { tlsVerify: false }]) {
    t.throws(() => cloud.createClient({ accessToken: TOKEN, apiBase: server.url, ...off }), { message: /unknown option/ })
  }
  const bad = t.throws(() => cloud.createClient({ accessToken: TOKEN, ca: 'not a certificate' }))
  t.regex(bad.errMsg, /ca must be PEM text/)
})
