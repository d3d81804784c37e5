'use strict'
// One measurement in its own process, so CPU and memory belong to one client only.
//   node bench/worker.js '<json>'   → prints one JSON line
// modes: load (calls/s, latency, CPU, peak RSS), burst (token requests of a cold burst),
//        soak (RSS after N calls), require (require() time).

const { make } = require('./clients.js')
const probe = require('./probe.js')

async function load({ kind, target, endpoint, params, concurrency, seconds, warmSeconds, calls }) {
  const call = make(kind, target)
  check(endpoint, await call(endpoint, params))
  let stopAt = Date.now() + warmSeconds * 1000
  await drive(call, endpoint, params, concurrency, () => Date.now() >= stopAt, null)
  const latencies = []
  const before = probe.snapshot()
  let done = 0
  stopAt = Date.now() + seconds * 1000
  const stop = calls ? () => done >= calls : () => Date.now() >= stopAt
  const errors = await drive(call, endpoint, params, concurrency, stop, (ns) => {
    done++
    latencies.push(ns)
  })
  const after = probe.snapshot()
  const cost = probe.delta(before, after, done)
  latencies.sort((a, b) => a - b)
  return {
    calls: done,
    errors,
    callsPerSec: done / cost.seconds,
    p50Ms: probe.percentile(latencies, 50) / 1e6,
    p99Ms: probe.percentile(latencies, 99) / 1e6,
    mainUsPerCall: cost.mainUsPerCall,
    procUsPerCall: cost.procUsPerCall,
    peakRssMb: probe.peakRssMb(),
  }
}

/** `concurrency` loops, each awaiting one call at a time; returns the number of failed calls. */
async function drive(call, endpoint, params, concurrency, stop, record) {
  let errors = 0
  const loop = async () => {
    while (!stop()) {
      const t0 = process.hrtime.bigint()
      try {
        await call(endpoint, params)
      } catch (e) {
        if (++errors === 1) console.error(`${endpoint}: ${e.message}`)
      }
      if (record) record(Number(process.hrtime.bigint() - t0))
    }
  }
  await Promise.all(Array.from({ length: concurrency }, loop))
  return errors
}

function check(endpoint, answer) {
  if (answer.errCode !== 0) throw new Error(`${endpoint}: errCode ${answer.errCode}`)
  if (endpoint === 'large' && !(answer.orderList && answer.orderList.length === 100 && answer.orderList[99].printHtml)) {
    throw new Error('batchGetOrder did not return 100 orders with printHtml')
  }
}

/** 1000 concurrent calls on a cold cache; the parent counts the token requests at the emulator. */
async function burst({ kind, target, endpoint, params, size }) {
  const call = make(kind, target)
  const results = await Promise.allSettled(Array.from({ length: size }, () => call(endpoint, params)))
  return { calls: size, errors: results.filter((r) => r.status === 'rejected').length }
}

/**
 * RSS after each of `checkpoints` calls and a full GC (the parent picks the small answer at concurrency 128), with
 * the V8 heap in use and V8's young generation as resident at that point. The young generation is not per-call
 * memory: V8 doubles it under allocation pressure up to its cap (two 16 MB semi-spaces) and keeps it after a full
 * GC, so a busy process's RSS rises by up to ~30 MB once, in any Node client (measured: bench/RESULTS.md).
 */
async function soak({ kind, target, endpoint, params, concurrency, checkpoints }) {
  const call = make(kind, target)
  const rss = {}
  const heap = {}
  const young = {}
  let done = 0
  let errors = 0
  const started = Date.now()
  for (const at of checkpoints) {
    errors += await drive(call, endpoint, params, concurrency, () => done >= at, () => done++)
    // Garbage not yet collected is not a leak: collect it first when the parent allowed (--expose-gc).
    if (global.gc) global.gc()
    rss[at] = probe.rssMb()
    heap[at] = process.memoryUsage().heapUsed / 1048576
    young[at] = youngGenerationMb()
  }
  return { rss, heap, young, errors, seconds: (Date.now() - started) / 1000 }
}

/** Resident MB of V8's young generation (new space and its large objects). */
function youngGenerationMb() {
  const spaces = require('node:v8').getHeapSpaceStatistics()
  const young = spaces.filter((s) => s.space_name === 'new_space' || s.space_name === 'new_large_object_space')
  return young.reduce((sum, s) => sum + s.physical_space_size, 0) / 1048576
}

function requireTime() {
  const path = require('node:path')
  const t0 = process.hrtime.bigint()
  require(path.join(__dirname, '..'))
  return { requireMs: Number(process.hrtime.bigint() - t0) / 1e6 }
}

const MODES = { load, burst, soak, require: requireTime }

async function main() {
  const spec = JSON.parse(process.argv[2])
  const out = await MODES[spec.mode](spec)
  process.stdout.write(JSON.stringify(out) + '\n')
}

// require() time is measured first thing, before this file loads anything else of ours.
main().then(
  () => process.exit(0),
  (e) => {
    console.error(e.stack || e.message)
    process.exit(1)
  },
)
