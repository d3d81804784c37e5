#!/usr/bin/env node
'use strict'
// The push soak (`npm run soak:push`): pushes sealed as WeChat seals them (safe mode) sent to a fleet of two Node
// processes (scripts/push-soak-worker.js) sharing one real redis-server, each serving a pushHandler; the sender
// alternates between them. 5 % of pushes are delivered twice (half of those at once, to both processes, while
// the first run is still running), and 1 % fail in their listener the first time, so the sender retries them
// (like WeChat: another delivery after a failure). Targets: every push's listener ran exactly once, none lost,
// no push ever answered 'success' without having run, and per-push time flat (last 10 000 within 1.5× of the
// first 10 000).
//   node scripts/push-soak.js [--pushes 100000] [--concurrency 32] [--seed 1]
// `runPushSoak` is also what the small push soak in `npm test` runs.

const { fork } = require('node:child_process')
const http = require('node:http')
const path = require('node:path')
const cloud = require('..')
// The suite's own way to run a real redis-server on a free port, in a temp dir, stopped by close().
const { redisServerInstalled, startRedis } = require('../__test__/redis/harness.js')

const APP = { appid: 'wxpushsoak00000001', secret: 'pushsoaksecret0000000000000001' }
const PUSH = { token: 'push-soak-token', encodingAesKey: 'kWxPEV2UEDyxWpmPdKC3F4dgPDmOvfKX1HGnEUDS1aA' }
const RATES = { duplicate: 0.05, listenerFailure: 0.01 }
const MAX_DELIVERIES = 8
const BLOCK = 10_000
const FLAT_TARGET = 1.5

function startWorker(index, redisUrl) {
  const config = { ...APP, push: PUSH, store: { url: redisUrl, timeout: 5000 } }
  const child = fork(path.join(__dirname, 'push-soak-worker.js'), [JSON.stringify({ config, index })], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] })
  const ready = new Promise((resolve, reject) => {
    child.once('message', (msg) => resolve(msg.url))
    child.once('exit', (code) => reject(new Error(`push soak worker ${index} exited with ${code}`)))
  })
  const report = () => new Promise((resolve) => {
    child.once('message', resolve)
    child.send({ cmd: 'report' })
  })
  return { child, ready, report }
}

/** A small seeded generator, so a run can be repeated. */
function random(seed) {
  let s = seed >>> 0 || 1
  return () => {
    s ^= s << 13
    s ^= s >>> 17
    s ^= s << 5
    return (s >>> 0) / 2 ** 32
  }
}

/** One POST over a keep-alive agent; resolves to { status, text } (status 0: the connection failed). */
function post(agent, url, { query, body }) {
  return new Promise((resolve) => {
    const target = `${url}?${new URLSearchParams(query)}`
    const req = http.request(target, { method: 'POST', agent, headers: { 'content-type': 'text/xml', 'content-length': Buffer.byteLength(body) } }, (res) => {
      const chunks = []
      res.on('data', (c) => chunks.push(c))
      res.on('end', () => resolve({ status: res.statusCode, text: Buffer.concat(chunks).toString() }))
    })
    req.on('error', () => resolve({ status: 0, text: '' }))
    req.end(body)
  })
}

async function runPushSoak({ pushes = 100_000, concurrency = 32, seed = 1, log = console.log } = {}) {
  if (!redisServerInstalled()) throw new Error('the push soak needs redis-server (apt-get install redis-server)')
  const redis = await startRedis()
  const workers = [startWorker(0, redis.url), startWorker(1, redis.url)]
  const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency * 2 })
  try {
    const urls = await Promise.all(workers.map((w) => w.ready))
    const mc = new cloud.crypto.MsgCrypt({ token: PUSH.token, encodingAesKey: PUSH.encodingAesKey, appid: APP.appid })
    const draw = random(seed)
    const tally = { requests: 0, answeredSuccess: 0, failedAnswers: 0, duplicatesSent: 0, concurrentDuplicates: 0, flaggedFailures: 0, lost: 0 }
    let turn = 0
    const next = () => urls[turn++ % 2]

    /** Delivers until 'success', like WeChat's retries (a failed answer: try again on the next process). */
    async function deliver(sealed, first) {
      let url = first
      for (let attempt = 0; attempt < MAX_DELIVERIES; attempt++) {
        tally.requests++
        const res = await post(agent, url, sealed)
        if (res.status === 200 && res.text === 'success') {
          tally.answeredSuccess++
          return true
        }
        tally.failedAnswers++
        url = urls[(urls.indexOf(url) + 1) % 2]
        if (attempt > 0) await new Promise((resolve) => setTimeout(resolve, 20 * attempt))
      }
      return false
    }

    async function one(i) {
      const roll = draw()
      const fail = roll < RATES.listenerFailure
      const duplicate = !fail && roll < RATES.listenerFailure + RATES.duplicate
      const atOnce = duplicate && draw() < 0.5
      const stamp = Math.floor(Date.now() / 1000)
      const xml = `<xml><ToUserName><![CDATA[gh_soak]]></ToUserName><FromUserName><![CDATA[o-sender]]></FromUserName><CreateTime>${stamp}</CreateTime>` +
        `<MsgType><![CDATA[event]]></MsgType><Event><![CDATA[add_waybill]]></Event><OrderID><![CDATA[o-${i}]]></OrderID>` +
        `${fail ? '<Fail>1</Fail>' : ''}${atOnce ? '<Slow>30</Slow>' : ''}</xml>`
      const sealed = mc.encryptPush(xml, { timestamp: stamp, nonce: String(100000 + i) })
      if (fail) tally.flaggedFailures++
      // A flagged push goes first to worker 0 (whose listener fails it once); the retry reaches worker 1.
      const first = fail ? urls[0] : next()
      const other = urls[(urls.indexOf(first) + 1) % 2]
      if (atOnce) {
        tally.duplicatesSent++
        tally.concurrentDuplicates++
        const done = await Promise.all([deliver(sealed, first), deliver(sealed, other)])
        if (!done.every(Boolean)) tally.lost++
        return
      }
      if (!(await deliver(sealed, first))) {
        tally.lost++
        return
      }
      if (duplicate) {
        tally.duplicatesSent++
        await deliver(sealed, other)
      }
    }

    // `concurrency` senders, each taking the next push when its last one is answered (a slow push holds one).
    const blocks = []
    let blockStarted = process.hrtime.bigint()
    let taken = 0
    let done = 0
    const started = Date.now()
    const sender = async () => {
      while (taken < pushes) {
        await one(taken++)
        if (++done % BLOCK === 0 || done === pushes) {
          const now = process.hrtime.bigint()
          blocks.push({ pushes: done, ms: Number(now - blockStarted) / 1e6 })
          blockStarted = now
        }
      }
    }
    await Promise.all(Array.from({ length: concurrency }, sender))
    const seconds = (Date.now() - started) / 1000

    const reports = await Promise.all(workers.map((w) => w.report()))
    const counts = new Map()
    for (const r of reports) for (const id of r.runs) counts.set(id, (counts.get(id) || 0) + 1)
    let notRun = 0
    let ranTwice = 0
    for (let i = 0; i < pushes; i++) {
      const n = counts.get(`o-${i}`) || 0
      if (n === 0) notRun++
      if (n > 1) ranTwice++
    }
    const blockSize = (b, k) => b.pushes - (k === 0 ? 0 : blocks[k - 1].pushes)
    const perPush = blocks.map((b, k) => (b.ms * 1000) / blockSize(b, k))
    const firstUs = perPush[0]
    const lastUs = perPush[perPush.length - 1]
    const result = {
      pushes,
      seconds,
      ...tally,
      injectedFailures: reports[0].failed,
      listenerRuns: reports.reduce((n, r) => n + r.runs.length, 0),
      notRun,
      ranTwice,
      firstUs,
      lastUs,
      ratio: lastUs / firstUs,
      perPush,
      workerCpuSeconds: reports.map((r) => (r.cpu.user + r.cpu.system) / 1e6),
      workerRssMb: reports.map((r) => r.rss / 1024 / 1024),
    }
    result.targetsMet = notRun === 0 && ranTwice === 0 && tally.lost === 0 && result.listenerRuns === pushes && (pushes < 2 * BLOCK || result.ratio <= FLAT_TARGET)
    log(`push soak: ${pushes} pushes (safe mode, XML) to 2 processes sharing redis-server, concurrency ${concurrency}, seed ${seed}`)
    log(`  deliveries: ${tally.requests} requests, ${tally.answeredSuccess} answered success, ${tally.failedAnswers} answered with a failure (then delivered again)`)
    log(`  duplicates delivered: ${tally.duplicatesSent} (${tally.concurrentDuplicates} of them at once to both processes while the first ran)`)
    log(`  listener failures injected: ${result.injectedFailures} (of ${tally.flaggedFailures} flagged pushes), each retried by the sender`)
    log(`  listener runs that succeeded: ${result.listenerRuns}; pushes never run: ${notRun}; pushes run more than once: ${ranTwice}; pushes lost: ${tally.lost}`)
    log(`  time: ${seconds.toFixed(1)} s, ${Math.round(pushes / seconds)} pushes/s; per push (wall, sender side) by block of ${BLOCK}: ${perPush.map((us) => us.toFixed(0)).join(', ')} µs`)
    log(`  first ${BLOCK}: ${firstUs.toFixed(1)} µs/push, last ${BLOCK}: ${lastUs.toFixed(1)} µs/push (${result.ratio.toFixed(2)}×, target ≤ ${FLAT_TARGET}×)`)
    log(`  worker CPU: ${result.workerCpuSeconds.map((s) => `${s.toFixed(1)} s`).join(', ')}; worker RSS: ${result.workerRssMb.map((m) => `${m.toFixed(0)} MB`).join(', ')}`)
    log(`  targets (each push run exactly once, none lost, flat per-push cost): ${result.targetsMet ? 'met' : 'NOT met'}`)
    return result
  } finally {
    agent.destroy()
    for (const w of workers) w.child.kill()
    await redis.close()
  }
}

if (require.main === module) {
  const { parseArgs } = require('node:util')
  const { values } = parseArgs({ options: { pushes: { type: 'string' }, concurrency: { type: 'string' }, seed: { type: 'string' } } })
  const num = (v, d) => (v === undefined ? d : Number(v))
  runPushSoak({ pushes: num(values.pushes, 100_000), concurrency: num(values.concurrency, 32), seed: num(values.seed, 1) })
    .then((r) => { process.exitCode = r.targetsMet ? 0 : 1 })
    .catch((err) => { console.error(err); process.exitCode = 1 })
}

module.exports = { runPushSoak, redisServerInstalled, RATES }
