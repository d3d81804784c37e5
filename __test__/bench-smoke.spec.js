'use strict'
// The benchmark's smoke run (`npm run bench -- --quick`): a few hundred calls per client, no wrk, so the
// bench cannot rot unnoticed. Numbers are not judged here, only that the table is produced and sane.

const test = require('ava')
const fs = require('node:fs')
const os = require('node:os')
const path = require('node:path')
const { main } = require('../bench/run.js')

test('the quick bench produces the three-way table with sane numbers', async (t) => {
  const out = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'bench-smoke-')), 'RESULTS.md')
  const run = await main(['--quick', '--out', out])
  t.is(run.cells.length, 4, 'two answers × two concurrencies')
  for (const cell of run.cells) {
    for (const kind of ['ours', 'undici', 'fetch']) {
      const m = cell[kind]
      t.is(m.errors, 0)
      t.true(m.calls >= 100, `${kind} ${cell.endpoint}@${cell.concurrency} made its calls`)
      t.true(m.callsPerSec > 0 && m.p50Ms > 0 && m.p99Ms >= m.p50Ms, 'rates and latencies')
      t.true(m.mainUsPerCall > 0 && m.procUsPerCall > 0 && m.peakRssMb > 10, 'CPU and memory')
    }
  }
  t.is(run.extras.burst.ours, 1, 'one token request for a cold burst')
  t.is(run.extras.burst.undici, 1)
  t.is(run.extras.burst.fetch, 1)
  for (const kind of ['ours', 'undici']) {
    t.true(run.extras.soak[kind].rss[2000] > 10, `${kind}'s soak`)
    t.true(run.extras.soak[kind].young[2000] > 0, 'the young generation is reported beside the RSS')
  }
  t.true(run.extras.requireMs > 0)
  const text = fs.readFileSync(out, 'utf8')
  for (const needle of ['ours/undici', 'ours/fetch', 'ours/ceiling', 'latency p99 ms', 'token requests', '`require()`', 'verdict']) t.true(text.includes(needle), needle)
  fs.rmSync(path.dirname(out), { recursive: true, force: true })
})
