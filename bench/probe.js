'use strict'
// What a worker reads about itself: main-thread CPU (the event loop's own thread, not tokio's or libuv's),
// whole-process CPU, and memory.

const fs = require('node:fs')

const SCHEDSTAT = `/proc/self/task/${process.pid}/schedstat`

/** Nanoseconds the main thread has spent on a CPU (Linux schedstat; falls back to process CPU elsewhere). */
function mainThreadNs() {
  try {
    return Number(fs.readFileSync(SCHEDSTAT, 'utf8').split(' ')[0])
  } catch {
    const u = process.cpuUsage()
    return (u.user + u.system) * 1000
  }
}

function processNs() {
  const u = process.cpuUsage()
  return (u.user + u.system) * 1000
}

function snapshot() {
  return { main: mainThreadNs(), proc: processNs(), at: process.hrtime.bigint() }
}

/** Per-call CPU (µs) and wall time between two snapshots. */
function delta(a, b, calls) {
  return {
    seconds: Number(b.at - a.at) / 1e9,
    mainUsPerCall: (b.main - a.main) / 1000 / calls,
    procUsPerCall: (b.proc - a.proc) / 1000 / calls,
  }
}

const rssMb = () => process.memoryUsage.rss() / 1048576
const peakRssMb = () => process.resourceUsage().maxRSS / 1024

function percentile(sorted, p) {
  if (sorted.length === 0) return NaN
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]
}

module.exports = { snapshot, delta, rssMb, peakRssMb, percentile }
