#!/usr/bin/env node
'use strict'
// The soak (`npm run soak`): many mixed calls at high concurrency against the emulator (in a child process, so
// this process's RSS is the client's alone) while it injects faults at set rates from a seed. It prints what
// happened and checks the targets: no unhandled rejection, no non-idempotent call executed twice, no addOrder left
// ambiguous (one whose outcome is unknown is reconciled with getOrder: found, or provably absent and sent again),
// every idempotent call succeeds, every failure is a typed OpenApiError, RSS growth under 20 MB.
//   node scripts/soak.js [--calls 100000] [--concurrency 128] [--seed 1]
// `runSoak` is also what the small soak in `npm test` runs.

const { spawn } = require('node:child_process')
const fs = require('node:fs')
const os = require('node:os')
const path = require('node:path')
const cloud = require('..')

const APP = { appid: 'wxsoakapp000000001', secret: 'soak-app-secret-000000000000001' }
const MB = 1024 * 1024
/** 5 % of requests get a fault; rateLimit (45011) waits for the next minute, so it is rare on purpose. */
const FAULT_RATES = {
  busy: 0.012,
  http500: 0.006,
  http502: 0.006,
  reset: 0.006,
  delay: 0.008,
  malformedJson: 0.005,
  truncated: 0.005,
  rateLimit: 0.0005,
  revokedToken: 0.0015,
}
const RSS_TARGET = 20 * MB
const WARM_UP = 1000

/** The emulator as a child process (`bin/wechat-emulator.js`), driven over its HTTP control surface. */
async function childEmulator(config) {
  const file = path.join(os.tmpdir(), `wechat-soak-${process.pid}-${Date.now()}.json`)
  fs.writeFileSync(file, JSON.stringify(config))
  const child = spawn(process.execPath, [path.join(__dirname, '..', 'bin', 'wechat-emulator.js'), '--config', file], {
    stdio: ['ignore', 'pipe', 'inherit'],
  })
  const url = await new Promise((resolve, reject) => {
    let out = ''
    child.stdout.on('data', (chunk) => {
      out += chunk
      if (out.includes('\n')) resolve(out.split('\n')[0].trim())
    })
    child.once('exit', (code) => reject(new Error(`the emulator exited with ${code}`)))
  })
  fs.unlinkSync(file)
  const control = async (action, args = {}) => {
    const res = await fetch(`${url}/__emulator/${action}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(args) })
    const body = await res.json()
    if (!body.ok) throw new Error(body.error)
    return body.result
  }
  const close = () => new Promise((resolve) => {
    child.once('exit', resolve)
    child.kill('SIGTERM')
  })
  return { url, control, close }
}

function orderParams(id, openid) {
  return {
    orderId: id,
    openid,
    deliveryId: 'SF',
    bizId: 'SF_CASH',
    addSource: 0,
    sender: { name: '张三', mobile: '13800000000', province: '广东省', city: '广州市', area: '天河区', address: '1号' },
    receiver: { name: '李四', mobile: '13900000000', province: '北京市', city: '北京市', area: '朝阳区', address: '2号' },
    cargo: { count: 1, weight: 1.2, spaceX: 10, spaceY: 10, spaceZ: 10, detailList: [{ name: '书', count: 1 }] },
    shop: { wxaPath: '/pages/order', imgUrl: 'https://img/x.png', goodsName: '书', goodsCount: 1 },
    insured: { useInsured: 0, insuredValue: 0 },
    service: { serviceType: 0, serviceName: '标准快递' },
  }
}

// What became of each addOrder call, one byte per call so that bookkeeping does not weigh on the RSS figure.
const OK = 1
const AMBIGUOUS = 2 // may have run: the answer was lost or spoiled after sending, and reconciling did not settle it
const REFUSED = 3 // WeChat (or the SDK before sending) said no: it did not run

function outcomeOf(err) {
  // A transient failure the SDK will not let the caller repeat: it may have run, and reconciling did not settle it.
  // (One proved absent by getOrder says `retryable: true`: it never ran.)
  if (['network', 'timeout', 'busy'].includes(err.category) && !err.retryable) return AMBIGUOUS
  return REFUSED
}

/**
 * @param {{ calls?: number, concurrency?: number, seed?: number, rates?: object, maxAttempts?: number, log?: (line: string) => void }} options
 */
async function runSoak(options = {}) {
  const { calls = 100000, concurrency = 128, seed = 1, rates = FAULT_RATES, maxAttempts = 5, log = console.log } = options
  const unhandled = []
  const onUnhandled = (reason) => unhandled.push(reason)
  process.on('unhandledRejection', onUnhandled)
  const emu = await childEmulator({ port: 0, apps: [APP] })
  try {
    for (const name of ['logistics.getAllAccount', 'logistics.getAllDelivery', 'logistics.getOrder', 'logistics.addOrder']) {
      await emu.control('setDailyLimit', { name, limit: 100_000_000 })
    }
    await emu.control('seedAccounts', { accounts: [{ bizId: 'soak-biz', deliveryId: 'SF' }] })
    const [openid] = (await emu.control('openids', {})).openids
    // A generous deadline, so a 45011 can wait for the next minute as the policy says.
    const client = cloud.createClient({ ...APP, apiBase: emu.url, maxAttempts, timeout: 70_000 })
    const api = client.openapi.logistics
    const reconciles = { found: 0, absent: 0, unknown: 0 }
    client.on('reconcile', (e) => { reconciles[e.reason] += 1 })
    await api.addOrder(orderParams(`soak-${seed}-known`, openid))

    const outcome = new Uint8Array(calls)
    const tally = { ok: 0, typed: 0, untyped: 0, idempotent: 0, idempotentFailed: 0, ambiguous: 0, refused: 0, reconciled: 0 }
    const failures = new Map()
    const one = async (i) => {
      const kind = i % 10
      const nonIdempotent = kind >= 7
      if (!nonIdempotent) tally.idempotent += 1
      try {
        if (kind < 4) await api.getAllAccount({})
        else if (kind < 5) await api.getAllDelivery({})
        else if (kind < 7) await api.getOrder({ orderId: `soak-${seed}-known`, deliveryId: 'SF' })
        else if ((await api.addOrder(orderParams(`soak-${seed}-${i}`, openid))).reconciled === true) tally.reconciled += 1
        tally.ok += 1
        if (nonIdempotent) outcome[i] = OK
      } catch (err) {
        if (!(err instanceof cloud.OpenApiError)) {
          tally.untyped += 1
          return
        }
        tally.typed += 1
        const key = `${err.errCode} ${err.category}`
        failures.set(key, (failures.get(key) || 0) + 1)
        if (!nonIdempotent) tally.idempotentFailed += 1
        else {
          outcome[i] = outcomeOf(err)
          tally[outcome[i] === AMBIGUOUS ? 'ambiguous' : 'refused'] += 1
        }
      }
    }
    const pool = async (from, to) => {
      let next = from
      const worker = async () => {
        while (next < to) await one(next++)
      }
      await Promise.all(Array.from({ length: concurrency }, worker))
    }

    const rssStart = process.memoryUsage().rss
    await pool(0, Math.min(WARM_UP, calls))
    if (global.gc) global.gc()
    const rssWarm = process.memoryUsage().rss
    const sum = (counts) => Object.values(counts).reduce((a, b) => a + b, 0)
    const requestsBefore = sum(await emu.control('requestCounts', {}))
    await emu.control('setFaultRates', { seed, delayMs: 20, rates: { '*': rates } })
    const started = Date.now()
    await pool(Math.min(WARM_UP, calls), calls)
    const seconds = (Date.now() - started) / 1000
    await new Promise((resolve) => setImmediate(resolve))
    if (global.gc) global.gc()
    const rssEnd = process.memoryUsage().rss
    const drawn = await emu.control('faultStats', {})
    await emu.control('clearFaults', {})

    const perOrder = await emu.control('executionsByOrder', { name: 'logistics.addOrder' })
    let duplicates = 0
    let mismatched = 0
    for (let i = 0; i < calls; i += 1) {
      if (i % 10 < 7) continue
      const runs = perOrder[`soak-${seed}-${i}`] || 0
      if (runs > 1) duplicates += 1
      // A success ran exactly once; a refusal never ran; an ambiguous failure ran at most once.
      if ((outcome[i] === OK && runs !== 1) || (outcome[i] === REFUSED && runs !== 0)) mismatched += 1
    }
    const counts = await emu.control('requestCounts', {})
    const tokenRequests = (counts['auth.getStableAccessToken'] || 0) + (counts['auth.getAccessToken'] || 0)
    const injected = sum(drawn)
    // Requests while the faults were on (retries and token fetches included).
    const requests = sum(counts) - requestsBefore
    const result = {
      calls,
      concurrency,
      seed,
      seconds,
      succeeded: tally.ok,
      failedTyped: tally.typed,
      untyped: tally.untyped,
      unhandled: unhandled.length,
      idempotentCalls: tally.idempotent,
      idempotentFailed: tally.idempotentFailed,
      nonIdempotentCalls: calls - tally.idempotent,
      ambiguous: tally.ambiguous,
      refused: tally.refused,
      reconciledAnswers: tally.reconciled,
      reconciles: { ...reconciles },
      duplicates,
      mismatched,
      tokenRequests,
      requests,
      injected,
      drawn,
      failures: Object.fromEntries(failures),
      rssStart,
      rssWarm,
      rssEnd,
    }
    const mb = (n) => `${(n / MB).toFixed(1)} MB`
    log(`soak: ${calls} calls (${result.idempotentCalls} idempotent, ${result.nonIdempotentCalls} addOrder) at concurrency ${concurrency}, seed ${seed}, maxAttempts ${maxAttempts}`)
    log(`  faults injected: ${injected} of ${requests} requests (${((100 * injected) / requests).toFixed(2)} %): ${JSON.stringify(drawn)}`)
    log(`  succeeded: ${result.succeeded}`)
    log(`  failed with a typed error: ${result.failedTyped} (idempotent ${result.idempotentFailed}; addOrder ${result.ambiguous} ambiguous, ${result.refused} refused) ${JSON.stringify(result.failures)}`)
    log(`  addOrder reconciled with getOrder: ${reconciles.found} found (answered with reconciled: true: ${tally.reconciled}), ${reconciles.absent} provably absent (sent again), ${reconciles.unknown} unknown`)
    log(`  ambiguous addOrder (may have run, outcome unknown): ${tally.ambiguous}`)
    log(`  failed with anything else: ${result.untyped}`)
    log(`  unhandled rejections: ${result.unhandled}`)
    log(`  duplicate non-idempotent executions: ${duplicates} (addOrder order ids run more than once); outcomes contradicting executions: ${mismatched}`)
    log(`  token requests: ${tokenRequests}`)
    log(`  RSS: start ${mb(rssStart)}, after ${Math.min(WARM_UP, calls)} warm-up calls ${mb(rssWarm)}, end ${mb(rssEnd)} (growth after warm-up ${mb(rssEnd - rssWarm)})`)
    log(`  time: ${seconds.toFixed(1)} s, ${Math.round((calls - Math.min(WARM_UP, calls)) / seconds)} calls/s`)
    result.targetsMet = unhandled.length === 0 && duplicates === 0 && mismatched === 0 && tally.untyped === 0 &&
      tally.ambiguous === 0 && tally.idempotentFailed === 0 && rssEnd - rssWarm < RSS_TARGET
    log(`  targets (0 unhandled, 0 duplicates, 0 ambiguous, every idempotent call succeeds, only typed errors, RSS growth < 20 MB): ${result.targetsMet ? 'met' : 'NOT met'}`)
    return result
  } finally {
    process.off('unhandledRejection', onUnhandled)
    await emu.close()
  }
}

if (require.main === module) {
  const { parseArgs } = require('node:util')
  const { values } = parseArgs({ options: { calls: { type: 'string' }, concurrency: { type: 'string' }, seed: { type: 'string' } } })
  const num = (v, d) => (v === undefined ? d : Number(v))
  runSoak({ calls: num(values.calls, 100000), concurrency: num(values.concurrency, 128), seed: num(values.seed, 1) })
    .then((r) => { process.exitCode = r.targetsMet ? 0 : 1 })
    .catch((err) => { console.error(err); process.exitCode = 1 })
}

module.exports = { runSoak, FAULT_RATES, orderParams }
