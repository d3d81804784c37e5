'use strict'
// Issue 6: many processes share one token through a real redis-server, refresh it once, and keep working
// when Redis fails. Each test forks real Node processes that load the addon, against the emulator.

const test = require('ava')
const { cloud, APP } = require('../helpers.js')
const { redisServerInstalled, startRedis, startFleet, sleep } = require('./harness.js')

const TOKEN_KEY = `wechat-openapi:{${APP.appid}}:access_token`
const LOCK_KEY = `${TOKEN_KEY}:lock`

const installed = redisServerInstalled()
const redisTest = installed ? test.serial : test.skip
if (!installed) {
  test('Redis tests', (t) => {
    t.log('SKIPPED: redis-server is not installed, so the Redis tests below did not run (CI installs it: .ci/run)')
    t.pass()
  })
}

/** The store option for a test Redis: a roomy operation timeout, so a loaded CI machine is not mistaken for a Redis outage. */
const store = (redis, extra = {}) => ({ url: redis.url, timeout: 2000, ...extra })

async function setup(t, redisOptions) {
  const emu = await cloud.startEmulator({ port: 0, apps: [APP] })
  t.teardown(() => emu.close())
  const redis = await startRedis(redisOptions)
  t.teardown(() => redis.close())
  return { emu, redis }
}

async function fleet(t, count, config) {
  const f = await startFleet(count, config)
  t.teardown(() => f.close())
  return f
}

function allSucceeded(t, results, calls) {
  for (const r of results) t.deepEqual({ ok: r.ok, errors: r.errors }, { ok: calls, errors: [] })
}

/** Commands Redis has run, by name (`INFO commandstats`), leaving out the INFO calls themselves. */
async function commandCounts(redis) {
  const info = await redis.command('INFO', 'commandstats')
  const counts = {}
  for (const m of info.matchAll(/^cmdstat_(\w+):calls=(\d+)/gm)) if (m[1] !== 'info') counts[m[1]] = Number(m[2])
  return counts
}

async function until(what, check, ms = 10000) {
  const end = Date.now() + ms
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`)
    await sleep(10)
  }
}

redisTest('(a) 4 processes × 250 concurrent calls on a cold cache make exactly 1 token request; cache hits skip Redis', async (t) => {
  const { emu, redis } = await setup(t)
  const f = await fleet(t, 4, { ...APP, apiBase: emu.url, store: store(redis) })
  allSucceeded(t, await f.runAll(250), 250)
  t.is(await emu.tokenRequests(), 1)
  t.log('4 processes × 250 concurrent calls, cold, shared through Redis: token requests =', await emu.tokenRequests())

  const stored = JSON.parse(await redis.command('GET', TOKEN_KEY))
  t.deepEqual(Object.keys(stored), ['token', 'expiresAt', 'refreshAt'])
  t.true(stored.token.length >= 100)
  const pttl = await redis.command('PTTL', TOKEN_KEY)
  t.true(Math.abs(stored.expiresAt - Date.now() - pttl) < 2000, 'the key expires with the token')
  t.is(stored.expiresAt - stored.refreshAt, 300000, 'due 5 minutes before expiry')
  t.is(await redis.command('EXISTS', LOCK_KEY), 0, 'the lock was released')

  const before = await commandCounts(redis)
  allSucceeded(t, await f.runAll(250), 250)
  t.deepEqual(await commandCounts(redis), before, 'warm calls send Redis nothing')
})

redisTest('the figure: token requests made by N processes, with and without Redis (cold start, then one revocation)', async (t) => {
  const rows = []
  for (const n of [1, 2, 4, 8]) {
    const row = { processes: n }
    for (const shared of [false, true]) {
      const emu = await cloud.startEmulator({ port: 0, apps: [APP] })
      const redis = await startRedis()
      const f = await startFleet(n, { ...APP, apiBase: emu.url, ...(shared ? { store: store(redis) } : {}) })
      try {
        allSucceeded(t, await f.runAll(250), 250)
        const cold = await emu.tokenRequests()
        await emu.revokeToken(APP.appid)
        allSucceeded(t, await f.runAll(250), 250)
        const afterRevoke = (await emu.tokenRequests()) - cold
        row[shared ? 'redis' : 'alone'] = { cold, afterRevoke }
      } finally {
        await f.close()
        await redis.close()
        await emu.close()
      }
    }
    t.deepEqual(row.redis, { cold: 1, afterRevoke: 1 }, `${n} processes with Redis`)
    t.deepEqual(row.alone, { cold: n, afterRevoke: n }, `${n} processes without Redis`)
    rows.push(row)
  }
  t.log('processes | token requests without Redis (cold / after 40001) | with Redis (cold / after 40001)')
  for (const r of rows) t.log(`${r.processes} | ${r.alone.cold} / ${r.alone.afterRevoke} | ${r.redis.cold} / ${r.redis.afterRevoke}`)
})

redisTest('(b) Redis stopped mid-run: every call succeeds, the outage is logged once, and sharing resumes when Redis is back', async (t) => {
  const { emu, redis } = await setup(t)
  const f = await fleet(t, 4, { ...APP, apiBase: emu.url, store: store(redis) })
  allSucceeded(t, await f.runAll(50), 50)
  t.is(await emu.tokenRequests(), 1)

  // Redis crashes while calls are in flight, and the token is revoked: every process must refresh without it.
  const inFlight = f.runAll(200)
  await redis.stop('SIGKILL')
  await emu.revokeToken(APP.appid)
  allSucceeded(t, await inFlight, 200)
  allSucceeded(t, await f.runAll(100), 100)
  const duringOutage = (await emu.tokenRequests()) - 1
  t.is(duringOutage, 4, 'each process refreshed on its own')
  for (let i = 0; i < 4; i++) {
    const lines = f.stderr(i).split('\n').filter((l) => l.includes('is unavailable'))
    t.is(lines.length, 1, `worker ${i} logged the outage once`)
    t.regex(lines[0], /Redis at redis:\/\/127\.0\.0\.1:\d+\/0 is unavailable \(.+\); this process refreshes its own tokens until Redis is back/)
  }

  await redis.start()
  await sleep(1000) // past each process's backoff (250 ms after its one failure)
  await emu.revokeToken(APP.appid)
  const before = await emu.tokenRequests()
  allSucceeded(t, await f.runAll(100), 100)
  t.is((await emu.tokenRequests()) - before, 1, 'shared again: one refresh across the 4 processes')
  t.truthy(await redis.command('GET', TOKEN_KEY))
  for (let i = 0; i < 4; i++) t.is(f.stderr(i).split('\n').filter((l) => l.includes('reachable again')).length, 1)
  t.log(`token requests: 1 before the outage, ${duringOutage} during it (4 processes alone), 1 after Redis came back`)
})

redisTest('(c) a process killed while holding the lock: the others get a token after the lock expires', async (t) => {
  const { emu, redis } = await setup(t)
  const f = await fleet(t, 3, { ...APP, apiBase: emu.url, store: store(redis, { lockTtl: 1500 }) })
  // The holder's token request hangs for 5 s, and the holder is killed meanwhile.
  await emu.injectFault({ name: 'auth.getStableAccessToken', delayMs: 5000 })
  const holder = f.run(0, 1).catch((e) => e.message)
  await until('the lock', async () => (await redis.command('EXISTS', LOCK_KEY)) === 1)
  // Kill it only once its token request is at the emulator (and has taken the delay), not merely after the lock.
  await until('the token request', async () => (await emu.requestCount('auth.getStableAccessToken')) === 1)
  f.kill(0)
  t.is(await holder, 'worker exited (SIGKILL)')
  const lockLeft = await redis.command('PTTL', LOCK_KEY)
  t.true(lockLeft > 1000 && lockLeft <= 1500, `lock TTL left: ${lockLeft}`)
  const started = Date.now()
  const results = await Promise.all([f.run(1, 50), f.run(2, 50)])
  const waited = Date.now() - started
  allSucceeded(t, results, 50)
  t.true(waited >= lockLeft - 50, `waited ${waited} ms for a lock with ${lockLeft} ms left`)
  t.true(waited < lockLeft + 2000, `waited ${waited} ms`)
  t.is(await emu.tokenRequests(), 2, "the dead holder's request, then one refresh by a survivor")
  t.log(`killed holder: survivors waited ${waited} ms (lock had ${lockLeft} ms left); token requests = 2`)
})

redisTest('(d) a stale 40001 does not evict a fresher token', async (t) => {
  const { emu, redis } = await setup(t)
  const f = await fleet(t, 2, { ...APP, apiBase: emu.url, store: store(redis) })
  allSucceeded(t, await f.runAll(10), 10)
  const first = JSON.parse(await redis.command('GET', TOKEN_KEY)).token
  await emu.revokeToken(APP.appid)
  // Worker 1 meets 40001 first: the revoked token leaves Redis, and a fresh one is stored.
  allSucceeded(t, [await f.run(1, 10)], 10)
  t.is(await emu.tokenRequests(), 2)
  const fresher = await redis.command('GET', TOKEN_KEY)
  t.not(JSON.parse(fresher).token, first)
  // Worker 0 still holds the revoked token: its 40001 must not remove the fresher one, and it takes that.
  allSucceeded(t, [await f.run(0, 10)], 10)
  t.is(await redis.command('GET', TOKEN_KEY), fresher)
  t.is(await emu.tokenRequests(), 2, 'no second refresh')
})

redisTest('Redis URLs with a password never show it; a bad store option is a clear config error', async (t) => {
  const { emu } = await setup(t)
  // Nothing listens on port 1: the client works alone and says so once, with the password masked.
  const f = await fleet(t, 1, { ...APP, apiBase: emu.url, store: 'redis://:hunter2-redis-pw@127.0.0.1:1/0' })
  allSucceeded(t, await f.runAll(20), 20)
  t.regex(f.stderr(0), /Redis at redis:\/\/:\*\*\*@127\.0\.0\.1:1\/0 is unavailable/)
  t.false(f.stderr(0).includes('hunter2'))

  const bad = t.throws(() => cloud.createClient({ ...APP, store: { url: 'redis://:hunter2-redis-pw@h:6380/0', ca: '-----BEGIN CERTIFICATE-----' } }))
  t.is(bad.errCode, -601002)
  t.is(bad.errMsg, 'openapi.createClient:fail store.ca/cert/key are for TLS: use rediss:// URLs (got redis://:***@h:6380/0)')
  t.regex(t.throws(() => cloud.createClient({ ...APP, store: 42 })).errMsg, /store must be a Redis URL/)
  t.regex(t.throws(() => cloud.createClient({ ...APP, store: { url: 'redis://h/0', lockTTL: 5 } })).errMsg, /unknown option "store\.lockTTL"/)
  t.regex(t.throws(() => cloud.createClient({ ...APP, store: { url: 'redis://h/0', lockTtl: 5 } })).errMsg, /store\.lockTtl must be a whole number of milliseconds from 100/)
})
