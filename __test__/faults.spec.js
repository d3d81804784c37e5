'use strict'
// Issue 7: no crash, ever (a panic inside the core, token providers that misbehave), and the emulator's fault
// rates: each kind of fault reaches the caller as the typed error the retry policy implies.

const test = require('ava')
const { cloud, APP, emulator, localServer } = require('./helpers.js')

test('a panic inside the core becomes an OpenApiError, and the client keeps working', async (t) => {
  const emu = await emulator()
  t.teardown(() => emu.close())
  const c = cloud.createClient({ ...APP, apiBase: emu.url })
  const err = await t.throwsAsync(c.openapi.__probe.panic({}))
  t.true(err instanceof cloud.OpenApiError)
  t.is(err.errCode, -604103)
  t.regex(err.errMsg, /^openapi\.__probe\.panic:fail internal error in wechat-openapi: internal fault probe/)
  t.false(err.retryable)
  const many = await Promise.all(Array.from({ length: 20 }, () => c.openapi.__probe.panic({}).catch((e) => e.errCode)))
  t.deepEqual([...new Set(many)], [-604103])
  t.is((await c.openapi.logistics.getAllAccount({})).errCode, 0)
})

test('getAccessToken that throws, rejects, returns garbage or never settles: typed errors, no crash', async (t) => {
  const emu = await emulator()
  t.teardown(() => emu.close())
  const providers = {
    throwsSync: () => { throw new Error('vault sealed') },
    rejects: async () => { throw new RangeError('vault unreachable') },
    rejectsWithNothing: () => Promise.reject(undefined), // eslint-disable-line prefer-promise-reject-errors
    returnsNumber: () => 42,
    returnsNull: () => null,
    returnsEmpty: () => '',
    returnsObjectWithoutToken: () => ({ token: 'x' }),
    returnsNonStringToken: () => ({ accessToken: { nested: true } }),
  }
  for (const [name, getAccessToken] of Object.entries(providers)) {
    const c = cloud.createClient({ apiBase: emu.url, getAccessToken })
    const err = await t.throwsAsync(c.openapi.logistics.getAllAccount({}), undefined, name)
    t.true(err instanceof cloud.OpenApiError, name)
    t.is(err.category, 'auth', name)
    t.is(err.api, 'logistics.getAllAccount', name)
  }
  const hanging = cloud.createClient({ apiBase: emu.url, getAccessToken: () => new Promise(() => {}), timeout: 300 })
  const err = await t.throwsAsync(hanging.openapi.logistics.getAllAccount({}))
  t.deepEqual([err.errCode, err.category], [-604102, 'timeout'])
  // Garbage that is still a token: a huge lifetime, whitespace, 64 KiB of it. WeChat (the emulator) refuses; nothing panics.
  for (const got of [{ accessToken: 'tok', expiresIn: 1e300 }, { accessToken: 'a b\nc', expiresIn: -1 }, 'x'.repeat(65536)]) {
    const c = cloud.createClient({ apiBase: emu.url, getAccessToken: () => got, maxAttempts: 1 })
    const e = await t.throwsAsync(c.openapi.logistics.getAllAccount({}))
    t.true(e instanceof cloud.OpenApiError)
  }
})

test('hostile answers from WeChat: typed errors for each', async (t) => {
  const answers = [
    [{ body: '{"errcode":0,' }, -601001],
    [{ body: '[1,2,3]' }, -601001],
    [{ status: 503, headers: { 'content-type': 'text/html' }, body: '<html>busy</html>' }, -601003],
    // An errcode that is not an integer never means success (hardening class 9).
    [{ body: '{"errcode":"abc","errmsg":7}' }, -601001],
    [{ body: `{"errcode":0,"deep":${'['.repeat(10000)}${']'.repeat(10000)}}` }, -601001],
  ]
  for (const [answer, code] of answers) {
    const server = await localServer(() => answer)
    t.teardown(() => server.close())
    const c = cloud.createClient({ accessToken: 'h'.repeat(100), apiBase: server.url, maxAttempts: 1 })
    const got = await c.openapi.logistics.getAllAccount({}).then((r) => r.errCode, (e) => (e instanceof cloud.OpenApiError ? e.errCode : 'untyped'))
    t.is(got, code, answer.body.slice(0, 40))
  }
})

// --- Fault rates in the emulator ---

/** A client whose non-idempotent call meets exactly one kind of fault; returns the error (or null) and executions. */
async function meet(t, kind, extra = {}) {
  const emu = await emulator()
  t.teardown(() => emu.close())
  const c = cloud.createClient({ ...APP, apiBase: emu.url, maxAttempts: 1, ...extra })
  await c.openapi.logistics.getAllAccount({}) // the token first, outside the faults
  await emu.setFaultRates({ seed: 3, delayMs: 50, rates: { 'logistics.bindAccount': { [kind]: 1 } } })
  const err = await c.openapi.logistics.bindAccount({ type: 'bind', bizId: `b-${kind}`, deliveryId: 'SF' }).then(() => null, (e) => e)
  const stats = await emu.faultStats()
  await emu.control('clearFaults')
  const runs = (await emu.executions())['logistics.bindAccount'] || 0
  return { err, runs, stats, emu }
}

const EXPECTED = {
  busy: { errCode: -1, category: 'busy', runs: 0 },
  rateLimit: { errCode: 45011, category: 'rate-limit', runs: 0 },
  http500: { errCode: -601003, category: 'busy', httpStatus: 500, runs: 0 },
  http502: { errCode: -601003, category: 'busy', httpStatus: 502, runs: 1 },
  reset: { errCode: -601003, category: 'network', runs: 1 },
  truncated: { errCode: -601003, category: 'network', runs: 1 },
  malformedJson: { errCode: -601001, category: 'network', runs: 1 },
}

for (const [kind, want] of Object.entries(EXPECTED)) {
  test(`fault rate ${kind}: a typed error, the call ran ${want.runs} time(s), not retryable for a non-idempotent call`, async (t) => {
    const { err, runs } = await meet(t, kind)
    t.true(err instanceof cloud.OpenApiError)
    t.is(err.errCode, want.errCode)
    t.is(err.category, want.category)
    if (want.httpStatus) t.is(err.httpStatus, want.httpStatus)
    t.is(runs, want.runs)
    t.is(err.retryable, kind === 'rateLimit', '45011 was refused before running; the rest may have run')
    t.is(err.attempts, 1)
  })
}

test('fault rate delay slows the answer and the call runs once', async (t) => {
  const started = Date.now()
  const delayed = await meet(t, 'delay')
  t.is(delayed.err, null)
  t.is(delayed.runs, 1)
  t.true(Date.now() - started >= 50)
  t.deepEqual(delayed.stats, { delay: 1 })
})

test('fault rate revokedToken: every call still succeeds, with one token fetch per revocation', async (t) => {
  const emu = await emulator()
  t.teardown(() => emu.close())
  const c = cloud.createClient({ ...APP, apiBase: emu.url, maxAttempts: 5 })
  await emu.setFaultRates({ seed: 5, rates: { 'logistics.getAllAccount': { revokedToken: 0.3 } } })
  for (let i = 0; i < 30; i += 1) t.is((await c.openapi.logistics.getAllAccount({})).errCode, 0)
  const { revokedToken } = await emu.faultStats()
  t.true(revokedToken >= 5, `${revokedToken} revocations`)
  t.is(await emu.tokenRequests(), 1 + revokedToken)
})

test('fault rates are reproducible from the seed, and duplicates are counted per order', async (t) => {
  const run = async (seed) => {
    const emu = await emulator()
    t.teardown(() => emu.close())
    const c = cloud.createClient({ ...APP, apiBase: emu.url, maxAttempts: 1 })
    await emu.setFaultRates({ seed, rates: { '*': { busy: 0.2, http502: 0.2 } } })
    const codes = []
    for (let i = 0; i < 40; i += 1) codes.push(await c.openapi.logistics.getAllAccount({}).then(() => 0, (e) => e.errCode))
    return codes.join(',')
  }
  const first = await run(11)
  t.is(await run(11), first)
  t.not(await run(12), first)
  t.true(first.includes('-1') && first.includes('-601003'))
  const emu = await emulator()
  t.teardown(() => emu.close())
  const bad = await t.throwsAsync(emu.setFaultRates({ rates: { '*': { busy: 2 } } }))
  t.regex(bad.message, /busy must be from 0 to 1/)
})
